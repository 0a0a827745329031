//! Runnable examples of using the bakery, each a file beside `Cargo.toml`:
//!
//! - `embedded_shop.rs`: bakery-core embedded on SQLite, from catalog to a priced order.
//! - `sdk_client.rs`: bakery-sdk used as an integrator would, against a running server.
//! - `login_pressure.rs`: `/healthz` and a cached catalog GET, alone and under 32 concurrent
//!   password logins, in one run (the numbers in bench/results.md).
//! - `follow_order.rs`: one order followed live with bakery-sdk's tracking client.
//! - `tracking_bench.rs`: thousands of tracking sockets on one order, timed
//!   (`scripts/bench_tracking.sh`).
//! - `yardstick.rs`: a bare poem handler answering fixed bytes, the baseline `scripts/bench.sh`
//!   measures the server against.

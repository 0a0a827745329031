//! Runnable examples of using the bakery, each a file beside `Cargo.toml`:
//!
//! - `embedded_shop.rs`: bakery-core embedded on SQLite, from catalog to a priced order.

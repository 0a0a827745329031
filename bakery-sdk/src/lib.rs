//! The Bakery API for Rust programs.
//!
//! [`Client`] and [`types`] are generated at build time by progenitor from the committed
//! `openapi.json` (builder style: `client.list_products().page(2).send()`); nothing here
//! hand-writes a request. [`BakeryClient`] adds what every app needs around it: the bearer
//! token on each call and one transparent refresh-and-retry when the access token expired.
//! [`OrderTracker`] and [`BoardWatcher`] follow an order or the staff board live over the
//! server's WebSockets, yielding the generated message types.

#[allow(clippy::all, unused_imports, dead_code, missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/bakery_api.rs"));
}

pub mod images;
pub mod live;
mod refresh;
mod session;

pub use generated::*;
pub use images::{ImageTarget, Progress, UploadError};
pub use live::{BoardWatcher, LiveError, OrderTracker};
pub use session::{ApiError, BakeryClient, Tokens};

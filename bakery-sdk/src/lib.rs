//! The Bakery API for Rust programs.
//!
//! [`Client`] and [`types`] are generated at build time by progenitor from the committed
//! `openapi.json` (builder style: `client.list_products().page(2).send()`); nothing here
//! hand-writes a request. [`BakeryClient`] adds what every app needs around it: the bearer
//! token on each call and one transparent refresh-and-retry when the access token expired.

#[allow(clippy::all, unused_imports, dead_code, missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/bakery_api.rs"));
}

mod refresh;
mod session;

pub use generated::*;
pub use session::{ApiError, BakeryClient, Tokens};

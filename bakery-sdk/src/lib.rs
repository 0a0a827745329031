//! The Bakery API for Rust programs.
//!
//! [`Client`] and [`types`] are generated at build time by progenitor from the committed
//! `openapi.json` (builder style: `client.list_products().page(2).send()`); nothing here
//! hand-writes a request. [`BakeryClient`] adds what every app needs around it: the bearer
//! token on each call and one transparent refresh-and-retry when the access token expired;
//! [`BakeryClient::place_order`], [`BakeryClient::create_payment_intent`] and
//! [`BakeryClient::cancel_order`] send each logical call under a fresh `Idempotency-Key` and
//! retry it (connection errors, 503, a 409 while the first attempt runs) with that same key.
//! [`OrderTracker`] and [`BoardWatcher`] follow an order or the staff board live over the
//! server's WebSockets, yielding the generated message types.

#[allow(clippy::all, unused_imports, dead_code, missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/bakery_api.rs"));
}

mod idempotent;
pub mod images;
pub mod live;
mod open_enums;
mod refresh;
mod session;

pub use generated::*;
pub use idempotent::{new_idempotency_key, MAX_ATTEMPTS as IDEMPOTENT_MAX_ATTEMPTS};

/// The generated types, with the enums a newer server may extend replaced by open ones
/// (`Unknown(value)` instead of a parse failure).
pub mod types {
    pub use crate::generated::types::*;
    pub use crate::open_enums::{
        Fulfilment, ImageStatus, NotificationType, OrderStatus, PaymentStatus,
    };
}
pub use images::{ImageTarget, Progress, UploadError, READY_WAIT};
pub use live::{BoardWatcher, LiveError, OrderTracker};
pub use session::{ApiError, BakeryClient, Tokens};

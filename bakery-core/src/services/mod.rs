//! The use cases: one method of [`Bakery`] per operation the API offers. Each parses nothing
//! (the domain types arrive checked), enforces who may do what, applies the rules and calls
//! the ports.

mod auth;
mod bakery;
mod bakes;
mod catalog;
mod checkout;
mod hashing;
mod idempotency;
mod images;
mod kitchen;
mod notifications;
mod orders;
mod outbox;
mod payments;
mod promotions;
mod remembered;
mod reviews;
mod sessions;
mod shop;
mod unpaid;
mod users;
mod zones;

pub use auth::Session;
pub use bakery::{Actor, Adapters, Bakery, Settings};
pub use catalog::{CategoryInput, ProductListing};
pub use checkout::{OrderQuote, QuoteRequest};
pub use hashing::{HashingLimits, HashingPool, BUSY_RETRY_AFTER_SECS};
pub use idempotency::{Claim, IdempotencyLease, IDEMPOTENCY_LEASE, IDEMPOTENCY_TTL};
pub use images::{UploadTicket, IMAGE_JOBS, UPLOAD_TTL};
pub use orders::{CartLine, LocationReport, OrderRequest, StaffOrderQuery, Tracking};
pub use outbox::MAX_ATTEMPTS as OUTBOX_MAX_ATTEMPTS;
pub use sessions::SESSION_CACHE_TTL;

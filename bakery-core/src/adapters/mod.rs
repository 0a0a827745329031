//! Implementations of the ports: the embedded defaults (always built) and the production
//! adapters (each behind its cargo feature).

mod log_push;
mod log_sms;
mod memory_rate_limit;
#[cfg(feature = "mongodb")]
pub mod mongo;
mod no_payments;
#[cfg(feature = "sqlite")]
pub mod sqlite;

pub use log_push::LogPush;
pub use log_sms::{LogSms, RecordingSms};
pub use memory_rate_limit::MemoryRateLimiter;
pub use no_payments::NoPayments;

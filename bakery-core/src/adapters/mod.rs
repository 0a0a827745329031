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

/// The unique indexes a write can run into, each reported as the conflict clients see.
/// Worded once here so every backend answers alike.
#[cfg(any(feature = "sqlite", feature = "mongodb"))]
#[derive(Clone, Copy, Debug)]
pub(crate) enum Unique {
    Phone,
    CategoryName,
    PromotionCode,
    Review,
}

#[cfg(any(feature = "sqlite", feature = "mongodb"))]
impl Unique {
    pub(crate) fn conflict(self) -> crate::Error {
        use crate::error::ConflictCode;
        let (code, message) = match self {
            Self::Phone => (
                ConflictCode::DuplicatePhone,
                "this phone number is already registered",
            ),
            Self::CategoryName => (
                ConflictCode::DuplicateName,
                "a category with this name already exists",
            ),
            Self::PromotionCode => (
                ConflictCode::DuplicateCode,
                "a promotion with this code already exists",
            ),
            Self::Review => (
                ConflictCode::DuplicateReview,
                "you have already reviewed this product",
            ),
        };
        crate::Error::conflict(code, message)
    }
}

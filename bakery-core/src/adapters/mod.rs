//! Implementations of the ports: the embedded defaults (always built) and the production
//! adapters (each behind its cargo feature).

pub mod cache;
pub mod events;
#[cfg(feature = "fcm")]
pub mod fcm;
mod invalidating;
pub mod local_images;
mod log_push;
mod log_sms;
mod memory_rate_limit;
#[cfg(feature = "mongodb")]
pub mod mongo;
mod no_payments;
#[cfg(feature = "redis")]
pub mod redis;
#[cfg(feature = "s3")]
pub mod s3_images;
#[cfg(feature = "sqlite")]
pub mod sqlite;
#[cfg(feature = "stripe")]
pub mod stripe;
#[cfg(feature = "sms-http")]
pub mod twilio_sms;

pub use cache::MemoryCache;
pub use events::MemoryEvents;
#[cfg(feature = "fcm")]
pub use fcm::{FcmOptions, FcmPush};
pub use invalidating::{invalidating, InvalidatingStore};
pub use local_images::LocalImages;
pub use log_push::LogPush;
pub use log_sms::{LogSms, RecordingSms};
pub use memory_rate_limit::MemoryRateLimiter;
pub use no_payments::NoPayments;
#[cfg(feature = "stripe")]
pub use stripe::{StripeConfig, StripePayments};
#[cfg(feature = "sms-http")]
pub use twilio_sms::{TwilioConfig, TwilioSms};

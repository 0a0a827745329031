use async_trait::async_trait;

use crate::domain::Phone;
use crate::error::Error;

/// Delivers sign-in codes by text message. The embedded default logs them; production uses
/// an SMS provider, which words the message itself.
#[async_trait]
pub trait SmsSender: Send + Sync {
    async fn send_otp(&self, to: &Phone, code: &str, valid_minutes: u32) -> Result<(), Error>;
}

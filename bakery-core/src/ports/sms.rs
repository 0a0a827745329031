use async_trait::async_trait;

use crate::domain::Phone;
use crate::error::Error;

/// Sends a text message. The embedded default logs it; production uses an SMS provider.
#[async_trait]
pub trait SmsSender: Send + Sync {
    async fn send(&self, to: &Phone, body: &str) -> Result<(), Error>;
}

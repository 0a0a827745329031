use async_trait::async_trait;

use crate::domain::Id;
use crate::error::Error;

/// A push notification for all of one customer's devices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushMessage {
    pub device_tokens: Vec<String>,
    pub title: String,
    pub body: String,
    /// The order (or other resource) the app should open.
    pub reference_id: Option<Id>,
}

/// Delivers push notifications. Best effort: the stored notification is the record.
#[async_trait]
pub trait PushSender: Send + Sync {
    async fn send(&self, message: &PushMessage) -> Result<(), Error>;
}

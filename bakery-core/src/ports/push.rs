use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::domain::Id;
use crate::error::Error;

/// A push notification for all of one customer's devices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushMessage {
    pub device_tokens: Vec<String>,
    pub title: String,
    pub body: String,
    /// What the app needs to act on it without a round trip: `type` (the notification
    /// kind), and for order updates `orderId` and `status`.
    pub data: BTreeMap<String, String>,
    /// The order (or other resource) the app should open.
    pub reference_id: Option<Id>,
}

/// What happened to each device of a message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PushReport {
    pub delivered: usize,
    /// Tokens the provider says no longer exist (app uninstalled, token rotated): the
    /// caller removes them from the user.
    pub invalid_tokens: Vec<String>,
    /// Tokens that failed for a reason that may pass (rate limit, provider outage) after the
    /// sender's own retries: the caller may try them again later.
    pub retry_tokens: Vec<String>,
}

/// Delivers push notifications. Best effort: the stored notification is the record.
#[async_trait]
pub trait PushSender: Send + Sync {
    /// Which sender this is (`log`, `fcm`), for start-up logs and readiness.
    fn backend(&self) -> &'static str {
        "log"
    }

    /// One message per device token. `Err` only when nothing could be attempted (e.g. the
    /// provider refused our credentials); per-device outcomes are in the report.
    async fn send(&self, message: &PushMessage) -> Result<PushReport, Error>;
}

use async_trait::async_trait;

use crate::error::Error;
use crate::ports::{PushMessage, PushReport, PushSender};

/// The no-FCM default: the notification is already stored for the app's inbox; this only
/// logs that a push would have gone out.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogPush;

#[async_trait]
impl PushSender for LogPush {
    async fn send(&self, message: &PushMessage) -> Result<PushReport, Error> {
        tracing::info!(
            target: "bakery::push",
            devices = message.device_tokens.len(),
            "push: {}: {}",
            message.title,
            message.body
        );
        Ok(PushReport {
            delivered: message.device_tokens.len(),
            ..PushReport::default()
        })
    }
}

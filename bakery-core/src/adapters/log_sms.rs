use std::sync::Mutex;

use async_trait::async_trait;

use crate::domain::Phone;
use crate::error::Error;
use crate::ports::SmsSender;

/// The no-provider default: the message goes to the log, where a single-shop owner (or a
/// developer) reads the code. Production configuration refuses it.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogSms;

#[async_trait]
impl SmsSender for LogSms {
    async fn send(&self, to: &Phone, body: &str) -> Result<(), Error> {
        tracing::info!(target: "bakery::sms", "SMS to {to}: {body}");
        Ok(())
    }
}

/// Keeps every message in memory so an embedding app or a test can read what was sent.
#[derive(Debug, Default)]
pub struct RecordingSms(Mutex<Vec<(Phone, String)>>);

impl RecordingSms {
    pub fn sent(&self) -> Vec<(Phone, String)> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The newest message sent to `to`.
    pub fn last_to(&self, to: &Phone) -> Option<String> {
        self.sent()
            .into_iter()
            .rev()
            .find(|(p, _)| p == to)
            .map(|(_, body)| body)
    }
}

#[async_trait]
impl SmsSender for RecordingSms {
    async fn send(&self, to: &Phone, body: &str) -> Result<(), Error> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((to.clone(), body.to_owned()));
        Ok(())
    }
}

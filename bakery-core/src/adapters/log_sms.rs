use std::sync::Mutex;

use async_trait::async_trait;

use crate::domain::Phone;
use crate::error::Error;
use crate::ports::SmsSender;

/// The no-provider default: the code goes to the log as `OTP for <phone>: <code>`, where a
/// single-shop owner (or a developer) reads it. Production configuration refuses it.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogSms;

#[async_trait]
impl SmsSender for LogSms {
    async fn send_otp(&self, to: &Phone, code: &str, _valid_minutes: u32) -> Result<(), Error> {
        tracing::info!(target: "bakery::sms", "OTP for {to}: {code}");
        Ok(())
    }
}

/// Keeps every code in memory so an embedding app or a test can read what was sent.
#[derive(Debug, Default)]
pub struct RecordingSms(Mutex<Vec<(Phone, String)>>);

impl RecordingSms {
    pub fn sent(&self) -> Vec<(Phone, String)> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The newest code sent to `to`.
    pub fn last_code_for(&self, to: &Phone) -> Option<String> {
        self.sent()
            .into_iter()
            .rev()
            .find(|(p, _)| p == to)
            .map(|(_, code)| code)
    }
}

#[async_trait]
impl SmsSender for RecordingSms {
    async fn send_otp(&self, to: &Phone, code: &str, _valid_minutes: u32) -> Result<(), Error> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((to.clone(), code.to_owned()));
        Ok(())
    }
}

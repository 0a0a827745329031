use async_trait::async_trait;

use crate::domain::Phone;
use crate::error::Error;

/// Delivers sign-in codes by text message. The embedded default logs them; production uses
/// an SMS provider (`adapters::TwilioSms`, feature `sms-http`), which words the message
/// itself.
#[async_trait]
pub trait SmsSender: Send + Sync {
    /// Which sender this is (`log`, `twilio`), for start-up logs and readiness.
    fn backend(&self) -> &'static str {
        "log"
    }

    /// Sends `code`, valid for `valid_minutes`, to `to`. When the provider does not take the
    /// message, answers [`Error::SmsUnavailable`] (having logged the provider's reason): the
    /// use case then discards the code, and the server gives the phone's OTP allowance back.
    async fn send_otp(&self, to: &Phone, code: &str, valid_minutes: u32) -> Result<(), Error>;
}

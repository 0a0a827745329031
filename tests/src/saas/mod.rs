//! Local HTTP fakes of the SaaS APIs the server calls in production (Stripe, FCM), answering
//! as the real APIs do and keeping what they were sent, so a test can check it.

mod fcm;
mod stripe;

pub use fcm::{FcmFake, SentPush};
pub use stripe::{
    sign as sign_stripe_event, StripeFake, STRIPE_PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET,
};

/// A form body as a list of pairs, in order (Stripe's requests are form-encoded).
pub fn form_of(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

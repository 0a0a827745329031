use async_trait::async_trait;

use crate::domain::{Currency, Id, Money, Order, PaymentStatus};
use crate::error::Error;

/// What the app needs to confirm a card payment on the device (Stripe's PaymentIntent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentIntent {
    pub id: String,
    /// Handed to the mobile SDK; lets the device confirm this one payment, nothing else.
    pub client_secret: String,
    pub amount: Money,
    pub currency: Currency,
}

/// A verified notification from the payment provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentEvent {
    /// The provider's event id: each is processed once.
    pub id: String,
    pub intent_id: String,
    /// The order the intent was created for (carried in the intent's metadata).
    pub order_id: Id,
    pub outcome: PaymentStatus,
}

/// A card payment provider. Card orders are created first with payment `pending`; the
/// intent carries the order id, and the webhook (or the client's confirm, whichever comes
/// first) moves the payment forward.
#[async_trait]
pub trait PaymentProvider: Send + Sync {
    /// Whether card payments can be taken at all; without a provider, card orders are
    /// refused up front instead of being left unpayable.
    fn enabled(&self) -> bool;
    /// Creates (or, for the same order, returns again) the intent for the order's total.
    async fn create_intent(&self, order: &Order) -> Result<PaymentIntent, Error>;
    /// Asks the provider where an intent stands now.
    async fn intent_status(&self, intent_id: &str) -> Result<PaymentStatus, Error>;
    /// Verifies the signature over the raw body and reads the event; `Ok(None)` for event
    /// types the shop does not act on.
    fn verify_event(&self, payload: &[u8], signature: &str) -> Result<Option<PaymentEvent>, Error>;
}

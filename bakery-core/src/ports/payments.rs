use async_trait::async_trait;

use crate::domain::{Currency, Id, Money, Order};
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

/// Where an intent stands at the provider, reduced to what moves an order's payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntentState {
    /// Not decided yet: waiting for the customer, a 3-D Secure step, or the bank. A declined
    /// card is here too (the customer may try another card on the same intent).
    Open,
    Succeeded,
    /// Canceled: it can never be paid.
    Canceled,
}

/// What a verified provider event says happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentEventKind {
    /// The money was taken (`payment_intent.succeeded`).
    Succeeded,
    /// An attempt to pay failed (`payment_intent.payment_failed`).
    PaymentFailed,
    /// The intent was canceled and can never be paid (`payment_intent.canceled`).
    Canceled,
    /// The charge was refunded (`charge.refunded`), fully or in part.
    Refunded {
        /// The provider's refund id, when the event names one.
        refund_id: Option<String>,
        /// Minor units refunded so far on the charge.
        amount_refunded: i64,
    },
}

/// A verified notification from the payment provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentEvent {
    /// The provider's event id: each is processed once.
    pub id: String,
    pub intent_id: String,
    /// The order the intent was created for, when the event carries it (the intent's
    /// metadata); a charge event does not, and the order is found by its intent.
    pub order_id: Option<Id>,
    pub kind: PaymentEventKind,
}

/// Money to give back for a canceled order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRequest {
    pub order_id: Id,
    pub intent_id: String,
    pub amount: Money,
    pub currency: Currency,
}

/// What the provider did with a refund request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefundOutcome {
    /// Accepted (succeeded, or pending at the bank, which does not fail for cards in
    /// practice); `refund_id` is the provider's.
    Refunded { refund_id: String },
    /// Refused for good (e.g. the charge was disputed): retrying will not help; staff look.
    Refused { reason: String },
}

/// A card payment provider. Card orders are created first with payment `pending`; the
/// intent carries the order id, and the webhook (or the client's confirm, whichever comes
/// first) moves the payment forward.
///
/// Every call that changes something at the provider is idempotent per order: calling it
/// again (a retry after a timeout, a second instance) never creates a second intent or a
/// second refund.
#[async_trait]
pub trait PaymentProvider: Send + Sync {
    /// Short name for start-up logs and `/readyz` (`"none"`, `"stripe"`).
    fn name(&self) -> &'static str;
    /// Whether card payments can be taken at all; without a provider, card orders are
    /// refused up front instead of being left unpayable.
    fn enabled(&self) -> bool;
    /// The key the app's payment SDK is initialised with, shown in `GET /shop`.
    fn publishable_key(&self) -> Option<String>;
    /// Creates (or, for the same order, returns again) the intent for the order's total.
    /// Errors: [`Error::PaymentUnavailable`] when the provider cannot be reached or fails.
    async fn create_intent(&self, order: &Order) -> Result<PaymentIntent, Error>;
    /// Asks the provider where an intent stands now.
    async fn intent_state(&self, intent_id: &str) -> Result<IntentState, Error>;
    /// Cancels an intent nobody paid, so it cannot be paid later; an intent already
    /// canceled counts as done. Fails when it was paid meanwhile (the order is then
    /// refunded by the webhook path).
    async fn cancel_intent(&self, intent_id: &str) -> Result<(), Error>;
    /// Gives the money back; asking twice for the same order refunds once.
    async fn refund(&self, request: &RefundRequest) -> Result<RefundOutcome, Error>;
    /// Verifies the signature over the raw body and reads the event; `Ok(None)` for event
    /// types the shop does not act on. A bad or stale signature is
    /// [`Error::BadSignature`].
    fn verify_event(&self, payload: &[u8], signature: &str) -> Result<Option<PaymentEvent>, Error>;
}

use async_trait::async_trait;

use crate::domain::Order;
use crate::error::Error;
use crate::ports::{
    IntentState, PaymentEvent, PaymentIntent, PaymentProvider, RefundOutcome, RefundRequest,
};

/// The embedded default: cash only. Every card operation answers 503 with a message that
/// says what to do instead.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoPayments;

fn unavailable() -> Error {
    Error::Unavailable("card payments are not available at this shop; choose cash".into())
}

#[async_trait]
impl PaymentProvider for NoPayments {
    fn name(&self) -> &'static str {
        "none"
    }

    fn enabled(&self) -> bool {
        false
    }

    fn publishable_key(&self) -> Option<String> {
        None
    }

    async fn create_intent(&self, _order: &Order) -> Result<PaymentIntent, Error> {
        Err(unavailable())
    }

    async fn intent_state(&self, _intent_id: &str) -> Result<IntentState, Error> {
        Err(unavailable())
    }

    async fn cancel_intent(&self, _intent_id: &str) -> Result<(), Error> {
        Err(unavailable())
    }

    async fn refund(&self, _request: &RefundRequest) -> Result<RefundOutcome, Error> {
        Err(unavailable())
    }

    /// Without a webhook secret no signature can be good: the sender is told so (400, which
    /// Stripe does not retry for long), and the operator by the log.
    fn verify_event(
        &self,
        _payload: &[u8],
        _signature: &str,
    ) -> Result<Option<PaymentEvent>, Error> {
        tracing::warn!("a payment webhook arrived but no card provider is configured (STRIPE_*)");
        Err(Error::BadSignature)
    }
}

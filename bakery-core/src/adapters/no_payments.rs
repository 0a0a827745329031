use async_trait::async_trait;

use crate::domain::{Order, PaymentStatus};
use crate::error::Error;
use crate::ports::{PaymentEvent, PaymentIntent, PaymentProvider};

/// The embedded default: cash only. Every card operation answers 503 with a message that
/// says what to do instead.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoPayments;

fn unavailable() -> Error {
    Error::Unavailable("card payments are not available at this shop; choose cash".into())
}

#[async_trait]
impl PaymentProvider for NoPayments {
    fn enabled(&self) -> bool {
        false
    }

    async fn create_intent(&self, _order: &Order) -> Result<PaymentIntent, Error> {
        Err(unavailable())
    }

    async fn intent_status(&self, _intent_id: &str) -> Result<PaymentStatus, Error> {
        Err(unavailable())
    }

    fn verify_event(
        &self,
        _payload: &[u8],
        _signature: &str,
    ) -> Result<Option<PaymentEvent>, Error> {
        Err(unavailable())
    }
}

//! Card payments: the PaymentIntent a device confirms with the provider's SDK.

use bakery_core::ports;
use poem_openapi::Object;

/// Names the order to pay or confirm.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none, example)]
pub struct PaymentOrderRequest {
    /// The order id (a card order of the signed-in customer).
    #[oai(validator(pattern = "^[0-9a-fA-F]{24}$"))]
    pub order_id: String,
}

/// What the app hands to the payment provider's SDK to confirm the card payment.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct PaymentIntent {
    /// The provider's PaymentIntent id (Stripe: `pi_…`).
    pub payment_intent_id: String,
    /// Lets the device confirm this one payment and nothing else; never log it.
    pub client_secret: String,
    /// The order's total, minor units of `currency`.
    pub amount: i64,
    /// ISO 4217, lower case (e.g. `eur`).
    pub currency: String,
}

impl From<ports::PaymentIntent> for PaymentIntent {
    fn from(p: ports::PaymentIntent) -> Self {
        Self {
            payment_intent_id: p.id,
            client_secret: p.client_secret,
            amount: p.amount.minor(),
            currency: p.currency.as_str().to_owned(),
        }
    }
}

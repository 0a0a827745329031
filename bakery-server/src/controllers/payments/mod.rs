//! Card payments: create the PaymentIntent for a card order, confirm it from the device, and
//! the provider's webhook. Without a payment provider every operation answers 503.

use poem::web::Data;
use poem_openapi::param::Header;
use poem_openapi::payload::{Binary, Json};
use poem_openapi::types::ToJSON;
use poem_openapi::OpenApi;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::dto::common::{id, NoContent};
use crate::dto::order::Order;
use crate::dto::payment::{PaymentIntent, PaymentOrderRequest};
use crate::error::ApiError;
use crate::idempotency::{fingerprint, idempotent, IdempotencyKeyHeader, Idempotent};
use crate::state::AppState;

pub struct PaymentsApi;

#[OpenApi(prefix_path = "/api/v1/payments", tag = "ApiTags::Payments")]
impl PaymentsApi {
    /// Create (or fetch again) the PaymentIntent for a card order
    ///
    /// The app confirms the payment on the device with `clientSecret`; the webhook or
    /// `confirm` then completes the order's payment. 503 when no payment provider is configured.
    #[oai(
        path = "/create-intent",
        method = "post",
        operation_id = "create_payment_intent"
    )]
    async fn create_intent(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Makes retries safe: the same key with the same order answers the first intent
        /// again (`Idempotent-Replayed: true`); kept 24 hours per user. Send a new random key
        /// (e.g. a UUID) per payment attempt.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: IdempotencyKeyHeader,
        body: Json<PaymentOrderRequest>,
    ) -> Idempotent<Json<PaymentIntent>> {
        let fingerprint = fingerprint("create_payment_intent", None, body.0.to_json());
        let (bakery, actor) = (state.bakery.clone(), auth.0.clone());
        idempotent(
            &state.bakery,
            &auth.0,
            idempotency_key,
            fingerprint,
            async move {
                let order = id("orderId", &body.order_id)?;
                let intent = bakery.create_payment_intent(&actor, &order).await?;
                Ok(Json(intent.into()))
            },
        )
        .await
    }

    /// Ask the provider where the order's payment stands and record it
    ///
    /// For the app to call after confirming on the device; races with the webhook are fine
    /// (a payment only moves forward). Returns the order with its payment status.
    #[oai(path = "/confirm", method = "post", operation_id = "confirm_payment")]
    async fn confirm(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<PaymentOrderRequest>,
    ) -> Result<Json<Order>, ApiError> {
        let order = id("orderId", &body.order_id)?;
        let order = state.bakery.confirm_payment(&auth.0, &order).await?;
        Ok(Json(order.into()))
    }

    /// The payment provider's webhook (Stripe), verified on the raw body
    ///
    /// Called by the provider, not by apps: no bearer token; the `Stripe-Signature` header
    /// signs the exact bytes of the body (Stripe sends `application/json`; any content type
    /// is read as raw bytes). Each event is processed once.
    #[oai(path = "/webhook", method = "post", operation_id = "payment_webhook")]
    async fn webhook(
        &self,
        state: Data<&AppState>,
        /// The provider's signature over the raw body.
        #[oai(
            name = "Stripe-Signature",
            validator(min_length = 1, max_length = 2048)
        )]
        signature: Header<String>,
        body: Binary<Vec<u8>>,
    ) -> Result<NoContent, ApiError> {
        state
            .bakery
            .handle_payment_webhook(&body.0, &signature.0)
            .await?;
        Ok(NoContent::NoContent)
    }
}

//! Card payments through Stripe: a PaymentIntent per card order that the app confirms with
//! Stripe's mobile SDK, refunds for canceled orders, and signed webhooks (`webhook.rs`).
//!
//! # What goes over the wire
//! Every call is one form-encoded request to `{api_base}v1/...` with `Authorization: Bearer
//! <secret key>` and the `Stripe-Version` async-stripe was generated for, so the answers
//! always have the shape its types expect:
//! - `create_intent`: `POST /v1/payment_intents` (amount, currency, `metadata[order_id]`,
//!   `metadata[user_id]`, `automatic_payment_methods[enabled]=true`);
//! - `intent_state`: `GET /v1/payment_intents/{id}`;
//! - `cancel_intent`: `POST /v1/payment_intents/{id}/cancel`;
//! - `refund`: `POST /v1/refunds` (`payment_intent`, amount, `metadata[order_id]`), and, when
//!   Stripe says the charge is already refunded, `GET /v1/refunds?payment_intent=...` to name
//!   the refund that did it.
//!
//! # Idempotency and retries
//! Each call that changes something carries an `Idempotency-Key` derived from what it is
//! about (`bakery-order-{order}-intent`, `bakery-order-{order}-refund`,
//! `bakery-intent-{intent}-cancel`), so a repeat from a retry, a second instance or the outbox
//! gets Stripe's first answer back instead of a second intent or refund. Stripe keeps keys for
//! 24 hours; later repeats are covered by the caller (the order keeps its intent id, and a
//! second refund is answered `charge_already_refunded`).
//!
//! async-stripe's retrying strategies (`Retry`, `ExponentialBackoff`) make up their own keys,
//! so each request goes out with `RequestStrategy::Idempotent(key)` (or `Once` for reads) and
//! this adapter retries once itself, with the same key, after a transient failure: a network
//! error, a timeout, 409 (a concurrent request with the same key), 429 or 5xx. Two attempts
//! at most keep a customer's tap under two timeouts; refunds are retried further by the
//! outbox.
//!
//! # Errors
//! Transient failures, and a secret key Stripe refuses (401), are
//! [`Error::PaymentUnavailable`]. Any other refusal (4xx) means a bug or a misconfigured
//! account; it is [`Error::Internal`] with Stripe's error type, code and message. Logs carry
//! those and the cause of network errors, never the keys nor a client secret.
//!
//! # TLS
//! async-stripe's client builds its TLS settings from rustls' process-wide crypto provider.
//! When another dependency compiles rustls' `ring` backend in beside `aws-lc-rs` (mongodb
//! does), rustls cannot choose and building the client would panic, so
//! [`StripePayments::new`] installs aws-lc-rs as the process default unless one is set.

mod webhook;

#[cfg(test)]
mod tests;

use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use ::stripe::{
    ApiErrors, ApiErrorsCode, Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError,
    StripeRequest,
};
use async_trait::async_trait;
use stripe_core::payment_intent::{
    CancelPaymentIntent, CreatePaymentIntent, CreatePaymentIntentAutomaticPaymentMethods,
    RetrievePaymentIntent,
};
use stripe_core::refund::{CreateRefund, ListRefund};
use stripe_shared::{PaymentIntentStatus, Refund};

use crate::domain::{Currency, Money, Order};
use crate::error::{ConflictCode, Error};
use crate::ports::{
    IntentState, PaymentEvent, PaymentIntent, PaymentProvider, RefundOutcome, RefundRequest,
};

/// Where Stripe's API lives; tests point [`StripeConfig::api_base`] at a local fake.
pub const STRIPE_API_BASE: &str = "https://api.stripe.com/";

/// How long one attempt may take, connection included, before it counts as a failure.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The refund id reported when Stripe says the charge was refunded already but the refund
/// cannot be listed; the refund happened, only its id is unknown here.
pub const ALREADY_REFUNDED: &str = "already-refunded";

/// Tries per request, the first included (see the module doc on retries).
const ATTEMPTS: u32 = 2;

/// The pause before the retry: long enough for a blip to pass, short enough for a tap.
const RETRY_PAUSE: Duration = Duration::from_millis(250);

/// async-stripe's text when a failed answer's body is not a Stripe error (a proxy's or load
/// balancer's page): the status is lost, and such pages are gateway failures.
const UNREADABLE_ERROR_BODY: &str = "error deserializing Stripe error";

/// What the adapter needs; the server fills it from `STRIPE_*`.
#[derive(Clone)]
pub struct StripeConfig {
    /// `sk_live_…`/`sk_test_…` (or a restricted `rk_…` key). Kept out of `Debug` and logs.
    pub secret_key: String,
    /// `whsec_…`, the endpoint's signing secret. Kept out of `Debug` and logs.
    pub webhook_secret: String,
    /// `pk_live_…`/`pk_test_…`: public, handed to the app in `GET /shop`.
    pub publishable_key: String,
    /// [`STRIPE_API_BASE`] unless testing.
    pub api_base: String,
    /// Per attempt.
    pub timeout: Duration,
}

impl StripeConfig {
    /// A configuration for Stripe's own API with the default timeout.
    pub fn new(
        secret_key: impl Into<String>,
        webhook_secret: impl Into<String>,
        publishable_key: impl Into<String>,
    ) -> Self {
        Self {
            secret_key: secret_key.into(),
            webhook_secret: webhook_secret.into(),
            publishable_key: publishable_key.into(),
            api_base: STRIPE_API_BASE.to_owned(),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeConfig")
            .field("secret_key", &"<redacted>")
            .field("webhook_secret", &"<redacted>")
            .field("publishable_key", &self.publishable_key)
            .field("api_base", &self.api_base)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// [`PaymentProvider`] over Stripe's API. Cheap to share: one client, no per-call state.
pub struct StripePayments {
    client: Client,
    config: StripeConfig,
}

impl fmt::Debug for StripePayments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripePayments")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl StripePayments {
    /// Checks the keys' shapes (a secret key must never end up published as the publishable
    /// one, and live and test keys must not be mixed) and builds the client; nothing is sent
    /// until the first call.
    pub fn new(config: StripeConfig) -> Result<Self, Error> {
        let secret = config.secret_key.trim();
        if !(secret.starts_with("sk_") || secret.starts_with("rk_")) {
            return Err(Error::validation(
                "stripeSecretKey",
                "must be a Stripe secret key (sk_live_…, sk_test_…) or restricted key (rk_…)",
            ));
        }
        if !config.publishable_key.starts_with("pk_") {
            return Err(Error::validation(
                "stripePublishableKey",
                "must be a Stripe publishable key (pk_live_…, pk_test_…); it is shown to every \
                 app user",
            ));
        }
        if secret[3..].starts_with("live_") != config.publishable_key[3..].starts_with("live_") {
            return Err(Error::validation(
                "stripePublishableKey",
                "must be of the same mode (live or test) as the secret key",
            ));
        }
        if config.webhook_secret.trim().is_empty() {
            return Err(Error::validation(
                "stripeWebhookSecret",
                "is required to verify Stripe's webhooks (whsec_…)",
            ));
        }
        // Fails only when a provider is installed already, which is then the one used.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let mut api_base = config.api_base.clone();
        if !api_base.ends_with('/') {
            api_base.push('/');
        }
        let client = ClientBuilder::new(secret)
            .url(api_base)
            .timeout(config.timeout)
            .app_info("bakery", Some(env!("CARGO_PKG_VERSION").to_owned()), None)
            .request_strategy(RequestStrategy::Once)
            .build()
            .map_err(|e| match e {
                // The builder's texts name the setting, never its value.
                StripeError::ConfigError(message) => Error::validation("stripeApiBase", message),
                other => Error::validation("stripeSecretKey", other.to_string()),
            })?;
        Ok(Self { client, config })
    }

    /// Runs `call` up to [`ATTEMPTS`] times while the failure is one a retry may fix; the
    /// caller's request carries the same idempotency key on every attempt.
    async fn retrying<T, Fut>(&self, mut call: impl FnMut() -> Fut) -> Result<T, StripeError>
    where
        Fut: Future<Output = Result<T, StripeError>>,
    {
        let mut attempt = 1;
        loop {
            match call().await {
                Err(e) if attempt < ATTEMPTS && is_transient(&e) => {
                    tracing::debug!(
                        target: "bakery::payments",
                        provider = "stripe",
                        attempt,
                        "transient Stripe failure, retrying with the same idempotency key"
                    );
                    attempt += 1;
                    tokio::time::sleep(RETRY_PAUSE).await;
                }
                other => return other,
            }
        }
    }

    async fn retrieve(&self, intent_id: &str) -> Result<stripe_shared::PaymentIntent, StripeError> {
        let retrieve = RetrievePaymentIntent::new(intent_id);
        self.retrying(|| retrieve.send(&self.client)).await
    }

    /// The id of the most recent refund on an intent, for a refund Stripe says is done.
    async fn existing_refund(&self, intent_id: &str) -> Option<String> {
        let list = ListRefund::new().payment_intent(intent_id).limit(1);
        let listed = self.retrying(|| list.send(&self.client)).await;
        match listed {
            Ok(list) => list.data.into_iter().next().map(|r| r.id.to_string()),
            Err(e) => {
                // Logged by the mapping; the refund is done either way.
                let _logged = to_error(e, "list refunds");
                None
            }
        }
    }
}

/// Whether a retry (same key) may get a different answer.
fn is_transient(err: &StripeError) -> bool {
    match err {
        StripeError::Stripe(_, status) => is_transient_status(*status),
        StripeError::ClientError(_) | StripeError::Timeout => true,
        StripeError::JSONDeserialize(message) => message == UNREADABLE_ERROR_BODY,
        StripeError::ConfigError(_) => false,
    }
}

/// Stripe's `type/code: message`, the parts of an error that are safe to log and keep.
fn describe(api: &ApiErrors) -> String {
    let code = api.code.as_ref().map(|c| c.as_str()).unwrap_or("-");
    let message = api.message.as_deref().unwrap_or("");
    format!("{}/{code}: {message}", api.type_.as_str())
}

/// Maps a failed call to the port's errors, logging what an operator needs.
fn to_error(err: StripeError, operation: &'static str) -> Error {
    match err {
        StripeError::Stripe(api, 401) => {
            tracing::error!(
                target: "bakery::payments",
                provider = "stripe",
                operation,
                http_status = 401,
                stripe_error = %describe(&api),
                "STRIPE_SECRET_KEY refused by Stripe: card payments are unavailable"
            );
            Error::PaymentUnavailable
        }
        StripeError::Stripe(api, status) if is_transient_status(status) => {
            tracing::warn!(
                target: "bakery::payments",
                provider = "stripe",
                operation,
                http_status = status,
                stripe_error = %describe(&api),
                "Stripe is unavailable"
            );
            Error::PaymentUnavailable
        }
        StripeError::Stripe(api, status) => {
            let what = describe(&api);
            tracing::warn!(
                target: "bakery::payments",
                provider = "stripe",
                operation,
                http_status = status,
                stripe_error = %what,
                "Stripe refused the request"
            );
            Error::internal(format!(
                "Stripe refused to {operation} (HTTP {status}, {what})"
            ))
        }
        e @ (StripeError::ClientError(_) | StripeError::Timeout) => {
            // The texts are hyper's (connect, TLS, timeout): no header, so no key.
            tracing::warn!(
                target: "bakery::payments",
                provider = "stripe",
                operation,
                error = %e,
                "Stripe could not be reached"
            );
            Error::PaymentUnavailable
        }
        StripeError::JSONDeserialize(message) if message == UNREADABLE_ERROR_BODY => {
            tracing::warn!(
                target: "bakery::payments",
                provider = "stripe",
                operation,
                "Stripe (or a proxy in front of it) failed with a body that is not a Stripe error"
            );
            Error::PaymentUnavailable
        }
        StripeError::JSONDeserialize(message) => {
            tracing::error!(
                target: "bakery::payments",
                provider = "stripe",
                operation,
                error = %message,
                "Stripe's answer does not have the shape async-stripe expects"
            );
            Error::internal(format!(
                "Stripe's answer to {operation} could not be read: {message}"
            ))
        }
        StripeError::ConfigError(message) => Error::internal(format!(
            "Stripe request to {operation} is invalid: {message}"
        )),
    }
}

/// Every change is sent under a key derived from what it is about (see the module doc).
fn idempotent(key: &str) -> Result<RequestStrategy, Error> {
    IdempotencyKey::new(key)
        .map(RequestStrategy::Idempotent)
        .map_err(|e| Error::internal(format!("idempotency key {key:?}: {e}")))
}

fn is_transient_status(status: u16) -> bool {
    matches!(status, 409 | 429 | 500..=599)
}

/// Intent ids go into URL paths and idempotency keys: only Stripe's shape (`pi_…`) passes.
fn checked_intent_id(intent_id: &str) -> Result<&str, Error> {
    if intent_id.starts_with("pi_")
        && intent_id.len() <= 255
        && intent_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        Ok(intent_id)
    } else {
        Err(Error::validation(
            "intentId",
            "must be a Stripe PaymentIntent id (pi_…)",
        ))
    }
}

fn intent_state(status: &PaymentIntentStatus) -> IntentState {
    match status {
        PaymentIntentStatus::Succeeded => IntentState::Succeeded,
        PaymentIntentStatus::Canceled => IntentState::Canceled,
        _ => IntentState::Open,
    }
}

fn refund_outcome(refund: &Refund) -> RefundOutcome {
    match refund.status.as_deref() {
        Some("failed") | Some("canceled") => RefundOutcome::Refused {
            reason: format!(
                "Stripe refund {} {}: {}",
                refund.id,
                refund.status.as_deref().unwrap_or_default(),
                refund
                    .failure_reason
                    .as_deref()
                    .unwrap_or("no reason given")
            ),
        },
        // succeeded, pending, requires_action: Stripe has taken it on.
        _ => RefundOutcome::Refunded {
            refund_id: refund.id.to_string(),
        },
    }
}

#[async_trait]
impl PaymentProvider for StripePayments {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn enabled(&self) -> bool {
        true
    }

    fn publishable_key(&self) -> Option<String> {
        Some(self.config.publishable_key.clone())
    }

    async fn create_intent(&self, order: &Order) -> Result<PaymentIntent, Error> {
        let Ok(currency) = stripe_types::Currency::from_str(order.currency.as_str());
        let metadata = [
            ("order_id".to_owned(), order.id.to_string()),
            ("user_id".to_owned(), order.user_id.to_string()),
        ];
        let request = CreatePaymentIntent::new(order.total.minor(), currency)
            .metadata(std::collections::HashMap::from(metadata))
            .automatic_payment_methods(CreatePaymentIntentAutomaticPaymentMethods::new(true));
        let strategy = idempotent(&format!("bakery-order-{}-intent", order.id))?;
        let intent = self
            .retrying(|| {
                request
                    .customize()
                    .request_strategy(strategy.clone())
                    .send(&self.client)
            })
            .await
            .map_err(|e| to_error(e, "create a payment intent"))?;
        let client_secret = intent.client_secret.ok_or_else(|| {
            Error::internal(format!(
                "Stripe created payment intent {} without a client secret",
                intent.id
            ))
        })?;
        let currency = Currency::parse(&intent.currency.to_string()).map_err(|_| {
            Error::internal(format!(
                "Stripe answered payment intent {} in currency {:?}",
                intent.id,
                intent.currency.to_string()
            ))
        })?;
        tracing::info!(
            target: "bakery::payments",
            provider = "stripe",
            order = %order.id,
            intent = %intent.id,
            "payment intent ready"
        );
        Ok(PaymentIntent {
            id: intent.id.to_string(),
            client_secret,
            amount: Money::from_minor(intent.amount),
            currency,
        })
    }

    async fn intent_state(&self, intent_id: &str) -> Result<IntentState, Error> {
        let intent_id = checked_intent_id(intent_id)?;
        let intent = self
            .retrieve(intent_id)
            .await
            .map_err(|e| to_error(e, "retrieve a payment intent"))?;
        Ok(intent_state(&intent.status))
    }

    async fn cancel_intent(&self, intent_id: &str) -> Result<(), Error> {
        let intent_id = checked_intent_id(intent_id)?;
        let strategy = idempotent(&format!("bakery-intent-{intent_id}-cancel"))?;
        let cancel = CancelPaymentIntent::new(intent_id);
        let canceled = self
            .retrying(|| {
                cancel
                    .customize()
                    .request_strategy(strategy.clone())
                    .send(&self.client)
            })
            .await;
        let status = match canceled {
            Ok(_) => return Ok(()),
            // Stripe refuses to cancel an intent that is past it, and says where it stands.
            Err(StripeError::Stripe(api, 400))
                if api.code == Some(ApiErrorsCode::PaymentIntentUnexpectedState) =>
            {
                match api.payment_intent {
                    Some(intent) => intent.status,
                    None => {
                        self.retrieve(intent_id)
                            .await
                            .map_err(|e| to_error(e, "retrieve a payment intent"))?
                            .status
                    }
                }
            }
            Err(e) => return Err(to_error(e, "cancel a payment intent")),
        };
        match status {
            PaymentIntentStatus::Canceled => Ok(()),
            PaymentIntentStatus::Succeeded => Err(Error::conflict(
                ConflictCode::IllegalStatusChange,
                "the card payment went through before it could be canceled; it will be refunded",
            )),
            other => Err(Error::conflict(
                ConflictCode::IllegalStatusChange,
                format!(
                    "the card payment is {} and cannot be canceled now",
                    other.as_str()
                ),
            )),
        }
    }

    async fn refund(&self, request: &RefundRequest) -> Result<RefundOutcome, Error> {
        let intent_id = checked_intent_id(&request.intent_id)?;
        let create = CreateRefund::new()
            .payment_intent(intent_id)
            .amount(request.amount.minor())
            .metadata(std::collections::HashMap::from([(
                "order_id".to_owned(),
                request.order_id.to_string(),
            )]));
        let strategy = idempotent(&format!("bakery-order-{}-refund", request.order_id))?;
        let created = self
            .retrying(|| {
                create
                    .customize()
                    .request_strategy(strategy.clone())
                    .send(&self.client)
            })
            .await;
        match created {
            Ok(refund) => {
                let outcome = refund_outcome(&refund);
                tracing::info!(
                    target: "bakery::payments",
                    provider = "stripe",
                    order = %request.order_id,
                    refund = %refund.id,
                    status = refund.status.as_deref().unwrap_or_default(),
                    "refund asked of Stripe"
                );
                Ok(outcome)
            }
            // Refunded before (by staff in the dashboard, or by an earlier key that expired):
            // done. Naming that refund is best effort.
            Err(StripeError::Stripe(api, 400))
                if api.code == Some(ApiErrorsCode::ChargeAlreadyRefunded) =>
            {
                let refund_id = self
                    .existing_refund(intent_id)
                    .await
                    .unwrap_or_else(|| ALREADY_REFUNDED.to_owned());
                tracing::info!(
                    target: "bakery::payments",
                    provider = "stripe",
                    order = %request.order_id,
                    refund = %refund_id,
                    "the charge was refunded already"
                );
                Ok(RefundOutcome::Refunded { refund_id })
            }
            Err(e) => Err(to_error(e, "refund a payment")),
        }
    }

    fn verify_event(&self, payload: &[u8], signature: &str) -> Result<Option<PaymentEvent>, Error> {
        webhook::verify(payload, signature, &self.config.webhook_secret)
    }
}

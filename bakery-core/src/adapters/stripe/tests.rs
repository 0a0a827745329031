//! The adapter against a local fake of Stripe's API that answers as Stripe does (whole
//! PaymentIntent, Refund and list objects; Stripe's error bodies and status codes) and checks
//! what we send: method and path, the bearer key, the `Idempotency-Key`, the form. Webhooks
//! are signed with async-stripe-webhook's signer, the reference our verification must agree
//! with.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use serde_json::{json, Value};
use stripe_webhook::Webhook;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::webhook::verify_at;
use super::*;
use crate::domain::{
    DeliveryAddress, Fulfilment, Id, OrderItem, OrderStatus, PaymentDetails, PaymentMethod, Role,
    StatusChange,
};
use crate::ports::PaymentEventKind;

const SECRET_KEY: &str = "sk_test_51Nbakery0000000000000000000000000000000000000000000000000000";
const PUBLISHABLE_KEY: &str =
    "pk_test_51Nbakery0000000000000000000000000000000000000000000000000000";
const WEBHOOK_SECRET: &str = "whsec_0123456789abcdef0123456789abcdef";
const ORDER_ID: &str = "65f0c0ffee0000000000a001";
const USER_ID: &str = "65f0c0ffee0000000000b002";
const INTENT_ID: &str = "pi_3PbakeryIntent0001";
const NOW: i64 = 1_718_000_000;

fn config(server: &MockServer) -> StripeConfig {
    StripeConfig {
        api_base: server.uri(),
        ..StripeConfig::new(SECRET_KEY, WEBHOOK_SECRET, PUBLISHABLE_KEY)
    }
}

fn stripe(server: &MockServer) -> StripePayments {
    StripePayments::new(config(server)).unwrap()
}

fn order() -> Order {
    let at = Utc.timestamp_opt(NOW, 0).unwrap();
    let user_id = Id::parse("userId", USER_ID).unwrap();
    let total = Money::from_minor(1350);
    Order {
        id: Id::parse("orderId", ORDER_ID).unwrap(),
        user_id: user_id.clone(),
        items: vec![OrderItem {
            product_id: Id::parse("productId", "65f0c0ffee0000000000c003").unwrap(),
            name: "Croissant".into(),
            quantity: 3,
            price: Money::from_minor(450),
            options: Vec::new(),
            bake_day: None,
        }],
        fulfilment: Fulfilment::Delivery,
        delivery_address: Some(
            DeliveryAddress::parse("1 Baker St", None, "London", "London", "NW1").unwrap(),
        ),
        delivery_zone: None,
        payment_details: PaymentDetails::new(PaymentMethod::Card),
        order_status: OrderStatus::Placed,
        status_history: vec![StatusChange {
            status: OrderStatus::Placed,
            at,
            actor_id: user_id,
            actor_role: Role::Customer,
        }],
        subtotal: total,
        delivery_fee: Money::ZERO,
        taxes: Money::ZERO,
        discount: Money::ZERO,
        total,
        currency: Currency::parse("eur").unwrap(),
        promotion_id: None,
        promotion_code: None,
        is_scheduled: false,
        scheduled_delivery_time: None,
        estimated_delivery_time: at,
        delivery_person: None,
        special_instructions: None,
        created_at: at,
        updated_at: at,
        revision: 1,
    }
}

fn refund_request() -> RefundRequest {
    RefundRequest {
        order_id: Id::parse("orderId", ORDER_ID).unwrap(),
        intent_id: INTENT_ID.into(),
        amount: Money::from_minor(1350),
        currency: Currency::parse("eur").unwrap(),
    }
}

// ---- Stripe's objects and errors, as its API returns them ----

/// A PaymentIntent as `POST/GET /v1/payment_intents` return it (API version 2025).
fn payment_intent(id: &str, status: &str, amount: i64, currency: &str) -> Value {
    let received = if status == "succeeded" { amount } else { 0 };
    json!({
        "id": id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": { "tip": {} },
        "amount_received": received,
        "application": null,
        "application_fee_amount": null,
        "automatic_payment_methods": { "allow_redirects": "always", "enabled": true },
        "canceled_at": if status == "canceled" { json!(NOW) } else { Value::Null },
        "cancellation_reason": null,
        "capture_method": "automatic_async",
        "client_secret": format!("{id}_secret_Bk3ryC1ientS3cret"),
        "confirmation_method": "automatic",
        "created": NOW,
        "currency": currency,
        "customer": null,
        "description": null,
        "last_payment_error": null,
        "latest_charge": if status == "succeeded" { json!("ch_3PbakeryCharge0001") } else { Value::Null },
        "livemode": false,
        "metadata": { "order_id": ORDER_ID, "user_id": USER_ID },
        "next_action": null,
        "on_behalf_of": null,
        "payment_method": null,
        "payment_method_configuration_details": { "id": "pmc_1PbakeryConfig", "parent": null },
        "payment_method_options": {
            "card": {
                "installments": null,
                "mandate_options": null,
                "network": null,
                "request_three_d_secure": "automatic"
            },
            "link": { "persistent_token": null }
        },
        "payment_method_types": ["card", "link"],
        "processing": null,
        "receipt_email": null,
        "review": null,
        "setup_future_usage": null,
        "shipping": null,
        "source": null,
        "statement_descriptor": null,
        "statement_descriptor_suffix": null,
        "status": status,
        "transfer_data": null,
        "transfer_group": null
    })
}

/// A Refund as `POST /v1/refunds` returns it.
fn refund_object(id: &str, status: &str) -> Value {
    json!({
        "id": id,
        "object": "refund",
        "amount": 1350,
        "balance_transaction": "txn_3PbakeryBalance0001",
        "charge": "ch_3PbakeryCharge0001",
        "created": NOW,
        "currency": "eur",
        "destination_details": {
            "card": {
                "reference_status": "pending",
                "reference_type": "acquirer_reference_number",
                "type": "refund"
            },
            "type": "card"
        },
        "failure_reason": if status == "failed" { json!("expired_or_canceled_card") } else { Value::Null },
        "metadata": { "order_id": ORDER_ID },
        "payment_intent": INTENT_ID,
        "reason": null,
        "receipt_number": null,
        "source_transfer_reversal": null,
        "status": status,
        "transfer_reversal": null
    })
}

/// Stripe's error body; `extra` adds fields such as the intent Stripe attaches.
fn stripe_error(
    status: u16,
    kind: &str,
    code: Option<&str>,
    message: &str,
    extra: Value,
) -> ResponseTemplate {
    let mut error = json!({ "type": kind, "message": message });
    if let Some(code) = code {
        error["code"] = json!(code);
        error["doc_url"] = json!(format!(
            "https://stripe.com/docs/error-codes/{}",
            code.replace('_', "-")
        ));
    }
    error["request_log_url"] = json!("https://dashboard.stripe.com/test/logs/req_bakery0001");
    if let Value::Object(extra) = extra {
        for (k, v) in extra {
            error[k] = v;
        }
    }
    ResponseTemplate::new(status).set_body_json(json!({ "error": error }))
}

fn invalid_api_key() -> ResponseTemplate {
    stripe_error(
        401,
        "invalid_request_error",
        None,
        "Invalid API Key provided: sk_test_****0000",
        json!({}),
    )
}

fn form_of(req: &Request) -> HashMap<String, String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(&req.body)
        .unwrap()
        .into_iter()
        .collect()
}

fn header_of<'r>(req: &'r Request, name: &str) -> Option<&'r str> {
    req.headers.get(name).map(|v| v.to_str().unwrap())
}

/// What every request to Stripe carries.
fn assert_stripe_headers(req: &Request) {
    assert_eq!(
        header_of(req, "authorization"),
        Some(format!("Bearer {SECRET_KEY}").as_str())
    );
    let version = header_of(req, "stripe-version").expect("Stripe-Version header");
    assert!(version.starts_with("20"), "{version}");
    let agent = header_of(req, "user-agent").unwrap_or_default();
    assert!(agent.contains("bakery"), "{agent}");
}

/// Stripe's memory of idempotent requests: key → (the parameters first sent, the answer).
type Replays = Arc<Mutex<HashMap<String, (BTreeMap<String, String>, Value)>>>;

/// Answers like `POST /v1/payment_intents`: checks the required parameters and, as Stripe
/// does, replays the first answer for a repeated `Idempotency-Key` (or refuses the key when
/// the parameters differ; like Stripe, it compares parameters, not their order in the body,
/// which async-stripe does not keep for metadata).
async fn fake_create_intents(server: &MockServer) {
    let seen: Replays = Arc::default();
    let created = AtomicUsize::new(0);
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .and(header("authorization", format!("Bearer {SECRET_KEY}").as_str()))
        .respond_with(move |req: &Request| {
            let form = form_of(req);
            for required in ["amount", "currency"] {
                if !form.contains_key(required) {
                    return stripe_error(
                        400,
                        "invalid_request_error",
                        Some("parameter_missing"),
                        &format!("Missing required param: {required}."),
                        json!({ "param": required }),
                    );
                }
            }
            let key = header_of(req, "idempotency-key").map(str::to_owned);
            let mut seen = seen.lock().unwrap();
            let params: BTreeMap<String, String> = form.clone().into_iter().collect();
            if let Some((first, answer)) = key.as_ref().and_then(|k| seen.get(k)) {
                if first != &params {
                    return stripe_error(
                        400,
                        "idempotency_error",
                        None,
                        "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                        json!({}),
                    );
                }
                return ResponseTemplate::new(200)
                    .insert_header("idempotent-replayed", "true")
                    .set_body_json(answer.clone());
            }
            let n = created.fetch_add(1, Ordering::SeqCst) + 1;
            let mut intent = payment_intent(
                &format!("pi_3PbakeryIntent{n:04}"),
                "requires_payment_method",
                form["amount"].parse().unwrap(),
                &form["currency"],
            );
            intent["metadata"] = json!({
                "order_id": form.get("metadata[order_id]"),
                "user_id": form.get("metadata[user_id]"),
            });
            if let Some(key) = key {
                seen.insert(key, (params, intent.clone()));
            }
            ResponseTemplate::new(200).set_body_json(intent)
        })
        .mount(server)
        .await;
    // A wrong key (or any path we do not fake) gets what Stripe tells a stranger.
    Mock::given(method("POST"))
        .respond_with(invalid_api_key())
        .with_priority(10)
        .mount(server)
        .await;
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap()
}

// ---- configuration ----

#[test]
fn stripe_debug_never_shows_the_secrets() {
    let config = StripeConfig::new(SECRET_KEY, WEBHOOK_SECRET, PUBLISHABLE_KEY);
    let shown = format!("{config:?}");
    assert!(!shown.contains(SECRET_KEY), "{shown}");
    assert!(!shown.contains(WEBHOOK_SECRET), "{shown}");
    assert!(shown.contains(PUBLISHABLE_KEY), "{shown}");
    let payments = StripePayments::new(config).unwrap();
    let shown = format!("{payments:?}");
    assert!(!shown.contains(SECRET_KEY), "{shown}");
    assert!(!shown.contains(WEBHOOK_SECRET), "{shown}");
}

#[test]
fn stripe_names_itself_and_publishes_only_the_publishable_key() {
    let payments = StripePayments::new(StripeConfig::new(
        SECRET_KEY,
        WEBHOOK_SECRET,
        PUBLISHABLE_KEY,
    ))
    .unwrap();
    assert_eq!(payments.name(), "stripe");
    assert!(payments.enabled());
    assert_eq!(payments.publishable_key().as_deref(), Some(PUBLISHABLE_KEY));
    assert_eq!(
        StripeConfig::new(SECRET_KEY, WEBHOOK_SECRET, PUBLISHABLE_KEY).api_base,
        "https://api.stripe.com/"
    );
}

#[test]
fn stripe_refuses_keys_in_the_wrong_places() {
    let field = |config: StripeConfig| match StripePayments::new(config) {
        Err(Error::Validation { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    // The secret key pasted as the publishable one would be shown to every app user.
    assert_eq!(
        field(StripeConfig::new(SECRET_KEY, WEBHOOK_SECRET, SECRET_KEY)),
        "stripePublishableKey"
    );
    assert_eq!(
        field(StripeConfig::new(
            PUBLISHABLE_KEY,
            WEBHOOK_SECRET,
            PUBLISHABLE_KEY
        )),
        "stripeSecretKey"
    );
    assert_eq!(
        field(StripeConfig::new("", WEBHOOK_SECRET, PUBLISHABLE_KEY)),
        "stripeSecretKey"
    );
    assert_eq!(
        field(StripeConfig::new(SECRET_KEY, "", PUBLISHABLE_KEY)),
        "stripeWebhookSecret"
    );
    assert_eq!(
        field(StripeConfig::new(
            SECRET_KEY,
            WEBHOOK_SECRET,
            "pk_live_51Nbakery"
        )),
        "stripePublishableKey"
    );
    let bad_base = StripeConfig {
        api_base: "not a url".into(),
        ..StripeConfig::new(SECRET_KEY, WEBHOOK_SECRET, PUBLISHABLE_KEY)
    };
    assert_eq!(field(bad_base), "stripeApiBase");
}

// ---- create_intent ----

#[tokio::test]
async fn stripe_create_intent_sends_the_order_with_its_idempotency_key() {
    let server = MockServer::start().await;
    fake_create_intents(&server).await;
    let intent = stripe(&server).create_intent(&order()).await.unwrap();

    assert_eq!(
        intent,
        PaymentIntent {
            id: "pi_3PbakeryIntent0001".into(),
            client_secret: "pi_3PbakeryIntent0001_secret_Bk3ryC1ientS3cret".into(),
            amount: Money::from_minor(1350),
            currency: Currency::parse("eur").unwrap(),
        }
    );
    let requests = requests(&server).await;
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert_eq!(req.method.as_str(), "POST");
    assert_eq!(req.url.path(), "/v1/payment_intents");
    assert_stripe_headers(req);
    assert_eq!(
        header_of(req, "idempotency-key"),
        Some(format!("bakery-order-{ORDER_ID}-intent").as_str())
    );
    assert_eq!(
        header_of(req, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form = form_of(req);
    assert_eq!(form["amount"], "1350");
    assert_eq!(form["currency"], "eur");
    assert_eq!(form["metadata[order_id]"], ORDER_ID);
    assert_eq!(form["metadata[user_id]"], USER_ID);
    assert_eq!(form["automatic_payment_methods[enabled]"], "true");
}

#[tokio::test]
async fn stripe_create_intent_twice_for_an_order_returns_the_same_intent() {
    let server = MockServer::start().await;
    fake_create_intents(&server).await;
    let payments = stripe(&server);
    let first = payments.create_intent(&order()).await.unwrap();
    let second = payments.create_intent(&order()).await.unwrap();
    assert_eq!(first, second);

    let keys: Vec<_> = requests(&server)
        .await
        .iter()
        .map(|r| header_of(r, "idempotency-key").unwrap().to_owned())
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1]);

    // The same order with another total is a bug upstream: Stripe refuses the key.
    let mut changed = order();
    changed.total = Money::from_minor(999);
    let err = payments.create_intent(&changed).await.unwrap_err();
    assert!(
        matches!(&err, Error::Internal(cause) if cause.to_string().contains("idempotency_error")),
        "{err:?}"
    );

    // Another order is another intent.
    let mut other = order();
    other.id = Id::parse("orderId", "65f0c0ffee0000000000a0ff").unwrap();
    let third = payments.create_intent(&other).await.unwrap();
    assert_ne!(third.id, first.id);
}

#[tokio::test]
async fn stripe_wrong_secret_key_is_payment_unavailable() {
    let server = MockServer::start().await;
    fake_create_intents(&server).await;
    let wrong = StripeConfig {
        secret_key: "sk_test_wrong".into(),
        ..config(&server)
    };
    let err = StripePayments::new(wrong)
        .unwrap()
        .create_intent(&order())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PaymentUnavailable), "{err:?}");
    assert_eq!(requests(&server).await.len(), 1, "a 401 is not retried");
}

// ---- intent_state ----

#[tokio::test]
async fn stripe_intent_state_reduces_stripe_statuses() {
    for (status, expected) in [
        ("succeeded", IntentState::Succeeded),
        ("canceled", IntentState::Canceled),
        // After a decline the customer may try another card on the same intent.
        ("requires_payment_method", IntentState::Open),
        ("requires_confirmation", IntentState::Open),
        ("requires_action", IntentState::Open),
        ("processing", IntentState::Open),
        ("requires_capture", IntentState::Open),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(format!("/v1/payment_intents/{INTENT_ID}")))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(payment_intent(INTENT_ID, status, 1350, "eur")),
            )
            .expect(1)
            .mount(&server)
            .await;
        let state = stripe(&server).intent_state(INTENT_ID).await.unwrap();
        assert_eq!(state, expected, "{status}");
        let requests = requests(&server).await;
        assert_stripe_headers(&requests[0]);
        assert!(requests[0].body.is_empty());
        assert_eq!(header_of(&requests[0], "idempotency-key"), None);
    }
}

#[tokio::test]
async fn stripe_intent_ids_must_look_like_stripe_ids() {
    let server = MockServer::start().await;
    let payments = stripe(&server);
    for bad in ["", "pi_../../v1/refunds", "ch_123", "pi_1?expand=x"] {
        let err = payments.intent_state(bad).await.unwrap_err();
        assert!(matches!(err, Error::Validation { .. }), "{bad}: {err:?}");
    }
    assert!(requests(&server).await.is_empty());
}

// ---- cancel_intent ----

fn cancel_path() -> String {
    format!("/v1/payment_intents/{INTENT_ID}/cancel")
}

fn unexpected_state(status: &str) -> ResponseTemplate {
    stripe_error(
        400,
        "invalid_request_error",
        Some("payment_intent_unexpected_state"),
        &format!(
            "You cannot cancel this PaymentIntent because it has a status of {status}. Only a \
             PaymentIntent with one of the following statuses may be canceled: \
             requires_payment_method, requires_capture, requires_confirmation, requires_action, \
             processing."
        ),
        json!({ "payment_intent": payment_intent(INTENT_ID, status, 1350, "eur") }),
    )
}

#[tokio::test]
async fn stripe_cancel_intent_posts_the_cancel_with_its_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(cancel_path()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(payment_intent(INTENT_ID, "canceled", 1350, "eur")),
        )
        .expect(1)
        .mount(&server)
        .await;
    stripe(&server).cancel_intent(INTENT_ID).await.unwrap();
    let req = &requests(&server).await[0];
    assert_stripe_headers(req);
    assert_eq!(
        header_of(req, "idempotency-key"),
        Some(format!("bakery-intent-{INTENT_ID}-cancel").as_str())
    );
}

#[tokio::test]
async fn stripe_cancel_of_a_canceled_intent_is_done() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(cancel_path()))
        .respond_with(unexpected_state("canceled"))
        .expect(1)
        .mount(&server)
        .await;
    stripe(&server).cancel_intent(INTENT_ID).await.unwrap();
}

#[tokio::test]
async fn stripe_cancel_of_a_paid_intent_fails() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(cancel_path()))
        .respond_with(unexpected_state("succeeded"))
        .expect(1)
        .mount(&server)
        .await;
    let err = stripe(&server).cancel_intent(INTENT_ID).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Conflict {
                code: ConflictCode::IllegalStatusChange,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn stripe_cancel_asks_where_the_intent_stands_when_the_error_does_not_say() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(cancel_path()))
        .respond_with(stripe_error(
            400,
            "invalid_request_error",
            Some("payment_intent_unexpected_state"),
            "You cannot cancel this PaymentIntent because it has a status of canceled.",
            json!({}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/payment_intents/{INTENT_ID}")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(payment_intent(INTENT_ID, "canceled", 1350, "eur")),
        )
        .expect(1)
        .mount(&server)
        .await;
    stripe(&server).cancel_intent(INTENT_ID).await.unwrap();
}

// ---- refund ----

#[tokio::test]
async fn stripe_refund_posts_the_intent_amount_and_order_with_its_key() {
    for (status, expected) in [
        (
            "succeeded",
            RefundOutcome::Refunded {
                refund_id: "re_3PbakeryRefund0001".into(),
            },
        ),
        (
            "pending",
            RefundOutcome::Refunded {
                refund_id: "re_3PbakeryRefund0001".into(),
            },
        ),
        (
            "requires_action",
            RefundOutcome::Refunded {
                refund_id: "re_3PbakeryRefund0001".into(),
            },
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/refunds"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(refund_object("re_3PbakeryRefund0001", status)),
            )
            .expect(1)
            .mount(&server)
            .await;
        let outcome = stripe(&server).refund(&refund_request()).await.unwrap();
        assert_eq!(outcome, expected, "{status}");

        let req = &requests(&server).await[0];
        assert_stripe_headers(req);
        assert_eq!(
            header_of(req, "idempotency-key"),
            Some(format!("bakery-order-{ORDER_ID}-refund").as_str())
        );
        let form = form_of(req);
        assert_eq!(form["payment_intent"], INTENT_ID);
        assert_eq!(form["amount"], "1350");
        assert_eq!(form["metadata[order_id]"], ORDER_ID);
    }
}

#[tokio::test]
async fn stripe_refund_that_failed_is_refused() {
    for status in ["failed", "canceled"] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/refunds"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(refund_object("re_3PbakeryRefund0001", status)),
            )
            .mount(&server)
            .await;
        match stripe(&server).refund(&refund_request()).await.unwrap() {
            RefundOutcome::Refused { reason } => {
                assert!(reason.contains("re_3PbakeryRefund0001"), "{reason}");
                assert!(reason.contains(status), "{reason}");
            }
            other => panic!("{status}: {other:?}"),
        }
    }
}

fn already_refunded() -> ResponseTemplate {
    stripe_error(
        400,
        "invalid_request_error",
        Some("charge_already_refunded"),
        "Charge ch_3PbakeryCharge0001 has already been refunded.",
        json!({ "charge": "ch_3PbakeryCharge0001" }),
    )
}

#[tokio::test]
async fn stripe_refund_of_a_refunded_charge_names_the_earlier_refund() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/refunds"))
        .respond_with(already_refunded())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/refunds"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "object": "list",
            "data": [refund_object("re_3PbakeryEarlier0001", "succeeded")],
            "has_more": false,
            "url": "/v1/refunds"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let outcome = stripe(&server).refund(&refund_request()).await.unwrap();
    assert_eq!(
        outcome,
        RefundOutcome::Refunded {
            refund_id: "re_3PbakeryEarlier0001".into()
        }
    );
    let list = &requests(&server).await[1];
    assert_stripe_headers(list);
    let query: HashMap<_, _> = list.url.query_pairs().into_owned().collect();
    assert_eq!(
        query.get("payment_intent").map(String::as_str),
        Some(INTENT_ID)
    );
}

#[tokio::test]
async fn stripe_refund_of_a_refunded_charge_is_done_even_unnamed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/refunds"))
        .respond_with(already_refunded())
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/refunds"))
        .respond_with(stripe_error(
            500,
            "api_error",
            None,
            "An unknown error occurred",
            json!({}),
        ))
        .mount(&server)
        .await;
    let outcome = stripe(&server).refund(&refund_request()).await.unwrap();
    assert_eq!(
        outcome,
        RefundOutcome::Refunded {
            refund_id: ALREADY_REFUNDED.into()
        }
    );
}

// ---- failures ----

#[tokio::test]
async fn stripe_server_errors_are_retried_once_with_the_same_key_then_unavailable() {
    for failure in [
        stripe_error(
            500,
            "api_error",
            None,
            "An unknown error occurred",
            json!({}),
        ),
        stripe_error(
            429,
            "invalid_request_error",
            Some("rate_limit"),
            "Too many requests hit the API too quickly.",
            json!({}),
        ),
        stripe_error(
            409,
            "idempotency_error",
            None,
            "There is currently another in-progress request using this Idempotent Key.",
            json!({}),
        ),
        // A load balancer's page, not a Stripe error.
        ResponseTemplate::new(502).set_body_string("<html><body>502 Bad Gateway</body></html>"),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(failure)
            .expect(2)
            .mount(&server)
            .await;
        let err = stripe(&server).refund(&refund_request()).await.unwrap_err();
        assert!(matches!(err, Error::PaymentUnavailable), "{err:?}");
        assert_eq!(err.code(), "PAYMENT_UNAVAILABLE");
        let keys: Vec<_> = requests(&server)
            .await
            .iter()
            .map(|r| header_of(r, "idempotency-key").unwrap().to_owned())
            .collect();
        assert_eq!(keys, vec![format!("bakery-order-{ORDER_ID}-refund"); 2]);
    }
}

#[tokio::test]
async fn stripe_transient_failure_then_success_is_success() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .respond_with(stripe_error(
            503,
            "api_error",
            None,
            "Service unavailable",
            json!({}),
        ))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    fake_create_intents(&server).await;
    let intent = stripe(&server).create_intent(&order()).await.unwrap();
    assert_eq!(intent.amount, Money::from_minor(1350));
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn stripe_refusals_are_internal_with_stripes_reason() {
    for (failure, expected) in [
        (
            stripe_error(
                402,
                "card_error",
                Some("card_declined"),
                "Your card was declined.",
                json!({ "decline_code": "generic_decline" }),
            ),
            "card_error/card_declined: Your card was declined.",
        ),
        (
            stripe_error(
                400,
                "invalid_request_error",
                Some("amount_too_small"),
                "Amount must be at least €0.50 eur",
                json!({ "param": "amount" }),
            ),
            "invalid_request_error/amount_too_small",
        ),
        (
            stripe_error(
                404,
                "invalid_request_error",
                Some("resource_missing"),
                "No such payment_intent: 'pi_3PbakeryIntent0001'",
                json!({ "param": "intent" }),
            ),
            "resource_missing",
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(failure)
            .expect(1)
            .mount(&server)
            .await;
        let err = stripe(&server).create_intent(&order()).await.unwrap_err();
        match &err {
            Error::Internal(cause) => {
                let cause = cause.to_string();
                assert!(cause.contains(expected), "{cause}");
                assert!(!cause.contains(SECRET_KEY), "{cause}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn stripe_slow_or_absent_is_payment_unavailable() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(payment_intent(INTENT_ID, "succeeded", 1350, "eur"))
                .set_delay(std::time::Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let slow = StripeConfig {
        timeout: std::time::Duration::from_millis(200),
        ..config(&server)
    };
    let err = StripePayments::new(slow)
        .unwrap()
        .intent_state(INTENT_ID)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PaymentUnavailable), "{err:?}");

    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let absent = StripeConfig {
        api_base: format!("http://{closed}"),
        ..config(&server)
    };
    let err = StripePayments::new(absent)
        .unwrap()
        .intent_state(INTENT_ID)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PaymentUnavailable), "{err:?}");
}

// ---- webhooks ----

fn event(kind: &str, object: Value) -> String {
    json!({
        "id": "evt_3PbakeryEvent0001",
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": NOW,
        "data": { "object": object },
        "livemode": false,
        "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": format!("bakery-order-{ORDER_ID}-intent") },
        "type": kind
    })
    .to_string()
}

fn refunded_charge(payment_intent: Value) -> Value {
    json!({
        "id": "ch_3PbakeryCharge0001",
        "object": "charge",
        "amount": 1350,
        "amount_captured": 1350,
        "amount_refunded": 1350,
        "captured": true,
        "currency": "eur",
        "metadata": {},
        "paid": true,
        "payment_intent": payment_intent,
        "refunded": true,
        "refunds": {
            "object": "list",
            "data": [refund_object("re_3PbakeryRefund0001", "succeeded")],
            "has_more": false,
            "total_count": 1,
            "url": "/v1/charges/ch_3PbakeryCharge0001/refunds"
        },
        "status": "succeeded"
    })
}

fn signed(payload: &str, at: i64) -> String {
    Webhook::generate_test_header(payload, WEBHOOK_SECRET, Some(at))
}

fn check(payload: &str, signature: &str, now: i64) -> Result<Option<PaymentEvent>, Error> {
    verify_at(payload.as_bytes(), signature, WEBHOOK_SECRET, now)
}

fn order_id() -> Option<Id> {
    Some(Id::parse("orderId", ORDER_ID).unwrap())
}

#[test]
fn stripe_webhook_reads_the_four_event_types() {
    for (kind, status, expected) in [
        (
            "payment_intent.succeeded",
            "succeeded",
            PaymentEventKind::Succeeded,
        ),
        (
            "payment_intent.payment_failed",
            "requires_payment_method",
            PaymentEventKind::PaymentFailed,
        ),
        (
            "payment_intent.canceled",
            "canceled",
            PaymentEventKind::Canceled,
        ),
    ] {
        let payload = event(kind, payment_intent(INTENT_ID, status, 1350, "eur"));
        let got = check(&payload, &signed(&payload, NOW), NOW).unwrap();
        assert_eq!(
            got,
            Some(PaymentEvent {
                id: "evt_3PbakeryEvent0001".into(),
                intent_id: INTENT_ID.into(),
                order_id: order_id(),
                kind: expected,
            }),
            "{kind}"
        );
    }

    let payload = event("charge.refunded", refunded_charge(json!(INTENT_ID)));
    let got = check(&payload, &signed(&payload, NOW), NOW).unwrap();
    assert_eq!(
        got,
        Some(PaymentEvent {
            id: "evt_3PbakeryEvent0001".into(),
            intent_id: INTENT_ID.into(),
            order_id: None,
            kind: PaymentEventKind::Refunded {
                refund_id: Some("re_3PbakeryRefund0001".into()),
                amount_refunded: 1350,
            },
        })
    );
}

#[test]
fn stripe_webhook_event_details_that_may_be_missing() {
    // Newer API versions leave the charge's refunds out.
    let mut charge = refunded_charge(json!(INTENT_ID));
    charge.as_object_mut().unwrap().remove("refunds");
    let payload = event("charge.refunded", charge);
    let got = check(&payload, &signed(&payload, NOW), NOW)
        .unwrap()
        .unwrap();
    assert_eq!(
        got.kind,
        PaymentEventKind::Refunded {
            refund_id: None,
            amount_refunded: 1350
        }
    );
    // A charge made without an intent is none of the shop's.
    let payload = event("charge.refunded", refunded_charge(Value::Null));
    assert_eq!(check(&payload, &signed(&payload, NOW), NOW).unwrap(), None);
    // An intent made in the dashboard has no order id; a mangled one is ignored.
    for metadata in [json!({}), json!({ "order_id": "not-an-id" })] {
        let mut intent = payment_intent(INTENT_ID, "succeeded", 1350, "eur");
        intent["metadata"] = metadata;
        let payload = event("payment_intent.succeeded", intent);
        let got = check(&payload, &signed(&payload, NOW), NOW)
            .unwrap()
            .unwrap();
        assert_eq!(got.order_id, None);
        assert_eq!(got.intent_id, INTENT_ID);
    }
}

#[test]
fn stripe_webhook_ignores_other_event_types() {
    for kind in [
        "payment_intent.created",
        "charge.succeeded",
        "customer.created",
    ] {
        let payload = event(kind, payment_intent(INTENT_ID, "succeeded", 1350, "eur"));
        assert_eq!(
            check(&payload, &signed(&payload, NOW), NOW).unwrap(),
            None,
            "{kind}"
        );
    }
}

#[test]
fn stripe_webhook_refuses_altered_or_foreign_signatures() {
    let payload = event(
        "payment_intent.succeeded",
        payment_intent(INTENT_ID, "succeeded", 1350, "eur"),
    );
    let signature = signed(&payload, NOW);
    let tampered = payload.replace("1350", "1");
    assert!(matches!(
        check(&tampered, &signature, NOW),
        Err(Error::BadSignature)
    ));

    let foreign = Webhook::generate_test_header(&payload, "whsec_someone_else", Some(NOW));
    assert!(matches!(
        check(&payload, &foreign, NOW),
        Err(Error::BadSignature)
    ));

    // The same signature over another timestamp is not a signature of it.
    let v1 = signature.split_once(",v1=").unwrap().1;
    let moved = format!("t={},v1={v1}", NOW + 1);
    assert!(matches!(
        check(&payload, &moved, NOW),
        Err(Error::BadSignature)
    ));
}

#[test]
fn stripe_webhook_timestamp_tolerance_is_five_minutes_either_way() {
    let payload = event(
        "payment_intent.succeeded",
        payment_intent(INTENT_ID, "succeeded", 1350, "eur"),
    );
    for (age, ok) in [
        (299, true),
        (300, true),
        (301, false),
        (-299, true),
        (-301, false),
    ] {
        let signature = signed(&payload, NOW - age);
        let result = check(&payload, &signature, NOW);
        if ok {
            assert!(result.unwrap().is_some(), "{age}");
        } else {
            assert!(
                matches!(result, Err(Error::BadSignature)),
                "{age}: {result:?}"
            );
        }
    }
}

#[test]
fn stripe_webhook_accepts_any_matching_v1() {
    let payload = event(
        "payment_intent.succeeded",
        payment_intent(INTENT_ID, "succeeded", 1350, "eur"),
    );
    let good = signed(&payload, NOW);
    let old_secret = Webhook::generate_test_header(&payload, "whsec_rolled_away", Some(NOW));
    let good_v1 = good.split_once(",v1=").unwrap().1;
    let old_v1 = old_secret.split_once(",v1=").unwrap().1;
    // As Stripe sends it while a secret is being rolled, with a legacy v0 too.
    let header = format!("t={NOW},v1={old_v1},v1={good_v1},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39");
    assert!(check(&payload, &header, NOW).unwrap().is_some());
    let header = format!("t={NOW},v1={old_v1}");
    assert!(matches!(
        check(&payload, &header, NOW),
        Err(Error::BadSignature)
    ));
}

#[test]
fn stripe_webhook_refuses_malformed_headers() {
    let payload = event(
        "payment_intent.succeeded",
        payment_intent(INTENT_ID, "succeeded", 1350, "eur"),
    );
    let good = signed(&payload, NOW);
    let v1 = good.split_once(",v1=").unwrap().1;
    for header in [
        String::new(),
        "garbage".into(),
        format!("v1={v1}"),
        format!("t={NOW}"),
        format!("t=yesterday,v1={v1}"),
        format!("t={NOW},v0={v1}"),
        format!("t={NOW},v1=not-hex"),
        format!("t={NOW},t={NOW},v1={v1}"),
    ] {
        assert!(
            matches!(check(&payload, &header, NOW), Err(Error::BadSignature)),
            "{header}"
        );
    }
    // Spaces after the commas are tolerated.
    let spaced = good.replace(',', ", ");
    assert!(check(&payload, &spaced, NOW).unwrap().is_some());
}

#[test]
fn stripe_webhook_verified_body_must_be_an_event() {
    for payload in [
        "not json".to_owned(),
        json!({ "type": "payment_intent.succeeded" }).to_string(),
        json!({ "id": "evt_1" }).to_string(),
        json!({ "id": "evt_1", "type": "payment_intent.succeeded", "data": { "object": {} } })
            .to_string(),
    ] {
        let result = check(&payload, &signed(&payload, NOW), NOW);
        match result {
            Err(Error::Validation { field, .. }) => assert_eq!(field, "body"),
            other => panic!("{payload}: {other:?}"),
        }
    }
}

#[test]
fn stripe_verify_event_uses_the_configured_secret_and_the_clock() {
    let payments = StripePayments::new(StripeConfig::new(
        SECRET_KEY,
        WEBHOOK_SECRET,
        PUBLISHABLE_KEY,
    ))
    .unwrap();
    let payload = event(
        "payment_intent.succeeded",
        payment_intent(INTENT_ID, "succeeded", 1350, "eur"),
    );
    let fresh = Webhook::generate_test_header(&payload, WEBHOOK_SECRET, None);
    let got = payments
        .verify_event(payload.as_bytes(), &fresh)
        .unwrap()
        .unwrap();
    assert_eq!(got.kind, PaymentEventKind::Succeeded);
    // NOW is long past.
    let stale = signed(&payload, NOW);
    assert!(matches!(
        payments.verify_event(payload.as_bytes(), &stale),
        Err(Error::BadSignature)
    ));
}

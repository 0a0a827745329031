//! A fake of the Stripe endpoints the server uses: PaymentIntents (create, retrieve, cancel)
//! and Refunds, with Stripe's idempotency (the same `Idempotency-Key` answers the first
//! result again) and webhook events signed as Stripe signs them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::form_of as form;

use stripe_webhook::Webhook;

pub const STRIPE_SECRET_KEY: &str = "sk_test_e2eBakerySecretKey0000000000";
pub const STRIPE_PUBLISHABLE_KEY: &str = "pk_test_e2eBakeryPublishableKey000000";
pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_e2eBakeryWebhookSecret000000000";

#[derive(Clone, Debug)]
struct Intent {
    id: String,
    amount: i64,
    currency: String,
    metadata: HashMap<String, String>,
    status: String,
}

#[derive(Default)]
struct State {
    intents: HashMap<String, Intent>,
    /// Idempotency key → the answer first given for it.
    answered: HashMap<String, (u16, Value)>,
    refunds: Vec<(String, i64)>,
    next: u32,
}

/// The fake, on its own port; see [`StripeFake::env`] for the settings that point a server
/// at it.
pub struct StripeFake {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

impl StripeFake {
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State::default()));
        let s = state.clone();
        Mock::given(method("POST"))
            .and(path("/v1/payment_intents"))
            .respond_with(move |req: &Request| idempotent(&s, req, create_intent))
            .mount(&server)
            .await;
        let s = state.clone();
        Mock::given(method("GET"))
            .and(path_regex(r"^/v1/payment_intents/[^/]+$"))
            .respond_with(move |req: &Request| {
                let id = req.url.path().rsplit('/').next().unwrap_or_default();
                let state = s.lock().unwrap();
                let (status, body) = match state.intents.get(id) {
                    Some(intent) => (200, intent_json(intent)),
                    None => not_found(id),
                };
                ResponseTemplate::new(status).set_body_json(body)
            })
            .mount(&server)
            .await;
        let s = state.clone();
        Mock::given(method("POST"))
            .and(path_regex(r"^/v1/payment_intents/[^/]+/cancel$"))
            .respond_with(move |req: &Request| idempotent(&s, req, cancel_intent))
            .mount(&server)
            .await;
        let s = state.clone();
        Mock::given(method("POST"))
            .and(path("/v1/refunds"))
            .respond_with(move |req: &Request| idempotent(&s, req, create_refund))
            .mount(&server)
            .await;
        Self { server, state }
    }

    /// The variables that make a server take cards through this fake.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("STRIPE_SECRET_KEY", STRIPE_SECRET_KEY.to_owned()),
            ("STRIPE_PUBLISHABLE_KEY", STRIPE_PUBLISHABLE_KEY.to_owned()),
            ("STRIPE_WEBHOOK_SECRET", STRIPE_WEBHOOK_SECRET.to_owned()),
            ("STRIPE_API_BASE", format!("{}/", self.server.uri())),
        ]
    }

    /// The device confirmed the payment and the bank said yes.
    pub fn succeed(&self, intent_id: &str) {
        let mut state = self.state.lock().unwrap();
        let intent = state.intents.get_mut(intent_id).expect("no such intent");
        intent.status = "succeeded".into();
    }

    /// How many intents were created (one per order, however often it was asked).
    pub fn intents_created(&self) -> usize {
        self.state.lock().unwrap().intents.len()
    }

    /// Refunds made: (payment intent, amount).
    pub fn refunds(&self) -> Vec<(String, i64)> {
        self.state.lock().unwrap().refunds.clone()
    }

    /// Every request the server sent, for checking headers and bodies.
    pub async fn requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }

    /// A `payment_intent.*` event about the intent as it stands, with its signature header.
    pub fn event(&self, event_id: &str, kind: &str, intent_id: &str) -> (String, String) {
        let state = self.state.lock().unwrap();
        let intent = state.intents.get(intent_id).expect("no such intent");
        let payload = json!({
            "id": event_id,
            "object": "event",
            "api_version": "2025-11-17.clover",
            "created": chrono::Utc::now().timestamp(),
            "data": { "object": intent_json(intent) },
            "livemode": false,
            "pending_webhooks": 1,
            "request": { "id": null, "idempotency_key": null },
            "type": kind,
        })
        .to_string();
        let signature = sign(&payload, chrono::Utc::now().timestamp());
        (payload, signature)
    }
}

/// `Stripe-Signature` for `payload` at `timestamp`, as Stripe computes it.
pub fn sign(payload: &str, timestamp: i64) -> String {
    Webhook::generate_test_header(payload, STRIPE_WEBHOOK_SECRET, Some(timestamp))
}

/// Answers a key already seen with the first answer, like Stripe; a write without a key is
/// refused here, since the server must always send one.
fn idempotent(
    state: &Mutex<State>,
    req: &Request,
    handle: fn(&mut State, &Request) -> (u16, Value),
) -> ResponseTemplate {
    let auth = req
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    if auth != Some(&format!("Bearer {STRIPE_SECRET_KEY}")) {
        return ResponseTemplate::new(401).set_body_json(json!({
            "error": { "type": "invalid_request_error", "message": "Invalid API Key provided" }
        }));
    }
    let Some(key) = req
        .headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return ResponseTemplate::new(400).set_body_json(json!({
            "error": { "type": "invalid_request_error", "message": "the e2e fake wants an Idempotency-Key on every write" }
        }));
    };
    let mut state = state.lock().unwrap();
    let (status, body) = match state.answered.get(&key) {
        Some(first) => first.clone(),
        None => {
            let answer = handle(&mut state, req);
            state.answered.insert(key, answer.clone());
            answer
        }
    };
    ResponseTemplate::new(status).set_body_json(body)
}

fn create_intent(state: &mut State, req: &Request) -> (u16, Value) {
    let fields = form(&req.body);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    state.next += 1;
    let metadata = fields
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("metadata[")
                .and_then(|k| k.strip_suffix(']'))
                .map(|k| (k.to_owned(), v.clone()))
        })
        .collect();
    let intent = Intent {
        id: format!("pi_e2e{:06}", state.next),
        amount: field("amount").and_then(|a| a.parse().ok()).unwrap_or(0),
        currency: field("currency").unwrap_or_default(),
        metadata,
        status: "requires_payment_method".into(),
    };
    state.intents.insert(intent.id.clone(), intent.clone());
    (200, intent_json(&intent))
}

fn cancel_intent(state: &mut State, req: &Request) -> (u16, Value) {
    let segments: Vec<&str> = req.url.path().split('/').collect();
    let id = segments.get(3).copied().unwrap_or_default();
    let Some(intent) = state.intents.get_mut(id) else {
        return not_found(id);
    };
    if intent.status == "succeeded" || intent.status == "canceled" {
        let status = intent.status.clone();
        return (
            400,
            json!({
                "error": {
                    "type": "invalid_request_error",
                    "code": "payment_intent_unexpected_state",
                    "message": format!("You cannot cancel this PaymentIntent because it has a status of {status}."),
                    "payment_intent": intent_json(intent),
                }
            }),
        );
    }
    intent.status = "canceled".into();
    (200, intent_json(intent))
}

fn create_refund(state: &mut State, req: &Request) -> (u16, Value) {
    let fields = form(&req.body);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let intent_id = field("payment_intent").unwrap_or_default();
    let Some(intent) = state.intents.get(&intent_id).cloned() else {
        return not_found(&intent_id);
    };
    if intent.status != "succeeded" {
        return (
            400,
            json!({
                "error": { "type": "invalid_request_error", "code": "charge_not_found", "message": "This PaymentIntent has no successful charge to refund." }
            }),
        );
    }
    let amount = field("amount")
        .and_then(|a| a.parse().ok())
        .unwrap_or(intent.amount);
    state.refunds.push((intent_id.clone(), amount));
    let id = format!("re_e2e{:06}", state.refunds.len());
    (
        200,
        json!({
            "id": id,
            "object": "refund",
            "amount": amount,
            "balance_transaction": "txn_e2e",
            "charge": "ch_e2e",
            "created": chrono::Utc::now().timestamp(),
            "currency": intent.currency,
            "metadata": {},
            "payment_intent": intent_id,
            "reason": null,
            "receipt_number": null,
            "source_transfer_reversal": null,
            "status": "succeeded",
            "transfer_reversal": null
        }),
    )
}

fn not_found(id: &str) -> (u16, Value) {
    (
        404,
        json!({
            "error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": format!("No such payment_intent: '{id}'"),
            }
        }),
    )
}

/// A PaymentIntent as Stripe returns it (the fields async-stripe requires, and the ones apps
/// read).
fn intent_json(intent: &Intent) -> Value {
    let succeeded = intent.status == "succeeded";
    json!({
        "id": intent.id,
        "object": "payment_intent",
        "amount": intent.amount,
        "amount_capturable": 0,
        "amount_received": if succeeded { intent.amount } else { 0 },
        "automatic_payment_methods": { "allow_redirects": "always", "enabled": true },
        "capture_method": "automatic_async",
        "client_secret": format!("{}_secret_e2e", intent.id),
        "confirmation_method": "automatic",
        "created": chrono::Utc::now().timestamp(),
        "currency": intent.currency,
        "latest_charge": if succeeded { json!("ch_e2e") } else { Value::Null },
        "livemode": false,
        "metadata": intent.metadata,
        "payment_method_configuration_details": null,
        "payment_method_types": ["card"],
        "status": intent.status,
    })
}

//! Stripe's webhook signatures, checked by hand, and the few fields of an event the shop acts
//! on.
//!
//! The `Stripe-Signature` header is `t=<unix seconds>,v1=<hex>[,v1=<hex>...][,v0=...]`; each
//! `v1` is HMAC-SHA256 with the endpoint's secret over `"{t}.{raw body}"` (more than one while
//! a secret is being rolled). Any matching `v1` is accepted, compared in constant time, and
//! only when `t` is within [`TOLERANCE_SECS`] of now, so a captured request cannot be
//! replayed later. async-stripe-webhook is not used here: its `construct_event` reads the
//! whole typed object and fails when Stripe's account API version differs from the one it
//! was generated for; the shop needs only `id`, `type` and three fields of `data.object`.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::domain::Id;
use crate::error::Error;
use crate::ports::{PaymentEvent, PaymentEventKind};

/// How far the signed timestamp may be from our clock, either way (Stripe's libraries' 300).
pub const TOLERANCE_SECS: i64 = 300;

/// Verifies `header` over `payload` against the clock and reads the event.
pub(super) fn verify(
    payload: &[u8],
    header: &str,
    secret: &str,
) -> Result<Option<PaymentEvent>, Error> {
    verify_at(payload, header, secret, chrono::Utc::now().timestamp())
}

/// [`verify`] with the current time given, so the tolerance can be tested.
pub(super) fn verify_at(
    payload: &[u8],
    header: &str,
    secret: &str,
    now: i64,
) -> Result<Option<PaymentEvent>, Error> {
    if let Err(reason) = check_signature(payload, header, secret, now) {
        tracing::warn!(
            target: "bakery::payments",
            provider = "stripe",
            reason,
            "webhook refused: bad Stripe-Signature (check STRIPE_WEBHOOK_SECRET)"
        );
        return Err(Error::BadSignature);
    }
    parse_event(payload)
}

/// `Err` names why, for the log.
fn check_signature(
    payload: &[u8],
    header: &str,
    secret: &str,
    now: i64,
) -> Result<(), &'static str> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let Some((name, value)) = part.trim().split_once('=') else {
            return Err("malformed header");
        };
        match name {
            "t" if timestamp.is_none() => timestamp = Some(value),
            "t" => return Err("more than one timestamp"),
            // An odd or non-hex value cannot match; the others may.
            "v1" => signatures.extend(hex::decode(value).ok()),
            // v0 (test mode's legacy scheme) and future schemes are not ours to check.
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or("no timestamp")?;
    let signed_at: i64 = timestamp.parse().map_err(|_| "timestamp is not a number")?;
    if signatures.is_empty() {
        return Err("no v1 signature");
    }
    if now.abs_diff(signed_at) > TOLERANCE_SECS.unsigned_abs() {
        return Err("timestamp outside the tolerance");
    }
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| "unusable secret")?;
    // The timestamp exactly as signed, not re-printed.
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(payload);
    if signatures
        .iter()
        .any(|signature| mac.clone().verify_slice(signature).is_ok())
    {
        Ok(())
    } else {
        Err("no signature matches")
    }
}

fn malformed(message: &str) -> Error {
    Error::validation("body", message)
}

/// Reads a verified event; `Ok(None)` for the types the shop does not act on.
fn parse_event(payload: &[u8]) -> Result<Option<PaymentEvent>, Error> {
    let event: Value =
        serde_json::from_slice(payload).map_err(|_| malformed("is not a JSON Stripe event"))?;
    let id = non_empty(&event["id"]).ok_or_else(|| malformed("the event has no id"))?;
    let kind = non_empty(&event["type"]).ok_or_else(|| malformed("the event has no type"))?;
    let object = &event["data"]["object"];
    let (intent_id, kind) = match kind {
        "payment_intent.succeeded"
        | "payment_intent.payment_failed"
        | "payment_intent.canceled" => {
            let intent_id = non_empty(&object["id"])
                .ok_or_else(|| malformed("the event's payment intent has no id"))?;
            let kind = match kind {
                "payment_intent.succeeded" => PaymentEventKind::Succeeded,
                "payment_intent.payment_failed" => PaymentEventKind::PaymentFailed,
                _ => PaymentEventKind::Canceled,
            };
            (intent_id, kind)
        }
        "charge.refunded" => {
            // A charge outside PaymentIntents (none of ours) has no intent.
            let intent = &object["payment_intent"];
            let Some(intent_id) = non_empty(intent).or_else(|| non_empty(&intent["id"])) else {
                return Ok(None);
            };
            let amount_refunded = object["amount_refunded"]
                .as_i64()
                .ok_or_else(|| malformed("the refunded charge has no amount_refunded"))?;
            // Listed only on API versions before 2022-11-15 (or when expanded).
            let refund_id = non_empty(&object["refunds"]["data"][0]["id"]).map(str::to_owned);
            (
                intent_id,
                PaymentEventKind::Refunded {
                    refund_id,
                    amount_refunded,
                },
            )
        }
        _ => return Ok(None),
    };
    // Set by `create_intent`; an intent made elsewhere (the dashboard) has none.
    let order_id = object["metadata"]["order_id"]
        .as_str()
        .and_then(|raw| Id::parse("orderId", raw).ok());
    Ok(Some(PaymentEvent {
        id: id.to_owned(),
        intent_id: intent_id.to_owned(),
        order_id,
        kind,
    }))
}

fn non_empty(value: &Value) -> Option<&str> {
    value.as_str().filter(|s| !s.is_empty())
}

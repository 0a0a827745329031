//! The one error body for every kind of refusal, from the validators to the HTTP layer.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{assert_error, spawn_app};

#[tokio::test]
async fn errors_share_one_body() {
    let app = spawn_app().await;
    // A validator failure names the field.
    let (status, body) = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"name": "x".repeat(101), "phone": "+447700900123"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "VALIDATION_FAILED");
    assert_eq!(body["details"]["field"], "name");
    // A domain rule names the field too.
    let (status, body) = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"name": "Ada", "phone": "+0441234567"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["details"]["field"], "phone", "{body}");
    // Query parameters too.
    let (status, body) = app.get("/api/v1/products?limit=1000", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["details"]["field"], "limit", "{body}");

    // Malformed JSON.
    let resp = app
        .http
        .post(app.url("/api/v1/auth/register"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.headers().contains_key("x-request-id"));
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    let body: Value = resp.json().await.unwrap();
    assert_error(&body, "MALFORMED_REQUEST");

    // Wrong content type.
    let resp = app
        .http
        .post(app.url("/api/v1/auth/register"))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = resp.json().await.unwrap();
    assert_error(&body, "UNSUPPORTED_MEDIA_TYPE");

    // Too large.
    let resp = app
        .http
        .post(app.url("/api/v1/auth/register"))
        .header("content-type", "application/json")
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = resp.json().await.unwrap();
    assert_error(&body, "PAYLOAD_TOO_LARGE");

    // Unknown route and wrong method.
    let (status, body) = app.get("/api/v1/nope", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "NOT_FOUND");
    let (status, body) = app
        .call(reqwest::Method::DELETE, "/api/v1/auth/register", None, None)
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error(&body, "METHOD_NOT_ALLOWED");

    // The request id is echoed.
    let resp = app
        .http
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["x-request-id"], "abc-123");
    let (status, _) = app.get("/readyz", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn card_payments_without_a_provider_find_no_card_order() {
    let app = spawn_app().await;
    let session = app.customer("Ada", "+447700900123").await;
    let token = session["accessToken"].as_str().unwrap();
    let order = json!({"orderId": "0123456789abcdef01234567"});
    for path in ["/api/v1/payments/create-intent", "/api/v1/payments/confirm"] {
        let (status, body) = app.post(path, Some(token), order.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_error(&body, "NOT_FOUND");
    }
    // Still a bearer route.
    let (status, body) = app
        .post("/api/v1/payments/create-intent", None, order.clone())
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "UNAUTHORIZED");
    let (status, body) = app
        .post(
            "/api/v1/payments/create-intent",
            Some(token),
            json!({"orderId": "nope"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["details"]["field"], "orderId", "{body}");

    // The webhook: no bearer, raw body as Stripe sends it (application/json).
    let resp = app
        .http
        .post(app.url("/api/v1/payments/webhook"))
        .header("content-type", "application/json; charset=utf-8")
        .header("stripe-signature", "t=1,v1=00")
        .body(r#"{"id":"evt_1","type":"payment_intent.succeeded"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = resp.json().await.unwrap();
    assert_error(&body, "BAD_SIGNATURE");
    let resp = app
        .http
        .post(app.url("/api/v1/payments/webhook"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["details"]["field"], "Stripe-Signature", "{body}");
}

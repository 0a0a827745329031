//! CORS and the HTTPS redirect.

use bakery_core::domain::Phone;
use bakery_e2e::{AppOptions, CorsOrigins, HttpPolicy};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{assert_error, spawn_app, spawn_app_with};

#[tokio::test]
async fn cors_allows_listed_origins_only() {
    let app = spawn_app_with(AppOptions {
        http: HttpPolicy {
            cors: CorsOrigins::List(vec!["https://shop.example".into()]),
            ..HttpPolicy::default()
        },
        ..AppOptions::default()
    })
    .await;
    let preflight = |origin: &'static str| {
        app.http
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/auth/login"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let resp = preflight("https://shop.example").await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    assert_eq!(resp.headers()["access-control-allow-credentials"], "true");
    assert!(resp.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));

    let resp = preflight("https://evil.example").await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(!resp.headers().contains_key("access-control-allow-origin"));
    let body: Value = resp.json().await.unwrap();
    assert_error(&body, "CORS_NOT_ALLOWED");

    // An actual cross-origin call from the listed origin carries the header.
    let resp = app
        .http
        .get(app.url("/api/v1/products"))
        .header("origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    // Same-origin requests (the /docs UI) are not cross-origin, whatever the list says.
    let host = app.base_url.trim_start_matches("http://").to_owned();
    let resp = app
        .http
        .post(app.url("/api/v1/auth/send-otp"))
        .header("origin", format!("http://{host}"))
        .json(&json!({"phone": "+447700900123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    // With no CORS_ORIGINS there are no CORS headers at all.
    let plain = spawn_app().await;
    let resp = plain
        .http
        .get(plain.url("/api/v1/products"))
        .header("origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(!resp.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn force_https_redirects_and_sets_hsts() {
    let app = spawn_app_with(AppOptions {
        http: HttpPolicy {
            force_https: true,
            trust_proxy: true,
            ..HttpPolicy::default()
        },
        ..AppOptions::default()
    })
    .await;
    let host = app.base_url.trim_start_matches("http://").to_owned();
    // Plain http (no X-Forwarded-Proto from the proxy): 308 to the same URL on https.
    let resp = app
        .http
        .post(app.url("/api/v1/auth/send-otp?x=1"))
        .json(&json!({"phone": "+447700900123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        resp.headers()["location"],
        format!("https://{host}/api/v1/auth/send-otp?x=1").as_str()
    );
    assert_eq!(
        resp.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    let body: Value = resp.json().await.unwrap();
    assert_error(&body, "HTTPS_REQUIRED");
    assert!(app
        .sms
        .last_code_for(&Phone::parse("+447700900123").unwrap())
        .is_none());

    // What the TLS-terminating proxy says counts when it is trusted.
    let resp = app
        .http
        .get(app.url("/api/v1/products"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    let resp = app
        .http
        .get(app.url("/api/v1/products"))
        .header("x-forwarded-proto", "http")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PERMANENT_REDIRECT);
    // Health probes come from the load balancer on the plain port.
    let (status, _) = app.get("/healthz", None).await;
    assert_eq!(status, StatusCode::OK);

    // Without TRUST_PROXY the header proves nothing: the connection is plain http.
    let untrusting = spawn_app_with(AppOptions {
        http: HttpPolicy {
            force_https: true,
            ..HttpPolicy::default()
        },
        ..AppOptions::default()
    })
    .await;
    let resp = untrusting
        .http
        .get(untrusting.url("/api/v1/products"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PERMANENT_REDIRECT);

    // Off by default: no redirect, no HSTS.
    let plain = spawn_app().await;
    let resp = plain
        .http
        .get(plain.url("/api/v1/products"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(!resp.headers().contains_key("strict-transport-security"));
}

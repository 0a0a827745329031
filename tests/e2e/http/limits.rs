//! Sign-in rate limits per client IP and per phone, and when `X-Forwarded-For` counts.

use bakery_core::ports::RateLimit;
use bakery_e2e::{AppOptions, HttpPolicy, RateLimits};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{assert_error, spawn_app_with};

fn tight_limits() -> AppOptions {
    let limit = RateLimit::parse("test", "2/1h").unwrap();
    AppOptions {
        rate_limits: Some(RateLimits {
            auth: limit,
            otp: limit,
        }),
        ..AppOptions::default()
    }
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_client_ip() {
    let app = spawn_app_with(AppOptions {
        http: HttpPolicy {
            trust_proxy: true,
            ..HttpPolicy::default()
        },
        ..tight_limits()
    })
    .await;
    let login = |ip: &'static str| {
        app.http
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", format!("{ip}, 10.0.0.1"))
            .json(&json!({"phone": "+447700900123", "password": "not-the-password"}))
            .send()
    };
    for _ in 0..2 {
        let resp = login("203.0.113.7").await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }
    let resp = login("203.0.113.7").await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((3590..=3600).contains(&retry_after), "{retry_after}");
    let body: Value = resp.json().await.unwrap();
    assert_error(&body, "RATE_LIMITED");
    // verify-otp draws on the same budget.
    let resp = app
        .http
        .post(app.url("/api/v1/auth/verify-otp"))
        .header("x-forwarded-for", "203.0.113.7")
        .json(&json!({"phone": "+447700900123", "otp": "123456"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another client is not affected.
    let resp = login("198.51.100.1").await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn forwarded_for_is_ignored_unless_the_proxy_is_trusted() {
    let app = spawn_app_with(tight_limits()).await;
    for (i, expected) in [
        StatusCode::UNAUTHORIZED,
        StatusCode::UNAUTHORIZED,
        StatusCode::TOO_MANY_REQUESTS,
    ]
    .into_iter()
    .enumerate()
    {
        // A client rotating X-Forwarded-For is still the same socket peer.
        let resp = app
            .http
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", format!("192.0.2.{i}"))
            .json(&json!({"phone": "+447700900123", "password": "not-the-password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), expected, "attempt {i}");
    }
}

#[tokio::test]
async fn codes_sent_are_limited_per_phone() {
    let app = spawn_app_with(tight_limits()).await;
    // register and send-otp share the phone's budget; spellings of one number are one phone.
    let (status, _) = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"name": "Ada", "phone": "+447700900123"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .post(
            "/api/v1/auth/send-otp",
            None,
            json!({"phone": "+44 7700 900123"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let resp = app
        .http
        .post(app.url("/api/v1/auth/send-otp"))
        .json(&json!({"phone": "0044 7700 900123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
    let body: Value = resp.json().await.unwrap();
    assert_error(&body, "RATE_LIMITED");
    // Another phone still gets its code.
    let (status, _) = app
        .post(
            "/api/v1/auth/send-otp",
            None,
            json!({"phone": "+447700900456"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

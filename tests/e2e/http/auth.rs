//! Tokens over the wire: the session body, the refresh cookie, bad and forged tokens, roles.

use bakery_core::domain::Phone;
use reqwest::StatusCode;
use serde_json::json;

use super::{assert_error, spawn_app};

#[tokio::test]
async fn register_verify_and_use_the_token() {
    let app = spawn_app().await;
    let session = app.customer("Ada", "+447700900123").await;
    assert_eq!(session["tokenType"], "Bearer");
    assert_eq!(session["expiresIn"], 900);
    assert_eq!(session["user"]["name"], "Ada");
    assert_eq!(session["user"]["role"], "customer");
    let token = session["accessToken"].as_str().unwrap();
    let (status, profile) = app.get("/api/v1/users/profile", Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(profile["phone"], "+447700900123");
    assert_eq!(profile["id"].as_str().unwrap().len(), 24);

    // The refresh token rotates, and a replay is refused.
    let refresh = session["refreshToken"].as_str().unwrap();
    let (status, next) = app
        .post(
            "/api/v1/auth/refresh-token",
            None,
            json!({"refreshToken": refresh}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{next}");
    assert_ne!(next["refreshToken"], session["refreshToken"]);
    let (status, body) = app
        .post(
            "/api/v1/auth/refresh-token",
            None,
            json!({"refreshToken": refresh}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "UNAUTHORIZED");
}

#[tokio::test]
async fn refresh_cookie_is_set_and_accepted() {
    let app = spawn_app().await;
    app.customer("Ada", "+447700900123").await;
    let code = {
        app.post(
            "/api/v1/auth/send-otp",
            None,
            json!({"phone": "+447700900123"}),
        )
        .await;
        app.sms
            .last_code_for(&Phone::parse("+447700900123").unwrap())
            .unwrap()
    };
    let resp = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"phone": "+447700900123", "otp": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let cookie = resp
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    for part in [
        "refresh_token=",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/api/v1/auth",
        // As long as the refresh token itself: 7 days.
        "Max-Age=604800",
    ] {
        assert!(cookie.contains(part), "{cookie}");
    }
    let pair = cookie.split(';').next().unwrap().to_owned();
    let resp = app
        .http
        .post(app.url("/api/v1/auth/refresh-token"))
        .header("cookie", pair)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn bad_tokens_are_401_with_the_error_body() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/users/profile", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "UNAUTHORIZED");

    let (status, body) = app.get("/api/v1/users/profile", Some("garbage")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "UNAUTHORIZED");

    // alg: none, unsigned, with plausible claims.
    let header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"; // {"alg":"none","typ":"JWT"}
    let claims = json!({"sub": "0123456789abcdef01234567", "role": "admin", "iat": 1, "exp": 4_000_000_000u64});
    let payload = base64url(claims.to_string().as_bytes());
    let (status, body) = app
        .get(
            "/api/v1/admin/orders",
            Some(&format!("{header}.{payload}.")),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "UNAUTHORIZED");
}

#[tokio::test]
async fn customers_are_403_on_admin_routes() {
    let app = spawn_app().await;
    let session = app.customer("Ada", "+447700900123").await;
    let token = session["accessToken"].as_str().unwrap();
    let (status, body) = app
        .post(
            "/api/v1/admin/categories",
            Some(token),
            json!({"name": "Bread"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(&body, "FORBIDDEN");
}

fn base64url(input: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

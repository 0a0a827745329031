//! The API as raw HTTP: status codes, headers, cookies, CORS, redirects and the error body on
//! the wire, which the SDK hides by design. Same harness as the rest ([`bakery_e2e::spawn_app`]),
//! SQLite only (none of this depends on the store), with a plain HTTP client that does not
//! follow redirects.

mod auth;
mod cache;
mod contract;
mod errors;
mod hashing;
mod limits;
mod policy;
mod protocol;
mod server;
mod shop;
mod strict;

use std::ops::Deref;

use bakery_e2e::{AppOptions, Backend, TestApp, ADMIN_PASSWORD, ADMIN_PHONE};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A [`TestApp`] with a raw HTTP client.
pub struct App {
    app: TestApp,
    pub http: reqwest::Client,
}

impl Deref for App {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

pub async fn spawn_app() -> App {
    spawn_app_with(AppOptions::default()).await
}

/// An app on a fresh SQLite store (with its own rate limiter) started with `options`.
pub async fn spawn_app_with(options: AppOptions) -> App {
    let app = bakery_e2e::spawn_app_with(Backend::Sqlite, options)
        .await
        .expect("the SQLite app always starts");
    App {
        app,
        // Redirects are part of what is tested, so they are not followed.
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

impl App {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::PUT, path, token, Some(body))
            .await
    }

    /// Registers and verifies a customer through the OTP flow; returns the token response.
    pub async fn customer(&self, name: &str, phone: &str) -> Value {
        let (status, _) = self
            .post(
                "/api/v1/auth/register",
                None,
                json!({"name": name, "phone": phone}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let code = self.otp_for(phone);
        let (status, body) = self
            .post(
                "/api/v1/auth/verify-otp",
                None,
                json!({"phone": phone, "otp": code}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Creates the admin and signs in with the password; returns the access token.
    pub async fn admin_token(&self) -> String {
        self.create_admin().await;
        let (status, body) = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"phone": ADMIN_PHONE, "password": ADMIN_PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["accessToken"].as_str().unwrap().to_owned()
    }
}

#[track_caller]
pub fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].is_string(), "{body}");
}

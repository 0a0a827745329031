//! The API end to end over HTTP, in-process on a random loopback port, on a temporary SQLite
//! store. One test binary (linking dominates build time).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bakery_core::adapters::sqlite::SqliteStore;
use bakery_core::adapters::RecordingSms;
use bakery_core::domain::{Currency, Money, Phone, Role};
use bakery_core::ports::RateLimit;
use bakery_core::rules::pricing::PricingSettings;
use bakery_core::secrets::OtpKey;
use bakery_core::services::{Bakery, Settings};
use bakery_server::state::{CorsOrigins, HttpPolicy, RateLimits};
use bakery_server::{spawn, spawn_until, AppState};
use reqwest::StatusCode;
use serde_json::{json, Value};

const SECRET: &[u8] = b"test-secret-test-secret-test-secret!";

struct App {
    base: String,
    http: reqwest::Client,
    sms: Arc<RecordingSms>,
    bakery: Bakery,
    _dir: tempfile::TempDir,
}

fn settings() -> Settings {
    Settings {
        shop_name: "Test Bakery".into(),
        pricing: PricingSettings {
            currency: Currency::parse("eur").unwrap(),
            delivery_fee: Money::from_minor(300),
            free_delivery_above: Some(Money::from_minor(5000)),
            tax_rate_bps: 1000,
        },
        delivery_minutes: 30,
        otp_key: OtpKey::random(),
        otp_ttl: chrono::Duration::minutes(10),
        otp_max_attempts: 5,
        refresh_token_ttl: chrono::Duration::days(7),
    }
}

async fn spawn_app() -> App {
    spawn_app_with(|state| state).await
}

/// An app whose state `tweak` adjusts (rate limits, HTTP policy); each gets a fresh limiter.
async fn spawn_app_with(tweak: impl FnOnce(AppState) -> AppState) -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("bakery.db"))
        .await
        .unwrap();
    let sms = Arc::new(RecordingSms::default());
    let bakery = Bakery::new(bakery_core::ports::Store::from_adapter(store), settings())
        .with_sms(sms.clone());
    let state = AppState::new(bakery.clone(), SECRET, Duration::from_secs(900));
    let running = spawn(tweak(state), SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    App {
        base: format!("http://{}", running.addr),
        // Redirects are part of what is tested, so they are not followed.
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        sms,
        bakery,
        _dir: dir,
    }
}

impl App {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn call(
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

    async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, token, None).await
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    async fn put(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::PUT, path, token, Some(body))
            .await
    }

    /// Registers and verifies a customer through the OTP flow; returns the token response.
    async fn customer(&self, name: &str, phone: &str) -> Value {
        let (status, _) = self
            .post(
                "/api/v1/auth/register",
                None,
                json!({"name": name, "phone": phone}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let code = self
            .sms
            .last_code_for(&Phone::parse(phone).unwrap())
            .expect("an OTP was sent");
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

    async fn admin_token(&self) -> String {
        let phone = Phone::parse("+33612345678").unwrap();
        self.bakery
            .create_staff("Olga", &phone, "rolling-pin-42", Role::Admin)
            .await
            .unwrap();
        let (status, body) = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"phone": "+33612345678", "password": "rolling-pin-42"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["accessToken"].as_str().unwrap().to_owned()
    }
}

fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].is_string(), "{body}");
}

#[tokio::test]
async fn openapi_json_is_up_to_date() {
    let generated = bakery_server::api_spec();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi.json differs from what the server generates; rewrite it with:\n\n    \
         cargo run -p bakery-server -- openapi > openapi.json\n"
    );
}

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
async fn catalog_and_an_order_through_its_statuses() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (status, category) = app
        .post(
            "/api/v1/admin/categories",
            Some(&admin),
            json!({"name": "Viennoiserie", "description": "Buttery"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{category}");
    let category_id = category["id"].as_str().unwrap().to_owned();
    let (status, product) = app
        .post(
            "/api/v1/admin/products",
            Some(&admin),
            json!({
                "name": "Croissant",
                "description": "All butter, laminated over three days",
                "category": category_id,
                "price": 250,
                "ingredients": ["flour", "butter"],
                "allergens": ["Gluten", "Milk"],
                "isVegetarian": true,
                "preparationTime": 5,
                "stock": 10
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{product}");
    assert_eq!(product["allergens"], json!(["gluten", "milk"]));
    assert_eq!(product["stock"], 10);
    let product_id = product["id"].as_str().unwrap().to_owned();

    let (status, list) = app.get("/api/v1/categories", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"][0]["name"], "Viennoiserie");
    assert_eq!(list["total"], 1);
    let (status, page) = app
        .get("/api/v1/products?vegetarian=true&sort=price_asc", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1);
    assert_eq!(page["page"], 1);
    assert_eq!(page["limit"], 20);
    let (status, found) = app.get("/api/v1/products/search?q=croisant", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found["items"][0]["id"], product_id.as_str());
    let (status, in_category) = app
        .get(&format!("/api/v1/categories/{category_id}/products"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(in_category["total"], 1);
    let (status, one) = app
        .get(&format!("/api/v1/products/{product_id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["price"], 250);

    // A customer orders; client prices are ignored.
    let session = app.customer("Ada", "+447700900123").await;
    let token = session["accessToken"].as_str().unwrap().to_owned();
    let (status, order) = app
        .post(
            "/api/v1/orders",
            Some(&token),
            json!({
                "items": [{"product": product_id, "quantity": 2, "price": 1}],
                "deliveryAddress": {"address": "1 Baker St", "city": "London", "state": "London", "zipCode": "NW1"},
                "paymentDetails": {"method": "cash"}
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["subtotal"], 500);
    assert_eq!(order["currency"], "eur");
    assert_eq!(order["orderStatus"], "placed");
    let order_id = order["id"].as_str().unwrap().to_owned();

    // Card payments are not configured.
    let (status, body) = app
        .post(
            "/api/v1/orders",
            Some(&token),
            json!({
                "items": [{"product": product_id, "quantity": 1}],
                "deliveryAddress": {"address": "1 Baker St", "city": "London", "state": "London", "zipCode": "NW1"},
                "paymentDetails": {"method": "card"}
            }),
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_error(&body, "SERVICE_UNAVAILABLE");

    for next in ["preparing", "out_for_delivery", "delivered"] {
        let (status, moved) = app
            .put(
                &format!("/api/v1/admin/orders/{order_id}/status"),
                Some(&admin),
                json!({"status": next}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{moved}");
        assert_eq!(moved["orderStatus"], next);
    }
    let (status, body) = app
        .post(
            &format!("/api/v1/orders/{order_id}/cancel"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&body, "ILLEGAL_STATUS_CHANGE");

    let (status, tracking) = app
        .get(&format!("/api/v1/orders/{order_id}/track"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tracking["status"], "delivered");
    assert_eq!(tracking["history"].as_array().unwrap().len(), 4);

    let (status, mine) = app.get("/api/v1/orders", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["total"], 1);
    let (status, book) = app
        .get("/api/v1/admin/orders?status=delivered", Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{book}");
    assert_eq!(book["total"], 1);

    // Someone else's order is a 404.
    let other = app.customer("Bob", "+447700900456").await;
    let (status, body) = app
        .get(
            &format!("/api/v1/orders/{order_id}"),
            Some(other["accessToken"].as_str().unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "NOT_FOUND");

    // The customer was told about every status change.
    let (status, inbox) = app.get("/api/v1/notifications", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(inbox["total"], 4);
}

fn tight_limits(state: AppState) -> AppState {
    let limit = RateLimit::parse("test", "2/1h").unwrap();
    state.with_rate_limits(RateLimits {
        auth: limit,
        otp: limit,
    })
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_client_ip() {
    let app = spawn_app_with(|s| {
        tight_limits(s).with_http_policy(HttpPolicy {
            trust_proxy: true,
            ..HttpPolicy::default()
        })
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
    let app = spawn_app_with(tight_limits).await;
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
    let app = spawn_app_with(tight_limits).await;
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

#[tokio::test]
async fn cors_allows_listed_origins_only() {
    let app = spawn_app_with(|s| {
        s.with_http_policy(HttpPolicy {
            cors: CorsOrigins::List(vec!["https://shop.example".into()]),
            ..HttpPolicy::default()
        })
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
    let host = app.base.trim_start_matches("http://").to_owned();
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
    let app = spawn_app_with(|s| {
        s.with_http_policy(HttpPolicy {
            force_https: true,
            trust_proxy: true,
            ..HttpPolicy::default()
        })
    })
    .await;
    let host = app.base.trim_start_matches("http://").to_owned();
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
    let untrusting = spawn_app_with(|s| {
        s.with_http_policy(HttpPolicy {
            force_https: true,
            ..HttpPolicy::default()
        })
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

#[tokio::test]
async fn card_payments_answer_503_without_a_provider() {
    let app = spawn_app().await;
    let session = app.customer("Ada", "+447700900123").await;
    let token = session["accessToken"].as_str().unwrap();
    let order = json!({"orderId": "0123456789abcdef01234567"});
    for path in ["/api/v1/payments/create-intent", "/api/v1/payments/confirm"] {
        let (status, body) = app.post(path, Some(token), order.clone()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_error(&body, "SERVICE_UNAVAILABLE");
        assert!(body["message"].as_str().unwrap().contains("cash"), "{body}");
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
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = resp.json().await.unwrap();
    assert_error(&body, "SERVICE_UNAVAILABLE");
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

#[tokio::test]
async fn categories_and_favorites_are_pages() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mut first_category = String::new();
    for name in ["Bread", "Cakes", "Pastry"] {
        let (status, category) = app
            .post(
                "/api/v1/admin/categories",
                Some(&admin),
                json!({"name": name}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{category}");
        if first_category.is_empty() {
            first_category = category["id"].as_str().unwrap().to_owned();
        }
    }
    let (status, page) = app.get("/api/v1/categories?page=2&limit=2", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["page"], 2);
    assert_eq!(page["limit"], 2);
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let (status, page) = app.get("/api/v1/categories", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (page["page"].clone(), page["limit"].clone()),
        (json!(1), json!(20))
    );
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    let (status, body) = app.get("/api/v1/categories?limit=101", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["details"]["field"], "limit", "{body}");

    let (status, product) = app
        .post(
            "/api/v1/admin/products",
            Some(&admin),
            json!({
                "name": "Baguette",
                "description": "Crisp crust, open crumb",
                "category": first_category,
                "price": 120,
                "preparationTime": 1
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{product}");
    let product_id = product["id"].as_str().unwrap();
    let session = app.customer("Ada", "+447700900123").await;
    let token = session["accessToken"].as_str().unwrap();
    let (status, _) = app
        .post(
            &format!("/api/v1/favorites/{product_id}"),
            Some(token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, page) = app.get("/api/v1/favorites", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1);
    assert_eq!(page["page"], 1);
    assert_eq!(page["limit"], 20);
    assert_eq!(page["items"][0]["id"], product_id);
    let (status, page) = app.get("/api/v1/favorites?page=2", Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"], json!([]));
}

#[tokio::test]
async fn shutdown_lets_in_flight_requests_finish() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("bakery.db"))
        .await
        .unwrap();
    let bakery = Bakery::new(bakery_core::ports::Store::from_adapter(store), settings());
    let state = AppState::new(bakery, SECRET, Duration::from_secs(900));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = spawn_until(
        state,
        SocketAddr::from(([127, 0, 0, 1], 0)),
        async move {
            let _ = stopped.await;
        },
        Duration::from_secs(10),
    )
    .await
    .unwrap();

    // A request whose body is still on its way when the shutdown starts.
    let body = r#"{"name":"Ada","phone":"+447700900123"}"#;
    let mut conn = tokio::net::TcpStream::connect(running.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/register HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(&body.as_bytes()[..5]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    conn.write_all(&body.as_bytes()[5..]).await.unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // Then the server is gone.
    tokio::time::timeout(Duration::from_secs(5), running.handle)
        .await
        .expect("the server stops after its last request")
        .unwrap()
        .unwrap();
    assert!(tokio::net::TcpStream::connect(running.addr).await.is_err());
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

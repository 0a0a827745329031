//! The API end to end over HTTP, in-process on a random loopback port, on a temporary SQLite
//! store. One test binary (linking dominates build time).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bakery_core::adapters::sqlite::SqliteStore;
use bakery_core::adapters::RecordingSms;
use bakery_core::domain::{Currency, Money, Phone};
use bakery_core::rules::pricing::PricingSettings;
use bakery_core::secrets::OtpKey;
use bakery_core::services::{Bakery, Settings};
use bakery_server::{spawn, AppState};
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
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("bakery.db"))
        .await
        .unwrap();
    let sms = Arc::new(RecordingSms::default());
    let bakery = Bakery::new(Arc::new(store), settings()).with_sms(sms.clone());
    let state = AppState::new(
        bakery.clone(),
        SECRET,
        Duration::from_secs(900),
        Duration::from_secs(7 * 86_400),
    );
    let running = spawn(state, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    App {
        base: format!("http://{}", running.addr),
        http: reqwest::Client::new(),
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
            .create_admin("Olga", &phone, "rolling-pin-42")
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
    assert_eq!(list[0]["name"], "Viennoiserie");
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

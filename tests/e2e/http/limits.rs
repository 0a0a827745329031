//! Sign-in rate limits per client IP and per phone, the SMS cost guard (codes per client IP,
//! the shop-wide budget, allowed countries), and when `X-Forwarded-For` counts.

use bakery_core::domain::{Phone, Role};
use bakery_core::ports::RateLimit;
use bakery_e2e::{AppOptions, HttpPolicy, RateLimits};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{assert_error, spawn_app_with, App};

fn limits(auth: &str, otp: &str, otp_global: &str) -> AppOptions {
    AppOptions {
        rate_limits: Some(RateLimits {
            auth: RateLimit::parse("test", auth).unwrap(),
            otp: RateLimit::parse("test", otp).unwrap(),
            otp_global: RateLimit::parse("test", otp_global).unwrap(),
        }),
        ..AppOptions::default()
    }
}

fn tight_limits() -> AppOptions {
    limits("2/1h", "2/1h", "1000/1h")
}

/// Clients told apart by `X-Forwarded-For`, as behind the shop's proxy.
fn behind_proxy(options: AppOptions) -> AppOptions {
    AppOptions {
        http: HttpPolicy {
            trust_proxy: true,
            ..HttpPolicy::default()
        },
        ..options
    }
}

/// POSTs `body` to the auth route `path` as the client at `ip`; the status, the
/// `Retry-After` header and the body.
async fn auth_post(
    app: &App,
    path: &str,
    ip: &str,
    body: Value,
) -> (StatusCode, Option<u64>, Value) {
    let resp = app
        .http
        .post(app.url(&format!("/api/v1/auth/{path}")))
        .header("x-forwarded-for", ip)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, retry_after, resp.json().await.unwrap())
}

/// Whether a code for `phone` is stored (it would be guessable, and it was paid for).
async fn code_stored(app: &App, phone: &str) -> bool {
    let phone = Phone::parse(phone).unwrap();
    app.bakery
        .store()
        .auth_secrets
        .attempt_otp(&phone)
        .await
        .unwrap()
        .is_some()
}

/// A refusal as the client reads it, minus the seconds to wait, which tick on.
fn refusal(status: StatusCode, body: &Value) -> (StatusCode, Value, Value) {
    (status, body["code"].clone(), body["details"].clone())
}

/// Gives `phone` an account without texting it (as the `create-admin` command does).
async fn registered(app: &App, phone: &str) {
    app.bakery
        .create_staff(
            "Known Number",
            &Phone::parse(phone).unwrap(),
            "known-number-42",
            Role::Delivery,
        )
        .await
        .unwrap();
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
    let app = spawn_app_with(limits("10/1h", "2/1h", "1000/1h")).await;
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

/// The SMS-pumping case: one client registering a list of numbers. Before the guard, all 40
/// were texted; now the client gets the seed's five, and the refused ones cost nothing.
#[tokio::test]
async fn one_client_cannot_text_a_list_of_numbers() {
    let app = spawn_app_with(behind_proxy(AppOptions {
        rate_limits: Some(RateLimits::default()),
        ..AppOptions::default()
    }))
    .await;
    let mut statuses = Vec::new();
    for i in 0..40 {
        let phone = format!("+4477009{i:05}");
        let (status, retry_after, body) = auth_post(
            &app,
            "register",
            "203.0.113.7",
            json!({"name": "Pump", "phone": phone}),
        )
        .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_error(&body, "RATE_LIMITED");
            assert!(
                retry_after.is_some_and(|s| (1..=900).contains(&s)),
                "{retry_after:?}"
            );
            assert!(!code_stored(&app, &phone).await, "no code kept for {phone}");
        }
        statuses.push(status);
    }
    let sent = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(sent, 5, "{statuses:?}");
    assert!(
        statuses[..5].iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(
        app.sms.sent().len(),
        5,
        "only the allowed codes were texted"
    );

    // send-otp draws on the same count, and is refused alike for a number with an account
    // and one without.
    registered(&app, "+447700900777").await;
    let (status, _, known) = auth_post(
        &app,
        "send-otp",
        "203.0.113.7",
        json!({"phone": "+447700900777"}),
    )
    .await;
    let (status2, _, unknown) = auth_post(
        &app,
        "send-otp",
        "203.0.113.7",
        json!({"phone": "+447700900778"}),
    )
    .await;
    assert_eq!(refusal(status, &known), refusal(status2, &unknown));
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.sms.sent().len(), 5);

    // Another client is counted apart.
    let (status, _, body) = auth_post(
        &app,
        "register",
        "198.51.100.1",
        json!({"name": "Ada", "phone": "+447700900123"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.sms.sent().len(), 6);
}

#[tokio::test]
async fn numbers_outside_the_allowed_countries_are_refused_for_free() {
    let app = spawn_app_with(behind_proxy(AppOptions {
        otp_countries: Some("33,44"),
        ..tight_limits()
    }))
    .await;
    registered(&app, "+12025550100").await;
    let far = [
        (
            "register",
            json!({"name": "Pump", "phone": "+882 1234 5678"}),
        ),
        ("send-otp", json!({"phone": "+12025550100"})),
        ("send-otp", json!({"phone": "+12025550199"})),
        ("register", json!({"name": "Pump", "phone": "+12025550199"})),
    ];
    let mut refusals = Vec::new();
    for (path, body) in far {
        let (status, _, answer) = auth_post(&app, path, "203.0.113.7", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_error(&answer, "VALIDATION_FAILED");
        assert_eq!(answer["details"]["field"], "phone", "{answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains("+33, +44"), "{message}");
        refusals.push(answer);
    }
    // A number with an account is refused in the very same words as one without.
    assert_eq!(refusals[1], refusals[2]);
    assert!(app.sms.sent().is_empty(), "nothing was texted");
    for phone in ["+88212345678", "+12025550100", "+12025550199"] {
        assert!(!code_stored(&app, phone).await, "no code kept for {phone}");
    }
    // Refusals are not counted: the client still has its two codes for allowed numbers.
    for phone in ["+33612000001", "+447700900123"] {
        let (status, _, body) = auth_post(
            &app,
            "register",
            "203.0.113.7",
            json!({"name": "Ada", "phone": phone}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{phone}: {body}");
    }
    assert_eq!(app.sms.sent().len(), 2);
}

#[tokio::test]
async fn the_global_budget_caps_codes_across_clients_and_phones() {
    let app = spawn_app_with(behind_proxy(limits("100/1h", "3/1h", "3/1h"))).await;
    registered(&app, "+447700900777").await;
    for i in 0..3 {
        let (status, _, body) = auth_post(
            &app,
            "register",
            &format!("203.0.113.{i}"),
            json!({"name": "Ada", "phone": format!("+4477009001{i:02}")}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(app.sms.sent().len(), 3);
    // A fresh client and a fresh number: the shop's budget is spent all the same.
    let (status, retry_after, body) = auth_post(
        &app,
        "register",
        "198.51.100.9",
        json!({"name": "Bo", "phone": "+33612000009"}),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_error(&body, "RATE_LIMITED");
    assert!(
        retry_after.is_some_and(|s| (1..=3600).contains(&s)),
        "{retry_after:?}"
    );
    assert!(!code_stored(&app, "+33612000009").await);
    // Refused alike for a number with an account and one without.
    let (status, _, known) = auth_post(
        &app,
        "send-otp",
        "198.51.100.10",
        json!({"phone": "+447700900777"}),
    )
    .await;
    let (status2, _, unknown) = auth_post(
        &app,
        "send-otp",
        "198.51.100.11",
        json!({"phone": "+447700900778"}),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refusal(status, &known), refusal(status2, &unknown));
    assert!(!code_stored(&app, "+447700900777").await);
    assert_eq!(app.sms.sent().len(), 3, "nothing more was texted");
}

//! Password hashing off the async workers: a bounded queue that answers 503 `BUSY` when
//! full, and a server that keeps answering everything else while passwords are checked.

use std::time::Duration;

use bakery_core::services::HashingLimits;
use bakery_e2e::{AppOptions, ADMIN_PASSWORD, ADMIN_PHONE};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{assert_error, spawn_app_with, App};

async fn login(app: &App, password: &str) -> (StatusCode, Option<String>, Value) {
    let resp = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"phone": ADMIN_PHONE, "password": password}))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, retry_after, resp.json().await.unwrap())
}

/// Waits (without a deadline on the server's speed, only against a hang) until `n` hashes
/// are running or waiting.
async fn until_in_use(app: &App, n: usize) {
    for _ in 0..3000 {
        if app.bakery.hashing().in_use() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the hashing pool never held {n}");
}

#[tokio::test]
async fn a_full_hashing_queue_answers_busy_and_health_is_still_served() {
    let app = spawn_app_with(AppOptions {
        hashing: HashingLimits {
            parallel: 1,
            queue: 1,
        },
        ..AppOptions::default()
    })
    .await;
    app.create_admin().await;

    // The one running place is held by a hash that waits for the test.
    let (release, held) = std::sync::mpsc::channel::<()>();
    let pool = app.bakery.hashing().clone();
    let holder = tokio::spawn(async move {
        pool.run(move || held.recv_timeout(Duration::from_secs(60)).is_ok())
            .await
    });
    until_in_use(&app, 1).await;

    // A login takes the one place in the queue...
    let queued = {
        let http = app.http.clone();
        let url = app.url("/api/v1/auth/login");
        tokio::spawn(async move {
            http.post(url)
                .json(&json!({"phone": ADMIN_PHONE, "password": ADMIN_PASSWORD}))
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    until_in_use(&app, 2).await;

    // ...the next is refused at once, whatever the password,
    for password in [ADMIN_PASSWORD, "not-the-password"] {
        let (status, retry_after, body) = login(&app, password).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_error(&body, "BUSY");
        assert_eq!(retry_after.as_deref(), Some("1"));
    }
    // ...and the rest of the API is served meanwhile.
    let (status, _) = app.get("/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get("/api/v1/products?limit=20", None).await;
    assert_eq!(status, StatusCode::OK);

    release.send(()).unwrap();
    assert!(holder.await.unwrap().unwrap());
    assert_eq!(
        queued.await.unwrap(),
        StatusCode::OK,
        "the queued login got its turn"
    );
    let (status, _, body) = login(&app, ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn health_is_answered_while_many_password_logins_run() {
    let app = spawn_app_with(AppOptions::default()).await;
    app.create_admin().await;
    let logins: Vec<_> = (0..16)
        .map(|i| {
            let http = app.http.clone();
            let url = app.url("/api/v1/auth/login");
            let password = if i % 2 == 0 {
                ADMIN_PASSWORD
            } else {
                "not-the-password"
            };
            tokio::spawn(async move {
                http.post(url)
                    .json(&json!({"phone": ADMIN_PHONE, "password": password}))
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    // Completes, however long the logins take: no timing is asserted.
    for _ in 0..10 {
        let (status, _) = app.get("/healthz", None).await;
        assert_eq!(status, StatusCode::OK);
    }
    for login in logins {
        let status = login.await.unwrap();
        assert!(
            [
                StatusCode::OK,
                StatusCode::UNAUTHORIZED,
                StatusCode::SERVICE_UNAVAILABLE
            ]
            .contains(&status),
            "{status}"
        );
    }
}

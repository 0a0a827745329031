//! `Idempotency-Key` on placing, paying and canceling: a retried write happens once, its
//! answer comes back marked `Idempotent-Replayed: true`, a key reused for another request is
//! refused, keys are per user and forgotten after 24 hours.

use std::sync::Arc;

use bakery_e2e::errors::{assert_error, assert_invalid};
use bakery_e2e::fixtures::{line, order_request, seed_catalog};
use bakery_e2e::{types, AppOptions, BakeryClient, TestApp};
use chrono::Duration;
use serde_json::Value;
use tokio::sync::Barrier;

const REPLAYED: &str = "idempotent-replayed";

fn replayed<T>(answer: &bakery_sdk::ResponseValue<T>) -> bool {
    answer
        .headers()
        .get(REPLAYED)
        .is_some_and(|v| v.as_bytes() == b"true")
}

/// An answer as JSON, to compare whole answers.
macro_rules! as_json {
    ($value:expr) => {
        serde_json::to_value($value).expect("serialize")
    };
}

async fn stock_of(app: &TestApp, product: &str) -> Option<u32> {
    app.client()
        .api()
        .get_product()
        .id(product)
        .send()
        .await
        .expect("get product")
        .into_inner()
        .stock
}

async fn my_order_count(customer: &BakeryClient) -> i64 {
    customer
        .call(|api| async move { api.list_my_orders().send().await })
        .await
        .expect("list my orders")
        .total
}

async fn place(
    customer: &BakeryClient,
    key: &str,
    request: types::PlaceOrderRequest,
) -> Result<bakery_sdk::ResponseValue<types::Order>, bakery_sdk::ApiError> {
    // Through `call`, so a session the manual clock expired is refreshed.
    customer
        .call(|api| {
            let request = request.clone();
            async move {
                api.place_order()
                    .idempotency_key(key)
                    .body(request)
                    .send()
                    .await
            }
        })
        .await
}

/// 20 identical requests under one key at the same instant: one order, stock taken once;
/// every answer is the first order or a 409 while it ran, replays marked.
pub async fn twenty_duplicates_place_one_order(app: &TestApp) {
    const TASKS: usize = 20;
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900701").await;
    let request = order_request(vec![line(&shop.galette.id, 1)]);
    let key = bakery_sdk::new_idempotency_key();
    let barrier = Arc::new(Barrier::new(TASKS));
    let handles: Vec<_> = (0..TASKS)
        .map(|_| {
            let (ada, request, key, barrier) =
                (ada.clone(), request.clone(), key.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                place(&ada, &key, request).await
            })
        })
        .collect();
    let mut orders = Vec::new();
    let mut originals = 0;
    for answer in futures::future::join_all(handles).await {
        match answer.expect("task panicked") {
            Ok(placed) => {
                assert_eq!(placed.status().as_u16(), 201);
                originals += usize::from(!replayed(&placed));
                orders.push(as_json!(&placed.into_inner()));
            }
            Err(e) => {
                assert_error(Err::<(), _>(e), 409, "IDEMPOTENCY_REQUEST_IN_PROGRESS");
            }
        }
    }
    assert_eq!(originals, 1, "exactly one answer is the request that ran");
    // A retry after the dust settled gets the one order.
    let retry = place(&ada, &key, request.clone()).await.expect("retry");
    assert_eq!(retry.status().as_u16(), 201);
    assert!(replayed(&retry), "{:?}", retry.headers());
    let first = as_json!(&retry.into_inner());
    assert!(orders.iter().all(|o| *o == first), "{orders:#?}");
    assert_eq!(my_order_count(&ada).await, 1);
    assert_eq!(stock_of(app, &shop.galette.id).await, Some(1));
}

/// The same key with another body is 422 `IDEMPOTENCY_KEY_REUSED` naming the header; a
/// malformed key is a 422 naming it too; a request refused as invalid does not pin its key.
pub async fn a_key_reused_for_another_request_is_refused(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900702").await;

    // Refused before any work: the key stays free for the corrected request.
    let mut unscheduled = order_request(vec![line(&shop.baguette.id, 1)]);
    unscheduled.is_scheduled = Some(true);
    assert_invalid(
        place(&ada, "order-1", unscheduled).await,
        "scheduledDeliveryTime",
    );
    let placed = place(
        &ada,
        "order-1",
        order_request(vec![line(&shop.baguette.id, 1)]),
    )
    .await
    .expect("the corrected request runs");
    assert!(!replayed(&placed));

    let other = place(
        &ada,
        "order-1",
        order_request(vec![line(&shop.baguette.id, 2)]),
    )
    .await;
    let body = assert_error(other, 422, "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(
        body.details.map(|d| d.field).as_deref(),
        Some("Idempotency-Key")
    );
    assert_eq!(my_order_count(&ada).await, 1);

    // The format is checked on the server too (the SDK checks it before sending).
    let token = ada.tokens().expect("signed in").access_token;
    let http = reqwest::Client::new();
    for bad in ["", "has space", &"k".repeat(256)] {
        let answer = http
            .post(format!("{}/api/v1/orders", app.base_url))
            .bearer_auth(&token)
            .header("Idempotency-Key", bad)
            .json(&order_request(vec![line(&shop.baguette.id, 1)]))
            .send()
            .await
            .expect("send");
        assert_eq!(answer.status().as_u16(), 422, "{bad:?}");
        let body: Value = answer.json().await.expect("error body");
        assert_eq!(body["code"], "VALIDATION_FAILED", "{body}");
        assert_eq!(body["details"]["field"], "Idempotency-Key", "{body}");
    }
    assert_eq!(my_order_count(&ada).await, 1);
}

/// A cancel retried under its key answers the cancel again, not 409; a new key is a new
/// cancel, refused as the order is canceled already.
pub async fn a_retried_cancel_replays_its_answer(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900703").await;
    let order = ada
        .place_order(order_request(vec![line(&shop.galette.id, 2)]))
        .await
        .expect("place through the SDK's idempotent call")
        .into_inner();
    assert_eq!(stock_of(app, &shop.galette.id).await, Some(0));
    let cancel = |key: &'static str| {
        let (api, id) = (ada.api(), order.id.clone());
        async move { api.cancel_order().id(id).idempotency_key(key).send().await }
    };
    let first = cancel("cancel-1").await.expect("cancel");
    assert!(!replayed(&first));
    let first = as_json!(&first.into_inner());
    assert_eq!(first["orderStatus"], "canceled");
    let again = cancel("cancel-1").await.expect("replayed cancel");
    assert_eq!(again.status().as_u16(), 200);
    assert!(replayed(&again));
    assert_eq!(as_json!(&again.into_inner()), first);
    assert_error(cancel("cancel-2").await, 409, "ILLEGAL_STATUS_CHANGE");
    // Stock came back once.
    assert_eq!(stock_of(app, &shop.galette.id).await, Some(2));
    // The SDK's own cancel sends a fresh key: a second logical cancel is refused.
    assert_error(
        ada.cancel_order(&order.id).await,
        409,
        "ILLEGAL_STATUS_CHANGE",
    );
}

/// Two customers may pick the same key: each gets their own order.
pub async fn keys_are_per_user(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900704").await;
    let ben = app.customer("Ben", "+447700900705").await;
    let adas = place(
        &ada,
        "shared-key",
        order_request(vec![line(&shop.baguette.id, 1)]),
    )
    .await
    .expect("ada's order");
    let bens = place(
        &ben,
        "shared-key",
        order_request(vec![line(&shop.croissant.id, 3)]),
    )
    .await
    .expect("ben's order");
    assert!(!replayed(&adas) && !replayed(&bens));
    assert_ne!(adas.into_inner().id, bens.into_inner().id);
    assert_eq!(my_order_count(&ada).await, 1);
    assert_eq!(my_order_count(&ben).await, 1);
}

pub fn manual_clock() -> AppOptions {
    AppOptions {
        manual_clock: true,
        ..AppOptions::default()
    }
}

/// A key is kept 24 hours: a day later it is a new key, even for another request.
pub async fn keys_are_forgotten_after_a_day(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900706").await;
    let first = place(
        &ada,
        "daily",
        order_request(vec![line(&shop.baguette.id, 1)]),
    )
    .await
    .expect("first order")
    .into_inner();
    app.advance(Duration::hours(23));
    assert_error(
        place(
            &ada,
            "daily",
            order_request(vec![line(&shop.baguette.id, 2)]),
        )
        .await,
        422,
        "IDEMPOTENCY_KEY_REUSED",
    );
    app.advance(Duration::hours(1));
    let second = place(
        &ada,
        "daily",
        order_request(vec![line(&shop.baguette.id, 2)]),
    )
    .await
    .expect("a day later the key is new");
    assert!(!replayed(&second));
    assert_ne!(second.into_inner().id, first.id);
    assert_eq!(my_order_count(&ada).await, 2);
}

//! The card journey through bakery-sdk, with the server's production adapters talking to local
//! fakes of Stripe and FCM: order → intent → webhook → paid → push → staff cancel → refund.
//! Webhooks are signed as Stripe signs them, so the server's real verification runs.

use std::time::{Duration, Instant};

use bakery_e2e::fixtures::{advance, line, order_request, place_order, seed_catalog, v};
use bakery_e2e::saas::{sign_stripe_event, FcmFake, StripeFake, STRIPE_PUBLISHABLE_KEY};
use bakery_e2e::{spawn_app_with, types, AppOptions, Backend, BakeryClient, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_card_journey() {
    card_journey(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mongo_card_journey() {
    card_journey(Backend::Mongo).await;
}

/// Waits (up to 10 s) until `check` holds; the outbox delivers in the background.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Posts a webhook delivery as Stripe does: the raw JSON body and its signature header.
async fn deliver_webhook(app: &TestApp, payload: &str, signature: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/api/v1/payments/webhook", app.base_url))
        .header("content-type", "application/json")
        .header("Stripe-Signature", signature)
        .body(payload.to_owned())
        .send()
        .await
        .expect("webhook delivery")
        .status()
        .as_u16()
}

async fn order_of(client: &BakeryClient, id: &str) -> types::Order {
    client
        .api()
        .get_order()
        .id(id)
        .send()
        .await
        .expect("get order")
        .into_inner()
}

async fn inbox_titles(client: &BakeryClient) -> Vec<String> {
    client
        .api()
        .list_notifications()
        .limit(std::num::NonZeroU32::new(100).expect("100"))
        .send()
        .await
        .expect("notifications")
        .into_inner()
        .items
        .into_iter()
        .map(|n| n.title)
        .collect()
}

async fn card_journey(backend: Backend) {
    let stripe = StripeFake::start().await;
    let fcm = FcmFake::start().await;
    let mut env = stripe.env();
    env.extend(fcm.env());
    let options = AppOptions {
        env,
        ..AppOptions::default()
    };
    let Some(app) = spawn_app_with(backend, options).await else {
        return;
    };
    let admin = app.admin().await;
    let catalog = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900801").await;
    ada.api()
        .add_device_token()
        .body(types::DeviceToken {
            token: v("fcm-ada-phone"),
        })
        .send()
        .await
        .expect("register the phone");

    // The app learns how to start Stripe's SDK.
    let shop = ada
        .api()
        .get_shop()
        .send()
        .await
        .expect("shop")
        .into_inner();
    assert!(shop.card_payments);
    assert_eq!(
        shop.stripe_publishable_key.as_deref(),
        Some(STRIPE_PUBLISHABLE_KEY)
    );

    let mut request = order_request(vec![line(&catalog.croissant.id, 4)]);
    request.payment_details.method = types::PaymentMethod::Card;
    let order = place_order(&ada, request).await;
    assert_eq!(order.payment_details.status, types::PaymentStatus::Pending);

    // One intent for the order, however often the app asks.
    let intent = |client: BakeryClient, id: String| async move {
        client
            .api()
            .create_payment_intent()
            .body(types::PaymentOrderRequest { order_id: v(&id) })
            .send()
            .await
            .expect("create intent")
            .into_inner()
    };
    let first = intent(ada.clone(), order.id.clone()).await;
    let again = intent(ada.clone(), order.id.clone()).await;
    assert_eq!(first.payment_intent_id, again.payment_intent_id);
    assert_eq!(first.client_secret, again.client_secret);
    assert_eq!(first.amount, order.total);
    assert_eq!(stripe.intents_created(), 1);
    let sent = stripe.requests().await;
    let creates: Vec<_> = sent
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == "/v1/payment_intents")
        .collect();
    assert_eq!(creates.len(), 2);
    let keys: Vec<_> = creates
        .iter()
        .map(|r| r.headers.get("idempotency-key").cloned())
        .collect();
    assert!(
        keys[0].is_some() && keys[0] == keys[1],
        "one idempotency key per order"
    );
    let form = bakery_e2e::saas::form_of(&creates[0].body);
    assert!(form.contains(&("amount".into(), order.total.to_string())));
    assert!(form.contains(&("currency".into(), "eur".into())));
    assert!(form.contains(&("metadata[order_id]".into(), order.id.clone())));

    // Under an Idempotency-Key, a retry gets the kept answer without asking Stripe again;
    // the SDK's own call sends a fresh key and gets the order's one intent.
    let keyed = |key: &'static str| {
        let (api, id) = (ada.api(), order.id.clone());
        async move {
            api.create_payment_intent()
                .idempotency_key(key)
                .body(types::PaymentOrderRequest { order_id: v(&id) })
                .send()
                .await
                .expect("keyed intent")
        }
    };
    let kept = keyed("intent-1").await;
    assert!(kept.headers().get("idempotent-replayed").is_none());
    let asked = stripe.requests().await.len();
    let replay = keyed("intent-1").await;
    assert_eq!(
        replay
            .headers()
            .get("idempotent-replayed")
            .map(|v| v.as_bytes()),
        Some(&b"true"[..])
    );
    assert_eq!(
        replay.into_inner().client_secret,
        kept.into_inner().client_secret
    );
    assert_eq!(
        stripe.requests().await.len(),
        asked,
        "a replay asks Stripe nothing"
    );
    let via_sdk = ada
        .create_payment_intent(types::PaymentOrderRequest {
            order_id: v(&order.id),
        })
        .await
        .expect("intent through the SDK")
        .into_inner();
    assert_eq!(via_sdk.payment_intent_id, first.payment_intent_id);
    assert_eq!(stripe.intents_created(), 1);

    // A forged or altered delivery is refused before anything in it is trusted.
    let intent_id = first.payment_intent_id.clone();
    stripe.succeed(&intent_id);
    let (payload, signature) = stripe.event("evt_e2e_paid", "payment_intent.succeeded", &intent_id);
    let altered = payload.replace(&order.id, "000000000000000000000000");
    assert_eq!(deliver_webhook(&app, &altered, &signature).await, 401);
    let stale = sign_stripe_event(&payload, chrono::Utc::now().timestamp() - 600);
    assert_eq!(deliver_webhook(&app, &payload, &stale).await, 401);
    assert_eq!(
        order_of(&ada, &order.id).await.payment_details.status,
        types::PaymentStatus::Pending
    );

    // Stripe retries the same event; the app confirms at the same time: one payment.
    let mut deliveries = Vec::new();
    for _ in 0..20 {
        let (app_url, payload, signature) =
            (app.base_url.clone(), payload.clone(), signature.clone());
        deliveries.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{app_url}/api/v1/payments/webhook"))
                .header("content-type", "application/json")
                .header("Stripe-Signature", signature)
                .body(payload)
                .send()
                .await
                .expect("delivery")
                .status()
                .as_u16()
        }));
    }
    let confirm = ada
        .api()
        .confirm_payment()
        .body(types::PaymentOrderRequest {
            order_id: v(&order.id),
        })
        .send()
        .await
        .expect("confirm")
        .into_inner();
    for delivery in deliveries {
        let status = delivery.await.expect("task");
        assert!((200..300).contains(&status), "a delivery got {status}");
    }
    assert_eq!(
        confirm.payment_details.status,
        types::PaymentStatus::Completed
    );
    let paid = order_of(&ada, &order.id).await;
    assert_eq!(paid.payment_details.status, types::PaymentStatus::Completed);
    assert_eq!(
        paid.payment_details.transaction_id.as_deref(),
        Some(intent_id.as_str())
    );
    let titles = inbox_titles(&ada).await;
    assert_eq!(
        titles.iter().filter(|t| *t == "Payment received").count(),
        1
    );

    // The push reached the phone through FCM, with the order in its data.
    eventually("the payment push", || async {
        fcm.pushes()
            .await
            .iter()
            .any(|p| p.title == "Payment received")
    })
    .await;
    let pushes = fcm.pushes().await;
    let push = pushes
        .iter()
        .find(|p| p.title == "Payment received")
        .expect("pushed");
    assert_eq!(push.token, "fcm-ada-phone");
    assert_eq!(push.data["orderId"], order.id.as_str());
    assert_eq!(
        pushes
            .iter()
            .filter(|p| p.title == "Payment received")
            .count(),
        1
    );

    // Staff cancel while the kitchen prepares: the money goes back through the outbox.
    let canceled = advance(
        &admin,
        &order.id,
        &[types::OrderStatus::Preparing, types::OrderStatus::Canceled],
    )
    .await;
    assert_eq!(canceled.order_status, types::OrderStatus::Canceled);
    eventually("the refund", || async {
        order_of(&ada, &order.id).await.payment_details.status == types::PaymentStatus::Refunded
    })
    .await;
    let refunded = order_of(&ada, &order.id).await;
    assert!(refunded
        .payment_details
        .refund_id
        .as_deref()
        .is_some_and(|id| id.starts_with("re_")));
    assert_eq!(stripe.refunds(), [(intent_id.clone(), order.total)]);
    let refund_request = stripe
        .requests()
        .await
        .into_iter()
        .find(|r| r.url.path() == "/v1/refunds")
        .expect("refund sent");
    let key = refund_request
        .headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        key.contains(&order.id),
        "the refund's key is the order's: {key}"
    );
    eventually("the refund push", || async {
        fcm.pushes()
            .await
            .iter()
            .any(|p| p.title == "Refund issued")
    })
    .await;

    // An event type the shop does not act on is acknowledged.
    let (other, other_signature) =
        stripe.event("evt_e2e_other", "payment_intent.created", &intent_id);
    assert!((200..300).contains(&deliver_webhook(&app, &other, &other_signature).await));
}

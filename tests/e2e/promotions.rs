//! Running promotions, priced quotes, and the limits on using a code.

use bakery_e2e::errors::{assert_error, assert_invalid};
use bakery_e2e::fixtures::{
    create_promotion, line, order_request, place_order, promotion_input, promotion_window,
    seed_catalog, v,
};
use bakery_e2e::{types, BakeryClient, TestApp};
use chrono::{Duration, Utc};

use types::DiscountType::{Fixed, Percentage};

async fn quote(
    client: &BakeryClient,
    code: &str,
    items: Vec<types::CartLine>,
) -> Result<bakery_e2e::ResponseValue<types::Quote>, bakery_e2e::ApiError> {
    client
        .api()
        .apply_promotion()
        .code(code)
        .body(types::ApplyPromotionRequest {
            items,
            fulfilment: None,
            delivery_address: None,
        })
        .send()
        .await
}

fn with_code(items: Vec<types::CartLine>, code: &str) -> types::PlaceOrderRequest {
    let mut request = order_request(items);
    request.promotion_code = Some(v(code));
    request
}

pub async fn only_running_promotions_are_listed(app: &TestApp) {
    let admin = app.admin().await;
    let now = Utc::now();
    create_promotion(&admin, promotion_input(Some("TENOFF"), Percentage, 10)).await;
    create_promotion(&admin, promotion_input(None, Fixed, 100)).await;
    let mut sleepy = promotion_input(Some("SLEEPY"), Percentage, 5);
    sleepy.is_active = false;
    create_promotion(&admin, sleepy).await;
    let later = promotion_window(
        Some("LATER"),
        Percentage,
        5,
        now + Duration::days(1),
        now + Duration::days(2),
    );
    create_promotion(&admin, later).await;
    let over = promotion_window(
        Some("OVER"),
        Percentage,
        5,
        now - Duration::days(10),
        now - Duration::days(1),
    );
    create_promotion(&admin, over).await;

    let page = app
        .client()
        .api()
        .list_promotions()
        .send()
        .await
        .unwrap()
        .into_inner();
    let mut listed: Vec<Option<&str>> = page.items.iter().map(|p| p.code.as_deref()).collect();
    listed.sort_unstable();
    assert_eq!(listed, [None, Some("TENOFF")]);
    assert_eq!((page.page, page.limit, page.total), (1, 20, 2));
    let tenoff = page
        .items
        .iter()
        .find(|p| p.code.as_deref() == Some("TENOFF"))
        .unwrap();
    assert_eq!(
        (tenoff.discount_type, tenoff.discount_value),
        (Percentage, 10)
    );
    assert_eq!(tenoff.used_count, 0);
    assert_invalid(
        app.client().api().list_promotions().limit(101).send().await,
        "limit",
    );
}

pub async fn apply_prices_a_cart(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    create_promotion(&admin, promotion_input(Some("TENOFF"), Percentage, 10)).await;
    let mut flat = promotion_input(Some("FLAT250"), Fixed, 250);
    flat.minimum_order_value = 1000;
    create_promotion(&admin, flat).await;
    let ada = app.customer("Ada", "+447700900801").await;

    // 4 × 150 = 600; 10 % off = 60; 540 taxed at 10 % = 54; delivery 300.
    let q = quote(&ada, "TENOFF", vec![line(&shop.croissant.id, 4)])
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            q.subtotal,
            q.discount,
            q.delivery_fee,
            q.taxes,
            q.total,
            q.currency.as_str()
        ),
        (600, 60, 300, 54, 894, "eur")
    );
    // Codes are case-insensitive.
    let q = quote(&ada, "tenoff", vec![line(&shop.croissant.id, 4)])
        .await
        .unwrap();
    assert_eq!(q.discount, 60);
    // 8 × 150 = 1200 reaches the minimum: 250 off, 950 taxed = 95.
    let q = quote(&ada, "FLAT250", vec![line(&shop.croissant.id, 8)])
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (q.subtotal, q.discount, q.delivery_fee, q.taxes, q.total),
        (1200, 250, 300, 95, 1345)
    );
    // A quote reserves nothing; the order charges the same.
    let order = place_order(&ada, with_code(vec![line(&shop.croissant.id, 4)], "TENOFF")).await;
    assert_eq!(
        (order.subtotal, order.discount, order.taxes, order.total),
        (600, 60, 54, 894)
    );
    assert_eq!(order.promotion_code.as_deref(), Some("TENOFF"));
}

pub async fn apply_errors(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let mut flat = promotion_input(Some("FLAT250"), Fixed, 250);
    flat.minimum_order_value = 1000;
    create_promotion(&admin, flat).await;
    let mut bread_only = promotion_input(Some("BREAD"), Percentage, 20);
    bread_only.applicable_products = vec![shop.baguette.id.parse().unwrap()];
    create_promotion(&admin, bread_only).await;
    let mut sleepy = promotion_input(Some("SLEEPY"), Percentage, 5);
    sleepy.is_active = false;
    create_promotion(&admin, sleepy).await;
    let ada = app.customer("Ada", "+447700900802").await;
    let croissants = || vec![line(&shop.croissant.id, 4)];

    assert_error(
        quote(&ada, "NOSUCHCODE", croissants()).await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        quote(&ada, "FLAT250", croissants()).await,
        409,
        "PROMOTION_NOT_APPLICABLE",
    );
    assert_error(
        quote(&ada, "BREAD", croissants()).await,
        409,
        "PROMOTION_NOT_APPLICABLE",
    );
    assert_error(
        quote(&ada, "SLEEPY", croissants()).await,
        409,
        "PROMOTION_NOT_APPLICABLE",
    );
    // The same refusal when ordering.
    let result = ada
        .api()
        .place_order()
        .body(with_code(croissants(), "BREAD"))
        .send()
        .await;
    assert_error(result, 409, "PROMOTION_NOT_APPLICABLE");
    // 20 % of the baguettes only: 2 × 120 = 240 → 48 off.
    let q = quote(
        &ada,
        "BREAD",
        vec![line(&shop.croissant.id, 2), line(&shop.baguette.id, 2)],
    )
    .await
    .unwrap();
    assert_eq!((q.subtotal, q.discount), (540, 48));

    assert_invalid(quote(&ada, "TENOFF", vec![]).await, "items");
    let result = quote(&app.client(), "FLAT250", croissants()).await;
    assert_error(result, 401, "UNAUTHORIZED");
}

pub async fn usage_limit_is_enforced(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let mut once = promotion_input(Some("ONCE"), Percentage, 10);
    once.usage_limit = std::num::NonZeroU32::new(1);
    let promotion = create_promotion(&admin, once).await;
    let ada = app.customer("Ada", "+447700900803").await;
    let ben = app.customer("Ben", "+447700900804").await;
    let cart = || vec![line(&shop.croissant.id, 4)];

    let adas = place_order(&ada, with_code(cart(), "ONCE")).await;
    assert_eq!(adas.discount, 60);
    assert_error(quote(&ben, "ONCE", cart()).await, 409, "PROMOTION_USED_UP");
    let result = ben
        .api()
        .place_order()
        .body(with_code(cart(), "ONCE"))
        .send()
        .await;
    assert_error(result, 409, "PROMOTION_USED_UP");
    let listed = admin.api().admin_list_promotions().send().await.unwrap();
    let used = listed
        .items
        .iter()
        .find(|p| p.id == promotion.id)
        .unwrap()
        .used_count;
    assert_eq!(used, 1);

    // Canceling gives the use back.
    ada.api()
        .cancel_order()
        .id(adas.id.as_str())
        .send()
        .await
        .unwrap();
    let bens = place_order(&ben, with_code(cart(), "ONCE")).await;
    assert_eq!(bens.discount, 60);
}

pub async fn per_customer_limit_is_enforced(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let mut welcome = promotion_input(Some("WELCOME"), Fixed, 100);
    welcome.per_user_limit = std::num::NonZeroU32::new(1);
    create_promotion(&admin, welcome).await;
    let ada = app.customer("Ada", "+447700900805").await;
    let ben = app.customer("Ben", "+447700900806").await;
    let cart = || vec![line(&shop.croissant.id, 4)];

    let first = place_order(&ada, with_code(cart(), "WELCOME")).await;
    assert_eq!(first.discount, 100);
    assert_error(
        quote(&ada, "WELCOME", cart()).await,
        409,
        "PROMOTION_USED_UP",
    );
    let result = ada
        .api()
        .place_order()
        .body(with_code(cart(), "WELCOME"))
        .send()
        .await;
    assert_error(result, 409, "PROMOTION_USED_UP");
    // Another customer still may.
    let bens = place_order(&ben, with_code(cart(), "WELCOME")).await;
    assert_eq!(bens.discount, 100);
}

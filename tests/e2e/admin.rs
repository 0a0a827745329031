//! Staff operations: catalog, promotions, the order book — and who may use them.

use bakery_e2e::errors::{assert_error, assert_invalid};
use bakery_e2e::fixtures::{
    advance, category_input, create_category, create_product, create_promotion, line,
    order_request, place_order, product_input, promotion_input, promotion_window, seed_catalog,
    update_category, update_product, update_promotion, v,
};
use bakery_e2e::{types, BakeryClient, TestApp};
use chrono::{Duration, Utc};

const UNKNOWN_ID: &str = "0123456789abcdef01234567";

/// Every admin operation once, with bodies good enough to reach the role check.
async fn every_admin_route(client: &BakeryClient, expect_status: u16, expect_code: &str) {
    order_book_routes(client, expect_status, expect_code).await;
    admin_only_routes(client, expect_status, expect_code).await;
}

/// The order book, which couriers share with admins.
async fn order_book_routes(client: &BakeryClient, s: u16, c: &str) {
    let api = client.api();
    assert_error(api.admin_list_orders().send().await, s, c);
    let status = types::StatusUpdate {
        status: types::OrderStatus::Preparing,
    };
    assert_error(
        api.admin_update_order_status()
            .id(UNKNOWN_ID)
            .body(status)
            .send()
            .await,
        s,
        c,
    );
}

/// The catalog, promotions and courier assignment: admins only.
pub async fn admin_only_routes(client: &BakeryClient, expect_status: u16, expect_code: &str) {
    let api = client.api();
    let product = || product_input(UNKNOWN_ID, "Scone", 200);
    let promotion = || promotion_input(Some("X"), types::DiscountType::Percentage, 5);
    let person = || types::DeliveryPersonInput {
        name: v("Paul"),
        phone: v("+447700900999"),
    };
    let (s, c) = (expect_status, expect_code);
    assert_error(
        api.admin_create_product().body(product()).send().await,
        s,
        c,
    );
    assert_error(
        api.admin_update_product()
            .id(UNKNOWN_ID)
            .body(product())
            .send()
            .await,
        s,
        c,
    );
    assert_error(api.admin_delete_product().id(UNKNOWN_ID).send().await, s, c);
    assert_error(
        api.admin_create_category()
            .body(category_input("Cakes", 3))
            .send()
            .await,
        s,
        c,
    );
    let result = api
        .admin_update_category()
        .id(UNKNOWN_ID)
        .body(category_input("Cakes", 3))
        .send()
        .await;
    assert_error(result, s, c);
    assert_error(
        api.admin_delete_category().id(UNKNOWN_ID).send().await,
        s,
        c,
    );
    let result = api
        .admin_assign_delivery_person()
        .id(UNKNOWN_ID)
        .body(person())
        .send()
        .await;
    assert_error(result, s, c);
    assert_error(api.admin_list_promotions().send().await, s, c);
    assert_error(
        api.admin_create_promotion().body(promotion()).send().await,
        s,
        c,
    );
    let result = api
        .admin_update_promotion()
        .id(UNKNOWN_ID)
        .body(promotion())
        .send()
        .await;
    assert_error(result, s, c);
    assert_error(
        api.admin_delete_promotion().id(UNKNOWN_ID).send().await,
        s,
        c,
    );
    // The kitchen's prep list: staff only, not couriers.
    assert_error(api.admin_prep_list().date("2026-12-24").send().await, s, c);
}

pub async fn customers_are_403_on_admin_routes(app: &TestApp) {
    let ada = app.customer("Ada", "+447700900901").await;
    every_admin_route(&ada, 403, "FORBIDDEN").await;
}

pub async fn admin_routes_need_a_token(app: &TestApp) {
    every_admin_route(&app.client(), 401, "UNAUTHORIZED").await;
}

pub async fn product_crud(app: &TestApp) {
    let admin = app.admin().await;
    let bread = create_category(&admin, category_input("Bread", 1)).await;
    let mut input = product_input(&bread.id, "Sourdough", 650);
    input.stock = Some(5);
    input.ingredients = vec![
        "flour".parse().unwrap(),
        "water".parse().unwrap(),
        "salt".parse().unwrap(),
    ];
    input.allergens = vec!["Gluten".parse().unwrap()];
    input.nutritional_info = Some(types::NutritionalInfo {
        calories: Some(250.0),
        carbs: Some(48.0),
        fat: Some(1.5),
        protein: Some(9.0),
    });
    let created = admin
        .api()
        .admin_create_product()
        .body(input)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let created = created.into_inner();
    assert_eq!(created.id.len(), 24);
    assert_eq!(
        (created.name.as_str(), created.price, created.stock),
        ("Sourdough", 650, Some(5))
    );
    assert_eq!(
        created.allergens,
        ["gluten"],
        "allergens are kept in lower case"
    );
    assert_eq!(created.ingredients, ["flour", "water", "salt"]);
    assert_eq!(created.nutritional_info.calories, Some(250.0));
    assert_eq!(created.category, bread.id);

    let mut change = product_input(&bread.id, "Sourdough loaf", 700);
    change.discount_price = Some(600);
    change.is_featured = true;
    let updated = update_product(&admin, &created.id, change).await;
    assert_eq!(updated.id, created.id);
    assert_eq!(
        (
            updated.name.as_str(),
            updated.price,
            updated.discount_price,
            updated.stock
        ),
        ("Sourdough loaf", 700, Some(600), None)
    );
    assert!(updated.is_featured);
    let seen = app
        .client()
        .api()
        .get_product()
        .id(created.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(seen.name, "Sourdough loaf");

    // Validation names the field.
    let mut bad = product_input(&bread.id, "Sourdough", 650);
    bad.discount_price = Some(650);
    assert_invalid(
        admin.api().admin_create_product().body(bad).send().await,
        "discountPrice",
    );
    let mut bad = product_input(&bread.id, "Sourdough", 650);
    bad.preparation_time = 2000;
    assert_invalid(
        admin.api().admin_create_product().body(bad).send().await,
        "preparationTime",
    );
    // An unknown category is not there, as an unknown product is not.
    let result = admin
        .api()
        .admin_create_product()
        .body(product_input(UNKNOWN_ID, "Scone", 200))
        .send()
        .await;
    assert_error(result, 404, "NOT_FOUND");
    let result = admin
        .api()
        .admin_update_product()
        .id(UNKNOWN_ID)
        .body(product_input(&bread.id, "Scone", 200))
        .send()
        .await;
    assert_error(result, 404, "NOT_FOUND");

    let deleted = admin
        .api()
        .admin_delete_product()
        .id(created.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let result = app
        .client()
        .api()
        .get_product()
        .id(created.id.as_str())
        .send()
        .await;
    assert_error(result, 404, "NOT_FOUND");
    let result = admin
        .api()
        .admin_delete_product()
        .id(created.id.as_str())
        .send()
        .await;
    assert_error(result, 404, "NOT_FOUND");
}

pub async fn category_crud_and_conflicts(app: &TestApp) {
    let admin = app.admin().await;
    let created = admin
        .api()
        .admin_create_category()
        .body(category_input("Cakes", 3))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let cakes = created.into_inner();
    assert_eq!(
        (cakes.name.as_str(), cakes.display_order, cakes.is_active),
        ("Cakes", 3, true)
    );

    let result = admin
        .api()
        .admin_create_category()
        .body(category_input("Cakes", 4))
        .send()
        .await;
    assert_error(result, 409, "DUPLICATE_NAME");
    // A blank name breaks the contract's pattern: the client refuses it before sending
    // (the server's own refusal: http::strict).
    assert!(types::CategoryInputName::try_from("  ").is_err());

    let mut change = category_input("Celebration cakes", 1);
    change.description = None;
    let updated = update_category(&admin, &cakes.id, change).await;
    assert_eq!(
        (
            updated.id.as_str(),
            updated.name.as_str(),
            updated.display_order,
            updated.description
        ),
        (cakes.id.as_str(), "Celebration cakes", 1, None)
    );
    let result = admin
        .api()
        .admin_update_category()
        .id(UNKNOWN_ID)
        .body(category_input("Pies", 1))
        .send()
        .await;
    assert_error(result, 404, "NOT_FOUND");

    // A category with products cannot go.
    let product = create_product(&admin, product_input(&cakes.id, "Opera", 3200)).await;
    let result = admin
        .api()
        .admin_delete_category()
        .id(cakes.id.as_str())
        .send()
        .await;
    assert_error(result, 409, "CATEGORY_IN_USE");
    admin
        .api()
        .admin_delete_product()
        .id(product.id.as_str())
        .send()
        .await
        .unwrap();
    let gone = admin
        .api()
        .admin_delete_category()
        .id(cakes.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status().as_u16(), 204);
    assert_eq!(
        app.client()
            .api()
            .list_categories()
            .send()
            .await
            .unwrap()
            .total,
        0
    );
    let result = admin
        .api()
        .admin_delete_category()
        .id(cakes.id.as_str())
        .send()
        .await;
    assert_error(result, 404, "NOT_FOUND");
}

pub async fn order_book_and_status_flow(app: &TestApp) {
    use types::OrderStatus::*;
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900902").await;
    let ben = app.customer("Ben", "+447700900903").await;
    let adas = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    let bens = place_order(&ben, order_request(vec![line(&shop.croissant.id, 1)])).await;

    let book = admin
        .api()
        .admin_list_orders()
        .send()
        .await
        .unwrap()
        .into_inner();
    let ids: Vec<&str> = book.items.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, [bens.id.as_str(), adas.id.as_str()]);
    assert_eq!(book.total, 2);
    let by_phone = admin
        .api()
        .admin_list_orders()
        .phone("+447700900902")
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = by_phone.items.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, [adas.id.as_str()]);
    let nobody = admin
        .api()
        .admin_list_orders()
        .phone("+447700900999")
        .send()
        .await
        .unwrap();
    assert_eq!(nobody.total, 0);
    let future = admin
        .api()
        .admin_list_orders()
        .from(Utc::now() + Duration::hours(1))
        .send()
        .await
        .unwrap();
    assert_eq!(future.total, 0);

    // Along the flow, with who did it.
    let preparing = advance(&admin, &adas.id, &[Preparing]).await;
    assert_eq!(preparing.order_status, Preparing);
    let result = admin
        .api()
        .admin_update_order_status()
        .id(adas.id.as_str())
        .body(types::StatusUpdate { status: Delivered })
        .send()
        .await;
    assert_error(result, 409, "ILLEGAL_STATUS_CHANGE");
    let delivered = advance(&admin, &adas.id, &[OutForDelivery, Delivered]).await;
    let history: Vec<(types::OrderStatus, types::Role)> = delivered
        .status_history
        .iter()
        .map(|c| (c.status.clone(), c.actor_role))
        .collect();
    assert_eq!(
        history,
        [
            (Placed, types::Role::Customer),
            (Preparing, types::Role::Admin),
            (OutForDelivery, types::Role::Admin),
            (Delivered, types::Role::Admin),
        ]
    );
    let result = admin
        .api()
        .admin_update_order_status()
        .id(adas.id.as_str())
        .body(types::StatusUpdate { status: Canceled })
        .send()
        .await;
    assert_error(result, 409, "ILLEGAL_STATUS_CHANGE");
    // Staff may cancel while preparing.
    advance(&admin, &bens.id, &[Preparing]).await;
    let canceled = advance(&admin, &bens.id, &[Canceled]).await;
    assert_eq!(canceled.order_status, Canceled);

    let delivered_only = admin
        .api()
        .admin_list_orders()
        .status(vec![Delivered])
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = delivered_only.items.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, [adas.id.as_str()]);
    let result = admin
        .api()
        .admin_update_order_status()
        .id(UNKNOWN_ID)
        .body(types::StatusUpdate { status: Preparing })
        .send()
        .await;
    assert_error(result, 404, "NOT_FOUND");
    assert_invalid(
        admin.api().admin_list_orders().limit(101).send().await,
        "limit",
    );
}

pub async fn delivery_person_and_tracking(app: &TestApp) {
    use types::OrderStatus::*;
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900904").await;
    let order = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    let person = |phone: &str| types::DeliveryPersonInput {
        name: v("Paul Courier"),
        phone: v(phone),
    };
    let assigned = admin
        .api()
        .admin_assign_delivery_person()
        .id(order.id.as_str())
        .body(person("+447700900950"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let courier = assigned.delivery_person.expect("assigned");
    assert_eq!(
        (courier.name.as_str(), courier.phone.as_str()),
        ("Paul Courier", "+447700900950")
    );
    advance(&admin, &order.id, &[Preparing, OutForDelivery]).await;
    let tracking = ada
        .api()
        .track_order()
        .id(order.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(tracking.status, OutForDelivery);
    let courier = tracking
        .delivery_person
        .as_ref()
        .expect("courier on the way");
    assert_eq!(courier.name, "Paul Courier");
    assert!(courier.location.is_none());

    // A phone without a country code breaks the contract's pattern: refused before sending.
    assert!(types::DeliveryPersonInputPhone::try_from("+0441234567").is_err());
    let result = admin
        .api()
        .admin_assign_delivery_person()
        .id(UNKNOWN_ID)
        .body(person("+447700900950"))
        .send()
        .await;
    assert_error(result, 404, "NOT_FOUND");
    advance(&admin, &order.id, &[Delivered]).await;
    let result = admin
        .api()
        .admin_assign_delivery_person()
        .id(order.id.as_str())
        .body(person("+447700900950"))
        .send()
        .await;
    assert_error(result, 409, "ILLEGAL_STATUS_CHANGE");
}

pub async fn promotion_crud_and_conflicts(app: &TestApp) {
    let admin = app.admin().await;
    let created = admin
        .api()
        .admin_create_promotion()
        .body(promotion_input(
            Some("spring-10"),
            types::DiscountType::Percentage,
            10,
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let spring = created.into_inner();
    assert_eq!(
        spring.code.as_deref(),
        Some("SPRING-10"),
        "codes are kept in upper case"
    );
    assert_eq!(
        (spring.used_count, spring.usage_limit, spring.per_user_limit),
        (0, None, None)
    );

    let result = admin
        .api()
        .admin_create_promotion()
        .body(promotion_input(
            Some("SPRING-10"),
            types::DiscountType::Fixed,
            100,
        ))
        .send()
        .await;
    assert_error(result, 409, "DUPLICATE_CODE");
    let now = Utc::now();
    let backwards = promotion_window(
        Some("BACK"),
        types::DiscountType::Fixed,
        100,
        now,
        now - Duration::days(1),
    );
    assert_invalid(
        admin
            .api()
            .admin_create_promotion()
            .body(backwards)
            .send()
            .await,
        "endDate",
    );
    let too_much = promotion_input(Some("HUGE"), types::DiscountType::Percentage, 150);
    assert_invalid(
        admin
            .api()
            .admin_create_promotion()
            .body(too_much)
            .send()
            .await,
        "discountValue",
    );

    // An inactive one is listed to staff, not to customers.
    let mut paused = promotion_input(Some("PAUSED"), types::DiscountType::Fixed, 50);
    paused.is_active = false;
    let paused = create_promotion(&admin, paused).await;
    let all = admin
        .api()
        .admin_list_promotions()
        .send()
        .await
        .unwrap()
        .into_inner();
    let mut codes: Vec<&str> = all.items.iter().filter_map(|p| p.code.as_deref()).collect();
    codes.sort_unstable();
    assert_eq!(codes, ["PAUSED", "SPRING-10"]);
    assert_eq!(all.total, 2);
    let public = app.client().api().list_promotions().send().await.unwrap();
    assert_eq!(public.total, 1);

    let mut change = promotion_input(Some("SPRING-15"), types::DiscountType::Percentage, 15);
    change.usage_limit = std::num::NonZeroU32::new(100);
    let updated = update_promotion(&admin, &spring.id, change).await;
    assert_eq!(
        (
            updated.id.as_str(),
            updated.code.as_deref(),
            updated.discount_value,
            updated.usage_limit
        ),
        (spring.id.as_str(), Some("SPRING-15"), 15, Some(100))
    );
    let result = admin
        .api()
        .admin_update_promotion()
        .id(paused.id.as_str())
        .body(promotion_input(
            Some("SPRING-15"),
            types::DiscountType::Fixed,
            50,
        ))
        .send()
        .await;
    assert_error(result, 409, "DUPLICATE_CODE");
    let result = admin
        .api()
        .admin_update_promotion()
        .id(UNKNOWN_ID)
        .body(promotion_input(Some("NEW"), types::DiscountType::Fixed, 50))
        .send()
        .await;
    assert_error(result, 404, "NOT_FOUND");

    let gone = admin
        .api()
        .admin_delete_promotion()
        .id(paused.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status().as_u16(), 204);
    let result = admin
        .api()
        .admin_delete_promotion()
        .id(paused.id.as_str())
        .send()
        .await;
    assert_error(result, 404, "NOT_FOUND");
    assert_eq!(
        admin
            .api()
            .admin_list_promotions()
            .send()
            .await
            .unwrap()
            .total,
        1
    );
}

//! A customer's orders: placing, listing, following, canceling; card payments refused where
//! the shop takes none; and the courier who picks an order up and reports where it is.

use bakery_e2e::errors::{assert_error, assert_invalid};
use bakery_e2e::fixtures::{
    self, line, order_request, place_order, product_input, seed_catalog, update_product, v,
};
use bakery_e2e::{types, BakeryClient, TestApp};
use chrono::{Duration, SubsecRound, Utc};

const UNKNOWN_ID: &str = "0123456789abcdef01234567";

pub async fn cash_order_is_priced_by_the_server(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let (ada, session) = app.customer_session("Ada", "+447700900601").await;
    let mut request = order_request(vec![
        line(&shop.croissant.id, 2),
        line(&shop.baguette.id, 1),
    ]);
    request.special_instructions = Some(v("Ring twice"));
    let placed = ada.api().place_order().body(request).send().await.unwrap();
    assert_eq!(placed.status().as_u16(), 201);
    let order = placed.into_inner();
    // 2 × 150 + 120 = 420; delivery 300 below 5000; 10 % tax on 420.
    assert_eq!(
        (
            order.subtotal,
            order.discount,
            order.delivery_fee,
            order.taxes,
            order.total
        ),
        (420, 0, 300, 42, 762)
    );
    assert_eq!(order.currency, "eur");
    assert_eq!(order.user, session.user.id);
    assert_eq!(order.order_status, types::OrderStatus::Placed);
    assert_eq!(order.payment_details.method, types::PaymentMethod::Cash);
    assert_eq!(order.payment_details.status, types::PaymentStatus::Pending);
    assert_eq!(order.special_instructions.as_deref(), Some("Ring twice"));
    assert_eq!(order.fulfilment, types::Fulfilment::Delivery);
    assert_eq!(
        order.delivery_address.as_ref().map(|a| a.city.as_str()),
        Some("Paris")
    );
    assert!(!order.is_scheduled);
    let items: Vec<(&str, u32, i64)> = order
        .items
        .iter()
        .map(|i| (i.name.as_str(), i.quantity, i.price))
        .collect();
    assert_eq!(items, [("Croissant", 2, 150), ("Baguette", 1, 120)]);
    // As soon as possible: the slowest item (10 min) plus the ride (30 min).
    assert_eq!(
        order.estimated_delivery_time - order.created_at,
        Duration::minutes(40)
    );
    let history: Vec<(types::OrderStatus, types::Role)> = order
        .status_history
        .iter()
        .map(|c| (c.status.clone(), c.actor_role))
        .collect();
    assert_eq!(
        history,
        [(types::OrderStatus::Placed, types::Role::Customer)]
    );

    // A large order delivers free: 21 × 2400 would exceed stock, so 11 croissants at 150
    // plus 2 galettes = 1650 + 4800 = 6450 ≥ 5000.
    let big = place_order(
        &ada,
        order_request(vec![
            line(&shop.croissant.id, 11),
            line(&shop.galette.id, 2),
        ]),
    )
    .await;
    assert_eq!(
        (big.subtotal, big.delivery_fee, big.taxes, big.total),
        (6450, 0, 645, 7095)
    );

    // A scheduled order keeps its time.
    let at = (Utc::now() + Duration::hours(3)).trunc_subsecs(0);
    let mut scheduled = order_request(vec![line(&shop.baguette.id, 1)]);
    scheduled.is_scheduled = Some(true);
    scheduled.scheduled_delivery_time = Some(at);
    let scheduled = place_order(&ada, scheduled).await;
    assert!(scheduled.is_scheduled);
    assert_eq!(scheduled.scheduled_delivery_time, Some(at));
    assert_eq!(scheduled.estimated_delivery_time, at);
}

pub async fn list_get_and_track_my_orders(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900602").await;
    let first = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    let second = place_order(&ada, order_request(vec![line(&shop.croissant.id, 1)])).await;
    bakery_e2e::fixtures::advance(&admin, &first.id, &[types::OrderStatus::Preparing]).await;

    let page = ada
        .api()
        .list_my_orders()
        .send()
        .await
        .unwrap()
        .into_inner();
    let ids: Vec<&str> = page.items.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, [second.id.as_str(), first.id.as_str()], "newest first");
    assert_eq!((page.page, page.limit, page.total), (1, 20, 2));

    let preparing = ada
        .api()
        .list_my_orders()
        .status(vec![types::OrderStatus::Preparing])
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = preparing.items.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, [first.id.as_str()]);
    let paged = ada
        .api()
        .list_my_orders()
        .limit(1)
        .page(2)
        .send()
        .await
        .unwrap();
    assert_eq!(paged.items[0].id, first.id);
    assert_eq!(paged.total, 2);

    let got = ada
        .api()
        .get_order()
        .id(first.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(got.order_status, types::OrderStatus::Preparing);
    assert_eq!(got.total, first.total);

    let tracking = ada
        .api()
        .track_order()
        .id(first.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(tracking.order_id, first.id);
    assert_eq!(tracking.status, types::OrderStatus::Preparing);
    let statuses: Vec<types::OrderStatus> =
        tracking.history.iter().map(|c| c.status.clone()).collect();
    assert_eq!(
        statuses,
        [types::OrderStatus::Placed, types::OrderStatus::Preparing]
    );
    assert_eq!(
        tracking.estimated_delivery_time,
        first.estimated_delivery_time
    );
    assert!(tracking.delivery_person.is_none());

    let result = ada.api().get_order().id(UNKNOWN_ID).send().await;
    assert_error(result, 404, "NOT_FOUND");
    let result = ada.api().track_order().id(UNKNOWN_ID).send().await;
    assert_error(result, 404, "NOT_FOUND");
    assert_invalid(ada.api().list_my_orders().limit(101).send().await, "limit");
}

pub async fn another_customers_order_is_404(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900603").await;
    let ben = app.customer("Ben", "+447700900604").await;
    let order = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    assert_error(
        ben.api().get_order().id(order.id.as_str()).send().await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        ben.api().track_order().id(order.id.as_str()).send().await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        ben.api().cancel_order().id(order.id.as_str()).send().await,
        404,
        "NOT_FOUND",
    );
    assert_eq!(ben.api().list_my_orders().send().await.unwrap().total, 0);
    // Untouched.
    let still = ada
        .api()
        .get_order()
        .id(order.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(still.order_status, types::OrderStatus::Placed);
}

pub async fn customer_cancels_a_placed_order(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900605").await;
    let order = place_order(&ada, order_request(vec![line(&shop.galette.id, 2)])).await;
    let stock = |app: &TestApp, id: String| {
        let api = app.client().api();
        async move {
            api.get_product()
                .id(id.as_str())
                .send()
                .await
                .unwrap()
                .stock
        }
    };
    assert_eq!(stock(app, shop.galette.id.clone()).await, Some(0));

    let canceled = ada
        .api()
        .cancel_order()
        .id(order.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(canceled.order_status, types::OrderStatus::Canceled);
    let last = canceled.status_history.last().unwrap();
    assert_eq!(
        (last.status.clone(), last.actor_role),
        (types::OrderStatus::Canceled, types::Role::Customer)
    );
    // The stock comes back.
    assert_eq!(stock(app, shop.galette.id.clone()).await, Some(2));
    // Twice is an illegal change.
    let result = ada.api().cancel_order().id(order.id.as_str()).send().await;
    assert_error(result, 409, "ILLEGAL_STATUS_CHANGE");

    // Once the kitchen started, only staff may cancel.
    let other = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    bakery_e2e::fixtures::advance(&admin, &other.id, &[types::OrderStatus::Preparing]).await;
    let result = ada.api().cancel_order().id(other.id.as_str()).send().await;
    assert_error(result, 409, "ILLEGAL_STATUS_CHANGE");
    let result = ada.api().cancel_order().id(UNKNOWN_ID).send().await;
    assert_error(result, 404, "NOT_FOUND");
}

pub async fn limited_stock_sells_out(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900606").await;
    let ben = app.customer("Ben", "+447700900607").await;
    let result = ada
        .api()
        .place_order()
        .body(order_request(vec![line(&shop.galette.id, 3)]))
        .send()
        .await;
    assert_error(result, 409, "OUT_OF_STOCK");
    // Nothing was taken by the refused order.
    let order = place_order(&ada, order_request(vec![line(&shop.galette.id, 2)])).await;
    // 2 × 2400 = 4800 < 5000: delivery is charged.
    assert_eq!(
        (order.subtotal, order.delivery_fee, order.taxes, order.total),
        (4800, 300, 480, 5580)
    );
    let result = ben
        .api()
        .place_order()
        .body(order_request(vec![
            line(&shop.baguette.id, 1),
            line(&shop.galette.id, 1),
        ]))
        .send()
        .await;
    assert_error(result, 409, "OUT_OF_STOCK");
    let galette = app
        .client()
        .api()
        .get_product()
        .id(shop.galette.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(galette.stock, Some(0));
    assert_eq!(ben.api().list_my_orders().send().await.unwrap().total, 0);
}

pub async fn card_orders_are_refused_without_a_provider(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900608").await;
    let mut request = order_request(vec![line(&shop.baguette.id, 1)]);
    request.payment_details.method = types::PaymentMethod::Card;
    let result = ada.api().place_order().body(request).send().await;
    assert_error(result, 409, "CARDS_NOT_TAKEN");
    assert_eq!(ada.api().list_my_orders().send().await.unwrap().total, 0);

    // A cash order has no card payment to start or confirm; a stranger's order is not found.
    let cash = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    let body = |id: &str| types::PaymentOrderRequest { order_id: v(id) };
    let ben = app.customer("Ben", "+447700900609").await;
    for (who, id, status, code) in [
        (&ada, cash.id.as_str(), 409, "ILLEGAL_STATUS_CHANGE"),
        (&ben, cash.id.as_str(), 404, "NOT_FOUND"),
        (&app.client(), cash.id.as_str(), 401, "UNAUTHORIZED"),
    ] {
        let result = who
            .api()
            .create_payment_intent()
            .body(body(id))
            .send()
            .await;
        assert_error(result, status, code);
        let result = who.api().confirm_payment().body(body(id)).send().await;
        assert_error(result, status, code);
    }
    // No webhook secret: no signature can be good.
    let result = app
        .client()
        .api()
        .payment_webhook()
        .stripe_signature("t=1,v1=00")
        .body(b"{\"id\":\"evt_1\"}".to_vec())
        .send()
        .await;
    assert_error(result, 401, "BAD_SIGNATURE");
}

pub async fn order_validation_names_the_field(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900609").await;
    let send = |request: types::PlaceOrderRequest| {
        let api = ada.api();
        async move { api.place_order().body(request).send().await }
    };
    assert_invalid(send(order_request(vec![])).await, "items");
    // The contract caps a line at 99; the server's schema check names the field's path.
    assert_invalid(
        send(order_request(vec![line(&shop.baguette.id, 100)])).await,
        "items[0].quantity",
    );
    // A well-formed cart naming a product that is gone conflicts with the catalog.
    assert_error(
        send(order_request(vec![
            line(&shop.baguette.id, 1),
            line(UNKNOWN_ID, 1),
        ]))
        .await,
        409,
        "PRODUCT_UNAVAILABLE",
    );
    let mut past = order_request(vec![line(&shop.baguette.id, 1)]);
    past.is_scheduled = Some(true);
    past.scheduled_delivery_time = Some(Utc::now() - Duration::hours(1));
    assert_invalid(send(past).await, "scheduledDeliveryTime");
    let mut missing = order_request(vec![line(&shop.baguette.id, 1)]);
    missing.is_scheduled = Some(true);
    assert_invalid(send(missing).await, "scheduledDeliveryTime");
    assert!(types::DeliveryAddressInputCity::try_from("  ").is_err());
    let mut unknown_code = order_request(vec![line(&shop.baguette.id, 1)]);
    unknown_code.promotion_code = Some(v("NOSUCHCODE"));
    assert_invalid(send(unknown_code).await, "promotionCode");
    assert_eq!(ada.api().list_my_orders().send().await.unwrap().total, 0);
}

pub async fn unavailable_product_is_a_conflict(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let mut input = product_input(&shop.bread.id, "Baguette", 120);
    input.is_available = false;
    update_product(&admin, &shop.baguette.id, input).await;
    let ada = app.customer("Ada", "+447700900610").await;
    let result = ada
        .api()
        .place_order()
        .body(order_request(vec![line(&shop.baguette.id, 1)]))
        .send()
        .await;
    assert_error(result, 409, "PRODUCT_UNAVAILABLE");
}

pub async fn order_routes_need_a_token(app: &TestApp) {
    let api = app.client().api();
    let request = order_request(vec![line(UNKNOWN_ID, 1)]);
    assert_error(
        api.place_order().body(request).send().await,
        401,
        "UNAUTHORIZED",
    );
    assert_error(api.list_my_orders().send().await, 401, "UNAUTHORIZED");
    assert_error(
        api.get_order().id(UNKNOWN_ID).send().await,
        401,
        "UNAUTHORIZED",
    );
    assert_error(
        api.cancel_order().id(UNKNOWN_ID).send().await,
        401,
        "UNAUTHORIZED",
    );
    assert_error(
        api.track_order().id(UNKNOWN_ID).send().await,
        401,
        "UNAUTHORIZED",
    );
}

/// Staff give an order to the courier, who signed in through the SDK like any app.
async fn assign_courier(admin: &BakeryClient, courier: &BakeryClient, order: &str) -> types::Order {
    let me = courier
        .api()
        .get_profile()
        .send()
        .await
        .unwrap()
        .into_inner();
    admin
        .api()
        .admin_assign_delivery_person()
        .id(order)
        .body(types::DeliveryPersonInput {
            name: v(me.name.as_str()),
            phone: v(me.phone.as_str()),
        })
        .send()
        .await
        .unwrap()
        .into_inner()
}

fn location(longitude: f64, latitude: f64) -> types::LocationUpdate {
    types::LocationUpdate {
        longitude,
        latitude,
    }
}

pub async fn courier_picks_up_and_reports_the_location(app: &TestApp) {
    use types::OrderStatus::*;
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let courier = app.courier().await;
    let me = courier.api().get_profile().send().await.unwrap();
    assert_eq!(me.role, types::Role::Delivery);
    let ada = app.customer("Ada", "+447700900611").await;
    let order = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;

    let assigned = assign_courier(&admin, &courier, &order.id).await;
    let person = assigned.delivery_person.expect("assigned");
    assert_eq!(
        (person.name.as_str(), person.phone.as_str()),
        (me.name.as_str(), me.phone.as_str())
    );
    fixtures::advance(&admin, &order.id, &[Preparing]).await;
    // The courier picks the order up: preparing -> out_for_delivery is theirs to make.
    let picked = fixtures::advance(&courier, &order.id, &[OutForDelivery]).await;
    assert_eq!(picked.order_status, OutForDelivery);
    let last = picked.status_history.last().unwrap();
    assert_eq!(
        (last.status.clone(), last.actor_role, last.actor.as_str()),
        (OutForDelivery, types::Role::Delivery, me.id.as_str())
    );

    let reported = courier
        .api()
        .report_location()
        .id(order.id.as_str())
        .body(location(2.3522, 48.8566))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(reported.order_id, order.id);
    assert_eq!(reported.status, OutForDelivery);
    let on_the_way = reported.delivery_person.expect("courier");
    assert_eq!(
        on_the_way.location.expect("location").coordinates,
        [2.3522, 48.8566]
    );
    assert!(on_the_way.location_updated_at.is_some());

    // The customer's tracking screen shows exactly that position, and follows the next one.
    let tracking = ada
        .api()
        .track_order()
        .id(order.id.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(tracking.status, OutForDelivery);
    let seen = tracking.delivery_person.expect("courier");
    assert_eq!(seen.name, me.name);
    assert_eq!(
        seen.location.expect("location").coordinates,
        [2.3522, 48.8566]
    );
    courier
        .api()
        .report_location()
        .id(order.id.as_str())
        .body(location(-0.1276, 51.5072))
        .send()
        .await
        .unwrap();
    let tracking = ada
        .api()
        .track_order()
        .id(order.id.as_str())
        .send()
        .await
        .unwrap();
    let seen = tracking.delivery_person.as_ref().expect("courier");
    assert_eq!(
        seen.location.as_ref().expect("location").coordinates,
        [-0.1276, 51.5072]
    );

    // An admin may report too (a dispatcher relaying a phone call).
    admin
        .api()
        .report_location()
        .id(order.id.as_str())
        .body(location(180.0, -90.0))
        .send()
        .await
        .unwrap();
    // And the courier delivers.
    let delivered = fixtures::advance(&courier, &order.id, &[Delivered]).await;
    assert_eq!(delivered.order_status, Delivered);
}

pub async fn couriers_cannot_cancel_nor_manage_the_catalog(app: &TestApp) {
    use types::OrderStatus::*;
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let courier = app.courier().await;
    let ada = app.customer("Ada", "+447700900612").await;
    let placed = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    let preparing = place_order(&ada, order_request(vec![line(&shop.croissant.id, 1)])).await;
    fixtures::advance(&admin, &preparing.id, &[Preparing]).await;
    // Not even on orders assigned to them: an order they were not given is a 404 to them.
    let result = courier
        .api()
        .cancel_order()
        .id(placed.id.as_str())
        .send()
        .await;
    assert_error(result, 404, "NOT_FOUND");
    for order in [&placed, &preparing] {
        assign_courier(&admin, &courier, &order.id).await;
    }

    for order in [&placed.id, &preparing.id] {
        let result = courier
            .api()
            .admin_update_order_status()
            .id(order.as_str())
            .body(types::StatusUpdate { status: Canceled })
            .send()
            .await;
        assert_error(result, 409, "ILLEGAL_STATUS_CHANGE");
        let result = courier.api().cancel_order().id(order.as_str()).send().await;
        assert_error(result, 409, "ILLEGAL_STATUS_CHANGE");
    }
    // Nor start the kitchen.
    let result = courier
        .api()
        .admin_update_order_status()
        .id(placed.id.as_str())
        .body(types::StatusUpdate { status: Preparing })
        .send()
        .await;
    assert_error(result, 409, "ILLEGAL_STATUS_CHANGE");
    let orders = [&placed, &preparing].map(|o| {
        let api = ada.api();
        let id = o.id.clone();
        async move {
            api.get_order()
                .id(id.as_str())
                .send()
                .await
                .unwrap()
                .into_inner()
                .order_status
        }
    });
    let [a, b] = orders;
    assert_eq!((a.await, b.await), (Placed, Preparing), "untouched");

    // The catalog, promotions and couriers are the admin's.
    crate::admin::admin_only_routes(&courier, 403, "FORBIDDEN").await;

    // The courier account is staff, never a customer: the use case refuses that role.
    let phone = bakery_core::domain::Phone::parse("+447700900952").unwrap();
    let refused = app
        .bakery
        .create_staff(
            "Not Staff",
            &phone,
            "long-enough-password",
            bakery_core::domain::Role::Customer,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, bakery_core::Error::Validation { field, .. } if field == "role"),
        "{refused:?}"
    );
}

pub async fn customers_cannot_report_a_location(app: &TestApp) {
    use types::OrderStatus::*;
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let courier = app.courier().await;
    let ada = app.customer("Ada", "+447700900613").await;
    let order = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    assign_courier(&admin, &courier, &order.id).await;
    fixtures::advance(&admin, &order.id, &[Preparing, OutForDelivery]).await;

    let result = ada
        .api()
        .report_location()
        .id(order.id.as_str())
        .body(location(2.3522, 48.8566))
        .send()
        .await;
    assert_error(result, 403, "FORBIDDEN");
    let tracking = ada
        .api()
        .track_order()
        .id(order.id.as_str())
        .send()
        .await
        .unwrap();
    let person = tracking.delivery_person.as_ref().expect("courier");
    assert!(person.location.is_none(), "nothing was recorded");
    let result = app
        .client()
        .api()
        .report_location()
        .id(order.id.as_str())
        .body(location(2.3522, 48.8566))
        .send()
        .await;
    assert_error(result, 401, "UNAUTHORIZED");
}

pub async fn location_needs_an_order_out_for_delivery(app: &TestApp) {
    use types::OrderStatus::*;
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let courier = app.courier().await;
    let ada = app.customer("Ada", "+447700900614").await;
    let order = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    assign_courier(&admin, &courier, &order.id).await;
    let report = |id: String, longitude: f64, latitude: f64| {
        let api = courier.api();
        async move {
            api.report_location()
                .id(id.as_str())
                .body(location(longitude, latitude))
                .send()
                .await
        }
    };

    // Placed, then preparing: not on its way yet.
    assert_error(
        report(order.id.clone(), 2.35, 48.85).await,
        409,
        "ILLEGAL_STATUS_CHANGE",
    );
    fixtures::advance(&admin, &order.id, &[Preparing]).await;
    assert_error(
        report(order.id.clone(), 2.35, 48.85).await,
        409,
        "ILLEGAL_STATUS_CHANGE",
    );
    // Out for delivery, the position is checked.
    fixtures::advance(&courier, &order.id, &[OutForDelivery]).await;
    assert_invalid(report(order.id.clone(), 180.5, 48.85).await, "longitude");
    assert_invalid(report(order.id.clone(), 2.35, -90.5).await, "latitude");
    report(order.id.clone(), 2.35, 48.85).await.unwrap();
    // Delivered: over.
    fixtures::advance(&courier, &order.id, &[Delivered]).await;
    assert_error(
        report(order.id.clone(), 2.35, 48.85).await,
        409,
        "ILLEGAL_STATUS_CHANGE",
    );

    // Out for delivery without a courier assigned: not this courier's delivery (a courier
    // sees only the orders assigned to them: 404, as for a stranger's order), and staff have
    // nobody to place on the map.
    let unassigned = place_order(&ada, order_request(vec![line(&shop.croissant.id, 1)])).await;
    fixtures::advance(&admin, &unassigned.id, &[Preparing, OutForDelivery]).await;
    assert_error(
        report(unassigned.id.clone(), 2.35, 48.85).await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        admin
            .api()
            .report_location()
            .id(unassigned.id.as_str())
            .body(location(2.35, 48.85))
            .send()
            .await,
        409,
        "ILLEGAL_STATUS_CHANGE",
    );

    // Another courier cannot move someone else's delivery on the map.
    let other_phone = bakery_core::domain::Phone::parse("+447700900699").unwrap();
    app.bakery
        .create_staff(
            "Other Courier",
            &other_phone,
            "other-courier-pw",
            bakery_core::domain::Role::Delivery,
        )
        .await
        .unwrap();
    let other = app
        .login_with_password("+447700900699", "other-courier-pw")
        .await;
    let theirs = place_order(&ada, order_request(vec![line(&shop.croissant.id, 1)])).await;
    assign_courier(&admin, &courier, &theirs.id).await;
    fixtures::advance(&admin, &theirs.id, &[Preparing, OutForDelivery]).await;
    assert_error(
        other
            .api()
            .report_location()
            .id(theirs.id.as_str())
            .body(location(2.35, 48.85))
            .send()
            .await,
        404,
        "NOT_FOUND",
    );
    report(theirs.id.clone(), 2.35, 48.85).await.unwrap();
    assert_error(
        report(UNKNOWN_ID.to_owned(), 2.35, 48.85).await,
        404,
        "NOT_FOUND",
    );
}

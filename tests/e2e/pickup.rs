//! Pickup orders: collected at the counter, so no address, no delivery fee, no courier, and
//! their own statuses (`ready_for_pickup`, `picked_up`) beside the delivery ones.

use bakery_e2e::errors::{assert_error, assert_invalid};
use bakery_e2e::fixtures::{advance, line, order_request, place_order, seed_catalog, v};
use bakery_e2e::{types, BakeryClient, TestApp};
use chrono::Duration;
use serde_json::Value;

/// A cash order for `items`, collected at the counter as soon as it is ready.
fn pickup_request(items: Vec<types::CartLine>) -> types::PlaceOrderRequest {
    types::PlaceOrderRequest {
        fulfilment: Some(types::Fulfilment::Pickup),
        delivery_address: None,
        ..order_request(items)
    }
}

/// The order exactly as the server sends it, bypassing the SDK's types.
async fn raw_order(app: &TestApp, client: &BakeryClient, id: &str) -> Value {
    let token = client.tokens().expect("signed in").access_token;
    let answer = reqwest::Client::new()
        .get(format!("{}/api/v1/orders/{id}", app.base_url))
        .bearer_auth(token)
        .send()
        .await
        .expect("send");
    assert_eq!(answer.status().as_u16(), 200);
    answer.json().await.expect("an order")
}

pub async fn a_pickup_goes_from_the_kitchen_to_the_counter(app: &TestApp) {
    use types::OrderStatus::*;
    let admin = app.admin().await;
    let courier = app.courier().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900801").await;

    let order = place_order(
        &ada,
        pickup_request(vec![
            line(&shop.croissant.id, 2),
            line(&shop.baguette.id, 1),
        ]),
    )
    .await;
    // 2 × 150 + 120 = 420, no delivery fee, 10 % tax on 420.
    assert_eq!(
        (order.subtotal, order.delivery_fee, order.taxes, order.total),
        (420, 0, 42, 462)
    );
    assert_eq!(order.fulfilment, types::Fulfilment::Pickup);
    assert!(order.delivery_address.is_none());
    // Ready once the slowest item (10 min) is made: no ride.
    assert_eq!(
        order.estimated_delivery_time - order.created_at,
        Duration::minutes(10)
    );
    // The wire has no `deliveryAddress` at all (absent, not null), as the contract says.
    let raw = raw_order(app, &ada, &order.id).await;
    assert_eq!(raw["fulfilment"], "pickup", "{raw}");
    assert!(raw.get("deliveryAddress").is_none(), "{raw}");
    assert!(raw.get("deliveryPerson").is_none(), "{raw}");

    // No courier for a pickup.
    let me = courier
        .api()
        .get_profile()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_error(
        admin
            .api()
            .admin_assign_courier()
            .id(order.id.as_str())
            .body(types::CourierInput {
                courier_id: v(me.id.as_str()),
            })
            .send()
            .await,
        409,
        "NOT_A_DELIVERY",
    );
    assert_error(
        admin
            .api()
            .report_location()
            .id(order.id.as_str())
            .body(types::LocationUpdate {
                longitude: 2.35,
                latitude: 48.85,
            })
            .send()
            .await,
        409,
        "NOT_A_DELIVERY",
    );

    advance(&admin, &order.id, &[Preparing]).await;
    for wrong in [OutForDelivery, Delivered, PickedUp] {
        assert_error(
            admin
                .api()
                .admin_update_order_status()
                .id(order.id.as_str())
                .body(types::StatusUpdate {
                    status: wrong.clone(),
                })
                .send()
                .await,
            409,
            "ILLEGAL_STATUS_CHANGE",
        );
    }
    let ready = advance(&admin, &order.id, &[ReadyForPickup]).await;
    assert_eq!(ready.order_status, ReadyForPickup);
    let tracking = ada
        .api()
        .track_order()
        .id(order.id.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (tracking.fulfilment, tracking.status),
        (types::Fulfilment::Pickup, ReadyForPickup)
    );
    let inbox = ada.api().list_notifications().send().await.unwrap();
    assert_eq!(inbox.items[0].title, "Ready for pickup");

    // The counter's list shows pickups only.
    let counter = admin
        .api()
        .admin_list_orders()
        .fulfilment(types::Fulfilment::Pickup)
        .status(vec![ReadyForPickup])
        .send()
        .await
        .unwrap()
        .into_inner();
    let ids: Vec<&str> = counter.items.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, [order.id.as_str()]);

    let collected = advance(&admin, &order.id, &[PickedUp]).await;
    let history: Vec<types::OrderStatus> = collected
        .status_history
        .iter()
        .map(|c| c.status.clone())
        .collect();
    assert_eq!(history, [Placed, Preparing, ReadyForPickup, PickedUp]);
    let inbox = ada.api().list_notifications().send().await.unwrap();
    assert_eq!(inbox.items[0].title, "Order picked up");
    assert_error(
        ada.api().cancel_order().id(order.id.as_str()).send().await,
        409,
        "ILLEGAL_STATUS_CHANGE",
    );

    // Deliveries stay as they were, and never wait on the counter.
    let delivery = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    assert_eq!(
        (delivery.fulfilment, delivery.delivery_fee),
        (types::Fulfilment::Delivery, 300)
    );
    advance(&admin, &delivery.id, &[Preparing]).await;
    assert_error(
        admin
            .api()
            .admin_update_order_status()
            .id(delivery.id.as_str())
            .body(types::StatusUpdate {
                status: ReadyForPickup,
            })
            .send()
            .await,
        409,
        "ILLEGAL_STATUS_CHANGE",
    );
    let deliveries = admin
        .api()
        .admin_list_orders()
        .fulfilment(types::Fulfilment::Delivery)
        .send()
        .await
        .unwrap()
        .into_inner();
    let ids: Vec<&str> = deliveries.items.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, [delivery.id.as_str()]);
}

pub async fn the_address_goes_with_a_delivery_only(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900802").await;

    let with_address = types::PlaceOrderRequest {
        delivery_address: order_request(vec![]).delivery_address,
        ..pickup_request(vec![line(&shop.baguette.id, 1)])
    };
    let body = assert_invalid(
        ada.api().place_order().body(with_address).send().await,
        "deliveryAddress",
    );
    assert!(
        body.message.contains("must be absent for pickup"),
        "{body:?}"
    );
    // Without `fulfilment` an order is a delivery, as before pickup existed.
    let without = types::PlaceOrderRequest {
        delivery_address: None,
        ..order_request(vec![line(&shop.baguette.id, 1)])
    };
    let body = assert_invalid(
        ada.api().place_order().body(without).send().await,
        "deliveryAddress",
    );
    assert!(body.message.contains("required for delivery"), "{body:?}");
    let explicit = types::PlaceOrderRequest {
        fulfilment: Some(types::Fulfilment::Delivery),
        delivery_address: None,
        ..order_request(vec![line(&shop.baguette.id, 1)])
    };
    assert_invalid(
        ada.api().place_order().body(explicit).send().await,
        "deliveryAddress",
    );
    let none = ada.api().list_my_orders().send().await.unwrap();
    assert_eq!(none.total, 0, "nothing was placed");

    // A customer cancels a pickup the kitchen has not started.
    let order = place_order(&ada, pickup_request(vec![line(&shop.galette.id, 2)])).await;
    let canceled = ada
        .api()
        .cancel_order()
        .id(order.id.as_str())
        .idempotency_key(bakery_sdk::new_idempotency_key())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(canceled.order_status, types::OrderStatus::Canceled);
    // The stock came back: both galettes can be ordered again.
    place_order(&ada, pickup_request(vec![line(&shop.galette.id, 2)])).await;
}

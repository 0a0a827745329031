use bakery_core::domain::{
    DiscountType, Fulfilment, Id, Money, OrderStatus, PageRequest, PaymentMethod, PromotionDraft,
    Rating,
};
use bakery_core::error::ConflictCode;
use bakery_core::services::{CartLine, OrderRequest};
use bakery_core::Error;
use chrono::Duration;

use crate::support::{address, shop, TestShop};

fn request(items: Vec<(Id, u32)>, code: Option<&str>) -> OrderRequest {
    OrderRequest {
        items: items
            .into_iter()
            .map(|(product, quantity)| CartLine::new(product, quantity))
            .collect(),
        fulfilment: Fulfilment::Delivery,
        delivery_address: Some(address()),
        payment_method: PaymentMethod::Cash,
        promotion_code: code.map(str::to_owned),
        scheduled_delivery_time: None,
        special_instructions: Some("Ring twice".into()),
    }
}

async fn promotion(shop: &TestShop, code: &str, percent: i64, usage_limit: Option<u32>) {
    let now = chrono::Utc::now();
    let draft = PromotionDraft {
        title: "Autumn".into(),
        description: "10% off".into(),
        image: None,
        discount_type: DiscountType::Percentage,
        discount_value: percent,
        code: Some(code.into()),
        minimum_order_value: Money::from_minor(500),
        start_date: now - Duration::days(1),
        end_date: now + Duration::days(30),
        is_active: true,
        applicable_products: vec![],
        usage_limit,
        per_user_limit: None,
    };
    shop.bakery
        .create_promotion(&shop.admin, draft)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_order_is_priced_from_the_catalog_with_its_promotion() {
    let shop = shop().await;
    let customer = shop.customer(30).await;
    let cat = shop.category("Pastries").await;
    let croissant = shop.product(&cat, "Croissant", 250, Some(10)).await;
    let tart = shop.product(&cat, "Tart", 1000, None).await;
    promotion(&shop, "autumn10", 10, Some(5)).await;

    let order = shop
        .bakery
        .place_order(
            &customer,
            request(
                vec![(croissant.clone(), 4), (tart.clone(), 1)],
                Some(" Autumn10 "),
            ),
        )
        .await
        .unwrap();
    assert_eq!(order.subtotal.minor(), 2000);
    assert_eq!(order.discount.minor(), 200);
    assert_eq!(order.delivery_fee.minor(), 300);
    assert_eq!(order.taxes.minor(), 180);
    assert_eq!(order.total.minor(), 2000 - 200 + 300 + 180);
    assert_eq!(order.currency.as_str(), "eur");
    assert_eq!(order.promotion_code.as_deref(), Some("AUTUMN10"));
    assert_eq!(order.order_status, OrderStatus::Placed);
    assert_eq!(
        shop.bakery.product(&croissant).await.unwrap().stock,
        Some(6)
    );

    let quote = shop
        .bakery
        .preview_promotion(
            &customer,
            "AUTUMN10",
            &[CartLine::new(tart.clone(), 1)],
            Fulfilment::Delivery,
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        (
            quote.subtotal.minor(),
            quote.discount.minor(),
            quote.total.minor()
        ),
        (1000, 100, 900 + 300 + 90)
    );
}

#[tokio::test]
async fn cancel_gives_back_stock_and_the_promotion_use() {
    let shop = shop().await;
    let customer = shop.customer(31).await;
    let cat = shop.category("Pastries").await;
    let croissant = shop.product(&cat, "Croissant", 250, Some(3)).await;
    promotion(&shop, "ONCE", 10, Some(1)).await;

    let order = shop
        .bakery
        .place_order(
            &customer,
            request(vec![(croissant.clone(), 3)], Some("ONCE")),
        )
        .await
        .unwrap();
    let sold_out = shop
        .bakery
        .place_order(&customer, request(vec![(croissant.clone(), 1)], None))
        .await
        .unwrap_err();
    assert_eq!(sold_out.code(), "OUT_OF_STOCK");

    shop.bakery
        .cancel_order(&customer, &order.id)
        .await
        .unwrap();
    assert_eq!(
        shop.bakery.product(&croissant).await.unwrap().stock,
        Some(3)
    );
    let again = shop
        .bakery
        .place_order(&customer, request(vec![(croissant, 3)], Some("ONCE")))
        .await
        .unwrap();
    assert_eq!(
        again.discount.minor(),
        75,
        "the promotion use came back with the cancel"
    );
}

#[tokio::test]
async fn the_status_flow_is_enforced_recorded_and_announced() {
    let shop = shop().await;
    let customer = shop.customer(32).await;
    let other = shop.customer(33).await;
    let cat = shop.category("Breads").await;
    let bread = shop.product(&cat, "Rye", 400, None).await;
    let order = shop
        .bakery
        .place_order(&customer, request(vec![(bread.clone(), 1)], None))
        .await
        .unwrap();

    assert!(matches!(
        shop.bakery.order(&other, &order.id).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        shop.bakery.cancel_order(&other, &order.id).await,
        Err(Error::NotFound { .. })
    ));
    let skip = shop
        .bakery
        .advance_status(&shop.admin, &order.id, OrderStatus::Delivered)
        .await
        .unwrap_err();
    assert_eq!(skip.code(), "ILLEGAL_STATUS_CHANGE");
    assert!(matches!(
        shop.bakery
            .advance_status(&customer, &order.id, OrderStatus::Preparing)
            .await,
        Err(Error::Conflict { .. })
    ));
    let review_too_early = shop
        .bakery
        .create_review(&customer, &bread, Rating::parse(5).unwrap(), None)
        .await;
    assert_eq!(review_too_early.unwrap_err().code(), "NOT_PURCHASED");

    for to in [
        OrderStatus::Preparing,
        OrderStatus::OutForDelivery,
        OrderStatus::Delivered,
    ] {
        shop.clock.advance(Duration::minutes(10));
        shop.bakery
            .advance_status(&shop.admin, &order.id, to)
            .await
            .unwrap();
    }
    let delivered = shop.bakery.order(&customer, &order.id).await.unwrap();
    let history: Vec<OrderStatus> = delivered.status_history.iter().map(|c| c.status).collect();
    assert_eq!(
        history,
        vec![
            OrderStatus::Placed,
            OrderStatus::Preparing,
            OrderStatus::OutForDelivery,
            OrderStatus::Delivered
        ]
    );
    assert_eq!(delivered.status_history[1].actor_id, shop.admin.user_id);
    assert_eq!(
        shop.bakery
            .cancel_order(&customer, &order.id)
            .await
            .unwrap_err()
            .code(),
        "ILLEGAL_STATUS_CHANGE"
    );

    let inbox = shop
        .bakery
        .notifications(&customer, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(inbox.total, 4, "placed + three status changes");
    assert_eq!(inbox.items[0].title, "Order delivered");

    let review = shop
        .bakery
        .create_review(
            &customer,
            &bread,
            Rating::parse(4).unwrap(),
            Some("Lovely crust"),
        )
        .await
        .unwrap();
    let dup = shop
        .bakery
        .create_review(&customer, &bread, Rating::parse(2).unwrap(), None)
        .await
        .unwrap_err();
    assert_eq!(dup.code(), "DUPLICATE_REVIEW");
    assert_eq!(shop.bakery.product(&bread).await.unwrap().ratings.count, 1);
    assert!(matches!(
        shop.bakery
            .update_review(&other, &review.id, Rating::parse(1).unwrap(), None)
            .await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn scheduled_orders_respect_preparation_time_and_card_needs_a_provider() {
    let shop = shop().await;
    let customer = shop.customer(34).await;
    let cat = shop.category("Cakes").await;
    let cake = shop.product(&cat, "Birthday cake", 3000, None).await;
    let mut too_soon = request(vec![(cake.clone(), 1)], None);
    too_soon.scheduled_delivery_time = Some(chrono::Utc::now() + Duration::minutes(5));
    match shop.bakery.place_order(&customer, too_soon).await {
        Err(Error::Validation { field, .. }) => assert_eq!(field, "scheduledDeliveryTime"),
        other => panic!("{other:?}"),
    }
    let mut tomorrow = request(vec![(cake.clone(), 1)], None);
    let at = bakery_core::domain::time::truncate(chrono::Utc::now() + Duration::days(1));
    tomorrow.scheduled_delivery_time = Some(at);
    let order = shop.bakery.place_order(&customer, tomorrow).await.unwrap();
    assert!(order.is_scheduled);
    assert_eq!(order.estimated_delivery_time, at);

    let mut card = request(vec![(cake, 1)], None);
    card.payment_method = PaymentMethod::Card;
    assert!(matches!(
        shop.bakery.place_order(&customer, card).await,
        Err(Error::Conflict {
            code: ConflictCode::CardsNotTaken,
            ..
        })
    ));
}

/// Every committed change is published once, in order, with a growing `seq`; a courier
/// account sees and moves only the orders assigned to it.
#[tokio::test]
async fn order_changes_are_published_after_commit_and_couriers_touch_only_theirs() {
    use bakery_core::domain::GeoPoint;
    use bakery_core::ports::{OrderChange, Received};
    use bakery_core::services::LocationReport;

    let shop = shop().await;
    let customer = shop.customer(40).await;
    let courier = shop.courier("Dan Driver", 41).await;
    let other_courier = shop.courier("Eve Express", 42).await;
    let cat = shop.category("Breads").await;
    let bread = shop.product(&cat, "Rye", 400, None).await;
    let mut events = shop.bakery.subscribe_events();

    let order = shop
        .bakery
        .place_order(&customer, request(vec![(bread, 1)], None))
        .await
        .unwrap();
    // Not a courier account: refused, nothing published.
    assert_eq!(
        shop.bakery
            .assign_courier(&shop.admin, &order.id, &customer.user_id)
            .await
            .unwrap_err()
            .code(),
        "NOT_FOUND"
    );
    assert!(matches!(
        shop.bakery.order(&courier, &order.id).await,
        Err(Error::NotFound { .. })
    ));
    shop.bakery
        .advance_status(&shop.admin, &order.id, OrderStatus::Preparing)
        .await
        .unwrap();
    let assigned = shop
        .bakery
        .assign_courier(&shop.admin, &order.id, &courier.user_id)
        .await
        .unwrap();
    let person = assigned.delivery_person.clone().unwrap();
    assert_eq!(person.name, "Dan Driver");
    assert_eq!(person.courier_id.as_ref(), Some(&courier.user_id));
    assert!(matches!(
        shop.bakery
            .advance_status(&other_courier, &order.id, OrderStatus::OutForDelivery)
            .await,
        Err(Error::NotFound { .. })
    ));
    shop.bakery
        .advance_status(&courier, &order.id, OrderStatus::OutForDelivery)
        .await
        .unwrap();
    let here = GeoPoint::parse(2.35, 48.85).unwrap();
    let bad = LocationReport {
        heading: Some(400.0),
        ..LocationReport::at(here)
    };
    assert_eq!(
        shop.bakery
            .report_location(&courier, &order.id, bad)
            .await
            .unwrap_err()
            .code(),
        "VALIDATION_FAILED"
    );
    shop.bakery
        .report_location(&courier, &order.id, LocationReport::at(here))
        .await
        .unwrap();
    shop.bakery
        .advance_status(&courier, &order.id, OrderStatus::Delivered)
        .await
        .unwrap();
    let mine = shop
        .bakery
        .courier_orders(&courier, Vec::new(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(mine.total, 1);
    let theirs = shop
        .bakery
        .courier_orders(&other_courier, Vec::new(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(theirs.total, 0);

    let mut seen = Vec::new();
    while seen.len() < 6 {
        match tokio::time::timeout(std::time::Duration::from_secs(1), events.next()).await {
            Ok(Some(Received::Event(event))) => {
                assert_eq!(event.order_id, order.id);
                seen.push(event);
            }
            other => panic!("expected an event, got {other:?}"),
        }
    }
    let kinds: Vec<&str> = seen
        .iter()
        .map(|e| match &e.change {
            OrderChange::Placed { .. } => "placed",
            OrderChange::Status { status, .. } => status.as_str(),
            OrderChange::Assigned { .. } => "assigned",
            OrderChange::Location { .. } => "location",
            OrderChange::Eta { .. } => "eta",
            OrderChange::Payment { .. } => "payment",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "placed",
            "preparing",
            "assigned",
            "out_for_delivery",
            "location",
            "delivered"
        ]
    );
    assert!(seen.windows(2).all(|w| w[0].seq < w[1].seq), "seq grows");
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(50), events.next())
            .await
            .is_err()
    );
}

/// A pickup order for `items`, paid in cash at the counter.
fn pickup(items: Vec<(Id, u32)>) -> OrderRequest {
    OrderRequest {
        fulfilment: Fulfilment::Pickup,
        delivery_address: None,
        ..request(items, None)
    }
}

#[tokio::test]
async fn a_pickup_pays_no_delivery_fee_and_is_due_when_it_is_ready() {
    let shop = shop().await;
    let customer = shop.customer(50).await;
    let cat = shop.category("Breads").await;
    let bread = shop.product(&cat, "Sourdough", 600, None).await;

    let delivered = shop
        .bakery
        .place_order(&customer, request(vec![(bread.clone(), 2)], None))
        .await
        .unwrap();
    let collected = shop
        .bakery
        .place_order(&customer, pickup(vec![(bread.clone(), 2)]))
        .await
        .unwrap();
    assert_eq!(delivered.fulfilment, Fulfilment::Delivery);
    assert_eq!(delivered.delivery_fee.minor(), 300);
    assert_eq!(collected.fulfilment, Fulfilment::Pickup);
    assert_eq!(collected.delivery_address, None);
    assert_eq!(collected.delivery_fee, Money::ZERO);
    assert_eq!(collected.taxes, delivered.taxes);
    assert_eq!(collected.total.minor(), delivered.total.minor() - 300);
    // Ready when the slowest item is baked (20 minutes); a delivery adds the ride (30).
    assert_eq!(
        collected.estimated_delivery_time,
        collected.created_at + Duration::minutes(20)
    );
    assert_eq!(
        delivered.estimated_delivery_time,
        delivered.created_at + Duration::minutes(50)
    );
    let inbox = shop
        .bakery
        .notifications(&customer, PageRequest::default())
        .await
        .unwrap();
    assert!(
        inbox.items[0].message.contains("pickup order"),
        "{:?}",
        inbox.items[0]
    );

    // A scheduled pickup keeps the scheduling rules of a delivery.
    let mut too_soon = pickup(vec![(bread.clone(), 1)]);
    too_soon.scheduled_delivery_time = Some(shop.bakery.now() + Duration::minutes(5));
    match shop.bakery.place_order(&customer, too_soon).await {
        Err(Error::Validation { field, .. }) => assert_eq!(field, "scheduledDeliveryTime"),
        other => panic!("{other:?}"),
    }
    let mut tomorrow = pickup(vec![(bread, 1)]);
    let at = bakery_core::domain::time::truncate(shop.bakery.now() + Duration::days(1));
    tomorrow.scheduled_delivery_time = Some(at);
    let scheduled = shop.bakery.place_order(&customer, tomorrow).await.unwrap();
    assert_eq!(scheduled.estimated_delivery_time, at);
}

#[tokio::test]
async fn the_address_is_required_for_a_delivery_and_refused_for_a_pickup() {
    let shop = shop().await;
    let customer = shop.customer(51).await;
    let cat = shop.category("Breads").await;
    let bread = shop.product(&cat, "Rye", 400, Some(5)).await;

    let no_address = OrderRequest {
        delivery_address: None,
        ..request(vec![(bread.clone(), 1)], None)
    };
    let with_address = OrderRequest {
        delivery_address: Some(address()),
        ..pickup(vec![(bread.clone(), 1)])
    };
    for (request, why) in [
        (no_address, "required for delivery"),
        (with_address, "must be absent for pickup"),
    ] {
        match shop.bakery.place_order(&customer, request).await {
            Err(Error::Validation { field, message }) => {
                assert_eq!(field, "deliveryAddress");
                assert_eq!(message, why);
            }
            other => panic!("{other:?}"),
        }
    }
    // Refused before anything is written: no stock was taken.
    assert_eq!(shop.bakery.product(&bread).await.unwrap().stock, Some(5));
}

#[tokio::test]
async fn a_pickup_goes_over_the_counter_and_never_out_for_delivery() {
    use bakery_core::domain::GeoPoint;
    use bakery_core::services::LocationReport;

    let shop = shop().await;
    let customer = shop.customer(52).await;
    let courier = shop.courier("Dan Driver", 53).await;
    let cat = shop.category("Breads").await;
    let bread = shop.product(&cat, "Rye", 400, None).await;
    let order = shop
        .bakery
        .place_order(&customer, pickup(vec![(bread.clone(), 1)]))
        .await
        .unwrap();

    // No courier for a pickup, by account or by name.
    let refused = shop
        .bakery
        .assign_courier(&shop.admin, &order.id, &courier.user_id)
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        Error::Conflict {
            code: ConflictCode::NotADelivery,
            ..
        }
    ));
    assert_eq!(refused.code(), "NOT_A_DELIVERY");
    assert_eq!(
        shop.bakery
            .assign_delivery_person(&shop.admin, &order.id, "Sam", crate::support::phone(54))
            .await
            .unwrap_err()
            .code(),
        "NOT_A_DELIVERY"
    );
    assert_eq!(
        shop.bakery
            .report_location(
                &shop.admin,
                &order.id,
                LocationReport::at(GeoPoint::parse(2.35, 48.85).unwrap())
            )
            .await
            .unwrap_err()
            .code(),
        "NOT_A_DELIVERY"
    );
    // A courier cannot even see it.
    assert!(matches!(
        shop.bakery
            .advance_status(&courier, &order.id, OrderStatus::Preparing)
            .await,
        Err(Error::NotFound { .. })
    ));

    shop.bakery
        .advance_status(&shop.admin, &order.id, OrderStatus::Preparing)
        .await
        .unwrap();
    for wrong in [
        OrderStatus::OutForDelivery,
        OrderStatus::Delivered,
        OrderStatus::PickedUp,
    ] {
        let err = shop
            .bakery
            .advance_status(&shop.admin, &order.id, wrong)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "ILLEGAL_STATUS_CHANGE", "{wrong}");
    }
    let ready = shop
        .bakery
        .advance_status(&shop.admin, &order.id, OrderStatus::ReadyForPickup)
        .await
        .unwrap();
    assert!(ready.order_status.is_open());
    assert_eq!(
        shop.bakery
            .advance_status(&shop.admin, &order.id, OrderStatus::Canceled)
            .await
            .unwrap_err()
            .code(),
        "ILLEGAL_STATUS_CHANGE",
        "waiting on the counter is too late to cancel"
    );
    let inbox = shop
        .bakery
        .notifications(&customer, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(inbox.items[0].title, "Ready for pickup");

    let picked_up = shop
        .bakery
        .advance_status(&shop.admin, &order.id, OrderStatus::PickedUp)
        .await
        .unwrap();
    let history: Vec<OrderStatus> = picked_up.status_history.iter().map(|c| c.status).collect();
    assert_eq!(
        history,
        vec![
            OrderStatus::Placed,
            OrderStatus::Preparing,
            OrderStatus::ReadyForPickup,
            OrderStatus::PickedUp
        ]
    );
    assert!(!picked_up.order_status.is_open());
    assert_eq!(
        shop.bakery
            .cancel_order(&customer, &order.id)
            .await
            .unwrap_err()
            .code(),
        "ILLEGAL_STATUS_CHANGE"
    );
    let inbox = shop
        .bakery
        .notifications(&customer, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(inbox.total, 4, "placed + three status changes");
    assert_eq!(inbox.items[0].title, "Order picked up");
    // Collecting it is a purchase: the customer may review what they took home.
    shop.bakery
        .create_review(&customer, &bread, Rating::parse(5).unwrap(), None)
        .await
        .unwrap();

    // The counter's list: pickups only, or deliveries only.
    let delivery = shop
        .bakery
        .place_order(&customer, request(vec![(bread, 1)], None))
        .await
        .unwrap();
    // A delivery never waits on the counter.
    shop.bakery
        .advance_status(&shop.admin, &delivery.id, OrderStatus::Preparing)
        .await
        .unwrap();
    assert_eq!(
        shop.bakery
            .advance_status(&shop.admin, &delivery.id, OrderStatus::ReadyForPickup)
            .await
            .unwrap_err()
            .code(),
        "ILLEGAL_STATUS_CHANGE"
    );
    for (fulfilment, expected) in [
        (Some(Fulfilment::Pickup), &order.id),
        (Some(Fulfilment::Delivery), &delivery.id),
    ] {
        let query = bakery_core::services::StaffOrderQuery {
            fulfilment,
            ..Default::default()
        };
        let page = shop
            .bakery
            .staff_orders(&shop.admin, query, PageRequest::default())
            .await
            .unwrap();
        let ids: Vec<&Id> = page.items.iter().map(|o| &o.id).collect();
        assert_eq!(ids, vec![expected], "{fulfilment:?}");
    }
}

#[tokio::test]
async fn the_customer_may_cancel_a_pickup_the_kitchen_has_not_started() {
    let shop = shop().await;
    let customer = shop.customer(55).await;
    let cat = shop.category("Cakes").await;
    let cake = shop.product(&cat, "Tart", 900, Some(2)).await;
    let order = shop
        .bakery
        .place_order(&customer, pickup(vec![(cake.clone(), 2)]))
        .await
        .unwrap();
    assert_eq!(shop.bakery.product(&cake).await.unwrap().stock, Some(0));
    let canceled = shop
        .bakery
        .cancel_order(&customer, &order.id)
        .await
        .unwrap();
    assert_eq!(canceled.order_status, OrderStatus::Canceled);
    assert_eq!(shop.bakery.product(&cake).await.unwrap().stock, Some(2));
}

use bakery_core::domain::{
    DeliveryPerson, Fulfilment, GeoPoint, Id, Money, Order, OrderStatus, PaymentStatus, Role,
};
use bakery_core::error::ConflictCode;
use bakery_core::ports::{OrderQuery, TransitionOrder};

use crate::fixtures::*;

fn order_ids(orders: &[Order]) -> Vec<Id> {
    orders.iter().map(|o| o.id.clone()).collect()
}

async fn transition(
    store: &Shared,
    order: &Id,
    from: OrderStatus,
    to: OrderStatus,
) -> Option<Order> {
    let role = if to == OrderStatus::Canceled {
        Role::Customer
    } else {
        Role::Admin
    };
    store
        .orders
        .transition_order(&TransitionOrder {
            payment: None,
            order_id: order.clone(),
            from,
            change: change(to, &Id::generate(), role),
            effects: Vec::new(),
        })
        .await
        .expect("transition")
}

/// Walks a placed order through to delivered.
async fn deliver(store: &Shared, order: &Id) {
    use OrderStatus::*;
    for (from, to) in [
        (Placed, Preparing),
        (Preparing, OutForDelivery),
        (OutForDelivery, Delivered),
    ] {
        assert!(
            transition(store, order, from, to).await.is_some(),
            "{from} -> {to}"
        );
    }
}

pub async fn place_order_decrements_limited_stock_only(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let limited = stored_product(&store, &category.id, "Croissant", 250, Some(5)).await;
    let unlimited = stored_product(&store, &category.id, "Baguette", 150, None).await;
    let untouched = stored_product(&store, &category.id, "Brioche", 300, Some(9)).await;
    let user = stored_user(&store, "Ann").await;

    let order = order(&user.id, &[(&limited, 2), (&unlimited, 3)]);
    store
        .orders
        .place_order(&place(order.clone()))
        .await
        .unwrap();

    assert_eq!(
        store.orders.get_order(&order.id).await.unwrap(),
        Some(order.clone())
    );
    let limited_now = reload_product(&store, &limited.id).await;
    assert_eq!(limited_now.stock, Some(3));
    assert_eq!(limited_now.units_sold, 2);
    let unlimited_now = reload_product(&store, &unlimited.id).await;
    assert_eq!(unlimited_now.stock, None);
    assert_eq!(unlimited_now.units_sold, 3);
    assert_eq!(reload_product(&store, &untouched.id).await, untouched);
}

/// An order line keeps the options chosen with their labels, texts and deltas; two lines of
/// one product with different options take stock together.
pub async fn order_lines_keep_their_options(store: Shared) {
    let category = stored_category(&store, "Cakes").await;
    let mut cake = product(&category.id, "Birthday cake", 2400, Some(5));
    cake.option_groups = cake_groups();
    store.catalog.insert_product(&cake).await.unwrap();
    let user = stored_user(&store, "Zoé").await;

    let mut order = order(&user.id, &[(&cake, 1), (&cake, 2)]);
    order.items[0].options = cake_choices();
    order.items[0].price = Money::from_minor(2400 + 1400 + 150 + 200);
    store
        .orders
        .place_order(&place(order.clone()))
        .await
        .unwrap();
    assert_eq!(
        store.orders.get_order(&order.id).await.unwrap(),
        Some(order.clone())
    );
    let (listed, _) = store
        .orders
        .list_orders(
            &OrderQuery {
                user: Some(user.id.clone()),
                ..OrderQuery::default()
            },
            bakery_core::domain::PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(listed, vec![order.clone()]);
    assert_eq!(reload_product(&store, &cake.id).await.stock, Some(2));
}

pub async fn place_order_counts_repeated_lines_together(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let limited = stored_product(&store, &category.id, "Croissant", 250, Some(4)).await;
    let user = stored_user(&store, "Ann").await;

    // Two lines of the same product: 3 units in all, more than 2 but within 4.
    let order = order(&user.id, &[(&limited, 2), (&limited, 1)]);
    store
        .orders
        .place_order(&place(order.clone()))
        .await
        .unwrap();
    let now_is = reload_product(&store, &limited.id).await;
    assert_eq!((now_is.stock, now_is.units_sold), (Some(1), 3));

    // 2 units over two lines when only 1 is left: refused as a whole.
    let too_many = crate::fixtures::order(&user.id, &[(&limited, 1), (&limited, 1)]);
    assert_conflict(
        store.orders.place_order(&place(too_many.clone())).await,
        ConflictCode::OutOfStock,
    );
    let now_is = reload_product(&store, &limited.id).await;
    assert_eq!((now_is.stock, now_is.units_sold), (Some(1), 3));
    assert_eq!(store.orders.get_order(&too_many.id).await.unwrap(), None);
}

pub async fn stock_can_reach_exactly_zero(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let limited = stored_product(&store, &category.id, "Croissant", 250, Some(2)).await;
    let user = stored_user(&store, "Ann").await;
    store
        .orders
        .place_order(&place(order(&user.id, &[(&limited, 2)])))
        .await
        .unwrap();
    assert_eq!(reload_product(&store, &limited.id).await.stock, Some(0));
    assert_conflict(
        store
            .orders
            .place_order(&place(order(&user.id, &[(&limited, 1)])))
            .await,
        ConflictCode::OutOfStock,
    );
    assert_eq!(reload_product(&store, &limited.id).await.stock, Some(0));
}

pub async fn out_of_stock_changes_nothing(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let plenty = stored_product(&store, &category.id, "Brioche", 300, Some(5)).await;
    let unlimited = stored_product(&store, &category.id, "Baguette", 150, None).await;
    let scarce = stored_product(&store, &category.id, "Croissant", 250, Some(1)).await;
    let promotion = stored_promotion(&store, "SPRING", Some(10), None).await;
    let user = stored_user(&store, "Ann").await;

    // The lines that can be covered come first, so a store that writes line by line
    // without a transaction would have changed them.
    let order = order(&user.id, &[(&plenty, 2), (&unlimited, 1), (&scarce, 3)]);
    assert_conflict(
        store
            .orders
            .place_order(&place_with(order.clone(), &promotion))
            .await,
        ConflictCode::OutOfStock,
    );

    assert_eq!(store.orders.get_order(&order.id).await.unwrap(), None);
    assert_eq!(reload_product(&store, &plenty.id).await, plenty);
    assert_eq!(reload_product(&store, &unlimited.id).await, unlimited);
    assert_eq!(reload_product(&store, &scarce.id).await, scarce);
    assert_eq!(reload_promotion(&store, &promotion.id).await.used_count, 0);
    assert_eq!(
        store
            .orders
            .promotion_uses_by(&user.id, &promotion.id)
            .await
            .unwrap(),
        0
    );
    let (orders, total) = store
        .orders
        .list_orders(&OrderQuery::default(), all())
        .await
        .unwrap();
    assert_eq!((orders.len(), total), (0, 0));
}

pub async fn place_order_with_promotion_counts_it(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let product = stored_product(&store, &category.id, "Croissant", 250, None).await;
    let promotion = stored_promotion(&store, "WELCOME", Some(2), Some(1)).await;
    let ann = stored_user(&store, "Ann").await;
    let bob = stored_user(&store, "Bob").await;
    let cat = stored_user(&store, "Cat").await;

    let first = order(&ann.id, &[(&product, 1)]);
    store
        .orders
        .place_order(&place_with(first.clone(), &promotion))
        .await
        .unwrap();
    let stored = reload_order(&store, &first.id).await;
    assert_eq!(stored.promotion_id, Some(promotion.id.clone()));
    assert_eq!(stored.promotion_code.as_deref(), Some("WELCOME"));
    assert_eq!(reload_promotion(&store, &promotion.id).await.used_count, 1);
    assert_eq!(
        store
            .orders
            .promotion_uses_by(&ann.id, &promotion.id)
            .await
            .unwrap(),
        1
    );

    // Ann's second use breaks the per-user limit.
    let again = order(&ann.id, &[(&product, 1)]);
    assert_conflict(
        store
            .orders
            .place_order(&place_with(again.clone(), &promotion))
            .await,
        ConflictCode::PromotionUsedUp,
    );
    assert_eq!(store.orders.get_order(&again.id).await.unwrap(), None);
    assert_eq!(reload_promotion(&store, &promotion.id).await.used_count, 1);

    // Bob takes the last one; Cat finds it used up.
    store
        .orders
        .place_order(&place_with(order(&bob.id, &[(&product, 1)]), &promotion))
        .await
        .unwrap();
    let late = order(&cat.id, &[(&product, 1)]);
    assert_conflict(
        store
            .orders
            .place_order(&place_with(late.clone(), &promotion))
            .await,
        ConflictCode::PromotionUsedUp,
    );
    assert_eq!(store.orders.get_order(&late.id).await.unwrap(), None);
    assert_eq!(reload_promotion(&store, &promotion.id).await.used_count, 2);
    // A refused order did not sell anything either.
    assert_eq!(reload_product(&store, &product.id).await.units_sold, 2);
}

pub async fn list_orders_filters_and_orders_newest_first(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let product = stored_product(&store, &category.id, "Croissant", 250, None).await;
    let ann = stored_user(&store, "Ann").await;
    let bob = stored_user(&store, "Bob").await;
    let base = base_time();

    // (user, minutes after base), inserted out of time order.
    let plan = [
        (&ann, 30),
        (&bob, 10),
        (&ann, 0),
        (&ann, 50),
        (&bob, 40),
        (&ann, 20),
    ];
    let mut placed = Vec::new();
    for (user, offset) in plan {
        let o = order_at(&user.id, &[(&product, 1)], base + minutes(offset));
        store.orders.place_order(&place(o.clone())).await.unwrap();
        placed.push(o);
    }
    let at = |offset: i64| {
        placed
            .iter()
            .find(|o| o.created_at == base + minutes(offset))
            .unwrap()
            .id
            .clone()
    };
    // Move ann@20 to preparing and ann@50 to canceled.
    assert!(
        transition(&store, &at(20), OrderStatus::Placed, OrderStatus::Preparing)
            .await
            .is_some()
    );
    assert!(
        transition(&store, &at(50), OrderStatus::Placed, OrderStatus::Canceled)
            .await
            .is_some()
    );

    let (every, total) = store
        .orders
        .list_orders(&OrderQuery::default(), all())
        .await
        .unwrap();
    assert_eq!(total, 6);
    assert_eq!(
        order_ids(&every),
        vec![at(50), at(40), at(30), at(20), at(10), at(0)]
    );

    let anns = OrderQuery {
        user: Some(ann.id.clone()),
        ..OrderQuery::default()
    };
    let (items, total) = store.orders.list_orders(&anns, all()).await.unwrap();
    assert_eq!(total, 4);
    assert_eq!(order_ids(&items), vec![at(50), at(30), at(20), at(0)]);

    let (second, total) = store.orders.list_orders(&anns, page(2, 2)).await.unwrap();
    assert_eq!(total, 4);
    assert_eq!(order_ids(&second), vec![at(20), at(0)]);

    let anns_open = OrderQuery {
        user: Some(ann.id.clone()),
        statuses: vec![OrderStatus::Placed, OrderStatus::Preparing],
        ..OrderQuery::default()
    };
    let (items, total) = store.orders.list_orders(&anns_open, all()).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(order_ids(&items), vec![at(30), at(20), at(0)]);

    let canceled = OrderQuery {
        statuses: vec![OrderStatus::Canceled],
        ..OrderQuery::default()
    };
    let (items, total) = store.orders.list_orders(&canceled, all()).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(order_ids(&items), vec![at(50)]);
    assert_eq!(items[0].order_status, OrderStatus::Canceled);

    let window = OrderQuery {
        created_from: Some(base + minutes(5)),
        created_to: Some(base + minutes(45)),
        ..OrderQuery::default()
    };
    let (items, total) = store.orders.list_orders(&window, all()).await.unwrap();
    assert_eq!(total, 4);
    assert_eq!(order_ids(&items), vec![at(40), at(30), at(20), at(10)]);

    let bobs_since = OrderQuery {
        user: Some(bob.id.clone()),
        created_from: Some(base + minutes(15)),
        ..OrderQuery::default()
    };
    let (items, total) = store.orders.list_orders(&bobs_since, all()).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(order_ids(&items), vec![at(40)]);

    let until = OrderQuery {
        created_to: Some(base + minutes(15)),
        ..OrderQuery::default()
    };
    let (items, total) = store.orders.list_orders(&until, all()).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(order_ids(&items), vec![at(10), at(0)]);

    let nobody = OrderQuery {
        user: Some(Id::generate()),
        ..OrderQuery::default()
    };
    let (items, total) = store.orders.list_orders(&nobody, all()).await.unwrap();
    assert_eq!((items.len(), total), (0, 0));
}

pub async fn transition_is_conditional_and_appends_history(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let product = stored_product(&store, &category.id, "Croissant", 250, Some(10)).await;
    let user = stored_user(&store, "Ann").await;
    let order = order(&user.id, &[(&product, 2)]);
    store
        .orders
        .place_order(&place(order.clone()))
        .await
        .unwrap();

    let staff = Id::generate();
    let preparing = change(OrderStatus::Preparing, &staff, Role::Admin);
    let updated = store
        .orders
        .transition_order(&TransitionOrder {
            payment: None,
            order_id: order.id.clone(),
            from: OrderStatus::Placed,
            change: preparing.clone(),
            effects: Vec::new(),
        })
        .await
        .unwrap()
        .expect("placed -> preparing applies");
    assert_eq!(updated.order_status, OrderStatus::Preparing);
    assert_eq!(
        updated.status_history,
        vec![order.status_history[0].clone(), preparing.clone()]
    );
    assert_eq!(reload_order(&store, &order.id).await, updated);

    // Still claiming it is placed: refused, nothing written.
    let stale = store
        .orders
        .transition_order(&TransitionOrder {
            payment: None,
            order_id: order.id.clone(),
            from: OrderStatus::Placed,
            change: change(OrderStatus::Canceled, &user.id, Role::Customer),
            effects: Vec::new(),
        })
        .await
        .unwrap();
    assert_eq!(stale, None);
    assert_eq!(reload_order(&store, &order.id).await, updated);
    assert_eq!(reload_product(&store, &product.id).await.stock, Some(8));

    let out = change(OrderStatus::OutForDelivery, &staff, Role::Delivery);
    let moved = store
        .orders
        .transition_order(&TransitionOrder {
            payment: None,
            order_id: order.id.clone(),
            from: OrderStatus::Preparing,
            change: out.clone(),
            effects: Vec::new(),
        })
        .await
        .unwrap()
        .expect("preparing -> out_for_delivery");
    assert_eq!(moved.order_status, OrderStatus::OutForDelivery);
    assert_eq!(moved.status_history.len(), 3);
    assert_eq!(moved.status_history[2], out);

    let missing = store
        .orders
        .transition_order(&TransitionOrder {
            payment: None,
            order_id: Id::generate(),
            from: OrderStatus::Placed,
            change: change(OrderStatus::Preparing, &staff, Role::Admin),
            effects: Vec::new(),
        })
        .await
        .unwrap();
    assert_eq!(missing, None);
}

pub async fn cancel_gives_back_stock_units_and_promotion(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let limited = stored_product(&store, &category.id, "Croissant", 250, Some(5)).await;
    let unlimited = stored_product(&store, &category.id, "Baguette", 150, None).await;
    let promotion = stored_promotion(&store, "SPRING", Some(5), Some(2)).await;
    let user = stored_user(&store, "Ann").await;

    let keep = order(&user.id, &[(&limited, 1)]);
    store
        .orders
        .place_order(&place_with(keep.clone(), &promotion))
        .await
        .unwrap();
    let order = order(&user.id, &[(&limited, 2), (&unlimited, 4)]);
    store
        .orders
        .place_order(&place_with(order.clone(), &promotion))
        .await
        .unwrap();
    assert_eq!(reload_product(&store, &limited.id).await.stock, Some(2));
    assert_eq!(reload_promotion(&store, &promotion.id).await.used_count, 2);
    assert_eq!(
        store
            .orders
            .promotion_uses_by(&user.id, &promotion.id)
            .await
            .unwrap(),
        2
    );

    let canceled = transition(
        &store,
        &order.id,
        OrderStatus::Placed,
        OrderStatus::Canceled,
    )
    .await
    .expect("cancel applies");
    assert_eq!(canceled.order_status, OrderStatus::Canceled);
    assert_eq!(canceled.status_history.len(), 2);
    assert_eq!(canceled.status_history[1].status, OrderStatus::Canceled);

    let limited_now = reload_product(&store, &limited.id).await;
    assert_eq!((limited_now.stock, limited_now.units_sold), (Some(4), 1));
    let unlimited_now = reload_product(&store, &unlimited.id).await;
    assert_eq!((unlimited_now.stock, unlimited_now.units_sold), (None, 0));
    assert_eq!(reload_promotion(&store, &promotion.id).await.used_count, 1);
    assert_eq!(
        store
            .orders
            .promotion_uses_by(&user.id, &promotion.id)
            .await
            .unwrap(),
        1
    );

    // The redemption given back can be used again.
    store
        .orders
        .place_order(&place_with(
            crate::fixtures::order(&user.id, &[(&limited, 1)]),
            &promotion,
        ))
        .await
        .unwrap();
    assert_eq!(reload_promotion(&store, &promotion.id).await.used_count, 2);

    // A second cancel finds it no longer placed and gives nothing back twice.
    assert_eq!(
        transition(
            &store,
            &order.id,
            OrderStatus::Placed,
            OrderStatus::Canceled
        )
        .await,
        None
    );
    let limited_now = reload_product(&store, &limited.id).await;
    assert_eq!((limited_now.stock, limited_now.units_sold), (Some(3), 2));
}

pub async fn staff_cancel_while_preparing_gives_back_stock(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let limited = stored_product(&store, &category.id, "Croissant", 250, Some(5)).await;
    let user = stored_user(&store, "Ann").await;
    let order = order(&user.id, &[(&limited, 3)]);
    store
        .orders
        .place_order(&place(order.clone()))
        .await
        .unwrap();
    assert!(transition(
        &store,
        &order.id,
        OrderStatus::Placed,
        OrderStatus::Preparing
    )
    .await
    .is_some());
    let canceled = store
        .orders
        .transition_order(&TransitionOrder {
            payment: None,
            order_id: order.id.clone(),
            from: OrderStatus::Preparing,
            change: change(OrderStatus::Canceled, &Id::generate(), Role::Admin),
            effects: Vec::new(),
        })
        .await
        .unwrap()
        .expect("preparing -> canceled");
    assert_eq!(canceled.status_history.len(), 3);
    let now_is = reload_product(&store, &limited.id).await;
    assert_eq!((now_is.stock, now_is.units_sold), (Some(5), 0));
}

pub async fn delivery_person_and_location(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let product = stored_product(&store, &category.id, "Croissant", 250, None).await;
    let user = stored_user(&store, "Ann").await;
    let order = order(&user.id, &[(&product, 1)]);
    store
        .orders
        .place_order(&place(order.clone()))
        .await
        .unwrap();

    let here = GeoPoint::parse(-0.1576, 51.5238).unwrap();
    assert_eq!(
        store
            .orders
            .update_delivery_location(&order.id, here, None, now())
            .await
            .unwrap(),
        None,
        "no courier yet"
    );
    assert_eq!(reload_order(&store, &order.id).await.delivery_person, None);

    let person = courier("Dan Driver");
    let assigned = store
        .orders
        .set_delivery_person(&order.id, &person, now())
        .await
        .unwrap()
        .expect("order exists");
    assert_eq!(assigned.delivery_person, Some(person.clone()));
    assert_eq!(assigned.order_status, OrderStatus::Placed);
    assert_eq!(reload_order(&store, &order.id).await, assigned);

    let at = now();
    let located = store
        .orders
        .update_delivery_location(&order.id, here, None, at)
        .await
        .unwrap()
        .expect("has a courier");
    let located_person = located.delivery_person.clone().expect("courier kept");
    assert_eq!(located_person.name, person.name);
    assert_eq!(located_person.phone, person.phone);
    assert_eq!(located_person.location, Some(here));
    assert_eq!(located_person.location_updated_at, Some(at));
    assert_eq!(reload_order(&store, &order.id).await, located);

    let later = GeoPoint::parse(-0.1400, 51.5300).unwrap();
    let at2 = now() + minutes(1);
    // With a new ETA: stored in the same update, and the revision counts both changes.
    let eta = at2 + minutes(12);
    let moved = store
        .orders
        .update_delivery_location(&order.id, later, Some(eta), at2)
        .await
        .unwrap()
        .expect("has a courier");
    assert_eq!(moved.estimated_delivery_time, eta);
    assert_eq!(moved.revision, located.revision + 2);
    assert_eq!(reload_order(&store, &order.id).await, moved);
    let p = moved.delivery_person.expect("courier kept");
    assert_eq!(
        (p.location, p.location_updated_at),
        (Some(later), Some(at2))
    );

    // Reassigning replaces the courier.
    let other = courier("Eve Express");
    let reassigned = store
        .orders
        .set_delivery_person(&order.id, &other, now())
        .await
        .unwrap()
        .expect("order exists");
    assert_eq!(reassigned.delivery_person, Some(other));

    let missing = Id::generate();
    assert_eq!(
        store
            .orders
            .set_delivery_person(&missing, &person, now())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .orders
            .update_delivery_location(&missing, here, None, now())
            .await
            .unwrap(),
        None
    );
}

async fn delivered(store: &Shared, user: &Id, product: &Id) -> bool {
    store
        .orders
        .has_delivered_product(user, product)
        .await
        .expect("has_delivered_product")
}

pub async fn has_delivered_product_only_for_delivered_orders(store: Shared) {
    use OrderStatus::*;
    let category = stored_category(&store, "Pastries").await;
    let bought = stored_product(&store, &category.id, "Croissant", 250, None).await;
    let also = stored_product(&store, &category.id, "Baguette", 150, None).await;
    let never = stored_product(&store, &category.id, "Brioche", 300, None).await;
    let canceled_only = stored_product(&store, &category.id, "Danish", 280, None).await;
    let ann = stored_user(&store, "Ann").await;
    let bob = stored_user(&store, "Bob").await;

    let order = order(&ann.id, &[(&bought, 1), (&also, 2)]);
    store
        .orders
        .place_order(&place(order.clone()))
        .await
        .unwrap();
    for (from, to) in [(Placed, Preparing), (Preparing, OutForDelivery)] {
        assert!(!delivered(&store, &ann.id, &bought.id).await, "{from}");
        assert!(transition(&store, &order.id, from, to).await.is_some());
    }
    assert!(
        !delivered(&store, &ann.id, &bought.id).await,
        "out for delivery"
    );
    assert!(transition(&store, &order.id, OutForDelivery, Delivered)
        .await
        .is_some());

    assert!(delivered(&store, &ann.id, &bought.id).await);
    assert!(delivered(&store, &ann.id, &also.id).await);
    assert!(!delivered(&store, &ann.id, &never.id).await);
    assert!(
        !delivered(&store, &bob.id, &bought.id).await,
        "another user"
    );

    let canceled = crate::fixtures::order(&ann.id, &[(&canceled_only, 1)]);
    store
        .orders
        .place_order(&place(canceled.clone()))
        .await
        .unwrap();
    assert!(transition(&store, &canceled.id, Placed, Canceled)
        .await
        .is_some());
    assert!(!delivered(&store, &ann.id, &canceled_only.id).await);

    // Bob's own delivered order counts for Bob only.
    let bobs = crate::fixtures::order(&bob.id, &[(&never, 1)]);
    store
        .orders
        .place_order(&place(bobs.clone()))
        .await
        .unwrap();
    deliver(&store, &bobs.id).await;
    assert!(delivered(&store, &bob.id, &never.id).await);
    assert!(!delivered(&store, &ann.id, &never.id).await);
}

pub async fn promotion_uses_by_excludes_canceled(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let product = stored_product(&store, &category.id, "Croissant", 250, None).await;
    let promotion = stored_promotion(&store, "LOYAL", None, None).await;
    let other_promotion = stored_promotion(&store, "OTHER", None, None).await;
    let ann = stored_user(&store, "Ann").await;
    let bob = stored_user(&store, "Bob").await;

    let mut anns = Vec::new();
    for _ in 0..3 {
        let o = order(&ann.id, &[(&product, 1)]);
        store
            .orders
            .place_order(&place_with(o.clone(), &promotion))
            .await
            .unwrap();
        anns.push(o.id);
    }
    store
        .orders
        .place_order(&place_with(order(&bob.id, &[(&product, 1)]), &promotion))
        .await
        .unwrap();
    store
        .orders
        .place_order(&place_with(
            order(&ann.id, &[(&product, 1)]),
            &other_promotion,
        ))
        .await
        .unwrap();
    store
        .orders
        .place_order(&place(order(&ann.id, &[(&product, 1)])))
        .await
        .unwrap();

    assert_eq!(
        store
            .orders
            .promotion_uses_by(&ann.id, &promotion.id)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store
            .orders
            .promotion_uses_by(&bob.id, &promotion.id)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .orders
            .promotion_uses_by(&ann.id, &other_promotion.id)
            .await
            .unwrap(),
        1
    );

    assert!(
        transition(&store, &anns[1], OrderStatus::Placed, OrderStatus::Canceled)
            .await
            .is_some()
    );
    assert_eq!(
        store
            .orders
            .promotion_uses_by(&ann.id, &promotion.id)
            .await
            .unwrap(),
        2
    );
    // Delivered still counts.
    deliver(&store, &anns[0]).await;
    assert_eq!(
        store
            .orders
            .promotion_uses_by(&ann.id, &promotion.id)
            .await
            .unwrap(),
        2
    );
    assert_eq!(reload_promotion(&store, &promotion.id).await.used_count, 3);
    assert_eq!(
        store
            .orders
            .promotion_uses_by(&Id::generate(), &promotion.id)
            .await
            .unwrap(),
        0
    );
}

/// Tracking events are ordered by the revision: every write of an order bumps it by one,
/// atomically with the change, and a write that does not apply leaves it alone.
pub async fn every_write_bumps_the_revision(store: Shared) {
    let order = card_order(&store).await;
    assert_eq!(reload_order(&store, &order.id).await.revision, 1);

    let intent = store
        .orders
        .set_payment_intent(&order.id, "pi_rev", now())
        .await
        .unwrap()
        .expect("unpaid");
    assert_eq!(intent.revision, 2);
    let paid = store
        .orders
        .change_payment(&pay(
            &order.id,
            PaymentStatus::Pending,
            PaymentStatus::Completed,
        ))
        .await
        .unwrap()
        .expect("pending -> completed");
    assert_eq!(paid.revision, 3);
    // Stale: not applied, not bumped.
    assert!(store
        .orders
        .change_payment(&pay(
            &order.id,
            PaymentStatus::Pending,
            PaymentStatus::Completed
        ))
        .await
        .unwrap()
        .is_none());

    let staff = Id::generate();
    let preparing = store
        .orders
        .transition_order(&TransitionOrder {
            payment: None,
            order_id: order.id.clone(),
            from: OrderStatus::Placed,
            change: change(OrderStatus::Preparing, &staff, Role::Admin),
            effects: Vec::new(),
        })
        .await
        .unwrap()
        .expect("placed -> preparing");
    assert_eq!(preparing.revision, 4);
    assert!(store
        .orders
        .transition_order(&TransitionOrder {
            payment: None,
            order_id: order.id.clone(),
            from: OrderStatus::Placed,
            change: change(OrderStatus::Preparing, &staff, Role::Admin),
            effects: Vec::new(),
        })
        .await
        .unwrap()
        .is_none());

    let assigned = store
        .orders
        .set_delivery_person(&order.id, &courier("Dan"), now())
        .await
        .unwrap()
        .expect("exists");
    assert_eq!(assigned.revision, 5);
    let located = store
        .orders
        .update_delivery_location(
            &order.id,
            GeoPoint::parse(2.35, 48.85).unwrap(),
            None,
            now(),
        )
        .await
        .unwrap()
        .expect("has a courier");
    assert_eq!(located.revision, 6);
    assert_eq!(reload_order(&store, &order.id).await, located);
}

/// A courier's list is the orders assigned to their account, and only those.
pub async fn orders_listed_by_courier(store: Shared) {
    let category = stored_category(&store, "Breads").await;
    let product = stored_product(&store, &category.id, "Baguette", 120, None).await;
    let ann = stored_user(&store, "Ann").await;
    let dan = Id::generate();
    let eve = Id::generate();
    let mut placed = Vec::new();
    for _ in 0..3 {
        let order = order(&ann.id, &[(&product, 1)]);
        store
            .orders
            .place_order(&place(order.clone()))
            .await
            .unwrap();
        placed.push(order);
    }
    let to = |courier: &Id| DeliveryPerson {
        courier_id: Some(courier.clone()),
        ..courier_fixture()
    };
    for (order, courier) in [(&placed[0], &dan), (&placed[1], &eve), (&placed[2], &dan)] {
        store
            .orders
            .set_delivery_person(&order.id, &to(courier), now())
            .await
            .unwrap()
            .expect("exists");
    }
    let (dans, total) = store
        .orders
        .list_orders(
            &OrderQuery {
                courier: Some(dan.clone()),
                ..OrderQuery::default()
            },
            all(),
        )
        .await
        .unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        sorted(order_ids(&dans)),
        sorted(vec![placed[0].id.clone(), placed[2].id.clone()])
    );
    assert!(dans.iter().all(|o| o
        .delivery_person
        .as_ref()
        .and_then(|p| p.courier_id.as_ref())
        == Some(&dan)));
    let (nobodys, total) = store
        .orders
        .list_orders(
            &OrderQuery {
                courier: Some(Id::generate()),
                ..OrderQuery::default()
            },
            all(),
        )
        .await
        .unwrap();
    assert_eq!((nobodys.len(), total), (0, 0));
}

fn courier_fixture() -> DeliveryPerson {
    courier("Courier")
}

/// The prep list's query: due at the time chosen, else at the estimate, in `[from, to)`, not
/// canceled, by id, page by page.
pub async fn orders_due_in_a_window_by_id_without_canceled(store: Shared) {
    use chrono::TimeZone;
    let category = stored_category(&store, "Viennoiseries").await;
    let product = stored_product(&store, &category.id, "Croissant", 150, None).await;
    let ann = stored_user(&store, "Ann").await;
    // A day of its own, far from every other case's orders.
    let from = chrono::Utc
        .with_ymd_and_hms(2031, 3, 10, 23, 0, 0)
        .single()
        .expect("a valid instant");
    let to = from + chrono::Duration::days(1);
    let micro = chrono::Duration::microseconds(1);
    let asap = |due| {
        let mut o = order(&ann.id, &[(&product, 1)]);
        o.estimated_delivery_time = due;
        o
    };
    let scheduled = |at, estimate| {
        let mut o = asap(estimate);
        o.is_scheduled = true;
        o.scheduled_delivery_time = Some(at);
        o
    };
    let first = asap(from);
    let last = asap(to - micro);
    let at_the_end = asap(to);
    let before = asap(from - micro);
    // The courier's ETA moved past midnight: still the day the customer chose.
    let chosen_in = scheduled(from + minutes(600), to + minutes(120));
    let chosen_out = scheduled(from - minutes(120), from + minutes(60));
    let canceled = asap(from + minutes(90));
    let delivered = asap(from + minutes(180));
    let late = asap(to + minutes(60));
    for o in [
        &first,
        &last,
        &at_the_end,
        &before,
        &chosen_in,
        &chosen_out,
        &canceled,
        &delivered,
        &late,
    ] {
        store.orders.place_order(&place(o.clone())).await.unwrap();
    }
    transition(
        &store,
        &canceled.id,
        OrderStatus::Placed,
        OrderStatus::Canceled,
    )
    .await
    .expect("canceled");
    deliver(&store, &delivered.id).await;
    // A live ETA brings the late order into the day.
    store
        .orders
        .set_delivery_person(&late.id, &courier_fixture(), now())
        .await
        .unwrap()
        .expect("exists");
    store
        .orders
        .update_delivery_location(
            &late.id,
            GeoPoint::parse(2.35, 48.85).unwrap(),
            Some(from + minutes(300)),
            now(),
        )
        .await
        .unwrap()
        .expect("has a courier");

    let due = store
        .orders
        .orders_due(from, to, None, 100)
        .await
        .expect("orders due");
    let expected = sorted(vec![
        first.id.clone(),
        last.id.clone(),
        chosen_in.id.clone(),
        delivered.id.clone(),
        late.id.clone(),
    ]);
    assert_eq!(order_ids(&due), expected, "by id, the day's orders only");
    assert_eq!(
        due.iter()
            .find(|o| o.id == delivered.id)
            .unwrap()
            .order_status,
        OrderStatus::Delivered
    );

    // Pages of two follow on from the last id, neither repeating nor skipping.
    let mut paged = Vec::new();
    let mut after: Option<Id> = None;
    loop {
        let page = store
            .orders
            .orders_due(from, to, after.as_ref(), 2)
            .await
            .expect("a page");
        assert!(page.len() <= 2);
        let Some(tail) = page.last() else { break };
        after = Some(tail.id.clone());
        paged.extend(order_ids(&page));
    }
    assert_eq!(paged, expected);

    let none = store
        .orders
        .orders_due(to + minutes(600), to + minutes(700), None, 100)
        .await
        .unwrap();
    assert!(none.is_empty());
}

/// The ids of `user`'s orders of one fulfilment (`None`: all), checking the count agrees.
async fn listed(store: &Shared, user: &Id, fulfilment: Option<Fulfilment>) -> Vec<Id> {
    let query = OrderQuery {
        user: Some(user.clone()),
        fulfilment,
        ..OrderQuery::default()
    };
    let (orders, total) = store.orders.list_orders(&query, page(1, 10)).await.unwrap();
    assert_eq!(total, orders.len() as u64);
    order_ids(&orders)
}

/// A pickup order round-trips without an address, is listed by fulfilment (orders that do
/// not say are deliveries), walks its own statuses, and counts as received once picked up.
pub async fn pickup_orders_round_trip_and_filter_by_fulfilment(store: Shared) {
    use OrderStatus::*;
    let category = stored_category(&store, "Pastries").await;
    let croissant = stored_product(&store, &category.id, "Croissant", 250, None).await;
    let ann = stored_user(&store, "Ann").await;

    let delivery = order(&ann.id, &[(&croissant, 1)]);
    store
        .orders
        .place_order(&place(delivery.clone()))
        .await
        .unwrap();
    let mut pickup = order(&ann.id, &[(&croissant, 2)]);
    pickup.fulfilment = Fulfilment::Pickup;
    pickup.delivery_address = None;
    pickup.delivery_fee = Money::ZERO;
    pickup.total = pickup.subtotal + pickup.taxes;
    store
        .orders
        .place_order(&place(pickup.clone()))
        .await
        .unwrap();
    let stored = store.orders.get_order(&pickup.id).await.unwrap().unwrap();
    assert_eq!(stored, pickup);
    assert_eq!(stored.delivery_address, None);

    assert_eq!(
        listed(&store, &ann.id, Some(Fulfilment::Pickup)).await,
        vec![pickup.id.clone()]
    );
    assert_eq!(
        listed(&store, &ann.id, Some(Fulfilment::Delivery)).await,
        vec![delivery.id.clone()]
    );
    assert_eq!(listed(&store, &ann.id, None).await.len(), 2);

    for (from, to) in [
        (Placed, Preparing),
        (Preparing, ReadyForPickup),
        (ReadyForPickup, PickedUp),
    ] {
        assert!(!delivered(&store, &ann.id, &croissant.id).await, "{from}");
        let moved = transition(&store, &pickup.id, from, to).await;
        assert_eq!(moved.map(|o| o.order_status), Some(to));
    }
    assert!(
        delivered(&store, &ann.id, &croissant.id).await,
        "picked up counts as received"
    );
    let by_status = OrderQuery {
        statuses: vec![PickedUp],
        ..OrderQuery::default()
    };
    let (orders, _) = store
        .orders
        .list_orders(&by_status, page(1, 10))
        .await
        .unwrap();
    assert_eq!(order_ids(&orders), vec![pickup.id.clone()]);
}

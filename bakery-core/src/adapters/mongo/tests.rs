//! Quick checks of the MongoDB-specific parts against a live server (the shared conformance
//! suite covers the whole contract). They need `BAKERY_TEST_MONGODB_URI`, e.g.
//! `mongodb://127.0.0.1:27123/?directConnection=true`, and say so when it is unset.

use std::sync::Arc;

use chrono::Utc;

use super::MongoStore;
use crate::domain::{
    time, Currency, DeliveryAddress, Fulfilment, Id, Money, NutritionalInfo, Order, OrderItem,
    OrderStatus, PaymentDetails, PaymentMethod, Phone, Product, ProductDraft, Rating, Review, Role,
    StatusChange, User,
};
use crate::error::{ConflictCode, Error};
use crate::ports::{
    AccountStore, CatalogStore, OrderQuery, OrderStore, PlaceOrder, ReviewStore, TransitionOrder,
};

/// Like the conformance suite: without a server these tests fail, unless the developer
/// explicitly opts out with `BAKERY_SKIP_MONGO=1` (CI never does).
async fn store() -> Option<MongoStore> {
    let Ok(uri) = std::env::var("BAKERY_TEST_MONGODB_URI") else {
        if std::env::var("BAKERY_SKIP_MONGO").as_deref() == Ok("1") {
            println!("SKIPPED: BAKERY_TEST_MONGODB_URI is not set and BAKERY_SKIP_MONGO=1");
            return None;
        }
        panic!(
            "BAKERY_TEST_MONGODB_URI is not set: run scripts/test.sh, which installs and starts a \
             MongoDB-compatible server, or set BAKERY_TEST_MONGODB_URI=mongodb://127.0.0.1:PORT/?directConnection=true"
        );
    };
    let database = format!("bakery_mongo_{}", Id::generate());
    Some(MongoStore::connect(&uri, &database).await.unwrap())
}

async fn drop_database(store: MongoStore) {
    store.db.drop().await.unwrap();
}

fn conflict_code(result: Result<impl std::fmt::Debug, Error>) -> ConflictCode {
    match result {
        Err(Error::Conflict { code, .. }) => code,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn product(stock: Option<u32>) -> Product {
    let draft = ProductDraft {
        name: "Croissant".into(),
        description: "Butter".into(),
        category_id: Id::generate(),
        price: Money::from_minor(250),
        discount_price: None,
        images: vec![],
        ingredients: vec![],
        nutritional_info: NutritionalInfo::default(),
        is_vegetarian: true,
        allergens: vec![],
        preparation_time: 10,
        is_available: true,
        is_featured: false,
        stock,
        option_groups: Vec::new(),
        daily_quantity: None,
    };
    Product::create(draft, time::truncate(Utc::now()))
}

fn order(user: &Id, product: &Product, quantity: u32) -> Order {
    let now = time::truncate(Utc::now());
    Order {
        id: Id::generate(),
        user_id: user.clone(),
        items: vec![OrderItem {
            product_id: product.id.clone(),
            name: product.name.clone(),
            quantity,
            price: product.price,
            options: Vec::new(),
            bake_day: None,
        }],
        fulfilment: Fulfilment::Delivery,
        delivery_address: Some(
            DeliveryAddress::parse("1 Baker St", None, "London", "London", "NW1").unwrap(),
        ),
        delivery_zone: None,
        payment_details: PaymentDetails::new(PaymentMethod::Cash),
        order_status: OrderStatus::Placed,
        status_history: vec![],
        subtotal: product.price.times(quantity),
        delivery_fee: Money::ZERO,
        taxes: Money::ZERO,
        discount: Money::ZERO,
        total: product.price.times(quantity),
        currency: Currency::parse("eur").unwrap(),
        promotion_id: None,
        promotion_code: None,
        is_scheduled: false,
        scheduled_delivery_time: None,
        estimated_delivery_time: now,
        delivery_person: None,
        special_instructions: None,
        created_at: now,
        updated_at: now,
        revision: 1,
    }
}

fn place(order: Order) -> PlaceOrder {
    PlaceOrder {
        bakes: Vec::new(),
        order,
        promotion: None,
        effects: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_orders_take_exactly_the_stock() {
    let Some(store) = store().await else { return };
    let store = Arc::new(store);
    let bread = product(Some(10));
    store.insert_product(&bread).await.unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let store = Arc::clone(&store);
            let request = place(order(&Id::generate(), &bread, 1));
            tokio::spawn(async move { store.place_order(&request).await })
        })
        .collect();
    let mut placed = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => placed += 1,
            Err(Error::Conflict { code, message }) => {
                assert_eq!(code, ConflictCode::OutOfStock);
                assert_eq!(message, "Croissant is out of stock");
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(placed, 10);
    let stored = store.get_product(&bread.id).await.unwrap().unwrap();
    assert_eq!((stored.stock, stored.units_sold), (Some(0), 10));
    let store = Arc::into_inner(store).unwrap();
    drop_database(store).await;
}

#[tokio::test]
async fn canceling_gives_back_limited_stock_only() {
    let Some(store) = store().await else { return };
    let limited = product(Some(3));
    let unlimited = product(None);
    store.insert_product(&limited).await.unwrap();
    store.insert_product(&unlimited).await.unwrap();
    let user = Id::generate();
    let mut both = order(&user, &limited, 2);
    both.items.extend(order(&user, &unlimited, 5).items);
    store.place_order(&place(both.clone())).await.unwrap();
    let too_many = order(&user, &limited, 2);
    assert_eq!(
        conflict_code(store.place_order(&place(too_many.clone())).await),
        ConflictCode::OutOfStock
    );
    assert!(store.get_order(&too_many.id).await.unwrap().is_none());

    let cancel = TransitionOrder {
        payment: None,
        order_id: both.id.clone(),
        from: OrderStatus::Placed,
        change: StatusChange {
            status: OrderStatus::Canceled,
            at: time::truncate(Utc::now()),
            actor_id: user.clone(),
            actor_role: Role::Customer,
        },
        effects: Vec::new(),
    };
    let canceled = store.transition_order(&cancel).await.unwrap().unwrap();
    assert_eq!(canceled.order_status, OrderStatus::Canceled);
    assert_eq!(canceled.status_history, vec![cancel.change.clone()]);
    assert!(store.transition_order(&cancel).await.unwrap().is_none());
    let limited = store.get_product(&limited.id).await.unwrap().unwrap();
    let unlimited = store.get_product(&unlimited.id).await.unwrap().unwrap();
    assert_eq!((limited.stock, limited.units_sold), (Some(3), 0));
    assert_eq!((unlimited.stock, unlimited.units_sold), (None, 0));
    drop_database(store).await;
}

#[tokio::test]
async fn duplicates_map_to_their_conflicts() {
    let Some(store) = store().await else { return };
    let phone = Phone::parse("+447700900123").unwrap();
    let now = time::truncate(Utc::now());
    let ada = User::new("Ada", phone.clone(), Role::Customer, now).unwrap();
    store.insert_user(&ada).await.unwrap();
    let other = User::new("Other Ada", phone, Role::Customer, now).unwrap();
    assert_eq!(
        conflict_code(store.insert_user(&other).await),
        ConflictCode::DuplicatePhone
    );

    let bread = product(None);
    store.insert_product(&bread).await.unwrap();
    let review = |rating| Review {
        id: Id::generate(),
        product_id: bread.id.clone(),
        user_id: ada.id.clone(),
        user_name: ada.name.clone(),
        rating: Rating::parse(rating).unwrap(),
        comment: None,
        images: vec![],
        photos: Vec::new(),
        is_approved: true,
        likes: 0,
        created_at: now,
        updated_at: now,
    };
    store.insert_review(&review(4)).await.unwrap();
    assert_eq!(
        conflict_code(store.insert_review(&review(5)).await),
        ConflictCode::DuplicateReview
    );
    let ratings = store.get_product(&bread.id).await.unwrap().unwrap().ratings;
    assert_eq!((ratings.average, ratings.count), (4.0, 1));
    drop_database(store).await;
}

/// Orders stored before pickup existed have no `fulfilment`: they read, and are listed, as
/// deliveries.
#[tokio::test]
async fn an_order_stored_before_pickup_reads_as_a_delivery() {
    let Some(store) = store().await else { return };
    let croissant = product(None);
    store.insert_product(&croissant).await.unwrap();
    let old = order(&Id::generate(), &croissant, 1);
    store.place_order(&place(old.clone())).await.unwrap();
    let stripped = store
        .collection(super::coll::ORDERS)
        .update_one(
            bson::doc! { "_id": super::docs::oid(&old.id).unwrap() },
            bson::doc! { "$unset": { "fulfilment": "" } },
        )
        .await
        .unwrap();
    assert_eq!(stripped.modified_count, 1);

    let read = store.get_order(&old.id).await.unwrap().unwrap();
    assert_eq!(read.fulfilment, Fulfilment::Delivery);
    assert_eq!(read, old);
    for (fulfilment, expected) in [(Fulfilment::Delivery, 1), (Fulfilment::Pickup, 0)] {
        let query = OrderQuery {
            fulfilment: Some(fulfilment),
            ..OrderQuery::default()
        };
        let (_, total) = store
            .list_orders(&query, crate::domain::PageRequest::default())
            .await
            .unwrap();
        assert_eq!(total, expected, "{fulfilment}");
    }
    drop_database(store).await;
}

/// Products stored before options existed have no `optionGroups`: they read with none.
#[tokio::test]
async fn a_product_stored_before_options_reads_with_none() {
    let Some(store) = store().await else { return };
    let croissant = product(None);
    store.insert_product(&croissant).await.unwrap();
    let stripped = store
        .collection(super::coll::PRODUCTS)
        .update_one(
            bson::doc! { "_id": super::docs::oid(&croissant.id).unwrap() },
            bson::doc! { "$unset": { "optionGroups": "" } },
        )
        .await
        .unwrap();
    assert_eq!(stripped.modified_count, 1);
    let read = store.get_product(&croissant.id).await.unwrap().unwrap();
    assert!(read.option_groups.is_empty());
    assert_eq!(read, croissant);
    drop_database(store).await;
}

//! Quick self-checks of the atomic paths; the shared conformance suite covers every method.

use std::sync::Arc;

use chrono::Utc;

use super::SqliteStore;
use crate::domain::time::truncate;
use crate::domain::{
    Category, Currency, DeliveryAddress, Fulfilment, Id, Money, NutritionalInfo, Order, OrderItem,
    OrderStatus, PaymentDetails, PaymentMethod, Phone, Product, ProductDraft, Rating,
    RefreshTokenRecord, Review, Role, StatusChange, User,
};
use crate::error::{ConflictCode, Error};
use crate::ports::{
    AccountStore, AuthSecretStore, CatalogStore, OrderQuery, OrderStore, PlaceOrder,
    RefreshOutcome, ReviewStore, TransitionOrder,
};

/// A store in a fresh directory under the system temp dir, removed by the guard.
struct Scratch {
    store: Arc<SqliteStore>,
    dir: std::path::PathBuf,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn scratch() -> Scratch {
    let dir = std::env::temp_dir().join(format!("bakery-sqlite-{}", Id::generate()));
    // A nested path also checks that `open` creates parent directories.
    let store = SqliteStore::open(dir.join("data").join("bakery.db"))
        .await
        .expect("open store");
    Scratch {
        store: Arc::new(store),
        dir,
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
        ingredients: vec!["flour".into()],
        nutritional_info: NutritionalInfo::default(),
        is_vegetarian: true,
        allergens: vec!["gluten".into()],
        preparation_time: 10,
        is_available: true,
        is_featured: false,
        stock,
        option_groups: Vec::new(),
        daily_quantity: None,
    };
    Product::create(draft, truncate(Utc::now()))
}

fn order(user: &Id, product: &Product, quantity: u32) -> Order {
    let now = truncate(Utc::now());
    let total = product.price.times(quantity);
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
            DeliveryAddress::parse("1 Baker St", None, "London", "London", "NW1").expect("address"),
        ),
        delivery_zone: None,
        payment_details: PaymentDetails::new(PaymentMethod::Cash),
        order_status: OrderStatus::Placed,
        status_history: vec![StatusChange {
            status: OrderStatus::Placed,
            at: now,
            actor_id: user.clone(),
            actor_role: Role::Customer,
        }],
        subtotal: total,
        delivery_fee: Money::ZERO,
        taxes: Money::ZERO,
        discount: Money::ZERO,
        total,
        currency: Currency::parse("eur").expect("currency"),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn last_items_sell_exactly_once_and_cancel_gives_back() {
    let scratch = scratch().await;
    let store = scratch.store.clone();
    let croissant = product(Some(10));
    store.insert_product(&croissant).await.unwrap();

    let user = Id::generate();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let store = store.clone();
            let request = PlaceOrder {
                bakes: Vec::new(),
                order: order(&user, &croissant, 1),
                promotion: None,
                effects: Vec::new(),
            };
            tokio::spawn(async move { store.place_order(&request).await.map(|()| request) })
        })
        .collect();
    let mut placed = Vec::new();
    let mut refused = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(request) => placed.push(request.order),
            Err(Error::Conflict {
                code: ConflictCode::OutOfStock,
                message,
            }) => {
                assert_eq!(message, "Croissant is out of stock");
                refused += 1;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((placed.len(), refused), (10, 40));
    let sold_out = store.get_product(&croissant.id).await.unwrap().unwrap();
    assert_eq!((sold_out.stock, sold_out.units_sold), (Some(0), 10));

    let cancel = TransitionOrder {
        payment: None,
        order_id: placed[0].id.clone(),
        from: OrderStatus::Placed,
        change: StatusChange {
            status: OrderStatus::Canceled,
            at: truncate(Utc::now()),
            actor_id: user.clone(),
            actor_role: Role::Customer,
        },
        effects: Vec::new(),
    };
    let canceled = store.transition_order(&cancel).await.unwrap().unwrap();
    assert_eq!(canceled.order_status, OrderStatus::Canceled);
    assert_eq!(canceled.status_history.len(), 2);
    assert_eq!(store.transition_order(&cancel).await.unwrap(), None);
    let restocked = store.get_product(&croissant.id).await.unwrap().unwrap();
    assert_eq!((restocked.stock, restocked.units_sold), (Some(1), 9));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refresh_token_rotates_once() {
    let scratch = scratch().await;
    let store = scratch.store.clone();
    let now = truncate(Utc::now());
    let token = RefreshTokenRecord {
        id: Id::generate(),
        family_id: Id::generate(),
        user_id: Id::generate(),
        token_hash: "ab".repeat(32),
        expires_at: now,
        used_at: None,
        revoked: false,
        created_at: now,
    };
    store.insert_refresh_token(&token).await.unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            let hash = token.token_hash.clone();
            tokio::spawn(async move { store.use_refresh_token(&hash, now).await })
        })
        .collect();
    let mut rotated = 0;
    for task in tasks {
        match task.await.unwrap().unwrap() {
            RefreshOutcome::Rotated(record) => {
                assert_eq!(record.used_at, Some(now));
                rotated += 1;
            }
            RefreshOutcome::Reused(record) => assert_eq!(record.id, token.id),
            RefreshOutcome::Unknown => panic!("the token exists"),
        }
    }
    assert_eq!(rotated, 1);
    assert_eq!(
        store.use_refresh_token("missing", now).await.unwrap(),
        RefreshOutcome::Unknown
    );
}

#[tokio::test]
async fn ratings_are_exact_and_users_optimistic() {
    let scratch = scratch().await;
    let store = &scratch.store;
    let torte = product(None);
    store.insert_product(&torte).await.unwrap();
    for rating in [5, 4, 4] {
        let now = truncate(Utc::now());
        let review = Review {
            id: Id::generate(),
            product_id: torte.id.clone(),
            user_id: Id::generate(),
            user_name: "Taster".into(),
            rating: Rating::parse(rating).unwrap(),
            comment: None,
            images: vec![],
            photos: Vec::new(),
            is_approved: true,
            likes: 0,
            created_at: now,
            updated_at: now,
        };
        store.insert_review(&review).await.unwrap();
    }
    let ratings = store.get_product(&torte.id).await.unwrap().unwrap().ratings;
    assert_eq!((ratings.average, ratings.count), (13.0 / 3.0, 3));

    let user = User::new(
        "Ada",
        Phone::parse("+447700900123").unwrap(),
        Role::Customer,
        truncate(Utc::now()),
    )
    .unwrap();
    store.insert_user(&user).await.unwrap();
    assert!(store.update_user(&user).await.unwrap());
    assert!(!store.update_user(&user).await.unwrap(), "stale version");
    assert_eq!(store.get_user(&user.id).await.unwrap().unwrap().version, 1);
}

#[tokio::test]
async fn category_names_collide_whatever_their_case() {
    let scratch = scratch().await;
    let store = &scratch.store;
    let now = truncate(Utc::now());
    let category = |name: &str| Category {
        id: Id::generate(),
        name: name.into(),
        description: None,
        image: None,
        photos: Vec::new(),
        is_active: true,
        display_order: 0,
        created_at: now,
        updated_at: now,
    };
    let eclairs = category("Éclairs");
    store.insert_category(&eclairs).await.unwrap();
    for twin in ["éclairs", "ÉCLAIRS"] {
        match store.insert_category(&category(twin)).await {
            Err(Error::Conflict {
                code: ConflictCode::DuplicateName,
                ..
            }) => {}
            other => panic!("{twin}: {other:?}"),
        }
    }
    assert_eq!(
        store.get_category(&eclairs.id).await.unwrap(),
        Some(eclairs)
    );
}

/// Orders stored before pickup existed have no `fulfilment`: they read, and are listed, as
/// deliveries.
#[tokio::test]
async fn an_order_stored_before_pickup_reads_as_a_delivery() {
    let scratch = scratch().await;
    let store = scratch.store.clone();
    let croissant = product(None);
    store.insert_product(&croissant).await.unwrap();
    let old = order(&Id::generate(), &croissant, 1);
    store
        .place_order(&PlaceOrder {
            bakes: Vec::new(),
            order: old.clone(),
            promotion: None,
            effects: Vec::new(),
        })
        .await
        .unwrap();
    let stripped =
        sqlx::query("UPDATE orders SET doc = json_remove(doc, '$.fulfilment') WHERE id = ?1")
            .bind(old.id.as_str())
            .execute(&store.pool)
            .await
            .unwrap();
    assert_eq!(stripped.rows_affected(), 1);
    let raw: String = sqlx::query_scalar("SELECT doc FROM orders WHERE id = ?1")
        .bind(old.id.as_str())
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert!(!raw.contains("fulfilment"), "{raw}");

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
}

/// Products stored before options existed have no `optionGroups`: they read with none.
#[tokio::test]
async fn a_product_stored_before_options_reads_with_none() {
    let scratch = scratch().await;
    let store = scratch.store.clone();
    let croissant = product(None);
    store.insert_product(&croissant).await.unwrap();
    let stripped =
        sqlx::query("UPDATE products SET doc = json_remove(doc, '$.optionGroups') WHERE id = ?1")
            .bind(croissant.id.as_str())
            .execute(&store.pool)
            .await
            .unwrap();
    assert_eq!(stripped.rows_affected(), 1);
    let raw: String = sqlx::query_scalar("SELECT doc FROM products WHERE id = ?1")
        .bind(croissant.id.as_str())
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert!(!raw.contains("optionGroups"), "{raw}");
    let read = store.get_product(&croissant.id).await.unwrap().unwrap();
    assert!(read.option_groups.is_empty());
    assert_eq!(read, croissant);
}

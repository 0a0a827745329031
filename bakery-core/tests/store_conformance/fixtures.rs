//! Builders for valid domain values, and small assertion helpers shared by the cases.
//!
//! Every timestamp is truncated to microseconds (what the stores keep), so a value read back
//! compares equal to the one written.

use std::sync::atomic::{AtomicU32, Ordering};

use bakery_core::domain::time::truncate;
use bakery_core::domain::{
    Address, Category, ChosenOption, Currency, DeliveryAddress, DeliveryPerson, DiscountType,
    Email, Fulfilment, GeoPoint, Id, Money, Notification, NotificationKind, NutritionalInfo,
    OptionGroup, OptionKind, Order, OrderItem, OrderStatus, OtpRecord, PageRequest, PaymentDetails,
    PaymentMethod, PaymentStatus, Phone, Product, ProductOption, Promotion, Rating, Ratings,
    RefreshTokenRecord, Review, Role, StatusChange, User,
};
use bakery_core::error::{ConflictCode, Error};
use bakery_core::ports::{
    DailyTake, PaymentChange, PaymentStep, PlaceOrder, PromotionRedemption, Store,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;

pub type Shared = Store;

/// Now, at the precision the stores keep.
pub fn now() -> DateTime<Utc> {
    truncate(Utc::now())
}

/// A fixed instant in the recent past that cases offset from, so that "newest first" has an
/// unambiguous answer.
pub fn base_time() -> DateTime<Utc> {
    now() - Duration::days(1)
}

pub fn minutes(n: i64) -> Duration {
    Duration::minutes(n)
}

static PHONE_COUNTER: AtomicU32 = AtomicU32::new(0);

/// A phone number no other fixture in this process has handed out.
pub fn unique_phone() -> Phone {
    let n = PHONE_COUNTER.fetch_add(1, Ordering::Relaxed);
    // +44 7700 9xxxxx style: country code and 10 more digits.
    Phone::parse(&format!("+4477{:08}", n % 100_000_000)).expect("valid phone")
}

pub fn page(page: u32, limit: u32) -> PageRequest {
    PageRequest::new(Some(page), Some(limit)).expect("valid page")
}

pub fn all() -> PageRequest {
    page(1, 100)
}

// --- users ---

/// A customer with a unique phone and a little of everything in their profile.
pub fn user(name: &str) -> User {
    let mut user = User::new(name, unique_phone(), Role::Customer, now()).expect("valid user");
    user.email = Some(Email::parse(&format!("{}@example.com", user.id)).expect("email"));
    user.addresses.push(Address {
        id: Id::generate(),
        title: "Home".into(),
        address: "1 Baker Street".into(),
        landmark: Some("Blue door".into()),
        city: "London".into(),
        state: "London".into(),
        zip_code: "NW1 6XE".into(),
        is_default: true,
        // The map point round-trips on every store.
        location: Some(GeoPoint::parse(-0.1586, 51.5237).expect("valid point")),
    });
    user.device_tokens.push(format!("device-{}", user.id));
    user
}

pub async fn stored_user(store: &Shared, name: &str) -> User {
    let user = user(name);
    store
        .accounts
        .insert_user(&user)
        .await
        .expect("insert user");
    user
}

// --- catalog ---

pub fn category(name: &str, display_order: i32, is_active: bool) -> Category {
    let at = now();
    Category {
        id: Id::generate(),
        name: name.into(),
        description: Some(format!("All our {name}")),
        image: Some(format!("https://img.example.com/{name}.jpg")),
        photos: Vec::new(),
        is_active,
        display_order,
        created_at: at,
        updated_at: at,
    }
}

pub async fn stored_category(store: &Shared, name: &str) -> Category {
    let category = category(name, 0, true);
    store
        .catalog
        .insert_category(&category)
        .await
        .expect("insert category");
    category
}

/// A vegetarian, available, gluten-containing product; `stock` `None` is unlimited.
pub fn product(category: &Id, name: &str, price: i64, stock: Option<u32>) -> Product {
    let at = now();
    Product {
        id: Id::generate(),
        name: name.into(),
        description: format!("Freshly baked {name}"),
        category_id: category.clone(),
        price: Money::from_minor(price),
        discount_price: None,
        images: vec![format!("https://img.example.com/{}.jpg", name)],
        photos: Vec::new(),
        ingredients: vec!["flour".into(), "butter".into()],
        nutritional_info: NutritionalInfo {
            calories: Some(250.0),
            fat: Some(12.5),
            carbs: None,
            protein: Some(4.0),
        },
        is_vegetarian: true,
        allergens: vec!["gluten".into(), "milk".into()],
        preparation_time: 15,
        is_available: true,
        is_featured: false,
        stock,
        option_groups: Vec::new(),
        daily_quantity: None,
        today: None,
        ratings: Ratings::default(),
        units_sold: 0,
        created_at: at,
        updated_at: at,
    }
}

pub async fn stored_product(
    store: &Shared,
    category: &Id,
    name: &str,
    price: i64,
    stock: Option<u32>,
) -> Product {
    let product = product(category, name, price, stock);
    store
        .catalog
        .insert_product(&product)
        .await
        .expect("insert product");
    product
}

pub async fn reload_product(store: &Shared, id: &Id) -> Product {
    store
        .catalog
        .get_product(id)
        .await
        .expect("get product")
        .expect("product exists")
}

// --- reviews ---

pub fn review(product: &Id, user: &Id, rating: i64) -> Review {
    let at = now();
    Review {
        id: Id::generate(),
        product_id: product.clone(),
        user_id: user.clone(),
        user_name: "Reviewer".into(),
        rating: Rating::parse(rating).expect("rating"),
        comment: Some(format!("{rating} stars")),
        images: vec![],
        photos: Vec::new(),
        is_approved: true,
        likes: 0,
        created_at: at,
        updated_at: at,
    }
}

// --- orders ---

pub fn delivery_address() -> DeliveryAddress {
    DeliveryAddress::parse(
        "1 Baker Street",
        Some("Blue door"),
        "London",
        "London",
        "NW1 6XE",
    )
    .expect("address")
    .with_location(Some(
        GeoPoint::parse(-0.1586, 51.5237).expect("valid point"),
    ))
}

/// A placed cash order of `lines` (product, quantity) at the products' effective prices.
pub fn order(user: &Id, lines: &[(&Product, u32)]) -> Order {
    let at = now();
    let items: Vec<OrderItem> = lines
        .iter()
        .map(|(p, q)| OrderItem {
            product_id: p.id.clone(),
            name: p.name.clone(),
            quantity: *q,
            price: p.effective_price(),
            options: Vec::new(),
            bake_day: None,
        })
        .collect();
    let subtotal: Money = items.iter().map(|i| i.price.times(i.quantity)).sum();
    let delivery_fee = Money::from_minor(300);
    let taxes = Money::from_minor(subtotal.minor() / 10);
    Order {
        id: Id::generate(),
        user_id: user.clone(),
        items,
        fulfilment: Fulfilment::Delivery,
        delivery_address: Some(delivery_address()),
        delivery_zone: None,
        payment_details: PaymentDetails::new(PaymentMethod::Cash),
        order_status: OrderStatus::Placed,
        status_history: vec![StatusChange {
            status: OrderStatus::Placed,
            at,
            actor_id: user.clone(),
            actor_role: Role::Customer,
        }],
        subtotal,
        delivery_fee,
        taxes,
        discount: Money::ZERO,
        total: subtotal + delivery_fee + taxes,
        currency: Currency::parse("eur").expect("currency"),
        promotion_id: None,
        promotion_code: None,
        is_scheduled: false,
        scheduled_delivery_time: None,
        estimated_delivery_time: at + Duration::minutes(45),
        delivery_person: None,
        special_instructions: Some("Ring twice".into()),
        created_at: at,
        updated_at: at,
        revision: 1,
    }
}

/// The same order created at `at` (its placed entry too).
pub fn order_at(user: &Id, lines: &[(&Product, u32)], at: DateTime<Utc>) -> Order {
    let mut order = order(user, lines);
    order.created_at = at;
    order.updated_at = at;
    order.status_history[0].at = at;
    order.estimated_delivery_time = at + Duration::minutes(45);
    order
}

pub fn place(order: Order) -> PlaceOrder {
    PlaceOrder {
        bakes: Vec::new(),
        order,
        promotion: None,
        effects: Vec::new(),
    }
}

/// Places `order` with every line taken from the bake of `day`, each of its products baking
/// `daily` a day, as the service passes them.
pub fn place_from_bake(mut order: Order, day: NaiveDate, daily: u32) -> PlaceOrder {
    for item in &mut order.items {
        item.bake_day = Some(day);
    }
    let quantities: Vec<(Id, u32)> = order
        .items
        .iter()
        .map(|item| (item.product_id.clone(), daily))
        .collect();
    PlaceOrder {
        bakes: DailyTake::of(&order, &quantities),
        ..place(order)
    }
}

/// Units taken from `product`'s bake of `day` (0 when nothing was ever taken).
pub async fn taken(store: &Shared, product: &Id, day: NaiveDate) -> u32 {
    store
        .orders
        .bakes_taken(day, std::slice::from_ref(product))
        .await
        .expect("bakes_taken")
        .into_iter()
        .find(|(id, _)| id == product)
        .map_or(0, |(_, n)| n)
}

/// Places `order` redeeming `promotion`, with the promotion's limits as the service passes them.
pub fn place_with(mut order: Order, promotion: &Promotion) -> PlaceOrder {
    order.promotion_id = Some(promotion.id.clone());
    order.promotion_code = promotion.code.clone();
    order.discount = Money::from_minor(100).min(order.subtotal);
    order.total = order.subtotal + order.delivery_fee + order.taxes - order.discount;
    PlaceOrder {
        bakes: Vec::new(),
        order,
        promotion: Some(PromotionRedemption {
            promotion_id: promotion.id.clone(),
            usage_limit: promotion.usage_limit,
            per_user_limit: promotion.per_user_limit,
        }),
        effects: Vec::new(),
    }
}

pub fn change(status: OrderStatus, actor: &Id, role: Role) -> StatusChange {
    StatusChange {
        status,
        at: now(),
        actor_id: actor.clone(),
        actor_role: role,
    }
}

pub fn courier(name: &str) -> DeliveryPerson {
    DeliveryPerson {
        courier_id: None,
        name: name.into(),
        phone: unique_phone(),
        location: None,
        location_updated_at: None,
    }
}

pub async fn reload_order(store: &Shared, id: &Id) -> Order {
    store
        .orders
        .get_order(id)
        .await
        .expect("get order")
        .expect("order exists")
}

// --- promotions ---

/// An active fixed-amount promotion valid from a day ago to a day ahead.
pub fn promotion(
    code: Option<&str>,
    usage_limit: Option<u32>,
    per_user_limit: Option<u32>,
) -> Promotion {
    let at = now();
    Promotion {
        id: Id::generate(),
        title: format!("Promotion {}", code.unwrap_or("banner")),
        description: "Money off".into(),
        image: None,
        photos: Vec::new(),
        discount_type: DiscountType::Fixed,
        discount_value: 100,
        code: code.map(str::to_owned),
        minimum_order_value: Money::ZERO,
        start_date: at - Duration::days(1),
        end_date: at + Duration::days(1),
        is_active: true,
        applicable_products: vec![],
        usage_limit,
        per_user_limit,
        used_count: 0,
        created_at: at,
        updated_at: at,
    }
}

pub async fn stored_promotion(
    store: &Shared,
    code: &str,
    usage_limit: Option<u32>,
    per_user_limit: Option<u32>,
) -> Promotion {
    let promotion = promotion(Some(code), usage_limit, per_user_limit);
    store
        .promotions
        .insert_promotion(&promotion)
        .await
        .expect("insert promotion");
    promotion
}

pub async fn reload_promotion(store: &Shared, id: &Id) -> Promotion {
    store
        .promotions
        .get_promotion(id)
        .await
        .expect("get promotion")
        .expect("promotion exists")
}

// --- notifications ---

pub fn notification(user: &Id, title: &str, at: DateTime<Utc>) -> Notification {
    Notification {
        id: Id::generate(),
        user_id: user.clone(),
        title: title.into(),
        message: format!("{title}: details"),
        kind: NotificationKind::Order,
        reference_id: Some(Id::generate()),
        is_read: false,
        created_at: at,
    }
}

// --- auth ---

pub fn otp(phone: &Phone) -> OtpRecord {
    let at = now();
    OtpRecord {
        id: Id::generate(),
        phone: phone.clone(),
        code_hash: random_hex(32),
        attempts: 0,
        pending_name: Some("New Customer".into()),
        expires_at: at + Duration::minutes(10),
        created_at: at,
    }
}

pub fn refresh_token(user: &Id, family: &Id) -> RefreshTokenRecord {
    let at = now();
    RefreshTokenRecord {
        id: Id::generate(),
        family_id: family.clone(),
        user_id: user.clone(),
        token_hash: random_hex(32),
        expires_at: at + Duration::days(7),
        used_at: None,
        revoked: false,
        created_at: at,
    }
}

pub fn random_hex(bytes: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.gen::<u8>()))
        .collect()
}

// --- assertions ---

/// Asserts `result` is the conflict `code`, with a readable failure otherwise.
#[track_caller]
pub fn assert_conflict<T: std::fmt::Debug>(result: Result<T, Error>, code: ConflictCode) {
    match result {
        Err(Error::Conflict { code: got, .. }) if got == code => {}
        other => panic!("expected Conflict {{ code: {code} }}, got {other:?}"),
    }
}

/// Whether `result` is the conflict `code`.
pub fn is_conflict<T>(result: &Result<T, Error>, code: ConflictCode) -> bool {
    matches!(result, Err(Error::Conflict { code: got, .. }) if *got == code)
}

pub fn ids<'a>(items: impl IntoIterator<Item = &'a Product>) -> Vec<Id> {
    items.into_iter().map(|p| p.id.clone()).collect()
}

pub fn sorted(mut ids: Vec<Id>) -> Vec<Id> {
    ids.sort();
    ids
}

/// A card order as the service writes it (payment pending, no intent yet), placed.
pub async fn card_order(store: &Shared) -> Order {
    let category = stored_category(store, &format!("Cakes {}", Id::generate())).await;
    let cake = stored_product(store, &category.id, "Cake", 3000, None).await;
    let user = stored_user(store, "Payer").await;
    let mut order = order(&user.id, &[(&cake, 1)]);
    order.payment_details.method = PaymentMethod::Card;
    store
        .orders
        .place_order(&place(order.clone()))
        .await
        .expect("place");
    order
}

/// The payment of a `placed` order moving `from` → `to`, with nothing else.
pub fn pay(order: &Id, from: PaymentStatus, to: PaymentStatus) -> PaymentChange {
    PaymentChange {
        order_id: order.clone(),
        order_status: OrderStatus::Placed,
        step: PaymentStep { from, to },
        transaction_id: None,
        refund_id: None,
        at: now(),
        effects: Vec::new(),
    }
}

// --- options ---

/// A cake's groups: a required size, optional add-ons, an optional message.
pub fn cake_groups() -> Vec<OptionGroup> {
    let option = |key: &str, label: &str, delta: i64| ProductOption {
        key: key.into(),
        label: label.into(),
        price_delta: Money::from_minor(delta),
    };
    vec![
        OptionGroup {
            key: "size".into(),
            label: "Size".into(),
            kind: OptionKind::Choice,
            min_choices: 1,
            max_choices: 1,
            options: vec![
                option("6", "6 portions", 0),
                option("10", "10 portions", 1400),
            ],
            max_length: None,
            price_delta: Money::ZERO,
        },
        OptionGroup {
            key: "add-ons".into(),
            label: "Add-ons".into(),
            kind: OptionKind::Choice,
            min_choices: 0,
            max_choices: 2,
            options: vec![
                option("candles", "Candles", 150),
                option("sparkler", "Sparkler", 0),
            ],
            max_length: None,
            price_delta: Money::ZERO,
        },
        OptionGroup {
            key: "message".into(),
            label: "Message on the cake".into(),
            kind: OptionKind::Text,
            min_choices: 0,
            max_choices: 1,
            options: vec![],
            max_length: Some(40),
            price_delta: Money::from_minor(200),
        },
    ]
}

/// What an order line keeps of a 10-portion cake with candles and a message.
pub fn cake_choices() -> Vec<ChosenOption> {
    vec![
        ChosenOption {
            group: "size".into(),
            group_label: "Size".into(),
            option: Some("10".into()),
            label: Some("10 portions".into()),
            text: None,
            price_delta: Money::from_minor(1400),
        },
        ChosenOption {
            group: "add-ons".into(),
            group_label: "Add-ons".into(),
            option: Some("candles".into()),
            label: Some("Candles".into()),
            text: None,
            price_delta: Money::from_minor(150),
        },
        ChosenOption {
            group: "message".into(),
            group_label: "Message on the cake".into(),
            option: None,
            label: None,
            text: Some("Joyeux anniversaire, Zoé !".into()),
            price_delta: Money::from_minor(200),
        },
    ]
}

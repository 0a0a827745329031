//! Request bodies and a small believable catalog, built and created through the SDK.

use std::fmt::Debug;

use bakery_sdk::{types, BakeryClient};
use chrono::{DateTime, Duration, Utc};

/// Converts into one of the SDK's checked newtypes (ids, names, phones), panicking on a value
/// the contract refuses — fixtures only hold valid ones.
pub fn v<'a, T>(value: &'a str) -> T
where
    T: TryFrom<&'a str>,
    T::Error: Debug,
{
    T::try_from(value).unwrap_or_else(|e| panic!("{value:?}: {e:?}"))
}

pub fn category_input(name: &str, display_order: i32) -> types::CategoryInput {
    types::CategoryInput {
        name: v(name),
        description: Some(v(&format!("All our {}", name.to_lowercase()))),
        image: None,
        display_order,
        is_active: true,
    }
}

/// A vegetarian, available, unlimited, unfeatured product with no allergens.
pub fn product_input(category: &str, name: &str, price: u64) -> types::ProductInput {
    types::ProductInput {
        category: v(category),
        name: v(name),
        description: v(&format!("{name}, baked this morning")),
        price: std::num::NonZeroU64::new(price).expect("price > 0"),
        discount_price: None,
        images: Vec::new(),
        ingredients: vec!["flour".parse().unwrap()],
        allergens: Vec::new(),
        is_available: true,
        is_featured: false,
        is_vegetarian: true,
        nutritional_info: None,
        preparation_time: 10,
        stock: None,
        option_groups: Vec::new(),
        daily_quantity: None,
    }
}

pub fn address_input(title: &str, is_default: bool) -> types::AddressInput {
    types::AddressInput {
        title: v(title),
        address: v("12 Rue de la Paix"),
        landmark: Some(v("Blue door")),
        city: v("Paris"),
        state: v("Île-de-France"),
        zip_code: v("75002"),
        is_default,
        location: None,
    }
}

pub fn delivery_address() -> types::DeliveryAddressInput {
    types::DeliveryAddressInput {
        address: v("12 Rue de la Paix"),
        landmark: None,
        city: v("Paris"),
        state: v("Île-de-France"),
        zip_code: v("75002"),
        location: None,
    }
}

pub fn line(product: &str, quantity: u32) -> types::CartLine {
    types::CartLine {
        product: v(product),
        quantity: std::num::NonZeroU32::new(quantity).expect("quantity > 0"),
        options: Vec::new(),
    }
}

/// A cash order for delivery as soon as possible.
pub fn order_request(items: Vec<types::CartLine>) -> types::PlaceOrderRequest {
    types::PlaceOrderRequest {
        items,
        fulfilment: None,
        delivery_address: Some(delivery_address()),
        payment_details: types::PaymentInput {
            method: types::PaymentMethod::Cash,
        },
        promotion_code: None,
        is_scheduled: None,
        scheduled_delivery_time: None,
        special_instructions: None,
    }
}

/// An active promotion running from an hour ago for thirty days, with no limits.
pub fn promotion_input(
    code: Option<&str>,
    discount_type: types::DiscountType,
    value: u64,
) -> types::PromotionInput {
    let now = Utc::now();
    promotion_window(
        code,
        discount_type,
        value,
        now - Duration::hours(1),
        now + Duration::days(30),
    )
}

pub fn promotion_window(
    code: Option<&str>,
    discount_type: types::DiscountType,
    value: u64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> types::PromotionInput {
    types::PromotionInput {
        title: v(code.unwrap_or("Offer")),
        description: v("A treat from the bakery"),
        code: code.map(v),
        image: None,
        discount_type,
        discount_value: std::num::NonZeroU64::new(value).expect("value > 0"),
        minimum_order_value: 0,
        start_date: start,
        end_date: end,
        is_active: true,
        applicable_products: Vec::new(),
        usage_limit: None,
        per_user_limit: None,
    }
}

pub async fn create_category(admin: &BakeryClient, input: types::CategoryInput) -> types::Category {
    admin
        .api()
        .admin_create_category()
        .body(input)
        .send()
        .await
        .expect("create category")
        .into_inner()
}

pub async fn create_product(admin: &BakeryClient, input: types::ProductInput) -> types::Product {
    admin
        .api()
        .admin_create_product()
        .body(input)
        .send()
        .await
        .expect("create product")
        .into_inner()
}

pub async fn create_promotion(
    admin: &BakeryClient,
    input: types::PromotionInput,
) -> types::Promotion {
    admin
        .api()
        .admin_create_promotion()
        .body(input)
        .send()
        .await
        .expect("create promotion")
        .into_inner()
}

pub async fn update_category(
    admin: &BakeryClient,
    id: &str,
    input: types::CategoryInput,
) -> types::Category {
    admin
        .api()
        .admin_update_category()
        .id(id)
        .body(input)
        .send()
        .await
        .unwrap_or_else(|e| panic!("update category {id}: {e:?}"))
        .into_inner()
}

pub async fn update_product(
    admin: &BakeryClient,
    id: &str,
    input: types::ProductInput,
) -> types::Product {
    admin
        .api()
        .admin_update_product()
        .id(id)
        .body(input)
        .send()
        .await
        .unwrap_or_else(|e| panic!("update product {id}: {e:?}"))
        .into_inner()
}

pub async fn update_promotion(
    admin: &BakeryClient,
    id: &str,
    input: types::PromotionInput,
) -> types::Promotion {
    admin
        .api()
        .admin_update_promotion()
        .id(id)
        .body(input)
        .send()
        .await
        .unwrap_or_else(|e| panic!("update promotion {id}: {e:?}"))
        .into_inner()
}

/// Places `request` as `customer`; panics when refused.
pub async fn place_order(
    customer: &BakeryClient,
    request: types::PlaceOrderRequest,
) -> types::Order {
    customer
        .api()
        .place_order()
        .body(request)
        .send()
        .await
        .expect("place order")
        .into_inner()
}

/// Moves an order through `statuses` as `staff`.
pub async fn advance(
    staff: &BakeryClient,
    order: &str,
    statuses: &[types::OrderStatus],
) -> types::Order {
    let mut last = None;
    for status in statuses {
        last = Some(
            staff
                .api()
                .admin_update_order_status()
                .id(order)
                .body(types::StatusUpdate {
                    status: status.clone(),
                })
                .send()
                .await
                .unwrap_or_else(|e| panic!("move {order} to {status:?}: {e:?}"))
                .into_inner(),
        );
    }
    last.expect("at least one status")
}

/// placed → preparing → out for delivery → delivered.
pub async fn deliver(staff: &BakeryClient, order: &str) -> types::Order {
    use types::OrderStatus::*;
    advance(staff, order, &[Preparing, OutForDelivery, Delivered]).await
}

/// A small shop: two categories and six products.
///
/// | product            | category | price | notes                                        |
/// |--------------------|----------|-------|----------------------------------------------|
/// | Croissant          | pastry   | 150   | featured, vegetarian, gluten + milk          |
/// | Pain au chocolat   | pastry   | 180   | featured, vegetarian, gluten + milk          |
/// | Crème brûlée       | pastry   | 450   | vegetarian, milk + egg, discounted to 400    |
/// | Baguette           | bread    | 120   | vegetarian, gluten                           |
/// | Ham sandwich       | bread    | 550   | not vegetarian, gluten                       |
/// | Galette des rois   | pastry   | 2400  | vegetarian, stock 2                          |
pub struct Catalog {
    pub pastry: types::Category,
    pub bread: types::Category,
    pub croissant: types::Product,
    pub pain_au_chocolat: types::Product,
    pub creme_brulee: types::Product,
    pub baguette: types::Product,
    pub ham_sandwich: types::Product,
    pub galette: types::Product,
}

pub async fn seed_catalog(admin: &BakeryClient) -> Catalog {
    let bread = create_category(admin, category_input("Bread", 1)).await;
    let pastry = create_category(admin, category_input("Pastry", 2)).await;
    let product = |category: &types::Category, name: &str, price: u64, allergens: &[&str]| {
        let mut input = product_input(&category.id, name, price);
        input.allergens = allergens.iter().map(|a| a.parse().unwrap()).collect();
        input
    };
    let mut croissant = product(&pastry, "Croissant", 150, &["gluten", "milk"]);
    croissant.is_featured = true;
    croissant.ingredients = vec!["flour".parse().unwrap(), "butter".parse().unwrap()];
    let croissant = create_product(admin, croissant).await;
    let mut pain = product(&pastry, "Pain au chocolat", 180, &["gluten", "milk"]);
    pain.is_featured = true;
    let pain_au_chocolat = create_product(admin, pain).await;
    let mut creme = product(&pastry, "Crème brûlée", 450, &["milk", "egg"]);
    creme.discount_price = Some(400);
    let creme_brulee = create_product(admin, creme).await;
    let baguette = create_product(admin, product(&bread, "Baguette", 120, &["gluten"])).await;
    let mut ham = product(&bread, "Ham sandwich", 550, &["gluten"]);
    ham.is_vegetarian = false;
    let ham_sandwich = create_product(admin, ham).await;
    let mut galette = product(&pastry, "Galette des rois", 2400, &[]);
    galette.stock = Some(2);
    let galette = create_product(admin, galette).await;
    Catalog {
        pastry,
        bread,
        croissant,
        pain_au_chocolat,
        creme_brulee,
        baguette,
        ham_sandwich,
        galette,
    }
}

/// The names of `products`, in order.
pub fn names(products: &[types::Product]) -> Vec<&str> {
    products.iter().map(|p| p.name.as_str()).collect()
}

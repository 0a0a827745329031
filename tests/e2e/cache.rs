//! The catalog is served from cache, and every write that changes what it shows is seen on
//! the very next read: orders and cancels (stock, units sold), reviews (ratings), staff
//! edits of products, categories and promotions.

use bakery_e2e::fixtures::{
    category_input, create_promotion, deliver, line, order_request, place_order, promotion_input,
    seed_catalog, update_category, update_product,
};
use bakery_e2e::{types, BakeryClient, TestApp};

/// The listing customers open the app on, read twice so the second read is a cache hit.
async fn listing(client: &BakeryClient, sort: types::SortBy) -> Vec<types::Product> {
    let read = || async {
        client
            .api()
            .list_products()
            .sort(sort)
            .limit(std::num::NonZeroU32::new(50).expect("limit"))
            .send()
            .await
            .expect("list products")
            .into_inner()
            .items
    };
    let first = read().await;
    let second = read().await;
    assert_eq!(
        format!("{first:?}"),
        format!("{second:?}"),
        "two reads with no write in between agree"
    );
    second
}

fn find<'a>(products: &'a [types::Product], id: &str) -> &'a types::Product {
    products
        .iter()
        .find(|p| p.id == id)
        .unwrap_or_else(|| panic!("{id} is not listed"))
}

pub async fn reads_follow_every_write(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900801").await;
    let anonymous = app.client();

    // Stock and units sold, by an order and its cancel.
    assert_eq!(
        find(
            &listing(&anonymous, types::SortBy::Name).await,
            &shop.galette.id
        )
        .stock,
        Some(2)
    );
    let popular_before = listing(&anonymous, types::SortBy::Popularity).await;
    assert_ne!(popular_before[0].id, shop.baguette.id);
    let order = place_order(&ada, order_request(vec![line(&shop.galette.id, 1)])).await;
    assert_eq!(
        find(
            &listing(&anonymous, types::SortBy::Name).await,
            &shop.galette.id
        )
        .stock,
        Some(1)
    );
    let detail = anonymous
        .api()
        .get_product()
        .id(shop.galette.id.as_str())
        .send()
        .await
        .expect("product")
        .into_inner();
    assert_eq!(detail.stock, Some(1));
    ada.api()
        .cancel_order()
        .id(order.id.as_str())
        .send()
        .await
        .expect("cancel");
    assert_eq!(
        find(
            &listing(&anonymous, types::SortBy::Name).await,
            &shop.galette.id
        )
        .stock,
        Some(2)
    );

    // The ranking re-orders as soon as something sells.
    let order = place_order(&ada, order_request(vec![line(&shop.baguette.id, 5)])).await;
    assert_eq!(
        listing(&anonymous, types::SortBy::Popularity).await[0].id,
        shop.baguette.id
    );

    // A review moves the product's rating.
    deliver(&admin, &order.id).await;
    ada.api()
        .create_review()
        .id(shop.baguette.id.as_str())
        .body(types::ReviewInput {
            rating: std::num::NonZeroU8::new(4).expect("rating"),
            comment: None,
        })
        .send()
        .await
        .expect("review");
    let rated = listing(&anonymous, types::SortBy::Rating).await;
    assert_eq!(rated[0].id, shop.baguette.id);
    assert_eq!(rated[0].ratings.count, 1);

    // Staff edits: a price, a category's name, a new promotion.
    let mut input = bakery_e2e::fixtures::product_input(&shop.bread.id, "Baguette", 130);
    input.allergens = vec!["gluten".parse().unwrap()];
    update_product(&admin, &shop.baguette.id, input).await;
    assert_eq!(
        find(
            &listing(&anonymous, types::SortBy::Name).await,
            &shop.baguette.id
        )
        .price,
        130
    );

    let categories = || async {
        anonymous
            .api()
            .list_categories()
            .send()
            .await
            .expect("categories")
            .into_inner()
    };
    categories().await;
    update_category(&admin, &shop.bread.id, category_input("Breads", 1)).await;
    assert!(categories().await.items.iter().any(|c| c.name == "Breads"));

    let promotions = || async {
        anonymous
            .api()
            .list_promotions()
            .send()
            .await
            .expect("promotions")
            .into_inner()
            .total
    };
    let before = promotions().await;
    create_promotion(
        &admin,
        promotion_input(Some("CACHE10"), types::DiscountType::Percentage, 10),
    )
    .await;
    assert_eq!(promotions().await, before + 1);
}

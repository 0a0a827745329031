//! Verified-purchase reviews.

use bakery_e2e::errors::{assert_error, assert_invalid};
use bakery_e2e::fixtures::{deliver, line, order_request, place_order, seed_catalog, v};
use bakery_e2e::{types, BakeryClient, TestApp};

const UNKNOWN_ID: &str = "0123456789abcdef01234567";

fn review(rating: u8, comment: Option<&str>) -> types::ReviewInput {
    types::ReviewInput {
        rating: std::num::NonZeroU8::new(rating).expect("rating > 0"),
        comment: comment.map(v),
    }
}

async fn post_review(
    client: &BakeryClient,
    product: &str,
    input: types::ReviewInput,
) -> Result<bakery_e2e::ResponseValue<types::Review>, bakery_e2e::ApiError> {
    client
        .api()
        .create_review()
        .id(product)
        .body(input)
        .send()
        .await
}

pub async fn only_customers_who_received_a_product_may_review(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900501").await;
    // Never ordered.
    let result = post_review(&ada, &shop.croissant.id, review(5, None)).await;
    assert_error(result, 409, "NOT_PURCHASED");
    // Ordered, not yet delivered.
    let order = place_order(&ada, order_request(vec![line(&shop.croissant.id, 1)])).await;
    let result = post_review(&ada, &shop.croissant.id, review(5, None)).await;
    assert_error(result, 409, "NOT_PURCHASED");
    // Delivered: now it may.
    deliver(&admin, &order.id).await;
    let created = post_review(&ada, &shop.croissant.id, review(5, Some("Flaky!")))
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    // Delivered a croissant, not a baguette.
    let result = post_review(&ada, &shop.baguette.id, review(4, None)).await;
    assert_error(result, 409, "NOT_PURCHASED");
}

pub async fn review_lifecycle(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900502").await;
    let ben = app.customer("Ben", "+447700900503").await;
    for customer in [&ada, &ben] {
        let order = place_order(customer, order_request(vec![line(&shop.croissant.id, 1)])).await;
        deliver(&admin, &order.id).await;
    }
    let adas = post_review(
        &ada,
        &shop.croissant.id,
        review(5, Some("Flaky and buttery")),
    )
    .await
    .unwrap()
    .into_inner();
    assert_eq!(adas.rating, 5);
    assert_eq!(adas.comment.as_deref(), Some("Flaky and buttery"));
    assert_eq!(adas.user_name, "Ada");
    assert_eq!(adas.product, shop.croissant.id);
    assert!(adas.is_approved);
    let bens = post_review(&ben, &shop.croissant.id, review(2, None))
        .await
        .unwrap()
        .into_inner();

    // Newest first; the product's rating is the exact average.
    let api = app.client().api();
    let page = api
        .list_product_reviews()
        .id(shop.croissant.id.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    let listed: Vec<(&str, u8)> = page
        .items
        .iter()
        .map(|r| (r.user_name.as_str(), r.rating))
        .collect();
    assert_eq!(listed, [("Ben", 2), ("Ada", 5)]);
    assert_eq!(page.total, 2);
    let croissant = api
        .get_product()
        .id(shop.croissant.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(
        (croissant.ratings.average, croissant.ratings.count),
        (3.5, 2)
    );

    // The author edits; the average follows.
    let edited = ada
        .api()
        .update_review()
        .id(adas.id.as_str())
        .body(review(4, Some("Still good")))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (edited.rating, edited.comment.as_deref()),
        (4, Some("Still good"))
    );
    let croissant = api
        .get_product()
        .id(shop.croissant.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(
        (croissant.ratings.average, croissant.ratings.count),
        (3.0, 2)
    );

    // Someone else's review is not there for them.
    let result = ben
        .api()
        .update_review()
        .id(adas.id.as_str())
        .body(review(1, None))
        .send()
        .await;
    assert_error(result, 404, "NOT_FOUND");
    let result = ben.api().delete_review().id(adas.id.as_str()).send().await;
    assert_error(result, 404, "NOT_FOUND");

    // The author deletes theirs; staff moderate any.
    let gone = ada
        .api()
        .delete_review()
        .id(adas.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status().as_u16(), 204);
    let gone = admin
        .api()
        .delete_review()
        .id(bens.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status().as_u16(), 204);
    let page = api
        .list_product_reviews()
        .id(shop.croissant.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(page.total, 0);
    let croissant = api
        .get_product()
        .id(shop.croissant.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(croissant.ratings.count, 0);
    let result = ada.api().delete_review().id(adas.id.as_str()).send().await;
    assert_error(result, 404, "NOT_FOUND");
}

pub async fn review_errors(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900504").await;
    let order = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    deliver(&admin, &order.id).await;

    assert_invalid(
        post_review(&ada, &shop.baguette.id, review(6, None)).await,
        "rating",
    );
    post_review(&ada, &shop.baguette.id, review(4, None))
        .await
        .unwrap();
    let result = post_review(&ada, &shop.baguette.id, review(5, None)).await;
    assert_error(result, 409, "DUPLICATE_REVIEW");
    let result = post_review(&ada, UNKNOWN_ID, review(5, None)).await;
    assert_error(result, 404, "NOT_FOUND");
    let result = app
        .client()
        .api()
        .list_product_reviews()
        .id(UNKNOWN_ID)
        .send()
        .await;
    assert_error(result, 404, "NOT_FOUND");
    let result = ada
        .api()
        .update_review()
        .id(UNKNOWN_ID)
        .body(review(3, None))
        .send()
        .await;
    assert_error(result, 404, "NOT_FOUND");

    let anonymous = app.client();
    let result = post_review(&anonymous, &shop.baguette.id, review(5, None)).await;
    assert_error(result, 401, "UNAUTHORIZED");
    let result = anonymous
        .api()
        .update_review()
        .id(UNKNOWN_ID)
        .body(review(3, None))
        .send()
        .await;
    assert_error(result, 401, "UNAUTHORIZED");
    let result = anonymous.api().delete_review().id(UNKNOWN_ID).send().await;
    assert_error(result, 401, "UNAUTHORIZED");
}

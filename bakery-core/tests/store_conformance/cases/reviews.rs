use bakery_core::domain::{Id, Rating, Ratings, Review};
use bakery_core::error::ConflictCode;

use crate::fixtures::*;

async fn ratings_of(store: &Shared, product: &Id) -> Ratings {
    reload_product(store, product).await.ratings
}

fn ratings(average: f64, count: u32) -> Ratings {
    Ratings { average, count }
}

pub async fn review_round_trips(store: Shared) {
    let category = stored_category(&store, "Cakes").await;
    let product = stored_product(&store, &category.id, "Gateau", 800, None).await;
    let user = stored_user(&store, "Critic").await;
    let mut review = review(&product.id, &user.id, 4);
    review.images = vec!["https://img.example.com/r1.jpg".into()];
    review.likes = 3;
    store.reviews.insert_review(&review).await.unwrap();
    assert_eq!(
        store.reviews.get_review(&review.id).await.unwrap(),
        Some(review)
    );
    assert_eq!(
        store.reviews.get_review(&Id::generate()).await.unwrap(),
        None
    );
}

pub async fn ratings_stay_exact_through_every_write(store: Shared) {
    let category = stored_category(&store, "Cakes").await;
    let product = stored_product(&store, &category.id, "Gateau", 800, None).await;
    let bystander = stored_product(&store, &category.id, "Scone", 200, None).await;
    let ann = stored_user(&store, "Ann").await;
    let bob = stored_user(&store, "Bob").await;
    assert_eq!(ratings_of(&store, &product.id).await, ratings(0.0, 0));

    let five = review(&product.id, &ann.id, 5);
    store.reviews.insert_review(&five).await.unwrap();
    assert_eq!(ratings_of(&store, &product.id).await, ratings(5.0, 1));

    let mut three = review(&product.id, &bob.id, 3);
    store.reviews.insert_review(&three).await.unwrap();
    assert_eq!(ratings_of(&store, &product.id).await, ratings(4.0, 2));

    three.rating = Rating::parse(4).unwrap();
    three.comment = Some("Better the next day".into());
    three.updated_at = now();
    assert!(store.reviews.update_review(&three).await.unwrap());
    assert_eq!(ratings_of(&store, &product.id).await, ratings(4.5, 2));
    assert_eq!(
        store.reviews.get_review(&three.id).await.unwrap(),
        Some(three.clone())
    );

    assert!(store.reviews.delete_review(&three.id).await.unwrap());
    assert_eq!(store.reviews.get_review(&three.id).await.unwrap(), None);
    assert_eq!(ratings_of(&store, &product.id).await, ratings(5.0, 1));

    assert!(store.reviews.delete_review(&five.id).await.unwrap());
    assert_eq!(ratings_of(&store, &product.id).await, ratings(0.0, 0));

    // Nothing leaked onto another product.
    assert_eq!(ratings_of(&store, &bystander.id).await, ratings(0.0, 0));
}

pub async fn ratings_average_is_not_rounded(store: Shared) {
    let category = stored_category(&store, "Cakes").await;
    let product = stored_product(&store, &category.id, "Torte", 900, None).await;
    for rating in [5, 4, 4] {
        let user = stored_user(&store, "Taster").await;
        store
            .reviews
            .insert_review(&review(&product.id, &user.id, rating))
            .await
            .unwrap();
    }
    let got = ratings_of(&store, &product.id).await;
    assert_eq!(got.count, 3);
    assert!(
        (got.average - 13.0 / 3.0).abs() < 1e-9,
        "average of 5,4,4 is 4.333.., got {}",
        got.average
    );
}

pub async fn duplicate_review_conflicts(store: Shared) {
    let category = stored_category(&store, "Cakes").await;
    let product = stored_product(&store, &category.id, "Gateau", 800, None).await;
    let other = stored_product(&store, &category.id, "Scone", 200, None).await;
    let user = stored_user(&store, "Ann").await;
    store
        .reviews
        .insert_review(&review(&product.id, &user.id, 5))
        .await
        .unwrap();

    let again = review(&product.id, &user.id, 1);
    assert_conflict(
        store.reviews.insert_review(&again).await,
        ConflictCode::DuplicateReview,
    );
    assert_eq!(store.reviews.get_review(&again.id).await.unwrap(), None);
    assert_eq!(ratings_of(&store, &product.id).await, ratings(5.0, 1));

    // The same user may review another product.
    store
        .reviews
        .insert_review(&review(&other.id, &user.id, 2))
        .await
        .unwrap();
    assert_eq!(ratings_of(&store, &other.id).await, ratings(2.0, 1));
}

pub async fn missing_review_update_and_delete_are_false(store: Shared) {
    let category = stored_category(&store, "Cakes").await;
    let product = stored_product(&store, &category.id, "Gateau", 800, None).await;
    let user = stored_user(&store, "Ann").await;
    let ghost = review(&product.id, &user.id, 3);
    assert!(!store.reviews.update_review(&ghost).await.unwrap());
    assert!(!store.reviews.delete_review(&ghost.id).await.unwrap());
    assert_eq!(store.reviews.get_review(&ghost.id).await.unwrap(), None);
    assert_eq!(ratings_of(&store, &product.id).await, ratings(0.0, 0));
}

pub async fn reviews_listed_newest_first(store: Shared) {
    let category = stored_category(&store, "Cakes").await;
    let product = stored_product(&store, &category.id, "Gateau", 800, None).await;
    let other = stored_product(&store, &category.id, "Scone", 200, None).await;
    let base = base_time();
    let mut made: Vec<Review> = Vec::new();
    // Inserted out of time order on purpose.
    for offset in [20, 0, 40, 10, 30] {
        let user = stored_user(&store, "Reviewer").await;
        let mut r = review(&product.id, &user.id, 1 + (offset / 10));
        r.created_at = base + minutes(offset);
        r.updated_at = r.created_at;
        store.reviews.insert_review(&r).await.unwrap();
        made.push(r);
    }
    let elsewhere = stored_user(&store, "Elsewhere").await;
    store
        .reviews
        .insert_review(&review(&other.id, &elsewhere.id, 5))
        .await
        .unwrap();

    made.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    let (items, total) = store
        .reviews
        .list_reviews(&product.id, all())
        .await
        .unwrap();
    assert_eq!(total, 5);
    assert_eq!(items, made);

    let (second, total) = store
        .reviews
        .list_reviews(&product.id, page(2, 2))
        .await
        .unwrap();
    assert_eq!(total, 5);
    assert_eq!(second, made[2..4].to_vec());

    let (none, total) = store
        .reviews
        .list_reviews(&Id::generate(), all())
        .await
        .unwrap();
    assert_eq!((none.len(), total), (0, 0));
}

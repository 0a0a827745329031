use bakery_core::domain::{DiscountType, Id, Money, Promotion};
use bakery_core::error::ConflictCode;
use chrono::Duration;

use crate::fixtures::*;

pub async fn promotion_round_trips(store: Shared) {
    let mut promotion = promotion(Some("SPRING25"), Some(100), Some(1));
    promotion.discount_type = DiscountType::Percentage;
    promotion.discount_value = 25;
    promotion.minimum_order_value = Money::from_minor(1500);
    promotion.image = Some("https://img.example.com/spring.jpg".into());
    promotion.applicable_products = vec![Id::generate(), Id::generate()];
    store.promotions.insert_promotion(&promotion).await.unwrap();
    assert_eq!(
        store.promotions.get_promotion(&promotion.id).await.unwrap(),
        Some(promotion.clone())
    );
    assert_eq!(
        store
            .promotions
            .find_promotion_by_code("SPRING25")
            .await
            .unwrap(),
        Some(promotion)
    );
    assert_eq!(
        store
            .promotions
            .get_promotion(&Id::generate())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .promotions
            .find_promotion_by_code("NOPE")
            .await
            .unwrap(),
        None
    );
}

pub async fn duplicate_code_conflicts(store: Shared) {
    let first = stored_promotion(&store, "SAVE10", None, None).await;
    let twin = promotion(Some("SAVE10"), Some(3), None);
    assert_conflict(
        store.promotions.insert_promotion(&twin).await,
        ConflictCode::DuplicateCode,
    );
    assert_eq!(
        store.promotions.get_promotion(&twin.id).await.unwrap(),
        None
    );

    // Renaming another promotion onto the code collides too.
    let other = stored_promotion(&store, "SAVE20", None, None).await;
    let mut renamed = other.clone();
    renamed.code = Some("SAVE10".into());
    assert_conflict(
        store.promotions.update_promotion(&renamed).await,
        ConflictCode::DuplicateCode,
    );
    assert_eq!(reload_promotion(&store, &other.id).await, other);
    assert_eq!(
        store
            .promotions
            .find_promotion_by_code("SAVE10")
            .await
            .unwrap(),
        Some(first)
    );
}

pub async fn promotions_without_code_do_not_collide(store: Shared) {
    let banner_one = promotion(None, None, None);
    let banner_two = promotion(None, None, None);
    store
        .promotions
        .insert_promotion(&banner_one)
        .await
        .unwrap();
    store
        .promotions
        .insert_promotion(&banner_two)
        .await
        .unwrap();
    assert_eq!(reload_promotion(&store, &banner_one.id).await, banner_one);
    assert_eq!(reload_promotion(&store, &banner_two.id).await, banner_two);
}

pub async fn update_promotion_keeps_used_count(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let product = stored_product(&store, &category.id, "Croissant", 250, None).await;
    let user = stored_user(&store, "Ann").await;
    let promotion = stored_promotion(&store, "SUMMER", Some(10), None).await;
    store
        .orders
        .place_order(&place_with(order(&user.id, &[(&product, 1)]), &promotion))
        .await
        .unwrap();
    assert_eq!(reload_promotion(&store, &promotion.id).await.used_count, 1);

    let mut edited = promotion.clone();
    edited.title = "Summer sale".into();
    edited.code = Some("SUMMER2".into());
    edited.usage_limit = Some(20);
    edited.is_active = false;
    edited.end_date += Duration::days(30);
    edited.updated_at = now();
    edited.used_count = 0; // stale: the store's count wins
    assert!(store.promotions.update_promotion(&edited).await.unwrap());

    let mut expected = edited.clone();
    expected.used_count = 1;
    assert_eq!(reload_promotion(&store, &promotion.id).await, expected);
    assert_eq!(
        store
            .promotions
            .find_promotion_by_code("SUMMER")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .promotions
            .find_promotion_by_code("SUMMER2")
            .await
            .unwrap(),
        Some(expected)
    );

    let ghost = crate::fixtures::promotion(Some("GHOST"), None, None);
    assert!(!store.promotions.update_promotion(&ghost).await.unwrap());
    assert_eq!(
        store.promotions.get_promotion(&ghost.id).await.unwrap(),
        None
    );
}

pub async fn delete_promotion(store: Shared) {
    let promotion = stored_promotion(&store, "BYE", None, None).await;
    let keep = stored_promotion(&store, "STAY", None, None).await;
    assert!(store
        .promotions
        .delete_promotion(&promotion.id)
        .await
        .unwrap());
    assert_eq!(
        store.promotions.get_promotion(&promotion.id).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .promotions
            .find_promotion_by_code("BYE")
            .await
            .unwrap(),
        None
    );
    assert!(!store
        .promotions
        .delete_promotion(&promotion.id)
        .await
        .unwrap());
    assert_eq!(reload_promotion(&store, &keep.id).await, keep);
    // The code is free again.
    stored_promotion(&store, "BYE", None, None).await;
}

pub async fn list_promotions_newest_first_and_active_window(store: Shared) {
    let base = base_time();
    let t = now();
    let make = |code: &str, offset: i64, active: bool, start: Duration, end: Duration| {
        let mut p = promotion(Some(code), None, None);
        p.created_at = base + minutes(offset);
        p.updated_at = p.created_at;
        p.is_active = active;
        p.start_date = t + start;
        p.end_date = t + end;
        p
    };
    let current = make("CURRENT", 10, true, -Duration::days(2), Duration::days(2));
    let inactive = make("INACTIVE", 20, false, -Duration::days(2), Duration::days(2));
    let expired = make("EXPIRED", 30, true, -Duration::days(9), -Duration::days(1));
    let future = make("FUTURE", 40, true, Duration::days(1), Duration::days(9));
    let also_current = make("ALSO", 50, true, -Duration::hours(1), Duration::hours(1));
    for p in [&expired, &current, &also_current, &future, &inactive] {
        store.promotions.insert_promotion(p).await.unwrap();
    }
    let codes = |items: Vec<Promotion>| -> Vec<String> {
        items.into_iter().map(|p| p.code.unwrap()).collect()
    };

    let (items, total) = store.promotions.list_promotions(None, all()).await.unwrap();
    assert_eq!(total, 5);
    assert_eq!(
        codes(items),
        vec!["ALSO", "FUTURE", "EXPIRED", "INACTIVE", "CURRENT"]
    );

    let (items, total) = store
        .promotions
        .list_promotions(Some(t), all())
        .await
        .unwrap();
    assert_eq!(total, 2);
    assert_eq!(codes(items), vec!["ALSO", "CURRENT"]);

    // Five days on, only the one that started a day after `t` is running.
    let (items, total) = store
        .promotions
        .list_promotions(Some(t + Duration::days(5)), all())
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(codes(items), vec!["FUTURE"]);

    let (items, total) = store
        .promotions
        .list_promotions(None, page(2, 2))
        .await
        .unwrap();
    assert_eq!(total, 5);
    assert_eq!(codes(items), vec!["EXPIRED", "INACTIVE"]);
}

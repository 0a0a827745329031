use bakery_core::domain::{Id, Notification};

use crate::fixtures::*;

pub async fn notifications_listed_newest_first_per_user(store: Shared) {
    let ann = Id::generate();
    let bob = Id::generate();
    let base = base_time();
    let mut anns: Vec<Notification> = Vec::new();
    for (title, offset) in [("Second", 10), ("First", 0), ("Fourth", 30), ("Third", 20)] {
        let n = notification(&ann, title, base + minutes(offset));
        store.notifications.insert_notification(&n).await.unwrap();
        anns.push(n);
    }
    let bobs = notification(&bob, "Bob's", base + minutes(15));
    store
        .notifications
        .insert_notification(&bobs)
        .await
        .unwrap();

    anns.sort_by_key(|n| std::cmp::Reverse(n.created_at));
    let (items, total) = store
        .notifications
        .list_notifications(&ann, all())
        .await
        .unwrap();
    assert_eq!(total, 4);
    assert_eq!(items, anns);

    let (second, total) = store
        .notifications
        .list_notifications(&ann, page(2, 3))
        .await
        .unwrap();
    assert_eq!(total, 4);
    assert_eq!(second, anns[3..].to_vec());

    let (items, total) = store
        .notifications
        .list_notifications(&bob, all())
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(items, vec![bobs]);

    let (items, total) = store
        .notifications
        .list_notifications(&Id::generate(), all())
        .await
        .unwrap();
    assert_eq!((items.len(), total), (0, 0));
}

pub async fn mark_read_only_by_owner(store: Shared) {
    let ann = Id::generate();
    let bob = Id::generate();
    let base = base_time();
    let first = notification(&ann, "First", base);
    let second = notification(&ann, "Second", base + minutes(1));
    store
        .notifications
        .insert_notification(&first)
        .await
        .unwrap();
    store
        .notifications
        .insert_notification(&second)
        .await
        .unwrap();

    assert!(
        !store
            .notifications
            .mark_notification_read(&bob, &first.id)
            .await
            .unwrap(),
        "not Bob's"
    );
    assert!(
        !store
            .notifications
            .mark_notification_read(&ann, &Id::generate())
            .await
            .unwrap(),
        "missing"
    );
    let (items, _) = store
        .notifications
        .list_notifications(&ann, all())
        .await
        .unwrap();
    assert!(items.iter().all(|n| !n.is_read));

    assert!(store
        .notifications
        .mark_notification_read(&ann, &first.id)
        .await
        .unwrap());
    let (items, _) = store
        .notifications
        .list_notifications(&ann, all())
        .await
        .unwrap();
    let mut expected_first = first.clone();
    expected_first.is_read = true;
    assert_eq!(items, vec![second.clone(), expected_first]);
}

pub async fn delete_only_by_owner(store: Shared) {
    let ann = Id::generate();
    let bob = Id::generate();
    let base = base_time();
    let first = notification(&ann, "First", base);
    let second = notification(&ann, "Second", base + minutes(1));
    store
        .notifications
        .insert_notification(&first)
        .await
        .unwrap();
    store
        .notifications
        .insert_notification(&second)
        .await
        .unwrap();

    assert!(
        !store
            .notifications
            .delete_notification(&bob, &first.id)
            .await
            .unwrap(),
        "not Bob's"
    );
    let (_, total) = store
        .notifications
        .list_notifications(&ann, all())
        .await
        .unwrap();
    assert_eq!(total, 2);

    assert!(store
        .notifications
        .delete_notification(&ann, &first.id)
        .await
        .unwrap());
    assert!(
        !store
            .notifications
            .delete_notification(&ann, &first.id)
            .await
            .unwrap(),
        "already gone"
    );
    let (items, total) = store
        .notifications
        .list_notifications(&ann, all())
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(items, vec![second]);
}

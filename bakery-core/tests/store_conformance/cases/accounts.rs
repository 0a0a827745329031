use bakery_core::domain::{Id, Phone};
use bakery_core::error::ConflictCode;

use crate::fixtures::*;

pub async fn ping_answers(store: Shared) {
    store.health.ping().await.expect("ping");
}

pub async fn user_round_trips(store: Shared) {
    let mut user = user("Ada Baker");
    user.password_hash = Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into());
    user.favorites = vec![Id::generate(), Id::generate()];
    user.phone_verified = true;
    store.accounts.insert_user(&user).await.expect("insert");

    assert_eq!(
        store.accounts.get_user(&user.id).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(
        store
            .accounts
            .find_user_by_phone(&user.phone)
            .await
            .unwrap(),
        Some(user.clone())
    );
}

pub async fn missing_user_is_none(store: Shared) {
    stored_user(&store, "Someone").await;
    assert_eq!(
        store.accounts.get_user(&Id::generate()).await.unwrap(),
        None
    );
    let nobody = Phone::parse("+15550000000").unwrap();
    assert_eq!(
        store.accounts.find_user_by_phone(&nobody).await.unwrap(),
        None
    );
}

pub async fn duplicate_phone_conflicts(store: Shared) {
    let first = stored_user(&store, "First").await;
    let mut second = user("Second");
    second.phone = first.phone.clone();
    assert_conflict(
        store.accounts.insert_user(&second).await,
        ConflictCode::DuplicatePhone,
    );
    assert_eq!(store.accounts.get_user(&second.id).await.unwrap(), None);
    assert_eq!(
        store
            .accounts
            .find_user_by_phone(&first.phone)
            .await
            .unwrap(),
        Some(first)
    );
}

pub async fn update_user_is_optimistic(store: Shared) {
    let original = stored_user(&store, "Ada").await;
    assert_eq!(original.version, 0);

    // A fresh copy wins and bumps the version.
    let mut fresh = original.clone();
    fresh.name = "Ada Lovelace".into();
    fresh.favorites.push(Id::generate());
    fresh.updated_at = now();
    assert!(
        store.accounts.update_user(&fresh).await.unwrap(),
        "fresh write"
    );
    let stored = store
        .accounts
        .get_user(&original.id)
        .await
        .unwrap()
        .unwrap();
    let mut expected = fresh.clone();
    expected.version = 1;
    assert_eq!(stored, expected);

    // A writer still holding version 0 loses and changes nothing.
    let mut stale = original.clone();
    stale.name = "Stale Writer".into();
    assert!(
        !store.accounts.update_user(&stale).await.unwrap(),
        "stale write"
    );
    assert_eq!(
        store.accounts.get_user(&original.id).await.unwrap(),
        Some(expected.clone())
    );

    // Re-read and retry works, and counts again.
    let mut retry = expected.clone();
    retry.name = "Ada K. Lovelace".into();
    assert!(store.accounts.update_user(&retry).await.unwrap(), "retry");
    let stored = store
        .accounts
        .get_user(&original.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.version, 2);
    assert_eq!(stored.name, "Ada K. Lovelace");
}

pub async fn update_missing_user_is_false(store: Shared) {
    let ghost = user("Ghost");
    assert!(!store.accounts.update_user(&ghost).await.unwrap());
    assert_eq!(store.accounts.get_user(&ghost.id).await.unwrap(), None);
}

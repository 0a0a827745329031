use bakery_core::domain::{Id, Phone};
use bakery_core::ports::RefreshOutcome;

use crate::fixtures::*;

// --- one-time passwords ---

pub async fn otp_attempts_are_counted(store: Shared) {
    let phone = unique_phone();
    let record = otp(&phone);
    store.auth_secrets.put_otp(&record).await.unwrap();

    for n in 1..=3u32 {
        let mut expected = record.clone();
        expected.attempts = n;
        assert_eq!(
            store.auth_secrets.attempt_otp(&phone).await.unwrap(),
            Some(expected)
        );
    }
    let unknown = Phone::parse("+15550001111").unwrap();
    assert_eq!(
        store.auth_secrets.attempt_otp(&unknown).await.unwrap(),
        None
    );
}

pub async fn put_otp_replaces_the_older_one(store: Shared) {
    let phone = unique_phone();
    let older = otp(&phone);
    store.auth_secrets.put_otp(&older).await.unwrap();
    assert_eq!(
        store
            .auth_secrets
            .attempt_otp(&phone)
            .await
            .unwrap()
            .unwrap()
            .attempts,
        1
    );

    let mut newer = otp(&phone);
    newer.pending_name = None;
    store.auth_secrets.put_otp(&newer).await.unwrap();
    let mut expected = newer.clone();
    expected.attempts = 1;
    assert_eq!(
        store.auth_secrets.attempt_otp(&phone).await.unwrap(),
        Some(expected),
        "the newer code, with its own fresh attempt count"
    );

    assert!(
        !store.auth_secrets.consume_otp(&older.id).await.unwrap(),
        "the older one is gone"
    );
    assert!(
        store
            .auth_secrets
            .attempt_otp(&phone)
            .await
            .unwrap()
            .is_some(),
        "the newer one survives"
    );

    // Another phone's OTP is untouched by all of this.
    let other_phone = unique_phone();
    let other = otp(&other_phone);
    store.auth_secrets.put_otp(&other).await.unwrap();
    assert_eq!(
        store
            .auth_secrets
            .attempt_otp(&other_phone)
            .await
            .unwrap()
            .map(|r| r.id),
        Some(other.id)
    );
}

pub async fn consume_otp_succeeds_once(store: Shared) {
    let phone = unique_phone();
    let record = otp(&phone);
    store.auth_secrets.put_otp(&record).await.unwrap();
    assert!(store.auth_secrets.consume_otp(&record.id).await.unwrap());
    assert!(!store.auth_secrets.consume_otp(&record.id).await.unwrap());
    assert_eq!(store.auth_secrets.attempt_otp(&phone).await.unwrap(), None);
    assert!(!store
        .auth_secrets
        .consume_otp(&Id::generate())
        .await
        .unwrap());
}

// --- refresh tokens ---

fn rotated_id(outcome: RefreshOutcome) -> Id {
    match outcome {
        RefreshOutcome::Rotated(record) => record.id,
        other => panic!("expected Rotated, got {other:?}"),
    }
}

fn reused_id(outcome: RefreshOutcome) -> Id {
    match outcome {
        RefreshOutcome::Reused(record) => record.id,
        other => panic!("expected Reused, got {other:?}"),
    }
}

pub async fn refresh_token_rotates_then_is_reused(store: Shared) {
    let user = Id::generate();
    let family = Id::generate();
    let token = refresh_token(&user, &family);
    store
        .auth_secrets
        .insert_refresh_token(&token)
        .await
        .unwrap();

    match store
        .auth_secrets
        .use_refresh_token(&token.token_hash, now())
        .await
        .unwrap()
    {
        RefreshOutcome::Rotated(record) => {
            assert_eq!(record.id, token.id);
            assert_eq!(record.family_id, family);
            assert_eq!(record.user_id, user);
            assert_eq!(record.token_hash, token.token_hash);
            assert_eq!(record.expires_at, token.expires_at);
        }
        other => panic!("expected Rotated, got {other:?}"),
    }
    match store
        .auth_secrets
        .use_refresh_token(&token.token_hash, now())
        .await
        .unwrap()
    {
        RefreshOutcome::Reused(record) => {
            assert_eq!(record.id, token.id);
            assert_eq!(record.family_id, family);
            assert_eq!(record.user_id, user);
        }
        other => panic!("expected Reused, got {other:?}"),
    }
    assert_eq!(
        reused_id(
            store
                .auth_secrets
                .use_refresh_token(&token.token_hash, now())
                .await
                .unwrap()
        ),
        token.id,
        "every later replay is Reused too"
    );
}

pub async fn unknown_refresh_token(store: Shared) {
    let token = refresh_token(&Id::generate(), &Id::generate());
    store
        .auth_secrets
        .insert_refresh_token(&token)
        .await
        .unwrap();
    assert_eq!(
        store
            .auth_secrets
            .use_refresh_token(&random_hex(32), now())
            .await
            .unwrap(),
        RefreshOutcome::Unknown
    );
    // The real one was not spent by the miss.
    assert_eq!(
        rotated_id(
            store
                .auth_secrets
                .use_refresh_token(&token.token_hash, now())
                .await
                .unwrap()
        ),
        token.id
    );
}

pub async fn revoke_token_family_spends_its_live_tokens(store: Shared) {
    let user = Id::generate();
    let family = Id::generate();
    let other_family = Id::generate();
    let spent = refresh_token(&user, &family);
    let live = refresh_token(&user, &family);
    let sibling = refresh_token(&user, &other_family);
    for t in [&spent, &live, &sibling] {
        store.auth_secrets.insert_refresh_token(t).await.unwrap();
    }
    assert_eq!(
        rotated_id(
            store
                .auth_secrets
                .use_refresh_token(&spent.token_hash, now())
                .await
                .unwrap()
        ),
        spent.id
    );

    store
        .auth_secrets
        .revoke_token_family(&family)
        .await
        .unwrap();
    assert_eq!(
        reused_id(
            store
                .auth_secrets
                .use_refresh_token(&live.token_hash, now())
                .await
                .unwrap()
        ),
        live.id
    );
    assert_eq!(
        reused_id(
            store
                .auth_secrets
                .use_refresh_token(&spent.token_hash, now())
                .await
                .unwrap()
        ),
        spent.id
    );
    assert_eq!(
        rotated_id(
            store
                .auth_secrets
                .use_refresh_token(&sibling.token_hash, now())
                .await
                .unwrap()
        ),
        sibling.id,
        "another family of the same user is untouched"
    );
    // Revoking an unknown family is not an error.
    store
        .auth_secrets
        .revoke_token_family(&Id::generate())
        .await
        .unwrap();
}

pub async fn revoke_user_tokens_spends_all_of_theirs(store: Shared) {
    let ann = Id::generate();
    let bob = Id::generate();
    let ann_a = refresh_token(&ann, &Id::generate());
    let ann_b = refresh_token(&ann, &Id::generate());
    let bobs = refresh_token(&bob, &Id::generate());
    for t in [&ann_a, &ann_b, &bobs] {
        store.auth_secrets.insert_refresh_token(t).await.unwrap();
    }
    store.auth_secrets.revoke_user_tokens(&ann).await.unwrap();
    assert_eq!(
        reused_id(
            store
                .auth_secrets
                .use_refresh_token(&ann_a.token_hash, now())
                .await
                .unwrap()
        ),
        ann_a.id
    );
    assert_eq!(
        reused_id(
            store
                .auth_secrets
                .use_refresh_token(&ann_b.token_hash, now())
                .await
                .unwrap()
        ),
        ann_b.id
    );
    assert_eq!(
        rotated_id(
            store
                .auth_secrets
                .use_refresh_token(&bobs.token_hash, now())
                .await
                .unwrap()
        ),
        bobs.id
    );

    // Tokens issued after the revocation work again.
    let fresh = refresh_token(&ann, &Id::generate());
    store
        .auth_secrets
        .insert_refresh_token(&fresh)
        .await
        .unwrap();
    assert_eq!(
        rotated_id(
            store
                .auth_secrets
                .use_refresh_token(&fresh.token_hash, now())
                .await
                .unwrap()
        ),
        fresh.id
    );
}

pub async fn a_session_is_live_until_its_family_is_revoked(store: Shared) {
    let user = Id::generate();
    let family = Id::generate();
    let other = Id::generate();
    assert!(!store
        .auth_secrets
        .session_is_live(&user, &family)
        .await
        .unwrap());
    let token = refresh_token(&user, &family);
    store
        .auth_secrets
        .insert_refresh_token(&token)
        .await
        .unwrap();
    store
        .auth_secrets
        .insert_refresh_token(&refresh_token(&user, &other))
        .await
        .unwrap();
    assert!(store
        .auth_secrets
        .session_is_live(&user, &family)
        .await
        .unwrap());
    // Rotation keeps the session: the family has a new token.
    store
        .auth_secrets
        .use_refresh_token(&token.token_hash, now())
        .await
        .unwrap();
    store
        .auth_secrets
        .insert_refresh_token(&refresh_token(&user, &family))
        .await
        .unwrap();
    assert!(store
        .auth_secrets
        .session_is_live(&user, &family)
        .await
        .unwrap());
    assert!(
        !store
            .auth_secrets
            .session_is_live(&Id::generate(), &family)
            .await
            .unwrap(),
        "someone else's family is not theirs"
    );
    store
        .auth_secrets
        .revoke_token_family(&family)
        .await
        .unwrap();
    assert!(!store
        .auth_secrets
        .session_is_live(&user, &family)
        .await
        .unwrap());
    assert!(store
        .auth_secrets
        .session_is_live(&user, &other)
        .await
        .unwrap());
    store.auth_secrets.revoke_user_tokens(&user).await.unwrap();
    assert!(!store
        .auth_secrets
        .session_is_live(&user, &other)
        .await
        .unwrap());
}

//! Idempotency keys: claim, replay, mismatch, in flight, leases that run out, expiry, per-user
//! scope, and one winner among concurrent claims.

use std::sync::Arc;

use bakery_core::domain::{Id, IdempotencyKey, RequestFingerprint};
use bakery_core::ports::{Begin, IdempotencyClaim, StoredResponse};
use chrono::{DateTime, Duration, Utc};
use tokio::sync::Barrier;

use crate::fixtures::*;

fn key(raw: &str) -> IdempotencyKey {
    IdempotencyKey::parse(raw).expect("valid key")
}

fn fingerprint(body: &str) -> RequestFingerprint {
    RequestFingerprint::of(&[b"place_order", body.as_bytes()])
}

/// A claim by `user` on `key` for `body` at `at`, leased one minute, kept a day.
fn claim(user: &Id, key_: &str, body: &str, at: DateTime<Utc>) -> IdempotencyClaim {
    IdempotencyClaim {
        user_id: user.clone(),
        key: key(key_),
        fingerprint: fingerprint(body),
        token: Id::generate(),
        now: at,
        lease_until: at + Duration::minutes(1),
        expires_at: at + Duration::hours(24),
    }
}

fn created(body: &str) -> StoredResponse {
    StoredResponse {
        status: 201,
        body: body.to_owned(),
    }
}

async fn begin(store: &Shared, claim: &IdempotencyClaim) -> Begin {
    store
        .idempotency
        .begin_request(claim)
        .await
        .expect("begin_request")
}

async fn complete(store: &Shared, claim: &IdempotencyClaim, response: &StoredResponse) -> bool {
    store
        .idempotency
        .complete_request(&claim.user_id, &claim.key, &claim.token, response)
        .await
        .expect("complete_request")
}

pub async fn a_completed_key_replays_its_answer(store: Shared) {
    let user = Id::generate();
    let t = now();
    let first = claim(&user, "k-1", "{\"a\":1}", t);
    assert_eq!(begin(&store, &first).await, Begin::Started);
    let answer = created("{\"id\":\"1\"}");
    assert!(complete(&store, &first, &answer).await);
    // Completing twice changes nothing: the record is no longer running.
    assert!(!complete(&store, &first, &created("other")).await);

    let retry = claim(&user, "k-1", "{\"a\":1}", t + Duration::minutes(5));
    assert_eq!(begin(&store, &retry).await, Begin::Replay(answer.clone()));
    // A replay does not take the key: the answer stays.
    assert!(!complete(&store, &retry, &created("late")).await);
    assert_eq!(begin(&store, &retry).await, Begin::Replay(answer));
}

pub async fn a_key_reused_for_another_request_is_a_mismatch(store: Shared) {
    let user = Id::generate();
    let t = now();
    let first = claim(&user, "k-1", "{\"a\":1}", t);
    assert_eq!(begin(&store, &first).await, Begin::Started);
    // While running...
    let other = claim(&user, "k-1", "{\"a\":2}", t);
    assert_eq!(begin(&store, &other).await, Begin::Mismatch);
    // ...and once done.
    assert!(complete(&store, &first, &created("{}")).await);
    assert_eq!(begin(&store, &other).await, Begin::Mismatch);
}

pub async fn a_running_key_is_in_flight_until_its_lease_runs_out(store: Shared) {
    let user = Id::generate();
    let t = now();
    let first = claim(&user, "k-1", "{}", t);
    assert_eq!(begin(&store, &first).await, Begin::Started);
    let retry = claim(&user, "k-1", "{}", t + Duration::seconds(59));
    assert_eq!(begin(&store, &retry).await, Begin::InFlight);

    // The holder died: after its lease the key is free again, even for another body.
    let late = claim(&user, "k-1", "{\"other\":1}", t + Duration::minutes(1));
    assert_eq!(begin(&store, &late).await, Begin::Started);
    // The dead holder's answer is not kept over the new attempt's.
    assert!(!complete(&store, &first, &created("stale")).await);
    assert!(complete(&store, &late, &created("fresh")).await);
    let again = claim(&user, "k-1", "{\"other\":1}", t + Duration::minutes(2));
    assert_eq!(begin(&store, &again).await, Begin::Replay(created("fresh")));
}

pub async fn an_abandoned_key_can_start_again(store: Shared) {
    let user = Id::generate();
    let t = now();
    let first = claim(&user, "k-1", "{}", t);
    assert_eq!(begin(&store, &first).await, Begin::Started);
    let stranger = claim(&user, "k-1", "{}", t);
    let abandon = |c: &IdempotencyClaim| {
        let (store, c) = (store.clone(), c.clone());
        async move {
            store
                .idempotency
                .abandon_request(&c.user_id, &c.key, &c.token)
                .await
                .expect("abandon_request")
        }
    };
    // Only the holder may give the key back.
    assert!(!abandon(&stranger).await);
    assert_eq!(begin(&store, &stranger).await, Begin::InFlight);
    assert!(abandon(&first).await);
    let retry = claim(&user, "k-1", "{\"changed\":true}", t);
    assert_eq!(begin(&store, &retry).await, Begin::Started);
    // A completed key is not abandoned.
    assert!(complete(&store, &retry, &created("{}")).await);
    assert!(!abandon(&retry).await);
    assert_eq!(begin(&store, &retry).await, Begin::Replay(created("{}")));
}

pub async fn keys_expire_after_their_lifetime(store: Shared) {
    let user = Id::generate();
    let t = now();
    let first = claim(&user, "k-1", "{}", t);
    assert_eq!(begin(&store, &first).await, Begin::Started);
    assert!(complete(&store, &first, &created("old")).await);
    let before = claim(
        &user,
        "k-1",
        "{\"b\":1}",
        t + Duration::hours(24) - Duration::seconds(1),
    );
    assert_eq!(begin(&store, &before).await, Begin::Mismatch);
    let after = claim(&user, "k-1", "{\"b\":1}", t + Duration::hours(24));
    assert_eq!(begin(&store, &after).await, Begin::Started);
    assert!(complete(&store, &after, &created("new")).await);
    assert_eq!(begin(&store, &after).await, Begin::Replay(created("new")));
}

pub async fn keys_are_per_user(store: Shared) {
    let (ada, ben) = (Id::generate(), Id::generate());
    let t = now();
    let adas = claim(&ada, "same-key", "{\"a\":1}", t);
    assert_eq!(begin(&store, &adas).await, Begin::Started);
    let bens = claim(&ben, "same-key", "{\"b\":2}", t);
    assert_eq!(begin(&store, &bens).await, Begin::Started);
    assert!(complete(&store, &adas, &created("ada")).await);
    assert!(complete(&store, &bens, &created("ben")).await);
    assert_eq!(begin(&store, &adas).await, Begin::Replay(created("ada")));
    assert_eq!(begin(&store, &bens).await, Begin::Replay(created("ben")));
    // Keys are compared exactly: another case is another key.
    let upper = claim(&ada, "SAME-KEY", "{\"c\":3}", t);
    assert_eq!(begin(&store, &upper).await, Begin::Started);
}

/// 20 claims of one free key released at once: exactly one starts, the others see it
/// running; on a key whose holder died, the same.
pub async fn concurrent_claims_start_exactly_once(store: Shared) {
    const TASKS: usize = 20;
    let user = Id::generate();
    let t = now();
    for (round, at) in [(0, t), (1, t + Duration::minutes(2))] {
        let barrier = Arc::new(Barrier::new(TASKS));
        let handles: Vec<_> = (0..TASKS)
            .map(|_| {
                let (store, barrier) = (store.clone(), barrier.clone());
                let claim = claim(&user, "contested", "{}", at);
                tokio::spawn(async move {
                    barrier.wait().await;
                    begin(&store, &claim).await
                })
            })
            .collect();
        let outcomes: Vec<Begin> = futures::future::join_all(handles)
            .await
            .into_iter()
            .map(|joined| joined.expect("task panicked"))
            .collect();
        let started = outcomes.iter().filter(|b| **b == Begin::Started).count();
        let in_flight = outcomes.iter().filter(|b| **b == Begin::InFlight).count();
        assert_eq!(
            (started, in_flight),
            (1, TASKS - 1),
            "round {round}: {outcomes:?}"
        );
        // Round 1 runs past round 0's lease: its holder never completed.
    }
}

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use bakery_core::domain::{
    Effect, Id, OrderStatus, OutboxMessage, OutboxState, PaymentStatus, Role,
};
use bakery_core::error::ConflictCode;
use bakery_core::ports::{AttemptOutcome, PaymentChange, TransitionOrder};

use crate::fixtures::*;

const LEASE: Duration = Duration::from_secs(60);

fn message(user: &Id, title: &str) -> OutboxMessage {
    OutboxMessage::new(
        Effect::Notify {
            notification: notification(user, title, now()),
            data: BTreeMap::new(),
            pending_devices: None,
        },
        now(),
    )
}

async fn all_of(store: &Shared, state: OutboxState) -> Vec<OutboxMessage> {
    store
        .outbox
        .list_outbox(Some(state), all())
        .await
        .expect("list outbox")
        .0
}

pub async fn effects_commit_with_the_order_or_not_at_all(store: Shared) {
    let user = stored_user(&store, "Ada").await;
    let breads = stored_category(&store, "Breads").await;
    let bread = stored_product(&store, &breads.id, "Bread", 300, Some(1)).await;
    let mut placed = place(order(&user.id, &[(&bread, 1)]));
    placed.effects = vec![message(&user.id, "Order placed")];
    store.orders.place_order(&placed).await.expect("place");

    let mut refused = place(order(&user.id, &[(&bread, 1)]));
    refused.effects = vec![message(&user.id, "never")];
    assert_conflict(
        store.orders.place_order(&refused).await,
        ConflictCode::OutOfStock,
    );
    let pending = all_of(&store, OutboxState::Pending).await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, placed.effects[0].id);
    // The inbox entry the message announces is written with it, and only with it.
    let (inbox, _) = store
        .notifications
        .list_notifications(&user.id, all())
        .await
        .expect("inbox");
    let titles: Vec<&str> = inbox.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(titles, ["Order placed"]);

    // A transition that no longer applies adds nothing either.
    let stale = TransitionOrder {
        payment: None,
        order_id: placed.order.id.clone(),
        from: OrderStatus::Preparing,
        change: change(OrderStatus::OutForDelivery, &user.id, Role::Admin),
        effects: vec![message(&user.id, "never")],
    };
    assert!(store
        .orders
        .transition_order(&stale)
        .await
        .expect("transition")
        .is_none());
    let applies = TransitionOrder {
        payment: None,
        from: OrderStatus::Placed,
        change: change(OrderStatus::Preparing, &user.id, Role::Admin),
        effects: vec![message(&user.id, "Order in the oven")],
        ..stale
    };
    assert!(store
        .orders
        .transition_order(&applies)
        .await
        .expect("transition")
        .is_some());
    assert_eq!(all_of(&store, OutboxState::Pending).await.len(), 2);

    // A payment settles once, and so its message is added once.
    let effects = [message(&user.id, "Payment received")];
    for _ in 0..2 {
        store
            .orders
            .change_payment(&PaymentChange {
                order_status: OrderStatus::Preparing,
                effects: effects.to_vec(),
                ..pay(
                    &placed.order.id,
                    PaymentStatus::Pending,
                    PaymentStatus::Completed,
                )
            })
            .await
            .expect("settle");
    }
    assert_eq!(all_of(&store, OutboxState::Pending).await.len(), 3);
}

pub async fn claims_lease_and_finish(store: Shared) {
    let user = Id::generate();
    let first = message(&user, "first");
    let second = message(&user, "second");
    store
        .outbox
        .enqueue(&[first.clone(), second.clone()])
        .await
        .expect("enqueue");

    let claimed = store
        .outbox
        .claim_due(now(), LEASE, 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 2);
    assert!(claimed.iter().all(|m| m.attempts == 1));
    // Leased: nobody else gets them before the lease ends.
    assert!(store
        .outbox
        .claim_due(now(), LEASE, 10)
        .await
        .expect("claim")
        .is_empty());
    // A worker that died: after the lease they are due again.
    let later = now() + minutes(2);
    let again = store
        .outbox
        .claim_due(later, LEASE, 1)
        .await
        .expect("claim");
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);

    store
        .outbox
        .finish_attempt(&first.id, &AttemptOutcome::Delivered, now())
        .await
        .expect("finish");
    store
        .outbox
        .finish_attempt(
            &second.id,
            &AttemptOutcome::GaveUp {
                error: "provider said no".into(),
            },
            now(),
        )
        .await
        .expect("finish");
    assert_eq!(all_of(&store, OutboxState::Delivered).await.len(), 1);
    let failed = all_of(&store, OutboxState::Failed).await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].last_error.as_deref(), Some("provider said no"));

    // Staff put it back; a delivered one cannot be "retried".
    let retried = store
        .outbox
        .retry_failed(&second.id, now())
        .await
        .expect("retry")
        .expect("was failed");
    assert_eq!((retried.state, retried.attempts), (OutboxState::Pending, 0));
    assert!(store
        .outbox
        .retry_failed(&first.id, now())
        .await
        .expect("retry")
        .is_none());

    // A retry is due at its time, not before.
    let claimed = store
        .outbox
        .claim_due(now(), LEASE, 1)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    store
        .outbox
        .finish_attempt(
            &second.id,
            &AttemptOutcome::Retry {
                at: now() + minutes(5),
                error: "busy".into(),
                effect: None,
            },
            now(),
        )
        .await
        .expect("finish");
    assert!(store
        .outbox
        .claim_due(now() + minutes(4), LEASE, 1)
        .await
        .expect("claim")
        .is_empty());
    assert_eq!(
        store
            .outbox
            .claim_due(now() + minutes(6), LEASE, 1)
            .await
            .expect("claim")
            .len(),
        1
    );
}

pub async fn a_notification_written_twice_is_kept_once(store: Shared) {
    let user = Id::generate();
    let note = notification(&user, "Order placed", now());
    store
        .notifications
        .insert_notification(&note)
        .await
        .expect("insert");
    store
        .notifications
        .insert_notification(&note)
        .await
        .expect("insert again");
    let (items, total) = store
        .notifications
        .list_notifications(&user, all())
        .await
        .expect("list");
    assert_eq!((items.len(), total), (1, 1));
}

/// Eight workers claiming 40 messages at once: each message is taken exactly once.
pub async fn concurrent_claims_take_each_message_once(store: Shared) {
    let user = Id::generate();
    let messages: Vec<OutboxMessage> = (0..40).map(|i| message(&user, &format!("m{i}"))).collect();
    store.outbox.enqueue(&messages).await.expect("enqueue");
    let at = now();
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let batch = store.outbox.claim_due(at, LEASE, 3).await.expect("claim");
                    if batch.is_empty() {
                        return mine;
                    }
                    mine.extend(batch.into_iter().map(|m| m.id));
                }
            })
        })
        .collect();
    let mut seen = HashSet::new();
    let mut count = 0;
    for worker in workers {
        for id in worker.await.expect("worker") {
            count += 1;
            seen.insert(id);
        }
    }
    assert_eq!((count, seen.len()), (40, 40));
}

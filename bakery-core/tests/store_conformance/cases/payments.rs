//! The payment side of orders: intents recorded while unpaid, payment changes conditional on
//! what was read, cancels conditional on the payment, and the provider's events remembered.

use bakery_core::domain::{Effect, Id, OrderStatus, OutboxState, PaymentStatus, Role};
use bakery_core::ports::{PaymentChange, PaymentStep, TransitionOrder};

use crate::fixtures::*;

use PaymentStatus::{Completed, Failed, Pending, RefundPending, Refunded};

pub async fn payment_intent_is_recorded_while_unpaid(store: Shared) {
    let order = card_order(&store).await;
    let at = now() + minutes(1);
    let updated = store
        .orders
        .set_payment_intent(&order.id, "pi_123", at)
        .await
        .expect("set intent")
        .expect("pending order takes an intent");
    assert_eq!(
        updated.payment_details.transaction_id.as_deref(),
        Some("pi_123")
    );
    assert_eq!(updated.payment_details.status, Pending);
    assert_eq!(updated.updated_at, at);
    assert_eq!(reload_order(&store, &order.id).await, updated);

    // A declined card may be paid again, on a new intent if need be.
    store
        .orders
        .change_payment(&pay(&order.id, Pending, Failed))
        .await
        .expect("decline")
        .expect("pending can fail");
    store
        .orders
        .set_payment_intent(&order.id, "pi_234", at)
        .await
        .expect("set intent")
        .expect("a failed payment takes an intent");

    store
        .orders
        .change_payment(&pay(&order.id, Failed, Completed))
        .await
        .expect("settle")
        .expect("failed payment completes");
    let late = store
        .orders
        .set_payment_intent(&order.id, "pi_456", at)
        .await
        .expect("set intent");
    assert!(late.is_none(), "a settled payment takes no new intent");
    assert_eq!(
        reload_order(&store, &order.id)
            .await
            .payment_details
            .transaction_id
            .as_deref(),
        Some("pi_234")
    );
    assert!(store
        .orders
        .set_payment_intent(&Id::generate(), "pi_x", at)
        .await
        .expect("missing")
        .is_none());
}

pub async fn payment_changes_only_on_what_was_read(store: Shared) {
    let order = card_order(&store).await;
    let failed = store
        .orders
        .change_payment(&pay(&order.id, Pending, Failed))
        .await
        .expect("change")
        .expect("pending moves to failed");
    assert_eq!(failed.payment_details.status, Failed);

    let stale = store
        .orders
        .change_payment(&pay(&order.id, Pending, Completed))
        .await
        .expect("change");
    assert!(
        stale.is_none(),
        "decided on `pending`, which it no longer is"
    );

    let wrong_order_status = PaymentChange {
        order_status: OrderStatus::Preparing,
        ..pay(&order.id, Failed, Completed)
    };
    assert!(store
        .orders
        .change_payment(&wrong_order_status)
        .await
        .expect("change")
        .is_none());
    assert_eq!(
        reload_order(&store, &order.id).await.payment_details.status,
        Failed
    );

    assert!(store
        .orders
        .change_payment(&pay(&Id::generate(), Pending, Completed))
        .await
        .expect("missing")
        .is_none());
}

pub async fn payment_change_records_intent_and_refund_ids(store: Shared) {
    let order = card_order(&store).await;
    let at = now() + minutes(2);
    let paid = store
        .orders
        .change_payment(&PaymentChange {
            transaction_id: Some("pi_early".into()),
            at,
            ..pay(&order.id, Pending, Completed)
        })
        .await
        .expect("change")
        .expect("applies");
    assert_eq!(
        paid.payment_details.transaction_id.as_deref(),
        Some("pi_early")
    );
    assert_eq!(paid.payment_details.refund_id, None);
    assert_eq!(paid.updated_at, at);

    let refunded = store
        .orders
        .change_payment(&PaymentChange {
            refund_id: Some("re_1".into()),
            ..pay(&order.id, Completed, Refunded)
        })
        .await
        .expect("change")
        .expect("applies");
    assert_eq!(refunded.payment_details.status, Refunded);
    assert_eq!(refunded.payment_details.refund_id.as_deref(), Some("re_1"));
    assert_eq!(
        refunded.payment_details.transaction_id.as_deref(),
        Some("pi_early"),
        "an unnamed intent keeps the recorded one"
    );
    assert_eq!(reload_order(&store, &order.id).await, refunded);
}

pub async fn payment_change_effects_commit_with_it(store: Shared) {
    let order = card_order(&store).await;
    let refund = bakery_core::domain::OutboxMessage::new(
        Effect::Refund {
            order_id: order.id.clone(),
            intent_id: "pi_1".into(),
            amount: order.total,
            currency: order.currency.clone(),
        },
        now(),
    );
    let change = PaymentChange {
        effects: vec![refund.clone()],
        ..pay(&order.id, Pending, RefundPending)
    };
    for _ in 0..2 {
        store.orders.change_payment(&change).await.expect("change");
    }
    let (pending, _) = store
        .outbox
        .list_outbox(Some(OutboxState::Pending), all())
        .await
        .expect("outbox");
    let refunds: Vec<_> = pending
        .iter()
        .filter(|m| matches!(m.effect, Effect::Refund { .. }))
        .collect();
    assert_eq!(refunds.len(), 1, "added once, with the change that applied");
    assert_eq!(refunds[0].effect, refund.effect);
}

pub async fn cancel_can_be_conditional_on_the_payment(store: Shared) {
    let order = card_order(&store).await;
    let cancel = |step: PaymentStep| TransitionOrder {
        order_id: order.id.clone(),
        from: OrderStatus::Placed,
        change: change(OrderStatus::Canceled, &order.user_id, Role::Customer),
        payment: Some(step),
        effects: Vec::new(),
    };
    // Decided on a paid order, but the payment is still pending: nothing happens.
    let stale = cancel(PaymentStep {
        from: Completed,
        to: RefundPending,
    });
    assert!(store
        .orders
        .transition_order(&stale)
        .await
        .expect("transition")
        .is_none());
    assert_eq!(
        reload_order(&store, &order.id).await.order_status,
        OrderStatus::Placed
    );

    store
        .orders
        .change_payment(&pay(&order.id, Pending, Completed))
        .await
        .expect("pay")
        .expect("applies");
    let canceled = store
        .orders
        .transition_order(&stale)
        .await
        .expect("transition")
        .expect("now it reads as decided");
    assert_eq!(canceled.order_status, OrderStatus::Canceled);
    assert_eq!(canceled.payment_details.status, RefundPending);
    assert_eq!(reload_order(&store, &order.id).await, canceled);
}

pub async fn order_found_by_payment_intent(store: Shared) {
    let order = card_order(&store).await;
    let other = card_order(&store).await;
    assert!(store
        .orders
        .find_order_by_payment_intent("pi_1")
        .await
        .expect("find")
        .is_none());
    for (id, intent) in [(&order.id, "pi_1"), (&other.id, "pi_2")] {
        store
            .orders
            .set_payment_intent(id, intent, now())
            .await
            .expect("set")
            .expect("applies");
    }
    let found = store
        .orders
        .find_order_by_payment_intent("pi_1")
        .await
        .expect("find")
        .expect("found");
    assert_eq!(found.id, order.id);
}

pub async fn awaiting_payment_lists_unpaid_card_orders(store: Shared) {
    let category = stored_category(&store, "Cakes").await;
    let cake = stored_product(&store, &category.id, "Cake", 3000, None).await;
    let user = stored_user(&store, "Payer").await;
    let mut placed = Vec::new();
    for (minutes_ago, method) in [
        (50, bakery_core::domain::PaymentMethod::Card),
        (40, bakery_core::domain::PaymentMethod::Card),
        (35, bakery_core::domain::PaymentMethod::Cash),
        (31, bakery_core::domain::PaymentMethod::Card),
        (10, bakery_core::domain::PaymentMethod::Card),
    ] {
        let mut order = order_at(&user.id, &[(&cake, 1)], now() - minutes(minutes_ago));
        order.payment_details.method = method;
        store
            .orders
            .place_order(&place(order.clone()))
            .await
            .expect("place");
        placed.push(order);
    }
    // Paid, and declined (still unpaid), among the old ones.
    store
        .orders
        .change_payment(&pay(&placed[1].id, Pending, Completed))
        .await
        .expect("pay")
        .expect("applies");
    store
        .orders
        .change_payment(&pay(&placed[3].id, Pending, Failed))
        .await
        .expect("decline")
        .expect("applies");

    let deadline = now() - minutes(30);
    let due = store
        .orders
        .awaiting_payment(deadline, 10)
        .await
        .expect("due");
    let ids: Vec<&Id> = due.iter().map(|o| &o.id).collect();
    assert_eq!(
        ids,
        [&placed[0].id, &placed[3].id],
        "oldest first; cash, paid and recent left out"
    );
    let first = store
        .orders
        .awaiting_payment(deadline, 1)
        .await
        .expect("due");
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].id, placed[0].id);

    // An order that moved on is no longer waiting.
    store
        .orders
        .transition_order(&TransitionOrder {
            order_id: placed[0].id.clone(),
            from: OrderStatus::Placed,
            change: change(OrderStatus::Canceled, &user.id, Role::Admin),
            payment: None,
            effects: Vec::new(),
        })
        .await
        .expect("cancel")
        .expect("applies");
    let due = store
        .orders
        .awaiting_payment(deadline, 10)
        .await
        .expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].id, placed[3].id);
}

pub async fn payment_events_are_recorded_once(store: Shared) {
    let events = &store.payment_events;
    assert!(!events.payment_event_seen("evt_1").await.expect("seen"));
    events
        .record_payment_event("evt_1", now())
        .await
        .expect("record");
    events
        .record_payment_event("evt_1", now())
        .await
        .expect("record twice");
    assert!(events.payment_event_seen("evt_1").await.expect("seen"));
    assert!(!events.payment_event_seen("evt_2").await.expect("seen"));
}

//! What trackers are told: every change of an order, published after it commits.
//!
//! Subscribers get every order's events and keep the ones they follow; an instance serves a
//! few thousand sockets, and matching an id is cheaper than one channel per order. A
//! subscriber that falls behind (its buffer overflowed, or the shared bus was unreachable for
//! a while) is told [`Received::Resync`] instead of silently missing events: it then reloads
//! the order and carries on from that snapshot.
//!
//! Ordering: `seq` is the order's [`Order::revision`](crate::domain::Order::revision) after
//! the change, which the store bumps atomically with the change itself. Within one order it
//! therefore only grows, whichever instance made the change, so a client drops any event whose
//! `seq` is not above the last it applied (duplicates after a resync, a late delivery). It
//! has gaps: writes nobody tracks (a payment intent recorded) bump it too.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::domain::{DeliveryPerson, GeoPoint, Id, Order, OrderStatus, PaymentStatus, Role};

/// One change of one order, as trackers see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderEvent {
    pub order_id: Id,
    /// Whose order it is, so a server can route the event without reading the order.
    pub customer_id: Id,
    /// The courier assigned when the change was made, if any.
    pub courier_id: Option<Id>,
    /// The order's revision after the change: grows with every change of this order.
    pub seq: u64,
    #[serde(with = "crate::domain::time")]
    pub at: DateTime<Utc>,
    pub change: OrderChange,
}

/// What changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum OrderChange {
    /// A new order.
    #[serde(rename_all = "camelCase")]
    Placed { status: OrderStatus },
    /// A step along the status flow, by whom; the payment status with it (a cancel can
    /// move it too).
    #[serde(rename_all = "camelCase")]
    Status {
        status: OrderStatus,
        actor_id: Id,
        actor_role: Role,
        payment_status: PaymentStatus,
    },
    /// A courier took the order.
    #[serde(rename_all = "camelCase")]
    Assigned { courier: DeliveryPerson },
    /// The courier's phone reported a position.
    #[serde(rename_all = "camelCase")]
    Location {
        location: GeoPoint,
        heading: Option<f64>,
        speed_kmh: Option<f64>,
        accuracy_m: Option<f64>,
    },
    /// The estimated delivery time moved.
    #[serde(rename_all = "camelCase")]
    Eta {
        #[serde(with = "crate::domain::time")]
        estimated_delivery_time: DateTime<Utc>,
    },
    /// The payment moved (completed, failed, refunded...).
    #[serde(rename_all = "camelCase")]
    Payment { status: PaymentStatus },
}

impl OrderEvent {
    /// `change` of `order` as it reads after the change committed.
    pub fn of(order: &Order, change: OrderChange, at: DateTime<Utc>) -> Self {
        Self {
            order_id: order.id.clone(),
            customer_id: order.user_id.clone(),
            courier_id: order
                .delivery_person
                .as_ref()
                .and_then(|p| p.courier_id.clone()),
            seq: order.revision,
            at,
            change,
        }
    }
}

/// What a subscriber receives next.
#[derive(Clone, Debug, PartialEq)]
pub enum Received {
    Event(Arc<OrderEvent>),
    /// Events may have been missed: reload what you show, then carry on.
    Resync,
}

/// What the adapters put on their in-process bus: events, and the resync an adapter sends
/// when it knows every subscriber may have missed some (the shared bus came back).
#[derive(Clone, Debug)]
pub enum Signal {
    Event(Arc<OrderEvent>),
    Resync,
}

/// One subscriber's view of the bus.
pub struct EventStream {
    receiver: broadcast::Receiver<Signal>,
}

impl EventStream {
    pub fn new(receiver: broadcast::Receiver<Signal>) -> Self {
        Self { receiver }
    }

    /// The next event or resync; `None` when the bus is gone (the process is stopping).
    pub async fn next(&mut self) -> Option<Received> {
        match self.receiver.recv().await {
            Ok(Signal::Event(event)) => Some(Received::Event(event)),
            Ok(Signal::Resync) => Some(Received::Resync),
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::debug!(missed, "a tracking subscriber fell behind; resyncing it");
                Some(Received::Resync)
            }
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

/// Publish/subscribe of order events.
#[async_trait]
pub trait OrderEvents: Send + Sync {
    /// `memory` or `redis`.
    fn backend(&self) -> &'static str;

    /// Sends the event to every subscriber of every instance. Never fails the caller: the
    /// change is committed already, and a lost event ends as a resync at worst.
    async fn publish(&self, event: OrderEvent);

    /// Every event published from now on, on any instance.
    fn subscribe(&self) -> EventStream;
}

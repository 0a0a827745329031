//! Outgoing effects of committed changes (a push to a customer's phones, ...), kept in the
//! store with the change itself so that none is lost when the process dies, and delivered
//! at least once by a background worker.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Currency, Id, ImageOwner, Money, Notification};

/// What to do once the change has committed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Effect {
    /// The customer's inbox entry (written with the change's id, so writing it twice keeps
    /// one) and a push to their devices.
    #[serde(rename_all = "camelCase")]
    Notify {
        notification: Notification,
        /// The push's data map (`type`, `orderId`, `status`).
        data: BTreeMap<String, String>,
        /// Devices still to reach after a partial failure; `None` means all of the user's.
        pending_devices: Option<Vec<String>>,
    },
    /// Money back for a paid card order that was canceled; the provider is asked with an
    /// idempotency key derived from the order, so a retry never refunds twice.
    #[serde(rename_all = "camelCase")]
    Refund {
        order_id: Id,
        intent_id: String,
        amount: Money,
        currency: Currency,
    },
    /// Withdraws the payment intent of an order canceled before it was paid, so the customer
    /// cannot pay for it afterwards.
    #[serde(rename_all = "camelCase")]
    CancelIntent { order_id: Id, intent_id: String },
    /// Deletes the objects of pictures removed from `owner` (or of a deleted owner). Queued
    /// before the removal commits; pictures the owner still shows are left alone.
    #[serde(rename_all = "camelCase")]
    DeletePictures {
        owner: ImageOwner,
        image_ids: Vec<Id>,
    },
    /// Makes the variants of a picture attached while processing, then marks it ready and
    /// deletes its original. Queued before the attach commits; a picture its owner does not
    /// show (never attached, or removed since) has its objects deleted instead.
    #[serde(rename_all = "camelCase")]
    MakeVariants { owner: ImageOwner, image_id: Id },
}

impl Effect {
    /// A short name for logs and the staff's outbox list.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Notify { .. } => "notify",
            Self::Refund { .. } => "refund",
            Self::CancelIntent { .. } => "cancel_intent",
            Self::DeletePictures { .. } => "delete_pictures",
            Self::MakeVariants { .. } => "make_variants",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for its next attempt (or being attempted, under a lease).
    Pending,
    Delivered,
    /// Gave up after the last allowed attempt: staff look at it and may retry it.
    Failed,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxMessage {
    pub id: Id,
    pub effect: Effect,
    pub state: OutboxState,
    /// Attempts started so far.
    pub attempts: u32,
    /// When it may next be attempted. Claiming a message moves this to the end of the
    /// claimer's lease, so no other worker takes it meanwhile; a worker that dies leaves it
    /// to be claimed again once the lease is over.
    #[serde(with = "super::time")]
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    #[serde(with = "super::time")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "super::time")]
    pub updated_at: DateTime<Utc>,
}

impl OutboxMessage {
    /// A message due now.
    pub fn new(effect: Effect, now: DateTime<Utc>) -> Self {
        Self {
            id: Id::generate(),
            effect,
            state: OutboxState::Pending,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// How long to wait before attempt `attempts + 1`: exponential from 2 s, capped at 10 min,
/// with up to a quarter of jitter so a provider coming back is not hit by every retry at once.
pub fn backoff(attempts: u32, jitter: f64) -> Duration {
    let base = 2_i64.saturating_pow(attempts.min(20)).saturating_mul(1000);
    let capped = base.min(10 * 60 * 1000);
    let jitter = (capped as f64 * 0.25 * jitter.clamp(0.0, 1.0)) as i64;
    Duration::milliseconds(capped + jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1, 0.0), Duration::seconds(2));
        assert_eq!(backoff(2, 0.0), Duration::seconds(4));
        assert_eq!(backoff(30, 0.0), Duration::minutes(10));
        assert!(backoff(3, 1.0) <= Duration::seconds(10));
    }
}

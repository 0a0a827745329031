//! The outbox as staff see it: what the shop still has to tell the outside world.

use super::timestamp::Timestamp;
use bakery_core::domain::{self, Effect};
use poem_openapi::{Enum, Object};

/// Where a message stands.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for its next attempt (or being attempted).
    Pending,
    Delivered,
    /// Given up after the last attempt; staff may retry it once the cause is fixed.
    Failed,
}

impl From<domain::OutboxState> for OutboxState {
    fn from(s: domain::OutboxState) -> Self {
        match s {
            domain::OutboxState::Pending => Self::Pending,
            domain::OutboxState::Delivered => Self::Delivered,
            domain::OutboxState::Failed => Self::Failed,
        }
    }
}

impl From<OutboxState> for domain::OutboxState {
    fn from(s: OutboxState) -> Self {
        match s {
            OutboxState::Pending => Self::Pending,
            OutboxState::Delivered => Self::Delivered,
            OutboxState::Failed => Self::Failed,
        }
    }
}

/// One outgoing effect of a committed change.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct OutboxEntry {
    pub id: String,
    /// What it does: `notify` (an inbox entry and a push to the customer's phones), `refund`
    /// (money back for a canceled card order), `cancel_intent` (withdraw an unpaid card
    /// payment), `delete_pictures` (the files of removed pictures), `make_variants` (the
    /// sizes of a picture just attached).
    pub kind: String,
    pub state: OutboxState,
    /// Attempts started so far.
    pub attempts: u32,
    /// When it may next be attempted.
    pub next_attempt_at: Timestamp,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// The customer it is for.
    pub user_id: Option<String>,
    /// The order it is about.
    pub order_id: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<domain::OutboxMessage> for OutboxEntry {
    fn from(m: domain::OutboxMessage) -> Self {
        let (user_id, order_id) = match &m.effect {
            Effect::Notify { notification, .. } => (
                Some(notification.user_id.to_string()),
                notification.reference_id.as_ref().map(ToString::to_string),
            ),
            Effect::Refund { order_id, .. } | Effect::CancelIntent { order_id, .. } => {
                (None, Some(order_id.to_string()))
            }
            Effect::DeletePictures { .. } | Effect::MakeVariants { .. } => (None, None),
        };
        Self {
            id: m.id.to_string(),
            kind: m.effect.kind().to_owned(),
            state: m.state.into(),
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at.into(),
            last_error: m.last_error,
            user_id,
            order_id,
            created_at: m.created_at.into(),
            updated_at: m.updated_at.into(),
        }
    }
}

//! The outbox: effects written with the change that causes them (see [`super::OrderStore`],
//! whose writes take the messages to add in their own transaction), claimed under a lease by
//! whichever instance's worker gets there first.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::{Effect, Id, OutboxMessage, OutboxState, PageRequest};

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    /// Try again at `at`; `effect` replaces the stored one when part of it is done.
    Retry {
        at: DateTime<Utc>,
        error: String,
        effect: Option<Effect>,
    },
    /// No more attempts: staff see it under `failed`.
    GaveUp {
        error: String,
    },
}

/// The message as an attempt's outcome leaves it; the same on every store.
pub fn apply_outcome(message: &mut OutboxMessage, outcome: &AttemptOutcome, now: DateTime<Utc>) {
    message.updated_at = now;
    match outcome {
        AttemptOutcome::Delivered => {
            message.state = OutboxState::Delivered;
            message.last_error = None;
        }
        AttemptOutcome::Retry { at, error, effect } => {
            message.state = OutboxState::Pending;
            message.next_attempt_at = *at;
            message.last_error = Some(error.clone());
            if let Some(effect) = effect {
                message.effect = effect.clone();
            }
        }
        AttemptOutcome::GaveUp { error } => {
            message.state = OutboxState::Failed;
            message.last_error = Some(error.clone());
        }
    }
}

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Adds messages on their own, for effects of changes that are a single write. Like the
    /// writes that take messages, it also writes the inbox entry of each `Notify` effect in
    /// the same transaction: the worker only pushes.
    async fn enqueue(&self, messages: &[OutboxMessage]) -> StoreResult<()>;

    /// Takes up to `limit` pending messages due at `now`, each for `lease`: their attempt
    /// count goes up and they are not due again before the lease ends. Two workers never
    /// take the same message while its lease runs.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>>;

    /// Records how the attempt on a claimed message ended.
    async fn finish_attempt(
        &self,
        id: &Id,
        outcome: &AttemptOutcome,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Newest first; `None` lists every state.
    async fn list_outbox(
        &self,
        state: Option<OutboxState>,
        page: PageRequest,
    ) -> StoreResult<(Vec<OutboxMessage>, u64)>;

    /// Puts a failed message back in line, due now; `None` when it is not failed (or unknown).
    async fn retry_failed(&self, id: &Id, now: DateTime<Utc>)
        -> StoreResult<Option<OutboxMessage>>;
}

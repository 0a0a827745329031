//! Idempotency keys: the first answer to a write, kept so that a client retrying the same
//! request (after a time-out, a dropped connection, a crash of its own) gets that answer again
//! instead of a second order.
//!
//! A key is one record per (user, key). [`IdempotencyStore::begin_request`] decides
//! atomically between running the request ([`Begin::Started`], which leases the key to this
//! attempt), replaying what an earlier attempt answered, refusing a key reused for another
//! request, and refusing while an attempt is still running. The attempt then either stores
//! its answer ([`IdempotencyStore::complete_request`]) or gives the key back
//! ([`IdempotencyStore::abandon_request`]) when its answer must not be replayed (a refusal
//! before any work, a failure a retry may get past).
//!
//! A record is dead, and the key free again, once it expired (`expires_at`, 24 hours after
//! the first use by default) or while it is still running past its lease (`lease_until`): the
//! attempt that held it crashed, and pinning the key forever would make the request
//! impossible to retry. The one rule deciding this is [`IdempotencyRecord::decide`], shared by
//! every adapter.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::{Id, IdempotencyKey, RequestFingerprint};

/// One attempt asking for a key.
#[derive(Clone, Debug)]
pub struct IdempotencyClaim {
    /// Keys are per user: two customers' `1` never collide.
    pub user_id: Id,
    pub key: IdempotencyKey,
    pub fingerprint: RequestFingerprint,
    /// Names this attempt; only it may complete or abandon the record it started.
    pub token: Id,
    pub now: DateTime<Utc>,
    /// Until when the record is this attempt's while it runs.
    pub lease_until: DateTime<Utc>,
    /// When the record (and the answer it keeps) is forgotten.
    pub expires_at: DateTime<Utc>,
}

/// The answer kept for replay: status and body, exactly as first sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
}

/// What [`IdempotencyStore::begin_request`] decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Begin {
    /// The key is this attempt's: run the request, then complete or abandon.
    Started,
    /// The same request was answered before: send this again.
    Replay(StoredResponse),
    /// The key was used for a different request.
    Mismatch,
    /// An attempt with this key is still running.
    InFlight,
}

/// Where a live record stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordState {
    Running { lease_until: DateTime<Utc> },
    Done(StoredResponse),
}

/// A record as a store read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub fingerprint: RequestFingerprint,
    pub state: RecordState,
    pub expires_at: DateTime<Utc>,
}

impl IdempotencyRecord {
    /// Whether the record no longer holds its key at `now`: expired, or running past its
    /// lease. Adapters that decide inside a query (MongoDB's filter) must test the same.
    pub fn is_dead(&self, now: DateTime<Utc>) -> bool {
        self.expires_at <= now
            || matches!(self.state, RecordState::Running { lease_until } if lease_until <= now)
    }

    /// What a claim meets on this record; `None` when the record is dead and the claim
    /// replaces it.
    pub fn decide(&self, claim: &IdempotencyClaim) -> Option<Begin> {
        if self.is_dead(claim.now) {
            return None;
        }
        Some(if self.fingerprint != claim.fingerprint {
            Begin::Mismatch
        } else {
            match &self.state {
                RecordState::Running { .. } => Begin::InFlight,
                RecordState::Done(response) => Begin::Replay(response.clone()),
            }
        })
    }
}

#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Atomically: a claim on a free key (none, or a dead record) writes a running record
    /// leased to `claim.token` and is [`Begin::Started`]; otherwise the live record decides
    /// ([`IdempotencyRecord::decide`]). Of concurrent claims on one free key exactly one
    /// starts.
    async fn begin_request(&self, claim: &IdempotencyClaim) -> StoreResult<Begin>;

    /// Keeps `response` as the key's answer, if the record is still the running one
    /// `token` started (false otherwise: its lease ran out and another attempt took it).
    async fn complete_request(
        &self,
        user_id: &Id,
        key: &IdempotencyKey,
        token: &Id,
        response: &StoredResponse,
    ) -> StoreResult<bool>;

    /// Frees the key, if the record is still the running one `token` started.
    async fn abandon_request(
        &self,
        user_id: &Id,
        key: &IdempotencyKey,
        token: &Id,
    ) -> StoreResult<bool>;
}

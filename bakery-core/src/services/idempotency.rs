//! Idempotent writes: claiming a client's `Idempotency-Key` before running a request, and
//! keeping (or giving back) the key after. What is kept is the answer as the client saw it
//! (status and body), so the caller that turns results into answers (the HTTP server) decides
//! what is worth keeping; the timing rules are here, on the bakery's clock.

use chrono::Duration;

use super::bakery::Bakery;
use crate::domain::{Actor, Id, IdempotencyKey, RequestFingerprint};
use crate::error::Result;
use crate::ports::{Begin, IdempotencyClaim, StoredResponse};

/// How long a key and its answer are kept after the first use: Stripe's 24 hours, far longer
/// than any client keeps retrying one request.
pub const IDEMPOTENCY_TTL: Duration = Duration::hours(24);

/// How long an attempt holds its key while running. A request that outlives it can be run a
/// second time by a retry, so it is far above the slowest write (a card intent: two calls to
/// the provider of at most 10 s each); it only matters when the holder died without giving
/// the key back, and then the client sees 409 for at most this long.
pub const IDEMPOTENCY_LEASE: Duration = Duration::seconds(60);

/// A key claimed for one attempt; hand it back to [`Bakery::complete_idempotent`] or
/// [`Bakery::abandon_idempotent`].
#[derive(Clone, Debug)]
pub struct IdempotencyLease {
    user_id: Id,
    key: IdempotencyKey,
    token: Id,
}

/// What claiming a key found.
#[derive(Clone, Debug)]
pub enum Claim {
    /// Run the request; the key is leased to it.
    Started(IdempotencyLease),
    /// The same request was answered before: answer this again.
    Replay(StoredResponse),
    /// The key was used (by this user, within its lifetime) for a different request.
    Mismatch,
    /// An attempt with the key is still running.
    InFlight,
}

impl Bakery {
    /// Claims `key` for `actor`'s request with `fingerprint`, now. Keys are per user, kept
    /// [`IDEMPOTENCY_TTL`], leased [`IDEMPOTENCY_LEASE`] while running.
    #[tracing::instrument(skip(self, fingerprint), fields(actor = %actor.user_id))]
    pub async fn claim_idempotency_key(
        &self,
        actor: &Actor,
        key: &IdempotencyKey,
        fingerprint: RequestFingerprint,
    ) -> Result<Claim> {
        let now = self.now();
        let claim = IdempotencyClaim {
            user_id: actor.user_id.clone(),
            key: key.clone(),
            fingerprint,
            token: Id::generate(),
            now,
            lease_until: now + IDEMPOTENCY_LEASE,
            expires_at: now + IDEMPOTENCY_TTL,
        };
        Ok(match self.store.idempotency.begin_request(&claim).await? {
            Begin::Started => Claim::Started(IdempotencyLease {
                user_id: claim.user_id,
                key: claim.key,
                token: claim.token,
            }),
            Begin::Replay(response) => Claim::Replay(response),
            Begin::Mismatch => Claim::Mismatch,
            Begin::InFlight => Claim::InFlight,
        })
    }

    /// Keeps `response` as the key's answer. False when the lease had run out and another
    /// attempt took the key over: that attempt's answer will be the one kept.
    #[tracing::instrument(skip_all, fields(user = %lease.user_id, status = response.status))]
    pub async fn complete_idempotent(
        &self,
        lease: &IdempotencyLease,
        response: &StoredResponse,
    ) -> Result<bool> {
        self.store
            .idempotency
            .complete_request(&lease.user_id, &lease.key, &lease.token, response)
            .await
    }

    /// Gives the key back, so the same request may run again under it.
    #[tracing::instrument(skip_all, fields(user = %lease.user_id))]
    pub async fn abandon_idempotent(&self, lease: &IdempotencyLease) -> Result<bool> {
        self.store
            .idempotency
            .abandon_request(&lease.user_id, &lease.key, &lease.token)
            .await
    }
}

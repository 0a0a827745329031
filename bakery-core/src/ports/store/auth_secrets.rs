//! The secrets behind signing in: one-time passwords and refresh-token families. Only their
//! keyed hashes are stored.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::{Id, OtpRecord, Phone, RefreshTokenRecord};

/// What presenting a refresh token found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was live and is now spent; the caller may issue its successor.
    Rotated(RefreshTokenRecord),
    /// The token had been spent or revoked before: a replay.
    Reused(RefreshTokenRecord),
    Unknown,
}

#[async_trait]
pub trait AuthSecretStore: Send + Sync {
    /// Stores the phone's OTP, replacing any earlier one.
    async fn put_otp(&self, otp: &OtpRecord) -> StoreResult<()>;
    /// Counts one verification attempt and returns the record as it is after counting.
    async fn attempt_otp(&self, phone: &Phone) -> StoreResult<Option<OtpRecord>>;
    /// Deletes that exact OTP; `true` for exactly one caller.
    async fn consume_otp(&self, otp: &Id) -> StoreResult<bool>;

    async fn insert_refresh_token(&self, token: &RefreshTokenRecord) -> StoreResult<()>;
    /// Spends the token with this hash, atomically: one concurrent caller gets `Rotated`
    /// (the record as it was before spending). Expiry is the caller's to check.
    async fn use_refresh_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<RefreshOutcome>;
    async fn revoke_token_family(&self, family: &Id) -> StoreResult<()>;
    /// Whether `user` still has a session in `family`: a refresh token of it not revoked
    /// (logout, a replay and a password reset revoke them). Access tokens name their family,
    /// so they end with it.
    async fn session_is_live(&self, user: &Id, family: &Id) -> StoreResult<bool>;
    async fn revoke_user_tokens(&self, user: &Id) -> StoreResult<()>;
}

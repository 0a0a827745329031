use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Id, Phone};

/// The one live OTP of a phone. Only a keyed hash of the code is kept, so a leaked database
/// does not hand out sign-ins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtpRecord {
    /// Unique per issued code, so consuming it cannot consume a newer one by accident.
    pub id: Id,
    pub phone: Phone,
    pub code_hash: String,
    /// Verification attempts made so far, counted before comparing.
    pub attempts: u32,
    /// The name given at registration; the account is created only when the code is proven.
    pub pending_name: Option<String>,
    #[serde(with = "super::time")]
    pub expires_at: DateTime<Utc>,
    #[serde(with = "super::time")]
    pub created_at: DateTime<Utc>,
}

/// One refresh token. The token itself is never stored, only its SHA-256; tokens issued by
/// rotation share the `family_id` of the sign-in they descend from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshTokenRecord {
    pub id: Id,
    pub family_id: Id,
    pub user_id: Id,
    pub token_hash: String,
    #[serde(with = "super::time")]
    pub expires_at: DateTime<Utc>,
    #[serde(with = "super::time::option")]
    pub used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
    #[serde(with = "super::time")]
    pub created_at: DateTime<Utc>,
}

//! One-time passwords and refresh-token families: spending either is one conditional
//! statement, so exactly one concurrent caller wins.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::{decode, decode_opt, encode, internal, ts};
use super::{finish, SqliteStore};
use crate::domain::{Id, OtpRecord, Phone, RefreshTokenRecord};
use crate::ports::{AuthSecretStore, RefreshOutcome, StoreResult};

#[async_trait]
impl AuthSecretStore for SqliteStore {
    /// `OR REPLACE` deletes the row holding the phone's unique key in the same statement, so
    /// the phone never has two codes, nor none in between.
    async fn put_otp(&self, otp: &OtpRecord) -> StoreResult<()> {
        sqlx::query("INSERT OR REPLACE INTO otps (id, doc) VALUES (?1, ?2)")
            .bind(otp.id.as_str())
            .bind(encode(otp)?)
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn attempt_otp(&self, phone: &Phone) -> StoreResult<Option<OtpRecord>> {
        let doc: Option<String> = sqlx::query_scalar(
            "UPDATE otps SET doc = json_set(doc, '$.attempts', attempts + 1)
             WHERE phone = ?1
             RETURNING doc",
        )
        .bind(phone.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        decode_opt(doc)
    }

    async fn consume_otp(&self, otp: &Id) -> StoreResult<bool> {
        self.delete("otps", otp).await
    }

    async fn insert_refresh_token(&self, token: &RefreshTokenRecord) -> StoreResult<()> {
        self.insert("refresh_tokens", &token.id, encode(token)?)
            .await
            .map_err(internal)?;
        Ok(())
    }

    /// Spending is one conditional UPDATE, so exactly one caller sees it succeed; the lookup
    /// that tells a replay from an unknown token shares its transaction.
    async fn use_refresh_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<RefreshOutcome> {
        let mut tx = self.begin_write().await?;
        let outcome = async {
            let spent: Option<String> = sqlx::query_scalar(
                "UPDATE refresh_tokens SET doc = json_set(doc, '$.usedAt', ?1)
                 WHERE token_hash = ?2 AND used_at IS NULL AND revoked = 0
                 RETURNING doc",
            )
            .bind(ts(&now))
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
            if let Some(spent) = spent {
                return Ok(RefreshOutcome::Rotated(decode(&spent)?));
            }
            let seen: Option<String> =
                sqlx::query_scalar("SELECT doc FROM refresh_tokens WHERE token_hash = ?1")
                    .bind(token_hash)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(internal)?;
            Ok(match decode_opt(seen)? {
                Some(replayed) => RefreshOutcome::Reused(replayed),
                None => RefreshOutcome::Unknown,
            })
        }
        .await;
        finish(tx, outcome).await
    }

    async fn revoke_token_family(&self, family: &Id) -> StoreResult<()> {
        sqlx::query(
            "UPDATE refresh_tokens SET doc = json_set(doc, '$.revoked', json('true'))
             WHERE family_id = ?1 AND revoked = 0",
        )
        .bind(family.as_str())
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(())
    }

    async fn session_is_live(&self, user: &Id, family: &Id) -> StoreResult<bool> {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM refresh_tokens
                            WHERE family_id = ?1 AND user_id = ?2 AND revoked = 0)",
        )
        .bind(family.as_str())
        .bind(user.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(internal)
    }

    async fn revoke_user_tokens(&self, user: &Id) -> StoreResult<()> {
        sqlx::query(
            "UPDATE refresh_tokens SET doc = json_set(doc, '$.revoked', json('true'))
             WHERE user_id = ?1 AND revoked = 0",
        )
        .bind(user.as_str())
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(())
    }
}

//! Idempotency keys: one row per (user, key). A claim reads and writes its row inside one
//! `BEGIN IMMEDIATE` transaction, so concurrent claims on a free key queue up behind the first
//! and then meet its running record.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::{internal, ts};
use super::{finish, SqliteStore};
use crate::domain::{Id, IdempotencyKey, RequestFingerprint};
use crate::error::Error;
use crate::ports::{
    Begin, IdempotencyClaim, IdempotencyRecord, IdempotencyStore, RecordState, StoreResult,
    StoredResponse,
};

type Row = (String, Option<String>, Option<i64>, Option<String>, String);

fn parse_ts(raw: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(Error::internal)
}

fn record(
    (fingerprint, lease_until, status, body, expires_at): Row,
) -> StoreResult<IdempotencyRecord> {
    let state = match (status, body, lease_until) {
        (Some(status), Some(body), _) => RecordState::Done(StoredResponse {
            status: u16::try_from(status).map_err(Error::internal)?,
            body,
        }),
        (None, _, Some(lease_until)) => RecordState::Running {
            lease_until: parse_ts(&lease_until)?,
        },
        _ => {
            return Err(Error::internal(
                "idempotency row is neither running nor done",
            ))
        }
    };
    Ok(IdempotencyRecord {
        fingerprint: RequestFingerprint::from_stored(fingerprint),
        state,
        expires_at: parse_ts(&expires_at)?,
    })
}

#[async_trait]
impl IdempotencyStore for SqliteStore {
    async fn begin_request(&self, claim: &IdempotencyClaim) -> StoreResult<Begin> {
        let mut tx = self.begin_write().await?;
        let outcome = async {
            // Housekeeping: SQLite has no TTL index, so claims sweep what expired.
            sqlx::query("DELETE FROM idempotency_keys WHERE expires_at <= ?1")
                .bind(ts(&claim.now))
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            let row: Option<Row> = sqlx::query_as(
                "SELECT fingerprint, lease_until, status, body, expires_at \
                 FROM idempotency_keys WHERE user_id = ?1 AND key = ?2",
            )
            .bind(claim.user_id.as_str())
            .bind(claim.key.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
            if let Some(decided) = row.map(record).transpose()?.and_then(|r| r.decide(claim)) {
                return Ok(decided);
            }
            sqlx::query(
                "INSERT INTO idempotency_keys \
                 (user_id, key, fingerprint, token, lease_until, status, body, expires_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, NULL, NULL, ?6) \
                 ON CONFLICT (user_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, \
                 token = excluded.token, lease_until = excluded.lease_until, status = NULL, \
                 body = NULL, expires_at = excluded.expires_at",
            )
            .bind(claim.user_id.as_str())
            .bind(claim.key.as_str())
            .bind(claim.fingerprint.as_str())
            .bind(claim.token.as_str())
            .bind(ts(&claim.lease_until))
            .bind(ts(&claim.expires_at))
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            Ok(Begin::Started)
        }
        .await;
        finish(tx, outcome).await
    }

    async fn complete_request(
        &self,
        user_id: &Id,
        key: &IdempotencyKey,
        token: &Id,
        response: &StoredResponse,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE idempotency_keys SET status = ?4, body = ?5, lease_until = NULL \
             WHERE user_id = ?1 AND key = ?2 AND token = ?3 AND status IS NULL",
        )
        .bind(user_id.as_str())
        .bind(key.as_str())
        .bind(token.as_str())
        .bind(i64::from(response.status))
        .bind(&response.body)
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(done.rows_affected() == 1)
    }

    async fn abandon_request(
        &self,
        user_id: &Id,
        key: &IdempotencyKey,
        token: &Id,
    ) -> StoreResult<bool> {
        let gone = sqlx::query(
            "DELETE FROM idempotency_keys \
             WHERE user_id = ?1 AND key = ?2 AND token = ?3 AND status IS NULL",
        )
        .bind(user_id.as_str())
        .bind(key.as_str())
        .bind(token.as_str())
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(gone.rows_affected() == 1)
    }
}

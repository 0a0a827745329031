//! The outbox table: claims are one conditional UPDATE per batch inside a write transaction,
//! so two workers never hold the same message.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use super::codec::{decode_all, decode_opt, encode, int, internal, ts};
use super::table::NEWEST_FIRST;
use super::{finish, SqliteStore};
use crate::domain::{Effect, Id, OutboxMessage, OutboxState, PageRequest};
use crate::error::Error;
use crate::ports::{apply_outcome, AttemptOutcome, OutboxStore, StoreResult};

/// Adds `messages` on `conn`, inside the caller's transaction, with the inbox entries they
/// announce.
pub(super) async fn enqueue(
    conn: &mut SqliteConnection,
    messages: &[OutboxMessage],
) -> StoreResult<()> {
    for message in messages {
        if let Effect::Notify { notification, .. } = &message.effect {
            sqlx::query("INSERT OR IGNORE INTO notifications (id, doc) VALUES (?1, ?2)")
                .bind(notification.id.as_str())
                .bind(encode(notification)?)
                .execute(&mut *conn)
                .await
                .map_err(internal)?;
        }
        sqlx::query("INSERT INTO outbox (id, doc) VALUES (?1, ?2)")
            .bind(message.id.as_str())
            .bind(encode(message)?)
            .execute(&mut *conn)
            .await
            .map_err(internal)?;
    }
    Ok(())
}

#[async_trait]
impl OutboxStore for SqliteStore {
    async fn enqueue(&self, messages: &[OutboxMessage]) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let outcome = enqueue(&mut tx, messages).await;
        finish(tx, outcome).await
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let lease_end = now + chrono::Duration::from_std(lease).map_err(Error::internal)?;
        let docs: Vec<String> = sqlx::query_scalar(
            "UPDATE outbox
             SET doc = json_set(doc, '$.nextAttemptAt', ?1,
                                '$.attempts', json_extract(doc, '$.attempts') + 1,
                                '$.updatedAt', ?2)
             WHERE id IN (
                 SELECT id FROM outbox
                 WHERE state = 'pending' AND next_attempt_at <= ?2
                 ORDER BY next_attempt_at, id
                 LIMIT ?3
             )
             RETURNING doc",
        )
        .bind(ts(&lease_end))
        .bind(ts(&now))
        .bind(int(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        decode_all(docs)
    }

    async fn finish_attempt(
        &self,
        id: &Id,
        outcome: &AttemptOutcome,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let result = async {
            let doc: Option<String> = sqlx::query_scalar("SELECT doc FROM outbox WHERE id = ?1")
                .bind(id.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(internal)?;
            let Some(mut message) = decode_opt::<OutboxMessage>(doc)? else {
                return Ok(());
            };
            apply_outcome(&mut message, outcome, now);
            sqlx::query("UPDATE outbox SET doc = ?1 WHERE id = ?2")
                .bind(encode(&message)?)
                .bind(id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            Ok(())
        }
        .await;
        finish(tx, result).await
    }

    async fn list_outbox(
        &self,
        state: Option<OutboxState>,
        page: PageRequest,
    ) -> StoreResult<(Vec<OutboxMessage>, u64)> {
        self.fetch_page(
            "outbox",
            |query| {
                if let Some(state) = state {
                    query.push(" WHERE state = ").push_bind(state.as_str());
                }
            },
            NEWEST_FIRST,
            page,
        )
        .await
    }

    async fn retry_failed(
        &self,
        id: &Id,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<OutboxMessage>> {
        let doc: Option<String> = sqlx::query_scalar(
            "UPDATE outbox
             SET doc = json_set(doc, '$.state', 'pending', '$.attempts', 0,
                                '$.nextAttemptAt', ?1, '$.updatedAt', ?1)
             WHERE id = ?2 AND state = 'failed'
             RETURNING doc",
        )
        .bind(ts(&now))
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        decode_opt(doc)
    }
}

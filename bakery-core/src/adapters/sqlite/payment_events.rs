//! Handled provider events: one row per event id.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::{internal, ts};
use super::SqliteStore;
use crate::ports::{PaymentEventStore, StoreResult};

#[async_trait]
impl PaymentEventStore for SqliteStore {
    async fn payment_event_seen(&self, event_id: &str) -> StoreResult<bool> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM payment_events WHERE id = ?1)")
            .bind(event_id)
            .fetch_one(&self.pool)
            .await
            .map_err(internal)
    }

    async fn record_payment_event(&self, event_id: &str, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("INSERT INTO payment_events (id, received_at) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING")
            .bind(event_id)
            .bind(ts(&at))
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(())
    }
}

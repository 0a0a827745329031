//! The notification inbox, every statement scoped to the owner.

use async_trait::async_trait;

use super::codec::{encode, internal};
use super::table::NEWEST_FIRST;
use super::SqliteStore;
use crate::domain::{Id, Notification, PageRequest};
use crate::ports::{NotificationStore, StoreResult};

#[async_trait]
impl NotificationStore for SqliteStore {
    /// `OR IGNORE`: the outbox may write the same notification again after a crash.
    async fn insert_notification(&self, notification: &Notification) -> StoreResult<()> {
        sqlx::query("INSERT OR IGNORE INTO notifications (id, doc) VALUES (?1, ?2)")
            .bind(notification.id.as_str())
            .bind(encode(notification)?)
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn list_notifications(
        &self,
        user: &Id,
        page: PageRequest,
    ) -> StoreResult<(Vec<Notification>, u64)> {
        self.fetch_page(
            "notifications",
            |query| {
                query.push(" WHERE user_id = ").push_bind(user.as_str());
            },
            NEWEST_FIRST,
            page,
        )
        .await
    }

    async fn mark_notification_read(&self, user: &Id, id: &Id) -> StoreResult<bool> {
        let updated = sqlx::query(
            "UPDATE notifications SET doc = json_set(doc, '$.isRead', json('true'))
             WHERE id = ?1 AND user_id = ?2",
        )
        .bind(id.as_str())
        .bind(user.as_str())
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(updated.rows_affected() == 1)
    }

    async fn delete_notification(&self, user: &Id, id: &Id) -> StoreResult<bool> {
        let deleted = sqlx::query("DELETE FROM notifications WHERE id = ?1 AND user_id = ?2")
            .bind(id.as_str())
            .bind(user.as_str())
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(deleted.rows_affected() == 1)
    }
}

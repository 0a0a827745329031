//! A customer's notification inbox, each one scoped to its owner.

use async_trait::async_trait;

use super::StoreResult;
use crate::domain::{Id, Notification, PageRequest};

#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Writing a notification whose id is already stored keeps the stored one: the outbox
    /// delivers at least once.
    async fn insert_notification(&self, notification: &Notification) -> StoreResult<()>;
    /// Newest first.
    async fn list_notifications(
        &self,
        user: &Id,
        page: PageRequest,
    ) -> StoreResult<(Vec<Notification>, u64)>;
    async fn mark_notification_read(&self, user: &Id, id: &Id) -> StoreResult<bool>;
    async fn delete_notification(&self, user: &Id, id: &Id) -> StoreResult<bool>;
}

//! The notification inbox, every statement scoped to the owner.

use async_trait::async_trait;
use bson::doc;

use super::docs::{internal, is_duplicate_key, oid, to_doc};
use super::table::newest_first;
use super::{coll, MongoStore};
use crate::domain::{Id, Notification, PageRequest};
use crate::ports::{NotificationStore, StoreResult};

#[async_trait]
impl NotificationStore for MongoStore {
    /// A duplicate id keeps the stored one: the outbox may write it again after a crash.
    async fn insert_notification(&self, notification: &Notification) -> StoreResult<()> {
        match self
            .collection(coll::NOTIFICATIONS)
            .insert_one(to_doc(notification)?)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if is_duplicate_key(&e) => Ok(()),
            Err(e) => Err(internal(e)),
        }
    }

    async fn list_notifications(
        &self,
        user: &Id,
        page: PageRequest,
    ) -> StoreResult<(Vec<Notification>, u64)> {
        let filter = doc! { "userId": user.as_str() };
        self.find_page(coll::NOTIFICATIONS, filter, newest_first(), page)
            .await
    }

    async fn mark_notification_read(&self, user: &Id, id: &Id) -> StoreResult<bool> {
        let updated = self
            .collection(coll::NOTIFICATIONS)
            .update_one(
                doc! { "_id": oid(id)?, "userId": user.as_str() },
                doc! { "$set": { "isRead": true } },
            )
            .await
            .map_err(internal)?;
        Ok(updated.matched_count == 1)
    }

    async fn delete_notification(&self, user: &Id, id: &Id) -> StoreResult<bool> {
        self.delete(
            coll::NOTIFICATIONS,
            doc! { "_id": oid(id)?, "userId": user.as_str() },
        )
        .await
    }
}

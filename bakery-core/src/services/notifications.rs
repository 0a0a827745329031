//! The customer's inbox, and pushes to their phones.

use std::collections::BTreeMap;

use super::{Actor, Bakery};
use crate::domain::{
    Effect, Id, Notification, NotificationKind, OrderStatus, OutboxMessage, Page, PageRequest,
};
use crate::error::{Error, Result};

impl Bakery {
    /// The notification a change announces, as an outbox message to commit with the change:
    /// the customer's inbox entry and a push to their devices.
    pub(crate) fn announce(
        &self,
        user_id: &Id,
        kind: NotificationKind,
        title: &str,
        message: String,
        order: Option<(&Id, OrderStatus)>,
    ) -> OutboxMessage {
        let now = self.now();
        let notification = Notification {
            id: Id::generate(),
            user_id: user_id.clone(),
            title: title.to_owned(),
            message,
            kind,
            reference_id: order.map(|(id, _)| id.clone()),
            is_read: false,
            created_at: now,
        };
        let mut data = BTreeMap::from([("type".to_owned(), kind.as_str().to_owned())]);
        if let Some((id, status)) = order {
            data.insert("orderId".into(), id.to_string());
            data.insert("status".into(), status.as_str().to_owned());
        }
        OutboxMessage::new(
            Effect::Notify {
                notification,
                data,
                pending_devices: None,
            },
            now,
        )
    }

    /// After the change and its messages committed (their inbox entries with them): wakes
    /// this process's worker, so the pushes go out now rather than at its next poll.
    pub(crate) fn committed(&self, messages: &[OutboxMessage]) {
        if !messages.is_empty() {
            self.outbox_wakeup.notify_one();
        }
    }

    /// Drops device tokens the push provider says are gone, so they are not tried again.
    pub(crate) async fn forget_devices(&self, user_id: &Id, tokens: &[String]) {
        let removed = self
            .modify_user(user_id, |user| {
                user.device_tokens.retain(|t| !tokens.contains(t));
                Ok(())
            })
            .await;
        if let Err(e) = removed {
            tracing::warn!(error = ?e, "could not remove stale device tokens");
        }
    }

    pub async fn notifications(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<Notification>> {
        let (items, total) = self
            .store
            .notifications
            .list_notifications(&actor.user_id, page)
            .await?;
        Ok(Page::new(items, page, total))
    }

    #[tracing::instrument(skip_all, fields(user = %actor.user_id, notification = %id))]
    pub async fn mark_notification_read(&self, actor: &Actor, id: &Id) -> Result<()> {
        if self
            .store
            .notifications
            .mark_notification_read(&actor.user_id, id)
            .await?
        {
            Ok(())
        } else {
            Err(Error::NotFound {
                resource: "notification",
            })
        }
    }

    #[tracing::instrument(skip_all, fields(user = %actor.user_id, notification = %id))]
    pub async fn delete_notification(&self, actor: &Actor, id: &Id) -> Result<()> {
        if self
            .store
            .notifications
            .delete_notification(&actor.user_id, id)
            .await?
        {
            Ok(())
        } else {
            Err(Error::NotFound {
                resource: "notification",
            })
        }
    }
}

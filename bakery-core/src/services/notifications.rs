//! The customer's inbox, and pushes to their phones.

use super::{Actor, Bakery};
use crate::domain::{Id, Notification, NotificationKind, Page, PageRequest};
use crate::error::{Error, Result};
use crate::ports::PushMessage;

impl Bakery {
    /// Stores the notification (the record the app's inbox shows), then pushes to the
    /// user's devices. Failures are logged, not returned: the change it announces has
    /// already been committed, and reporting it as failed would invite a retry (a second
    /// order, say).
    #[tracing::instrument(skip(self, message))]
    pub(crate) async fn notify(
        &self,
        user_id: &Id,
        kind: NotificationKind,
        title: &str,
        message: String,
        reference_id: Option<Id>,
    ) {
        let notification = Notification {
            id: Id::generate(),
            user_id: user_id.clone(),
            title: title.to_owned(),
            message,
            kind,
            reference_id,
            is_read: false,
            created_at: self.now(),
        };
        if let Err(e) = self
            .store
            .notifications
            .insert_notification(&notification)
            .await
        {
            tracing::error!(error = ?e, "could not store a notification; the change stands");
            return;
        }
        let devices = match self.store.accounts.get_user(user_id).await {
            Ok(Some(user)) => user.device_tokens,
            Ok(None) => Vec::new(),
            Err(e) => {
                tracing::warn!(error = %e, "could not read devices for push");
                Vec::new()
            }
        };
        if !devices.is_empty() {
            let push = PushMessage {
                device_tokens: devices,
                title: notification.title.clone(),
                body: notification.message.clone(),
                reference_id: notification.reference_id.clone(),
            };
            if let Err(e) = self.push.send(&push).await {
                tracing::warn!(error = ?e, "push delivery failed; the notification is stored");
            }
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

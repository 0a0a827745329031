//! The customer's inbox, and pushes to their phones.

use super::{Actor, Bakery};
use crate::domain::{Id, Notification, NotificationKind, Page, PageRequest};
use crate::error::{Error, Result};
use crate::ports::PushMessage;

impl Bakery {
    /// Stores the notification (the record the app's inbox shows), then pushes to the
    /// user's devices. A push failure is logged, not returned: the change it announces has
    /// already happened and must not be reported as failed.
    #[tracing::instrument(skip(self, message))]
    pub(crate) async fn notify(
        &self,
        user_id: &Id,
        kind: NotificationKind,
        title: &str,
        message: String,
        reference_id: Option<Id>,
    ) -> Result<Notification> {
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
        self.store.insert_notification(&notification).await?;
        let devices = match self.store.get_user(user_id).await {
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
        Ok(notification)
    }

    pub async fn notifications(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<Notification>> {
        let (items, total) = self.store.list_notifications(&actor.user_id, page).await?;
        Ok(Page::new(items, page, total))
    }

    pub async fn mark_notification_read(&self, actor: &Actor, id: &Id) -> Result<()> {
        if self
            .store
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

    pub async fn delete_notification(&self, actor: &Actor, id: &Id) -> Result<()> {
        if self.store.delete_notification(&actor.user_id, id).await? {
            Ok(())
        } else {
            Err(Error::NotFound {
                resource: "notification",
            })
        }
    }
}

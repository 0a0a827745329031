//! The outbox worker: delivers the effects that committed changes left in the outbox, at
//! least once, from whichever instance claims them first; and the staff's view of it.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use super::{Actor, Bakery};
use crate::domain::{backoff, Effect, Id, OutboxMessage, OutboxState, Page, PageRequest};
use crate::error::{Error, Result};
use crate::ports::{AttemptOutcome, PushMessage};

/// Attempts before a message is left to staff.
pub const MAX_ATTEMPTS: u32 = 8;

/// How long a claimed message is this worker's: far above one delivery (a push with its
/// own retries), so a live worker never loses it to another.
const LEASE: Duration = Duration::from_secs(120);

/// Messages claimed at once.
const BATCH: u32 = 16;

/// When nothing wakes it, the worker still looks this often: for retries falling due and
/// for messages other instances committed.
const IDLE_POLL: Duration = Duration::from_millis(500);

impl Bakery {
    /// Delivers outbox messages until `shutdown` completes. Run one per process; several
    /// processes may run theirs on the same store.
    pub async fn run_outbox(&self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let delivered_some = match self.deliver_due().await {
                Ok(count) => count > 0,
                Err(e) => {
                    tracing::warn!(error = ?e, "outbox: could not claim messages");
                    false
                }
            };
            if delivered_some {
                continue;
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = self.outbox_wakeup.notified() => {}
                () = tokio::time::sleep(IDLE_POLL) => {}
            }
        }
    }

    /// Claims what is due and attempts each; returns how many were attempted.
    pub async fn deliver_due(&self) -> Result<usize> {
        let claimed = self
            .store
            .outbox
            .claim_due(self.now(), LEASE, BATCH)
            .await?;
        for message in &claimed {
            let outcome = self.attempt(message).await;
            match &outcome {
                AttemptOutcome::Delivered => {}
                AttemptOutcome::Retry { error, .. } => {
                    tracing::info!(message = %message.id, kind = message.effect.kind(), attempt = message.attempts, %error, "outbox: will retry");
                }
                AttemptOutcome::GaveUp { error } => {
                    tracing::error!(message = %message.id, kind = message.effect.kind(), %error, "outbox: gave up; staff can retry it");
                }
            }
            self.store
                .outbox
                .finish_attempt(&message.id, &outcome, self.now())
                .await?;
        }
        Ok(claimed.len())
    }

    async fn attempt(&self, message: &OutboxMessage) -> AttemptOutcome {
        let result = match &message.effect {
            Effect::Notify {
                notification,
                data,
                pending_devices,
            } => {
                self.push_notification(notification, data, pending_devices.as_deref())
                    .await
            }
        };
        match result {
            Ok(None) => AttemptOutcome::Delivered,
            Ok(Some((error, effect))) => self.retry_or_give_up(message, error, Some(effect)),
            Err(e) => self.retry_or_give_up(message, format!("{e:?}"), None),
        }
    }

    fn retry_or_give_up(
        &self,
        message: &OutboxMessage,
        error: String,
        effect: Option<Effect>,
    ) -> AttemptOutcome {
        if message.attempts >= MAX_ATTEMPTS {
            AttemptOutcome::GaveUp { error }
        } else {
            let jitter = rand::thread_rng().gen::<f64>();
            AttemptOutcome::Retry {
                at: self.now() + backoff(message.attempts, jitter),
                error,
                effect,
            }
        }
    }

    /// Pushes to the devices (the inbox entry was written with the change); `Some` names what
    /// is left to retry.
    async fn push_notification(
        &self,
        notification: &crate::domain::Notification,
        data: &std::collections::BTreeMap<String, String>,
        pending_devices: Option<&[String]>,
    ) -> Result<Option<(String, Effect)>> {
        let devices = match pending_devices {
            Some(devices) => devices.to_vec(),
            None => match self.store.accounts.get_user(&notification.user_id).await? {
                Some(user) => user.device_tokens,
                None => Vec::new(),
            },
        };
        if devices.is_empty() {
            return Ok(None);
        }
        let push = PushMessage {
            device_tokens: devices,
            title: notification.title.clone(),
            body: notification.message.clone(),
            data: data.clone(),
            reference_id: notification.reference_id.clone(),
        };
        let report = self.push.send(&push).await?;
        if !report.invalid_tokens.is_empty() {
            self.forget_devices(&notification.user_id, &report.invalid_tokens)
                .await;
        }
        if report.retry_tokens.is_empty() {
            return Ok(None);
        }
        Ok(Some((
            format!("{} device(s) to retry", report.retry_tokens.len()),
            Effect::Notify {
                notification: notification.clone(),
                data: data.clone(),
                pending_devices: Some(report.retry_tokens),
            },
        )))
    }

    /// The staff's view: what is pending, delivered or failed.
    pub async fn outbox(
        &self,
        actor: &Actor,
        state: Option<OutboxState>,
        page: PageRequest,
    ) -> Result<Page<OutboxMessage>> {
        actor.require_staff()?;
        let (items, total) = self.store.outbox.list_outbox(state, page).await?;
        Ok(Page::new(items, page, total))
    }

    /// Puts a failed message back in line after staff fixed the cause.
    pub async fn retry_outbox_message(&self, actor: &Actor, id: &Id) -> Result<OutboxMessage> {
        actor.require_staff()?;
        let message = self
            .store
            .outbox
            .retry_failed(id, self.now())
            .await?
            .ok_or(Error::NotFound {
                resource: "failed outbox message",
            })?;
        self.outbox_wakeup.notify_one();
        Ok(message)
    }
}

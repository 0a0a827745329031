//! The outbox worker: delivers the effects that committed changes left in the outbox, at
//! least once, from whichever instance claims them first; and the staff's view of it.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use super::{Actor, Bakery};
use crate::domain::{backoff, Effect, Id, OutboxMessage, OutboxState, Page, PageRequest};
use crate::error::{Error, Result};
use crate::ports::{AttemptOutcome, IntentState, PushMessage, RefundOutcome, RefundRequest};

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
            Effect::Refund {
                order_id,
                intent_id,
                amount,
                currency,
            } => {
                let request = RefundRequest {
                    order_id: order_id.clone(),
                    intent_id: intent_id.clone(),
                    amount: *amount,
                    currency: currency.clone(),
                };
                return self.refund(message, &request).await;
            }
            Effect::CancelIntent {
                order_id,
                intent_id,
            } => self.withdraw_intent(order_id, intent_id).await,
            Effect::DeletePictures { owner, image_ids } => {
                match self
                    .delete_pictures(owner, image_ids, message.created_at)
                    .await
                {
                    Ok(None) => Ok(None),
                    Ok(Some(waiting)) => Ok(Some((waiting, message.effect.clone()))),
                    Err(e) => Err(e),
                }
            }
            Effect::MakeVariants { owner, image_id } => {
                match self
                    .make_picture_ready(owner, image_id, message.created_at)
                    .await
                {
                    Ok(None) => Ok(None),
                    Ok(Some(waiting)) => Ok(Some((waiting, message.effect.clone()))),
                    Err(e) => Err(e),
                }
            }
        };
        match result {
            Ok(None) => AttemptOutcome::Delivered,
            Ok(Some((error, effect))) => self.retry_or_give_up(message, error, Some(effect)),
            Err(e) => self.retry_or_give_up(message, format!("{e:?}"), None),
        }
    }

    /// Gives a canceled order's money back and records it on the order. The provider
    /// refunds once per order however often this runs, so a retry after a crash is safe.
    async fn refund(&self, message: &OutboxMessage, request: &RefundRequest) -> AttemptOutcome {
        match self.payments.refund(request).await {
            Ok(RefundOutcome::Refunded { refund_id }) => {
                match self
                    .refund_settled(&request.order_id, Some(refund_id))
                    .await
                {
                    Ok(_) => AttemptOutcome::Delivered,
                    Err(e) => self.retry_or_give_up(message, format!("{e:?}"), None),
                }
            }
            Ok(RefundOutcome::Refused { reason }) => {
                if let Err(e) = self.refund_stalled(&request.order_id).await {
                    tracing::warn!(order = %request.order_id, error = ?e, "could not mark the refund as failed");
                }
                AttemptOutcome::GaveUp {
                    error: format!("the provider refused the refund: {reason}"),
                }
            }
            Err(e) => {
                if let Err(e) = self.refund_stalled(&request.order_id).await {
                    tracing::warn!(order = %request.order_id, error = ?e, "could not mark the refund as failed");
                }
                self.retry_or_give_up(message, format!("{e:?}"), None)
            }
        }
    }

    /// Withdraws the intent of an order canceled unpaid. If the customer paid in the
    /// meantime, the payment is recorded instead, which refunds it (the order is canceled):
    /// this does not wait for the webhook to say so.
    async fn withdraw_intent(
        &self,
        order_id: &Id,
        intent_id: &str,
    ) -> Result<Option<(String, Effect)>> {
        let Err(e) = self.payments.cancel_intent(intent_id).await else {
            return Ok(None);
        };
        match self.payments.intent_state(intent_id).await? {
            IntentState::Succeeded => {
                self.payment_succeeded(order_id, intent_id).await?;
                Ok(None)
            }
            IntentState::Canceled => Ok(None),
            IntentState::Open => Err(e),
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

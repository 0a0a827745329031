//! Card payments: the intent a phone confirms, and the provider's word on how it went.
//!
//! The order exists first with payment `pending`; its intent carries the order id. The
//! provider's webhook and the app's confirm may arrive in either order or both: the store
//! moves a payment forward only from `pending`, so each outcome takes effect once.

use super::{Actor, Bakery};
use crate::domain::{Id, NotificationKind, Order, OrderStatus, PaymentMethod, PaymentStatus};
use crate::error::{ConflictCode, Error, Result};
use crate::ports::{IntentState, PaymentEventKind, PaymentIntent};

impl Bakery {
    /// Starts paying one of the caller's card orders; the app confirms the returned intent
    /// with the provider's SDK.
    #[tracing::instrument(skip(self), fields(user = %actor.user_id))]
    pub async fn create_payment_intent(
        &self,
        actor: &Actor,
        order_id: &Id,
    ) -> Result<PaymentIntent> {
        let order = self.own_card_order(actor, order_id).await?;
        if order.payment_details.status != PaymentStatus::Pending
            || order.order_status == OrderStatus::Canceled
        {
            return Err(Error::conflict(
                ConflictCode::IllegalStatusChange,
                "this order's payment is already settled",
            ));
        }
        let intent = self.payments.create_intent(&order).await?;
        self.store
            .orders
            .set_payment_intent(order_id, &intent.id, self.now())
            .await?
            .ok_or_else(|| {
                Error::conflict(
                    ConflictCode::IllegalStatusChange,
                    "this order's payment is already settled",
                )
            })?;
        Ok(intent)
    }

    /// The app says it confirmed the payment. The provider is asked, the app is not
    /// believed; when the webhook came first, the settled order is simply returned.
    #[tracing::instrument(skip(self), fields(user = %actor.user_id))]
    pub async fn confirm_payment(&self, actor: &Actor, order_id: &Id) -> Result<Order> {
        let order = self.own_card_order(actor, order_id).await?;
        if order.payment_details.status != PaymentStatus::Pending {
            return Ok(order);
        }
        let Some(intent_id) = order.payment_details.transaction_id.clone() else {
            return Err(Error::conflict(
                ConflictCode::IllegalStatusChange,
                "no payment has been started for this order",
            ));
        };
        match self.payments.intent_state(&intent_id).await? {
            IntentState::Open => Ok(order),
            IntentState::Succeeded => self.settle(order_id, PaymentStatus::Completed).await,
            IntentState::Canceled => self.settle(order_id, PaymentStatus::Failed).await,
        }
    }

    /// A provider webhook, verified on the raw body before anything in it is trusted.
    #[tracing::instrument(skip_all)]
    pub async fn handle_payment_webhook(&self, payload: &[u8], signature: &str) -> Result<()> {
        let Some(event) = self.payments.verify_event(payload, signature)? else {
            return Ok(());
        };
        tracing::info!(event = %event.id, intent = %event.intent_id, kind = ?event.kind, "payment event");
        let outcome = match event.kind {
            PaymentEventKind::Succeeded => PaymentStatus::Completed,
            PaymentEventKind::Canceled => PaymentStatus::Failed,
            PaymentEventKind::PaymentFailed | PaymentEventKind::Refunded { .. } => return Ok(()),
        };
        if let Some(order_id) = &event.order_id {
            self.settle(order_id, outcome).await?;
        }
        Ok(())
    }

    /// Records the outcome once and tells the customer; a repeat finds nothing to move, and
    /// announces nothing (the message commits with the change, or not at all).
    async fn settle(&self, order_id: &Id, outcome: PaymentStatus) -> Result<Order> {
        let order = self
            .store
            .orders
            .get_order(order_id)
            .await?
            .ok_or(Error::NotFound { resource: "order" })?;
        let (title, message) = match outcome {
            PaymentStatus::Completed => (
                "Payment received",
                "Thank you, your card payment went through.",
            ),
            _ => (
                "Payment failed",
                "Your card payment did not go through; please try again.",
            ),
        };
        let effects = vec![self.announce(
            &order.user_id,
            NotificationKind::Order,
            title,
            message.to_owned(),
            Some((&order.id, order.order_status)),
        )];
        match self
            .store
            .orders
            .settle_payment(order_id, outcome, self.now(), &effects)
            .await?
        {
            Some(settled) => {
                self.committed(&effects);
                Ok(settled)
            }
            None => self
                .store
                .orders
                .get_order(order_id)
                .await?
                .ok_or(Error::NotFound { resource: "order" }),
        }
    }

    /// One of the caller's card orders, when card payments are on at all.
    async fn own_card_order(&self, actor: &Actor, order_id: &Id) -> Result<Order> {
        if !self.payments.enabled() {
            return Err(Error::Unavailable(
                "card payments are not available at this shop; choose cash".into(),
            ));
        }
        let order = self.order(actor, order_id).await?;
        if order.user_id != actor.user_id {
            return Err(Error::NotFound { resource: "order" });
        }
        if order.payment_details.method != PaymentMethod::Card {
            return Err(Error::conflict(
                ConflictCode::IllegalStatusChange,
                "this order is paid in cash",
            ));
        }
        Ok(order)
    }
}

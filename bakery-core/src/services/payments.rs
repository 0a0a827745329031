//! Card payments: the intent a phone confirms, the provider's word on how it went, and the
//! refund when a paid order is canceled.
//!
//! The order exists first with payment `pending`; its intent carries the order id. The
//! provider's webhook and the app's confirm may arrive in either order or both, and a cancel
//! may race either of them. Every writer decides from the order it read and commits only if
//! the order and its payment still read so ([`PaymentChange`]); a writer that lost reads
//! again and decides again. So each outcome takes effect once, with its message and refund.

use super::{Actor, Bakery};
use crate::domain::{
    Effect, Id, NotificationKind, Order, OrderStatus, OutboxMessage, PaymentMethod, PaymentStatus,
};
use crate::error::{ConflictCode, Error, Result};
use crate::ports::{
    IntentState, OrderChange, PaymentChange, PaymentEvent, PaymentEventKind, PaymentIntent,
    PaymentStep,
};

/// Reads before a writer that keeps losing races gives up; each loss means another writer
/// moved the order, and there are only a few moves an order can make.
const MAX_ROUNDS: usize = 8;

impl Bakery {
    /// Starts paying one of the caller's card orders; the app confirms the returned intent
    /// with the provider's SDK. Asking again returns the same intent.
    #[tracing::instrument(skip(self), fields(user = %actor.user_id))]
    pub async fn create_payment_intent(
        &self,
        actor: &Actor,
        order_id: &Id,
    ) -> Result<PaymentIntent> {
        let order = self.own_card_order(actor, order_id).await?;
        if !order.payment_details.status.is_unpaid() || !order.order_status.is_open() {
            return Err(already_settled(&order));
        }
        let intent = self.payments.create_intent(&order).await?;
        match self
            .store
            .orders
            .set_payment_intent(order_id, &intent.id, self.now())
            .await?
        {
            Some(_) => Ok(intent),
            // Paid (the webhook beat us to it) or canceled meanwhile.
            None => Err(already_settled(&self.order(actor, order_id).await?)),
        }
    }

    /// The app says it confirmed the payment. The provider is asked, the app is not
    /// believed; when the webhook came first, the settled order is simply returned.
    #[tracing::instrument(skip(self), fields(user = %actor.user_id))]
    pub async fn confirm_payment(&self, actor: &Actor, order_id: &Id) -> Result<Order> {
        let order = self.own_card_order(actor, order_id).await?;
        if !order.payment_details.status.is_unpaid() {
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
            IntentState::Succeeded => self.payment_succeeded(order_id, &intent_id).await,
            IntentState::Canceled => self.payment_declined(order_id, &intent_id).await,
        }
    }

    /// A provider webhook, verified on the raw body before anything in it is trusted. An
    /// event already handled is acknowledged without doing anything again; an event for an
    /// order this shop does not know is acknowledged too (there is nothing to retry).
    #[tracing::instrument(skip_all)]
    pub async fn handle_payment_webhook(&self, payload: &[u8], signature: &str) -> Result<()> {
        let Some(event) = self.payments.verify_event(payload, signature)? else {
            return Ok(());
        };
        if self
            .store
            .payment_events
            .payment_event_seen(&event.id)
            .await?
        {
            tracing::debug!(event = %event.id, "payment event already handled");
            return Ok(());
        }
        tracing::info!(event = %event.id, intent = %event.intent_id, kind = ?event.kind, "payment event");
        match self.event_order(&event).await? {
            Some(order_id) => {
                let intent = event.intent_id.as_str();
                let handled = match &event.kind {
                    PaymentEventKind::Succeeded => self.payment_succeeded(&order_id, intent).await,
                    PaymentEventKind::PaymentFailed | PaymentEventKind::Canceled => {
                        self.payment_declined(&order_id, intent).await
                    }
                    PaymentEventKind::Refunded { refund_id, .. } => {
                        self.refund_settled(&order_id, refund_id.clone()).await
                    }
                };
                match handled {
                    Ok(_) => {}
                    // Metadata naming an order this store does not have (another shop on the
                    // same Stripe account): nothing to retry, so acknowledged.
                    Err(Error::NotFound { .. }) => {
                        tracing::warn!(event = %event.id, order = %order_id, "payment event for an order this shop does not have; acknowledged");
                    }
                    Err(e) => return Err(e),
                }
            }
            None => {
                tracing::warn!(event = %event.id, intent = %event.intent_id, "payment event for no known order; acknowledged");
            }
        }
        self.store
            .payment_events
            .record_payment_event(&event.id, self.now())
            .await
    }

    /// The order an event is about: the intent's metadata names it; a charge event only
    /// names the intent, which the order recorded when the intent was created.
    async fn event_order(&self, event: &PaymentEvent) -> Result<Option<Id>> {
        if let Some(id) = &event.order_id {
            return Ok(Some(id.clone()));
        }
        Ok(self
            .store
            .orders
            .find_order_by_payment_intent(&event.intent_id)
            .await?
            .map(|order| order.id))
    }

    /// The money was taken. For an order canceled meanwhile, it goes straight back.
    pub(crate) async fn payment_succeeded(&self, order_id: &Id, intent_id: &str) -> Result<Order> {
        self.move_payment(order_id, |order| {
            let from = order.payment_details.status;
            if !from.can_become(PaymentStatus::Completed) {
                return None;
            }
            if order.order_status == OrderStatus::Canceled {
                let refund = self.refund_effect(order, intent_id);
                let notice = self.payment_notice(
                    order,
                    "Payment refunded",
                    "Your payment arrived after the order was canceled; it is on its way back to your card.",
                );
                return Some(self.change(order, from, PaymentStatus::RefundPending, Some(intent_id), vec![refund, notice]));
            }
            let notice = self.payment_notice(
                order,
                "Payment received",
                "Thank you, your card payment went through.",
            );
            Some(self.change(order, from, PaymentStatus::Completed, Some(intent_id), vec![notice]))
        })
        .await
    }

    /// An attempt was declined, or the intent was canceled. The customer is told once,
    /// while the order is still theirs to pay.
    async fn payment_declined(&self, order_id: &Id, intent_id: &str) -> Result<Order> {
        self.move_payment(order_id, |order| {
            let from = order.payment_details.status;
            if !from.can_become(PaymentStatus::Failed) {
                return None;
            }
            let mut effects = Vec::new();
            if order.order_status.is_open() {
                effects.push(self.payment_notice(
                    order,
                    "Payment failed",
                    "Your card payment did not go through; please try again.",
                ));
            }
            Some(self.change(order, from, PaymentStatus::Failed, Some(intent_id), effects))
        })
        .await
    }

    /// The provider says the money went back (our refund, or one made in its dashboard).
    pub(crate) async fn refund_settled(
        &self,
        order_id: &Id,
        refund_id: Option<String>,
    ) -> Result<Order> {
        self.move_payment(order_id, |order| {
            let from = order.payment_details.status;
            if !from.can_become(PaymentStatus::Refunded) {
                return None;
            }
            let notice = self.payment_notice(
                order,
                "Refund issued",
                "Your payment has been refunded to your card; banks take a few days to show it.",
            );
            Some(PaymentChange {
                refund_id: refund_id.clone(),
                ..self.change(order, from, PaymentStatus::Refunded, None, vec![notice])
            })
        })
        .await
    }

    /// The refund could not be made yet; the outbox keeps trying, and the order says so.
    pub(crate) async fn refund_stalled(&self, order_id: &Id) -> Result<Order> {
        self.move_payment(order_id, |order| {
            let from = order.payment_details.status;
            from.can_become(PaymentStatus::RefundFailed)
                .then(|| self.change(order, from, PaymentStatus::RefundFailed, None, Vec::new()))
        })
        .await
    }

    /// Reads the order, lets `decide` say how its payment moves (`None`: it does not), and
    /// commits that only if nothing moved meanwhile; otherwise reads again.
    async fn move_payment(
        &self,
        order_id: &Id,
        decide: impl Fn(&Order) -> Option<PaymentChange>,
    ) -> Result<Order> {
        for _ in 0..MAX_ROUNDS {
            let order = self
                .store
                .orders
                .get_order(order_id)
                .await?
                .ok_or(Error::NotFound { resource: "order" })?;
            let Some(change) = decide(&order) else {
                return Ok(order);
            };
            if let Some(moved) = self.store.orders.change_payment(&change).await? {
                self.committed(&change.effects);
                self.publish(
                    &moved,
                    OrderChange::Payment {
                        status: moved.payment_details.status,
                    },
                )
                .await;
                return Ok(moved);
            }
        }
        Err(Error::conflict(
            ConflictCode::ConcurrentUpdate,
            "the order keeps changing; please try again",
        ))
    }

    /// What a cancel does to a card payment: money taken goes back, an intent not paid yet
    /// is withdrawn. Committed with the cancel, on the payment status it was decided on.
    pub(crate) fn cancel_payment(
        &self,
        order: &Order,
    ) -> (Option<PaymentStep>, Vec<OutboxMessage>) {
        let payment = &order.payment_details;
        if payment.method != PaymentMethod::Card {
            return (None, Vec::new());
        }
        let from = payment.status;
        let intent = payment.transaction_id.as_deref();
        match intent {
            Some(intent) if from.is_paid() => (
                Some(PaymentStep {
                    from,
                    to: PaymentStatus::RefundPending,
                }),
                vec![self.refund_effect(order, intent)],
            ),
            Some(intent) if from.is_unpaid() => (
                Some(PaymentStep { from, to: from }),
                vec![OutboxMessage::new(
                    Effect::CancelIntent {
                        order_id: order.id.clone(),
                        intent_id: intent.to_owned(),
                    },
                    self.now(),
                )],
            ),
            _ => (Some(PaymentStep { from, to: from }), Vec::new()),
        }
    }

    /// `order`'s payment moving `from` → `to`, conditional on the order as read; without an
    /// intent id the recorded one stays.
    fn change(
        &self,
        order: &Order,
        from: PaymentStatus,
        to: PaymentStatus,
        intent_id: Option<&str>,
        effects: Vec<OutboxMessage>,
    ) -> PaymentChange {
        PaymentChange {
            order_id: order.id.clone(),
            order_status: order.order_status,
            step: PaymentStep { from, to },
            transaction_id: intent_id.map(str::to_owned),
            refund_id: None,
            at: self.now(),
            effects,
        }
    }

    fn refund_effect(&self, order: &Order, intent_id: &str) -> OutboxMessage {
        OutboxMessage::new(
            Effect::Refund {
                order_id: order.id.clone(),
                intent_id: intent_id.to_owned(),
                amount: order.total,
                currency: order.currency.clone(),
            },
            self.now(),
        )
    }

    fn payment_notice(&self, order: &Order, title: &str, message: &str) -> OutboxMessage {
        self.announce(
            &order.user_id,
            NotificationKind::Order,
            title,
            message.to_owned(),
            Some((&order.id, order.order_status)),
        )
    }

    /// One of the caller's card orders. A shop without a card provider has none (placing
    /// one is refused), so there the answer is the order's 404 or "not a card order".
    async fn own_card_order(&self, actor: &Actor, order_id: &Id) -> Result<Order> {
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

fn already_settled(order: &Order) -> Error {
    let why = if order.order_status.is_open() {
        format!(
            "this order's payment is already {}",
            order.payment_details.status.as_str()
        )
    } else {
        format!("this order is {}", order.order_status)
    };
    Error::conflict(ConflictCode::IllegalStatusChange, why)
}

//! The card payment flow over the payment port, with a provider double standing in for the
//! SaaS (the Stripe adapter has its own tests against an HTTP fake).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bakery_core::domain::{
    Fulfilment, Id, Order, OrderStatus, PageRequest, PaymentMethod, PaymentStatus,
};
use bakery_core::ports::{
    IntentState, PaymentEvent, PaymentEventKind, PaymentIntent, PaymentProvider, RefundOutcome,
    RefundRequest,
};
use bakery_core::services::{Actor, CartLine, OrderRequest};
use bakery_core::Error;

use crate::support::{address, shop, TestShop};

/// Answers like a provider would: intents per order, a status the test sets, and events
/// accepted only with the right signature.
#[derive(Default)]
struct ProviderDouble {
    status: Mutex<Option<IntentState>>,
    /// Every refund asked for, in order.
    refunds: Mutex<Vec<RefundRequest>>,
    /// Refund attempts still to fail before one is taken.
    refund_failures: Mutex<u32>,
    /// Intents withdrawn.
    canceled_intents: Mutex<Vec<String>>,
    /// The next event `verify_event` reads, when a test sets one.
    event: Mutex<Option<PaymentEvent>>,
}

#[async_trait]
impl PaymentProvider for ProviderDouble {
    fn name(&self) -> &'static str {
        "double"
    }

    fn enabled(&self) -> bool {
        true
    }

    fn publishable_key(&self) -> Option<String> {
        Some("pk_test_double".into())
    }

    async fn cancel_intent(&self, intent_id: &str) -> Result<(), Error> {
        self.canceled_intents
            .lock()
            .unwrap()
            .push(intent_id.to_owned());
        Ok(())
    }

    async fn refund(&self, request: &RefundRequest) -> Result<RefundOutcome, Error> {
        self.refunds.lock().unwrap().push(request.clone());
        let mut failures = self.refund_failures.lock().unwrap();
        if *failures > 0 {
            *failures -= 1;
            return Err(Error::PaymentUnavailable);
        }
        Ok(RefundOutcome::Refunded {
            refund_id: format!("re_{}", request.order_id),
        })
    }

    async fn create_intent(&self, order: &Order) -> Result<PaymentIntent, Error> {
        Ok(PaymentIntent {
            id: format!("pi_{}", order.id),
            client_secret: format!("pi_{}_secret", order.id),
            amount: order.total,
            currency: order.currency.clone(),
        })
    }

    async fn intent_state(&self, _intent_id: &str) -> Result<IntentState, Error> {
        Ok(self.status.lock().unwrap().unwrap_or(IntentState::Open))
    }

    fn verify_event(&self, payload: &[u8], signature: &str) -> Result<Option<PaymentEvent>, Error> {
        if signature != "good" {
            return Err(Error::BadSignature);
        }
        if let Some(event) = self.event.lock().unwrap().clone() {
            return Ok(Some(event));
        }
        let order_id = Id::parse("orderId", std::str::from_utf8(payload).unwrap()).unwrap();
        Ok(Some(PaymentEvent {
            id: format!("evt_{order_id}"),
            intent_id: format!("pi_{order_id}"),
            order_id: Some(order_id),
            kind: PaymentEventKind::Succeeded,
        }))
    }
}

async fn card_shop() -> (TestShop, Arc<ProviderDouble>, Actor, Order) {
    let mut shop = shop().await;
    let provider = Arc::new(ProviderDouble::default());
    shop.bakery = shop.bakery.clone().with_payments(provider.clone());
    let customer = shop.customer(40).await;
    let cat = shop.category("Cakes").await;
    let cake = shop.product(&cat, "Cake", 3000, None).await;
    let order = shop
        .bakery
        .place_order(
            &customer,
            OrderRequest {
                items: vec![CartLine::new(cake, 1)],
                fulfilment: Fulfilment::Delivery,
                delivery_address: Some(address()),
                payment_method: PaymentMethod::Card,
                promotion_code: None,
                scheduled_delivery_time: None,
                special_instructions: None,
            },
        )
        .await
        .unwrap();
    (shop, provider, customer, order)
}

async fn payment_notifications(shop: &TestShop, customer: &Actor) -> usize {
    let inbox = shop
        .bakery
        .notifications(customer, PageRequest::default())
        .await
        .unwrap();
    inbox
        .items
        .iter()
        .filter(|n| n.title == "Payment received")
        .count()
}

#[tokio::test]
async fn confirm_asks_the_provider_and_the_webhook_does_not_repeat_it() {
    let (shop, provider, customer, order) = card_shop().await;
    assert!(matches!(
        shop.bakery.confirm_payment(&customer, &order.id).await,
        Err(Error::Conflict { .. })
    ));

    let intent = shop
        .bakery
        .create_payment_intent(&customer, &order.id)
        .await
        .unwrap();
    assert_eq!(intent.amount, order.total);
    let pending = shop
        .bakery
        .confirm_payment(&customer, &order.id)
        .await
        .unwrap();
    assert_eq!(
        pending.payment_details.status,
        PaymentStatus::Pending,
        "the app's word is not enough"
    );
    assert_eq!(
        pending.payment_details.transaction_id.as_deref(),
        Some(intent.id.as_str())
    );

    *provider.status.lock().unwrap() = Some(IntentState::Succeeded);
    let paid = shop
        .bakery
        .confirm_payment(&customer, &order.id)
        .await
        .unwrap();
    assert_eq!(paid.payment_details.status, PaymentStatus::Completed);
    shop.bakery
        .handle_payment_webhook(order.id.as_str().as_bytes(), "good")
        .await
        .unwrap();
    assert_eq!(
        payment_notifications(&shop, &customer).await,
        1,
        "settled once, announced once"
    );

    let again = shop
        .bakery
        .create_payment_intent(&customer, &order.id)
        .await
        .unwrap_err();
    assert_eq!(again.code(), "ILLEGAL_STATUS_CHANGE");
}

#[tokio::test]
async fn webhooks_are_verified_and_settle_once() {
    let (shop, _provider, customer, order) = card_shop().await;
    shop.bakery
        .create_payment_intent(&customer, &order.id)
        .await
        .unwrap();
    let forged = shop
        .bakery
        .handle_payment_webhook(order.id.as_str().as_bytes(), "forged")
        .await;
    assert!(matches!(forged, Err(Error::BadSignature)));
    for _ in 0..3 {
        shop.bakery
            .handle_payment_webhook(order.id.as_str().as_bytes(), "good")
            .await
            .unwrap();
    }
    let paid = shop.bakery.order(&customer, &order.id).await.unwrap();
    assert_eq!(paid.payment_details.status, PaymentStatus::Completed);
    assert_eq!(payment_notifications(&shop, &customer).await, 1);
}

#[tokio::test]
async fn only_the_customer_pays_and_only_card_orders() {
    let (shop, _provider, _customer, order) = card_shop().await;
    let stranger = shop.customer(41).await;
    assert!(matches!(
        shop.bakery
            .create_payment_intent(&stranger, &order.id)
            .await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn without_a_provider_there_is_no_card_payment_to_start_nor_webhook_to_trust() {
    let shop = shop().await;
    let customer = shop.customer(42).await;
    let err = shop
        .bakery
        .create_payment_intent(&customer, &Id::generate())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND");
    let err = shop
        .bakery
        .handle_payment_webhook(b"{}", "sig")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "BAD_SIGNATURE");
}

/// Titles of the customer's inbox, oldest first.
async fn inbox_titles(shop: &TestShop, customer: &Actor) -> Vec<String> {
    let inbox = shop
        .bakery
        .notifications(customer, PageRequest::default())
        .await
        .unwrap();
    let mut titles: Vec<String> = inbox.items.iter().map(|n| n.title.clone()).collect();
    titles.reverse();
    titles
}

/// Pays `order` through the webhook, as Stripe would after the device confirmed.
async fn pay(shop: &TestShop, customer: &Actor, order: &Order) {
    shop.bakery
        .create_payment_intent(customer, &order.id)
        .await
        .unwrap();
    shop.bakery
        .handle_payment_webhook(order.id.as_str().as_bytes(), "good")
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_webhook_deliveries_and_a_confirm_move_the_payment_once() {
    let (shop, provider, customer, order) = card_shop().await;
    shop.bakery
        .create_payment_intent(&customer, &order.id)
        .await
        .unwrap();
    *provider.status.lock().unwrap() = Some(IntentState::Succeeded);
    let barrier = Arc::new(tokio::sync::Barrier::new(21));
    let mut tasks = Vec::new();
    for i in 0..21 {
        let (bakery, barrier) = (shop.bakery.clone(), barrier.clone());
        let (customer, id) = (customer.clone(), order.id.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            if i == 0 {
                bakery.confirm_payment(&customer, &id).await.map(|_| ())
            } else {
                bakery
                    .handle_payment_webhook(id.as_str().as_bytes(), "good")
                    .await
            }
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let paid = shop.bakery.order(&customer, &order.id).await.unwrap();
    assert_eq!(paid.payment_details.status, PaymentStatus::Completed);
    assert_eq!(payment_notifications(&shop, &customer).await, 1);
    assert!(shop
        .bakery
        .store()
        .payment_events
        .payment_event_seen(&format!("evt_{}", order.id))
        .await
        .unwrap());
}

#[tokio::test]
async fn canceling_a_paid_order_refunds_it_through_the_outbox_once() {
    let (shop, provider, customer, order) = card_shop().await;
    pay(&shop, &customer, &order).await;
    let canceled = shop
        .bakery
        .cancel_order(&customer, &order.id)
        .await
        .unwrap();
    assert_eq!(canceled.order_status, OrderStatus::Canceled);
    assert_eq!(
        canceled.payment_details.status,
        PaymentStatus::RefundPending,
        "the request does not wait for the provider"
    );
    assert!(provider.refunds.lock().unwrap().is_empty());

    shop.bakery.deliver_due().await.unwrap();
    let refunds = provider.refunds.lock().unwrap().clone();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].order_id, order.id);
    assert_eq!(refunds[0].amount, order.total);
    assert_eq!(refunds[0].intent_id, format!("pi_{}", order.id));
    let refunded = shop.bakery.order(&customer, &order.id).await.unwrap();
    assert_eq!(refunded.payment_details.status, PaymentStatus::Refunded);
    assert_eq!(
        refunded.payment_details.refund_id,
        Some(format!("re_{}", order.id))
    );
    assert!(inbox_titles(&shop, &customer)
        .await
        .ends_with(&["Refund issued".to_owned()]));

    // Stripe's own word on it changes nothing more.
    *provider.event.lock().unwrap() = Some(PaymentEvent {
        id: "evt_refund".into(),
        intent_id: format!("pi_{}", order.id),
        order_id: None,
        kind: PaymentEventKind::Refunded {
            refund_id: Some(format!("re_{}", order.id)),
            amount_refunded: order.total.minor(),
        },
    });
    shop.bakery
        .handle_payment_webhook(b"{}", "good")
        .await
        .unwrap();
    shop.bakery.deliver_due().await.unwrap();
    assert_eq!(provider.refunds.lock().unwrap().len(), 1);
    let titles = inbox_titles(&shop, &customer).await;
    assert_eq!(titles.iter().filter(|t| *t == "Refund issued").count(), 1);
}

#[tokio::test]
async fn a_refund_the_provider_refuses_for_now_is_retried() {
    let (shop, provider, customer, order) = card_shop().await;
    pay(&shop, &customer, &order).await;
    *provider.refund_failures.lock().unwrap() = 1;
    shop.bakery
        .advance_status(&shop.admin, &order.id, OrderStatus::Preparing)
        .await
        .unwrap();
    shop.bakery
        .advance_status(&shop.admin, &order.id, OrderStatus::Canceled)
        .await
        .unwrap();
    shop.bakery.deliver_due().await.unwrap();
    let stalled = shop.bakery.order(&customer, &order.id).await.unwrap();
    assert_eq!(stalled.payment_details.status, PaymentStatus::RefundFailed);

    shop.clock.advance(chrono::Duration::minutes(5));
    shop.bakery.deliver_due().await.unwrap();
    let refunded = shop.bakery.order(&customer, &order.id).await.unwrap();
    assert_eq!(refunded.payment_details.status, PaymentStatus::Refunded);
    assert_eq!(
        provider.refunds.lock().unwrap().len(),
        2,
        "one failure, one retry"
    );
}

#[tokio::test]
async fn a_payment_that_lands_after_the_cancel_goes_back() {
    let (shop, provider, customer, order) = card_shop().await;
    shop.bakery
        .create_payment_intent(&customer, &order.id)
        .await
        .unwrap();
    shop.bakery
        .cancel_order(&customer, &order.id)
        .await
        .unwrap();
    shop.bakery
        .handle_payment_webhook(order.id.as_str().as_bytes(), "good")
        .await
        .unwrap();
    let order_now = shop.bakery.order(&customer, &order.id).await.unwrap();
    assert_eq!(
        order_now.payment_details.status,
        PaymentStatus::RefundPending
    );
    shop.bakery.deliver_due().await.unwrap();
    assert_eq!(provider.refunds.lock().unwrap().len(), 1);
    assert_eq!(
        shop.bakery
            .order(&customer, &order.id)
            .await
            .unwrap()
            .payment_details
            .status,
        PaymentStatus::Refunded
    );
    assert_eq!(
        *provider.canceled_intents.lock().unwrap(),
        [format!("pi_{}", order.id)],
        "the cancel also withdrew the intent"
    );
}

#[tokio::test]
async fn a_declined_card_can_pay_again() {
    let (shop, provider, customer, order) = card_shop().await;
    shop.bakery
        .create_payment_intent(&customer, &order.id)
        .await
        .unwrap();
    *provider.event.lock().unwrap() = Some(PaymentEvent {
        id: "evt_declined".into(),
        intent_id: format!("pi_{}", order.id),
        order_id: Some(order.id.clone()),
        kind: PaymentEventKind::PaymentFailed,
    });
    for _ in 0..2 {
        shop.bakery
            .handle_payment_webhook(b"{}", "good")
            .await
            .unwrap();
    }
    let declined = shop.bakery.order(&customer, &order.id).await.unwrap();
    assert_eq!(declined.payment_details.status, PaymentStatus::Failed);
    shop.bakery
        .create_payment_intent(&customer, &order.id)
        .await
        .expect("another card may be tried");
    *provider.event.lock().unwrap() = None;
    shop.bakery
        .handle_payment_webhook(order.id.as_str().as_bytes(), "good")
        .await
        .unwrap();
    let paid = shop.bakery.order(&customer, &order.id).await.unwrap();
    assert_eq!(paid.payment_details.status, PaymentStatus::Completed);
    let titles = inbox_titles(&shop, &customer).await;
    assert_eq!(
        titles,
        ["Order placed", "Payment failed", "Payment received"],
        "each told once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unpaid_card_orders_are_canceled_at_their_deadline_once_across_instances() {
    let mut shop = shop().await;
    let provider = Arc::new(ProviderDouble::default());
    shop.bakery = shop.bakery.clone().with_payments(provider.clone());
    let customer = shop.customer(43).await;
    let cat = shop.category("Viennoiserie").await;
    let croissant = shop.product(&cat, "Croissant", 150, Some(10)).await;
    let request = |method| OrderRequest {
        items: vec![CartLine::new(croissant.clone(), 4)],
        fulfilment: Fulfilment::Delivery,
        delivery_address: Some(address()),
        payment_method: method,
        promotion_code: None,
        scheduled_delivery_time: None,
        special_instructions: None,
    };
    let unpaid = shop
        .bakery
        .place_order(&customer, request(PaymentMethod::Card))
        .await
        .unwrap();
    shop.bakery
        .create_payment_intent(&customer, &unpaid.id)
        .await
        .unwrap();
    let cash = shop
        .bakery
        .place_order(&customer, request(PaymentMethod::Cash))
        .await
        .unwrap();

    shop.clock.advance(chrono::Duration::minutes(29));
    assert_eq!(shop.bakery.cancel_unpaid_orders().await.unwrap(), 0);
    let recent = shop
        .bakery
        .place_order(&customer, request(PaymentMethod::Card))
        .await
        .unwrap_err();
    assert_eq!(
        recent.code(),
        "OUT_OF_STOCK",
        "8 of 10 are held by the two orders"
    );

    shop.clock.advance(chrono::Duration::minutes(2));
    // Two instances on one store sweep at the same moment.
    let other = shop.bakery.clone();
    let (a, b) = tokio::join!(
        shop.bakery.cancel_unpaid_orders(),
        other.cancel_unpaid_orders()
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1, "one instance cancels it");

    let canceled = shop.bakery.order(&customer, &unpaid.id).await.unwrap();
    assert_eq!(canceled.order_status, OrderStatus::Canceled);
    assert_eq!(canceled.status_history.len(), 2);
    assert_eq!(
        shop.bakery
            .order(&customer, &cash.id)
            .await
            .unwrap()
            .order_status,
        OrderStatus::Placed,
        "cash is paid at the door"
    );
    let product = shop.bakery.product(&croissant).await.unwrap();
    assert_eq!(
        product.stock,
        Some(6),
        "the unpaid order's 4 are back on sale"
    );
    let titles = inbox_titles(&shop, &customer).await;
    assert_eq!(titles.iter().filter(|t| *t == "Order canceled").count(), 1);

    shop.bakery.deliver_due().await.unwrap();
    assert_eq!(
        *provider.canceled_intents.lock().unwrap(),
        [format!("pi_{}", unpaid.id)]
    );
}

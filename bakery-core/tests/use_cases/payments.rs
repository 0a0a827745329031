//! The card payment flow over the payment port, with a provider double standing in for the
//! SaaS (the Stripe adapter has its own tests against an HTTP fake).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bakery_core::domain::{Id, Order, PageRequest, PaymentMethod, PaymentStatus};
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

    async fn cancel_intent(&self, _intent_id: &str) -> Result<(), Error> {
        Ok(())
    }

    async fn refund(&self, request: &RefundRequest) -> Result<RefundOutcome, Error> {
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
        let order_id = Id::parse("orderId", std::str::from_utf8(payload).unwrap()).unwrap();
        Ok(Some(PaymentEvent {
            id: "evt_1".into(),
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
                items: vec![CartLine {
                    product: cake,
                    quantity: 1,
                }],
                delivery_address: address(),
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
async fn without_a_provider_card_payments_are_unavailable() {
    let shop = shop().await;
    let customer = shop.customer(42).await;
    let err = shop
        .bakery
        .create_payment_intent(&customer, &Id::generate())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "SERVICE_UNAVAILABLE");
    let err = shop
        .bakery
        .handle_payment_webhook(b"{}", "sig")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "SERVICE_UNAVAILABLE");
}

//! The customer's inbox.

use bakery_e2e::errors::{assert_error, assert_invalid};
use bakery_e2e::fixtures::{advance, line, order_request, place_order, seed_catalog};
use bakery_e2e::{types, TestApp};

const UNKNOWN_ID: &str = "0123456789abcdef01234567";

pub async fn order_notifications_can_be_read_and_deleted(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900701").await;
    assert_eq!(
        ada.api().list_notifications().send().await.unwrap().total,
        0
    );
    let order = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    advance(&admin, &order.id, &[types::OrderStatus::Preparing]).await;
    let short = &order.id[18..];

    let page = ada
        .api()
        .list_notifications()
        .send()
        .await
        .unwrap()
        .into_inner();
    let seen: Vec<(&str, bool)> = page
        .items
        .iter()
        .map(|n| (n.title.as_str(), n.is_read))
        .collect();
    assert_eq!(
        seen,
        [("Order in the oven", false), ("Order placed", false)],
        "newest first"
    );
    assert_eq!((page.page, page.limit, page.total), (1, 20, 2));
    let oven = &page.items[0];
    assert_eq!(oven.type_, types::NotificationType::Order);
    assert_eq!(oven.reference_id.as_deref(), Some(order.id.as_str()));
    assert_eq!(
        oven.message,
        format!("Your order {short} is being prepared.")
    );
    let placed = &page.items[1];
    assert_eq!(placed.message, format!("We received your order {short}."));

    let read = ada
        .api()
        .mark_notification_read()
        .id(placed.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(read.status().as_u16(), 204);
    let deleted = ada
        .api()
        .delete_notification()
        .id(oven.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let page = ada
        .api()
        .list_notifications()
        .send()
        .await
        .unwrap()
        .into_inner();
    let seen: Vec<(&str, bool)> = page
        .items
        .iter()
        .map(|n| (n.title.as_str(), n.is_read))
        .collect();
    assert_eq!(seen, [("Order placed", true)]);
    assert_eq!(page.total, 1);
    let second_page = ada
        .api()
        .list_notifications()
        .limit(1)
        .page(2)
        .send()
        .await
        .unwrap();
    assert!(second_page.items.is_empty());
    assert_eq!(second_page.total, 1);

    let result = ada
        .api()
        .delete_notification()
        .id(oven.id.as_str())
        .send()
        .await;
    assert_error(result, 404, "NOT_FOUND");
    assert_invalid(
        ada.api().list_notifications().limit(101).send().await,
        "limit",
    );
}

pub async fn notifications_of_others_are_404(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900702").await;
    let ben = app.customer("Ben", "+447700900703").await;
    place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    let adas = ada
        .api()
        .list_notifications()
        .send()
        .await
        .unwrap()
        .into_inner();
    let id = adas.items[0].id.as_str();
    assert_eq!(
        ben.api().list_notifications().send().await.unwrap().total,
        0
    );
    for target in [id, UNKNOWN_ID] {
        let result = ben.api().mark_notification_read().id(target).send().await;
        assert_error(result, 404, "NOT_FOUND");
        let result = ben.api().delete_notification().id(target).send().await;
        assert_error(result, 404, "NOT_FOUND");
    }
    let still = ada.api().list_notifications().send().await.unwrap();
    assert_eq!(still.total, 1);
    assert!(!still.items[0].is_read);

    let api = app.client().api();
    assert_error(api.list_notifications().send().await, 401, "UNAUTHORIZED");
    assert_error(
        api.mark_notification_read().id(id).send().await,
        401,
        "UNAUTHORIZED",
    );
    assert_error(
        api.delete_notification().id(id).send().await,
        401,
        "UNAUTHORIZED",
    );
}

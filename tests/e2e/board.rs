//! The staff board over its WebSocket: a snapshot of the open orders, then every placed or
//! changed order; staff only, refused before the upgrade.

use std::time::Duration;

use bakery_e2e::fixtures::{self, line, order_request, place_order, seed_catalog};
use bakery_e2e::{assert_error, types, BakeryClient, TestApp};
use futures::StreamExt;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::tracking::{connect, Socket};

async fn open_board(app: &TestApp, client: Option<&BakeryClient>) -> Result<Socket, u16> {
    let url = format!(
        "{}/api/v1/admin/orders/stream",
        app.base_url.replacen("http://", "ws://", 1)
    );
    let mut request = url.into_client_request().expect("request");
    if let Some(tokens) = client.and_then(BakeryClient::tokens) {
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {}", tokens.access_token)
                .parse()
                .expect("header"),
        );
    }
    connect(request).await
}

async fn next(socket: &mut Socket) -> types::BoardMessage {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a message within 5 s")
            .expect("open")
            .expect("a frame");
        if let Message::Text(text) = frame {
            return serde_json::from_str(text.as_str())
                .unwrap_or_else(|e| panic!("{text} is not a BoardMessage: {e}"));
        }
    }
}

pub async fn staff_see_orders_placed_and_changed_live(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900801").await;
    let earlier = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;

    assert_eq!(open_board(app, None).await.err(), Some(401));
    assert_eq!(open_board(app, Some(&ada)).await.err(), Some(403));
    assert_error(ada.api().admin_order_board().send().await, 403, "FORBIDDEN");

    let mut board = open_board(app, Some(&admin)).await.expect("staff");
    let types::BoardMessage::Snapshot(first) = next(&mut board).await else {
        panic!("the first message is a snapshot");
    };
    assert_eq!(first.total, 1);
    assert_eq!(first.orders[0].id, earlier.id);
    let rest = admin
        .api()
        .admin_order_board()
        .send()
        .await
        .unwrap()
        .into_inner();
    let types::BoardMessage::Snapshot(rest) = rest else {
        panic!("the REST board is a snapshot");
    };
    assert_eq!(rest.total, 1);

    let placed = place_order(&ada, order_request(vec![line(&shop.croissant.id, 2)])).await;
    let types::BoardMessage::Order(new) = next(&mut board).await else {
        panic!("then orders");
    };
    assert_eq!(
        (new.order.id.as_str(), new.order.order_status),
        (placed.id.as_str(), types::OrderStatus::Placed)
    );
    fixtures::advance(&admin, &earlier.id, &[types::OrderStatus::Preparing]).await;
    let types::BoardMessage::Order(changed) = next(&mut board).await else {
        panic!("then orders");
    };
    assert_eq!(
        (changed.order.id.as_str(), changed.order.order_status),
        (earlier.id.as_str(), types::OrderStatus::Preparing)
    );
    assert!(
        changed.seq > first.orders[0].revision,
        "seq grows past the snapshot's"
    );
}

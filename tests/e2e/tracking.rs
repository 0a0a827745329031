//! Live tracking over the WebSocket: a customer follows an order from placed to delivered;
//! who may not see the order is refused before the upgrade; tickets work once; couriers
//! are accounts that see and touch only their orders.

use std::time::Duration;

use bakery_e2e::fixtures::{self, line, order_request, place_order, seed_catalog};
use bakery_e2e::{assert_error, assert_invalid, types, AppOptions, BakeryClient, TestApp};
use futures::StreamExt;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn ws_url(app: &TestApp, path: &str) -> String {
    format!("{}{path}", app.base_url.replacen("http://", "ws://", 1))
}

/// Opens the order's socket with `client`'s bearer token (none for `None`); the HTTP status
/// of the refusal otherwise.
async fn open(app: &TestApp, order: &str, client: Option<&BakeryClient>) -> Result<Socket, u16> {
    let token = client
        .and_then(BakeryClient::tokens)
        .map(|t| t.access_token);
    open_at(&app.base_url, order, token.as_deref()).await
}

/// Opens the order's socket on the server at `base_url` (`http://…`) with `token`.
pub(crate) async fn open_at(
    base_url: &str,
    order: &str,
    token: Option<&str>,
) -> Result<Socket, u16> {
    let url = format!(
        "{}/api/v1/orders/{order}/track/ws",
        base_url.replacen("http://", "ws://", 1)
    );
    let mut request = url.into_client_request().expect("request");
    if let Some(token) = token {
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("header"),
        );
    }
    connect(request).await
}

async fn open_with_ticket(app: &TestApp, path: &str) -> Result<Socket, u16> {
    connect(ws_url(app, path).into_client_request().expect("request")).await
}

pub(crate) async fn connect(
    request: tokio_tungstenite::tungstenite::handshake::client::Request,
) -> Result<Socket, u16> {
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(WsError::Http(response)) => Err(response.status().as_u16()),
        Err(other) => panic!("the socket failed otherwise: {other:?}"),
    }
}

/// The next message, parsed with the SDK's generated type; panics after 5 s.
pub(crate) async fn next(socket: &mut Socket) -> types::TrackingMessage {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a message within 5 s")
            .expect("the socket is open")
            .expect("a frame");
        match frame {
            Message::Text(text) => {
                return serde_json::from_str(text.as_str())
                    .unwrap_or_else(|e| panic!("{text} is not a TrackingMessage: {e}"))
            }
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// The close frame's code, after any remaining messages.
async fn closed_with(socket: &mut Socket) -> u16 {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("closed within 5 s");
        match frame {
            Some(Ok(Message::Close(Some(close)))) => return u16::from(close.code),
            Some(Ok(Message::Ping(_))) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// A message as `(type, status-or-empty, seq)` for compact assertions.
pub(crate) fn summary(message: &types::TrackingMessage) -> (&'static str, String, i64) {
    use types::TrackingMessage::*;
    match message {
        Variant0(s) => ("snapshot", s.status.to_string(), s.seq),
        Variant1(e) => ("status", e.status.to_string(), e.seq),
        Variant2(e) => ("assigned", e.delivery_person.name.clone(), e.seq),
        Variant3(e) => ("location", format!("{},{}", e.lat, e.lng), e.seq),
        Variant4(e) => ("eta", String::new(), e.seq),
        Variant5(e) => ("payment", e.payment_status.to_string(), e.seq),
    }
}

async fn courier_id(courier: &BakeryClient) -> String {
    courier
        .api()
        .get_profile()
        .send()
        .await
        .expect("profile")
        .into_inner()
        .id
}

async fn assign(admin: &BakeryClient, order: &str, courier: &str) -> types::Order {
    admin
        .api()
        .admin_assign_courier()
        .id(order)
        .body(types::CourierInput {
            courier_id: courier.parse().expect("id"),
        })
        .send()
        .await
        .expect("assign the courier")
        .into_inner()
}

fn at(lat: f64, lng: f64) -> types::CourierLocation {
    types::CourierLocation {
        lat,
        lng,
        heading: Some(90.0),
        speed_kmh: Some(18.0),
        accuracy_m: Some(5.0),
    }
}

/// Where Ada's door is: 1.11 km north of where the courier reports from (`at(48.8566,
/// 2.3522)`), so at the reported 18 km/h the courier needs about 222 s.
const DOOR: (f64, f64) = (48.8666, 2.3522);

pub async fn a_customer_follows_an_order_from_placed_to_delivered(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let courier = app.courier().await;
    let courier_id = courier_id(&courier).await;
    let ada = app.customer("Ada", "+447700900701").await;
    // The app copies the saved address, map point included, into the order.
    let mut home = fixtures::address_input("Home", true);
    home.location = Some(types::LatLng {
        lat: DOOR.0,
        lng: DOOR.1,
    });
    let saved = ada
        .api()
        .add_address()
        .body(home)
        .send()
        .await
        .expect("address saved")
        .into_inner();
    let door = saved.location.clone().expect("the address keeps its point");
    assert_eq!((door.lat, door.lng), DOOR);
    let mut request = order_request(vec![line(&shop.baguette.id, 1)]);
    request
        .delivery_address
        .as_mut()
        .expect("a delivery")
        .location = Some(door.clone());
    let order = place_order(&ada, request).await;
    let snapshot_door = order
        .delivery_address
        .as_ref()
        .and_then(|a| a.location.clone())
        .expect("copied");
    assert_eq!((snapshot_door.lat, snapshot_door.lng), DOOR);

    let mut socket = open(app, &order.id, Some(&ada)).await.expect("opened");
    let first = next(&mut socket).await;
    let types::TrackingMessage::Variant0(snapshot) = &first else {
        panic!("the first message is a snapshot: {first:?}");
    };
    assert_eq!(snapshot.order_id, order.id);
    assert_eq!(snapshot.status, types::OrderStatus::Placed);
    // The same snapshot as the REST route.
    let rest = ada
        .api()
        .track_order()
        .id(order.id.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((rest.seq, &rest.status), (snapshot.seq, &snapshot.status));

    fixtures::advance(&admin, &order.id, &[types::OrderStatus::Preparing]).await;
    assign(&admin, &order.id, &courier_id).await;
    courier
        .api()
        .courier_pick_up()
        .id(order.id.as_str())
        .send()
        .await
        .expect("picked up");
    let reported_at = chrono::Utc::now();
    let located = courier
        .api()
        .courier_report_location()
        .id(order.id.as_str())
        .body(at(48.8566, 2.3522))
        .send()
        .await
        .expect("location")
        .into_inner();
    // ~1,112 m at 18 km/h (5 m/s): ~222 s from now, instead of the kitchen's estimate.
    let eta_after_report = located.estimated_delivery_time;
    let seconds = (eta_after_report - reported_at).num_seconds();
    assert!((215..=232).contains(&seconds), "ETA {seconds} s away");
    // The snapshot shows the current ETA.
    let rest = ada
        .api()
        .track_order()
        .id(order.id.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(rest.estimated_delivery_time, eta_after_report);
    // A second report from (nearly) the same place moves the ETA by well under a minute:
    // stored position, but no new ETA event.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    courier
        .api()
        .courier_report_location()
        .id(order.id.as_str())
        .body(at(48.8567, 2.3522))
        .send()
        .await
        .expect("second location");
    courier
        .api()
        .courier_deliver()
        .id(order.id.as_str())
        .send()
        .await
        .expect("delivered");

    let mut messages = Vec::new();
    for _ in 0..7 {
        messages.push(next(&mut socket).await);
    }
    let seen: Vec<_> = messages.iter().map(summary).collect();
    let kinds: Vec<(&str, &str)> = seen.iter().map(|(t, s, _)| (*t, s.as_str())).collect();
    assert_eq!(
        kinds,
        [
            ("status", "preparing"),
            ("assigned", bakery_e2e::COURIER_NAME),
            ("status", "out_for_delivery"),
            ("location", "48.8566,2.3522"),
            ("eta", ""),
            ("location", "48.8567,2.3522"),
            ("status", "delivered"),
        ]
    );
    let types::TrackingMessage::Variant4(eta) = &messages[4] else {
        unreachable!("checked above");
    };
    assert_eq!(eta.estimated_delivery_time, eta_after_report);
    let mut last = snapshot.seq;
    for (kind, _, seq) in &seen {
        assert!(*seq > last, "{kind}: seq {seq} after {last}");
        last = *seq;
    }
    assert_eq!(closed_with(&mut socket).await, 4000, "order finished");
}

/// A saved address keeps its point on the map (absent, never null, without one); points
/// out of range are refused naming the field.
pub async fn addresses_keep_their_point_on_the_map(app: &TestApp) {
    let ada = app.customer("Ada", "+447700900702").await;
    let plain = ada
        .api()
        .add_address()
        .body(fixtures::address_input("Work", false))
        .send()
        .await
        .expect("saved")
        .into_inner();
    assert!(plain.location.is_none());
    let mut mapped = fixtures::address_input("Home", true);
    mapped.location = Some(types::LatLng {
        lat: -33.8568,
        lng: 151.2153,
    });
    let home = ada
        .api()
        .add_address()
        .body(mapped.clone())
        .send()
        .await
        .expect("saved")
        .into_inner();
    // Moving the pin on edit, and reading it back from the profile.
    mapped.location = Some(types::LatLng {
        lat: -33.86,
        lng: 151.21,
    });
    ada.api()
        .update_address()
        .id(home.id.as_str())
        .body(mapped.clone())
        .send()
        .await
        .expect("updated");
    let profile = ada.api().get_profile().send().await.unwrap().into_inner();
    let stored: Vec<_> = profile
        .addresses
        .iter()
        .map(|a| {
            (
                a.title.as_str(),
                a.location.as_ref().map(|l| (l.lat, l.lng)),
            )
        })
        .collect();
    assert_eq!(stored, [("Work", None), ("Home", Some((-33.86, 151.21)))]);

    for (lat, lng, field) in [
        (90.5, 0.0, "location.lat"),
        (-91.0, 0.0, "location.lat"),
        (0.0, 180.01, "location.lng"),
    ] {
        let mut bad = fixtures::address_input("Bad", false);
        bad.location = Some(types::LatLng { lat, lng });
        assert_invalid(ada.api().add_address().body(bad).send().await, field);
    }
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let mut request = order_request(vec![line(&shop.baguette.id, 1)]);
    request
        .delivery_address
        .as_mut()
        .expect("a delivery")
        .location = Some(types::LatLng {
        lat: 0.0,
        lng: -181.0,
    });
    assert_invalid(
        ada.api().place_order().body(request).send().await,
        "deliveryAddress.location.lng",
    );
}

pub async fn who_may_not_see_the_order_is_refused_before_the_upgrade(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let courier = app.courier().await;
    let ada = app.customer("Ada", "+447700900702").await;
    let bob = app.customer("Bob", "+447700900703").await;
    let order = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;

    assert_eq!(open(app, &order.id, Some(&bob)).await.err(), Some(404));
    assert_eq!(
        open(app, &order.id, Some(&courier)).await.err(),
        Some(404),
        "not assigned"
    );
    assert_eq!(open(app, &order.id, None).await.err(), Some(401));
    let forged = app.client();
    forged.set_tokens(Some(bakery_e2e::Tokens {
        access_token: "not-a-token".into(),
        refresh_token: String::new(),
    }));
    assert_eq!(open(app, &order.id, Some(&forged)).await.err(), Some(401));
    assert_eq!(
        open(app, "0123456789abcdef01234567", Some(&ada))
            .await
            .err(),
        Some(404)
    );
    // Staff may follow any order; the assigned courier theirs.
    let mut staff = open(app, &order.id, Some(&admin)).await.expect("staff");
    assert_eq!(summary(&next(&mut staff).await).0, "snapshot");
    assign(&admin, &order.id, &courier_id(&courier).await).await;
    let mut theirs = open(app, &order.id, Some(&courier)).await.expect("courier");
    assert_eq!(summary(&next(&mut theirs).await).0, "snapshot");
    // Tickets are for whoever may see the order, too.
    assert_error(
        bob.api()
            .create_track_ticket()
            .id(order.id.as_str())
            .send()
            .await,
        404,
        "NOT_FOUND",
    );
}

pub fn manual_clock() -> AppOptions {
    AppOptions {
        manual_clock: true,
        ..AppOptions::default()
    }
}

pub async fn a_ticket_opens_the_socket_once_within_a_minute(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900704").await;
    let order = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;

    let ticket = ada
        .api()
        .create_track_ticket()
        .id(order.id.as_str())
        .send()
        .await
        .expect("ticket")
        .into_inner();
    assert!(ticket.path.contains(&order.id));
    let types::TrackingMessage::Variant0(current) = &ticket.current else {
        panic!("the ticket carries the snapshot: {:?}", ticket.current);
    };
    assert_eq!(current.order_id, order.id);
    let mut socket = open_with_ticket(app, &ticket.path)
        .await
        .expect("first use");
    assert_eq!(summary(&next(&mut socket).await).0, "snapshot");
    assert_eq!(
        open_with_ticket(app, &ticket.path).await.err(),
        Some(401),
        "used"
    );

    // A ticket for another order does not open this one.
    let other = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    let for_other = ada
        .api()
        .create_track_ticket()
        .id(other.id.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    let swapped = for_other.path.replace(&other.id, &order.id);
    assert_eq!(open_with_ticket(app, &swapped).await.err(), Some(401));

    // Expired after 60 s.
    let late = ada
        .api()
        .create_track_ticket()
        .id(order.id.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    app.advance(chrono::Duration::seconds(61));
    assert_eq!(
        open_with_ticket(app, &late.path).await.err(),
        Some(401),
        "expired"
    );
}

pub async fn couriers_see_and_touch_only_their_orders(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let courier = app.courier().await;
    let me = courier_id(&courier).await;
    let ada = app.customer("Ada", "+447700900705").await;
    let mine = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    let not_mine = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    for order in [&mine, &not_mine] {
        fixtures::advance(&admin, &order.id, &[types::OrderStatus::Preparing]).await;
    }
    let assigned = assign(&admin, &mine.id, &me).await;
    let person = assigned.delivery_person.expect("assigned");
    assert_eq!(person.courier_id.as_deref(), Some(me.as_str()));
    assert_eq!(person.name, bakery_e2e::COURIER_NAME);

    // Only a courier account can be assigned.
    let ada_id = ada
        .api()
        .get_profile()
        .send()
        .await
        .unwrap()
        .into_inner()
        .id;
    assert_error(
        admin
            .api()
            .admin_assign_courier()
            .id(not_mine.id.as_str())
            .body(types::CourierInput {
                courier_id: ada_id.parse().unwrap(),
            })
            .send()
            .await,
        404,
        "NOT_FOUND",
    );

    let listed = courier
        .api()
        .courier_list_orders()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.total, 1);
    assert_eq!(listed.items[0].id, mine.id);
    assert_error(
        courier
            .api()
            .get_order()
            .id(not_mine.id.as_str())
            .send()
            .await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        courier
            .api()
            .courier_pick_up()
            .id(not_mine.id.as_str())
            .send()
            .await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        ada.api().courier_list_orders().send().await,
        403,
        "FORBIDDEN",
    );

    courier
        .api()
        .courier_pick_up()
        .id(mine.id.as_str())
        .send()
        .await
        .expect("picked up");
    let mut bad = at(48.0, 2.0);
    bad.lat = 91.0;
    let (status, _) = bakery_e2e::error_of(
        courier
            .api()
            .courier_report_location()
            .id(mine.id.as_str())
            .body(bad)
            .send()
            .await,
    );
    assert!(status == 400 || status == 422, "out of range: {status}");
    courier
        .api()
        .courier_report_location()
        .id(mine.id.as_str())
        .body(at(48.0, 2.0))
        .send()
        .await
        .expect("first report");
    assert_error(
        courier
            .api()
            .courier_report_location()
            .id(mine.id.as_str())
            .body(at(48.001, 2.001))
            .send()
            .await,
        429,
        "RATE_LIMITED",
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    courier
        .api()
        .courier_report_location()
        .id(mine.id.as_str())
        .body(at(48.002, 2.002))
        .send()
        .await
        .expect("a second later");
    let delivered = courier
        .api()
        .courier_deliver()
        .id(mine.id.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(delivered.order_status, types::OrderStatus::Delivered);
}

/// The SDK's tracker: the snapshot, then each change, then the end of the order.
pub async fn the_sdk_tracker_follows_an_order_to_the_end(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900706").await;
    let order = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;

    // The harness's contract proxy speaks plain HTTP only: the socket goes to the server.
    let direct =
        bakery_e2e::BakeryClient::with_tokens(&app.base_url, ada.tokens().expect("signed in"));
    let mut tracker = bakery_e2e::OrderTracker::new(&direct, &order.id);
    let first = tracker.next().await.expect("snapshot").expect("open");
    assert_eq!(summary(&first).0, "snapshot");
    use types::OrderStatus::*;
    for status in [Preparing, OutForDelivery, Delivered] {
        fixtures::advance(&admin, &order.id, std::slice::from_ref(&status)).await;
        let message = tokio::time::timeout(Duration::from_secs(5), tracker.next())
            .await
            .expect("within 5 s")
            .expect("a message")
            .expect("not finished yet");
        assert_eq!(
            summary(&message),
            ("status", status.to_string(), summary(&message).2)
        );
    }
    assert!(
        tracker.next().await.expect("a clean end").is_none(),
        "finished"
    );

    // Someone else's order: refused, not retried.
    let bob = app.customer("Bob", "+447700900707").await;
    let refused = bakery_e2e::OrderTracker::new(&bob, &order.id).next().await;
    assert!(
        matches!(refused, Err(bakery_e2e::LiveError::Refused(404))),
        "{refused:?}"
    );
}

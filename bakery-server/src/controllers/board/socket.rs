//! `GET /api/v1/admin/orders/stream`: the staff board, live, over a WebSocket (JSON text
//! frames, each a [`BoardMessage`]). Staff only, with the bearer header; refused before the
//! upgrade otherwise (401, 403).
//!
//! Each event is answered with the order as the store has it then, so a message is always
//! a whole order; two quick changes may both show the second state, and `seq` lets the
//! client keep the newest.

use bakery_core::domain::access;
use bakery_core::ports::{EventStream, Received};
use bakery_core::services::{Actor, Bakery};
use futures::{SinkExt, StreamExt};
use poem::web::websocket::{CloseCode, Message, WebSocket, WebSocketStream};
use poem::web::Data;
use poem::{handler, IntoResponse, Request, Response};
use poem_openapi::types::ToJSON;

use super::open_orders;
use crate::controllers::tracking::socket::{
    bearer_actor, not_an_upgrade, socket_config, PING_EVERY,
};
use crate::dto::board::BoardMessage;
use crate::error::ApiError;
use crate::sockets::SocketGuard;
use crate::state::AppState;

#[handler]
pub async fn board_socket(
    req: &Request,
    Data(state): Data<&AppState>,
    ws: poem::Result<WebSocket>,
) -> Result<Response, ApiError> {
    let actor = bearer_actor(req, state)
        .await?
        .ok_or_else(|| ApiError::unauthorized("send the access token as a bearer header"))?;
    actor.require(access::STAFF)?;
    let events = state.bakery.subscribe_events();
    let (query, page) = open_orders();
    let first = state.bakery.staff_orders(&actor, query, page).await?;
    let ws = ws.map_err(|_| not_an_upgrade())?;
    let bakery = state.bakery.clone();
    let guard = state.sockets.open();
    Ok(ws
        .config(socket_config())
        .on_upgrade(move |socket| {
            run(
                socket,
                bakery,
                actor,
                events,
                guard,
                BoardMessage::snapshot(first),
            )
        })
        .into_response())
}

async fn run(
    mut socket: WebSocketStream,
    bakery: Bakery,
    actor: Actor,
    mut events: EventStream,
    mut guard: SocketGuard,
    first: BoardMessage,
) {
    if send(&mut socket, &first).await.is_err() {
        return;
    }
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut answered = true;
    loop {
        tokio::select! {
            received = events.next() => {
                let message = match received {
                    Some(Received::Event(event)) => match bakery.order(&actor, &event.order_id).await {
                        Ok(order) => BoardMessage::order(order, event.at.into()),
                        Err(e) => {
                            tracing::warn!(error = ?e, order = %event.order_id, "board: could not read a changed order");
                            continue;
                        }
                    },
                    Some(Received::Resync) => {
                        let (query, page) = open_orders();
                        match bakery.staff_orders(&actor, query, page).await {
                            Ok(orders) => BoardMessage::snapshot(orders),
                            Err(e) => {
                                tracing::warn!(error = ?e, "board resync failed");
                                let _ = socket.send(Message::close_with(CloseCode::Error, "internal error")).await;
                                return;
                            }
                        }
                    }
                    None => {
                        let _ = socket.send(Message::close_with(CloseCode::Away, "server shutting down")).await;
                        return;
                    }
                };
                if send(&mut socket, &message).await.is_err() {
                    return;
                }
            }
            incoming = socket.next() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => answered = true,
            },
            () = guard.stopping() => {
                let _ = socket.send(Message::close_with(CloseCode::Away, "server shutting down")).await;
                let _ = socket.close().await;
                return;
            }
            _ = ping.tick() => {
                if !answered || socket.send(Message::Ping(Vec::new())).await.is_err() {
                    return;
                }
                answered = false;
            }
        }
    }
}

async fn send(socket: &mut WebSocketStream, message: &BoardMessage) -> Result<(), ()> {
    socket
        .send(Message::Text(message.to_json_string()))
        .await
        .map_err(|_| ())
}

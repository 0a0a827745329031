//! `GET /api/v1/orders/{id}/track/ws`: the order's changes, live, over a WebSocket (RFC 6455,
//! JSON text frames, each a [`TrackingMessage`]).
//!
//! Authentication and authorisation happen before the upgrade, with the REST route's
//! answers: 401 without valid credentials (a bearer header, or a single-use `?ticket=`),
//! 404 for an order the viewer may not see. The stream subscribes to the events bus before
//! reading the snapshot, so no change falls between the two; events at or below the
//! snapshot's `seq` are already in it and are skipped.

use std::time::Duration;

use bakery_core::domain::Id;
use bakery_core::ports::{EventStream, OrderChange, OrderEvent, Received};
use bakery_core::services::{Actor, Tracking as DomainTracking};
use bakery_core::Error;
use futures::{SinkExt, StreamExt};
use poem::web::websocket::{CloseCode, Message, WebSocket, WebSocketConfig, WebSocketStream};
use poem::web::{Data, Path, Query};
use poem::{handler, IntoResponse, Request, Response};
use poem_openapi::types::ToJSON;
use serde::Deserialize;

use crate::dto::order::Tracking;
use crate::dto::tracking::TrackingMessage;
use crate::error::ApiError;
use crate::sockets::SocketGuard;
use crate::state::AppState;
use crate::tickets;

/// How often the server pings; a peer that has not answered by the next ping is closed.
pub const PING_EVERY: Duration = Duration::from_secs(30);

/// Buffers sized for what these sockets carry (the server writes messages of a few KiB and
/// reads only pongs and closes), not tungstenite's 128 KiB defaults: thousands of sockets
/// are held open at once. A peer that does not read cannot make the server buffer more than
/// `max_write_buffer_size`: the send fails and the socket is closed.
pub(crate) fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(1 << 20)
        .max_message_size(Some(64 * 1024))
        .max_frame_size(Some(64 * 1024))
}

/// Close codes the socket uses (also in the README and the ticket operation's description).
pub mod close {
    /// The order reached `delivered`, `picked_up` or `canceled`: nothing more will happen.
    pub const ORDER_FINISHED: u16 = 4000;
    /// The viewer may no longer see the order (a courier was replaced).
    pub const NO_LONGER_ALLOWED: u16 = 4003;
}

#[derive(Debug, Deserialize)]
pub struct SocketQuery {
    ticket: Option<String>,
}

#[handler]
pub async fn track_socket(
    req: &Request,
    Path(id): Path<String>,
    Query(query): Query<SocketQuery>,
    Data(state): Data<&AppState>,
    ws: poem::Result<WebSocket>,
) -> Result<Response, ApiError> {
    let id =
        Id::parse("id", &id).map_err(|_| ApiError::from(Error::NotFound { resource: "order" }))?;
    let actor = authenticate(req, query.ticket.as_deref(), state, &id).await?;
    let events = state.bakery.subscribe_events();
    let snapshot = state.bakery.track_order(&actor, &id).await?;
    let ws = ws.map_err(|_| not_an_upgrade())?;
    let bakery = state.bakery.clone();
    let follow = Follow {
        bakery,
        actor,
        order: id,
        guard: state.sockets.open(),
    };
    Ok(ws
        .config(socket_config())
        .on_upgrade(move |socket| follow.run(socket, events, snapshot))
        .into_response())
}

/// The bearer header when there is one, else the ticket, spent here.
async fn authenticate(
    req: &Request,
    ticket: Option<&str>,
    state: &AppState,
    order: &Id,
) -> Result<Actor, ApiError> {
    if let Some(actor) = bearer_actor(req, state).await? {
        return Ok(actor);
    }
    let Some(ticket) = ticket else {
        return Err(ApiError::unauthorized(
            "send the access token as a bearer header, or a ticket from POST /orders/{id}/track/ticket as ?ticket=",
        ));
    };
    let (actor, nonce) = state.tickets.check(ticket, order, state.bakery.now())?;
    tickets::spend(state.limiter.as_ref(), &nonce).await?;
    Ok(actor)
}

/// The actor of the request's bearer token; `None` without an `Authorization` header, 401
/// for a bad token or a session that ended.
pub(crate) async fn bearer_actor(
    req: &Request,
    state: &AppState,
) -> Result<Option<Actor>, ApiError> {
    let bearer = req
        .headers()
        .get(poem::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match bearer {
        Some(token) => crate::auth::actor_of(state, token.trim()).await.map(Some),
        None => Ok(None),
    }
}

/// The answer to a plain HTTP request on a WebSocket route.
pub(crate) fn not_an_upgrade() -> ApiError {
    ApiError::BadRequest(poem_openapi::payload::Json(crate::error::ErrorBody::new(
        crate::error::ErrorCode::MalformedRequest,
        "this route expects a WebSocket upgrade (Connection: Upgrade, Upgrade: websocket)",
    )))
}

/// One viewer following one order.
struct Follow {
    bakery: bakery_core::services::Bakery,
    actor: Actor,
    order: Id,
    /// Tells the loop when the server stops (it then closes with 1001).
    guard: SocketGuard,
}

/// What the loop does next.
enum Next {
    Continue,
    Close(CloseCode, &'static str),
}

impl Follow {
    async fn run(
        mut self,
        mut socket: WebSocketStream,
        mut events: EventStream,
        first: DomainTracking,
    ) {
        // Everything up to `covered` is in the last snapshot sent; `sent` is the highest seq
        // sent since. Events are published after their commit, so two changes committed
        // close together (on one instance or two) can arrive in the opposite order: a late
        // one (below `sent`, above `covered`) is not dropped silently but answered with a
        // fresh snapshot, which includes it.
        let mut covered = first.seq;
        let mut sent = first.seq;
        let mut next = self.send_snapshot(&mut socket, first).await;
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        let mut answered = true;
        while let Next::Continue = next {
            next = tokio::select! {
                received = events.next() => match received {
                    Some(Received::Event(event)) if event.order_id == self.order => {
                        if event.seq <= covered || event.seq == sent {
                            Next::Continue
                        } else if event.seq < sent {
                            self.resync(&mut socket, &mut covered, &mut sent).await
                        } else {
                            sent = event.seq;
                            self.send_event(&mut socket, &event).await
                        }
                    }
                    Some(Received::Event(_)) => Next::Continue,
                    Some(Received::Resync) => self.resync(&mut socket, &mut covered, &mut sent).await,
                    None => Next::Close(CloseCode::Away, "server shutting down"),
                },
                incoming = socket.next() => match incoming {
                    // Whatever the peer sends proves it is alive; pings are answered by the
                    // library. A close, an error or the end of the stream ends the loop.
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                    Some(Ok(_)) => {
                        answered = true;
                        Next::Continue
                    }
                },
                () = self.guard.stopping() => Next::Close(CloseCode::Away, "server shutting down"),
                _ = ping.tick() => {
                    if !answered {
                        tracing::debug!(order = %self.order, "tracking peer stopped answering");
                        return;
                    }
                    answered = false;
                    match socket.send(Message::Ping(Vec::new())).await {
                        Ok(()) => Next::Continue,
                        Err(_) => return,
                    }
                }
            };
        }
        if let Next::Close(code, reason) = next {
            let _ = socket.send(Message::close_with(code, reason)).await;
            let _ = socket.close().await;
        }
    }

    /// Reads the order again and sends it as a snapshot: after a resync signal, or an event
    /// that arrived late.
    async fn resync(
        &self,
        socket: &mut WebSocketStream,
        covered: &mut u64,
        sent: &mut u64,
    ) -> Next {
        match self.bakery.track_order(&self.actor, &self.order).await {
            Ok(snapshot) => {
                *covered = snapshot.seq;
                *sent = snapshot.seq;
                self.send_snapshot(socket, snapshot).await
            }
            Err(Error::NotFound { .. }) => Next::Close(
                CloseCode::Reserved(close::NO_LONGER_ALLOWED),
                "you may no longer follow this order",
            ),
            Err(e) => {
                tracing::warn!(error = ?e, order = %self.order, "tracking resync failed");
                Next::Close(CloseCode::Error, "internal error")
            }
        }
    }

    async fn send_snapshot(&self, socket: &mut WebSocketStream, snapshot: DomainTracking) -> Next {
        let finished = !snapshot.status.is_open();
        let message = TrackingMessage::Snapshot(Tracking::from(snapshot));
        match send(socket, &message).await {
            Err(()) => Next::Close(CloseCode::Away, ""),
            Ok(()) if finished => {
                Next::Close(CloseCode::Reserved(close::ORDER_FINISHED), "order finished")
            }
            Ok(()) => Next::Continue,
        }
    }

    async fn send_event(&self, socket: &mut WebSocketStream, event: &OrderEvent) -> Next {
        if let OrderChange::Assigned { courier } = &event.change {
            if self.actor.is_courier() && courier.courier_id.as_ref() != Some(&self.actor.user_id) {
                return Next::Close(
                    CloseCode::Reserved(close::NO_LONGER_ALLOWED),
                    "the order was given to another courier",
                );
            }
        }
        if send(socket, &TrackingMessage::from(event)).await.is_err() {
            return Next::Close(CloseCode::Away, "");
        }
        match &event.change {
            OrderChange::Status { status, .. } if !status.is_open() => {
                Next::Close(CloseCode::Reserved(close::ORDER_FINISHED), "order finished")
            }
            _ => Next::Continue,
        }
    }
}

async fn send(socket: &mut WebSocketStream, message: &TrackingMessage) -> Result<(), ()> {
    socket
        .send(Message::Text(message.to_json_string()))
        .await
        .map_err(|_| ())
}

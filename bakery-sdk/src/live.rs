//! The live sockets: an order's tracking ([`OrderTracker`]) and the staff board
//! ([`BoardWatcher`]). The one hand-written network piece of the SDK: OpenAPI 3.0 cannot
//! describe a WebSocket, but the messages are the generated [`types::TrackingMessage`] and
//! [`types::BoardMessage`].
//!
//! Both connect with the session's access token (one refresh when it was refused), reconnect
//! with back-off when the connection drops, and start again from the snapshot the server
//! sends first on every connection, so nothing is missed across a reconnect. The tracker
//! also drops events at or below the last `seq` it handed out.

use std::time::Duration;

use futures::StreamExt;
use serde::de::DeserializeOwned;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::generated::types;
use crate::session::BakeryClient;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Close code: the order was delivered or canceled.
pub const CLOSE_ORDER_FINISHED: u16 = 4000;
/// Close code: the viewer may no longer see the order.
pub const CLOSE_NO_LONGER_ALLOWED: u16 = 4003;

/// Reconnection attempts in a row before giving up.
const MAX_FAILURES: u32 = 8;

#[derive(Debug)]
pub enum LiveError {
    /// The server refused the socket (HTTP status: 401 not signed in, 403 not allowed, 404
    /// no such order or not yours), or closed it with 4003.
    Refused(u16),
    /// The server could not be reached after several attempts.
    Unreachable(String),
    /// A message did not parse as the expected type (an SDK older than the server).
    Protocol(String),
}

impl std::fmt::Display for LiveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused(status) => write!(f, "the server refused the socket ({status})"),
            Self::Unreachable(e) => write!(f, "the server cannot be reached: {e}"),
            Self::Protocol(e) => write!(f, "unexpected message: {e}"),
        }
    }
}

impl std::error::Error for LiveError {}

/// What the connection loop hands back.
enum Frame<M> {
    Message(M),
    /// Closed by the server with this code.
    Closed(u16),
}

/// One socket path, reconnected as needed.
struct Live {
    client: BakeryClient,
    path: String,
    socket: Option<Socket>,
    failures: u32,
}

impl Live {
    fn new(client: &BakeryClient, path: String) -> Self {
        Self {
            client: client.clone(),
            path,
            socket: None,
            failures: 0,
        }
    }

    fn url(&self) -> String {
        let base = self.client.base_url();
        let base = if let Some(rest) = base.strip_prefix("https://") {
            format!("wss://{rest}")
        } else if let Some(rest) = base.strip_prefix("http://") {
            format!("ws://{rest}")
        } else {
            base.to_owned()
        };
        format!("{base}{}", self.path)
    }

    async fn connect(&self) -> Result<Socket, Result<u16, String>> {
        let mut request = self
            .url()
            .into_client_request()
            .map_err(|e| Err(e.to_string()))?;
        if let Some(tokens) = self.client.tokens() {
            let value = format!("Bearer {}", tokens.access_token)
                .parse()
                .map_err(|_| Err("the access token is not a valid header".to_owned()))?;
            request.headers_mut().insert("authorization", value);
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((socket, _)) => Ok(socket),
            Err(tungstenite::Error::Http(response)) => Err(Ok(response.status().as_u16())),
            Err(e) => Err(Err(e.to_string())),
        }
    }

    /// The next message or close code, connecting (again) first when needed.
    async fn next<M: DeserializeOwned>(&mut self) -> Result<Frame<M>, LiveError> {
        let mut refreshed = false;
        loop {
            let Some(socket) = self.socket.as_mut() else {
                match self.connect().await {
                    Ok(socket) => {
                        self.socket = Some(socket);
                        self.failures = 0;
                    }
                    Err(Ok(401)) if !refreshed && self.client.tokens().is_some() => {
                        refreshed = true;
                        if self.client.refresh().await.is_err() {
                            return Err(LiveError::Refused(401));
                        }
                    }
                    Err(Ok(status)) if status < 500 => return Err(LiveError::Refused(status)),
                    Err(failure) => {
                        self.failures += 1;
                        if self.failures > MAX_FAILURES {
                            let why = failure.map_or_else(|e| e, |s| format!("HTTP {s}"));
                            return Err(LiveError::Unreachable(why));
                        }
                        tokio::time::sleep(backoff(self.failures)).await;
                    }
                }
                continue;
            };
            match socket.next().await {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(text.as_str())
                        .map(Frame::Message)
                        .map_err(|e| LiveError::Protocol(format!("{e}: {text}")));
                }
                Some(Ok(Message::Close(frame))) => {
                    self.socket = None;
                    let code = frame.map_or(1005, |f| u16::from(f.code));
                    if code >= 4000 {
                        return Ok(Frame::Closed(code));
                    }
                    // Going away, an error, a restart: connect again (a fresh snapshot).
                }
                // Pings are answered by the library.
                Some(Ok(_)) => {}
                Some(Err(_)) | None => {
                    self.socket = None;
                    self.failures += 1;
                    tokio::time::sleep(backoff(self.failures)).await;
                }
            }
        }
    }
}

/// 100 ms, doubling, at most 5 s.
fn backoff(failures: u32) -> Duration {
    let ms = 100u64.saturating_mul(1 << failures.min(6));
    Duration::from_millis(ms.min(5_000))
}

/// Follows one order: a `snapshot` first (and again after any reconnect or server-side
/// resync), then its changes in order.
pub struct OrderTracker {
    live: Live,
    last_seq: Option<i64>,
    finished: bool,
}

impl OrderTracker {
    /// Does not connect yet; [`OrderTracker::next`] does.
    pub fn new(client: &BakeryClient, order_id: &str) -> Self {
        Self {
            live: Live::new(client, format!("/api/v1/orders/{order_id}/track/ws")),
            last_seq: None,
            finished: false,
        }
    }

    /// The next message; `Ok(None)` once the order was delivered or canceled.
    pub async fn next(&mut self) -> Result<Option<types::TrackingMessage>, LiveError> {
        loop {
            if self.finished {
                return Ok(None);
            }
            match self.live.next::<types::TrackingMessage>().await? {
                Frame::Message(message) => {
                    let (snapshot, seq) = seq_of(&message);
                    if !snapshot && self.last_seq.is_some_and(|last| seq <= last) {
                        continue;
                    }
                    self.last_seq = Some(seq);
                    return Ok(Some(message));
                }
                Frame::Closed(CLOSE_ORDER_FINISHED) => self.finished = true,
                Frame::Closed(_) => return Err(LiveError::Refused(403)),
            }
        }
    }
}

/// Whether the message is a snapshot, and its `seq`.
fn seq_of(message: &types::TrackingMessage) -> (bool, i64) {
    use types::TrackingMessage::*;
    match message {
        Variant0(s) => (true, s.seq),
        Variant1(e) => (false, e.seq),
        Variant2(e) => (false, e.seq),
        Variant3(e) => (false, e.seq),
        Variant4(e) => (false, e.seq),
        Variant5(e) => (false, e.seq),
    }
}

/// The staff board: a `snapshot` of the open orders first (and after any reconnect), then
/// every placed or changed order.
pub struct BoardWatcher {
    live: Live,
}

impl BoardWatcher {
    pub fn new(client: &BakeryClient) -> Self {
        Self {
            live: Live::new(client, "/api/v1/admin/orders/stream".to_owned()),
        }
    }

    /// The next message. Errors once the board cannot be followed (refused, unreachable).
    pub async fn next(&mut self) -> Result<types::BoardMessage, LiveError> {
        match self.live.next::<types::BoardMessage>().await? {
            Frame::Message(message) => Ok(message),
            Frame::Closed(code) => Err(LiveError::Refused(code)),
        }
    }
}

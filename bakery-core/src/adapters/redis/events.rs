//! Order events across a fleet: Redis pub/sub on one channel (`<prefix>order-events`), so a
//! change made on any instance reaches the sockets held by every instance.
//!
//! Each instance runs one listener (subscribed, with the same reconnect and back-off as the
//! cache's) that puts what it hears on an in-process broadcast; sockets subscribe to that.
//! An instance hears its own events back through Redis too, so every subscriber sees one
//! order in one sequence whoever made the change.
//!
//! Pub/sub keeps nothing for a listener that is away: when the listener reconnects it tells
//! every local subscriber to resync, and they reload the order from the store. A publish
//! that Redis refuses is logged and dropped; the trackers of that order catch up at the next
//! event or resync (the store, not the bus, is the truth).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use tokio::sync::broadcast;

use super::RedisConnection;
use crate::adapters::events::BUS_CAPACITY;
use crate::ports::{EventStream, OrderEvent, OrderEvents, Signal};

const MAX_BACKOFF: Duration = Duration::from_secs(2);

pub struct RedisEvents {
    shared: Arc<Shared>,
}

struct Shared {
    redis: RedisConnection,
    local: broadcast::Sender<Signal>,
    listening: AtomicBool,
}

impl RedisEvents {
    /// Starts the listener; events published before it has subscribed are not heard here.
    pub fn start(redis: RedisConnection) -> Self {
        let (local, _) = broadcast::channel(BUS_CAPACITY);
        let shared = Arc::new(Shared {
            redis,
            local,
            listening: AtomicBool::new(false),
        });
        tokio::spawn(listen(Arc::downgrade(&shared)));
        Self { shared }
    }

    /// Waits until the listener has subscribed, for start-up and tests.
    pub async fn ready(&self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        while tokio::time::Instant::now() < deadline {
            if self.shared.listening.load(Ordering::Acquire) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }
}

fn channel(redis: &RedisConnection) -> String {
    redis.key("order-events")
}

/// Subscribe, forward until the connection drops, then again with back-off; after any
/// reconnection, subscribers resync. Ends when the adapter is dropped.
async fn listen(shared: std::sync::Weak<Shared>) {
    let mut backoff = Duration::from_millis(50);
    let mut outage_logged = false;
    let mut connected_before = false;
    loop {
        let Some(bus) = shared.upgrade() else {
            return;
        };
        match subscribe(&bus).await {
            Ok(mut stream) => {
                bus.listening.store(true, Ordering::Release);
                if connected_before {
                    // Whatever was published while we were away is lost to us.
                    let _ = bus.local.send(Signal::Resync);
                }
                connected_before = true;
                if outage_logged {
                    tracing::info!("Redis is back: tracking events are shared again");
                    outage_logged = false;
                }
                backoff = Duration::from_millis(50);
                drop(bus);
                while let Some(message) = stream.next().await {
                    let Some(bus) = shared.upgrade() else {
                        return;
                    };
                    match serde_json::from_slice::<OrderEvent>(message.get_payload_bytes()) {
                        Ok(event) => {
                            let _ = bus.local.send(Signal::Event(Arc::new(event)));
                        }
                        Err(e) => tracing::warn!(error = %e, "ignored an unreadable order event"),
                    }
                }
            }
            Err(e) => {
                drop(bus);
                if !outage_logged {
                    tracing::warn!(error = %e, "Redis is unreachable: live tracking sees only this instance's changes until it is back");
                    outage_logged = true;
                }
            }
        }
        if let Some(bus) = shared.upgrade() {
            bus.listening.store(false, Ordering::Release);
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

async fn subscribe(bus: &Shared) -> redis::RedisResult<redis::aio::PubSubStream> {
    let mut pubsub = bus.redis.client.get_async_pubsub().await?;
    pubsub.subscribe(channel(&bus.redis)).await?;
    Ok(pubsub.into_on_message())
}

#[async_trait]
impl OrderEvents for RedisEvents {
    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn publish(&self, event: OrderEvent) {
        let payload = match serde_json::to_vec(&event) {
            Ok(payload) => payload,
            Err(e) => {
                tracing::error!(error = %e, "could not encode an order event");
                return;
            }
        };
        let sent = redis::cmd("PUBLISH")
            .arg(channel(&self.shared.redis))
            .arg(payload)
            .query_async::<u64>(&mut self.shared.redis.manager())
            .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, order = %event.order_id, "could not publish an order event; trackers resync later");
            // Our own subscribers at least hear it.
            let _ = self.shared.local.send(Signal::Event(Arc::new(event)));
        }
    }

    fn subscribe(&self) -> EventStream {
        EventStream::new(self.shared.local.subscribe())
    }
}

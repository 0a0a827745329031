//! Order events within one process: a `tokio::sync::broadcast` channel. Right for a single
//! instance; a fleet uses `RedisEvents`, so that a change made on one instance reaches
//! sockets held by another.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::broadcast;

use crate::ports::{EventStream, OrderEvent, OrderEvents, Signal};

/// Events a subscriber may be behind before it is told to resync. A status change is a few
/// hundred bytes; 1,024 of them cover bursts far above what one shop produces.
pub const BUS_CAPACITY: usize = 1024;

pub struct MemoryEvents {
    sender: broadcast::Sender<Signal>,
}

impl MemoryEvents {
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(BUS_CAPACITY);
        Self { sender }
    }
}

impl Default for MemoryEvents {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl OrderEvents for MemoryEvents {
    fn backend(&self) -> &'static str {
        "memory"
    }

    async fn publish(&self, event: OrderEvent) {
        // No subscriber is not an error: nobody is watching.
        let _ = self.sender.send(Signal::Event(Arc::new(event)));
    }

    fn subscribe(&self) -> EventStream {
        EventStream::new(self.sender.subscribe())
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::{Id, OrderStatus};
    use crate::ports::{OrderChange, Received};

    fn event(seq: u64) -> OrderEvent {
        OrderEvent {
            order_id: Id::generate(),
            customer_id: Id::generate(),
            courier_id: None,
            seq,
            at: Utc::now(),
            change: OrderChange::Placed {
                status: OrderStatus::Placed,
            },
        }
    }

    #[tokio::test]
    async fn subscribers_get_what_is_published_after_they_subscribed() {
        let bus = MemoryEvents::new();
        bus.publish(event(1)).await;
        let mut stream = bus.subscribe();
        bus.publish(event(2)).await;
        match stream.next().await {
            Some(Received::Event(e)) => assert_eq!(e.seq, 2),
            other => panic!("expected an event, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_told_to_resync() {
        let bus = MemoryEvents::new();
        let mut stream = bus.subscribe();
        for seq in 0..(BUS_CAPACITY as u64 + 10) {
            bus.publish(event(seq)).await;
        }
        assert_eq!(stream.next().await, Some(Received::Resync));
        // Then it carries on with what is still buffered.
        assert!(matches!(stream.next().await, Some(Received::Event(_))));
    }
}

//! The payment provider's events already handled, so a redelivery is answered at once.
//!
//! Handling an event is idempotent on its own (payments only move forward); this record is
//! what lets a storm of redeliveries skip the provider round trips and the order reads.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;

#[async_trait]
pub trait PaymentEventStore: Send + Sync {
    /// Whether the event was already handled.
    async fn payment_event_seen(&self, event_id: &str) -> StoreResult<bool>;
    /// Remembers a handled event; recording one twice keeps one.
    async fn record_payment_event(&self, event_id: &str, at: DateTime<Utc>) -> StoreResult<()>;
}

//! Handled provider events: one document per event id, dropped by a TTL index after 30 days
//! (so `receivedAt` is a BSON date, unlike the RFC 3339 strings of the other collections).

use async_trait::async_trait;
use bson::doc;
use chrono::{DateTime, Utc};

use super::docs::internal;
use super::{coll, MongoStore};
use crate::ports::{PaymentEventStore, StoreResult};

#[async_trait]
impl PaymentEventStore for MongoStore {
    async fn payment_event_seen(&self, event_id: &str) -> StoreResult<bool> {
        let found = self
            .collection(coll::PAYMENT_EVENTS)
            .count_documents(doc! { "_id": event_id })
            .limit(1)
            .await
            .map_err(internal)?;
        Ok(found > 0)
    }

    async fn record_payment_event(&self, event_id: &str, at: DateTime<Utc>) -> StoreResult<()> {
        self.collection(coll::PAYMENT_EVENTS)
            .update_one(
                doc! { "_id": event_id },
                doc! { "$setOnInsert": { "receivedAt": bson::DateTime::from_chrono(at) } },
            )
            .upsert(true)
            .await
            .map_err(internal)?;
        Ok(())
    }
}

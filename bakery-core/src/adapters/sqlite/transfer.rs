//! Every record out, in id order, for `bakery-server migrate`. The embedded store is a
//! migration's source, not its target: shops move from one file to a chain's MongoDB.

use async_trait::async_trait;
use serde::de::DeserializeOwned;

use super::codec::{decode, internal};
use super::SqliteStore;
use crate::domain::Id;
use crate::error::Error;
use crate::ports::{
    DailyBakeRecord, ExportStore, PaymentEventRecord, Record, RecordKind, StoreResult,
    DELIVERY_AREA_ID, OPENING_HOURS_ID,
};

/// The table each kind is stored in.
fn table(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Users => "users",
        RecordKind::Categories => "categories",
        RecordKind::Products => "products",
        RecordKind::Promotions => "promotions",
        RecordKind::Orders => "orders",
        RecordKind::Reviews => "reviews",
        RecordKind::Notifications => "notifications",
        RecordKind::Otps => "otps",
        RecordKind::RefreshTokens => "refresh_tokens",
        RecordKind::Outbox => "outbox",
        RecordKind::PaymentEvents => "payment_events",
        RecordKind::ShopSettings => "shop_settings",
        RecordKind::DailyBakes => "daily_bakes",
    }
}

fn record<T: DeserializeOwned>(doc: &str, wrap: fn(T) -> Record) -> StoreResult<Record> {
    decode(doc).map(wrap)
}

#[async_trait]
impl ExportStore for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn export(
        &self,
        kind: RecordKind,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Record>> {
        let after = after.unwrap_or("");
        if kind == RecordKind::PaymentEvents {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT id, received_at FROM payment_events WHERE id > ?1 ORDER BY id LIMIT ?2",
            )
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(internal)?;
            return rows
                .into_iter()
                .map(|(id, received_at)| {
                    let received_at = chrono::DateTime::parse_from_rfc3339(&received_at)
                        .map_err(Error::internal)?
                        .with_timezone(&chrono::Utc);
                    Ok(Record::PaymentEvent(PaymentEventRecord { id, received_at }))
                })
                .collect();
        }
        if kind == RecordKind::DailyBakes {
            let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
                "SELECT id, product_id, day, taken FROM daily_bakes
                 WHERE id > ?1 ORDER BY id LIMIT ?2",
            )
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(internal)?;
            return rows
                .into_iter()
                .map(|(id, product, day, taken)| {
                    Ok(Record::DailyBake(DailyBakeRecord {
                        id,
                        product_id: Id::parse("productId", &product)?,
                        day: day.parse().map_err(Error::internal)?,
                        taken: u32::try_from(taken).map_err(Error::internal)?,
                    }))
                })
                .collect();
        }
        let docs: Vec<(String, String)> = sqlx::query_as(&format!(
            "SELECT id, doc FROM {} WHERE id > ?1 ORDER BY id LIMIT ?2",
            table(kind)
        ))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        docs.iter()
            .map(|(id, doc)| match kind {
                RecordKind::Users => record(doc, Record::User),
                RecordKind::Categories => record(doc, Record::Category),
                RecordKind::Products => record(doc, Record::Product),
                RecordKind::Promotions => record(doc, Record::Promotion),
                RecordKind::Orders => record(doc, Record::Order),
                RecordKind::Reviews => record(doc, Record::Review),
                RecordKind::Notifications => record(doc, Record::Notification),
                RecordKind::Otps => record(doc, Record::Otp),
                RecordKind::RefreshTokens => record(doc, Record::RefreshToken),
                RecordKind::Outbox => record(doc, Record::Outbox),
                RecordKind::ShopSettings => match id.as_str() {
                    OPENING_HOURS_ID => record(doc, Record::OpeningHours),
                    DELIVERY_AREA_ID => record(doc, Record::DeliveryArea),
                    other => Err(Error::internal(format!("an unknown shop setting {other}"))),
                },
                RecordKind::PaymentEvents | RecordKind::DailyBakes => Err(Error::internal(
                    "payment events and daily bakes have no doc",
                )),
            })
            .collect()
    }

    async fn count(&self, kind: RecordKind) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", table(kind)))
            .fetch_one(&self.pool)
            .await
            .map_err(internal)?;
        u64::try_from(n).map_err(Error::internal)
    }
}

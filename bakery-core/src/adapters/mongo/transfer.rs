//! Every record in and out, for `bakery-server migrate`: out in `_id` order, in under its own
//! `_id` with the same extra fields the adapter's own writes add (`nameKey`,
//! `effectivePrice`, `expireAt`), so a migrated shop queries like a native one.
//!
//! `promotionRedemptions` is not copied: its documents only make concurrent redemptions
//! conflict and are recreated on the next redemption; the counts live in the orders.

use async_trait::async_trait;
use bson::{doc, oid::ObjectId, Bson, Document};
use futures::TryStreamExt;
use serde::de::DeserializeOwned;

use super::auth_secrets::otp_doc;
use super::catalog::{category_doc, product_doc};
use super::docs::{from_doc, internal, to_doc};
use super::shop::{setting_doc, setting_record};
use super::{coll, MongoStore};
use crate::domain::Id;
use crate::error::Error;
use crate::ports::{
    DailyBakeRecord, ExportStore, ImportStore, PaymentEventRecord, Record, RecordKind, StoreResult,
    TransferProgress, DELIVERY_AREA_ID, OPENING_HOURS_ID,
};

/// The one document of `transferProgress`.
const PROGRESS_ID: &str = "migration";

fn collection_of(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Users => coll::USERS,
        RecordKind::Categories => coll::CATEGORIES,
        RecordKind::Products => coll::PRODUCTS,
        RecordKind::Promotions => coll::PROMOTIONS,
        RecordKind::Orders => coll::ORDERS,
        RecordKind::Reviews => coll::REVIEWS,
        RecordKind::Notifications => coll::NOTIFICATIONS,
        RecordKind::Otps => coll::OTPS,
        RecordKind::RefreshTokens => coll::REFRESH_TOKENS,
        RecordKind::Outbox => coll::OUTBOX,
        RecordKind::PaymentEvents => coll::PAYMENT_EVENTS,
        RecordKind::ShopSettings => coll::SHOP_SETTINGS,
        RecordKind::DailyBakes => coll::DAILY_BAKES,
    }
}

fn record<T: DeserializeOwned>(doc: Document, wrap: fn(T) -> Record) -> StoreResult<Record> {
    from_doc(doc).map(wrap)
}

fn payment_event(doc: &Document) -> StoreResult<Record> {
    let id = doc
        .get_str("_id")
        .map_err(|_| Error::internal("a payment event without a string _id"))?;
    let received_at = doc
        .get_datetime("receivedAt")
        .map_err(|_| Error::internal("a payment event without receivedAt"))?;
    Ok(Record::PaymentEvent(PaymentEventRecord {
        id: id.to_owned(),
        received_at: received_at.to_chrono(),
    }))
}

fn daily_bake(doc: &Document) -> StoreResult<Record> {
    let text = |field: &str| {
        doc.get_str(field)
            .map_err(|_| Error::internal(format!("a daily bake without {field}")))
    };
    let taken = match doc.get("taken") {
        Some(Bson::Int64(n)) => *n,
        Some(Bson::Int32(n)) => i64::from(*n),
        _ => return Err(Error::internal("a daily bake without taken")),
    };
    Ok(Record::DailyBake(DailyBakeRecord {
        id: text("_id")?.to_owned(),
        product_id: Id::parse("productId", text("productId")?)?,
        day: text("day")?.parse().map_err(Error::internal)?,
        taken: u32::try_from(taken).map_err(Error::internal)?,
    }))
}

fn to_record(kind: RecordKind, doc: Document) -> StoreResult<Record> {
    match kind {
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
        RecordKind::PaymentEvents => payment_event(&doc),
        RecordKind::ShopSettings => setting_record(doc),
        RecordKind::DailyBakes => daily_bake(&doc),
    }
}

/// The document the adapter's own write of `record` would store.
fn to_document(record: &Record) -> StoreResult<Document> {
    match record {
        Record::User(r) => to_doc(r),
        Record::Category(r) => category_doc(r),
        Record::Product(r) => product_doc(r),
        Record::Promotion(r) => to_doc(r),
        Record::Order(r) => to_doc(r),
        Record::Review(r) => to_doc(r),
        Record::Notification(r) => to_doc(r),
        Record::Otp(r) => otp_doc(r),
        Record::RefreshToken(r) => to_doc(r),
        Record::Outbox(r) => to_doc(r),
        Record::PaymentEvent(r) => Ok(doc! {
            "_id": r.id.as_str(),
            "receivedAt": bson::DateTime::from_chrono(r.received_at),
        }),
        Record::OpeningHours(r) => setting_doc(OPENING_HOURS_ID, r),
        Record::DeliveryArea(r) => setting_doc(DELIVERY_AREA_ID, r),
        Record::DailyBake(r) => Ok(doc! {
            "_id": r.id.as_str(),
            "productId": r.product_id.as_str(),
            "day": r.day.to_string(),
            "taken": i64::from(r.taken),
        }),
    }
}

/// The `_id` value a paging bound stands for: an ObjectId except for provider event ids, the
/// named settings documents and the daily bakes' keys.
fn id_bound(kind: RecordKind, id: &str) -> StoreResult<Bson> {
    if matches!(
        kind,
        RecordKind::PaymentEvents | RecordKind::ShopSettings | RecordKind::DailyBakes
    ) {
        return Ok(Bson::String(id.to_owned()));
    }
    ObjectId::parse_str(id)
        .map(Bson::ObjectId)
        .map_err(Error::internal)
}

#[async_trait]
impl ExportStore for MongoStore {
    fn backend(&self) -> &'static str {
        "mongodb"
    }

    async fn export(
        &self,
        kind: RecordKind,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Record>> {
        let filter = match after {
            Some(id) => doc! { "_id": { "$gt": id_bound(kind, id)? } },
            None => doc! {},
        };
        let docs: Vec<Document> = self
            .collection(collection_of(kind))
            .find(filter)
            .sort(doc! { "_id": 1 })
            .limit(i64::from(limit))
            .await
            .map_err(internal)?
            .try_collect()
            .await
            .map_err(internal)?;
        docs.into_iter().map(|doc| to_record(kind, doc)).collect()
    }

    async fn count(&self, kind: RecordKind) -> StoreResult<u64> {
        self.collection(collection_of(kind))
            .count_documents(doc! {})
            .await
            .map_err(internal)
    }
}

#[async_trait]
impl ImportStore for MongoStore {
    async fn import(&self, records: &[Record]) -> StoreResult<()> {
        for record in records {
            let doc = to_document(record)?;
            let id = doc
                .get("_id")
                .cloned()
                .ok_or_else(|| Error::internal("a record without an id"))?;
            self.collection(collection_of(record.kind()))
                .replace_one(doc! { "_id": id }, doc)
                .upsert(true)
                .await
                .map_err(internal)?;
        }
        Ok(())
    }

    async fn transfer_progress(&self) -> StoreResult<Option<TransferProgress>> {
        let found = self
            .collection(coll::TRANSFER_PROGRESS)
            .find_one(doc! { "_id": PROGRESS_ID })
            .await
            .map_err(internal)?;
        found
            .map(|mut doc| {
                doc.remove("_id");
                bson::from_document(doc).map_err(Error::internal)
            })
            .transpose()
    }

    async fn save_transfer_progress(&self, progress: &TransferProgress) -> StoreResult<()> {
        let mut doc = bson::to_document(progress).map_err(Error::internal)?;
        doc.insert("_id", PROGRESS_ID);
        self.collection(coll::TRANSFER_PROGRESS)
            .replace_one(doc! { "_id": PROGRESS_ID }, doc)
            .upsert(true)
            .await
            .map_err(internal)?;
        Ok(())
    }
}

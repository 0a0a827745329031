//! The shop's settings: one document per key in `shopSettings`, under a string `_id`
//! (`openingHours`, `deliveryArea`).

use async_trait::async_trait;
use bson::{doc, Document};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::docs::internal;
use super::{coll, MongoStore};
use crate::domain::{DeliveryArea, OpeningHours};
use crate::error::Error;
use crate::ports::{Record, ShopStore, StoreResult, DELIVERY_AREA_ID, OPENING_HOURS_ID};

/// The stored document: the value as serde writes it, under its `_id`.
pub(super) fn setting_doc<T: Serialize>(id: &str, value: &T) -> StoreResult<Document> {
    let mut doc = doc! { "_id": id };
    doc.extend(bson::to_document(value).map_err(Error::internal)?);
    Ok(doc)
}

/// A value back from its document (`_id` is ignored by the structs).
fn setting_of<T: DeserializeOwned>(doc: Document) -> StoreResult<T> {
    bson::from_document(doc).map_err(Error::internal)
}

/// Any settings document as the migration record of its kind, told apart by `_id`.
pub(super) fn setting_record(doc: Document) -> StoreResult<Record> {
    match doc.get_str("_id") {
        Ok(OPENING_HOURS_ID) => setting_of(doc).map(Record::OpeningHours),
        Ok(DELIVERY_AREA_ID) => setting_of(doc).map(Record::DeliveryArea),
        other => Err(Error::internal(format!(
            "an unknown shop setting {other:?}"
        ))),
    }
}

impl MongoStore {
    async fn setting<T: DeserializeOwned>(&self, id: &str) -> StoreResult<Option<T>> {
        self.collection(coll::SHOP_SETTINGS)
            .find_one(doc! { "_id": id })
            .await
            .map_err(internal)?
            .map(setting_of)
            .transpose()
    }

    async fn set_setting<T: Serialize>(&self, id: &str, value: &T) -> StoreResult<()> {
        self.collection(coll::SHOP_SETTINGS)
            .replace_one(doc! { "_id": id }, setting_doc(id, value)?)
            .upsert(true)
            .await
            .map_err(internal)?;
        Ok(())
    }
}

#[async_trait]
impl ShopStore for MongoStore {
    async fn opening_hours(&self) -> StoreResult<Option<OpeningHours>> {
        self.setting(OPENING_HOURS_ID).await
    }

    async fn set_opening_hours(&self, hours: &OpeningHours) -> StoreResult<()> {
        self.set_setting(OPENING_HOURS_ID, hours).await
    }

    async fn delivery_area(&self) -> StoreResult<Option<DeliveryArea>> {
        self.setting(DELIVERY_AREA_ID).await
    }

    async fn set_delivery_area(&self, area: &DeliveryArea) -> StoreResult<()> {
        self.set_setting(DELIVERY_AREA_ID, area).await
    }
}

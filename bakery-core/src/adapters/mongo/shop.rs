//! The shop's settings: one document per key in `shopSettings`, under a string `_id`
//! (`openingHours`).

use async_trait::async_trait;
use bson::{doc, Document};

use super::docs::internal;
use super::{coll, MongoStore};
use crate::domain::OpeningHours;
use crate::error::Error;
use crate::ports::{ShopStore, StoreResult, OPENING_HOURS_ID};

/// The stored document: the hours as serde writes them, under their `_id`.
pub(super) fn opening_hours_doc(hours: &OpeningHours) -> StoreResult<Document> {
    let mut doc = doc! { "_id": OPENING_HOURS_ID };
    doc.extend(bson::to_document(hours).map_err(Error::internal)?);
    Ok(doc)
}

/// The hours back from their document (`_id` is ignored by the struct).
pub(super) fn opening_hours_of(doc: Document) -> StoreResult<OpeningHours> {
    bson::from_document(doc).map_err(Error::internal)
}

#[async_trait]
impl ShopStore for MongoStore {
    async fn opening_hours(&self) -> StoreResult<Option<OpeningHours>> {
        self.collection(coll::SHOP_SETTINGS)
            .find_one(doc! { "_id": OPENING_HOURS_ID })
            .await
            .map_err(internal)?
            .map(opening_hours_of)
            .transpose()
    }

    async fn set_opening_hours(&self, hours: &OpeningHours) -> StoreResult<()> {
        self.collection(coll::SHOP_SETTINGS)
            .replace_one(doc! { "_id": OPENING_HOURS_ID }, opening_hours_doc(hours)?)
            .upsert(true)
            .await
            .map_err(internal)?;
        Ok(())
    }
}

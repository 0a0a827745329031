//! Pending uploads, and the `photos` of the four kinds of owner as one compare-and-set.

use async_trait::async_trait;
use bson::{doc, Bson, Document};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;

use super::docs::{from_doc, internal, oid, to_doc, to_value, ts};
use super::{coll, MongoStore};
use crate::domain::{Id, Image, ImageOwner, PendingUpload};
use crate::error::Error;
use crate::ports::{StoreResult, UploadStore};

fn owner_collection(owner: &ImageOwner) -> &'static str {
    match owner {
        ImageOwner::Product(_) => coll::PRODUCTS,
        ImageOwner::Category(_) => coll::CATEGORIES,
        ImageOwner::Promotion(_) => coll::PROMOTIONS,
        ImageOwner::Review(_) => coll::REVIEWS,
    }
}

#[async_trait]
impl UploadStore for MongoStore {
    async fn insert_upload(&self, upload: &PendingUpload) -> StoreResult<()> {
        let mut doc = to_doc(upload)?;
        let purge_at = upload.expires_at + chrono::Duration::days(1);
        doc.insert("purgeAt", bson::DateTime::from_chrono(purge_at));
        self.collection(coll::UPLOADS)
            .insert_one(doc)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn get_upload(&self, id: &Id) -> StoreResult<Option<PendingUpload>> {
        self.get(coll::UPLOADS, id).await
    }

    async fn delete_upload(&self, id: &Id) -> StoreResult<bool> {
        let deleted = self
            .collection(coll::UPLOADS)
            .delete_one(doc! { "_id": oid(id)? })
            .await
            .map_err(internal)?;
        Ok(deleted.deleted_count == 1)
    }

    async fn swept_uploads(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<PendingUpload>> {
        let docs: Vec<Document> = self
            .collection(coll::UPLOADS)
            .find(doc! { "expiresAt": { "$lt": ts(&PendingUpload::sweep_cutoff(now)) } })
            .sort(doc! { "expiresAt": 1, "_id": 1 })
            .limit(i64::from(limit))
            .await
            .map_err(internal)?
            .try_collect()
            .await
            .map_err(internal)?;
        docs.into_iter().map(from_doc).collect()
    }

    async fn get_photos(&self, owner: &ImageOwner) -> StoreResult<Option<Vec<Image>>> {
        let found = self
            .collection(owner_collection(owner))
            .find_one(doc! { "_id": oid(owner.id())? })
            .projection(doc! { "photos": 1 })
            .await
            .map_err(internal)?;
        let Some(found) = found else {
            return Ok(None);
        };
        match found.get("photos") {
            None | Some(Bson::Null) => Ok(Some(Vec::new())),
            Some(photos) => bson::from_bson(photos.clone())
                .map(Some)
                .map_err(Error::internal),
        }
    }

    async fn swap_photos(
        &self,
        owner: &ImageOwner,
        old: &[Image],
        new: &[Image],
    ) -> StoreResult<bool> {
        // Documents written before pictures existed have no `photos`: they read as none.
        let current = if old.is_empty() {
            doc! { "$or": [
                { "photos": { "$exists": false } },
                { "photos": Bson::Null },
                { "photos": { "$size": 0 } },
            ] }
        } else {
            doc! { "photos": to_value(&old)? }
        };
        let mut filter = doc! { "_id": oid(owner.id())? };
        filter.extend(current);
        let updated = self
            .collection(owner_collection(owner))
            .update_one(filter, doc! { "$set": { "photos": to_value(&new)? } })
            .await
            .map_err(internal)?;
        Ok(updated.matched_count == 1)
    }
}

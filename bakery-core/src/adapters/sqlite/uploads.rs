//! Pending uploads, and the `photos` of the four kinds of owner as one compare-and-set.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::{decode_all, decode_opt, encode, int, internal, ts};
use super::SqliteStore;
use crate::domain::{Id, Image, ImageOwner, PendingUpload};
use crate::error::Error;
use crate::ports::{StoreResult, UploadStore};

/// The table each kind of owner lives in.
pub(super) fn owner_table(owner: &ImageOwner) -> &'static str {
    match owner {
        ImageOwner::Product(_) => "products",
        ImageOwner::Category(_) => "categories",
        ImageOwner::Promotion(_) => "promotions",
        ImageOwner::Review(_) => "reviews",
    }
}

fn photos_json(photos: &[Image]) -> StoreResult<String> {
    serde_json::to_string(photos).map_err(Error::internal)
}

#[async_trait]
impl UploadStore for SqliteStore {
    async fn insert_upload(&self, upload: &PendingUpload) -> StoreResult<()> {
        self.insert("uploads", &upload.id, encode(upload)?)
            .await
            .map_err(internal)
    }

    async fn get_upload(&self, id: &Id) -> StoreResult<Option<PendingUpload>> {
        self.get("uploads", id).await
    }

    async fn delete_upload(&self, id: &Id) -> StoreResult<bool> {
        self.delete("uploads", id).await
    }

    async fn swept_uploads(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<PendingUpload>> {
        let docs: Vec<String> = sqlx::query_scalar(
            "SELECT doc FROM uploads WHERE expires_at < ?1 ORDER BY expires_at, id LIMIT ?2",
        )
        .bind(ts(&PendingUpload::sweep_cutoff(now)))
        .bind(int(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        decode_all(docs)
    }

    async fn get_photos(&self, owner: &ImageOwner) -> StoreResult<Option<Vec<Image>>> {
        let photos: Option<Option<String>> = sqlx::query_scalar(&format!(
            "SELECT json_extract(doc, '$.photos') FROM {} WHERE id = ?1",
            owner_table(owner)
        ))
        .bind(owner.id().as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        match photos {
            None => Ok(None),
            Some(None) => Ok(Some(Vec::new())),
            Some(json) => Ok(Some(decode_opt(json)?.unwrap_or_default())),
        }
    }

    async fn swap_photos(
        &self,
        owner: &ImageOwner,
        old: &[Image],
        new: &[Image],
    ) -> StoreResult<bool> {
        // Documents written before pictures existed have no `photos`: they read as none.
        let updated = sqlx::query(&format!(
            "UPDATE {} SET doc = json_set(doc, '$.photos', json(?1))
             WHERE id = ?2 AND coalesce(json_extract(doc, '$.photos'), '[]') = json(?3)",
            owner_table(owner)
        ))
        .bind(photos_json(new)?)
        .bind(owner.id().as_str())
        .bind(photos_json(old)?)
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(updated.rows_affected() == 1)
    }
}

//! Upload slots handed out and not yet attached, and the pictures on their owners.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::{Id, Image, ImageOwner, PendingUpload};

#[async_trait]
pub trait UploadStore: Send + Sync {
    async fn insert_upload(&self, upload: &PendingUpload) -> StoreResult<()>;
    async fn get_upload(&self, id: &Id) -> StoreResult<Option<PendingUpload>>;
    /// `false` when it was already gone.
    async fn delete_upload(&self, id: &Id) -> StoreResult<bool>;
    /// Up to `limit` slots whose sweep time ([`PendingUpload::swept_after`]) is before `now`.
    async fn swept_uploads(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<PendingUpload>>;

    /// The owner's pictures; `None` when the owner does not exist.
    async fn get_photos(&self, owner: &ImageOwner) -> StoreResult<Option<Vec<Image>>>;
    /// Replaces the owner's pictures with `new` if they are still `old` (compare and set, so
    /// two attaches at once cannot both pass the limit); `false` when they changed or the
    /// owner is gone.
    async fn swap_photos(
        &self,
        owner: &ImageOwner,
        old: &[Image],
        new: &[Image],
    ) -> StoreResult<bool>;
}

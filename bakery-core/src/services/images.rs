//! Pictures: upload slots, attaching (judging the bytes and making the variants), removing,
//! and the sweep of slots nobody attached.
//!
//! The variants are made while attaching, on the blocking pool and at most
//! [`IMAGE_JOBS`] at a time, rather than by a later background job: the bytes must be
//! decoded completely to judge them before the picture is attached anyway, and resizing an
//! already decoded picture costs a fraction of that. The answer then carries ready URLs (no
//! `processing` state for apps to poll), and the original, whose metadata may include where
//! the photo was taken, is deleted at once instead of waiting for a worker.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;

use super::{Actor, Bakery};
use crate::domain::{
    check_size, upload_key, variant_key, Effect, Id, Image, ImageFormat, ImageOwner, ImageVariant,
    OutboxMessage, PendingUpload, MAX_IMAGE_BYTES,
};
use crate::error::{ConflictCode, Error, Result, UploadCode};
use crate::ports::{Fetched, UploadSlot};
use crate::rules::picture;

/// Pictures decoded and resized at once on this process; more wait their turn.
pub const IMAGE_JOBS: usize = 2;

/// How long an upload URL works.
pub const UPLOAD_TTL: chrono::Duration = chrono::Duration::minutes(15);

/// How often the sweep looks for expired slots.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// A slot handed to the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadTicket {
    pub upload_id: Id,
    pub slot: UploadSlot,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl Bakery {
    /// Who may change the owner's pictures: staff for the catalog and promotions, the author
    /// for a review. Anyone else is told the owner does not exist, as for reading it.
    async fn may_picture(&self, actor: &Actor, owner: &ImageOwner) -> Result<()> {
        let not_found = Error::NotFound {
            resource: owner.resource(),
        };
        match owner {
            ImageOwner::Review(id) => {
                let review = self.store.reviews.get_review(id).await?.ok_or(not_found)?;
                if review.user_id == actor.user_id {
                    Ok(())
                } else {
                    Err(Error::NotFound { resource: "review" })
                }
            }
            _ => {
                actor.require_staff()?;
                match self.store.uploads.get_photos(owner).await? {
                    Some(_) => Ok(()),
                    None => Err(not_found),
                }
            }
        }
    }

    /// A slot to send one picture of `size` bytes of `content_type` straight to storage.
    #[tracing::instrument(skip(self))]
    pub async fn request_image_upload(
        &self,
        actor: &Actor,
        owner: ImageOwner,
        content_type: &str,
        size: u64,
    ) -> Result<UploadTicket> {
        let format = ImageFormat::from_content_type(content_type)?;
        let size = check_size(size)?;
        self.may_picture(actor, &owner).await?;
        let photos = self.photos(&owner).await?;
        if !owner.replaces() && photos.len() >= owner.limit() {
            return Err(limit_reached(&owner));
        }
        let now = self.now();
        let upload = PendingUpload {
            id: Id::generate(),
            owner,
            user_id: actor.user_id.clone(),
            format,
            size,
            expires_at: now + UPLOAD_TTL,
            created_at: now,
        };
        let slot = self
            .images
            .upload_slot(
                &upload_key(&upload.id),
                format.content_type(),
                size,
                upload.expires_at,
                now,
            )
            .await?;
        self.store.uploads.insert_upload(&upload).await?;
        Ok(UploadTicket {
            upload_id: upload.id,
            slot,
            expires_at: upload.expires_at,
        })
    }

    /// The slot of a local upload, for the server's own upload endpoint: `None` when it is
    /// unknown or past its URL's expiry.
    pub async fn pending_upload(&self, id: &Id) -> Result<Option<PendingUpload>> {
        Ok(self
            .store
            .uploads
            .get_upload(id)
            .await?
            .filter(|upload| upload.expires_at > self.now()))
    }

    /// Judges the bytes sent for `upload_id`, makes the variants and adds the picture to
    /// `owner`; returns the owner's pictures. Refused bytes are deleted. Attaching the same
    /// upload again answers as the first time.
    #[tracing::instrument(skip(self))]
    pub async fn attach_image(
        &self,
        actor: &Actor,
        owner: ImageOwner,
        upload_id: &Id,
    ) -> Result<Vec<Image>> {
        self.may_picture(actor, &owner).await?;
        let photos = self.photos(&owner).await?;
        if photos.iter().any(|p| &p.id == upload_id) {
            return Ok(photos);
        }
        let no_slot = || {
            Error::validation(
                "uploadId",
                "no such upload for this owner; ask for an upload slot first",
            )
        };
        let upload = self
            .store
            .uploads
            .get_upload(upload_id)
            .await?
            .ok_or_else(no_slot)?;
        if upload.owner != owner || upload.user_id != actor.user_id {
            return Err(no_slot());
        }
        if upload.swept_after() <= self.now() {
            return Err(Error::upload(
                UploadCode::UploadExpired,
                "uploadId",
                "the upload slot has expired; ask for a new one",
            ));
        }
        let bytes = match self
            .images
            .get(&upload_key(&upload.id), MAX_IMAGE_BYTES)
            .await?
        {
            Fetched::Bytes(bytes) => bytes,
            Fetched::Missing => {
                return Err(Error::upload(
                    UploadCode::UploadMissing,
                    "uploadId",
                    "nothing was uploaded for this slot yet",
                ))
            }
            Fetched::TooLarge => {
                self.discard_upload(&upload).await;
                return Err(Error::upload(
                    UploadCode::ImageTooLarge,
                    "uploadId",
                    "pictures are at most 5 MiB",
                ));
            }
        };
        let image = match self.make_image(&upload, bytes).await {
            Ok(image) => image,
            Err(e @ Error::Upload { .. }) => {
                self.discard_upload(&upload).await;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        let (photos, replaced) = match self.add_photo(&owner, image).await {
            Ok(done) => done,
            Err(e) => {
                // Not attached: the variants go with the slot.
                self.discard_upload(&upload).await;
                return Err(e);
            }
        };
        // The picture is attached: only the original and the slot are left to drop (the
        // sweep does it if this fails).
        if let Err(e) = self.images.delete(&[upload_key(&upload.id)]).await {
            tracing::warn!(error = ?e, upload = %upload.id, "could not delete an attached original; the sweep will");
        } else if let Err(e) = self.store.uploads.delete_upload(&upload.id).await {
            tracing::warn!(error = ?e, upload = %upload.id, "could not drop an attached slot; the sweep will");
        }
        if !replaced.is_empty() {
            self.clean_up_pictures(owner, replaced).await?;
        }
        Ok(photos)
    }

    /// Removes one picture of `owner` (`None`: its only one, for a category or promotion);
    /// its objects are deleted by the outbox.
    #[tracing::instrument(skip(self))]
    pub async fn remove_image(
        &self,
        actor: &Actor,
        owner: ImageOwner,
        image_id: Option<&Id>,
    ) -> Result<Vec<Image>> {
        self.may_picture(actor, &owner).await?;
        for _ in 0..8 {
            let photos = self.photos(&owner).await?;
            let Some(image_id) = image_id
                .or_else(|| photos.first().map(|p| &p.id))
                .filter(|id| photos.iter().any(|p| &p.id == *id))
                .cloned()
            else {
                return Err(Error::NotFound { resource: "image" });
            };
            let kept: Vec<Image> = photos
                .iter()
                .filter(|p| p.id != image_id)
                .cloned()
                .collect();
            let cleanup = self.picture_cleanup(owner.clone(), vec![image_id.clone()]);
            self.store.outbox.enqueue(&[cleanup]).await?;
            if self
                .store
                .uploads
                .swap_photos(&owner, &photos, &kept)
                .await?
            {
                self.outbox_wakeup.notify_one();
                return Ok(kept);
            }
        }
        Err(concurrent())
    }

    /// Queues the deletion of every picture of `owner`, before the owner itself is deleted
    /// (by the caller, next): the outbox deletes them once the owner is gone, and does
    /// nothing if the owner's deletion did not happen.
    pub(crate) async fn before_deleting_owner(&self, owner: &ImageOwner) -> Result<()> {
        let photos = self.photos(owner).await.unwrap_or_default();
        if photos.is_empty() {
            return Ok(());
        }
        let ids = photos.into_iter().map(|p| p.id).collect();
        self.store
            .outbox
            .enqueue(&[self.picture_cleanup(owner.clone(), ids)])
            .await
    }

    /// Deletes the slots nobody attached in time, with whatever was uploaded or made for
    /// them; returns how many. A picture that did get attached keeps its variants.
    pub async fn sweep_uploads(&self) -> Result<usize> {
        let expired = self.store.uploads.swept_uploads(self.now(), 100).await?;
        for upload in &expired {
            let attached = self
                .photos(&upload.owner)
                .await
                .map(|photos| photos.iter().any(|p| p.id == upload.id))
                .unwrap_or(false);
            let keys = if attached {
                vec![upload_key(&upload.id)]
            } else {
                Image::object_keys(&upload.id)
            };
            self.images.delete(&keys).await?;
            self.store.uploads.delete_upload(&upload.id).await?;
        }
        Ok(expired.len())
    }

    /// Runs [`Bakery::sweep_uploads`] every minute until `shutdown` completes.
    pub async fn run_upload_sweeper(&self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            if let Err(e) = self.sweep_uploads().await {
                tracing::warn!(error = ?e, "could not sweep expired uploads");
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(SWEEP_EVERY) => {}
            }
        }
    }

    /// Deletes the objects of pictures no longer on `owner` (outbox effect). Pictures the
    /// owner still shows are kept: the change that removed them has not committed yet (it
    /// is retried a while) or never did.
    pub(crate) async fn delete_pictures(
        &self,
        owner: &ImageOwner,
        image_ids: &[Id],
        queued_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<String>> {
        let shown = self
            .store
            .uploads
            .get_photos(owner)
            .await?
            .unwrap_or_default();
        let (kept, gone): (Vec<&Id>, Vec<&Id>) = image_ids
            .iter()
            .partition(|id| shown.iter().any(|p| &p.id == *id));
        let keys: Vec<String> = gone.iter().flat_map(|id| Image::object_keys(id)).collect();
        if !keys.is_empty() {
            self.images.delete(&keys).await?;
        }
        if !kept.is_empty() && self.now() - queued_at < chrono::Duration::minutes(10) {
            return Ok(Some(format!(
                "{} picture(s) still shown by their owner",
                kept.len()
            )));
        }
        Ok(None)
    }

    fn picture_cleanup(&self, owner: ImageOwner, image_ids: Vec<Id>) -> OutboxMessage {
        let mut message =
            OutboxMessage::new(Effect::DeletePictures { owner, image_ids }, self.now());
        // A moment for the change that removes them to commit first.
        message.next_attempt_at = self.now() + chrono::Duration::seconds(1);
        message
    }

    async fn clean_up_pictures(&self, owner: ImageOwner, ids: Vec<Id>) -> Result<()> {
        self.store
            .outbox
            .enqueue(&[self.picture_cleanup(owner, ids)])
            .await?;
        self.outbox_wakeup.notify_one();
        Ok(())
    }

    async fn photos(&self, owner: &ImageOwner) -> Result<Vec<Image>> {
        self.store
            .uploads
            .get_photos(owner)
            .await?
            .ok_or(Error::NotFound {
                resource: owner.resource(),
            })
    }

    /// Decodes, checks and resizes off the async workers, then stores the variants.
    async fn make_image(&self, upload: &PendingUpload, bytes: Bytes) -> Result<Image> {
        let _turn = self.image_jobs.acquire().await.map_err(Error::internal)?;
        let format = upload.format;
        let variants = tokio::task::spawn_blocking(move || picture::make_variants(&bytes, format))
            .await
            .map_err(Error::internal)??;
        let mut made = Vec::with_capacity(variants.len());
        for variant in variants {
            let key = variant_key(&upload.id, variant.side);
            self.images
                .put(&key, "image/webp", Bytes::from(variant.webp))
                .await?;
            made.push(ImageVariant {
                url: self.images.public_url(&key),
                width: variant.width,
                height: variant.height,
            });
        }
        Ok(Image {
            id: upload.id.clone(),
            variants: made,
        })
    }

    /// Adds `image` within the owner's limit (replacing the one picture of a category or
    /// promotion); returns the pictures now shown and the ones replaced.
    async fn add_photo(&self, owner: &ImageOwner, image: Image) -> Result<(Vec<Image>, Vec<Id>)> {
        // A lost swap means another attach won, so every round makes progress: with `n`
        // attaches at once the last one needs `n` rounds, not a fixed few (11 staff uploads
        // racing onto one product lost 3 to CONCURRENT_UPDATE with 8 rounds).
        for _ in 0..ATTACH_ROUNDS {
            let photos = self.photos(owner).await?;
            if photos.iter().any(|p| p.id == image.id) {
                return Ok((photos, Vec::new()));
            }
            let (mut new, replaced) = if owner.replaces() {
                (Vec::new(), photos.iter().map(|p| p.id.clone()).collect())
            } else if photos.len() >= owner.limit() {
                return Err(limit_reached(owner));
            } else {
                (photos.clone(), Vec::new())
            };
            new.push(image.clone());
            if self.store.uploads.swap_photos(owner, &photos, &new).await? {
                return Ok((new, replaced));
            }
        }
        Err(concurrent())
    }

    /// Deletes a refused or unattachable upload's objects and its slot. Failures are left
    /// to the sweep, which finds the slot once expired.
    async fn discard_upload(&self, upload: &PendingUpload) {
        match self.images.delete(&Image::object_keys(&upload.id)).await {
            Ok(()) => {
                if let Err(e) = self.store.uploads.delete_upload(&upload.id).await {
                    tracing::warn!(error = ?e, upload = %upload.id, "could not drop a refused slot; the sweep will");
                }
            }
            Err(e) => {
                tracing::warn!(error = ?e, upload = %upload.id, "could not delete a refused upload; the sweep will")
            }
        }
    }
}

/// How many times an attach re-reads the owner's pictures after losing a race.
const ATTACH_ROUNDS: usize = 64;

fn limit_reached(owner: &ImageOwner) -> Error {
    Error::conflict(
        ConflictCode::ImageLimitReached,
        format!(
            "a {} has at most {} pictures; remove one first",
            owner.resource(),
            owner.limit()
        ),
    )
}

fn concurrent() -> Error {
    Error::conflict(
        ConflictCode::ConcurrentUpdate,
        "the pictures changed too often at once; try again",
    )
}

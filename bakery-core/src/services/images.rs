//! Pictures: upload slots, attaching, making the variants, removing, and the sweep of slots
//! nobody attached.
//!
//! Attaching only judges the bytes (a full decode, so a file that is not a picture is refused
//! in the answer, while the client can still say which file it was) and attaches the picture
//! as `processing`. Resizing and encoding the WebP variants, the slow part, is an outbox job
//! ([`Effect::MakeVariants`]): the answer does not wait for it, a storage hiccup while writing
//! variants is retried by the worker instead of failing the staff's upload, and a burst of
//! uploads is worked through [`IMAGE_JOBS`] at a time instead of holding requests open.
//!
//! The job is queued before the attach commits, as a removal queues its cleanup: an attach
//! that never commits leaves a job that finds no picture and deletes the bytes, never bytes
//! nobody owns. Until the variants exist the original (which may say where the photo was
//! taken) is the job's input: the sweep leaves it alone, and removing the picture deletes it
//! with the rest ([`Image::object_keys`]).

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;

use super::{Actor, Bakery};
use crate::domain::{
    check_size, upload_key, variant_key, Effect, Id, Image, ImageFormat, ImageOwner, ImageStatus,
    ImageVariant, OutboxMessage, PendingUpload, MAX_IMAGE_BYTES,
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

    /// Judges the bytes sent for `upload_id` and adds the picture to `owner`, processing
    /// until the outbox has made its variants; returns the owner's pictures. Refused bytes
    /// are deleted. Attaching the same upload again answers as the first time.
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
        // A well-formed id of no slot of this caller for this owner: the upload is what is
        // missing (and someone else's slot is not told apart from none).
        let no_slot = || Error::NotFound { resource: "upload" };
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
        match self.judge(&upload, bytes).await {
            Ok(size) => {
                tracing::debug!(upload = %upload.id, width = size.width, height = size.height, "picture accepted");
            }
            Err(e @ Error::Upload { .. }) => {
                self.discard_upload(&upload).await;
                return Err(e);
            }
            Err(e) => return Err(e),
        }
        let job = OutboxMessage::new(
            Effect::MakeVariants {
                owner: owner.clone(),
                image_id: upload.id.clone(),
            },
            self.now(),
        );
        self.store.outbox.enqueue(&[job]).await?;
        let (photos, replaced) = match self
            .add_photo(&owner, Image::processing(upload.id.clone()))
            .await
        {
            Ok(done) => done,
            Err(e) => {
                // Not attached: the job queued above finds no picture and stops.
                self.discard_upload(&upload).await;
                return Err(e);
            }
        };
        self.outbox_wakeup.notify_one();
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
    /// them; returns how many. A picture that did get attached keeps its variants, and one
    /// still processing its original too (the job needs it; it or the picture's removal
    /// deletes it).
    pub async fn sweep_uploads(&self) -> Result<usize> {
        let expired = self.store.uploads.swept_uploads(self.now(), 100).await?;
        for upload in &expired {
            let status = self
                .photos(&upload.owner)
                .await
                .ok()
                .and_then(|photos| photos.into_iter().find(|p| p.id == upload.id))
                .map(|p| p.status);
            let keys = match status {
                Some(ImageStatus::Processing) => Vec::new(),
                Some(ImageStatus::Ready) => vec![upload_key(&upload.id)],
                None => Image::object_keys(&upload.id),
            };
            if !keys.is_empty() {
                self.images.delete(&keys).await?;
            }
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

    /// Decodes the whole picture off the async workers, at most [`IMAGE_JOBS`] at a time.
    async fn judge(&self, upload: &PendingUpload, bytes: Bytes) -> Result<picture::Dimensions> {
        let _turn = self.image_jobs.acquire().await.map_err(Error::internal)?;
        let format = upload.format;
        tokio::task::spawn_blocking(move || picture::judge(&bytes, format))
            .await
            .map_err(Error::internal)?
    }

    /// Makes the variants of a picture attached while processing, and marks it ready (outbox
    /// effect). Delivered at least once: every step may have happened already, and a
    /// picture its owner no longer shows has its objects deleted instead. `Some` says why it
    /// waits.
    pub(crate) async fn make_picture_ready(
        &self,
        owner: &ImageOwner,
        image_id: &Id,
        queued_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<String>> {
        let shown = self.store.uploads.get_photos(owner).await?;
        let status = shown
            .as_ref()
            .and_then(|photos| photos.iter().find(|p| &p.id == image_id))
            .map(|p| p.status);
        match status {
            Some(ImageStatus::Processing) => {}
            Some(ImageStatus::Ready) => {
                self.drop_original(image_id).await?;
                return Ok(None);
            }
            None => {
                // The attach that queued this may not have committed yet; while its slot is
                // there and it is recent, look again later.
                let attaching = shown.is_some()
                    && self.now() - queued_at < ATTACH_WAIT
                    && self.store.uploads.get_upload(image_id).await?.is_some();
                if attaching {
                    return Ok(Some("the picture is not attached yet".into()));
                }
                self.forget_picture(image_id).await?;
                return Ok(None);
            }
        }
        let bytes = match self
            .images
            .get(&upload_key(image_id), MAX_IMAGE_BYTES)
            .await?
        {
            Fetched::Bytes(bytes) => bytes,
            Fetched::Missing | Fetched::TooLarge => {
                tracing::warn!(image = %image_id, "the original of a processing picture is gone; the picture is removed");
                return self.give_up_picture(owner, image_id).await.map(|()| None);
            }
        };
        let variants = match self.resize(bytes).await {
            Ok(variants) => variants,
            Err(e @ Error::Upload { .. }) => {
                tracing::warn!(image = %image_id, error = ?e, "the original of a processing picture cannot be read; the picture is removed");
                return self.give_up_picture(owner, image_id).await.map(|()| None);
            }
            Err(e) => return Err(e),
        };
        let mut made = Vec::with_capacity(variants.len());
        for variant in variants {
            let key = variant_key(image_id, variant.side);
            self.images
                .put(&key, "image/webp", Bytes::from(variant.webp))
                .await?;
            made.push(ImageVariant {
                url: self.images.public_url(&key),
                width: variant.width,
                height: variant.height,
            });
        }
        let ready = Image {
            id: image_id.clone(),
            status: ImageStatus::Ready,
            variants: made,
        };
        if !self.mark_ready(owner, ready).await? {
            // Removed meanwhile: the variants just written would outlive it.
            self.forget_picture(image_id).await?;
            return Ok(None);
        }
        self.drop_original(image_id).await?;
        Ok(None)
    }

    /// Resizes and encodes off the async workers, at most [`IMAGE_JOBS`] at a time.
    async fn resize(&self, bytes: Bytes) -> Result<Vec<picture::Variant>> {
        let _turn = self.image_jobs.acquire().await.map_err(Error::internal)?;
        tokio::task::spawn_blocking(move || picture::make_variants(&bytes))
            .await
            .map_err(Error::internal)?
    }

    /// Replaces the processing entry with `ready`; `false` when the owner no longer shows
    /// the picture.
    async fn mark_ready(&self, owner: &ImageOwner, ready: Image) -> Result<bool> {
        for _ in 0..ATTACH_ROUNDS {
            let Some(photos) = self.store.uploads.get_photos(owner).await? else {
                return Ok(false);
            };
            let Some(at) = photos.iter().position(|p| p.id == ready.id) else {
                return Ok(false);
            };
            if photos[at].status.is_ready() {
                return Ok(true);
            }
            let mut new = photos.clone();
            new[at] = ready.clone();
            if self.store.uploads.swap_photos(owner, &photos, &new).await? {
                return Ok(true);
            }
        }
        Err(concurrent())
    }

    /// Takes a picture whose variants cannot be made off its owner, and deletes its objects.
    async fn give_up_picture(&self, owner: &ImageOwner, image_id: &Id) -> Result<()> {
        for _ in 0..ATTACH_ROUNDS {
            let photos = self
                .store
                .uploads
                .get_photos(owner)
                .await?
                .unwrap_or_default();
            if !photos.iter().any(|p| &p.id == image_id) {
                return self.forget_picture(image_id).await;
            }
            let kept: Vec<Image> = photos
                .iter()
                .filter(|p| &p.id != image_id)
                .cloned()
                .collect();
            if self
                .store
                .uploads
                .swap_photos(owner, &photos, &kept)
                .await?
            {
                return self.forget_picture(image_id).await;
            }
        }
        Err(concurrent())
    }

    /// Deletes every object of a picture no owner shows, and its slot.
    async fn forget_picture(&self, image_id: &Id) -> Result<()> {
        self.images.delete(&Image::object_keys(image_id)).await?;
        self.store.uploads.delete_upload(image_id).await?;
        Ok(())
    }

    /// Deletes the original of a ready picture, and its slot.
    async fn drop_original(&self, image_id: &Id) -> Result<()> {
        self.images.delete(&[upload_key(image_id)]).await?;
        self.store.uploads.delete_upload(image_id).await?;
        Ok(())
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

/// How long the variants job waits for the attach that queued it to commit. An attach
/// commits within moments; past this, or once its slot is gone, it never will.
const ATTACH_WAIT: chrono::Duration = chrono::Duration::minutes(2);

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

//! Uploading a picture in one call: ask for a slot, send the bytes straight to storage (S3
//! or the server's own `/media`), attach, and wait for its sizes. The one other hand-written
//! network piece beside the token wrapper, because the bytes must not go through the
//! generated JSON client.
//!
//! The server answers an attach before the picture's variants exist (`processing`): they
//! are made in the background, usually within seconds. [`BakeryClient::upload_image`] waits
//! for them, so its caller gets URLs to print or store; an app that shows a placeholder
//! instead runs the steps itself ([`BakeryClient::image_slot`],
//! [`BakeryClient::send_bytes`], [`BakeryClient::attach_image`]), which do not wait.

use std::num::{NonZeroU32, NonZeroU64};
use std::sync::Arc;
use std::time::Duration;

use futures::stream;

use crate::session::{ApiError, BakeryClient};
use crate::types;

/// How long [`BakeryClient::upload_image`] waits for a picture's variants.
pub const READY_WAIT: Duration = Duration::from_secs(30);

/// The first pause between two looks at a processing picture; each next one is twice as
/// long, up to [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(100);
const MAX_PAUSE: Duration = Duration::from_secs(2);

/// Whose picture it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageTarget {
    /// Staff: up to 10 pictures.
    Product(String),
    /// Staff: one picture, replaced by the next.
    Category(String),
    /// Staff: one banner, replaced by the next.
    Promotion(String),
    /// The review's author: up to 3 pictures.
    Review(String),
}

/// Called as bytes leave: (sent, total).
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// Why an upload failed.
#[derive(Debug)]
pub enum UploadError {
    /// The API refused (slot or attach): its error body says why (`UNSUPPORTED_IMAGE`,
    /// `IMAGE_TOO_LARGE`, `IMAGE_LIMIT_REACHED`...).
    Api(ApiError),
    /// The storage refused the bytes (expired or altered URL); `body` is its answer.
    Storage { status: u16, body: String },
    /// The bytes could not be sent.
    Transport(reqwest::Error),
    /// Not a JPEG, PNG or WebP picture, by its first bytes; nothing was sent.
    NotAPicture,
    /// Attached, then gone before its variants were made: the server could not read it
    /// after all, or it was removed or replaced meanwhile.
    Dropped { image_id: String },
}

impl std::fmt::Display for UploadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Api(e) => write!(f, "{e}"),
            Self::Storage { status, body } => {
                write!(f, "the storage refused the upload ({status}): {body}")
            }
            Self::Transport(e) => write!(f, "sending the picture failed: {e}"),
            Self::NotAPicture => f.write_str("not a JPEG, PNG or WebP picture"),
            Self::Dropped { image_id } => write!(
                f,
                "picture {image_id} was attached, then removed before its sizes were made"
            ),
        }
    }
}

impl std::error::Error for UploadError {}

impl From<ApiError> for UploadError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

/// The content type of `bytes` by their magic numbers (the server judges them the same way).
pub fn sniff_content_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

fn invalid(e: impl std::fmt::Display) -> ApiError {
    ApiError::InvalidRequest(e.to_string())
}

/// Sends `body` to the operation of `target`'s kind (one per kind, taking the target's id
/// and the same body), through the token-refreshing [`BakeryClient::call`]; `?` on failure.
macro_rules! per_target {
    ($client:expr, $target:expr, $body:expr, $product:ident, $category:ident, $promotion:ident, $review:ident) => {
        match $target {
            ImageTarget::Product(id) => per_target!(@send $client, id, $body, $product),
            ImageTarget::Category(id) => per_target!(@send $client, id, $body, $category),
            ImageTarget::Promotion(id) => per_target!(@send $client, id, $body, $promotion),
            ImageTarget::Review(id) => per_target!(@send $client, id, $body, $review),
        }
    };
    (@send $client:expr, $id:expr, $body:expr, $operation:ident) => {
        $client
            .call(|api| {
                let body = $body.clone();
                let id = $id.clone();
                async move { api.$operation().id(id).body(body).send().await }
            })
            .await?
    };
}

impl BakeryClient {
    /// Uploads `bytes` as a picture of `target` and returns it once its variants are made
    /// (`ready`, with their URLs and sizes). The content type comes from the bytes
    /// themselves; `progress` hears about every chunk.
    ///
    /// It waits at most [`READY_WAIT`], then returns the picture still `processing` (it
    /// becomes ready later). It returns it as attached at once when the API cannot read the
    /// target's pictures back: a review, or a category that is not active. Check `status`.
    pub async fn upload_image(
        &self,
        target: &ImageTarget,
        bytes: Vec<u8>,
        progress: Option<Progress>,
    ) -> Result<types::Image, UploadError> {
        let content_type = sniff_content_type(&bytes).ok_or(UploadError::NotAPicture)?;
        self.upload_image_as(target, bytes, content_type, progress)
            .await
    }

    /// Like [`BakeryClient::upload_image`] with the content type given (the server still
    /// checks it against the bytes).
    pub async fn upload_image_as(
        &self,
        target: &ImageTarget,
        bytes: Vec<u8>,
        content_type: &str,
        progress: Option<Progress>,
    ) -> Result<types::Image, UploadError> {
        let slot = self
            .image_slot(target, content_type, bytes.len() as u64)
            .await?;
        self.send_bytes(&slot, bytes, progress).await?;
        let attached = self.attach_image(target, &slot.upload_id).await?;
        let image = attached
            .into_iter()
            .find(|i| i.id == slot.upload_id)
            .ok_or(UploadError::Dropped {
                image_id: slot.upload_id,
            })?;
        self.wait_until_ready(target, image, READY_WAIT).await
    }

    /// Step 4: looks at `image` of `target` again, with growing pauses, until it is ready
    /// or `within` has passed; answers it as last seen (still `processing` on time-out, or
    /// at once when the API cannot read the target's pictures back: a review, a category
    /// that is not active).
    pub async fn wait_until_ready(
        &self,
        target: &ImageTarget,
        image: types::Image,
        within: Duration,
    ) -> Result<types::Image, UploadError> {
        let deadline = tokio::time::Instant::now() + within;
        let mut pause = FIRST_PAUSE;
        let mut last = image;
        while last.status != types::ImageStatus::Ready {
            if tokio::time::Instant::now() + pause > deadline {
                break;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(MAX_PAUSE);
            let Some(pictures) = self.pictures_of(target).await? else {
                break;
            };
            last = pictures
                .into_iter()
                .find(|i| i.id == last.id)
                .ok_or_else(|| UploadError::Dropped {
                    image_id: last.id.clone(),
                })?;
        }
        Ok(last)
    }

    /// The target's pictures as the API lists them; `None` when it has no way to read them
    /// (a review alone, a category that is not active).
    async fn pictures_of(
        &self,
        target: &ImageTarget,
    ) -> Result<Option<Vec<types::Image>>, ApiError> {
        match target {
            ImageTarget::Product(id) => {
                let product = self
                    .call(|api| {
                        let id = id.clone();
                        async move { api.get_product().id(id).send().await }
                    })
                    .await?;
                Ok(Some(product.into_inner().photos))
            }
            ImageTarget::Category(id) => {
                let category = find_in_pages(
                    |page| async move {
                        let answer = self
                            .call(|api| async move {
                                api.list_categories().page(page).limit(PAGE).send().await
                            })
                            .await?
                            .into_inner();
                        Ok((answer.items, answer.total))
                    },
                    |c: &types::Category| &c.id == id,
                )
                .await?;
                Ok(category.map(|c| c.photo.into_iter().collect()))
            }
            ImageTarget::Promotion(id) => {
                let promotion = find_in_pages(
                    |page| async move {
                        let answer = self
                            .call(|api| async move {
                                api.admin_list_promotions()
                                    .page(page)
                                    .limit(PAGE)
                                    .send()
                                    .await
                            })
                            .await?
                            .into_inner();
                        Ok((answer.items, answer.total))
                    },
                    |p: &types::Promotion| &p.id == id,
                )
                .await?;
                Ok(promotion.map(|p| p.photo.into_iter().collect()))
            }
            ImageTarget::Review(_) => Ok(None),
        }
    }

    /// Step 1: a slot for `size` bytes of `content_type`.
    pub async fn image_slot(
        &self,
        target: &ImageTarget,
        content_type: &str,
        size: u64,
    ) -> Result<types::UploadSlot, ApiError> {
        let size = NonZeroU64::new(size).ok_or_else(|| invalid("the picture is empty"))?;
        let body = types::UploadRequest {
            content_type: content_type.try_into().map_err(invalid)?,
            size,
        };
        let answer = per_target!(
            self,
            target,
            body,
            admin_request_product_image_upload,
            admin_request_category_image_upload,
            admin_request_promotion_image_upload,
            request_review_image_upload
        );
        Ok(answer.into_inner())
    }

    /// Step 2: the bytes to the slot's URL (relative URLs are on this client's server).
    pub async fn send_bytes(
        &self,
        slot: &types::UploadSlot,
        bytes: Vec<u8>,
        progress: Option<Progress>,
    ) -> Result<(), UploadError> {
        let url = if slot.upload_url.starts_with('/') {
            format!("{}{}", self.base_url(), slot.upload_url)
        } else {
            slot.upload_url.clone()
        };
        let total = bytes.len() as u64;
        let chunks: Vec<bytes::Bytes> = bytes
            .chunks(64 * 1024)
            .map(bytes::Bytes::copy_from_slice)
            .collect();
        let mut sent = 0u64;
        let body = stream::iter(chunks.into_iter().map(move |chunk| {
            sent += chunk.len() as u64;
            if let Some(progress) = &progress {
                progress(sent, total);
            }
            Ok::<_, std::io::Error>(chunk)
        }));
        let method = reqwest::Method::from_bytes(slot.method.as_bytes())
            .map_err(|e| UploadError::Api(invalid(e)))?;
        let mut request = reqwest::Client::new()
            .request(method, url)
            .body(reqwest::Body::wrap_stream(body));
        for (name, value) in &slot.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request.send().await.map_err(UploadError::Transport)?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        Err(UploadError::Storage {
            status: status.as_u16(),
            body,
        })
    }

    /// Step 3: attach what was sent; answers the target's pictures, the new one usually
    /// `processing` (this does not wait for its variants: see
    /// [`BakeryClient::wait_until_ready`]).
    pub async fn attach_image(
        &self,
        target: &ImageTarget,
        upload_id: &str,
    ) -> Result<Vec<types::Image>, ApiError> {
        let body = types::AttachImage {
            upload_id: upload_id.try_into().map_err(invalid)?,
        };
        let answer = per_target!(
            self,
            target,
            body,
            admin_attach_product_image,
            admin_attach_category_image,
            admin_attach_promotion_image,
            attach_review_image
        );
        Ok(answer.into_inner())
    }
}

/// The largest page the API serves, to find one entry in as few requests as possible.
const PAGE: NonZeroU32 = NonZeroU32::new(100).unwrap();

/// The first entry of a paged listing that `wanted` picks, reading page after page;
/// `fetch` answers a page's entries and the listing's total.
async fn find_in_pages<T, F, Fut>(
    fetch: F,
    wanted: impl Fn(&T) -> bool,
) -> Result<Option<T>, ApiError>
where
    F: Fn(NonZeroU32) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, i64), ApiError>>,
{
    let mut page = NonZeroU32::MIN;
    let mut seen = 0usize;
    loop {
        let (items, total) = fetch(page).await?;
        let got = items.len();
        seen += got;
        if let Some(found) = items.into_iter().find(&wanted) {
            return Ok(Some(found));
        }
        if got == 0 || seen as i64 >= total {
            return Ok(None);
        }
        page = page.saturating_add(1);
    }
}

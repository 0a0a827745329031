//! Uploading a picture in one call: ask for a slot, send the bytes straight to storage (S3
//! or the server's own `/media`), attach. The one other hand-written network piece beside
//! the token wrapper, because the bytes must not go through the generated JSON client.

use std::num::NonZeroU64;
use std::sync::Arc;

use futures::stream;

use crate::generated::types;
use crate::session::{ApiError, BakeryClient};

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

impl BakeryClient {
    /// Uploads `bytes` as a picture of `target` and returns the target's pictures. The
    /// content type comes from the bytes themselves; `progress` hears about every chunk.
    pub async fn upload_image(
        &self,
        target: &ImageTarget,
        bytes: Vec<u8>,
        progress: Option<Progress>,
    ) -> Result<Vec<types::Image>, UploadError> {
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
    ) -> Result<Vec<types::Image>, UploadError> {
        let slot = self
            .image_slot(target, content_type, bytes.len() as u64)
            .await?;
        self.send_bytes(&slot, bytes, progress).await?;
        let attached = self.attach_image(target, &slot.upload_id).await?;
        Ok(attached)
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
        let answer = match target {
            ImageTarget::Product(id) => {
                self.call(|api| {
                    let body = body.clone();
                    let id = id.clone();
                    async move {
                        api.admin_request_product_image_upload()
                            .id(id)
                            .body(body)
                            .send()
                            .await
                    }
                })
                .await?
            }
            ImageTarget::Category(id) => {
                self.call(|api| {
                    let body = body.clone();
                    let id = id.clone();
                    async move {
                        api.admin_request_category_image_upload()
                            .id(id)
                            .body(body)
                            .send()
                            .await
                    }
                })
                .await?
            }
            ImageTarget::Promotion(id) => {
                self.call(|api| {
                    let body = body.clone();
                    let id = id.clone();
                    async move {
                        api.admin_request_promotion_image_upload()
                            .id(id)
                            .body(body)
                            .send()
                            .await
                    }
                })
                .await?
            }
            ImageTarget::Review(id) => {
                self.call(|api| {
                    let body = body.clone();
                    let id = id.clone();
                    async move {
                        api.request_review_image_upload()
                            .id(id)
                            .body(body)
                            .send()
                            .await
                    }
                })
                .await?
            }
        };
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

    /// Step 3: attach what was sent; answers the target's pictures.
    pub async fn attach_image(
        &self,
        target: &ImageTarget,
        upload_id: &str,
    ) -> Result<Vec<types::Image>, ApiError> {
        let body = types::AttachImage {
            upload_id: upload_id.try_into().map_err(invalid)?,
        };
        let answer = match target {
            ImageTarget::Product(id) => {
                self.call(|api| {
                    let body = body.clone();
                    let id = id.clone();
                    async move {
                        api.admin_attach_product_image()
                            .id(id)
                            .body(body)
                            .send()
                            .await
                    }
                })
                .await?
            }
            ImageTarget::Category(id) => {
                self.call(|api| {
                    let body = body.clone();
                    let id = id.clone();
                    async move {
                        api.admin_attach_category_image()
                            .id(id)
                            .body(body)
                            .send()
                            .await
                    }
                })
                .await?
            }
            ImageTarget::Promotion(id) => {
                self.call(|api| {
                    let body = body.clone();
                    let id = id.clone();
                    async move {
                        api.admin_attach_promotion_image()
                            .id(id)
                            .body(body)
                            .send()
                            .await
                    }
                })
                .await?
            }
            ImageTarget::Review(id) => {
                self.call(|api| {
                    let body = body.clone();
                    let id = id.clone();
                    async move { api.attach_review_image().id(id).body(body).send().await }
                })
                .await?
            }
        };
        Ok(answer.into_inner())
    }
}

//! Pictures: their variants as served, and the upload flow's requests and answers.

use super::timestamp::Timestamp;
use std::collections::BTreeMap;

use bakery_core::domain;
use bakery_core::services::UploadTicket;
use poem_openapi::{Enum, Object};

/// One size of a picture: WebP, `width` × `height` pixels.
#[derive(Object, Debug, Clone, PartialEq, Eq)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ImageVariant {
    pub url: String,
    pub width: u32,
    pub height: u32,
}

/// Whether a picture's sizes exist yet.
///
/// - `processing`: the variants are being made; `variants` is empty until it is ready,
///   usually within seconds. Apps show a placeholder.
/// - `ready`: every variant is there.
///
/// More states may be added: show an unknown one like `processing`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ImageStatus {
    Processing,
    Ready,
}

impl From<domain::ImageStatus> for ImageStatus {
    fn from(s: domain::ImageStatus) -> Self {
        match s {
            domain::ImageStatus::Processing => Self::Processing,
            domain::ImageStatus::Ready => Self::Ready,
        }
    }
}

/// An uploaded picture: its variants, smallest first (400 and 1200 px on the long side, or
/// the picture's own size when smaller), so an app picks the one that fits its screen.
#[derive(Object, Debug, Clone, PartialEq, Eq)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none, example)]
pub struct Image {
    pub id: String,
    pub status: ImageStatus,
    /// Empty while `status` is `processing`.
    pub variants: Vec<ImageVariant>,
}

impl From<domain::Image> for Image {
    fn from(i: domain::Image) -> Self {
        Self {
            id: i.id.into(),
            status: i.status.into(),
            variants: i
                .variants
                .into_iter()
                .map(|v| ImageVariant {
                    url: v.url,
                    width: v.width,
                    height: v.height,
                })
                .collect(),
        }
    }
}

pub fn images(photos: Vec<domain::Image>) -> Vec<Image> {
    photos.into_iter().map(Image::from).collect()
}

/// What is about to be uploaded. The server judges the bytes themselves when they are
/// attached; these only size and sign the slot.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct UploadRequest {
    /// `image/jpeg`, `image/png` or `image/webp`.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub content_type: String,
    /// Bytes, at most 5 MiB (5242880).
    #[oai(validator(minimum(value = "1")))]
    pub size: u64,
}

/// Where and how to send the bytes: `method` on `uploadUrl` with exactly `headers`, before
/// `expiresAt`; then attach `uploadId`. A `uploadUrl` starting with `/` is on this server.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct UploadSlot {
    pub upload_id: String,
    pub upload_url: String,
    /// Always `PUT`.
    pub method: String,
    /// Headers the signature covers (content type and length): send them as given.
    pub headers: BTreeMap<String, String>,
    pub expires_at: Timestamp,
}

impl From<UploadTicket> for UploadSlot {
    fn from(t: UploadTicket) -> Self {
        Self {
            upload_id: t.upload_id.into(),
            upload_url: t.slot.url,
            method: t.slot.method.to_owned(),
            headers: t.slot.headers,
            expires_at: t.expires_at.into(),
        }
    }
}

/// An upload whose bytes were sent, to attach.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct AttachImage {
    #[oai(validator(pattern = "^[0-9a-fA-F]{24}$"))]
    pub upload_id: String,
}

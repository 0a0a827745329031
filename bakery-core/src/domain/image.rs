//! Pictures of products, categories, promotions and reviews: uploaded straight to storage
//! (never through a JSON body), judged by their content, and kept only as resized WebP
//! variants whose URLs the API hands out.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::Id;
use crate::error::{Error, UploadCode};

/// The largest upload taken: a phone photo fits, a RAW file or a video does not.
pub const MAX_IMAGE_BYTES: u64 = 5 * 1024 * 1024;

/// Long sides of the variants made of every picture (never upscaled), small first.
pub const VARIANT_SIDES: [u32; 2] = [400, 1200];

/// One uploaded picture, as served: its resized variants, smallest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// The upload's id, which it keeps: attaching one upload twice attaches it once.
    pub id: Id,
    /// Stored only while processing: pictures written before the state existed, and every
    /// ready one, are the same bytes, which the stores' compare-and-set of the owner's
    /// pictures relies on.
    #[serde(default, skip_serializing_if = "ImageStatus::is_ready")]
    pub status: ImageStatus,
    /// Empty while processing.
    pub variants: Vec<ImageVariant>,
}

/// Whether a picture's variants exist yet. A picture is attached as soon as its bytes are
/// judged; the outbox makes the variants moments later.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageStatus {
    Processing,
    #[default]
    Ready,
}

impl ImageStatus {
    pub fn is_ready(&self) -> bool {
        *self == Self::Ready
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageVariant {
    pub url: String,
    pub width: u32,
    pub height: u32,
}

impl Image {
    /// A picture whose bytes were judged and whose variants are still to be made.
    pub fn processing(id: Id) -> Self {
        Self {
            id,
            status: ImageStatus::Processing,
            variants: Vec::new(),
        }
    }

    /// The storage keys of its variants.
    pub fn variant_keys(id: &Id) -> Vec<String> {
        VARIANT_SIDES
            .iter()
            .map(|side| variant_key(id, *side))
            .collect()
    }

    /// The storage keys of every object this picture owns, for deletion.
    pub fn object_keys(id: &Id) -> Vec<String> {
        let mut keys = Self::variant_keys(id);
        keys.push(upload_key(id));
        keys
    }
}

/// Where the bytes of upload `id` land before they are judged.
pub fn upload_key(id: &Id) -> String {
    format!("uploads/{id}")
}

/// Where the WebP variant of picture `id` with long side `side` is kept.
pub fn variant_key(id: &Id, side: u32) -> String {
    format!("images/{id}/{side}.webp")
}

/// Reads the `photos` of a document written before pictures existed (absent) or by an edit
/// that kept a stored absence (`null`) as no pictures.
pub fn photos_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Image>, D::Error> {
    Ok(Option::<Vec<Image>>::deserialize(d)?.unwrap_or_default())
}

/// The content types an upload slot is asked for with, as the contract spells them.
pub const CONTENT_TYPE_PATTERN: &str = "^image/(jpeg|jpg|png|webp)$";

/// The formats the shop takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    Jpeg,
    Png,
    Webp,
}

impl ImageFormat {
    /// The format a client announces, spelled exactly as [`CONTENT_TYPE_PATTERN`] says;
    /// anything else is refused.
    pub fn from_content_type(raw: &str) -> Result<Self, Error> {
        match raw {
            "image/jpeg" | "image/jpg" => Ok(Self::Jpeg),
            "image/png" => Ok(Self::Png),
            "image/webp" => Ok(Self::Webp),
            _ => Err(Error::upload(
                UploadCode::UnsupportedImage,
                "contentType",
                "only image/jpeg, image/png and image/webp are taken",
            )),
        }
    }

    /// What the bytes are, by their magic numbers; `None` for anything else.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }
}

/// Checks an announced size against the limit.
pub fn check_size(size: u64) -> Result<u64, Error> {
    match size {
        0 => Err(Error::validation("size", "must be at least 1 byte")),
        s if s > MAX_IMAGE_BYTES => Err(Error::upload(
            UploadCode::ImageTooLarge,
            "size",
            "pictures are at most 5 MiB",
        )),
        s => Ok(s),
    }
}

/// Whose picture it is. Products keep up to ten, reviews three, categories and promotions
/// one (a new one replaces it).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "camelCase")]
pub enum ImageOwner {
    Product(Id),
    Category(Id),
    Promotion(Id),
    Review(Id),
}

impl ImageOwner {
    pub fn id(&self) -> &Id {
        match self {
            Self::Product(id) | Self::Category(id) | Self::Promotion(id) | Self::Review(id) => id,
        }
    }

    /// How many pictures it may have.
    pub fn limit(&self) -> usize {
        match self {
            Self::Product(_) => 10,
            Self::Review(_) => 3,
            Self::Category(_) | Self::Promotion(_) => 1,
        }
    }

    /// Whether attaching beyond the limit replaces the picture instead of being refused.
    pub fn replaces(&self) -> bool {
        self.limit() == 1
    }

    /// The resource, as a not-found error names it.
    pub fn resource(&self) -> &'static str {
        match self {
            Self::Product(_) => "product",
            Self::Category(_) => "category",
            Self::Promotion(_) => "promotion",
            Self::Review(_) => "review",
        }
    }
}

/// An upload slot handed out and not yet attached. Kept until attached or, once expired,
/// swept with its objects, so bytes nobody attaches never stay in storage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingUpload {
    pub id: Id,
    pub owner: ImageOwner,
    /// Who asked for the slot: only they may attach it.
    pub user_id: Id,
    /// What the client announced; the content must agree.
    pub format: ImageFormat,
    pub size: u64,
    /// The upload URL stops working then; attaching stays possible until
    /// [`PendingUpload::swept_after`].
    #[serde(with = "super::time")]
    pub expires_at: DateTime<Utc>,
    #[serde(with = "super::time")]
    pub created_at: DateTime<Utc>,
}

impl PendingUpload {
    /// How long after the URL's expiry the sweep deletes what was left: long enough for an
    /// attach that started at the last second to finish.
    pub fn swept_after(&self) -> DateTime<Utc> {
        self.expires_at + sweep_grace()
    }

    /// Slots that expired before this are swept at `now`.
    pub fn sweep_cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
        now - sweep_grace()
    }
}

fn sweep_grace() -> chrono::Duration {
    chrono::Duration::minutes(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_and_sizes() {
        let pattern = regress::Regex::new(CONTENT_TYPE_PATTERN).unwrap();
        for raw in [
            "image/png",
            "image/jpeg",
            "image/jpg",
            "image/webp",
            "IMAGE/PNG",
            " image/png",
            "image/gif",
            "image/png ",
            "image/",
            "",
        ] {
            assert_eq!(
                ImageFormat::from_content_type(raw).is_ok(),
                pattern.find(raw).is_some(),
                "{raw:?}"
            );
        }
        assert_eq!(
            ImageFormat::from_content_type("image/jpg").unwrap(),
            ImageFormat::Jpeg
        );
        assert!(check_size(MAX_IMAGE_BYTES).is_ok());
        assert!(check_size(MAX_IMAGE_BYTES + 1).is_err());
        assert!(check_size(0).is_err());
    }

    #[test]
    fn sniffs_magic_numbers() {
        assert_eq!(
            ImageFormat::sniff(b"\x89PNG\r\n\x1a\nrest"),
            Some(ImageFormat::Png)
        );
        assert_eq!(
            ImageFormat::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(ImageFormat::Webp)
        );
        assert_eq!(ImageFormat::sniff(b"hello"), None);
    }

    #[test]
    fn ready_pictures_are_stored_as_before_the_state_existed() {
        let id = Id::parse("id", "65f1c2a9e4b0a1b2c3d4e5f6").unwrap();
        let before = r#"{"id":"65f1c2a9e4b0a1b2c3d4e5f6","variants":[]}"#;
        let read: Image = serde_json::from_str(before).unwrap();
        assert_eq!(read.status, ImageStatus::Ready);
        assert_eq!(serde_json::to_string(&read).unwrap(), before);
        let processing = serde_json::to_string(&Image::processing(id)).unwrap();
        assert_eq!(
            processing,
            r#"{"id":"65f1c2a9e4b0a1b2c3d4e5f6","status":"processing","variants":[]}"#
        );
        let back: Image = serde_json::from_str(&processing).unwrap();
        assert_eq!(back.status, ImageStatus::Processing);
    }

    #[test]
    fn owners_serialize_tagged() {
        let owner = ImageOwner::Review(Id::parse("id", "65f1c2a9e4b0a1b2c3d4e5f6").unwrap());
        let json = serde_json::to_string(&owner).unwrap();
        assert_eq!(json, r#"{"kind":"review","id":"65f1c2a9e4b0a1b2c3d4e5f6"}"#);
    }
}

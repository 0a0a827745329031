//! Where picture bytes live: files in the data directory for one shop, an S3 bucket (behind
//! a CDN) for a chain. Clients send bytes straight to the storage through a short-lived
//! upload slot; the server reads them back once to judge them and writes the variants.

use std::collections::BTreeMap;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::error::{Error, Result};

/// How a client sends the bytes of one upload: `method` on `url` with exactly `headers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadSlot {
    /// Absolute for S3; for files served by the server itself it may be a path
    /// (`/media/uploads/...`), to resolve against the API's base URL.
    pub url: String,
    pub method: &'static str,
    /// Headers the signature covers (content type, length): send them as given.
    pub headers: BTreeMap<String, String>,
}

/// What reading an object found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fetched {
    Missing,
    /// Larger than the most the caller would read.
    TooLarge,
    Bytes(Bytes),
}

#[async_trait]
pub trait ImageStorage: Send + Sync {
    /// Which adapter this is (`files`, `s3`, `none`), for start-up logs.
    fn backend(&self) -> &'static str;

    /// A slot to PUT `size` bytes of `content_type` at `key` until `expires_at`.
    async fn upload_slot(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<UploadSlot>;

    /// The object at `key`, if it is at most `max_bytes` long.
    async fn get(&self, key: &str, max_bytes: u64) -> Result<Fetched>;

    /// Writes an object the server made (a variant), publicly readable.
    async fn put(&self, key: &str, content_type: &str, bytes: Bytes) -> Result<()>;

    /// Deletes the objects; keys that are already gone are not an error.
    async fn delete(&self, keys: &[String]) -> Result<()>;

    /// Every key under `prefix`, for sweeps and tests.
    async fn list(&self, prefix: &str) -> Result<Vec<String>>;

    /// Where clients read the object at `key`.
    fn public_url(&self, key: &str) -> String;
}

/// Pictures switched off (a bakery embedded without storage): every upload is refused.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoImages;

fn unavailable() -> Error {
    Error::Unavailable("picture uploads are not configured on this server".into())
}

#[async_trait]
impl ImageStorage for NoImages {
    fn backend(&self) -> &'static str {
        "none"
    }

    async fn upload_slot(
        &self,
        _key: &str,
        _content_type: &str,
        _size: u64,
        _expires_at: DateTime<Utc>,
        _now: DateTime<Utc>,
    ) -> Result<UploadSlot> {
        Err(unavailable())
    }

    async fn get(&self, _key: &str, _max_bytes: u64) -> Result<Fetched> {
        Ok(Fetched::Missing)
    }

    async fn put(&self, _key: &str, _content_type: &str, _bytes: Bytes) -> Result<()> {
        Err(unavailable())
    }

    async fn delete(&self, _keys: &[String]) -> Result<()> {
        Ok(())
    }

    async fn list(&self, _prefix: &str) -> Result<Vec<String>> {
        Ok(Vec::new())
    }

    fn public_url(&self, key: &str) -> String {
        format!("/media/{key}")
    }
}

//! Pictures as files in the data directory, for one shop: the embedded default.
//!
//! The server is its own upload target: an upload slot is
//! `PUT /media/uploads/<id>?expires=<unix>&sig=<hex>`, the signature an HMAC-SHA256 over the
//! key and the expiry under a key derived from the server's JWT secret, so the URL cannot be
//! reused for another upload or after it expires. Variants are served back under
//! `/media/images/...`; uploads (originals, with their metadata) never are.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::domain::Id;
use crate::error::{Error, Result, UploadCode};
use crate::ports::{Fetched, ImageStorage, UploadSlot};

/// Files under one directory, and the key that signs upload URLs.
#[derive(Clone)]
pub struct LocalImages {
    root: PathBuf,
    key: [u8; 32],
    /// Prepended to `/media/...` in the URLs handed out; empty keeps them relative to the
    /// API's own origin.
    base: String,
}

impl std::fmt::Debug for LocalImages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalImages")
            .field("root", &self.root)
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// Why a local upload was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadRefusal {
    BadSignature,
    Expired,
}

impl LocalImages {
    /// Files under `root` (created on first write); URLs start with `public_base` (e.g.
    /// `https://api.shop.example`), or are paths when it is `None`.
    pub fn new(root: impl Into<PathBuf>, secret: &[u8], public_base: Option<&str>) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"bakery media upload v1\0");
        hasher.update(secret);
        Self {
            root: root.into(),
            key: hasher.finalize().into(),
            base: public_base.unwrap_or("").trim_end_matches('/').to_owned(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn signature(&self, key: &str, expires: i64) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC accepts a 32-byte key");
        mac.update(format!("PUT\n{key}\n{expires}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Checks an upload URL's signature and expiry for upload `id`.
    pub fn verify_upload(
        &self,
        id: &Id,
        expires: i64,
        sig: &str,
        now: DateTime<Utc>,
    ) -> std::result::Result<(), UploadRefusal> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC accepts a 32-byte key");
        mac.update(format!("PUT\nuploads/{id}\n{expires}").as_bytes());
        let given = hex::decode(sig).map_err(|_| UploadRefusal::BadSignature)?;
        mac.verify_slice(&given)
            .map_err(|_| UploadRefusal::BadSignature)?;
        if now.timestamp() >= expires {
            return Err(UploadRefusal::Expired);
        }
        Ok(())
    }

    /// The file of `key`; keys are the store's own (`uploads/<id>`, `images/<id>/400.webp`),
    /// and anything else is refused rather than joined onto the path.
    fn path(&self, key: &str) -> Result<PathBuf> {
        let safe = !key.is_empty()
            && key.split('/').all(|part| {
                !part.is_empty()
                    && part != "."
                    && part != ".."
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
            });
        if !safe {
            return Err(Error::internal(format!("not a media key: {key:?}")));
        }
        Ok(self.root.join(key))
    }

    /// Writes the bytes of an upload, complete or not at all (a temporary file renamed into
    /// place), refusing more than `expected` bytes or fewer.
    pub async fn write_upload(
        &self,
        id: &Id,
        mut body: impl tokio::io::AsyncRead + Unpin + Send,
        expected: u64,
    ) -> Result<()> {
        use tokio::io::AsyncReadExt;
        let path = self.path(&format!("uploads/{id}"))?;
        let dir = path.parent().ok_or_else(|| Error::internal("no parent"))?;
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(Error::internal)?;
        let temp = dir.join(format!(".{id}.{}.part", Id::generate()));
        let outcome = async {
            let mut file = tokio::fs::File::create(&temp)
                .await
                .map_err(Error::internal)?;
            let mut written: u64 = 0;
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = body.read(&mut buf).await.map_err(Error::internal)?;
                if n == 0 {
                    break;
                }
                written += n as u64;
                if written > expected {
                    return Err(Error::upload(
                        UploadCode::ImageTooLarge,
                        "body",
                        "the body is longer than the size the slot was asked for",
                    ));
                }
                file.write_all(&buf[..n]).await.map_err(Error::internal)?;
            }
            if written != expected {
                return Err(Error::upload(
                    UploadCode::UploadMissing,
                    "body",
                    "the body is shorter than the size the slot was asked for",
                ));
            }
            file.sync_all().await.map_err(Error::internal)?;
            tokio::fs::rename(&temp, &path)
                .await
                .map_err(Error::internal)
        }
        .await;
        if outcome.is_err() {
            let _ = tokio::fs::remove_file(&temp).await;
        }
        outcome
    }

    /// A served variant: only under `images/`. `None` when there is none.
    pub async fn read_public(&self, key: &str) -> Result<Option<Bytes>> {
        if !key.starts_with("images/") {
            return Ok(None);
        }
        let Ok(path) = self.path(key) else {
            return Ok(None);
        };
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(Bytes::from(bytes))),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::internal(e)),
        }
    }
}

fn list_into(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            list_into(root, &path, out)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

#[async_trait]
impl ImageStorage for LocalImages {
    fn backend(&self) -> &'static str {
        "files"
    }

    async fn upload_slot(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        expires_at: DateTime<Utc>,
        _now: DateTime<Utc>,
    ) -> Result<UploadSlot> {
        let expires = expires_at.timestamp();
        let sig = self.signature(key, expires);
        Ok(UploadSlot {
            url: format!("{}/media/{key}?expires={expires}&sig={sig}", self.base),
            method: "PUT",
            headers: BTreeMap::from([
                ("content-type".to_owned(), content_type.to_owned()),
                ("content-length".to_owned(), size.to_string()),
            ]),
        })
    }

    async fn get(&self, key: &str, max_bytes: u64) -> Result<Fetched> {
        let path = self.path(key)?;
        match tokio::fs::metadata(&path).await {
            Ok(meta) if meta.len() > max_bytes => return Ok(Fetched::TooLarge),
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Fetched::Missing),
            Err(e) => return Err(Error::internal(e)),
        }
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Fetched::Bytes(Bytes::from(bytes))),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(Fetched::Missing),
            Err(e) => Err(Error::internal(e)),
        }
    }

    async fn put(&self, key: &str, _content_type: &str, bytes: Bytes) -> Result<()> {
        let path = self.path(key)?;
        let dir = path.parent().ok_or_else(|| Error::internal("no parent"))?;
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(Error::internal)?;
        let temp = dir.join(format!(".{}.part", Id::generate()));
        let written = async {
            tokio::fs::write(&temp, &bytes).await?;
            tokio::fs::rename(&temp, &path).await
        }
        .await;
        if let Err(e) = written {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(Error::internal(e));
        }
        Ok(())
    }

    async fn delete(&self, keys: &[String]) -> Result<()> {
        for key in keys {
            let path = self.path(key)?;
            match tokio::fs::remove_file(&path).await {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(Error::internal(e)),
            }
            // A picture's directory goes with its last variant; one still in use stays.
            if let Some(dir) = path.parent().filter(|dir| *dir != self.root) {
                if key.starts_with("images/") {
                    let _ = tokio::fs::remove_dir(dir).await;
                }
            }
        }
        Ok(())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>> {
        let root = self.root.clone();
        let prefix = prefix.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut keys = Vec::new();
            list_into(&root, &root, &mut keys)?;
            keys.retain(|k| k.starts_with(&prefix) && !k.ends_with(".part"));
            keys.sort();
            Ok::<_, std::io::Error>(keys)
        })
        .await
        .map_err(Error::internal)?
        .map_err(Error::internal)
    }

    fn public_url(&self, key: &str) -> String {
        format!("{}/media/{key}", self.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn upload_urls_are_signed_and_expire() {
        let dir = tempfile::tempdir().unwrap();
        let images = LocalImages::new(dir.path(), b"secret", None);
        let id = Id::generate();
        let now = Utc::now();
        let expires = now + chrono::Duration::minutes(15);
        let slot = images
            .upload_slot(&format!("uploads/{id}"), "image/png", 10, expires, now)
            .await
            .unwrap();
        let sig = slot.url.split("sig=").nth(1).unwrap();
        let at = expires.timestamp();
        assert_eq!(images.verify_upload(&id, at, sig, now), Ok(()));
        assert_eq!(
            images.verify_upload(&id, at + 60, sig, now),
            Err(UploadRefusal::BadSignature)
        );
        assert_eq!(
            images.verify_upload(&Id::generate(), at, sig, now),
            Err(UploadRefusal::BadSignature)
        );
        assert_eq!(
            images.verify_upload(&id, at, sig, expires),
            Err(UploadRefusal::Expired)
        );
        let other = LocalImages::new(dir.path(), b"other secret", None);
        assert_eq!(
            other.verify_upload(&id, at, sig, now),
            Err(UploadRefusal::BadSignature)
        );
    }

    #[tokio::test]
    async fn writes_are_whole_and_keys_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let images = LocalImages::new(dir.path(), b"secret", None);
        let id = Id::generate();
        assert!(images.write_upload(&id, &b"12345"[..], 4).await.is_err());
        assert!(images.write_upload(&id, &b"123"[..], 4).await.is_err());
        assert!(
            images.list("").await.unwrap().is_empty(),
            "nothing half-written"
        );
        images.write_upload(&id, &b"1234"[..], 4).await.unwrap();
        assert_eq!(
            images.list("uploads/").await.unwrap(),
            vec![format!("uploads/{id}")]
        );
        assert!(images
            .read_public(&format!("uploads/{id}"))
            .await
            .unwrap()
            .is_none());
        assert!(images.get("../etc/passwd", 10).await.is_err());
        images.delete(&[format!("uploads/{id}")]).await.unwrap();
        assert!(images.list("").await.unwrap().is_empty());
    }
}

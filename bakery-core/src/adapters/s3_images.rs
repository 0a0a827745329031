//! Pictures in an S3 bucket (or an S3-compatible store), for a chain: clients PUT straight
//! to the bucket through presigned URLs, and read the variants from `IMAGES_PUBLIC_BASE_URL`
//! (a CDN in front of the bucket) or the bucket itself.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::ports::{Fetched, ImageStorage, UploadSlot};

/// Variants never change under their key (a new picture gets a new id), so caches may keep
/// them for a year.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Where the bucket is and how it is reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Settings {
    /// `AWS_S3_BUCKET`.
    pub bucket: String,
    /// `AWS_REGION`; the AWS chain's (profile, instance) when unset.
    pub region: Option<String>,
    /// `AWS_ENDPOINT_URL`: an S3-compatible store; addressed path-style.
    pub endpoint: Option<String>,
    /// `IMAGES_PUBLIC_BASE_URL`: where clients read the objects (a CDN).
    pub public_base_url: Option<String>,
}

#[derive(Clone, Debug)]
pub struct S3Images {
    client: Client,
    bucket: String,
    public_base: String,
}

impl S3Images {
    /// Credentials and anything unset from the usual AWS chain (environment, profile,
    /// instance role).
    pub async fn from_env(settings: &S3Settings) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &settings.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(endpoint) = &settings.endpoint {
            loader = loader.endpoint_url(endpoint.clone());
        }
        let shared = loader.load().await;
        let region = shared
            .region()
            .map_or_else(|| "us-east-1".to_owned(), |r| r.to_string());
        let config = aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(settings.endpoint.is_some())
            .build();
        Self::with_client(Client::from_conf(config), settings, &region)
    }

    /// With fixed credentials, for an S3-compatible store such as the tests' s3s-fs.
    pub fn with_static_credentials(
        settings: &S3Settings,
        access_key: &str,
        secret_key: &str,
    ) -> Self {
        let region = settings
            .region
            .clone()
            .unwrap_or_else(|| "us-east-1".into());
        let mut config = aws_sdk_s3::config::Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.clone()))
            .credentials_provider(Credentials::new(
                access_key, secret_key, None, None, "static",
            ))
            .force_path_style(true);
        if let Some(endpoint) = &settings.endpoint {
            config = config.endpoint_url(endpoint);
        }
        Self::with_client(Client::from_conf(config.build()), settings, &region)
    }

    fn with_client(client: Client, settings: &S3Settings, region: &str) -> Self {
        let public_base = match (&settings.public_base_url, &settings.endpoint) {
            (Some(base), _) => base.trim_end_matches('/').to_owned(),
            (None, Some(endpoint)) => {
                format!("{}/{}", endpoint.trim_end_matches('/'), settings.bucket)
            }
            (None, None) => format!("https://{}.s3.{region}.amazonaws.com", settings.bucket),
        };
        Self {
            client,
            bucket: settings.bucket.clone(),
            public_base,
        }
    }

    /// Creates the bucket unless it exists (tests and fresh S3-compatible stores).
    pub async fn ensure_bucket(&self) -> Result<()> {
        if self
            .client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .is_ok()
        {
            return Ok(());
        }
        self.client
            .create_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|e| Error::internal(aws_sdk_s3::error::DisplayErrorContext(e).to_string()))?;
        Ok(())
    }
}

fn s3_error<E>(e: aws_sdk_s3::error::SdkError<E>) -> Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    Error::internal(aws_sdk_s3::error::DisplayErrorContext(e).to_string())
}

#[async_trait]
impl ImageStorage for S3Images {
    fn backend(&self) -> &'static str {
        "s3"
    }

    async fn upload_slot(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<UploadSlot> {
        let lifetime = (expires_at - now)
            .to_std()
            .unwrap_or(Duration::from_secs(1));
        let presigning = PresigningConfig::expires_in(lifetime).map_err(Error::internal)?;
        let length = i64::try_from(size).map_err(Error::internal)?;
        let presigned = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(length)
            .presigned(presigning)
            .await
            .map_err(s3_error)?;
        let mut headers: BTreeMap<String, String> = presigned
            .headers()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
            .collect();
        headers
            .entry("content-type".into())
            .or_insert_with(|| content_type.to_owned());
        headers
            .entry("content-length".into())
            .or_insert_with(|| size.to_string());
        Ok(UploadSlot {
            url: presigned.uri().to_owned(),
            method: "PUT",
            headers,
        })
    }

    async fn get(&self, key: &str, max_bytes: u64) -> Result<Fetched> {
        let object = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(object) => object,
            Err(e) => {
                if e.as_service_error().is_some_and(|s| s.is_no_such_key()) {
                    return Ok(Fetched::Missing);
                }
                return Err(s3_error(e));
            }
        };
        let length = object.content_length().unwrap_or(0);
        if u64::try_from(length).unwrap_or(u64::MAX) > max_bytes {
            return Ok(Fetched::TooLarge);
        }
        let bytes = object
            .body
            .collect()
            .await
            .map_err(Error::internal)?
            .into_bytes();
        if bytes.len() as u64 > max_bytes {
            return Ok(Fetched::TooLarge);
        }
        Ok(Fetched::Bytes(bytes))
    }

    async fn put(&self, key: &str, content_type: &str, bytes: Bytes) -> Result<()> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .cache_control(IMMUTABLE)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(s3_error)?;
        Ok(())
    }

    async fn delete(&self, keys: &[String]) -> Result<()> {
        for key in keys {
            self.client
                .delete_object()
                .bucket(&self.bucket)
                .key(key)
                .send()
                .await
                .map_err(s3_error)?;
        }
        Ok(())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(s3_error)?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_owned)),
            );
            match page.next_continuation_token() {
                Some(next) if page.is_truncated().unwrap_or(false) => token = Some(next.to_owned()),
                _ => break,
            }
        }
        keys.sort();
        Ok(keys)
    }

    fn public_url(&self, key: &str) -> String {
        format!("{}/{key}", self.public_base)
    }
}

//! Push notifications through Firebase Cloud Messaging's HTTP v1 API, authenticated as a
//! Google service account.
//!
//! # Setting it up
//! The server reads the service account from `FCM_SERVICE_ACCOUNT` (else
//! `GOOGLE_APPLICATION_CREDENTIALS`) — the key file's path or its JSON — and, for tests,
//! `FCM_API_BASE` and `FCM_TOKEN_URI`:
//!
//! ```ignore
//! let json = load_service_account(&std::env::var("FCM_SERVICE_ACCOUNT")?)?;
//! let push = FcmPush::from_service_account(&json, FcmOptions {
//!     api_base: std::env::var("FCM_API_BASE").ok(),
//!     token_uri: std::env::var("FCM_TOKEN_URI").ok(),
//!     ..FcmOptions::default()
//! })?;
//! ```
//! Nothing goes over the network until the first send.
//!
//! # What a send does
//! 1. Gets an OAuth2 access token with the JWT-bearer grant (`token.rs`): a JWT signed
//!    RS256 with the account's key, exchanged at the token endpoint. The token is cached until
//!    five minutes before it expires and one fetch serves all concurrent sends. If no token can
//!    be had (endpoint down, credentials refused), the send is `Err` and nothing is attempted.
//! 2. Posts one message per device token (up to [`FcmOptions::concurrency`] at once) to
//!    `{api_base}/v1/projects/{project_id}/messages:send` with `Authorization: Bearer`.
//! 3. Reads each answer: 200 is delivered; `UNREGISTERED` (404), `SENDER_ID_MISMATCH` or an
//!    `INVALID_ARGUMENT` about the token (400) put the token in
//!    [`PushReport::invalid_tokens`] for the caller to remove; 429 and 5xx are retried with
//!    exponential backoff that honours `Retry-After`, and after [`FcmOptions::max_attempts`]
//!    the token goes to [`PushReport::retry_tokens`]; a 401 refreshes the access token once and
//!    retries. Anything else (a payload FCM refuses, APNs credentials missing in the Firebase
//!    project) is logged and counted nowhere.
//!
//! Logs never carry the private key, the access token, or a whole device token.

mod account;
mod token;
mod wire;

#[cfg(test)]
mod tests;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use futures::stream::{self, StreamExt};
use rand::Rng;

pub use account::{load_service_account, ServiceAccount, GOOGLE_TOKEN_URI};
pub use token::FCM_SCOPE;

use crate::error::Error;
use crate::ports::{PushMessage, PushReport, PushSender};
use token::TokenSource;
use wire::Answer;

/// Where FCM's API lives; tests point [`FcmOptions::api_base`] at a local fake.
pub const FCM_API_BASE: &str = "https://fcm.googleapis.com";

/// How the adapter behaves; [`FcmOptions::default`] is right for production.
#[derive(Clone, Debug)]
pub struct FcmOptions {
    /// [`FCM_API_BASE`] when `None` (`FCM_API_BASE`).
    pub api_base: Option<String>,
    /// The token endpoint; when `None`, the key file's `token_uri`, else
    /// [`GOOGLE_TOKEN_URI`] (`FCM_TOKEN_URI`). It is also the JWT's audience.
    pub token_uri: Option<String>,
    /// Tries per device for answers that may pass (429, 5xx, network errors), first included.
    pub max_attempts: u32,
    /// The first backoff; it doubles with each retry (plus up to as much again in jitter).
    pub backoff_base: Duration,
    /// The longest wait between tries. A `Retry-After` beyond it ends the tries for that device
    /// (it goes to `retry_tokens`) rather than holding the send.
    pub max_retry_after: Duration,
    /// Devices of one message sent at once.
    pub concurrency: usize,
    /// One HTTP request, connection included.
    pub timeout: Duration,
    /// How long before its expiry an access token is replaced (at most half its lifetime).
    pub refresh_margin: Duration,
    /// The Android notification channel the app creates for order updates.
    pub android_channel_id: String,
}

impl Default for FcmOptions {
    fn default() -> Self {
        Self {
            api_base: None,
            token_uri: None,
            max_attempts: 3,
            backoff_base: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(30),
            concurrency: 8,
            timeout: Duration::from_secs(10),
            refresh_margin: Duration::from_secs(5 * 60),
            android_channel_id: "order_updates".to_owned(),
        }
    }
}

/// [`PushSender`] over FCM HTTP v1. Share one instance (behind an `Arc`) per process: it
/// keeps the access token for every send.
pub struct FcmPush {
    client: reqwest::Client,
    /// `{api_base}/v1/projects/{project_id}/messages:send`
    send_url: String,
    project_id: String,
    tokens: TokenSource,
    options: FcmOptions,
}

impl fmt::Debug for FcmPush {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FcmPush")
            .field("project_id", &self.project_id)
            .field("send_url", &self.send_url)
            .field("token_uri", &self.tokens.token_uri())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// How one device ended.
enum Outcome {
    Delivered,
    Invalid,
    Retry,
    Refused,
    /// No usable access token (endpoint down after a 401, or FCM refusing our account).
    Credentials(Error),
}

impl FcmPush {
    /// Builds the sender from a service-account key file's JSON (see
    /// [`load_service_account`] for reading `FCM_SERVICE_ACCOUNT` /
    /// `GOOGLE_APPLICATION_CREDENTIALS`, which may hold a path or the JSON).
    ///
    /// Fails with [`Error::Validation`] (field `serviceAccount`) when the JSON is not a
    /// service-account key with a project id, an e-mail and an RSA PEM key, and when an option
    /// is unusable. Sends nothing: credentials are first tried on the first send.
    pub fn from_service_account(json: &str, options: FcmOptions) -> Result<Self, Error> {
        Self::new(ServiceAccount::from_json(json)?, options)
    }

    /// Builds the sender from an already parsed [`ServiceAccount`].
    pub fn new(account: ServiceAccount, options: FcmOptions) -> Result<Self, Error> {
        let key = account.signing_key()?;
        if options.max_attempts == 0 || options.concurrency == 0 {
            return Err(Error::validation(
                "fcmOptions",
                "max_attempts and concurrency must be at least 1",
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(Error::internal)?;
        let api_base = options.api_base.as_deref().unwrap_or(FCM_API_BASE);
        let send_url = format!(
            "{}/v1/projects/{}/messages:send",
            api_base.trim_end_matches('/'),
            account.project_id
        );
        let token_uri = options
            .token_uri
            .clone()
            .or_else(|| account.token_uri.clone())
            .unwrap_or_else(|| GOOGLE_TOKEN_URI.to_owned());
        let tokens = TokenSource::new(
            client.clone(),
            token_uri,
            account.client_email,
            key,
            account.private_key_id,
            options.refresh_margin,
        );
        Ok(Self {
            client,
            send_url,
            project_id: account.project_id,
            tokens,
            options,
        })
    }

    /// The Firebase project messages are sent for.
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// The wait before try `attempt + 1`: exponential with jitter, at least what the server
    /// asked for. `None` when the server asks for longer than we hold a send.
    fn backoff(&self, attempt: u32, asked: Option<Duration>) -> Option<Duration> {
        let cap = self.options.max_retry_after;
        if asked.is_some_and(|asked| asked > cap) {
            return None;
        }
        let base = self.options.backoff_base;
        let exponential = base.saturating_mul(1 << (attempt - 1).min(16));
        let jitter = base.mul_f64(rand::thread_rng().gen_range(0.0..1.0));
        let wait = (exponential + jitter).max(asked.unwrap_or_default());
        Some(wait.min(cap))
    }

    async fn send_one(&self, body: &serde_json::Value, device: &str) -> Outcome {
        let mut attempt = 1;
        let mut refreshed = false;
        loop {
            let access = match self.tokens.get().await {
                Ok(access) => access,
                Err(e) => return Outcome::Credentials(e),
            };
            let response = self
                .client
                .post(&self.send_url)
                .bearer_auth(&access)
                .json(body)
                .send()
                .await;
            let asked = match response {
                Err(e) => {
                    tracing::warn!(target: "bakery::push", provider = "fcm", device = %wire::redact(device), attempt, error = %e, "push request failed");
                    None
                }
                Ok(response) => {
                    let status = response.status();
                    let asked = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(wire::retry_after);
                    let bytes = response.bytes().await.unwrap_or_default();
                    let error = wire::ErrorBody::parse(&bytes);
                    let code = error.fcm_code().unwrap_or_default();
                    match wire::classify(status, &error) {
                        Answer::Delivered => {
                            tracing::debug!(target: "bakery::push", provider = "fcm", device = %wire::redact(device), "push delivered to FCM");
                            return Outcome::Delivered;
                        }
                        Answer::InvalidToken => {
                            tracing::info!(target: "bakery::push", provider = "fcm", device = %wire::redact(device), http_status = status.as_u16(), code = %code, "device token no longer valid");
                            return Outcome::Invalid;
                        }
                        Answer::Unauthenticated if !refreshed => {
                            tracing::info!(target: "bakery::push", provider = "fcm", "FCM refused the access token; getting a new one");
                            self.tokens.invalidate(&access).await;
                            refreshed = true;
                            continue;
                        }
                        Answer::Unauthenticated | Answer::PermissionDenied => {
                            tracing::error!(target: "bakery::push", provider = "fcm", http_status = status.as_u16(), status = %error.error.status, message = %error.error.message, project_id = %self.project_id, "FCM refused the service account: it needs the Firebase Cloud Messaging API enabled and a role allowed to send (e.g. Firebase Admin) in this project");
                            return Outcome::Credentials(Error::Unavailable(format!(
                                "push notifications could not be sent: FCM refused the service account (HTTP {})",
                                status.as_u16()
                            )));
                        }
                        Answer::Refused => {
                            tracing::error!(target: "bakery::push", provider = "fcm", device = %wire::redact(device), http_status = status.as_u16(), status = %error.error.status, code = %code, message = %error.error.message, "FCM refused the message; not retried");
                            return Outcome::Refused;
                        }
                        Answer::Transient => {
                            tracing::warn!(target: "bakery::push", provider = "fcm", device = %wire::redact(device), attempt, http_status = status.as_u16(), code = %code, retry_after_ms = asked.map(|d| d.as_millis() as u64), "FCM busy or failing");
                            asked
                        }
                    }
                }
            };
            if attempt >= self.options.max_attempts {
                return Outcome::Retry;
            }
            let Some(wait) = self.backoff(attempt, asked) else {
                return Outcome::Retry;
            };
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

#[async_trait]
impl PushSender for FcmPush {
    fn backend(&self) -> &'static str {
        "fcm"
    }

    async fn send(&self, message: &PushMessage) -> Result<PushReport, Error> {
        let mut devices: Vec<&str> = Vec::with_capacity(message.device_tokens.len());
        for device in &message.device_tokens {
            if !device.is_empty() && !devices.contains(&device.as_str()) {
                devices.push(device);
            }
        }
        if devices.is_empty() {
            return Ok(PushReport::default());
        }
        // No access token, no attempt: the whole send fails and the caller may try later.
        self.tokens.get().await?;
        let data = wire::data_of(message);
        let channel = self.options.android_channel_id.as_str();
        // The futures are built first: a mapping closure inside the stream would make the
        // whole future too lifetime-generic for `async_trait`'s `Send` bound.
        let sends: Vec<_> = devices
            .iter()
            .map(|&device| {
                let body = wire::message_body(message, &data, device, channel);
                async move {
                    let outcome = self.send_one(&body, device).await;
                    (device, outcome)
                }
            })
            .collect();
        let outcomes: Vec<(&str, Outcome)> = stream::iter(sends)
            .buffered(self.options.concurrency)
            .collect()
            .await;

        let mut report = PushReport::default();
        let mut credentials: Option<Error> = None;
        for (device, outcome) in outcomes {
            match outcome {
                Outcome::Delivered => report.delivered += 1,
                Outcome::Invalid => report.invalid_tokens.push(device.to_owned()),
                Outcome::Retry => report.retry_tokens.push(device.to_owned()),
                Outcome::Refused => {}
                Outcome::Credentials(e) => {
                    report.retry_tokens.push(device.to_owned());
                    credentials.get_or_insert(e);
                }
            }
        }
        // Our credentials stopped working and nothing got through: that is the send failing,
        // not the devices. (With some delivered, the report says which to try again.)
        if let Some(e) = credentials {
            if report.delivered == 0 {
                return Err(e);
            }
        }
        tracing::info!(target: "bakery::push", provider = "fcm", delivered = report.delivered, invalid = report.invalid_tokens.len(), retry = report.retry_tokens.len(), "push sent");
        Ok(report)
    }
}

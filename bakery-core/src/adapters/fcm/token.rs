//! OAuth2 access tokens for the service account (Google's "JWT bearer" grant, RFC 7523).
//!
//! A JWT signed RS256 with the account's key — `iss` the account's e-mail, `scope` FCM's,
//! `aud` the token endpoint, `iat` now and `exp` an hour later — is posted as
//! `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`; Google answers
//! `{access_token, expires_in, token_type}`. The token is cached until shortly before it
//! expires, and one fetch serves every send waiting for it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::error::Error;

/// The scope that lets the token send FCM messages.
pub const FCM_SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";

/// What the grant asks for: the longest lifetime Google allows.
const ASSERTION_LIFETIME_SECS: i64 = 3600;

/// After a failed fetch, sends that were waiting for it (or come right after) get the same
/// error instead of each trying again against an endpoint that just failed.
const FAILURE_COOLDOWN: Duration = Duration::from_secs(1);

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

/// Google's answer to a granted assertion.
#[derive(Deserialize)]
struct Granted {
    access_token: String,
    expires_in: Option<u64>,
}

/// Google's answer to a refused one (`invalid_grant`, `unauthorized_client`, ...).
#[derive(Deserialize, Default)]
struct Refused {
    error: Option<String>,
    error_description: Option<String>,
}

struct Cached {
    value: Arc<str>,
    refresh_at: Instant,
}

#[derive(Default)]
struct State {
    token: Option<Cached>,
    failed: Option<(Instant, String)>,
}

/// Hands out the current access token, fetching a new one when there is none or it is about
/// to expire.
pub(crate) struct TokenSource {
    client: reqwest::Client,
    token_uri: String,
    client_email: String,
    key: EncodingKey,
    key_id: Option<String>,
    refresh_margin: Duration,
    state: Mutex<State>,
}

impl TokenSource {
    pub(crate) fn new(
        client: reqwest::Client,
        token_uri: String,
        client_email: String,
        key: EncodingKey,
        key_id: Option<String>,
        refresh_margin: Duration,
    ) -> Self {
        Self {
            client,
            token_uri,
            client_email,
            key,
            key_id,
            refresh_margin,
            state: Mutex::new(State::default()),
        }
    }

    pub(crate) fn token_uri(&self) -> &str {
        &self.token_uri
    }

    /// The token to send with. Holding the lock across the fetch is what makes it single
    /// flight: concurrent callers queue behind the one fetching and then find its token.
    pub(crate) async fn get(&self) -> Result<Arc<str>, Error> {
        let mut state = self.state.lock().await;
        if let Some(token) = &state.token {
            if Instant::now() < token.refresh_at {
                return Ok(token.value.clone());
            }
        }
        if let Some((at, reason)) = &state.failed {
            if at.elapsed() < FAILURE_COOLDOWN {
                return Err(unavailable(reason));
            }
        }
        match self.fetch().await {
            Ok(token) => {
                let value = token.value.clone();
                state.token = Some(token);
                state.failed = None;
                Ok(value)
            }
            Err(reason) => {
                state.token = None;
                let err = unavailable(&reason);
                state.failed = Some((Instant::now(), reason));
                Err(err)
            }
        }
    }

    /// FCM refused `used` (401): forget it, unless another send has already replaced it.
    pub(crate) async fn invalidate(&self, used: &str) {
        let mut state = self.state.lock().await;
        if state.token.as_ref().is_some_and(|t| &*t.value == used) {
            state.token = None;
        }
    }

    fn assertion(&self) -> Result<String, String> {
        let iat = chrono::Utc::now().timestamp();
        let claims = Claims {
            iss: &self.client_email,
            scope: FCM_SCOPE,
            aud: &self.token_uri,
            iat,
            exp: iat + ASSERTION_LIFETIME_SECS,
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = self.key_id.clone();
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|e| format!("the assertion could not be signed ({e})"))
    }

    /// One grant request. The error is a reason safe to log and to return (no secret in it).
    async fn fetch(&self) -> Result<Cached, String> {
        let assertion = self.assertion()?;
        let started = Instant::now();
        let response = self
            .client
            .post(&self.token_uri)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion.as_str()),
            ])
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(e) => {
                let what = if e.is_timeout() {
                    "timed out"
                } else if e.is_connect() {
                    "could not connect"
                } else {
                    "request failed"
                };
                tracing::warn!(target: "bakery::push", provider = "fcm", token_uri = %self.token_uri, error = %e, "access token: {what}");
                return Err(format!("the token endpoint {what}"));
            }
        };
        let status = response.status();
        let bytes = response.bytes().await.unwrap_or_default();
        if status.is_success() {
            let granted: Granted = serde_json::from_slice(&bytes).map_err(|_| {
                tracing::warn!(target: "bakery::push", provider = "fcm", token_uri = %self.token_uri, "access token: the token endpoint's answer has no access_token");
                "the token endpoint's answer has no access token".to_owned()
            })?;
            let lifetime = Duration::from_secs(granted.expires_in.unwrap_or(3600).max(1));
            // Refresh a few minutes early (or halfway, for a short-lived token) so that a
            // token never expires between being handed out and being used.
            let margin = self.refresh_margin.min(lifetime / 2);
            tracing::debug!(target: "bakery::push", provider = "fcm", expires_in_secs = lifetime.as_secs(), "access token obtained");
            return Ok(Cached {
                value: granted.access_token.into(),
                refresh_at: started + lifetime - margin,
            });
        }
        let refused: Refused = serde_json::from_slice(&bytes).unwrap_or_default();
        let error = refused.error.unwrap_or_default();
        let description = refused.error_description.unwrap_or_default();
        if status.is_client_error() {
            tracing::error!(target: "bakery::push", provider = "fcm", http_status = status.as_u16(), error = %error, description = %description, client_email = %self.client_email, "Google refused the service account's credentials: check FCM_SERVICE_ACCOUNT (a current key of a service account of the Firebase project); no push was sent");
            Err(format!(
                "the token endpoint refused the service account (HTTP {}{}{})",
                status.as_u16(),
                if error.is_empty() { "" } else { ": " },
                error
            ))
        } else {
            tracing::warn!(target: "bakery::push", provider = "fcm", http_status = status.as_u16(), error = %error, description = %description, "access token: the token endpoint failed");
            Err(format!(
                "the token endpoint failed (HTTP {})",
                status.as_u16()
            ))
        }
    }
}

fn unavailable(reason: &str) -> Error {
    Error::Unavailable(format!(
        "push notifications could not be sent: no FCM access token ({reason})"
    ))
}

//! Tokens and the one automatic refresh.

use std::future::Future;
use std::sync::{Arc, RwLock};

use crate::generated::{types, Client, Error, ResponseValue};

/// The error every generated call returns: the server's `{code, message, details}` body for
/// non-2xx answers, or a transport failure.
pub type ApiError = Error<types::ErrorBody>;

/// A signed-in session as the client keeps it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
}

type TokensChanged = Arc<dyn Fn(Option<&Tokens>) + Send + Sync>;

/// The generated [`Client`] plus a token store.
///
/// Every call made through [`BakeryClient::call`] carries the current access token. When the
/// server answers 401 and a refresh token is held, the client exchanges it once and repeats
/// the call once. Concurrent calls that hit the same expiry share one refresh, because
/// refresh tokens are single-use and presenting one twice signs the user out everywhere.
#[derive(Clone)]
pub struct BakeryClient {
    base_url: String,
    state: Arc<RwLock<State>>,
    refreshing: Arc<tokio::sync::Mutex<()>>,
    on_change: Option<TokensChanged>,
}

struct State {
    tokens: Option<Tokens>,
    api: Client,
}

impl BakeryClient {
    /// A client without a session, for browsing and signing in.
    pub fn new(base_url: &str) -> Self {
        let base_url = base_url.trim_end_matches('/').to_owned();
        let api = build_api(&base_url, None);
        Self {
            base_url,
            state: Arc::new(RwLock::new(State { tokens: None, api })),
            refreshing: Arc::new(tokio::sync::Mutex::new(())),
            on_change: None,
        }
    }

    /// A client resuming a saved session.
    pub fn with_tokens(base_url: &str, tokens: Tokens) -> Self {
        let client = Self::new(base_url);
        client.store_tokens(Some(tokens));
        client
    }

    /// Called with the new tokens after every sign-in, refresh and sign-out, so an app can
    /// persist them (the CLI writes its token file).
    pub fn on_tokens_changed(
        mut self,
        callback: impl Fn(Option<&Tokens>) + Send + Sync + 'static,
    ) -> Self {
        self.on_change = Some(Arc::new(callback));
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The generated client carrying the current access token.
    pub fn api(&self) -> Client {
        self.read().api.clone()
    }

    pub fn tokens(&self) -> Option<Tokens> {
        self.read().tokens.clone()
    }

    /// Replaces the session (after a sign-in) or clears it (`None`, after a sign-out).
    pub fn set_tokens(&self, tokens: Option<Tokens>) {
        self.store_tokens(tokens);
        if let Some(callback) = &self.on_change {
            callback(self.tokens().as_ref());
        }
    }

    /// Runs one generated call; on 401 refreshes the session once and runs it again.
    pub async fn call<T, F, Fut>(&self, op: F) -> Result<ResponseValue<T>, ApiError>
    where
        F: Fn(Client) -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, ApiError>>,
    {
        let used = self.tokens();
        match op(self.api()).await {
            Err(e) if is_unauthorized(&e) && used.is_some() => {
                if self.refresh_after(used.as_ref()).await.is_err() {
                    return Err(e);
                }
                op(self.api()).await
            }
            other => other,
        }
    }

    /// Exchanges the refresh token for a new pair now.
    pub async fn refresh(&self) -> Result<Tokens, ApiError> {
        let used = self.tokens();
        self.refresh_after(used.as_ref()).await
    }

    /// Refreshes unless another task already did since `used` was read.
    async fn refresh_after(&self, used: Option<&Tokens>) -> Result<Tokens, ApiError> {
        let _one_at_a_time = self.refreshing.lock().await;
        let current = self.tokens();
        if let (Some(current), Some(used)) = (&current, used) {
            if current != used {
                return Ok(current.clone());
            }
        }
        let Some(current) = current else {
            return Err(Error::InvalidRequest("not signed in".into()));
        };
        let answer = crate::refresh::exchange(&self.api(), &current.refresh_token).await;
        match answer {
            Ok(tokens) => {
                self.set_tokens(Some(tokens.clone()));
                Ok(tokens)
            }
            Err(e) => {
                if is_unauthorized(&e) {
                    self.set_tokens(None);
                }
                Err(e)
            }
        }
    }

    fn store_tokens(&self, tokens: Option<Tokens>) {
        let api = build_api(
            &self.base_url,
            tokens.as_ref().map(|t| t.access_token.as_str()),
        );
        let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
        *state = State { tokens, api };
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// The token rides as a default header of a fresh reqwest client: progenitor ignores the
/// spec's security schemes, and tokens change rarely (every 15 minutes), so rebuilding on
/// change is simpler than a request hook.
fn build_api(base_url: &str, access_token: Option<&str>) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = access_token {
        if let Ok(mut value) = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")) {
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
    }
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap_or_default();
    Client::new_with_client(base_url, http)
}

fn is_unauthorized(e: &ApiError) -> bool {
    e.status().is_some_and(|s| s.as_u16() == 401)
}

impl From<&types::TokenResponse> for Tokens {
    fn from(answer: &types::TokenResponse) -> Self {
        Self {
            access_token: answer.access_token.clone(),
            refresh_token: answer.refresh_token.clone(),
        }
    }
}

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
        // The callback gets what was stored, not a re-read that a concurrent change could
        // already have replaced.
        self.store_tokens(tokens.clone());
        if let Some(callback) = &self.on_change {
            callback(tokens.as_ref());
        }
    }

    /// Runs one generated call; on 401 refreshes the session once and runs it again.
    ///
    /// When the refresh itself gets no answer (network, time-out, a 5xx), the session is kept
    /// and that error is returned: it, not the 401, is why the call failed, and the user need
    /// not sign in again. A refused refresh ends the session and the call's 401 stands.
    pub async fn call<T, F, Fut>(&self, op: F) -> Result<ResponseValue<T>, ApiError>
    where
        F: Fn(Client) -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, ApiError>>,
    {
        // Token and client from one read: on a 401, `refresh_after` must compare against the
        // tokens this very request carried.
        let (used, api) = {
            let state = self.read();
            (state.tokens.clone(), state.api.clone())
        };
        match op(api).await {
            Err(e) if is_unauthorized(&e) && used.is_some() => {
                match self.refresh_after(used.as_ref()).await {
                    Ok(_) => op(self.api()).await,
                    Err(refresh) if refresh_was_answered(&refresh) => Err(e),
                    Err(refresh) => Err(refresh),
                }
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

/// The server judged the refresh (a 4xx), or there was no session left to refresh.
fn refresh_was_answered(e: &ApiError) -> bool {
    matches!(e, Error::InvalidRequest(_)) || e.status().is_some_and(|s| s.is_client_error())
}

impl From<&types::TokenResponse> for Tokens {
    fn from(answer: &types::TokenResponse) -> Self {
        Self {
            access_token: answer.access_token.clone(),
            refresh_token: answer.refresh_token.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::Mutex;

    use super::*;

    /// A server that answers one request with 401, then is gone.
    fn answers_401_once() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("accept");
            // Closed before answering, so the refresh that follows cannot connect.
            drop(listener);
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let body = r#"{"code":"UNAUTHORIZED","message":"the access token expired"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        });
        url
    }

    #[tokio::test]
    async fn a_refresh_that_cannot_connect_keeps_the_session_and_says_why() {
        let tokens = Tokens {
            access_token: "expired".into(),
            refresh_token: "still-good".into(),
        };
        let changes = Arc::new(Mutex::new(0));
        let counter = changes.clone();
        let client = BakeryClient::with_tokens(&answers_401_once(), tokens.clone())
            .on_tokens_changed(move |_| *counter.lock().unwrap() += 1);

        let result = client
            .call(|api| async move { api.get_profile().send().await })
            .await;
        match result {
            Err(Error::CommunicationError(e)) => assert!(e.is_connect(), "{e:?}"),
            other => panic!("want the refresh's connection error, got {other:?}"),
        }
        assert_eq!(client.tokens(), Some(tokens), "the session is kept");
        assert_eq!(*changes.lock().unwrap(), 0, "nothing changed to persist");
    }
}

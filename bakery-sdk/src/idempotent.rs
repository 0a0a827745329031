//! Writes that are safe to retry: placing an order, creating a card intent, canceling.
//!
//! Each logical call gets a fresh `Idempotency-Key` (128 random bits); the client's own
//! retries of that call reuse it, so the server runs the write at most once and answers a
//! retry with the first answer. Retried, a bounded number of times: a request that may not
//! have reached the server or whose answer was lost (connection errors, time-outs), a 503
//! (overloaded, or a dependency down), and a 409 `IDEMPOTENCY_REQUEST_IN_PROGRESS` (the first
//! attempt is still running). Anything else is the call's answer.

use std::future::Future;
use std::time::Duration;

use rand::RngCore;

use crate::generated::{types, Client, Error, ResponseValue};
use crate::session::{ApiError, BakeryClient};

/// Attempts of one logical call, the first included.
pub const MAX_ATTEMPTS: u32 = 4;

/// The wait before the first retry; doubled for each next one.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// The longest wait before a retry, whatever `Retry-After` asks: a customer is waiting.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// A new key for one logical write: 128 random bits as 32 hex digits.
pub fn new_idempotency_key() -> String {
    let mut bits = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bits);
    bits.iter().map(|b| format!("{b:02x}")).collect()
}

impl BakeryClient {
    /// Runs one logical write under a fresh `Idempotency-Key` that `op` sends (the builders'
    /// `.idempotency_key(key)`), retrying it with the same key as the module docs say, and
    /// refreshing an expired session as [`BakeryClient::call`] does.
    pub async fn call_idempotent<T, F, Fut>(&self, op: F) -> Result<ResponseValue<T>, ApiError>
    where
        F: Fn(Client, String) -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, ApiError>>,
    {
        self.retry_with_key(new_idempotency_key(), op).await
    }

    /// [`BakeryClient::call_idempotent`] under a key the caller chose (one it kept to resume
    /// a logical call after a restart, say).
    pub async fn retry_with_key<T, F, Fut>(
        &self,
        key: String,
        op: F,
    ) -> Result<ResponseValue<T>, ApiError>
    where
        F: Fn(Client, String) -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, ApiError>>,
    {
        let mut attempt = 1;
        loop {
            let result = self.call(|api| op(api, key.clone())).await;
            match result {
                Err(e) if attempt < MAX_ATTEMPTS => match retry_after(&e, attempt) {
                    Some(wait) => {
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                    }
                    None => return Err(e),
                },
                other => return other,
            }
        }
    }

    /// Places an order, at most once however often the request has to be sent.
    pub async fn place_order(
        &self,
        body: types::PlaceOrderRequest,
    ) -> Result<ResponseValue<types::Order>, ApiError> {
        self.call_idempotent(|api, key| {
            let body = body.clone();
            async move {
                api.place_order()
                    .idempotency_key(key)
                    .body(body)
                    .send()
                    .await
            }
        })
        .await
    }

    /// Creates (or fetches again) the card PaymentIntent of an order, retried safely.
    pub async fn create_payment_intent(
        &self,
        body: types::PaymentOrderRequest,
    ) -> Result<ResponseValue<types::PaymentIntent>, ApiError> {
        self.call_idempotent(|api, key| {
            let body = body.clone();
            async move {
                api.create_payment_intent()
                    .idempotency_key(key)
                    .body(body)
                    .send()
                    .await
            }
        })
        .await
    }

    /// Cancels an order; a retry after a lost answer gets the cancel's answer, not a 409.
    pub async fn cancel_order(&self, id: &str) -> Result<ResponseValue<types::Order>, ApiError> {
        self.call_idempotent(|api, key| {
            let id = id.to_owned();
            async move { api.cancel_order().id(id).idempotency_key(key).send().await }
        })
        .await
    }
}

/// How long to wait before retrying after `e` on attempt `attempt` (from 1), or `None` when
/// `e` is the answer.
fn retry_after(e: &ApiError, attempt: u32) -> Option<Duration> {
    let backoff = FIRST_BACKOFF * 2u32.saturating_pow(attempt - 1);
    let asked = match e {
        // The request may or may not have reached the server: the key makes resending safe.
        Error::CommunicationError(_) | Error::ResponseBodyError(_) => None,
        Error::ErrorResponse(answer) => match (answer.status().as_u16(), &answer.code) {
            (503, _) => retry_after_header(answer.headers()),
            (409, types::ErrorCode::IdempotencyRequestInProgress) => None,
            _ => return None,
        },
        Error::UnexpectedResponse(answer) if answer.status().as_u16() == 503 => {
            retry_after_header(answer.headers())
        }
        _ => return None,
    };
    Some(asked.unwrap_or(backoff).max(backoff).min(MAX_BACKOFF))
}

fn retry_after_header(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A server answering one request per connection with each of `answers` (status, body)
    /// in turn, recording the `Idempotency-Key` of each request.
    fn scripted(answers: Vec<(u16, &'static str)>) -> (String, Arc<Mutex<Vec<Option<String>>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let keys = Arc::new(Mutex::new(Vec::new()));
        let seen = keys.clone();
        std::thread::spawn(move || {
            for (status, body) in answers {
                let Ok((mut stream, _)) = listener.accept() else {
                    return;
                };
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request).to_string();
                let key = text.lines().find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("idempotency-key")
                        .then(|| value.trim().to_owned())
                });
                seen.lock().unwrap().push(key);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n\
                     retry-after: 0\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        (url, keys)
    }

    #[tokio::test]
    async fn retries_reuse_the_key_until_an_answer_that_is_final() {
        let (url, keys) = scripted(vec![
            (503, r#"{"code":"BUSY","message":"busy"}"#),
            (
                409,
                r#"{"code":"IDEMPOTENCY_REQUEST_IN_PROGRESS","message":"running"}"#,
            ),
            (404, r#"{"code":"NOT_FOUND","message":"order not found"}"#),
            (500, r#"{"code":"INTERNAL","message":"never asked"}"#),
        ]);
        let client = BakeryClient::new(&url);
        let result = client.cancel_order("0123456789abcdef01234567").await;
        assert_eq!(
            result.err().and_then(|e| e.status()).map(|s| s.as_u16()),
            Some(404)
        );
        let keys = keys.lock().unwrap().clone();
        assert_eq!(keys.len(), 3, "{keys:?}");
        let first = keys[0].clone().expect("a key was sent");
        assert_eq!(first.len(), 32);
        assert!(
            keys.iter().all(|k| k.as_deref() == Some(first.as_str())),
            "{keys:?}"
        );
    }

    #[tokio::test]
    async fn retries_are_bounded_and_each_call_has_its_own_key() {
        let busy = (503, r#"{"code":"BUSY","message":"busy"}"#);
        let (url, keys) = scripted(vec![busy; 5]);
        let client = BakeryClient::new(&url);
        let result = client.cancel_order("0123456789abcdef01234567").await;
        assert_eq!(
            result.err().and_then(|e| e.status()).map(|s| s.as_u16()),
            Some(503)
        );
        let _ = client.cancel_order("0123456789abcdef01234567").await;
        let keys = keys.lock().unwrap().clone();
        assert_eq!(keys.len(), MAX_ATTEMPTS as usize + 1, "{keys:?}");
        let first = &keys[..MAX_ATTEMPTS as usize];
        assert!(first.iter().all(|k| *k == keys[0]), "{keys:?}");
        assert_ne!(
            keys[MAX_ATTEMPTS as usize], keys[0],
            "a new call, a new key"
        );
    }

    #[test]
    fn keys_are_fresh_128_bit_hex() {
        let (a, b) = (new_idempotency_key(), new_idempotency_key());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}

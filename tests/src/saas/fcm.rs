//! A fake of Google's OAuth2 token endpoint and FCM's HTTP v1 send endpoint, keeping every
//! message it accepted; it can be put in an outage (503 UNAVAILABLE, as FCM answers then).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const PROJECT: &str = "e2e-bakery";
const ACCESS_TOKEN: &str = "ya29.e2e-access-token";
/// Test-only key (see testdata/README.md).
const KEY: &str = include_str!("testdata/fcm_test_key.pem");

/// One push as FCM received it.
#[derive(Clone, Debug)]
pub struct SentPush {
    pub token: String,
    pub title: String,
    pub body: String,
    /// The `data` map (`type`, `orderId`, `status`).
    pub data: Value,
}

pub struct FcmFake {
    server: MockServer,
    key_file: tempfile::NamedTempFile,
    up: Arc<AtomicBool>,
    accepted: Arc<Mutex<Vec<SentPush>>>,
}

impl FcmFake {
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": ACCESS_TOKEN,
                "expires_in": 3599,
                "token_type": "Bearer"
            })))
            .mount(&server)
            .await;
        let up = Arc::new(AtomicBool::new(true));
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let (is_up, kept) = (up.clone(), accepted.clone());
        Mock::given(method("POST"))
            .and(path(format!("/v1/projects/{PROJECT}/messages:send")))
            .respond_with(move |request: &Request| {
                if !is_up.load(Ordering::SeqCst) {
                    return ResponseTemplate::new(503).set_body_json(json!({
                        "error": {
                            "code": 503,
                            "message": "The service is currently unavailable.",
                            "status": "UNAVAILABLE"
                        }
                    }));
                }
                let auth = request
                    .headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok());
                if auth != Some(&format!("Bearer {ACCESS_TOKEN}")) {
                    return ResponseTemplate::new(401).set_body_json(json!({
                        "error": { "code": 401, "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED" }
                    }));
                }
                let Some(push) = parse(&request.body) else {
                    return ResponseTemplate::new(400).set_body_json(json!({
                        "error": { "code": 400, "message": "Invalid JSON payload received.", "status": "INVALID_ARGUMENT" }
                    }));
                };
                kept.lock().unwrap().push(push);
                ResponseTemplate::new(200).set_body_json(json!({
                    "name": format!("projects/{PROJECT}/messages/0:e2e")
                }))
            })
            .mount(&server)
            .await;
        let key_file = tempfile::NamedTempFile::new().expect("temp file");
        let account = json!({
            "type": "service_account",
            "project_id": PROJECT,
            "private_key_id": "e2e0000000000000000000000000000000000000",
            "private_key": KEY,
            "client_email": format!("fcm@{PROJECT}.iam.gserviceaccount.com"),
            "token_uri": format!("{}/token", server.uri()),
        });
        std::fs::write(key_file.path(), account.to_string()).expect("write the key file");
        Self {
            server,
            key_file,
            up,
            accepted,
        }
    }

    /// The variables that make a server push through this fake.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "FCM_SERVICE_ACCOUNT",
                self.key_file.path().to_string_lossy().into_owned(),
            ),
            ("FCM_API_BASE", self.server.uri()),
        ]
    }

    /// Starts or ends an outage: while down, every send is refused with 503.
    pub fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
    }

    /// Every message accepted so far, oldest first; each came with the token the fake's
    /// token endpoint issued.
    pub async fn pushes(&self) -> Vec<SentPush> {
        self.accepted.lock().unwrap().clone()
    }
}

/// A v1 send body: `{"message": {"token", "notification": {"title", "body"}, "data"}}`.
fn parse(body: &[u8]) -> Option<SentPush> {
    let body: Value = serde_json::from_slice(body).ok()?;
    let message = body.get("message")?;
    let text = |v: &Value| v.as_str().map(str::to_owned);
    Some(SentPush {
        token: text(&message["token"])?,
        title: text(&message["notification"]["title"])?,
        body: text(&message["notification"]["body"])?,
        data: message["data"].clone(),
    })
}

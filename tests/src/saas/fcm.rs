//! A fake of Google's OAuth2 token endpoint and FCM's HTTP v1 send endpoint, keeping every
//! message it was sent.

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const PROJECT: &str = "e2e-bakery";
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
}

impl FcmFake {
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": "ya29.e2e-access-token",
                "expires_in": 3599,
                "token_type": "Bearer"
            })))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("/v1/projects/{PROJECT}/messages:send")))
            .respond_with(|_: &Request| {
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
        Self { server, key_file }
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

    /// Every message sent so far, oldest first. Each one was sent with the fake's bearer
    /// token, which the server can only have from the token endpoint.
    pub async fn pushes(&self) -> Vec<SentPush> {
        let requests = self.server.received_requests().await.unwrap_or_default();
        requests
            .iter()
            .filter(|r| r.url.path().ends_with("messages:send"))
            .map(|r| {
                let auth = r.headers.get("authorization").and_then(|v| v.to_str().ok());
                assert_eq!(
                    auth,
                    Some("Bearer ya29.e2e-access-token"),
                    "push without the token"
                );
                let body: Value = serde_json::from_slice(&r.body).expect("a JSON message");
                let message = &body["message"];
                SentPush {
                    token: message["token"].as_str().unwrap_or_default().to_owned(),
                    title: message["notification"]["title"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    body: message["notification"]["body"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    data: message["data"].clone(),
                }
            })
            .collect()
    }
}

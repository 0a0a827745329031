//! The adapter against a local fake of Google's token endpoint and of FCM's `messages:send`
//! that check what the real ones check: the token endpoint verifies the JWT assertion with the
//! service account's public key (signature, issuer, audience, scope, lifetime), FCM checks the
//! bearer token, the project in the path and the message's JSON shape. Both answer with
//! Google's bodies and status codes.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::*;
use crate::domain::Id;

const PROJECT: &str = "crumb-and-co-test";
const EMAIL: &str = "fcm-sender@crumb-and-co-test.iam.gserviceaccount.com";
const KEY_ID: &str = "5f1c0ffee0ddba11ca5e0123456789abcdef0123";
/// Test-only keys (see testdata/README.md).
const KEY: &str = include_str!("testdata/test_key.pem");
const PUBLIC_KEY: &str = include_str!("testdata/test_key.pub.pem");
const OTHER_KEY: &str = include_str!("testdata/other_key.pem");
const FCM_ERROR: &str = "type.googleapis.com/google.firebase.fcm.v1.FcmError";

fn send_path() -> String {
    format!("/v1/projects/{PROJECT}/messages:send")
}

/// A key file as the Firebase console downloads it.
fn key_file(private_key: &str, token_uri: &str) -> String {
    json!({
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": KEY_ID,
        "private_key": private_key,
        "client_email": EMAIL,
        "client_id": "104729011828150312345",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/fcm-sender%40crumb-and-co-test.iam.gserviceaccount.com",
        "universe_domain": "googleapis.com"
    })
    .to_string()
}

/// Google's error body (`google.rpc.Status`), with FCM's error code when it gives one.
fn google_error(
    code: u16,
    status: &str,
    message: &str,
    fcm_code: Option<&str>,
) -> ResponseTemplate {
    let mut error = json!({ "code": code, "message": message, "status": status });
    if let Some(fcm_code) = fcm_code {
        error["details"] = json!([{ "@type": FCM_ERROR, "errorCode": fcm_code }]);
    }
    ResponseTemplate::new(code).set_body_json(json!({ "error": error }))
}

fn unregistered() -> ResponseTemplate {
    google_error(
        404,
        "NOT_FOUND",
        "Requested entity was not found.",
        Some("UNREGISTERED"),
    )
}

fn quota_exceeded(retry_after: &str) -> ResponseTemplate {
    google_error(
        429,
        "RESOURCE_EXHAUSTED",
        "Quota exceeded for quota metric 'Send requests' and limit 'Send requests per minute'.",
        Some("QUOTA_EXCEEDED"),
    )
    .insert_header("retry-after", retry_after)
}

fn unavailable() -> ResponseTemplate {
    google_error(
        503,
        "UNAVAILABLE",
        "The service is currently unavailable.",
        Some("UNAVAILABLE"),
    )
}

fn unauthenticated() -> ResponseTemplate {
    google_error(
        401,
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        None,
    )
}

/// A 400 about the payload, as FCM words a field it cannot take.
fn bad_payload(field: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(json!({
        "error": {
            "code": 400,
            "message": message,
            "status": "INVALID_ARGUMENT",
            "details": [
                { "@type": "type.googleapis.com/google.rpc.BadRequest",
                  "fieldViolations": [{ "field": field, "description": message }] },
                { "@type": FCM_ERROR, "errorCode": "INVALID_ARGUMENT" }
            ]
        }
    }))
}

#[derive(Default)]
struct FakeState {
    token_requests: AtomicUsize,
    /// Access tokens handed out, with when each stops working.
    issued: Mutex<HashMap<String, Instant>>,
    lifetime_secs: AtomicU64,
    token_delay_ms: AtomicU64,
    /// FCM refuses every bearer token (a service account that lost its role).
    refuse_all: AtomicBool,
    /// Per device token, answers FCM gives before it delivers.
    scripts: Mutex<HashMap<String, VecDeque<ResponseTemplate>>>,
    sent: AtomicUsize,
}

struct Fake {
    server: MockServer,
    state: Arc<FakeState>,
}

impl Fake {
    async fn start() -> Self {
        let server = MockServer::start().await;
        let state = Arc::new(FakeState::default());
        state.lifetime_secs.store(3599, Ordering::SeqCst);
        let token_uri = format!("{}/token", server.uri());

        let s = state.clone();
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(move |req: &Request| token_endpoint(&s, &token_uri, req))
            .mount(&server)
            .await;
        let s = state.clone();
        Mock::given(method("POST"))
            .and(path(send_path()))
            .respond_with(move |req: &Request| fcm_endpoint(&s, req))
            .mount(&server)
            .await;
        Self { server, state }
    }

    fn token_uri(&self) -> String {
        format!("{}/token", self.server.uri())
    }

    /// The adapter as the server sets it up for tests: the key file names Google's token
    /// endpoint, `FCM_TOKEN_URI` and `FCM_API_BASE` point at the fake.
    fn push_with(&self, options: FcmOptions) -> FcmPush {
        FcmPush::from_service_account(
            &key_file(KEY, GOOGLE_TOKEN_URI),
            FcmOptions {
                api_base: Some(self.server.uri()),
                token_uri: Some(self.token_uri()),
                ..options
            },
        )
        .unwrap()
    }

    fn push(&self) -> FcmPush {
        self.push_with(fast())
    }

    fn script(&self, device: &str, answers: Vec<ResponseTemplate>) {
        self.state
            .scripts
            .lock()
            .unwrap()
            .insert(device.to_owned(), answers.into());
    }

    fn token_requests(&self) -> usize {
        self.state.token_requests.load(Ordering::SeqCst)
    }

    /// The JSON bodies FCM received, in order, with the bearer token of each.
    async fn sends(&self) -> Vec<(Value, String)> {
        self.server
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.url.path() == send_path())
            .map(|r| {
                let bearer = r
                    .headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                (serde_json::from_slice(&r.body).unwrap(), bearer)
            })
            .collect()
    }

    async fn sends_to(&self, device: &str) -> usize {
        self.sends()
            .await
            .iter()
            .filter(|(body, _)| body["message"]["token"] == device)
            .count()
    }
}

/// Google's token endpoint: verifies the assertion as Google does, then grants a token.
fn token_endpoint(state: &FakeState, token_uri: &str, req: &Request) -> ResponseTemplate {
    let n = state.token_requests.fetch_add(1, Ordering::SeqCst) + 1;
    let refuse = |error: &str, description: &str| {
        ResponseTemplate::new(400)
            .set_body_json(json!({ "error": error, "error_description": description }))
    };
    let content_type = req
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type != "application/x-www-form-urlencoded" {
        return refuse("invalid_request", "Bad Request");
    }
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&req.body).unwrap();
    if form.get("grant_type").map(String::as_str)
        != Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    {
        return refuse("unsupported_grant_type", "Invalid grant_type");
    }
    let Some(assertion) = form.get("assertion") else {
        return refuse("invalid_request", "Missing required parameter: assertion");
    };
    let header = match jsonwebtoken::decode_header(assertion) {
        Ok(header) => header,
        Err(_) => return refuse("invalid_grant", "Invalid JWT Signature."),
    };
    if header.alg != Algorithm::RS256 || header.kid.as_deref() != Some(KEY_ID) {
        return refuse("invalid_grant", "Invalid JWT Signature.");
    }
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[token_uri]);
    validation.set_issuer(&[EMAIL]);
    validation.set_required_spec_claims(&["iss", "aud", "exp", "iat"]);
    validation.leeway = 0;
    let key = DecodingKey::from_rsa_pem(PUBLIC_KEY.as_bytes()).unwrap();
    let claims = match jsonwebtoken::decode::<Value>(assertion, &key, &validation) {
        Ok(data) => data.claims,
        Err(_) => return refuse("invalid_grant", "Invalid JWT Signature."),
    };
    if claims["scope"] != FCM_SCOPE {
        return refuse(
            "invalid_scope",
            "Invalid OAuth scope or ID token audience provided.",
        );
    }
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap_or_default(),
        claims["exp"].as_i64().unwrap_or_default(),
    );
    let now = chrono::Utc::now().timestamp();
    if exp - iat > 3600 || exp <= iat || (iat - now).abs() > 60 {
        return refuse(
            "invalid_grant",
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.",
        );
    }
    let lifetime = state.lifetime_secs.load(Ordering::SeqCst);
    let access_token = format!("ya29.fake-access-token-{n}");
    state.issued.lock().unwrap().insert(
        access_token.clone(),
        Instant::now() + Duration::from_secs(lifetime),
    );
    ResponseTemplate::new(200)
        .set_body_json(json!({
            "access_token": access_token,
            "expires_in": lifetime,
            "token_type": "Bearer"
        }))
        .set_delay(Duration::from_millis(
            state.token_delay_ms.load(Ordering::SeqCst),
        ))
}

/// FCM's `messages:send`: the bearer token must be one the token endpoint issued and still
/// live, the message must have the shape FCM accepts; then the device's script answers, or
/// FCM's 200.
fn fcm_endpoint(state: &FakeState, req: &Request) -> ResponseTemplate {
    let bearer = req
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let live = state
        .issued
        .lock()
        .unwrap()
        .get(bearer)
        .is_some_and(|expires| Instant::now() < *expires);
    if !live || state.refuse_all.load(Ordering::SeqCst) {
        return unauthenticated();
    }
    let content_type = req
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/json") {
        return bad_payload("", "Invalid JSON payload received.");
    }
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return bad_payload("", "Invalid JSON payload received.");
    };
    if let Err((field, message)) = check_message(&body) {
        return bad_payload(&field, &message);
    }
    let device = body["message"]["token"].as_str().unwrap().to_owned();
    if let Some(answer) = state
        .scripts
        .lock()
        .unwrap()
        .get_mut(&device)
        .and_then(VecDeque::pop_front)
    {
        return answer;
    }
    let n = state.sent.fetch_add(1, Ordering::SeqCst);
    ResponseTemplate::new(200).set_body_json(
        json!({ "name": format!("projects/{PROJECT}/messages/0:17000000000000{n:02}%31bd1b2c00000000") }),
    )
}

/// What FCM's v1 API validates about a message sent to one token (the fields we use).
fn check_message(body: &Value) -> Result<(), (String, String)> {
    let fail = |field: &str, message: &str| Err((field.to_owned(), message.to_owned()));
    let object_with = |v: &Value, at: &str, allowed: &[&str]| -> Result<(), (String, String)> {
        let Some(object) = v.as_object() else {
            return Err((at.to_owned(), format!("Invalid value at '{at}'")));
        };
        match object.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(unknown) => Err((
                at.to_owned(),
                format!("Invalid JSON payload received. Unknown name \"{unknown}\" at '{at}'"),
            )),
            None => Ok(()),
        }
    };
    let strings = |v: &Value, at: &str| -> Result<(), (String, String)> {
        match v.as_object() {
            Some(o) if o.values().all(Value::is_string) => Ok(()),
            _ => Err((at.to_owned(), format!("Invalid value at '{at}'"))),
        }
    };
    object_with(body, "", &["message", "validate_only"])?;
    let message = &body["message"];
    object_with(
        message,
        "message",
        &[
            "name",
            "token",
            "topic",
            "condition",
            "notification",
            "data",
            "android",
            "apns",
            "webpush",
            "fcm_options",
        ],
    )?;
    match message["token"].as_str() {
        Some(t) if !t.is_empty() => {}
        _ => return fail("message.token", "Recipient of the message is not set."),
    }
    let notification = &message["notification"];
    object_with(
        notification,
        "message.notification",
        &["title", "body", "image"],
    )?;
    if !notification["title"].is_string() || !notification["body"].is_string() {
        return fail(
            "message.notification",
            "Invalid value at 'message.notification'",
        );
    }
    strings(&message["data"], "message.data")?;
    for key in message["data"].as_object().unwrap().keys() {
        let lower = key.to_ascii_lowercase();
        if ["from", "notification", "message_type"].contains(&lower.as_str())
            || lower.starts_with("google")
            || lower.starts_with("gcm")
        {
            return fail("message.data", &format!("Invalid data payload key: {key}"));
        }
    }
    let android = &message["android"];
    object_with(
        android,
        "message.android",
        &[
            "collapse_key",
            "priority",
            "ttl",
            "restricted_package_name",
            "data",
            "notification",
            "fcm_options",
            "direct_boot_ok",
        ],
    )?;
    if !matches!(
        android["priority"].as_str(),
        Some("high" | "normal" | "HIGH" | "NORMAL")
    ) {
        return fail(
            "message.android.priority",
            "Invalid value at 'message.android.priority'",
        );
    }
    object_with(
        &android["notification"],
        "message.android.notification",
        &[
            "title",
            "body",
            "icon",
            "color",
            "sound",
            "tag",
            "click_action",
            "channel_id",
            "image",
            "ticker",
            "sticky",
            "notification_priority",
            "visibility",
        ],
    )?;
    strings(&android["notification"], "message.android.notification")?;
    let apns = &message["apns"];
    object_with(
        apns,
        "message.apns",
        &["headers", "payload", "fcm_options", "live_activity_token"],
    )?;
    strings(&apns["headers"], "message.apns.headers")?;
    if !matches!(
        apns["headers"]["apns-priority"].as_str(),
        None | Some("5" | "10")
    ) {
        return fail("message.apns.headers", "Invalid apns-priority");
    }
    if !apns["payload"]["aps"].is_object() {
        return fail(
            "message.apns.payload",
            "Invalid value at 'message.apns.payload'",
        );
    }
    Ok(())
}

/// Production options with short backoffs.
fn fast() -> FcmOptions {
    FcmOptions {
        backoff_base: Duration::from_millis(10),
        ..FcmOptions::default()
    }
}

fn order_update(devices: &[&str]) -> (PushMessage, Id) {
    let order = Id::generate();
    let message = PushMessage {
        device_tokens: devices.iter().map(|d| d.to_string()).collect(),
        title: "Your order is on its way".into(),
        body: "Two croissants and a baguette are out for delivery.".into(),
        data: BTreeMap::from([
            ("type".to_owned(), "order".to_owned()),
            ("orderId".to_owned(), order.to_string()),
            ("status".to_owned(), "out_for_delivery".to_owned()),
        ]),
        reference_id: Some(order.clone()),
    };
    (message, order)
}

#[tokio::test]
async fn fcm_delivers_one_message_per_device_with_the_order_update_shape() {
    let fake = Fake::start().await;
    let push = fake.push();
    assert_eq!(push.backend(), "fcm");
    assert_eq!(push.project_id(), PROJECT);
    let (message, order) = order_update(&["device-token-a", "device-token-b"]);

    let report = push.send(&message).await.unwrap();

    assert_eq!(
        report,
        PushReport {
            delivered: 2,
            ..PushReport::default()
        }
    );
    assert_eq!(fake.token_requests(), 1);
    let sends = fake.sends().await;
    assert_eq!(sends.len(), 2);
    for (_, bearer) in &sends {
        assert_eq!(bearer, "Bearer ya29.fake-access-token-1");
    }
    let mut devices: Vec<&str> = sends
        .iter()
        .map(|(body, _)| body["message"]["token"].as_str().unwrap())
        .collect();
    devices.sort();
    assert_eq!(devices, ["device-token-a", "device-token-b"]);
    let body = &sends
        .iter()
        .find(|(body, _)| body["message"]["token"] == "device-token-a")
        .unwrap()
        .0;
    assert_eq!(
        body,
        &json!({
            "message": {
                "token": "device-token-a",
                "notification": {
                    "title": "Your order is on its way",
                    "body": "Two croissants and a baguette are out for delivery."
                },
                "data": {
                    "type": "order",
                    "orderId": order.to_string(),
                    "status": "out_for_delivery"
                },
                "android": {
                    "priority": "high",
                    "notification": { "channel_id": "order_updates", "tag": order.to_string() }
                },
                "apns": {
                    "headers": {
                        "apns-priority": "10",
                        "apns-push-type": "alert",
                        "apns-collapse-id": order.to_string()
                    },
                    "payload": { "aps": { "sound": "default", "thread-id": order.to_string() } }
                }
            }
        })
    );
}

#[tokio::test]
async fn fcm_unregistered_and_invalid_tokens_are_reported() {
    let fake = Fake::start().await;
    fake.script("gone", vec![unregistered()]);
    fake.script(
        "garbled",
        vec![google_error(
            400,
            "INVALID_ARGUMENT",
            "The registration token is not a valid FCM registration token",
            Some("INVALID_ARGUMENT"),
        )],
    );
    fake.script(
        "other-project",
        vec![google_error(
            403,
            "PERMISSION_DENIED",
            "SenderId mismatch",
            Some("SENDER_ID_MISMATCH"),
        )],
    );
    let (message, _) = order_update(&["ok", "gone", "garbled", "other-project"]);

    let report = fake.push().send(&message).await.unwrap();

    assert_eq!(report.delivered, 1);
    assert_eq!(report.invalid_tokens, ["gone", "garbled", "other-project"]);
    assert!(report.retry_tokens.is_empty(), "{report:?}");
    for device in ["ok", "gone", "garbled", "other-project"] {
        assert_eq!(fake.sends_to(device).await, 1, "{device} is not retried");
    }
}

#[tokio::test]
async fn fcm_refusals_not_about_the_token_keep_the_token() {
    let fake = Fake::start().await;
    // A payload FCM will not take, and APNs credentials missing in the Firebase project:
    // neither says anything about the device, neither is worth a retry.
    fake.script(
        "bad-payload",
        vec![bad_payload(
            "message.data[0].value",
            "Invalid value at 'message.data[0].value' (TYPE_STRING)",
        )],
    );
    fake.script(
        "ios-without-apns-key",
        vec![google_error(
            401,
            "UNAUTHENTICATED",
            "Auth error from APNS or Web Push Service",
            Some("THIRD_PARTY_AUTH_ERROR"),
        )],
    );
    let (message, _) = order_update(&["bad-payload", "ios-without-apns-key"]);
    let report = fake.push().send(&message).await.unwrap();
    assert_eq!(report, PushReport::default());
    assert_eq!(fake.sends_to("bad-payload").await, 1);
    assert_eq!(fake.sends_to("ios-without-apns-key").await, 1);
    // A THIRD_PARTY_AUTH_ERROR is not our access token: no refresh.
    assert_eq!(fake.token_requests(), 1);

    // A 404 that is not UNREGISTERED (a wrong base URL or project) never drops tokens.
    let mut options = fast();
    options.api_base = Some(format!("{}/elsewhere", fake.server.uri()));
    options.token_uri = Some(fake.token_uri());
    let misconfigured =
        FcmPush::from_service_account(&key_file(KEY, GOOGLE_TOKEN_URI), options).unwrap();
    let (message, _) = order_update(&["device-token-a"]);
    let report = misconfigured.send(&message).await.unwrap();
    assert!(report.invalid_tokens.is_empty(), "{report:?}");
    assert_eq!(report.delivered, 0);
}

#[tokio::test]
async fn fcm_rate_limit_is_retried_honouring_retry_after() {
    let fake = Fake::start().await;
    fake.script("busy", vec![quota_exceeded("1")]);
    let (message, _) = order_update(&["busy"]);

    let started = Instant::now();
    let report = fake.push().send(&message).await.unwrap();
    let took = started.elapsed();

    assert_eq!(report.delivered, 1, "{report:?}");
    assert_eq!(fake.sends_to("busy").await, 2);
    // The backoff alone would be ~10-20 ms: the wait is FCM's second.
    assert!(took >= Duration::from_secs(1), "retried after {took:?}");
    assert!(took < Duration::from_secs(5), "retried after {took:?}");
}

#[tokio::test]
async fn fcm_outage_is_retried_with_backoff_then_left_for_later() {
    let fake = Fake::start().await;
    fake.script("down", vec![unavailable(); 5]);
    fake.script(
        "flaky",
        vec![google_error(
            500,
            "INTERNAL",
            "Internal error encountered.",
            Some("INTERNAL"),
        )],
    );
    let (message, _) = order_update(&["down", "flaky"]);

    let report = fake.push().send(&message).await.unwrap();

    assert_eq!(report.delivered, 1, "{report:?}");
    assert_eq!(report.retry_tokens, ["down"]);
    assert!(report.invalid_tokens.is_empty());
    assert_eq!(fake.sends_to("down").await, 3, "max_attempts tries");
    assert_eq!(fake.sends_to("flaky").await, 2);
}

#[tokio::test]
async fn fcm_retry_after_beyond_the_cap_is_left_to_the_caller() {
    let fake = Fake::start().await;
    fake.script("busy", vec![quota_exceeded("120")]);
    let (message, _) = order_update(&["busy"]);

    let started = Instant::now();
    let report = fake.push().send(&message).await.unwrap();

    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(report.retry_tokens, ["busy"]);
    assert_eq!(fake.sends_to("busy").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fcm_concurrent_sends_share_one_token_request() {
    let fake = Fake::start().await;
    // A slow token endpoint: every send starts before the first token arrives.
    fake.state.token_delay_ms.store(300, Ordering::SeqCst);
    let push = Arc::new(fake.push());

    let sends = (0..20).map(|i| {
        let push = push.clone();
        tokio::spawn(async move {
            let device = format!("device-{i}");
            let (message, _) = order_update(&[device.as_str()]);
            push.send(&message).await
        })
    });
    let reports = futures::future::join_all(sends).await;

    for report in reports {
        assert_eq!(report.unwrap().unwrap().delivered, 1);
    }
    assert_eq!(fake.token_requests(), 1, "one token for all 20 sends");
    assert_eq!(fake.sends().await.len(), 20);
}

#[tokio::test]
async fn fcm_expired_token_is_refreshed() {
    let fake = Fake::start().await;
    // A two-second token is replaced halfway through its life.
    fake.state.lifetime_secs.store(2, Ordering::SeqCst);
    let push = fake.push();
    let (message, _) = order_update(&["device-token-a"]);

    push.send(&message).await.unwrap();
    push.send(&message).await.unwrap();
    assert_eq!(fake.token_requests(), 1, "the cached token is reused");

    tokio::time::sleep(Duration::from_millis(1200)).await;
    let report = push.send(&message).await.unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(fake.token_requests(), 2, "a token near expiry is replaced");
    let bearers: Vec<String> = fake.sends().await.into_iter().map(|(_, b)| b).collect();
    assert_eq!(
        bearers,
        [
            "Bearer ya29.fake-access-token-1",
            "Bearer ya29.fake-access-token-1",
            "Bearer ya29.fake-access-token-2"
        ]
    );
}

#[tokio::test]
async fn fcm_rejected_access_token_is_refreshed_once() {
    let fake = Fake::start().await;
    let push = fake.push();
    let (message, _) = order_update(&["device-token-a"]);
    push.send(&message).await.unwrap();

    // Google revokes the token early (key rotated, ...): FCM answers 401.
    fake.state.issued.lock().unwrap().clear();
    let report = push.send(&message).await.unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(fake.token_requests(), 2);
    assert_eq!(fake.sends_to("device-token-a").await, 3);

    // An account FCM keeps refusing: one refresh, then the send fails.
    fake.state.refuse_all.store(true, Ordering::SeqCst);
    let err = push.send(&message).await.unwrap_err();
    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    assert_eq!(fake.token_requests(), 3);
    assert_eq!(fake.sends_to("device-token-a").await, 5);
}

#[tokio::test]
async fn fcm_token_endpoint_down_is_an_error() {
    let fake = Fake::start().await;
    let (message, _) = order_update(&["device-token-a", "device-token-b"]);

    // Nothing listening.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let mut options = fast();
    options.token_uri = Some(format!("http://{closed}/token"));
    options.api_base = Some(fake.server.uri());
    let push = FcmPush::from_service_account(&key_file(KEY, GOOGLE_TOKEN_URI), options).unwrap();
    let err = push.send(&message).await.unwrap_err();
    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    assert_eq!(err.code(), "SERVICE_UNAVAILABLE");

    // Google's endpoint failing.
    let failing = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_string("Service Unavailable"))
        .mount(&failing)
        .await;
    let mut options = fast();
    options.token_uri = Some(format!("{}/token", failing.uri()));
    options.api_base = Some(fake.server.uri());
    let push = FcmPush::from_service_account(&key_file(KEY, GOOGLE_TOKEN_URI), options).unwrap();
    let err = push.send(&message).await.unwrap_err();
    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");

    assert!(
        fake.sends().await.is_empty(),
        "nothing is attempted without a token"
    );
}

#[tokio::test]
async fn fcm_wrong_key_is_refused_by_the_token_endpoint() {
    let fake = Fake::start().await;
    // The key file names the fake as its token endpoint (no override).
    let push = FcmPush::from_service_account(
        &key_file(OTHER_KEY, &fake.token_uri()),
        FcmOptions {
            api_base: Some(fake.server.uri()),
            ..fast()
        },
    )
    .unwrap();
    let (message, _) = order_update(&["device-token-a"]);
    let err = push.send(&message).await.unwrap_err();
    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    assert!(err.to_string().contains("invalid_grant"), "{err}");
    assert_eq!(fake.token_requests(), 1);
    assert!(fake.sends().await.is_empty());
    // Nothing secret in the error.
    assert!(!err.to_string().contains("PRIVATE KEY"));

    // The right key through the key file's own token_uri works.
    let push = FcmPush::from_service_account(
        &key_file(KEY, &fake.token_uri()),
        FcmOptions {
            api_base: Some(fake.server.uri()),
            ..fast()
        },
    )
    .unwrap();
    assert_eq!(push.send(&message).await.unwrap().delivered, 1);
}

#[tokio::test]
async fn fcm_no_devices_or_duplicates() {
    let fake = Fake::start().await;
    let push = fake.push();
    let (mut message, _) = order_update(&[]);
    assert_eq!(push.send(&message).await.unwrap(), PushReport::default());
    assert_eq!(fake.token_requests(), 0, "no device, no token request");

    message.device_tokens = vec!["a".into(), "a".into(), String::new()];
    assert_eq!(push.send(&message).await.unwrap().delivered, 1);
    assert_eq!(fake.sends().await.len(), 1);
}

#[tokio::test]
async fn fcm_message_without_an_order_and_reserved_data_keys() {
    let fake = Fake::start().await;
    let message = PushMessage {
        device_tokens: vec!["device-token-a".into()],
        title: "Fresh today".into(),
        body: "Cinnamon buns are back.".into(),
        data: BTreeMap::from([
            ("type".to_owned(), "promotion".to_owned()),
            ("from".to_owned(), "the bakery".to_owned()),
        ]),
        reference_id: None,
    };
    assert_eq!(fake.push().send(&message).await.unwrap().delivered, 1);
    let (body, _) = fake.sends().await.remove(0);
    assert_eq!(body["message"]["data"], json!({ "type": "promotion" }));
    assert_eq!(
        body["message"]["android"]["notification"],
        json!({ "channel_id": "order_updates" })
    );
    assert_eq!(
        body["message"]["apns"]["headers"],
        json!({ "apns-priority": "10", "apns-push-type": "alert" })
    );
    assert_eq!(
        body["message"]["apns"]["payload"],
        json!({ "aps": { "sound": "default" } })
    );
}

#[test]
fn fcm_service_account_is_checked_and_its_key_never_shown() {
    let json = key_file(KEY, GOOGLE_TOKEN_URI);
    let account = ServiceAccount::from_json(&json).unwrap();
    assert_eq!(account.project_id, PROJECT);
    assert_eq!(account.client_email, EMAIL);
    assert_eq!(account.private_key_id.as_deref(), Some(KEY_ID));
    assert_eq!(account.token_uri.as_deref(), Some(GOOGLE_TOKEN_URI));
    let key_body = KEY.lines().nth(1).unwrap();
    let shown = format!("{account:?}");
    assert!(
        !shown.contains(key_body) && !shown.contains("PRIVATE KEY"),
        "{shown}"
    );
    let push = FcmPush::from_service_account(&json, FcmOptions::default()).unwrap();
    let shown = format!("{push:?}");
    assert!(
        !shown.contains(key_body) && !shown.contains("PRIVATE KEY"),
        "{shown}"
    );
    assert!(
        shown.contains("https://fcm.googleapis.com/v1/projects/crumb-and-co-test/messages:send"),
        "{shown}"
    );

    let with = |edit: &dyn Fn(&mut Value)| {
        let mut value: Value = serde_json::from_str(&json).unwrap();
        edit(&mut value);
        ServiceAccount::from_json(&value.to_string())
    };
    let message = |r: Result<ServiceAccount, Error>| match r {
        Err(Error::Validation { field, message }) => {
            assert_eq!(field, "serviceAccount");
            assert!(!message.contains(key_body), "{message}");
            message
        }
        other => panic!("expected a validation error, got {other:?}"),
    };
    for field in ["project_id", "client_email", "private_key"] {
        let m = message(with(&|v| {
            v.as_object_mut().unwrap().remove(field);
        }));
        assert!(m.contains(field), "{m}");
    }
    let m = message(with(&|v| v["type"] = json!("authorized_user")));
    assert!(m.contains("authorized_user"), "{m}");
    let m = message(with(&|v| v["project_id"] = json!("../../other")));
    assert!(m.contains("project_id"), "{m}");
    // A damaged key: the error names the field, never shows the key.
    let m = message(with(&|v| v["private_key"] = json!(KEY.replace('M', "x"))));
    assert!(m.contains("private_key"), "{m}");
    message(ServiceAccount::from_json("not json"));
    message(ServiceAccount::from_json("[]"));
    // The JSON's token_uri may be absent: Google's is used.
    let account = with(&|v| {
        v.as_object_mut().unwrap().remove("token_uri");
    })
    .unwrap();
    assert_eq!(account.token_uri, None);

    let options = FcmOptions {
        concurrency: 0,
        ..FcmOptions::default()
    };
    assert!(FcmPush::from_service_account(&json, options).is_err());
}

#[test]
fn fcm_service_account_from_a_path_or_inline_json() {
    let json = key_file(KEY, GOOGLE_TOKEN_URI);
    assert_eq!(load_service_account(&format!("  {json}\n")).unwrap(), json);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("crumb-and-co-test-firebase-adminsdk.json");
    std::fs::write(&file, &json).unwrap();
    let loaded = load_service_account(file.to_str().unwrap()).unwrap();
    assert_eq!(loaded, json);
    FcmPush::from_service_account(&loaded, FcmOptions::default()).unwrap();

    let missing = dir.path().join("missing.json");
    match load_service_account(missing.to_str().unwrap()) {
        Err(Error::Validation { message, .. }) => {
            assert!(message.contains("missing.json"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert!(load_service_account("  ").is_err());
}

#[test]
fn fcm_retry_after_is_seconds_or_an_http_date() {
    assert_eq!(wire::retry_after("3"), Some(Duration::from_secs(3)));
    assert_eq!(wire::retry_after(" 0 "), Some(Duration::ZERO));
    let later = (chrono::Utc::now() + chrono::Duration::seconds(90))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let wait = wire::retry_after(&later).unwrap();
    assert!(
        wait > Duration::from_secs(80) && wait <= Duration::from_secs(90),
        "{wait:?}"
    );
    assert_eq!(
        wire::retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
        Some(Duration::ZERO)
    );
    assert_eq!(wire::retry_after("soon"), None);
}

#[test]
fn fcm_device_tokens_are_redacted_in_logs() {
    let token = "cJug2GoHzEfcshCE_OLL24:APA91bHa8-Viell9xjbeV96V4Njhufk9V7KcOA940Gp7FY1Dxsxmo8AJ7_erhKKqsgqsD8t6dk7RKPTgSjOiJRIh4R8rrNT4An_QYAAxTXut4X6vmSWqXLf_yiB-5sZSeVASOPTi1mH6";
    let shown = wire::redact(token);
    assert_eq!(shown, format!("…Ti1mH6 ({} chars)", token.len()));
    assert_eq!(wire::redact("short"), "… (5 chars)");
}

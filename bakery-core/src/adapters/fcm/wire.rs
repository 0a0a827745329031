//! What goes over the wire to FCM HTTP v1 and what its answers mean.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::ports::PushMessage;

/// The `data` keys FCM reserves: a message carrying one is refused whole (400).
fn reserved_data_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "from" | "notification" | "message_type" | "collapse_key"
    ) || lower.starts_with("google")
        || lower.starts_with("gcm")
}

/// The order (or other resource) a message is about: the app's `orderId`, else the message's
/// reference. Used to make a newer update replace the older one on the device.
fn subject(message: &PushMessage) -> Option<String> {
    message
        .data
        .get("orderId")
        .cloned()
        .or_else(|| message.reference_id.as_ref().map(|id| id.to_string()))
        .filter(|s| !s.is_empty())
}

/// The `data` map as sent: the message's, minus the keys FCM would refuse it for.
pub(crate) fn data_of(message: &PushMessage) -> BTreeMap<&str, &str> {
    message
        .data
        .iter()
        .filter(|(key, _)| {
            let keep = !reserved_data_key(key);
            if !keep {
                tracing::warn!(target: "bakery::push", provider = "fcm", key = %key, "data key reserved by FCM left out of the push");
            }
            keep
        })
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The request body of `messages:send` for one device: the notification (title and body),
/// the app's `data` (string values), and per platform what an order update needs — shown at
/// once (Android high priority in the `order_updates` channel, APNs priority 10 with sound),
/// and replacing the previous update about the same order (Android `tag`, APNs
/// `apns-collapse-id` and `thread-id`).
pub(crate) fn message_body(
    message: &PushMessage,
    data: &BTreeMap<&str, &str>,
    device_token: &str,
    android_channel_id: &str,
) -> Value {
    let subject = subject(message);
    let mut android_notification = json!({ "channel_id": android_channel_id });
    let mut apns_headers = json!({ "apns-priority": "10", "apns-push-type": "alert" });
    let mut aps = json!({ "sound": "default" });
    if let Some(subject) = &subject {
        android_notification["tag"] = json!(subject);
        // apns-collapse-id is at most 64 bytes; ids are 24.
        if subject.len() <= 64 {
            apns_headers["apns-collapse-id"] = json!(subject);
        }
        aps["thread-id"] = json!(subject);
    }
    json!({
        "message": {
            "token": device_token,
            "notification": { "title": message.title, "body": message.body },
            "data": data,
            "android": {
                "priority": "high",
                "notification": android_notification,
            },
            "apns": {
                "headers": apns_headers,
                "payload": { "aps": aps },
            },
        }
    })
}

/// Google's error body: `{"error": {code, message, status, details: [...]}}`.
#[derive(Deserialize, Default, Debug)]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub error: ErrorStatus,
}

#[derive(Deserialize, Default, Debug)]
pub(crate) struct ErrorStatus {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub details: Vec<ErrorDetail>,
}

#[derive(Deserialize, Default, Debug)]
pub(crate) struct ErrorDetail {
    /// `type.googleapis.com/google.firebase.fcm.v1.FcmError`: the FCM error code.
    #[serde(rename = "errorCode", default)]
    pub error_code: Option<String>,
    /// `type.googleapis.com/google.rpc.BadRequest`: which fields were wrong.
    #[serde(rename = "fieldViolations", default)]
    pub field_violations: Vec<FieldViolation>,
}

#[derive(Deserialize, Default, Debug)]
pub(crate) struct FieldViolation {
    #[serde(default)]
    pub field: String,
}

impl ErrorBody {
    pub(crate) fn parse(bytes: &[u8]) -> Self {
        serde_json::from_slice(bytes).unwrap_or_default()
    }

    /// The FCM error code (`UNREGISTERED`, `QUOTA_EXCEEDED`, ...), if FCM gave one.
    pub(crate) fn fcm_code(&self) -> Option<&str> {
        self.error
            .details
            .iter()
            .find_map(|d| d.error_code.as_deref())
    }

    /// Whether a 400 is about the registration token rather than the message.
    fn about_the_token(&self) -> bool {
        self.error
            .details
            .iter()
            .flat_map(|d| &d.field_violations)
            .any(|v| v.field == "message.token")
            || self
                .error
                .message
                .to_ascii_lowercase()
                .contains("registration token")
    }
}

/// What an answer from `messages:send` means for that device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    Delivered,
    /// The token is gone or was never valid: the caller removes it.
    InvalidToken,
    /// Our access token was not accepted: refresh it and try once more.
    Unauthenticated,
    /// The service account may not send for this project (403 without a token error code).
    PermissionDenied,
    /// Quota, overload or a server error: retry with backoff.
    Transient,
    /// FCM refused this message for a reason a retry will not fix (bad payload, APNs
    /// credentials missing in the Firebase project, ...): logged, not retried.
    Refused,
}

pub(crate) fn classify(status: StatusCode, body: &ErrorBody) -> Answer {
    if status.is_success() {
        return Answer::Delivered;
    }
    match body.fcm_code() {
        Some("UNREGISTERED") => return Answer::InvalidToken,
        // The token belongs to another Firebase project: it never works with our account.
        Some("SENDER_ID_MISMATCH") => return Answer::InvalidToken,
        Some("INVALID_ARGUMENT") if body.about_the_token() => return Answer::InvalidToken,
        Some("QUOTA_EXCEEDED" | "UNAVAILABLE" | "INTERNAL") => return Answer::Transient,
        // APNs certificate or web-push credentials: a Firebase console setting, not ours.
        Some("THIRD_PARTY_AUTH_ERROR") => return Answer::Refused,
        _ => {}
    }
    match status.as_u16() {
        400 if body.error.status == "INVALID_ARGUMENT" && body.about_the_token() => {
            Answer::InvalidToken
        }
        401 => Answer::Unauthenticated,
        403 => Answer::PermissionDenied,
        // A 404 without UNREGISTERED is a wrong URL or project, not a gone device: never
        // drop tokens for it.
        408 | 429 | 500 | 502 | 503 | 504 => Answer::Transient,
        _ => Answer::Refused,
    }
}

/// `Retry-After` as seconds or as an HTTP date.
pub(crate) fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// A device token as it may appear in logs: enough to match it, not enough to use it.
pub(crate) fn redact(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    let shown = (chars.len() / 8).min(6);
    let tail: String = chars[chars.len() - shown..].iter().collect();
    format!("…{tail} ({} chars)", chars.len())
}

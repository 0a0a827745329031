//! Sign-in codes by text message through Twilio's Messages API.
//!
//! One call per code: `POST {api_base}/2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP
//! basic auth `AccountSid:AuthToken`, a form with `To`, `From` and/or `MessagingServiceSid`,
//! and `Body`. Twilio answers 201 with the message's `sid`; any other answer (or none within
//! the timeout) is [`Error::SmsUnavailable`], with Twilio's `{code, message, more_info,
//! status}` in the log. The auth token is never logged or printed.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;

use crate::domain::Phone;
use crate::error::Error;
use crate::ports::SmsSender;

/// Where Twilio's API lives; tests point [`TwilioConfig::api_base`] at a local fake.
pub const TWILIO_API_BASE: &str = "https://api.twilio.com";

/// How long one send may take, connection included, before it counts as a failure.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the adapter needs; the server fills it from `TWILIO_*`, `SHOP_NAME` and
/// `OTP_WEB_DOMAIN`.
#[derive(Clone)]
pub struct TwilioConfig {
    /// `AC…`: names the account in the URL and is the basic-auth user.
    pub account_sid: String,
    /// The basic-auth password. Kept out of `Debug` and out of every log line.
    pub auth_token: String,
    /// A Twilio number (`+15005550006`) or an alphanumeric sender id.
    pub from: Option<String>,
    /// `MG…`: lets Twilio pick the sender from the service's pool. At least one of `from` and
    /// `messaging_service_sid` is needed; with both, Twilio sends from `from` within the
    /// service.
    pub messaging_service_sid: Option<String>,
    /// [`TWILIO_API_BASE`] unless testing, without a trailing slash.
    pub api_base: String,
    /// Names the shop at the start of every text.
    pub shop_name: String,
    /// The web site's host (`shop.example`): when set, the text ends with the line
    /// `@shop.example #123456`, which browsers (WebOTP) and Android offer to fill in.
    pub web_otp_domain: Option<String>,
    pub timeout: Duration,
}

impl fmt::Debug for TwilioConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioConfig")
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"<redacted>")
            .field("from", &self.from)
            .field("messaging_service_sid", &self.messaging_service_sid)
            .field("api_base", &self.api_base)
            .field("shop_name", &self.shop_name)
            .field("web_otp_domain", &self.web_otp_domain)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The text of a sign-in code message: the shop, the code and how long it is valid, then,
/// with a web domain, a last line `@<domain> #<code>` after a blank line (the WebOTP format,
/// also read by Android's SMS autofill).
pub fn otp_text(
    shop_name: &str,
    code: &str,
    valid_minutes: u32,
    web_domain: Option<&str>,
) -> String {
    let unit = if valid_minutes == 1 {
        "minute"
    } else {
        "minutes"
    };
    let mut text =
        format!("{shop_name}: your code is {code}. It expires in {valid_minutes} {unit}.");
    if let Some(domain) = web_domain {
        text.push_str(&format!("\n\n@{domain} #{code}"));
    }
    text
}

/// [`SmsSender`] over Twilio's Messages API.
#[derive(Debug)]
pub struct TwilioSms {
    client: reqwest::Client,
    /// `{api_base}/2010-04-01/Accounts/{sid}/Messages.json`
    messages_url: String,
    config: TwilioConfig,
}

impl TwilioSms {
    /// Checks that the configuration can send at all (a sender, a path-safe account sid) and
    /// builds the HTTP client; nothing is sent until the first code.
    pub fn new(config: TwilioConfig) -> Result<Self, Error> {
        if config.account_sid.is_empty()
            || !config
                .account_sid
                .bytes()
                .all(|b| b.is_ascii_alphanumeric())
        {
            return Err(Error::validation(
                "accountSid",
                "must be the account's sid (AC followed by 32 hex characters)",
            ));
        }
        if config.from.is_none() && config.messaging_service_sid.is_none() {
            return Err(Error::validation(
                "from",
                "a sender number or a messaging service sid is required",
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(Error::internal)?;
        let messages_url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            config.api_base.trim_end_matches('/'),
            config.account_sid
        );
        Ok(Self {
            client,
            messages_url,
            config,
        })
    }
}

/// Twilio's answer to a created message (only what we log).
#[derive(Deserialize)]
struct Created {
    sid: Option<String>,
    status: Option<String>,
}

/// Twilio's error body.
#[derive(Deserialize, Default)]
struct TwilioError {
    code: Option<i64>,
    message: Option<String>,
    more_info: Option<String>,
}

#[async_trait]
impl SmsSender for TwilioSms {
    fn backend(&self) -> &'static str {
        "twilio"
    }

    async fn send_otp(&self, to: &Phone, code: &str, valid_minutes: u32) -> Result<(), Error> {
        let body = otp_text(
            &self.config.shop_name,
            code,
            valid_minutes,
            self.config.web_otp_domain.as_deref(),
        );
        let mut form: Vec<(&str, &str)> = vec![("To", to.as_str())];
        if let Some(from) = &self.config.from {
            form.push(("From", from));
        }
        if let Some(service) = &self.config.messaging_service_sid {
            form.push(("MessagingServiceSid", service));
        }
        form.push(("Body", &body));
        let response = self
            .client
            .post(&self.messages_url)
            .basic_auth(&self.config.account_sid, Some(&self.config.auth_token))
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(e) => {
                // reqwest's text names the URL (the account sid, no secret) and the cause.
                let what = if e.is_timeout() {
                    "timed out"
                } else if e.is_connect() {
                    "could not connect"
                } else {
                    "request failed"
                };
                tracing::warn!(
                    target: "bakery::sms",
                    provider = "twilio",
                    error = %e,
                    "Twilio {what}: the sign-in code was not sent"
                );
                return Err(Error::SmsUnavailable);
            }
        };
        let status = response.status();
        let bytes = response.bytes().await.unwrap_or_default();
        if status.is_success() {
            let created: Option<Created> = serde_json::from_slice(&bytes).ok();
            let (sid, state) = created
                .map(|c| (c.sid.unwrap_or_default(), c.status.unwrap_or_default()))
                .unwrap_or_default();
            tracing::info!(
                target: "bakery::sms",
                provider = "twilio",
                %sid,
                status = %state,
                "sign-in code handed to Twilio"
            );
            return Ok(());
        }
        let err: TwilioError = serde_json::from_slice(&bytes).unwrap_or_default();
        let twilio_code = err.code.map(|c| c.to_string()).unwrap_or_default();
        let twilio_message = err.message.unwrap_or_default();
        let more_info = err.more_info.unwrap_or_default();
        if matches!(status.as_u16(), 401 | 403) {
            tracing::error!(
                target: "bakery::sms",
                provider = "twilio",
                http_status = status.as_u16(),
                %twilio_code,
                %twilio_message,
                %more_info,
                "Twilio refused our credentials (check TWILIO_ACCOUNT_SID and \
                 TWILIO_AUTH_TOKEN): the sign-in code was not sent"
            );
        } else {
            tracing::warn!(
                target: "bakery::sms",
                provider = "twilio",
                http_status = status.as_u16(),
                %twilio_code,
                %twilio_message,
                %more_info,
                "Twilio refused the message: the sign-in code was not sent"
            );
        }
        Err(Error::SmsUnavailable)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use wiremock::matchers::{basic_auth, header, method, path};
    use wiremock::{Mock, MockServer, Request, ResponseTemplate};

    use super::*;

    const SID: &str = "AC0123456789abcdef0123456789abcdef";
    const TOKEN: &str = "f00dcafe0123456789abcdef01234567";
    const SERVICE: &str = "MG0123456789abcdef0123456789abcdef";

    fn config(server: &MockServer) -> TwilioConfig {
        TwilioConfig {
            account_sid: SID.into(),
            auth_token: TOKEN.into(),
            from: Some("+15005550006".into()),
            messaging_service_sid: None,
            api_base: server.uri(),
            shop_name: "Crumb & Co".into(),
            web_otp_domain: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    fn phone() -> Phone {
        Phone::parse("+447700900123").unwrap()
    }

    fn messages_path() -> String {
        format!("/2010-04-01/Accounts/{SID}/Messages.json")
    }

    /// Twilio's answer to a created message, abridged.
    fn created() -> ResponseTemplate {
        ResponseTemplate::new(201).set_body_json(serde_json::json!({
            "sid": "SM0123456789abcdef0123456789abcdef",
            "account_sid": SID,
            "to": "+447700900123",
            "status": "queued",
            "error_code": null,
            "error_message": null,
            "api_version": "2010-04-01"
        }))
    }

    /// Twilio's error body, as its API sends it.
    fn twilio_error(status: u16, code: i64, message: &str) -> ResponseTemplate {
        ResponseTemplate::new(status).set_body_json(serde_json::json!({
            "code": code,
            "message": message,
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
            "status": status
        }))
    }

    /// Answers like Twilio's Messages endpoint: 201 for a request with the account's
    /// credentials and a form Twilio accepts, the matching Twilio error otherwise.
    async fn fake_twilio() -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(messages_path()))
            .and(basic_auth(SID, TOKEN))
            .and(header("content-type", "application/x-www-form-urlencoded"))
            .respond_with(|req: &Request| {
                let form = form_of(req);
                if !form.contains_key("To") {
                    return twilio_error(400, 21604, "A 'To' phone number is required.");
                }
                if !form.contains_key("From") && !form.contains_key("MessagingServiceSid") {
                    return twilio_error(
                        400,
                        21603,
                        "A 'From' or 'MessagingServiceSid' parameter is required to send a message",
                    );
                }
                if form.get("Body").is_none_or(|b| b.is_empty()) {
                    return twilio_error(
                        400,
                        21619,
                        "A text message body or media urls must be specified.",
                    );
                }
                created()
            })
            .mount(&server)
            .await;
        // Anything else (wrong path, wrong credentials) is what Twilio says to a stranger.
        Mock::given(method("POST"))
            .respond_with(twilio_error(401, 20003, "Authenticate"))
            .with_priority(10)
            .mount(&server)
            .await;
        server
    }

    fn form_of(req: &Request) -> HashMap<String, String> {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&req.body)
            .unwrap()
            .into_iter()
            .collect()
    }

    async fn only_request(server: &MockServer) -> Request {
        let mut requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), 1, "exactly one call to Twilio");
        requests.remove(0)
    }

    #[test]
    fn twilio_text_names_the_shop_the_code_and_its_lifetime() {
        assert_eq!(
            otp_text("Crumb & Co", "123456", 10, None),
            "Crumb & Co: your code is 123456. It expires in 10 minutes."
        );
        assert_eq!(
            otp_text("Crumb & Co", "042042", 1, Some("shop.example")),
            "Crumb & Co: your code is 042042. It expires in 1 minute.\n\n@shop.example #042042"
        );
    }

    #[test]
    fn twilio_config_debug_hides_the_token() {
        let config = TwilioConfig {
            account_sid: SID.into(),
            auth_token: TOKEN.into(),
            from: None,
            messaging_service_sid: Some(SERVICE.into()),
            api_base: TWILIO_API_BASE.into(),
            shop_name: "Crumb & Co".into(),
            web_otp_domain: None,
            timeout: DEFAULT_TIMEOUT,
        };
        let sms = TwilioSms::new(config).unwrap();
        let shown = format!("{sms:?}");
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(shown.contains(SID), "{shown}");
    }

    #[test]
    fn twilio_needs_a_sender_and_a_plain_sid() {
        let base = TwilioConfig {
            account_sid: SID.into(),
            auth_token: TOKEN.into(),
            from: None,
            messaging_service_sid: None,
            api_base: TWILIO_API_BASE.into(),
            shop_name: "Crumb & Co".into(),
            web_otp_domain: None,
            timeout: DEFAULT_TIMEOUT,
        };
        assert!(TwilioSms::new(base.clone()).is_err());
        let mut bad_sid = base;
        bad_sid.from = Some("+15005550006".into());
        bad_sid.account_sid = "AC../../x".into();
        assert!(TwilioSms::new(bad_sid).is_err());
    }

    #[tokio::test]
    async fn twilio_sends_the_messages_api_form_with_basic_auth() {
        let server = fake_twilio().await;
        let sms = TwilioSms::new(config(&server)).unwrap();
        sms.send_otp(&phone(), "123456", 10).await.unwrap();

        let req = only_request(&server).await;
        assert_eq!(req.method.as_str(), "POST");
        assert_eq!(req.url.path(), messages_path());
        let auth = req.headers.get("authorization").unwrap().to_str().unwrap();
        // base64("AC…:token"), as Twilio's docs and curl -u send it.
        assert_eq!(
            auth,
            "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjpmMDBkY2FmZTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nw=="
        );
        let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&req.body).unwrap();
        assert_eq!(
            form,
            vec![
                ("To".into(), "+447700900123".into()),
                ("From".into(), "+15005550006".into()),
                (
                    "Body".into(),
                    "Crumb & Co: your code is 123456. It expires in 10 minutes.".into()
                ),
            ]
        );
    }

    #[tokio::test]
    async fn twilio_messaging_service_and_webotp_line() {
        let server = fake_twilio().await;
        let mut config = config(&server);
        config.from = None;
        config.messaging_service_sid = Some(SERVICE.into());
        config.web_otp_domain = Some("shop.example".into());
        // A trailing slash on the base must not double the path's.
        config.api_base = format!("{}/", server.uri());
        let sms = TwilioSms::new(config).unwrap();
        sms.send_otp(&phone(), "987654", 10).await.unwrap();

        let req = only_request(&server).await;
        assert_eq!(req.url.path(), messages_path());
        let form = form_of(&req);
        assert_eq!(
            form.get("MessagingServiceSid").map(String::as_str),
            Some(SERVICE)
        );
        assert!(!form.contains_key("From"), "{form:?}");
        let body = &form["Body"];
        assert!(
            body.starts_with("Crumb & Co: your code is 987654."),
            "{body}"
        );
        assert_eq!(body.lines().last(), Some("@shop.example #987654"), "{body}");
    }

    #[tokio::test]
    async fn twilio_errors_are_sms_unavailable() {
        for (status, code, message) in [
            (
                400,
                21211,
                "The 'To' number +447700900123 is not a valid phone number.",
            ),
            (401, 20003, "Authenticate"),
            (429, 20429, "Too Many Requests"),
            (500, 20500, "Internal Server Error"),
        ] {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path(messages_path()))
                .respond_with(twilio_error(status, code, message))
                .expect(1)
                .mount(&server)
                .await;
            let sms = TwilioSms::new(config(&server)).unwrap();
            let err = sms.send_otp(&phone(), "123456", 10).await.unwrap_err();
            assert!(matches!(err, Error::SmsUnavailable), "{status}: {err:?}");
            assert_eq!(err.code(), "SMS_UNAVAILABLE");
        }
    }

    #[tokio::test]
    async fn twilio_wrong_credentials_are_refused_by_the_fake() {
        let server = fake_twilio().await;
        let mut config = config(&server);
        config.auth_token = "wrong".into();
        let sms = TwilioSms::new(config).unwrap();
        let err = sms.send_otp(&phone(), "123456", 10).await.unwrap_err();
        assert!(matches!(err, Error::SmsUnavailable), "{err:?}");
    }

    #[tokio::test]
    async fn twilio_slow_or_absent_provider_is_sms_unavailable() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(created().set_delay(Duration::from_secs(5)))
            .mount(&server)
            .await;
        let mut slow = config(&server);
        slow.timeout = Duration::from_millis(200);
        let sms = TwilioSms::new(slow).unwrap();
        let err = sms.send_otp(&phone(), "123456", 10).await.unwrap_err();
        assert!(matches!(err, Error::SmsUnavailable), "{err:?}");

        // Nothing listening at all.
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap()
        };
        let mut absent = config(&server);
        absent.api_base = format!("http://{closed}");
        let sms = TwilioSms::new(absent).unwrap();
        let err = sms.send_otp(&phone(), "123456", 10).await.unwrap_err();
        assert!(matches!(err, Error::SmsUnavailable), "{err:?}");
    }
}

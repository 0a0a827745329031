//! Sign-up and sign-in with a phone: OTPs, passwords and rotating refresh tokens.

use bakery_core::domain::Phone;
use bakery_core::services::Session;
use poem::web::cookie::{Cookie, CookieJar, SameSite};
use poem::web::Data;
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::ApiTags;
use crate::dto::auth::{
    LoginRequest, RefreshRequest, RegisterRequest, ResetPasswordRequest, SendOtpRequest,
    TokenResponse, VerifyOtpRequest,
};
use crate::dto::common::{Message, NoContent};
use crate::error::ApiError;
use crate::state::{AppState, OtpCount};

/// The cookie that carries the refresh token for browsers.
pub const REFRESH_COOKIE: &str = "refresh_token";
/// The cookie is only ever sent to the auth routes.
pub const REFRESH_COOKIE_PATH: &str = "/api/v1/auth";

const CODE_SENT: &str = "if this number can receive it, a code is on its way";

pub struct AuthApi;

#[OpenApi(prefix_path = "/api/v1/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Start sign-up: send a code to the phone
    ///
    /// Answers the same whether or not the phone already has an account. Codes requested with
    /// register and send-otp together are limited per client IP (`AUTH_RATE_LIMIT`'s numbers,
    /// default 5 per 15 minutes, counted apart from sign-ins), per phone (`OTP_RATE_LIMIT`,
    /// default 3 per hour) and for the whole shop (`OTP_GLOBAL_LIMIT`, default 1000 per hour);
    /// beyond any of them 429 with `Retry-After`, and nothing is stored or sent. With
    /// `OTP_COUNTRIES` set, a number outside those calling codes is 422 on `phone`.
    #[oai(path = "/register", method = "post", operation_id = "register")]
    async fn register(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<RegisterRequest>,
    ) -> Result<Json<Message>, ApiError> {
        let phone = Phone::parse(&body.phone)?;
        state.bakery.check_otp_destination(&phone)?;
        let count = state.limit_otp(req, &phone).await?;
        let sent = state.bakery.register(&body.name, &phone).await;
        counted_send(&state, &count, sent).await?;
        Ok(Json(Message::new(CODE_SENT)))
    }

    /// Send a sign-in code to a registered phone
    ///
    /// Answers the same for unknown phones, so numbers cannot be probed: they are counted
    /// and refused exactly like registered ones. Limits and `OTP_COUNTRIES` as for register,
    /// whose counts this shares: 429 with `Retry-After` per client IP, per phone or for the
    /// whole shop; 422 on `phone` outside the allowed calling codes.
    #[oai(path = "/send-otp", method = "post", operation_id = "send_otp")]
    async fn send_otp(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<SendOtpRequest>,
    ) -> Result<Json<Message>, ApiError> {
        let phone = Phone::parse(&body.phone)?;
        state.bakery.check_otp_destination(&phone)?;
        let count = state.limit_otp(req, &phone).await?;
        let sent = state.bakery.send_otp(&phone).await;
        counted_send(&state, &count, sent).await?;
        Ok(Json(Message::new(CODE_SENT)))
    }

    /// Prove the phone with its code; creates the account on first sign-up
    ///
    /// Sign-in attempts (login, verify-otp, reset-password) are limited per client IP by
    /// `AUTH_RATE_LIMIT` (default 5 per 15 minutes); then 429 with `Retry-After`.
    #[oai(path = "/verify-otp", method = "post", operation_id = "verify_otp")]
    async fn verify_otp(
        &self,
        state: Data<&AppState>,
        req: &Request,
        jar: &CookieJar,
        body: Json<VerifyOtpRequest>,
    ) -> Result<Json<TokenResponse>, ApiError> {
        state.limit_auth(req).await?;
        let phone = Phone::parse(&body.phone)?;
        let session = state.bakery.verify_otp(&phone, &body.otp).await?;
        signed_in(&state, jar, session)
    }

    /// Sign in with phone and password, or phone and a code from send-otp
    ///
    /// Sign-in attempts (login, verify-otp, reset-password) are limited per client IP by
    /// `AUTH_RATE_LIMIT` (default 5 per 15 minutes); then 429 with `Retry-After`. Passwords
    /// are checked a few at a time (one per core, four times that waiting): beyond that, 503
    /// `BUSY` with `Retry-After` at once, rather than a login that stalls the server.
    #[oai(path = "/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        state: Data<&AppState>,
        req: &Request,
        jar: &CookieJar,
        body: Json<LoginRequest>,
    ) -> Result<Json<TokenResponse>, ApiError> {
        state.limit_auth(req).await?;
        let phone = Phone::parse(&body.phone)?;
        let session = match (&body.password, &body.otp) {
            (Some(password), None) => state.bakery.login_with_password(&phone, password).await?,
            (None, Some(otp)) => state.bakery.login_with_otp(&phone, otp).await?,
            _ => {
                return Err(ApiError::validation(
                    "password",
                    "password: give exactly one of password or otp",
                ))
            }
        };
        signed_in(&state, jar, session)
    }

    /// Exchange a refresh token (body or cookie) for a new token pair
    ///
    /// Refresh tokens are single-use; presenting a spent one signs that session out everywhere.
    #[oai(
        path = "/refresh-token",
        method = "post",
        operation_id = "refresh_token"
    )]
    async fn refresh_token(
        &self,
        state: Data<&AppState>,
        jar: &CookieJar,
        body: Json<RefreshRequest>,
    ) -> Result<Json<TokenResponse>, ApiError> {
        let token = presented_refresh_token(jar, &body)
            .ok_or_else(|| ApiError::unauthorized("a refresh token is required"))?;
        let session = state.bakery.refresh(&token).await?;
        signed_in(&state, jar, session)
    }

    /// Set a new password with a code sent to the phone; signs every device out
    ///
    /// Counts as a sign-in attempt for `AUTH_RATE_LIMIT`. Like login, 503 `BUSY` with
    /// `Retry-After` when too many passwords are being hashed; the code is not used up then.
    #[oai(
        path = "/reset-password",
        method = "post",
        operation_id = "reset_password"
    )]
    async fn reset_password(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<ResetPasswordRequest>,
    ) -> Result<NoContent, ApiError> {
        state.limit_auth(req).await?;
        let phone = Phone::parse(&body.phone)?;
        state
            .bakery
            .reset_password(&phone, &body.otp, &body.new_password)
            .await?;
        Ok(NoContent::NoContent)
    }

    /// End the session of a refresh token (body or cookie)
    ///
    /// Logging out twice is not an error.
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(
        &self,
        state: Data<&AppState>,
        jar: &CookieJar,
        body: Json<RefreshRequest>,
    ) -> Result<NoContent, ApiError> {
        if let Some(token) = presented_refresh_token(jar, &body) {
            state.bakery.logout(&token).await?;
        }
        let mut removal = refresh_cookie(String::new());
        removal.make_removal();
        jar.add(removal);
        Ok(NoContent::NoContent)
    }
}

/// The outcome of sending a code, after [`AppState::limit_otp`] counted it: a code the SMS
/// provider did not take is given back to the allowances and the budget, so an outage does
/// not lock customers out for the rest of the window.
async fn counted_send(
    state: &AppState,
    count: &OtpCount,
    sent: bakery_core::Result<()>,
) -> Result<(), ApiError> {
    if let Err(bakery_core::Error::SmsUnavailable) = &sent {
        state.refund_otp(count).await;
    }
    Ok(sent?)
}

fn presented_refresh_token(jar: &CookieJar, body: &RefreshRequest) -> Option<String> {
    body.refresh_token
        .clone()
        .or_else(|| jar.get(REFRESH_COOKIE).map(|c| c.value_str().to_owned()))
        .filter(|t| !t.trim().is_empty())
}

/// The cookie carrying `value` (also how the contract describes it: `spec::document_refresh_cookie`).
pub(crate) fn refresh_cookie(value: String) -> Cookie {
    let mut cookie = Cookie::new_with_str(REFRESH_COOKIE, value);
    cookie.set_http_only(true);
    cookie.set_secure(true);
    cookie.set_same_site(SameSite::Strict);
    cookie.set_path(REFRESH_COOKIE_PATH);
    cookie
}

/// The token answer, with the refresh token also set as a cookie for browsers.
fn signed_in(
    state: &AppState,
    jar: &CookieJar,
    session: Session,
) -> Result<Json<TokenResponse>, ApiError> {
    let access_token = state
        .tokens
        .issue(&session.user.id, session.user.role, &session.family)?;
    let mut cookie = refresh_cookie(session.refresh_token.clone());
    // The cookie lives as long as the token it carries, to the nearest second (the token
    // was issued a moment ago).
    let left = (session.refresh_expires_at - state.bakery.now()).num_milliseconds();
    cookie.set_max_age(std::time::Duration::from_secs(
        u64::try_from((left + 500) / 1000).unwrap_or(0),
    ));
    jar.add(cookie);
    Ok(Json(TokenResponse {
        access_token,
        refresh_token: session.refresh_token,
        expires_in: state.tokens.ttl.as_secs(),
        token_type: "Bearer".into(),
        user: session.user.into(),
    }))
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use async_trait::async_trait;
    use bakery_core::adapters::sqlite::SqliteStore;
    use bakery_core::ports::{RateLimit, SmsSender, Store};
    use bakery_core::secrets::OtpKey;
    use bakery_core::services::{Bakery, Settings};

    use super::*;
    use crate::state::RateLimits;

    /// Fails while `down` is set, like the Twilio adapter during an outage.
    #[derive(Default)]
    struct FlakySms {
        down: AtomicBool,
        tried: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl SmsSender for FlakySms {
        async fn send_otp(
            &self,
            _to: &Phone,
            code: &str,
            _valid_minutes: u32,
        ) -> Result<(), bakery_core::Error> {
            self.tried.lock().unwrap().push(code.to_owned());
            if self.down.load(Ordering::SeqCst) {
                Err(bakery_core::Error::SmsUnavailable)
            } else {
                Ok(())
            }
        }
    }

    async fn state(sms: Arc<FlakySms>, dir: &tempfile::TempDir) -> AppState {
        let store = SqliteStore::open(dir.path().join("bakery.db"))
            .await
            .unwrap();
        let bakery = Bakery::new(
            Store::from_adapter(store),
            Settings::new("Test Bakery", OtpKey::random()),
        )
        .with_sms(sms);
        let otp_two_per_hour = RateLimit {
            max: 2,
            window: Duration::from_secs(3600),
        };
        AppState::new(
            bakery,
            b"test-secret-test-secret-test-secret!",
            Duration::from_secs(900),
        )
        .with_rate_limits(RateLimits {
            otp: otp_two_per_hour,
            ..RateLimits::default()
        })
    }

    async fn register(state: &AppState) -> Result<Json<Message>, ApiError> {
        AuthApi
            .register(
                Data(state),
                &Request::default(),
                Json(RegisterRequest {
                    name: "Ada".into(),
                    phone: "+447700900050".into(),
                }),
            )
            .await
    }

    async fn send_otp(state: &AppState) -> Result<Json<Message>, ApiError> {
        AuthApi
            .send_otp(
                Data(state),
                &Request::default(),
                Json(SendOtpRequest {
                    phone: "+447700900050".into(),
                }),
            )
            .await
    }

    fn code_of(err: &ApiError) -> String {
        match err {
            ApiError::Unavailable(body, _) | ApiError::TooManyRequests(body, _) => {
                body.0.code.as_str()
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_failed_sms_answers_503_and_keeps_the_otp_allowance() {
        let dir = tempfile::tempdir().unwrap();
        let sms = Arc::new(FlakySms::default());
        let state = state(sms.clone(), &dir).await;

        // The provider is down: every try is 503 SMS_UNAVAILABLE, none counts, so the
        // customer is not at 429 when it comes back.
        sms.down.store(true, Ordering::SeqCst);
        for _ in 0..4 {
            let err = register(&state).await.unwrap_err();
            assert!(matches!(err, ApiError::Unavailable(..)), "{err:?}");
            assert_eq!(code_of(&err), "SMS_UNAVAILABLE");
        }
        sms.down.store(false, Ordering::SeqCst);
        register(&state).await.unwrap();
        let phone = Phone::parse("+447700900050").unwrap();
        let code = sms.tried.lock().unwrap().last().cloned().unwrap();
        state.bakery.verify_otp(&phone, &code).await.unwrap();

        // Codes that were sent count: register and send-otp share the allowance of two.
        sms.down.store(true, Ordering::SeqCst);
        assert_eq!(
            code_of(&send_otp(&state).await.unwrap_err()),
            "SMS_UNAVAILABLE"
        );
        sms.down.store(false, Ordering::SeqCst);
        send_otp(&state).await.unwrap();
        assert_eq!(
            code_of(&send_otp(&state).await.unwrap_err()),
            "RATE_LIMITED"
        );
    }
}

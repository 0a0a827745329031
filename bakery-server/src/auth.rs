//! Access tokens: HS256 JWTs carrying the user id and role, and the bearer security scheme
//! that turns one into a [`bakery_core::services::Actor`].
//!
//! Issue and expiry follow a [`Clock`] (the application's, see [`AppState::new`]), not the
//! wall clock, so a test that moves the bakery's time expires its access tokens too.

use std::sync::Arc;
use std::time::Duration;

use bakery_core::domain::{Id, Role};
use bakery_core::ports::{Clock, SystemClock};
use bakery_core::services::Actor;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use poem::Request;
use poem_openapi::auth::Bearer;
use poem_openapi::SecurityScheme;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::state::AppState;

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The session (refresh-token family) the token belongs to: it is honoured only while
    /// that session is live.
    pub sid: String,
    /// `customer`, `admin` or `delivery` when issued, for clients to read; authorisation
    /// uses the account's current role.
    pub role: String,
    pub iat: i64,
    pub exp: i64,
}

/// Seconds a token stays valid past its `exp`, for clocks of several instances that differ
/// slightly.
pub const LEEWAY_SECS: i64 = 5;

/// Signs and checks access tokens with one HS256 key.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    clock: Arc<dyn Clock>,
    pub ttl: Duration,
}

impl TokenKeys {
    /// Keys on the system clock; [`TokenKeys::with_clock`] changes it.
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        // Only HS256 is accepted: `alg: none` and algorithm confusion are refused here.
        let mut validation = Validation::new(Algorithm::HS256);
        // `exp` is required but checked against `clock` in `verify`, not the wall clock.
        validation.validate_exp = false;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            clock: Arc::new(SystemClock),
            ttl,
        }
    }

    /// Issues and checks expiry on `clock` (the bakery's, so tests can move it).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// A fresh access token for the user.
    pub fn issue(&self, user: &Id, role: Role, session: &Id) -> Result<String, ApiError> {
        let now = self.clock.now().timestamp();
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX / 2);
        let claims = Claims {
            sub: user.to_string(),
            sid: session.to_string(),
            role: role.as_str().to_owned(),
            iat: now,
            exp: now.saturating_add(ttl),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| bakery_core::Error::internal(e).into())
    }

    /// Who a token names, or 401 for anything malformed, expired or wrongly signed. Whether
    /// that session is still live, and the role, are the application's to say
    /// ([`bakery_core::services::Bakery::authenticate`]).
    pub fn verify(&self, token: &str) -> Result<TokenSubject, ApiError> {
        let bad = || ApiError::unauthorized("invalid or expired access token");
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| bad())?;
        // Expired once `exp` (plus the leeway) is behind the clock.
        if data.claims.exp.saturating_add(LEEWAY_SECS) <= self.clock.now().timestamp() {
            return Err(bad());
        }
        let user_id = Id::parse("sub", &data.claims.sub).map_err(|_| bad())?;
        let session = Id::parse("sid", &data.claims.sid).map_err(|_| bad())?;
        let role = Role::parse(&data.claims.role).map_err(|_| bad())?;
        Ok(TokenSubject {
            user_id,
            session,
            role,
        })
    }
}

/// What a well-signed, unexpired access token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSubject {
    pub user_id: Id,
    pub session: Id,
    /// The role when issued; see [`Claims::role`].
    pub role: Role,
}

/// `Authorization: Bearer <access token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_bearer")]
pub struct BearerAuth(pub Actor);

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Actor> {
    let state = req
        .data::<AppState>()
        .ok_or_else(|| poem::Error::from(ApiError::unauthorized("server misconfigured")))?;
    Ok(actor_of(state, &bearer.token).await?)
}

/// The actor an access token stands for now: a well-signed, unexpired token whose session
/// is live, with the account's current role.
pub async fn actor_of(state: &AppState, token: &str) -> Result<Actor, ApiError> {
    let subject = state.tokens.verify(token)?;
    Ok(state
        .bakery
        .authenticate(&subject.user_id, &subject.session)
        .await?)
}

impl BearerAuth {
    /// 403 unless the token's role is one of `roles`: one of the groups in
    /// [`bakery_core::domain::access`], never a list of the server's own.
    pub fn require(&self, roles: &[Role]) -> Result<&Actor, ApiError> {
        self.0.require(roles)?;
        Ok(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", Duration::from_secs(60));
        let id = Id::generate();
        let session = Id::generate();
        let token = keys.issue(&id, Role::Admin, &session).unwrap();
        let subject = keys.verify(&token).unwrap();
        assert_eq!(subject.user_id, id);
        assert_eq!(subject.session, session);
        assert_eq!(subject.role, Role::Admin);

        let other = TokenKeys::new(b"another-secret-another-secret-xx", Duration::from_secs(60));
        assert!(other.verify(&token).is_err(), "wrong signature");
        assert!(keys.verify("garbage").is_err());

        // alg: none with the same claims.
        use base64_like::encode;
        let header = encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = token.split('.').nth(1).unwrap();
        assert!(keys.verify(&format!("{header}.{payload}.")).is_err());
    }

    #[test]
    fn expiry_follows_the_clock_with_leeway() {
        use bakery_core::ports::ManualClock;
        let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", Duration::from_secs(60))
            .with_clock(clock.clone());
        let token = keys
            .issue(&Id::generate(), Role::Customer, &Id::generate())
            .unwrap();
        clock.advance(chrono::Duration::seconds(60 + LEEWAY_SECS - 1));
        assert!(keys.verify(&token).is_ok(), "still within the leeway");
        clock.advance(chrono::Duration::seconds(1));
        assert!(keys.verify(&token).is_err(), "expired on the clock");

        // Issued on a clock far in the past: already expired for the wall clock, which the
        // keys do not look at.
        let past = Arc::new(ManualClock::new(
            chrono::Utc::now() - chrono::Duration::days(1),
        ));
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", Duration::from_secs(60))
            .with_clock(past);
        let token = keys
            .issue(&Id::generate(), Role::Customer, &Id::generate())
            .unwrap();
        assert!(keys.verify(&token).is_ok());
    }

    #[test]
    fn a_token_without_exp_is_refused() {
        #[derive(Serialize)]
        struct NoExp {
            sub: String,
            role: &'static str,
            iat: i64,
        }
        let secret = b"0123456789abcdef0123456789abcdef";
        let keys = TokenKeys::new(secret, Duration::from_secs(60));
        let claims = NoExp {
            sub: Id::generate().to_string(),
            role: "admin",
            iat: chrono::Utc::now().timestamp(),
        };
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret),
        )
        .unwrap();
        assert!(keys.verify(&token).is_err());
    }

    /// Just enough URL-safe base64 for the test above.
    mod base64_like {
        pub fn encode(input: &[u8]) -> String {
            const ALPHABET: &[u8] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let mut out = String::new();
            for chunk in input.chunks(3) {
                let b = [
                    chunk[0],
                    *chunk.get(1).unwrap_or(&0),
                    *chunk.get(2).unwrap_or(&0),
                ];
                let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
                let chars = chunk.len() + 1;
                for i in 0..chars {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            out
        }
    }
}

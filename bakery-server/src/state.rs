//! What every handler shares: the bakery, the token keys, the rate limiter and the HTTP
//! policy (proxy trust, CORS, HTTPS).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bakery_core::adapters::MemoryRateLimiter;
use bakery_core::domain::{Id, Phone};
use bakery_core::ports::{Clock, RateLimit, RateLimiter};
use bakery_core::services::Bakery;
use poem::Request;

use crate::auth::TokenKeys;
use crate::error::ApiError;
use crate::tickets::Tickets;

/// The seed's limits; operators change them with `AUTH_RATE_LIMIT` and `OTP_RATE_LIMIT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// Sign-in attempts (login, verify-otp, reset-password) per client IP.
    pub auth: RateLimit,
    /// Codes sent (register, send-otp) per phone number.
    pub otp: RateLimit,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            auth: RateLimit {
                max: 5,
                window: Duration::from_secs(15 * 60),
            },
            otp: RateLimit {
                max: 3,
                window: Duration::from_secs(3600),
            },
        }
    }
}

/// Which origins may call the API from a browser (`CORS_ORIGINS`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum CorsOrigins {
    /// No CORS headers at all: browsers only allow same-origin calls.
    #[default]
    None,
    /// `*`: any origin, without credentials (refused in production).
    Any,
    /// Exactly these origins (`https://shop.example`), with credentials.
    List(Vec<String>),
}

/// How the server treats the HTTP around the API.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpPolicy {
    /// `TRUST_PROXY=true`: the client is the first `X-Forwarded-For` entry and the scheme is
    /// `X-Forwarded-Proto`; otherwise the socket's peer and the connection's scheme.
    pub trust_proxy: bool,
    /// `BAKERY_FORCE_HTTPS=true`: plain-http requests get a 308 to https, responses carry HSTS.
    pub force_https: bool,
    pub cors: CorsOrigins,
}

/// Cheap to clone; one per process, attached to every request.
#[derive(Clone)]
pub struct AppState {
    pub bakery: Bakery,
    pub tokens: TokenKeys,
    /// Single-use passes for the tracking socket, for browsers.
    pub tickets: Tickets,
    pub limiter: Arc<dyn RateLimiter>,
    pub limits: RateLimits,
    pub http: HttpPolicy,
}

impl AppState {
    /// A state with the seed's rate limits on a fresh in-process limiter, no CORS, no HTTPS
    /// redirect and no proxy trust; the `with_*` methods change those. Access tokens are
    /// issued and expire on `bakery`'s clock.
    pub fn new(bakery: Bakery, jwt_secret: &[u8], access_ttl: Duration) -> Self {
        let clock = Arc::new(BakeryClock(bakery.clone()));
        Self {
            bakery,
            tokens: TokenKeys::new(jwt_secret, access_ttl).with_clock(clock),
            tickets: Tickets::new(jwt_secret),
            limiter: Arc::new(MemoryRateLimiter::default()),
            limits: RateLimits::default(),
            http: HttpPolicy::default(),
        }
    }

    pub fn with_rate_limits(mut self, limits: RateLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Shares counts with other instances (Redis) instead of this process's memory.
    pub fn with_rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.limiter = limiter;
        self
    }

    pub fn with_http_policy(mut self, http: HttpPolicy) -> Self {
        self.http = http;
        self
    }

    /// Counts one sign-in attempt from the request's client; 429 beyond the limit.
    pub async fn limit_auth(&self, req: &Request) -> Result<(), ApiError> {
        let key = format!("auth:{}", rate_key(&self.client_ip(req)));
        self.limiter.hit(&key, self.limits.auth).await?;
        Ok(())
    }

    /// Counts one code sent to `phone`; 429 beyond the limit.
    pub async fn limit_otp(&self, phone: &Phone) -> Result<(), ApiError> {
        self.limiter.hit(&otp_key(phone), self.limits.otp).await?;
        Ok(())
    }

    /// Gives back the count [`AppState::limit_otp`] took, when the code was not sent after all
    /// (the SMS provider failed): the customer's allowance is for codes they received.
    pub async fn refund_otp(&self, phone: &Phone) {
        if let Err(e) = self.limiter.refund(&otp_key(phone)).await {
            tracing::warn!(error = ?e, "could not give back an OTP count after a failed send");
        }
    }

    /// At most one position report per second per courier (shared by the fleet); 429 beyond.
    pub async fn limit_location(&self, courier: &Id) -> Result<(), ApiError> {
        let once_a_second = RateLimit {
            max: 1,
            window: Duration::from_secs(1),
        };
        self.limiter
            .hit(&format!("location:{courier}"), once_a_second)
            .await?;
        Ok(())
    }

    /// The client's address as far as we can trust it.
    pub fn client_ip(&self, req: &Request) -> String {
        client_ip(req, self.http.trust_proxy)
    }
}

fn otp_key(phone: &Phone) -> String {
    format!("otp:{}", phone.as_str())
}

/// The bakery's clock (system or the one it was given), for the token keys.
struct BakeryClock(Bakery);

impl Clock for BakeryClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.now()
    }
}

/// IPv6 clients usually hold a whole /64: count them by it, or one client could rotate
/// addresses around the limit.
fn rate_key(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or_else(|| ip.to_owned(), |v4| v4.to_string()),
        _ => ip.to_owned(),
    }
}

/// The socket's peer, or the first `X-Forwarded-For` entry behind a trusted proxy.
pub fn client_ip(req: &Request, trust_proxy: bool) -> String {
    if trust_proxy {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|first| first.trim().parse::<IpAddr>().ok());
        if let Some(ip) = forwarded {
            return ip.to_string();
        }
    }
    match req.remote_addr().as_socket_addr() {
        Some(addr) => addr.ip().to_string(),
        None => req.remote_addr().to_string(),
    }
}

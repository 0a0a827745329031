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
use crate::sockets::Sockets;
use crate::tickets::Tickets;

/// The seed's limits; operators change them with `AUTH_RATE_LIMIT`, `OTP_RATE_LIMIT` and
/// `OTP_GLOBAL_LIMIT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// Sign-in attempts (login, verify-otp, reset-password) per client IP; and, counted
    /// apart, codes requested (register, send-otp) per client IP, so that one client cannot
    /// text a list of numbers.
    pub auth: RateLimit,
    /// Codes requested (register, send-otp) per phone number.
    pub otp: RateLimit,
    /// Codes requested by everyone together: the ceiling on what SMS can cost in a window,
    /// whatever the number of clients and numbers a fraud ring rotates through.
    pub otp_global: RateLimit,
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
            otp_global: RateLimit {
                max: 1000,
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
    /// `PUBLIC_BASE_URL` (`https://api.shop.example`): the server the published
    /// `openapi.json` names; the local default when unset.
    pub public_base_url: Option<String>,
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
    /// The open tracking and board sockets, closed with 1001 at shutdown.
    pub sockets: Sockets,
    /// The picture files this server stores and serves under `/media` itself; `None` when
    /// pictures live elsewhere (S3).
    pub media: Option<Arc<bakery_core::adapters::LocalImages>>,
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
            sockets: Sockets::default(),
            media: None,
        }
    }

    /// Serves `/media` (uploads and variants) from these files.
    pub fn with_media(mut self, media: Option<Arc<bakery_core::adapters::LocalImages>>) -> Self {
        self.media = media;
        self
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

    /// Counts one code requested for `phone` by the request's client: per client IP, then per
    /// phone, then against the global budget; 429 at the first that is full, before anything
    /// is stored or sent.
    ///
    /// Every request that passes is counted, whether or not the phone has an account (a
    /// send-otp to an unknown number texts nothing): counting only real texts would make the
    /// refusals tell registered numbers apart. The global budget comes last, so requests
    /// refused per client or per phone cannot spend it and lock everyone else out.
    pub async fn limit_otp(&self, req: &Request, phone: &Phone) -> Result<OtpCount, ApiError> {
        let count = OtpCount {
            ip_key: format!("otp-ip:{}", rate_key(&self.client_ip(req))),
            phone_key: format!("otp:{}", phone.as_str()),
            counted_global: false,
        };
        self.limiter.hit(&count.ip_key, self.limits.auth).await?;
        self.limiter.hit(&count.phone_key, self.limits.otp).await?;
        if let Err(e) = self
            .limiter
            .hit(OTP_GLOBAL_KEY, self.limits.otp_global)
            .await
        {
            // Nothing is sent: the client and the phone keep their allowance for when the
            // budget has room again.
            self.refund_otp(&count).await;
            return Err(e.into());
        }
        Ok(OtpCount {
            counted_global: true,
            ..count
        })
    }

    /// Gives back what [`AppState::limit_otp`] counted, when the code was not sent after all
    /// (the SMS provider failed): allowances and the budget are for codes that left.
    pub async fn refund_otp(&self, count: &OtpCount) {
        let mut keys = vec![count.ip_key.as_str(), count.phone_key.as_str()];
        if count.counted_global {
            keys.push(OTP_GLOBAL_KEY);
        }
        for key in keys {
            if let Err(e) = self.limiter.refund(key).await {
                tracing::warn!(error = ?e, "could not give back an OTP count after a failed send");
            }
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

/// The one key every instance counts the global OTP budget under.
const OTP_GLOBAL_KEY: &str = "otp-global";

/// What [`AppState::limit_otp`] counted for one request, to give it back.
#[derive(Debug)]
pub struct OtpCount {
    ip_key: String,
    phone_key: String,
    counted_global: bool,
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

//! The server's configuration, read once from the environment (and `.env`, loaded by `main`).
//!
//! With nothing set, the embedded defaults apply and the server starts; with
//! `BAKERY_ENV=production` it starts once the secrets and an SMS provider are set, and
//! otherwise refuses with one line that names every missing or insecure setting and says what
//! to set.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use bakery_core::adapters::{LogPush, LogSms, NoPayments};
use bakery_core::domain::{Currency, Money, Phone};
use bakery_core::ports::{PaymentProvider, PushSender, RateLimit, SmsSender};
use bakery_core::rules::pricing::PricingSettings;
use bakery_core::secrets::OtpKey;
use bakery_core::services::Settings;
use rand::RngCore;

use crate::state::{CorsOrigins, HttpPolicy, RateLimits};

/// Where the shop's data lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreConfig {
    /// The embedded default: a SQLite file in the data directory.
    Sqlite { data_dir: PathBuf },
    /// `MONGODB_URI` (+ `MONGODB_DATABASE`, default `bakery`).
    Mongo { uri: String, database: String },
}

/// Every environment variable the server reads, so that deployment files and `.env`
/// examples can be checked against it (a test reads the configuration with all of them set
/// and fails on any read that is not listed here).
pub const VARIABLES: &[&str] = &[
    "BAKERY_ENV",
    "PORT",
    "BAKERY_DATA_DIR",
    "MONGODB_URI",
    "MONGODB_DATABASE",
    "REDIS_URL",
    "REDIS_PREFIX",
    "JWT_SECRET",
    "OTP_SECRET",
    "AUTH_RATE_LIMIT",
    "OTP_RATE_LIMIT",
    "OTP_GLOBAL_LIMIT",
    "OTP_COUNTRIES",
    "CORS_ORIGINS",
    "PUBLIC_BASE_URL",
    "TRUST_PROXY",
    "BAKERY_FORCE_HTTPS",
    "JWT_EXPIRES_IN",
    "JWT_REFRESH_EXPIRES_IN",
    "SHOP_NAME",
    "SHOP_CURRENCY",
    "SHOP_TIMEZONE",
    "DELIVERY_FEE",
    "FREE_DELIVERY_ABOVE",
    "TAX_RATE_BPS",
    "DELIVERY_MINUTES",
    "COURIER_DEFAULT_SPEED_KMH",
    "SMS_PROVIDER",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_FROM",
    "TWILIO_MESSAGING_SERVICE_SID",
    "TWILIO_API_BASE",
    "OTP_WEB_DOMAIN",
    "FCM_SERVICE_ACCOUNT",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "FCM_API_BASE",
    "FCM_TOKEN_URI",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_API_BASE",
    "CARD_PAYMENT_TIMEOUT",
    "AWS_S3_BUCKET",
    "AWS_REGION",
    "AWS_ENDPOINT_URL",
    "IMAGES_PUBLIC_BASE_URL",
    // Read by the log filter (tracing-subscriber), not by `Config`.
    "RUST_LOG",
];

/// Everything `serve` and `create-admin` need.
#[derive(Clone, Debug)]
pub struct Config {
    pub production: bool,
    pub port: u16,
    /// `BAKERY_DATA_DIR` (default `./data`): the SQLite store and, in development, the
    /// generated secrets.
    pub data_dir: PathBuf,
    pub store: StoreConfig,
    /// `REDIS_URL`: the shared catalog cache and rate limits of a fleet. Without it both
    /// stay in this process, which is right for one instance only.
    pub redis: Option<RedisConfig>,
    pub jwt_secret: Vec<u8>,
    /// Which of `JWT_SECRET` / `OTP_SECRET` were not set and got a random value; see
    /// [`Config::keep_generated_secrets`].
    pub generated_secrets: GeneratedSecrets,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub settings: Settings,
    pub rate_limits: RateLimits,
    pub http: HttpPolicy,
    /// How sign-in codes reach the customer (`SMS_PROVIDER`).
    pub sms: SmsConfig,
    /// `OTP_WEB_DOMAIN`: the web shop's host. When set, code texts end with the line
    /// `@<domain> #<code>` so browsers (WebOTP) and Android can fill the code in.
    pub otp_web_domain: Option<String>,
    /// Push through FCM HTTP v1; `None` keeps pushes in the log (the inbox has them).
    pub fcm: Option<FcmConfig>,
    /// Card payments through Stripe; `None` takes cash only.
    pub stripe: Option<StripeSettings>,
    /// Where pictures live (`AWS_S3_BUCKET`, or files in the data directory).
    pub images: ImagesConfig,
}

/// Where uploaded pictures are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImagesConfig {
    /// Files under `<data dir>/media`, uploaded to and served by the server itself. URLs
    /// start with `IMAGES_PUBLIC_BASE_URL`, else `PUBLIC_BASE_URL`, else they are paths.
    Files { public_base_url: Option<String> },
    /// `AWS_S3_BUCKET` (+ `AWS_REGION`, `AWS_ENDPOINT_URL`, `IMAGES_PUBLIC_BASE_URL`);
    /// credentials from the usual AWS chain.
    S3 {
        bucket: String,
        region: Option<String>,
        endpoint: Option<String>,
        public_base_url: Option<String>,
    },
}

/// `STRIPE_*`: all three keys, or none (cash only).
#[derive(Clone, PartialEq, Eq)]
pub struct StripeSettings {
    /// `STRIPE_SECRET_KEY` (`sk_...` or a restricted `rk_...`): never printed.
    pub secret_key: String,
    /// `STRIPE_WEBHOOK_SECRET` (`whsec_...`), the endpoint's signing secret: never printed.
    pub webhook_secret: String,
    /// `STRIPE_PUBLISHABLE_KEY` (`pk_...`), handed to apps in `GET /shop`.
    pub publishable_key: String,
    /// `STRIPE_API_BASE`: Stripe's API unless a test points it at a fake.
    pub api_base: Option<String>,
}

impl std::fmt::Debug for StripeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeSettings")
            .field("publishable_key", &self.publishable_key)
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// `FCM_SERVICE_ACCOUNT` (a path or the key file's JSON; else
/// `GOOGLE_APPLICATION_CREDENTIALS`, a path), and the endpoints tests point elsewhere.
#[derive(Clone, PartialEq, Eq)]
pub struct FcmConfig {
    pub service_account: String,
    pub api_base: Option<String>,
    pub token_uri: Option<String>,
}

impl std::fmt::Debug for FcmConfig {
    /// The service account may be the key itself: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FcmConfig")
            .field("api_base", &self.api_base)
            .field("token_uri", &self.token_uri)
            .finish_non_exhaustive()
    }
}

/// Twilio's API, unless `TWILIO_API_BASE` points elsewhere (a test's fake).
pub const TWILIO_API_BASE: &str = "https://api.twilio.com";

/// `SMS_PROVIDER`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmsConfig {
    /// `log`, the default outside production: codes are written to the server's log, where
    /// a single-shop owner or a developer reads them. Refused in production.
    Log,
    /// `twilio`: Twilio's Messages API.
    Twilio(TwilioSettings),
}

impl SmsConfig {
    /// For the adapters line at start-up.
    pub fn provider(&self) -> &'static str {
        match self {
            Self::Log => "log",
            Self::Twilio(_) => "twilio",
        }
    }
}

/// `TWILIO_*`: at least one of `from` and `messaging_service_sid` is set.
#[derive(Clone, PartialEq, Eq)]
pub struct TwilioSettings {
    /// `TWILIO_ACCOUNT_SID` (`AC` + 32 hex characters).
    pub account_sid: String,
    /// `TWILIO_AUTH_TOKEN`: never printed (see the `Debug` impl).
    pub auth_token: String,
    /// `TWILIO_FROM`: a number in E.164 form or an alphanumeric sender id.
    pub from: Option<String>,
    /// `TWILIO_MESSAGING_SERVICE_SID` (`MG` + 32 hex characters).
    pub messaging_service_sid: Option<String>,
    /// `TWILIO_API_BASE`, without a trailing slash; https in production.
    pub api_base: String,
}

impl fmt::Debug for TwilioSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioSettings")
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"<redacted>")
            .field("from", &self.from)
            .field("messaging_service_sid", &self.messaging_service_sid)
            .field("api_base", &self.api_base)
            .finish()
    }
}

/// Where the shared Redis is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisConfig {
    pub url: String,
    /// `REDIS_PREFIX` (default `bakery:`): keeps this shop's keys apart on a shared server.
    pub prefix: String,
}

/// Secrets the environment did not provide.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GeneratedSecrets {
    pub jwt: bool,
    pub otp: bool,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|key| std::env::var(key).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads configuration through `lookup`, so tests can pass a map instead of the process
    /// environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let lookup = |key: &str| {
            debug_assert!(
                VARIABLES.contains(&key),
                "{key} is read but not in VARIABLES"
            );
            lookup(key)
        };
        let production = match lookup("BAKERY_ENV").as_deref().map(str::trim) {
            None | Some("development") | Some("dev") | Some("test") => false,
            Some("production") | Some("prod") => true,
            Some(other) => {
                bail!("BAKERY_ENV must be `development` or `production`, not `{other}`")
            }
        };
        let port = match lookup("PORT") {
            Some(raw) => raw
                .trim()
                .parse()
                .with_context(|| format!("PORT must be a port number, not `{raw}`"))?,
            None => 3000,
        };
        let data_dir = PathBuf::from(lookup("BAKERY_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let store = match lookup("MONGODB_URI") {
            Some(uri) => StoreConfig::Mongo {
                uri,
                database: lookup("MONGODB_DATABASE").unwrap_or_else(|| "bakery".into()),
            },
            None => StoreConfig::Sqlite {
                data_dir: data_dir.clone(),
            },
        };
        let redis = match lookup("REDIS_URL") {
            Some(url) => {
                if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
                    bail!("REDIS_URL must look like redis://host:6379 (or rediss:// for TLS)");
                }
                Some(RedisConfig {
                    url,
                    prefix: lookup("REDIS_PREFIX").unwrap_or_else(|| "bakery:".into()),
                })
            }
            None => None,
        };
        // Settings that are missing or insecure are collected, not reported one at a time, so
        // that one failed start names everything left to fix.
        let mut refused: Vec<String> = Vec::new();
        let mut generated_secrets = GeneratedSecrets::default();
        let jwt_secret = match lookup("JWT_SECRET") {
            Some(secret) if secret.len() >= 32 => secret.into_bytes(),
            Some(_) => {
                refused.push(
                    "JWT_SECRET is shorter than 32 characters (use e.g. `openssl rand -hex 32`)"
                        .into(),
                );
                random_secret().into_bytes()
            }
            None if production => {
                refused.push(
                    "JWT_SECRET is not set (at least 32 random characters, e.g. `openssl rand \
                     -hex 32`; a random key would sign everyone out at every restart and \
                     instances would reject each other's tokens)"
                        .into(),
                );
                random_secret().into_bytes()
            }
            None => {
                generated_secrets.jwt = true;
                random_secret().into_bytes()
            }
        };
        let otp_key = match lookup("OTP_SECRET") {
            Some(secret) => OtpKey::new(secret.as_bytes()).unwrap_or_else(|_| {
                refused.push("OTP_SECRET is shorter than 16 characters".into());
                OtpKey::random()
            }),
            None if production => {
                refused.push(
                    "OTP_SECRET is not set (at least 16 random characters, so codes sent before \
                     a restart stay valid)"
                        .into(),
                );
                OtpKey::random()
            }
            None => {
                generated_secrets.otp = true;
                OtpKey::random()
            }
        };
        let rate_limits = RateLimits {
            auth: rate_limit_var(&lookup, "AUTH_RATE_LIMIT", "5/15m")?,
            otp: rate_limit_var(&lookup, "OTP_RATE_LIMIT", "3/1h")?,
            otp_global: rate_limit_var(&lookup, "OTP_GLOBAL_LIMIT", "1000/1h")?,
        };
        let otp_countries = lookup("OTP_COUNTRIES")
            .map(|raw| calling_codes(&raw))
            .transpose()?;
        let cors = match lookup("CORS_ORIGINS") {
            None => CorsOrigins::None,
            Some(raw) => {
                let origins: Vec<String> = raw
                    .split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_owned())
                    .filter(|o| !o.is_empty())
                    .collect();
                if origins.iter().any(|o| o == "*") {
                    if production {
                        refused.push(
                            "CORS_ORIGINS=* lets every web site call the API with your users' \
                             browsers (list the origins instead, e.g. \
                             CORS_ORIGINS=https://shop.example,https://admin.shop.example)"
                                .into(),
                        );
                    }
                    CorsOrigins::Any
                } else if origins.is_empty() {
                    CorsOrigins::None
                } else {
                    for origin in &origins {
                        if !(origin.starts_with("https://") || origin.starts_with("http://"))
                            || origin["https://".len().min(origin.len())..].contains('/')
                        {
                            bail!(
                                "CORS_ORIGINS entries are origins like https://shop.example \
                                 (scheme, host and optional port, no path), not `{origin}`"
                            );
                        }
                    }
                    CorsOrigins::List(origins)
                }
            }
        };
        let public_base_url = match lookup("PUBLIC_BASE_URL") {
            None => None,
            Some(raw) => {
                let url = raw.trim().trim_end_matches('/').to_owned();
                let rest = url
                    .strip_prefix("https://")
                    .or_else(|| url.strip_prefix("http://"));
                if rest.is_none_or(|host| host.is_empty() || host.contains(char::is_whitespace)) {
                    bail!(
                        "PUBLIC_BASE_URL is where apps reach the API, like \
                         https://api.shop.example, not `{raw}`"
                    );
                }
                Some(url)
            }
        };
        let images_base = match lookup("IMAGES_PUBLIC_BASE_URL") {
            None => None,
            Some(raw) => {
                let url = raw.trim().trim_end_matches('/').to_owned();
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    bail!(
                        "IMAGES_PUBLIC_BASE_URL is where apps read pictures, like \
                         https://cdn.shop.example, not `{raw}`"
                    );
                }
                Some(url)
            }
        };
        let region = lookup("AWS_REGION").filter(|r| !r.trim().is_empty());
        let endpoint = lookup("AWS_ENDPOINT_URL").filter(|e| !e.trim().is_empty());
        let images = match lookup("AWS_S3_BUCKET").filter(|b| !b.trim().is_empty()) {
            Some(bucket) => ImagesConfig::S3 {
                bucket: bucket.trim().to_owned(),
                region,
                endpoint,
                public_base_url: images_base,
            },
            None => ImagesConfig::Files {
                public_base_url: images_base.or_else(|| public_base_url.clone()),
            },
        };
        let http = HttpPolicy {
            trust_proxy: bool_var(&lookup, "TRUST_PROXY")?,
            force_https: bool_var(&lookup, "BAKERY_FORCE_HTTPS")?,
            cors,
            public_base_url,
        };
        let sms = sms_config(&lookup, production, &mut refused);
        let (fcm_api_base, fcm_token_uri) = (lookup("FCM_API_BASE"), lookup("FCM_TOKEN_URI"));
        let fcm = lookup("FCM_SERVICE_ACCOUNT")
            .or(lookup("GOOGLE_APPLICATION_CREDENTIALS"))
            .map(|service_account| FcmConfig {
                service_account,
                api_base: fcm_api_base,
                token_uri: fcm_token_uri,
            });
        let stripe = stripe_settings(&lookup, &mut refused);
        let otp_web_domain = match lookup("OTP_WEB_DOMAIN") {
            None => None,
            Some(raw) => match web_domain(&raw) {
                Some(domain) => Some(domain),
                None => {
                    refused.push(format!(
                        "OTP_WEB_DOMAIN must be the web shop's host, like shop.example (no \
                         scheme, port or path), not `{}`",
                        raw.trim()
                    ));
                    None
                }
            },
        };
        if !refused.is_empty() {
            let lead = if production {
                "BAKERY_ENV=production refuses to start: "
            } else {
                ""
            };
            bail!("{lead}{}", refused.join("; "));
        }
        let access_token_ttl = duration_var(&lookup, "JWT_EXPIRES_IN", "15m")?;
        let refresh_token_ttl = duration_var(&lookup, "JWT_REFRESH_EXPIRES_IN", "7d")?;
        let currency = Currency::parse(&lookup("SHOP_CURRENCY").unwrap_or_else(|| "eur".into()))
            .map_err(|_| anyhow::anyhow!("SHOP_CURRENCY must be a three-letter ISO 4217 code"))?;
        let delivery_fee = Money::from_minor(int_var(&lookup, "DELIVERY_FEE", 0)?);
        let free_delivery_above = match lookup("FREE_DELIVERY_ABOVE") {
            Some(_) => Some(Money::from_minor(int_var(
                &lookup,
                "FREE_DELIVERY_ABOVE",
                0,
            )?)),
            None => None,
        };
        let tax_rate_bps = u32::try_from(int_var(&lookup, "TAX_RATE_BPS", 0)?)
            .context("TAX_RATE_BPS is too large")?;
        if tax_rate_bps > 10_000 {
            bail!("TAX_RATE_BPS is in basis points and must be at most 10000 (100 %)");
        }
        let delivery_minutes = u32::try_from(int_var(&lookup, "DELIVERY_MINUTES", 30)?)
            .context("DELIVERY_MINUTES is too large")?;
        let courier_speed_kmh = int_var(&lookup, "COURIER_DEFAULT_SPEED_KMH", 20)?;
        if !(1..=130).contains(&courier_speed_kmh) {
            bail!("COURIER_DEFAULT_SPEED_KMH is a courier's speed in km/h, from 1 to 130");
        }
        // The opening hours are local times there; a wrong name would shift every opening.
        let timezone = bakery_core::domain::parse_timezone(
            "SHOP_TIMEZONE",
            &lookup("SHOP_TIMEZONE").unwrap_or_else(|| "UTC".into()),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let settings = Settings {
            shop_name: lookup("SHOP_NAME").unwrap_or_else(|| "Bakery".into()),
            pricing: PricingSettings {
                currency,
                delivery_fee,
                free_delivery_above,
                tax_rate_bps,
            },
            delivery_minutes,
            // 1..=130 is exact in f64.
            courier_speed_kmh: courier_speed_kmh as f64,
            otp_key,
            otp_ttl: chrono::Duration::minutes(10),
            otp_max_attempts: 5,
            refresh_token_ttl: chrono::Duration::from_std(refresh_token_ttl)
                .context("JWT_REFRESH_EXPIRES_IN is too long")?,
            card_payment_timeout: chrono::Duration::from_std(duration_var(
                &lookup,
                "CARD_PAYMENT_TIMEOUT",
                "30m",
            )?)
            .context("CARD_PAYMENT_TIMEOUT is too long")?,
            otp_countries,
            timezone,
        };
        Ok(Self {
            production,
            port,
            data_dir,
            store,
            redis,
            jwt_secret,
            generated_secrets,
            access_token_ttl,
            refresh_token_ttl,
            settings,
            rate_limits,
            http,
            sms,
            otp_web_domain,
            fcm,
            stripe,
            images,
        })
    }

    /// The picture storage, and the files behind it when the server serves them itself
    /// (`/media`). Upload URLs of files are signed with a key derived from `JWT_SECRET`, so
    /// call this after [`Config::keep_generated_secrets`].
    pub async fn image_storage(
        &self,
    ) -> anyhow::Result<(
        Arc<dyn bakery_core::ports::ImageStorage>,
        Option<Arc<bakery_core::adapters::LocalImages>>,
    )> {
        match &self.images {
            ImagesConfig::Files { public_base_url } => {
                let files = Arc::new(bakery_core::adapters::LocalImages::new(
                    self.data_dir.join("media"),
                    &self.jwt_secret,
                    public_base_url.as_deref(),
                ));
                Ok((files.clone(), Some(files)))
            }
            #[cfg(feature = "s3")]
            ImagesConfig::S3 {
                bucket,
                region,
                endpoint,
                public_base_url,
            } => {
                use bakery_core::adapters::s3_images::{S3Images, S3Settings};
                let settings = S3Settings {
                    bucket: bucket.clone(),
                    region: region.clone(),
                    endpoint: endpoint.clone(),
                    public_base_url: public_base_url.clone(),
                };
                Ok((Arc::new(S3Images::from_env(&settings).await), None))
            }
            #[cfg(not(feature = "s3"))]
            ImagesConfig::S3 { .. } => bail!(
                "AWS_S3_BUCKET needs a bakery-server built with the `s3` feature (on by default)"
            ),
        }
    }

    /// The card payment provider: Stripe when its keys are configured, else cash only.
    pub fn payment_provider(&self) -> anyhow::Result<Arc<dyn PaymentProvider>> {
        match &self.stripe {
            None => Ok(Arc::new(NoPayments)),
            #[cfg(feature = "stripe")]
            Some(stripe) => {
                use bakery_core::adapters::stripe::{StripeConfig, StripePayments};
                let mut config = StripeConfig::new(
                    stripe.secret_key.clone(),
                    stripe.webhook_secret.clone(),
                    stripe.publishable_key.clone(),
                );
                if let Some(base) = &stripe.api_base {
                    config.api_base = base.clone();
                }
                let payments = StripePayments::new(config)
                    .map_err(|e| anyhow::anyhow!("STRIPE_SECRET_KEY: {e}"))?;
                Ok(Arc::new(payments))
            }
            #[cfg(not(feature = "stripe"))]
            Some(_) => bail!(
                "STRIPE_SECRET_KEY needs a bakery-server built with the `stripe` feature (on by \
                 default)"
            ),
        }
    }

    /// The push sender: FCM when a service account is configured, else the log.
    pub fn push_sender(&self) -> anyhow::Result<Arc<dyn PushSender>> {
        match &self.fcm {
            None => Ok(Arc::new(LogPush)),
            #[cfg(feature = "fcm")]
            Some(fcm) => {
                use bakery_core::adapters::fcm::{load_service_account, FcmOptions, FcmPush};
                let json = load_service_account(&fcm.service_account)
                    .map_err(|e| anyhow::anyhow!("FCM_SERVICE_ACCOUNT: {e}"))?;
                let options = FcmOptions {
                    api_base: fcm.api_base.clone(),
                    token_uri: fcm.token_uri.clone(),
                    ..FcmOptions::default()
                };
                let push = FcmPush::from_service_account(&json, options)
                    .map_err(|e| anyhow::anyhow!("FCM_SERVICE_ACCOUNT: {e}"))?;
                Ok(Arc::new(push))
            }
            #[cfg(not(feature = "fcm"))]
            Some(_) => bail!(
                "FCM_SERVICE_ACCOUNT needs a bakery-server built with the `fcm` feature (on by \
                 default)"
            ),
        }
    }

    /// The SMS sender `SMS_PROVIDER` names, wording its texts with the shop's name and
    /// `OTP_WEB_DOMAIN`.
    pub fn sms_sender(&self) -> anyhow::Result<Arc<dyn SmsSender>> {
        match &self.sms {
            SmsConfig::Log => Ok(Arc::new(LogSms)),
            #[cfg(feature = "sms-http")]
            SmsConfig::Twilio(twilio) => {
                use bakery_core::adapters::twilio_sms::{TwilioConfig, TwilioSms, DEFAULT_TIMEOUT};
                let sms = TwilioSms::new(TwilioConfig {
                    account_sid: twilio.account_sid.clone(),
                    auth_token: twilio.auth_token.clone(),
                    from: twilio.from.clone(),
                    messaging_service_sid: twilio.messaging_service_sid.clone(),
                    api_base: twilio.api_base.clone(),
                    shop_name: self.settings.shop_name.clone(),
                    web_otp_domain: self.otp_web_domain.clone(),
                    timeout: DEFAULT_TIMEOUT,
                })
                .map_err(|e| anyhow::anyhow!("SMS_PROVIDER=twilio: {e}"))?;
                Ok(Arc::new(sms))
            }
            #[cfg(not(feature = "sms-http"))]
            SmsConfig::Twilio(_) => bail!(
                "SMS_PROVIDER=twilio needs a bakery-server built with the `sms-http` feature \
                 (on by default)"
            ),
        }
    }
}

/// `STRIPE_*`: all three keys or none, each of the kind its name says (a secret key pasted
/// as the publishable one would be handed to every app).
fn stripe_settings(
    lookup: &impl Fn(&str) -> Option<String>,
    refused: &mut Vec<String>,
) -> Option<StripeSettings> {
    let read = |key: &str| {
        lookup(key)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let (secret, webhook, publishable) = (
        read("STRIPE_SECRET_KEY"),
        read("STRIPE_WEBHOOK_SECRET"),
        read("STRIPE_PUBLISHABLE_KEY"),
    );
    if secret.is_none() && webhook.is_none() && publishable.is_none() {
        return None;
    }
    let mut problems = Vec::new();
    let mut check = |key: &str, value: &Option<String>, prefixes: &[&str]| match value {
        None => problems.push(format!("{key} is not set")),
        Some(v) if !prefixes.iter().any(|p| v.starts_with(p)) => {
            problems.push(format!("{key} must start with {}", prefixes.join(" or ")))
        }
        Some(_) => {}
    };
    check("STRIPE_SECRET_KEY", &secret, &["sk_", "rk_"]);
    check("STRIPE_WEBHOOK_SECRET", &webhook, &["whsec_"]);
    check("STRIPE_PUBLISHABLE_KEY", &publishable, &["pk_"]);
    if !problems.is_empty() {
        refused.push(format!(
            "card payments need STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and \
             STRIPE_PUBLISHABLE_KEY together: {}",
            problems.join(", ")
        ));
        return None;
    }
    Some(StripeSettings {
        secret_key: secret?,
        webhook_secret: webhook?,
        publishable_key: publishable?,
        api_base: read("STRIPE_API_BASE"),
    })
}

/// `SMS_PROVIDER` and, for `twilio`, its `TWILIO_*` settings; what is missing or wrong goes
/// to `refused`.
fn sms_config(
    lookup: &impl Fn(&str) -> Option<String>,
    production: bool,
    refused: &mut Vec<String>,
) -> SmsConfig {
    const HOW: &str = "set SMS_PROVIDER=twilio with TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and \
                       TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID";
    let provider = lookup("SMS_PROVIDER").map(|p| p.trim().to_ascii_lowercase());
    match provider.as_deref() {
        None | Some("log") => {
            if production {
                refused.push(if provider.is_none() {
                    format!("SMS_PROVIDER is not set ({HOW})")
                } else {
                    format!("SMS_PROVIDER=log would write every sign-in code to the log ({HOW})")
                });
            }
            SmsConfig::Log
        }
        Some("twilio") => {
            let before = refused.len();
            let twilio = twilio_settings(lookup, production, refused);
            if refused.len() == before {
                SmsConfig::Twilio(twilio)
            } else {
                SmsConfig::Log
            }
        }
        Some(other) => {
            refused.push(format!(
                "SMS_PROVIDER must be `log` or `twilio`, not `{other}`"
            ));
            SmsConfig::Log
        }
    }
}

fn twilio_settings(
    lookup: &impl Fn(&str) -> Option<String>,
    production: bool,
    refused: &mut Vec<String>,
) -> TwilioSettings {
    let account_sid = match lookup("TWILIO_ACCOUNT_SID").map(|v| v.trim().to_owned()) {
        None => {
            refused.push("TWILIO_ACCOUNT_SID is not set (the Account SID, AC…)".into());
            String::new()
        }
        Some(sid) if twilio_sid(&sid, "AC") => sid,
        Some(_) => {
            refused.push(
                "TWILIO_ACCOUNT_SID must be AC followed by 32 hex characters (the Account SID)"
                    .into(),
            );
            String::new()
        }
    };
    let auth_token = lookup("TWILIO_AUTH_TOKEN")
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| {
            refused.push("TWILIO_AUTH_TOKEN is not set".into());
            String::new()
        });
    let from = lookup("TWILIO_FROM").and_then(|raw| {
        let from = sender_id(&raw);
        if from.is_none() {
            refused.push(format!(
                "TWILIO_FROM must be a number in international form (+15005550006) or an \
                 alphanumeric sender id of up to 11 letters and digits, not `{}`",
                raw.trim()
            ));
        }
        from
    });
    let messaging_service_sid = lookup("TWILIO_MESSAGING_SERVICE_SID").and_then(|raw| {
        let sid = raw.trim().to_owned();
        if twilio_sid(&sid, "MG") {
            Some(sid)
        } else {
            refused.push(
                "TWILIO_MESSAGING_SERVICE_SID must be MG followed by 32 hex characters".into(),
            );
            None
        }
    });
    if lookup("TWILIO_FROM").is_none() && lookup("TWILIO_MESSAGING_SERVICE_SID").is_none() {
        refused.push(
            "TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is not set (one of them names the \
             sender)"
                .into(),
        );
    }
    let api_base = lookup("TWILIO_API_BASE")
        .map(|v| v.trim().trim_end_matches('/').to_owned())
        .unwrap_or_else(|| TWILIO_API_BASE.into());
    if production && !api_base.starts_with("https://") {
        refused.push(format!(
            "TWILIO_API_BASE must be https:// with BAKERY_ENV=production (the auth token \
             travels with every request), not `{api_base}`"
        ));
    } else if !(api_base.starts_with("https://") || api_base.starts_with("http://")) {
        refused.push(format!(
            "TWILIO_API_BASE must be an http(s) URL like {TWILIO_API_BASE}, not `{api_base}`"
        ));
    }
    TwilioSettings {
        account_sid,
        auth_token,
        from,
        messaging_service_sid,
        api_base,
    }
}

/// `AC…` / `MG…`: the prefix and 32 hex characters, as Twilio issues them.
fn twilio_sid(sid: &str, prefix: &str) -> bool {
    sid.len() == 34 && sid.starts_with(prefix) && sid[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// A sender Twilio accepts in `From`: a phone number (normalised to E.164) or an
/// alphanumeric sender id (up to 11 letters, digits and spaces, at least one letter).
fn sender_id(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.starts_with('+') || raw.starts_with("00") {
        return Phone::parse(raw).ok().map(String::from);
    }
    let ok = (1..=11).contains(&raw.len())
        && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ')
        && raw.bytes().any(|b| b.is_ascii_alphabetic());
    ok.then(|| raw.to_owned())
}

/// A host name for the WebOTP line (`shop.example`), lower-cased; `None` if it is not one.
fn web_domain(raw: &str) -> Option<String> {
    let domain = raw.trim().to_ascii_lowercase();
    let labels_ok = domain.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    (labels_ok && domain.len() <= 253).then_some(domain)
}

/// Where development secrets are kept, inside the data directory.
pub const SECRETS_FILE: &str = "secrets.json";

impl Config {
    /// Outside production, `JWT_SECRET` / `OTP_SECRET` that are not set are kept in
    /// `<data dir>/secrets.json` (mode 0600), created on the first start and reused after, so
    /// a restart does not sign everyone out or void the codes just sent. Secrets set in the
    /// environment always win.
    pub fn keep_generated_secrets(&mut self) -> anyhow::Result<()> {
        if !self.generated_secrets.jwt && !self.generated_secrets.otp {
            return Ok(());
        }
        let path = self.data_dir.join(SECRETS_FILE);
        let (stored, created) = load_or_create_secrets(&path)?;
        let mut names = Vec::new();
        if self.generated_secrets.jwt {
            self.jwt_secret = stored.jwt_secret.into_bytes();
            names.push("JWT_SECRET");
        }
        if self.generated_secrets.otp {
            self.settings.otp_key = OtpKey::new(stored.otp_secret.as_bytes())
                .map_err(|_| anyhow::anyhow!("{}: otpSecret is too short", path.display()))?;
            names.push("OTP_SECRET");
        }
        let verb = if created {
            "generated and saved"
        } else {
            "reusing"
        };
        tracing::warn!(
            "{} not set: {verb} development secrets in {} (keep that file private; set the \
             variables, as BAKERY_ENV=production requires, to manage them yourself)",
            names.join(" and "),
            path.display()
        );
        Ok(())
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredSecrets {
    jwt_secret: String,
    otp_secret: String,
}

/// The stored secrets, and whether this call created them.
fn load_or_create_secrets(path: &Path) -> anyhow::Result<(StoredSecrets, bool)> {
    if let Some(stored) = read_secrets(path)? {
        return Ok((stored, false));
    }
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating the data directory {}", dir.display()))?;
    let fresh = StoredSecrets {
        jwt_secret: random_secret(),
        otp_secret: random_secret(),
    };
    let json = serde_json::to_string_pretty(&fresh).context("encoding secrets")?;
    // Written aside, then linked into place: a concurrent first start either wins or reads
    // the winner's file, and nobody ever reads half a file.
    let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
    write_private(&tmp, json.as_bytes()).with_context(|| format!("writing {}", tmp.display()))?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok((fresh, true)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => match read_secrets(path)? {
            Some(stored) => Ok((stored, false)),
            None => bail!("{} vanished while it was being created", path.display()),
        },
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    }
}

fn read_secrets(path: &Path) -> anyhow::Result<Option<StoredSecrets>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!(
                    "{} can be read by other users; run `chmod 600` on it",
                    path.display()
                );
            }
        }
    }
    let stored: StoredSecrets = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a valid secrets file; set JWT_SECRET and OTP_SECRET, or delete the \
             file to generate new secrets (which signs everyone out)",
            path.display()
        )
    })?;
    if stored.jwt_secret.len() < 32 || stored.otp_secret.len() < 16 {
        bail!(
            "{}: jwtSecret needs at least 32 and otpSecret at least 16 characters",
            path.display()
        );
    }
    Ok(Some(stored))
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// 32 random bytes as 64 hex characters: usable as `JWT_SECRET` or `OTP_SECRET`.
fn random_secret() -> String {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    hex::encode(key)
}

fn rate_limit_var(
    lookup: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: &str,
) -> anyhow::Result<RateLimit> {
    let raw = lookup(key).unwrap_or_else(|| default.into());
    RateLimit::parse(key, &raw).map_err(|_| {
        anyhow::anyhow!(
            "{key} must look like 5/15m (requests / window in s, m, h or d), not `{raw}`"
        )
    })
}

/// `OTP_COUNTRIES`: calling codes separated by commas (`33,44`, a `+` allowed), each 1 to 3
/// digits not starting with 0. Only the form is checked: a code that is not a real calling code
/// (`4`) matches every number it starts (`+44`, `+49`...), so list them as the ITU does.
fn calling_codes(raw: &str) -> anyhow::Result<Vec<String>> {
    let mut codes = Vec::new();
    for entry in raw.split(',') {
        let code = entry.trim().trim_start_matches('+');
        if code.is_empty() && entry.trim().is_empty() {
            continue;
        }
        let digits =
            !code.is_empty() && code.len() <= 3 && code.bytes().all(|b| b.is_ascii_digit());
        if !digits || code.starts_with('0') {
            bail!(
                "OTP_COUNTRIES lists calling codes separated by commas, like 33,44 (1 to 3 \
                 digits each), not `{}`",
                entry.trim()
            );
        }
        if !codes.iter().any(|c| c == code) {
            codes.push(code.to_owned());
        }
    }
    if codes.is_empty() {
        bail!("OTP_COUNTRIES is set but lists no calling code (leave it unset to allow any)");
    }
    Ok(codes)
}

fn bool_var(lookup: &impl Fn(&str) -> Option<String>, key: &str) -> anyhow::Result<bool> {
    match lookup(key)
        .map(|v| v.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("false") | Some("0") | Some("no") | Some("off") => Ok(false),
        Some("true") | Some("1") | Some("yes") | Some("on") => Ok(true),
        Some(other) => bail!("{key} must be true or false, not `{other}`"),
    }
}

fn int_var(
    lookup: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: i64,
) -> anyhow::Result<i64> {
    match lookup(key) {
        None => Ok(default),
        Some(raw) => match raw.trim().parse::<i64>() {
            Ok(v) if v >= 0 => Ok(v),
            _ => bail!("{key} must be a non-negative whole number, not `{raw}`"),
        },
    }
}

fn duration_var(
    lookup: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: &str,
) -> anyhow::Result<Duration> {
    let raw = lookup(key).unwrap_or_else(|| default.into());
    parse_duration(&raw)
        .with_context(|| format!("{key} must be a duration like 15m, 7d or 3600s, not `{raw}`"))
}

/// Parses `15m`, `7d`, `12h`, `3600s` (a bare number is seconds).
pub fn parse_duration(raw: &str) -> anyhow::Result<Duration> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (amount, unit) = raw.split_at(split);
    let amount: u64 = amount.parse().context("missing number")?;
    let unit_secs = match unit.trim() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        other => bail!("unknown unit `{other}`"),
    };
    if amount == 0 {
        bail!("must be greater than zero");
    }
    let secs = amount
        .checked_mul(unit_secs)
        .context("duration too large")?;
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> anyhow::Result<Config> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("7d").unwrap(), Duration::from_secs(604_800));
        assert_eq!(parse_duration("3600s").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_duration("42").unwrap(), Duration::from_secs(42));
        for bad in ["", "m", "0s", "5x", "-1m"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn defaults_start_with_nothing_set() {
        let c = config(&[]).unwrap();
        assert_eq!(c.port, 3000);
        assert_eq!(
            c.store,
            StoreConfig::Sqlite {
                data_dir: "./data".into()
            }
        );
        assert_eq!(c.access_token_ttl, Duration::from_secs(900));
        assert_eq!(c.settings.pricing.currency.as_str(), "eur");
    }

    #[test]
    fn every_variable_read_is_listed() {
        use std::sync::Mutex;
        let read = Mutex::new(Vec::new());
        let values = [
            ("MONGODB_URI", "mongodb://localhost"),
            ("REDIS_URL", "redis://127.0.0.1:6379"),
            ("FREE_DELIVERY_ABOVE", "2000"),
            ("CORS_ORIGINS", "https://shop.example"),
            ("PUBLIC_BASE_URL", "https://api.shop.example/"),
            ("SMS_PROVIDER", "twilio"),
            ("TWILIO_ACCOUNT_SID", ACCOUNT_SID),
            ("TWILIO_AUTH_TOKEN", AUTH_TOKEN),
            ("TWILIO_FROM", "+15005550006"),
            ("TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID),
            ("TWILIO_API_BASE", "http://127.0.0.1:9"),
            ("OTP_WEB_DOMAIN", "shop.example"),
            ("OTP_COUNTRIES", "33"),
            ("STRIPE_SECRET_KEY", "sk_test_x"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_x"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_test_x"),
            ("FCM_API_BASE", "http://127.0.0.1:9"),
            ("FCM_TOKEN_URI", "http://127.0.0.1:9/token"),
            ("STRIPE_SECRET_KEY", "sk_test_123"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_123"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_test_123"),
            ("STRIPE_API_BASE", "http://127.0.0.1:9/"),
            ("AWS_S3_BUCKET", "bakery-images"),
            ("IMAGES_PUBLIC_BASE_URL", "https://cdn.shop.example"),
        ];
        Config::from_lookup(|key| {
            read.lock().unwrap().push(key.to_owned());
            values
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        })
        .unwrap();
        let mut read = read.into_inner().unwrap();
        read.push("RUST_LOG".into());
        read.sort();
        read.dedup();
        let mut listed: Vec<String> = VARIABLES.iter().map(|v| (*v).to_owned()).collect();
        listed.sort();
        assert_eq!(read, listed);
    }

    #[test]
    fn stripe_takes_all_three_keys_or_none() {
        assert_eq!(config(&[]).unwrap().stripe, None);
        let all = config(&[
            ("STRIPE_SECRET_KEY", "sk_test_abc"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_abc"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_test_abc"),
        ])
        .unwrap();
        let stripe = all.stripe.expect("stripe");
        assert_eq!(stripe.publishable_key, "pk_test_abc");
        assert!(
            !format!("{stripe:?}").contains("sk_test_abc"),
            "the secret is never printed"
        );
        assert!(!format!("{stripe:?}").contains("whsec_abc"));

        let partial = config(&[("STRIPE_SECRET_KEY", "sk_test_abc")])
            .unwrap_err()
            .to_string();
        assert!(
            partial.contains("STRIPE_WEBHOOK_SECRET is not set"),
            "{partial}"
        );
        assert!(
            partial.contains("STRIPE_PUBLISHABLE_KEY is not set"),
            "{partial}"
        );
        let swapped = config(&[
            ("STRIPE_SECRET_KEY", "sk_test_abc"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_abc"),
            ("STRIPE_PUBLISHABLE_KEY", "sk_test_abc"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            swapped.contains("STRIPE_PUBLISHABLE_KEY must start with pk_"),
            "{swapped}"
        );
    }

    #[test]
    fn card_payment_timeout_defaults_to_30_minutes() {
        let c = config(&[]).unwrap();
        assert_eq!(
            c.settings.card_payment_timeout,
            chrono::Duration::minutes(30)
        );
        let c = config(&[("CARD_PAYMENT_TIMEOUT", "10m")]).unwrap();
        assert_eq!(
            c.settings.card_payment_timeout,
            chrono::Duration::minutes(10)
        );
        assert!(config(&[("CARD_PAYMENT_TIMEOUT", "soon")]).is_err());
    }

    #[test]
    fn public_base_url_is_an_http_url() {
        assert_eq!(config(&[]).unwrap().http.public_base_url, None);
        let c = config(&[("PUBLIC_BASE_URL", "https://api.shop.example/")]).unwrap();
        assert_eq!(
            c.http.public_base_url.as_deref(),
            Some("https://api.shop.example")
        );
        assert!(config(&[("PUBLIC_BASE_URL", "api.shop.example")]).is_err());
        assert!(config(&[("PUBLIC_BASE_URL", "https://")]).is_err());
    }

    #[test]
    fn redis_url_is_checked_and_prefixed() {
        let c = config(&[("REDIS_URL", "redis://127.0.0.1:6379/2")]).unwrap();
        assert_eq!(
            c.redis,
            Some(RedisConfig {
                url: "redis://127.0.0.1:6379/2".into(),
                prefix: "bakery:".into()
            })
        );
        assert!(config(&[]).unwrap().redis.is_none());
        let err = config(&[("REDIS_URL", "127.0.0.1:6379")]).unwrap_err();
        assert!(err.to_string().contains("REDIS_URL"), "{err}");
    }

    #[test]
    fn mongo_uri_switches_the_store() {
        let c = config(&[("MONGODB_URI", "mongodb://localhost")]).unwrap();
        assert_eq!(
            c.store,
            StoreConfig::Mongo {
                uri: "mongodb://localhost".into(),
                database: "bakery".into()
            }
        );
    }

    #[test]
    fn http_policy_and_rate_limits() {
        let c = config(&[]).unwrap();
        assert_eq!(c.rate_limits, RateLimits::default());
        assert_eq!(c.http, HttpPolicy::default());
        let c = config(&[
            ("AUTH_RATE_LIMIT", "10/1m"),
            ("OTP_RATE_LIMIT", "1/1d"),
            ("TRUST_PROXY", "true"),
            ("BAKERY_FORCE_HTTPS", "1"),
            (
                "CORS_ORIGINS",
                "https://shop.example/, http://localhost:5173",
            ),
        ])
        .unwrap();
        assert_eq!(c.rate_limits.auth.max, 10);
        assert_eq!(c.rate_limits.otp.window, Duration::from_secs(86_400));
        assert!(c.http.trust_proxy && c.http.force_https);
        assert_eq!(
            c.http.cors,
            CorsOrigins::List(vec![
                "https://shop.example".into(),
                "http://localhost:5173".into()
            ])
        );
        assert_eq!(
            config(&[("CORS_ORIGINS", "*")]).unwrap().http.cors,
            CorsOrigins::Any
        );
        for bad in [
            ("AUTH_RATE_LIMIT", "5 per minute"),
            ("TRUST_PROXY", "maybe"),
            ("CORS_ORIGINS", "shop.example"),
            ("CORS_ORIGINS", "https://shop.example/app"),
        ] {
            let err = config(&[bad]).unwrap_err();
            assert!(err.to_string().contains(bad.0), "{err}");
        }
        let err = config(&[
            ("BAKERY_ENV", "production"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("OTP_SECRET", "0123456789abcdef"),
            ("CORS_ORIGINS", "*"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("CORS_ORIGINS"), "{err}");
    }

    #[test]
    fn otp_budget_and_countries() {
        let c = config(&[]).unwrap();
        assert_eq!(
            c.rate_limits.otp_global,
            RateLimit {
                max: 1000,
                window: Duration::from_secs(3600)
            }
        );
        assert_eq!(c.settings.otp_countries, None, "every country by default");
        let c = config(&[
            ("OTP_GLOBAL_LIMIT", "200/1d"),
            ("OTP_COUNTRIES", " +33, 44,33 ,1"),
        ])
        .unwrap();
        assert_eq!(c.rate_limits.otp_global.max, 200);
        assert_eq!(c.rate_limits.otp_global.window, Duration::from_secs(86_400));
        assert_eq!(
            c.settings.otp_countries,
            Some(vec!["33".to_owned(), "44".to_owned(), "1".to_owned()])
        );
        for bad in [
            ("OTP_GLOBAL_LIMIT", "1000"),
            ("OTP_GLOBAL_LIMIT", "0/1h"),
            ("OTP_COUNTRIES", "FR"),
            ("OTP_COUNTRIES", "33;44"),
            ("OTP_COUNTRIES", "0033"),
            ("OTP_COUNTRIES", "1234"),
            ("OTP_COUNTRIES", "+"),
            ("OTP_COUNTRIES", ",,"),
        ] {
            let err = config(&[bad]).unwrap_err();
            assert!(err.to_string().contains(bad.0), "{bad:?}: {err}");
        }
    }

    #[test]
    fn generated_secrets_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let data_str = data.to_str().unwrap();
        let mut first = config(&[("BAKERY_DATA_DIR", data_str)]).unwrap();
        assert_eq!(
            first.generated_secrets,
            GeneratedSecrets {
                jwt: true,
                otp: true
            }
        );
        first.keep_generated_secrets().unwrap();
        let path = data.join(SECRETS_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let mut second = config(&[("BAKERY_DATA_DIR", data_str)]).unwrap();
        assert_ne!(second.jwt_secret, first.jwt_secret, "random before loading");
        second.keep_generated_secrets().unwrap();
        assert_eq!(second.jwt_secret, first.jwt_secret);
        // The same OTP key: a code hashed before the restart still verifies after it.
        assert_eq!(
            second.settings.otp_key.hash("+441", "123456"),
            first.settings.otp_key.hash("+441", "123456")
        );

        // A secret set in the environment wins over the file.
        let mut third = config(&[
            ("BAKERY_DATA_DIR", data_str),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ])
        .unwrap();
        third.keep_generated_secrets().unwrap();
        assert_eq!(third.jwt_secret, b"0123456789abcdef0123456789abcdef");

        // A damaged file stops the start instead of silently signing everyone out.
        std::fs::write(&path, "{").unwrap();
        let err = config(&[("BAKERY_DATA_DIR", data_str)])
            .unwrap()
            .keep_generated_secrets()
            .unwrap_err();
        assert!(format!("{err:#}").contains("delete the file"), "{err:#}");
    }

    const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
    const AUTH_TOKEN: &str = "f00dcafe0123456789abcdef01234567";
    const SERVICE_SID: &str = "MG0123456789abcdef0123456789abcdef";

    /// A production configuration that starts: secrets and Twilio.
    fn production_vars() -> Vec<(&'static str, &'static str)> {
        vec![
            ("BAKERY_ENV", "production"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("OTP_SECRET", "0123456789abcdef"),
            ("SMS_PROVIDER", "twilio"),
            ("TWILIO_ACCOUNT_SID", ACCOUNT_SID),
            ("TWILIO_AUTH_TOKEN", AUTH_TOKEN),
            ("TWILIO_FROM", "+1 500 555 0006"),
        ]
    }

    /// The refusal as the operator sees it: one line.
    fn refusal(vars: &[(&str, &str)]) -> String {
        let err = format!("{:#}", config(vars).unwrap_err());
        assert!(!err.contains('\n'), "one line: {err}");
        err
    }

    #[test]
    fn production_refuses_insecure_defaults() {
        // Everything missing is named at once, not one per start.
        let err = refusal(&[("BAKERY_ENV", "production")]);
        assert!(
            err.starts_with("BAKERY_ENV=production refuses to start: "),
            "{err}"
        );
        for named in ["JWT_SECRET", "OTP_SECRET", "SMS_PROVIDER is not set"] {
            assert!(err.contains(named), "{named}: {err}");
        }
        // Log-only SMS is refused, and so are weak secrets and CORS for everyone.
        let err = refusal(&[
            ("BAKERY_ENV", "production"),
            ("JWT_SECRET", "too-short"),
            ("OTP_SECRET", "short"),
            ("SMS_PROVIDER", "log"),
            ("CORS_ORIGINS", "*"),
        ]);
        for named in [
            "JWT_SECRET is shorter",
            "OTP_SECRET is shorter",
            "SMS_PROVIDER=log",
            "CORS_ORIGINS=*",
        ] {
            assert!(err.contains(named), "{named}: {err}");
        }
        // Twilio chosen but half configured: each missing or insecure part is named.
        let err = refusal(&[
            ("BAKERY_ENV", "production"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("OTP_SECRET", "0123456789abcdef"),
            ("SMS_PROVIDER", "twilio"),
            ("TWILIO_ACCOUNT_SID", "SK0123456789abcdef0123456789abcdef"),
            ("TWILIO_API_BASE", "http://api.twilio.com"),
        ]);
        for named in [
            "TWILIO_ACCOUNT_SID must be AC",
            "TWILIO_AUTH_TOKEN is not set",
            "TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is not set",
            "TWILIO_API_BASE must be https://",
        ] {
            assert!(err.contains(named), "{named}: {err}");
        }
        assert!(!err.contains("JWT_SECRET"), "{err}");
        // The token is never repeated back.
        let err = refusal(&[
            ("BAKERY_ENV", "production"),
            ("SMS_PROVIDER", "twilio"),
            ("TWILIO_AUTH_TOKEN", AUTH_TOKEN),
        ]);
        assert!(!err.contains(AUTH_TOKEN), "{err}");
    }

    #[test]
    fn a_service_account_switches_pushes_to_fcm() {
        assert_eq!(config(&[]).unwrap().push_sender().unwrap().backend(), "log");
        let key = include_str!("../../bakery-core/src/adapters/fcm/testdata/test_key.pem");
        let account = serde_json::json!({
            "type": "service_account",
            "project_id": "bakery-test",
            "client_email": "push@bakery-test.iam.gserviceaccount.com",
            "private_key": key,
            "token_uri": "https://oauth2.googleapis.com/token",
        })
        .to_string();
        let c = config(&[
            ("FCM_SERVICE_ACCOUNT", &account),
            ("FCM_API_BASE", "http://127.0.0.1:9"),
        ])
        .unwrap();
        assert_eq!(c.push_sender().unwrap().backend(), "fcm");
        assert!(
            !format!("{c:?}").contains("PRIVATE KEY"),
            "the key is never printed"
        );
        let err = config(&[("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/key.json")])
            .unwrap()
            .push_sender()
            .err()
            .expect("a missing key file is refused");
        assert!(
            format!("{err:#}").contains("FCM_SERVICE_ACCOUNT"),
            "{err:#}"
        );
    }

    #[test]
    fn production_starts_with_secrets_and_twilio() {
        let c = config(&production_vars()).unwrap();
        assert!(c.production);
        assert_eq!(
            c.sms,
            SmsConfig::Twilio(TwilioSettings {
                account_sid: ACCOUNT_SID.into(),
                auth_token: AUTH_TOKEN.into(),
                from: Some("+15005550006".into()),
                messaging_service_sid: None,
                api_base: TWILIO_API_BASE.into(),
            })
        );
        assert_eq!(c.sms.provider(), "twilio");
        assert!(
            !format!("{c:?}").contains(AUTH_TOKEN),
            "Debug hides the token"
        );
        // A messaging service instead of a number does as well.
        let mut vars = production_vars();
        vars.retain(|(k, _)| *k != "TWILIO_FROM");
        vars.push(("TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID));
        vars.push(("OTP_WEB_DOMAIN", "Shop.Example"));
        let c = config(&vars).unwrap();
        match &c.sms {
            SmsConfig::Twilio(t) => {
                assert_eq!(t.from, None);
                assert_eq!(t.messaging_service_sid.as_deref(), Some(SERVICE_SID));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(c.otp_web_domain.as_deref(), Some("shop.example"));
    }

    #[test]
    fn sms_provider_defaults_to_the_log_outside_production() {
        let c = config(&[]).unwrap();
        assert_eq!(c.sms, SmsConfig::Log);
        assert_eq!(c.otp_web_domain, None);
        // Twilio outside production: a local fake over plain http is fine, and an
        // alphanumeric sender id is a sender.
        let c = config(&[
            ("SMS_PROVIDER", "Twilio"),
            ("TWILIO_ACCOUNT_SID", ACCOUNT_SID),
            ("TWILIO_AUTH_TOKEN", AUTH_TOKEN),
            ("TWILIO_FROM", "Crumb Co"),
            ("TWILIO_API_BASE", "http://127.0.0.1:4010/"),
        ])
        .unwrap();
        match &c.sms {
            SmsConfig::Twilio(t) => {
                assert_eq!(t.api_base, "http://127.0.0.1:4010");
                assert_eq!(t.from.as_deref(), Some("Crumb Co"));
            }
            other => panic!("{other:?}"),
        }
        for (key, bad) in [
            ("SMS_PROVIDER", "carrier-pigeon"),
            ("TWILIO_FROM", "not a sender!"),
            ("TWILIO_FROM", "ABCDEFGHIJKLMNOP"),
            ("TWILIO_MESSAGING_SERVICE_SID", "MGnothex"),
            ("TWILIO_API_BASE", "api.twilio.com"),
            ("OTP_WEB_DOMAIN", "https://shop.example"),
            ("OTP_WEB_DOMAIN", "shop.example:8443"),
            ("OTP_WEB_DOMAIN", "shop..example"),
        ] {
            let mut vars = vec![
                ("SMS_PROVIDER", "twilio"),
                ("TWILIO_ACCOUNT_SID", ACCOUNT_SID),
                ("TWILIO_AUTH_TOKEN", AUTH_TOKEN),
                ("TWILIO_FROM", "+15005550006"),
            ];
            vars.retain(|(k, _)| *k != key);
            vars.push((key, bad));
            let err = refusal(&vars);
            assert!(err.contains(key), "{key}={bad}: {err}");
            assert!(!err.starts_with("BAKERY_ENV"), "{err}");
        }
    }

    #[test]
    fn sms_sender_follows_the_provider() {
        assert!(config(&[]).unwrap().sms_sender().is_ok());
        let mut vars = production_vars();
        vars.push(("OTP_WEB_DOMAIN", "shop.example"));
        let built = config(&vars).unwrap().sms_sender();
        #[cfg(feature = "sms-http")]
        assert!(built.is_ok(), "{:?}", built.err());
        #[cfg(not(feature = "sms-http"))]
        assert!(built.is_err());
    }
}

//! The server's configuration, read once from the environment (and `.env`, loaded by `main`).
//!
//! With nothing set, the embedded defaults apply and the server starts; with
//! `BAKERY_ENV=production` every insecure default is refused with a message that says what to
//! set.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use bakery_core::domain::{Currency, Money};
use bakery_core::ports::RateLimit;
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
    "CORS_ORIGINS",
    "TRUST_PROXY",
    "BAKERY_FORCE_HTTPS",
    "JWT_EXPIRES_IN",
    "JWT_REFRESH_EXPIRES_IN",
    "SHOP_NAME",
    "SHOP_CURRENCY",
    "DELIVERY_FEE",
    "FREE_DELIVERY_ABOVE",
    "TAX_RATE_BPS",
    "DELIVERY_MINUTES",
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
        let mut generated_secrets = GeneratedSecrets::default();
        let jwt_secret = match lookup("JWT_SECRET") {
            Some(secret) if secret.len() >= 32 => secret.into_bytes(),
            Some(_) => bail!("JWT_SECRET must be at least 32 characters long"),
            None if production => bail!(
                "JWT_SECRET is not set. With BAKERY_ENV=production the server refuses to sign \
                 tokens with a random key (every restart would sign everyone out, and several \
                 instances would reject each other's tokens). Set JWT_SECRET to at least 32 \
                 random characters, e.g. the output of `openssl rand -hex 32`."
            ),
            None => {
                generated_secrets.jwt = true;
                random_secret().into_bytes()
            }
        };
        let otp_key = match lookup("OTP_SECRET") {
            Some(secret) => OtpKey::new(secret.as_bytes())
                .map_err(|_| anyhow::anyhow!("OTP_SECRET must be at least 16 characters long"))?,
            None if production => bail!(
                "OTP_SECRET is not set. With BAKERY_ENV=production set it to at least 16 random \
                 characters, so codes sent before a restart stay valid."
            ),
            None => {
                generated_secrets.otp = true;
                OtpKey::random()
            }
        };
        let rate_limits = RateLimits {
            auth: rate_limit_var(&lookup, "AUTH_RATE_LIMIT", "5/15m")?,
            otp: rate_limit_var(&lookup, "OTP_RATE_LIMIT", "3/1h")?,
        };
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
                        bail!(
                            "CORS_ORIGINS=* lets every web site call the API with your users' \
                             browsers; with BAKERY_ENV=production list the origins instead, \
                             e.g. CORS_ORIGINS=https://shop.example,https://admin.shop.example"
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
        let http = HttpPolicy {
            trust_proxy: bool_var(&lookup, "TRUST_PROXY")?,
            force_https: bool_var(&lookup, "BAKERY_FORCE_HTTPS")?,
            cors,
        };
        if production {
            // The only SMS sender that exists today writes codes to the log: in production
            // that would hand every sign-in code to whoever reads the logs.
            bail!(
                "BAKERY_ENV=production needs an SMS provider to send sign-in codes, and none is \
                 available yet (the only sender writes codes to the log, which is refused in \
                 production). Run without BAKERY_ENV=production until an SMS provider is \
                 configured."
            );
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
        let settings = Settings {
            shop_name: lookup("SHOP_NAME").unwrap_or_else(|| "Bakery".into()),
            pricing: PricingSettings {
                currency,
                delivery_fee,
                free_delivery_above,
                tax_rate_bps,
            },
            delivery_minutes,
            otp_key,
            otp_ttl: chrono::Duration::minutes(10),
            otp_max_attempts: 5,
            refresh_token_ttl: chrono::Duration::from_std(refresh_token_ttl)
                .context("JWT_REFRESH_EXPIRES_IN is too long")?,
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
        })
    }
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

    #[test]
    fn production_refuses_insecure_defaults() {
        let err = config(&[("BAKERY_ENV", "production")]).unwrap_err();
        assert!(err.to_string().contains("JWT_SECRET"), "{err}");
        let err = config(&[
            ("BAKERY_ENV", "production"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("OTP_SECRET", "0123456789abcdef"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("SMS"), "{err}");
    }
}

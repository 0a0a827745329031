//! The server's configuration, read once from the environment (and `.env`, loaded by `main`).
//!
//! With nothing set, the embedded defaults apply and the server starts; with
//! `BAKERY_ENV=production` every insecure default is refused with a message that says what to
//! set.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use bakery_core::domain::{Currency, Money};
use bakery_core::rules::pricing::PricingSettings;
use bakery_core::secrets::OtpKey;
use bakery_core::services::Settings;
use rand::RngCore;

/// Where the shop's data lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreConfig {
    /// The embedded default: a SQLite file in the data directory.
    Sqlite { data_dir: PathBuf },
    /// `MONGODB_URI` (+ `MONGODB_DATABASE`, default `bakery`).
    Mongo { uri: String, database: String },
}

/// Everything `serve` and `create-admin` need.
#[derive(Clone, Debug)]
pub struct Config {
    pub production: bool,
    pub port: u16,
    pub store: StoreConfig,
    pub jwt_secret: Vec<u8>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub settings: Settings,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|key| std::env::var(key).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads configuration through `lookup`, so tests can pass a map instead of the process
    /// environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
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
        let store = match lookup("MONGODB_URI") {
            Some(uri) => StoreConfig::Mongo {
                uri,
                database: lookup("MONGODB_DATABASE").unwrap_or_else(|| "bakery".into()),
            },
            None => StoreConfig::Sqlite {
                data_dir: PathBuf::from(
                    lookup("BAKERY_DATA_DIR").unwrap_or_else(|| "./data".into()),
                ),
            },
        };
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
                tracing::warn!(
                    "JWT_SECRET is not set: using a random key; every restart signs everyone out"
                );
                random_bytes()
            }
        };
        let otp_key = match lookup("OTP_SECRET") {
            Some(secret) => OtpKey::new(secret.as_bytes())
                .map_err(|_| anyhow::anyhow!("OTP_SECRET must be at least 16 characters long"))?,
            None if production => bail!(
                "OTP_SECRET is not set. With BAKERY_ENV=production set it to at least 16 random \
                 characters, so codes sent before a restart stay valid."
            ),
            None => OtpKey::random(),
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
            store,
            jwt_secret,
            access_token_ttl,
            refresh_token_ttl,
            settings,
        })
    }
}

fn random_bytes() -> Vec<u8> {
    let mut key = vec![0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    key
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

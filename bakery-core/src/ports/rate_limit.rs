use std::time::Duration;

use async_trait::async_trait;

use crate::error::Error;

/// A rule such as "5 per 15 minutes", as operators write it (`5/15m`, `3/1h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window: Duration,
}

impl RateLimit {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Error> {
        let bad = || {
            Error::validation(
                field,
                "must look like 5/15m (count / window in s, m, h or d)",
            )
        };
        let (max, window) = raw.trim().split_once('/').ok_or_else(bad)?;
        let max: u32 = max.trim().parse().map_err(|_| bad())?;
        let window = window.trim();
        let split = window
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(window.len());
        let (amount, unit) = window.split_at(split);
        let amount: u64 = if amount.is_empty() {
            1
        } else {
            amount.parse().map_err(|_| bad())?
        };
        let seconds = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(bad()),
        };
        if max == 0 || amount == 0 {
            return Err(bad());
        }
        Ok(Self {
            max,
            window: Duration::from_secs(amount * seconds),
        })
    }
}

/// Counts requests per key in fixed windows, shared by every instance that uses the same
/// backend (in-process for one binary, Redis for a fleet).
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts one request for `key`; `Err(Error::RateLimited { retry_after_secs })` once the
    /// window already holds `limit.max` requests.
    async fn hit(&self, key: &str, limit: RateLimit) -> Result<(), Error>;

    /// Gives back one request counted by [`RateLimiter::hit`] for `key` in its current window,
    /// for work that failed on our side (an SMS the provider did not take) and so should not
    /// use up the client's allowance. Never goes below zero and never starts a window.
    async fn refund(&self, key: &str) -> Result<(), Error>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_operator_notation() {
        assert_eq!(
            RateLimit::parse("x", "5/15m").unwrap(),
            RateLimit {
                max: 5,
                window: Duration::from_secs(900)
            }
        );
        assert_eq!(
            RateLimit::parse("x", "3/h").unwrap().window,
            Duration::from_secs(3600)
        );
        assert_eq!(RateLimit::parse("x", " 100 / 1d ").unwrap().max, 100);
        for bad in ["", "5", "0/1m", "5/0m", "5/15x", "a/1m", "5/-1m"] {
            assert!(RateLimit::parse("AUTH_RATE_LIMIT", bad).is_err(), "{bad}");
        }
    }
}

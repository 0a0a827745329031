use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use async_trait::async_trait;

use crate::error::Error;
use crate::ports::{RateLimit, RateLimiter};

/// Fixed windows in this process's memory: right for one binary; a fleet needs the shared
/// Redis limiter, or each instance would allow the limit again.
#[derive(Debug, Default)]
pub struct MemoryRateLimiter {
    windows: Mutex<HashMap<String, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    count: u32,
}

/// Beyond this many keys, expired windows are swept so memory stays bounded.
const SWEEP_ABOVE: usize = 10_000;

#[async_trait]
impl RateLimiter for MemoryRateLimiter {
    async fn hit(&self, key: &str, limit: RateLimit) -> Result<(), Error> {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() > SWEEP_ABOVE {
            windows.retain(|_, w| now.duration_since(w.started) < limit.window);
        }
        let window = windows.entry(key.to_owned()).or_insert(Window {
            started: now,
            count: 0,
        });
        if now.duration_since(window.started) >= limit.window {
            *window = Window {
                started: now,
                count: 0,
            };
        }
        if window.count >= limit.max {
            let left = limit
                .window
                .saturating_sub(now.duration_since(window.started));
            return Err(Error::RateLimited {
                retry_after_secs: left.as_secs().max(1),
            });
        }
        window.count += 1;
        Ok(())
    }

    async fn refund(&self, key: &str) -> Result<(), Error> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(window) = windows.get_mut(key) {
            window.count = window.count.saturating_sub(1);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn allows_the_limit_then_says_when_to_retry() {
        let limiter = MemoryRateLimiter::default();
        let limit = RateLimit {
            max: 3,
            window: Duration::from_secs(3600),
        };
        for _ in 0..3 {
            limiter.hit("otp:+441", limit).await.unwrap();
        }
        match limiter.hit("otp:+441", limit).await {
            Err(Error::RateLimited { retry_after_secs }) => {
                assert!((3590..=3600).contains(&retry_after_secs))
            }
            other => panic!("{other:?}"),
        }
        limiter.hit("otp:+442", limit).await.unwrap();
    }

    #[tokio::test]
    async fn a_refund_gives_one_request_back() {
        let limiter = MemoryRateLimiter::default();
        let limit = RateLimit {
            max: 2,
            window: Duration::from_secs(3600),
        };
        // Nothing to give back yet: no window is started, no credit is banked.
        limiter.refund("otp:+441").await.unwrap();
        limiter.hit("otp:+441", limit).await.unwrap();
        limiter.hit("otp:+441", limit).await.unwrap();
        assert!(limiter.hit("otp:+441", limit).await.is_err());
        limiter.refund("otp:+441").await.unwrap();
        limiter.hit("otp:+441", limit).await.unwrap();
        assert!(limiter.hit("otp:+441", limit).await.is_err());
        // Refunds never bank more than was counted.
        for _ in 0..5 {
            limiter.refund("otp:+441").await.unwrap();
        }
        limiter.hit("otp:+441", limit).await.unwrap();
        limiter.hit("otp:+441", limit).await.unwrap();
        assert!(limiter.hit("otp:+441", limit).await.is_err());
    }

    #[tokio::test]
    async fn a_new_window_starts_fresh() {
        let limiter = MemoryRateLimiter::default();
        let limit = RateLimit {
            max: 1,
            window: Duration::from_millis(30),
        };
        limiter.hit("k", limit).await.unwrap();
        assert!(limiter.hit("k", limit).await.is_err());
        tokio::time::sleep(Duration::from_millis(40)).await;
        limiter.hit("k", limit).await.unwrap();
    }
}

//! Fixed windows counted in Redis, so that N instances allow the limit once, not N times.

use async_trait::async_trait;

use super::RedisConnection;
use crate::error::Error;
use crate::ports::{RateLimit, RateLimiter};

/// One script so that counting and starting the window's expiry cannot be split by a crash
/// between them (a key without expiry would lock its client out for good).
const HIT: &str = r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
";

/// Takes one back only from a live, positive count: a DECR on a missing key would create it
/// at -1 without expiry (a standing credit); a count already at zero stays there.
const REFUND: &str = r"
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0
";

#[derive(Debug, Clone)]
pub struct RedisRateLimiter {
    redis: RedisConnection,
    script: redis::Script,
    refund_script: redis::Script,
}

impl RedisRateLimiter {
    pub fn new(redis: RedisConnection) -> Self {
        Self {
            redis,
            script: redis::Script::new(HIT),
            refund_script: redis::Script::new(REFUND),
        }
    }
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    /// When Redis cannot count, the caller cannot know whether the client is over its limit:
    /// the error says so, and the server decides whether that route fails closed or open.
    async fn hit(&self, key: &str, limit: RateLimit) -> Result<(), Error> {
        let window_ms = u64::try_from(limit.window.as_millis()).unwrap_or(u64::MAX);
        let (count, ttl_ms): (u64, i64) = self
            .script
            .key(self.redis.key(&format!("rl:{key}")))
            .arg(window_ms)
            .invoke_async(&mut self.redis.manager())
            .await
            .map_err(|e| Error::LimiterUnavailable {
                cause: Box::new(e),
                retry_after_secs: 5,
            })?;
        if count > u64::from(limit.max) {
            let left_secs = u64::try_from(ttl_ms).unwrap_or(0).div_ceil(1000);
            return Err(Error::RateLimited {
                retry_after_secs: left_secs.max(1),
            });
        }
        Ok(())
    }

    async fn refund(&self, key: &str) -> Result<(), Error> {
        let _: i64 = self
            .refund_script
            .key(self.redis.key(&format!("rl:{key}")))
            .invoke_async(&mut self.redis.manager())
            .await
            .map_err(|e| Error::LimiterUnavailable {
                cause: Box::new(e),
                retry_after_secs: 5,
            })?;
        Ok(())
    }
}

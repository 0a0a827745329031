//! What instances of one shop share: the catalog cache and the rate-limit counters. On the
//! embedded default both live in this process; with `REDIS_URL` both live in Redis, so that
//! every instance sees every other's writes and counts every attempt once.

use std::sync::Arc;

use bakery_core::adapters::{MemoryCache, MemoryRateLimiter};
use bakery_core::ports::{CatalogCache, RateLimiter};

use crate::config::RedisConfig;

pub struct Fleet {
    pub cache: Arc<dyn CatalogCache>,
    pub limiter: Arc<dyn RateLimiter>,
}

impl Fleet {
    /// This process only: right for one instance.
    pub fn single() -> Self {
        Self {
            cache: Arc::new(MemoryCache::new()),
            limiter: Arc::new(MemoryRateLimiter::default()),
        }
    }

    /// Connects to Redis when configured. Redis must answer at start-up (an instance that
    /// cannot share its cache would serve other instances' stale answers); later outages
    /// degrade instead of failing.
    pub async fn connect(redis: Option<&RedisConfig>) -> anyhow::Result<Self> {
        let Some(redis) = redis else {
            return Ok(Self::single());
        };
        connect_redis(redis).await
    }
}

#[cfg(feature = "redis")]
async fn connect_redis(config: &RedisConfig) -> anyhow::Result<Fleet> {
    use std::time::Duration;

    use anyhow::Context;
    use bakery_core::adapters::redis::{RedisCache, RedisConnection, RedisRateLimiter};

    let connection = RedisConnection::connect(&config.url, &config.prefix)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))
        .context("connecting to Redis (REDIS_URL)")?;
    connection
        .ping()
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))
        .context("Redis (REDIS_URL) does not answer")?;
    let cache = RedisCache::start(connection.clone());
    if !cache.ready(Duration::from_secs(5)).await {
        anyhow::bail!("could not subscribe to Redis (REDIS_URL) for cache invalidations");
    }
    Ok(Fleet {
        cache: Arc::new(cache),
        limiter: Arc::new(RedisRateLimiter::new(connection)),
    })
}

#[cfg(not(feature = "redis"))]
async fn connect_redis(_: &RedisConfig) -> anyhow::Result<Fleet> {
    anyhow::bail!("this build has no Redis support; unset REDIS_URL")
}

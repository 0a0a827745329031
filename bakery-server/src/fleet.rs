//! What instances of one shop share: the catalog cache, the rate-limit counters and the
//! order events live tracking follows. On the embedded default all live in this process;
//! with `REDIS_URL` all go through Redis, so that every instance sees every other's writes,
//! counts every attempt once, and streams changes made on any instance.

use std::sync::Arc;

use bakery_core::adapters::{MemoryCache, MemoryEvents, MemoryRateLimiter};
use bakery_core::ports::{CatalogCache, OrderEvents, RateLimiter};

use crate::config::RedisConfig;

pub struct Fleet {
    pub cache: Arc<dyn CatalogCache>,
    pub limiter: Arc<dyn RateLimiter>,
    pub events: Arc<dyn OrderEvents>,
}

impl Fleet {
    /// This process only: right for one instance.
    pub fn single() -> Self {
        Self {
            cache: Arc::new(MemoryCache::new()),
            limiter: Arc::new(MemoryRateLimiter::default()),
            events: Arc::new(MemoryEvents::new()),
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
    use bakery_core::adapters::redis::{
        RedisCache, RedisConnection, RedisEvents, RedisRateLimiter,
    };

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
    let events = RedisEvents::start(connection.clone());
    if !events.ready(Duration::from_secs(5)).await {
        anyhow::bail!("could not subscribe to Redis (REDIS_URL) for order events");
    }
    Ok(Fleet {
        cache: Arc::new(cache),
        limiter: Arc::new(RedisRateLimiter::new(connection)),
        events: Arc::new(events),
    })
}

#[cfg(not(feature = "redis"))]
async fn connect_redis(_: &RedisConfig) -> anyhow::Result<Fleet> {
    anyhow::bail!("this build has no Redis support; unset REDIS_URL")
}

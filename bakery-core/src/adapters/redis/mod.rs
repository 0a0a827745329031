//! Redis, shared by every instance of a chain: the catalog cache ([`RedisCache`]), the
//! rate limits ([`RedisRateLimiter`]) and the order events ([`RedisEvents`]). One connection manager serves both; it reconnects by
//! itself, and every command gives up quickly so that a Redis outage degrades requests
//! instead of hanging them.

mod cache;
mod events;
mod rate_limit;
#[cfg(test)]
mod tests;

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::error::Error;

pub use cache::RedisCache;
pub use events::RedisEvents;
pub use rate_limit::RedisRateLimiter;

/// Far above a healthy round trip on a LAN, far below what a customer notices.
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// A connection to the shared Redis, and the prefix that keeps this deployment's keys apart
/// from anything else on the same server.
#[derive(Clone)]
pub struct RedisConnection {
    client: redis::Client,
    manager: ConnectionManager,
    prefix: String,
}

impl std::fmt::Debug for RedisConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisConnection")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisConnection {
    /// Connects to `url` (`redis://host:port/db`); fails when Redis does not answer now.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, Error> {
        let client = redis::Client::open(url).map_err(Error::internal)?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_secs(2));
        let manager = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(Error::internal)?;
        Ok(Self {
            client,
            manager,
            prefix: prefix.to_owned(),
        })
    }

    pub(crate) fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    pub(crate) fn manager(&self) -> ConnectionManager {
        self.manager.clone()
    }

    /// Round trip, for readiness.
    pub async fn ping(&self) -> Result<(), Error> {
        redis::cmd("PING")
            .query_async::<String>(&mut self.manager())
            .await
            .map(drop)
            .map_err(Error::internal)
    }
}

//! The catalog cache of a chain: answers and generations shared through Redis, with this
//! instance's copy of both in front so that a hit needs no round trip.
//!
//! Generations live in one Redis hash (`<prefix>gens`); a bump is `HINCRBY` there, then a
//! `PUBLISH` of `scope generation` that every instance's listener applies to its own view,
//! usually within a millisecond. An answer is stored with the generations it was computed
//! from, in Redis (`<prefix>answer:<key>`) and locally, and is served only while they are
//! still the current ones.
//!
//! While the listener is disconnected, this instance cannot hear other instances' bumps, so
//! it serves nothing from the cache (reads go to the store) and logs that once. On
//! reconnecting it reloads every generation, re-sends the bumps it could not deliver, and
//! drops its local answers before serving from the cache again.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::StreamExt;

use super::RedisConnection;
use crate::adapters::cache::answers::AnswerTable;
use crate::adapters::cache::generations::GenerationTable;
use crate::ports::{CacheHealth, CacheScope, CachedAnswer, CatalogCache, Snapshot};

/// How long the listener waits before reconnecting, at most.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

pub struct RedisCache {
    shared: Arc<Shared>,
}

struct Shared {
    redis: RedisConnection,
    generations: GenerationTable,
    answers: AnswerTable,
    /// True while the listener is subscribed and the generations are in sync.
    listening: AtomicBool,
    /// Bumps Redis did not take; sent again once it is back.
    undelivered: Mutex<BTreeSet<CacheScope>>,
}

impl RedisCache {
    /// Starts the listener; the cache serves answers once it has subscribed and loaded the
    /// generations (normally before the first request arrives).
    pub fn start(redis: RedisConnection) -> Self {
        let shared = Arc::new(Shared {
            redis,
            generations: GenerationTable::default(),
            answers: AnswerTable::default(),
            listening: AtomicBool::new(false),
            undelivered: Mutex::new(BTreeSet::new()),
        });
        tokio::spawn(listen(Arc::downgrade(&shared)));
        Self { shared }
    }

    /// Waits until the listener is in sync, for start-up and tests.
    pub async fn ready(&self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        while tokio::time::Instant::now() < deadline {
            if self.shared.listening.load(Ordering::Acquire) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }
}

fn channel(redis: &RedisConnection) -> String {
    redis.key("bumps")
}

fn gens_key(redis: &RedisConnection) -> String {
    redis.key("gens")
}

fn answer_key(redis: &RedisConnection, key: &str) -> String {
    redis.key(&format!("answer:{key}"))
}

/// The listener: subscribe, load, then apply every bump until the connection drops; then
/// again, with back-off. It ends when the cache is dropped.
async fn listen(shared: std::sync::Weak<Shared>) {
    let mut backoff = Duration::from_millis(50);
    let mut outage_logged = false;
    loop {
        let Some(cache) = shared.upgrade() else {
            return;
        };
        match subscribe_and_sync(&cache).await {
            Ok(mut stream) => {
                cache.listening.store(true, Ordering::Release);
                if outage_logged {
                    tracing::info!("Redis is back: the catalog cache is shared again");
                    outage_logged = false;
                }
                backoff = Duration::from_millis(50);
                drop(cache);
                let mut tick = tokio::time::interval(Duration::from_millis(100));
                loop {
                    tokio::select! {
                        message = stream.next() => {
                            let (Some(message), Some(cache)) = (message, shared.upgrade()) else {
                                break;
                            };
                            if let Some((scope, generation)) = parse_bump(message.get_payload_bytes()) {
                                cache.generations.observe(scope, generation);
                            }
                        }
                        _ = tick.tick() => {
                            // A bump that could not be shared turned `listening` off: re-sync.
                            match shared.upgrade() {
                                Some(cache) if cache.listening.load(Ordering::Acquire) => {}
                                Some(_) => break,
                                None => return,
                            }
                        }
                    }
                }
            }
            Err(e) => {
                drop(cache);
                if !outage_logged {
                    tracing::warn!(error = %e, "Redis is unreachable: catalog reads go to the store until it is back");
                    outage_logged = true;
                }
            }
        }
        if let Some(cache) = shared.upgrade() {
            if cache.listening.swap(false, Ordering::AcqRel) && !outage_logged {
                tracing::warn!(
                    "lost the Redis connection: catalog reads go to the store until it is back"
                );
                outage_logged = true;
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Subscribes first, then loads the generations: a bump published in between is both in
/// the load and on the stream, and applying it twice changes nothing.
async fn subscribe_and_sync(cache: &Shared) -> redis::RedisResult<redis::aio::PubSubStream> {
    let mut pubsub = cache.redis.client.get_async_pubsub().await?;
    pubsub.subscribe(channel(&cache.redis)).await?;
    let mut conn = cache.redis.manager();
    let pending: Vec<CacheScope> = cache
        .undelivered
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .cloned()
        .collect();
    for scope in &pending {
        publish_bump(cache, &mut conn, scope).await?;
    }
    cache
        .undelivered
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .retain(|scope| !pending.contains(scope));
    let all: Vec<(String, u64)> = redis::cmd("HGETALL")
        .arg(gens_key(&cache.redis))
        .query_async(&mut conn)
        .await?;
    cache.generations.reset(
        all.into_iter()
            .filter_map(|(scope, generation)| Some((CacheScope::from_key(&scope)?, generation))),
    );
    cache.answers.clear();
    Ok(pubsub.into_on_message())
}

async fn publish_bump(
    cache: &Shared,
    conn: &mut redis::aio::ConnectionManager,
    scope: &CacheScope,
) -> redis::RedisResult<u64> {
    let generation: u64 = redis::cmd("HINCRBY")
        .arg(gens_key(&cache.redis))
        .arg(scope.key())
        .arg(1)
        .query_async(conn)
        .await?;
    cache.generations.observe(scope.clone(), generation);
    redis::cmd("PUBLISH")
        .arg(channel(&cache.redis))
        .arg(format!("{} {generation}", scope.key()))
        .query_async::<u64>(conn)
        .await?;
    Ok(generation)
}

fn parse_bump(payload: &[u8]) -> Option<(CacheScope, u64)> {
    let text = std::str::from_utf8(payload).ok()?;
    let (scope, generation) = text.split_once(' ')?;
    Some((CacheScope::from_key(scope)?, generation.parse().ok()?))
}

/// `<etag>\n<scope>=<generation> ...\n<body>`: the body stays raw bytes, the header is text
/// an operator can read with `redis-cli`.
fn encode(answer: &CachedAnswer) -> Vec<u8> {
    let deps: Vec<String> = answer
        .depends_on
        .iter()
        .map(|(scope, generation)| format!("{}={generation}", scope.key()))
        .collect();
    let mut out = Vec::with_capacity(answer.body.len() + 128);
    out.extend_from_slice(answer.etag.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(deps.join(" ").as_bytes());
    out.push(b'\n');
    out.extend_from_slice(&answer.body);
    out
}

fn decode(raw: Vec<u8>) -> Option<CachedAnswer> {
    let mut parts = raw.splitn(3, |b| *b == b'\n');
    let etag = std::str::from_utf8(parts.next()?).ok()?.to_owned();
    let deps = std::str::from_utf8(parts.next()?).ok()?;
    let body = Bytes::copy_from_slice(parts.next()?);
    let depends_on = deps
        .split(' ')
        .filter(|d| !d.is_empty())
        .map(|d| {
            let (scope, generation) = d.split_once('=')?;
            Some((CacheScope::from_key(scope)?, generation.parse().ok()?))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(CachedAnswer {
        body,
        etag,
        depends_on,
    })
}

#[async_trait]
impl CatalogCache for RedisCache {
    fn backend(&self) -> &'static str {
        "redis"
    }

    fn health(&self) -> CacheHealth {
        if self.shared.listening.load(Ordering::Acquire) {
            CacheHealth::Up
        } else {
            CacheHealth::Degraded
        }
    }

    fn snapshot(&self) -> Snapshot {
        self.shared.generations.snapshot()
    }

    fn generations(
        &self,
        scopes: &[CacheScope],
        since: Snapshot,
    ) -> Option<Vec<(CacheScope, u64)>> {
        self.shared.generations.generations(scopes, since)
    }

    async fn get(&self, key: &str) -> Option<Arc<CachedAnswer>> {
        let cache = &self.shared;
        if !cache.listening.load(Ordering::Acquire) {
            return None;
        }
        if let Some(answer) = cache.answers.get(key) {
            if cache.generations.is_current(&answer.depends_on) {
                return Some(answer);
            }
        }
        let raw: Option<Vec<u8>> = redis::cmd("GET")
            .arg(answer_key(&cache.redis, key))
            .query_async(&mut cache.redis.manager())
            .await
            .map_err(|e| tracing::debug!(error = %e, "cache read failed"))
            .ok()?;
        let answer = Arc::new(decode(raw?)?);
        if !cache.generations.is_current(&answer.depends_on) {
            return None;
        }
        // Kept locally for what is left of the safety net, approximately.
        cache
            .answers
            .put(key, answer.clone(), Duration::from_secs(60));
        Some(answer)
    }

    async fn put(&self, key: &str, answer: CachedAnswer, ttl: Duration) {
        let cache = &self.shared;
        if !cache.listening.load(Ordering::Acquire)
            || !cache.generations.is_current(&answer.depends_on)
        {
            return;
        }
        let stored = redis::cmd("SET")
            .arg(answer_key(&cache.redis, key))
            .arg(encode(&answer))
            .arg("EX")
            .arg(ttl.as_secs().max(1))
            .query_async::<()>(&mut cache.redis.manager())
            .await;
        if let Err(e) = stored {
            tracing::debug!(error = %e, "cache write failed");
        }
        cache.answers.put(key, Arc::new(answer), ttl);
    }

    async fn bump(&self, scopes: &[CacheScope]) {
        let cache = &self.shared;
        let mut conn = cache.redis.manager();
        for scope in scopes {
            // Here first: this instance never serves what it just changed.
            cache.generations.bump(scope);
            if let Err(e) = publish_bump(cache, &mut conn, scope).await {
                tracing::warn!(error = %e, %scope, "could not share a cache invalidation; it is sent again when Redis is back");
                cache
                    .undelivered
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(scope.clone());
                // Other instances may now serve what changed: stop trusting the shared
                // view until the listener has re-synced and re-sent this bump.
                cache.listening.store(false, Ordering::Release);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Id;

    #[test]
    fn answers_round_trip_through_their_stored_form() {
        let answer = CachedAnswer {
            body: Bytes::from_static(b"{\"items\":[]}\n"),
            etag: "\"abc\"".into(),
            depends_on: vec![
                (CacheScope::Catalog, 3),
                (CacheScope::Product(Id::generate()), 7),
            ],
        };
        assert_eq!(decode(encode(&answer)), Some(answer));
    }

    #[test]
    fn bumps_parse_back() {
        let id = Id::generate();
        assert_eq!(
            parse_bump(format!("p:{id} 12").as_bytes()),
            Some((CacheScope::Product(id), 12))
        );
        assert_eq!(parse_bump(b"nonsense"), None);
    }
}

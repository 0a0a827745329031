//! The Redis adapters against real redis-servers: the shared one from scripts/test.sh
//! (`BAKERY_TEST_REDIS_URL`), and servers these tests start, stop and restart themselves
//! (`BAKERY_REDIS_SERVER`, the binary) to see an outage and the recovery after it.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;

use super::{RedisCache, RedisConnection, RedisRateLimiter};
use crate::domain::Id;
use crate::error::Error;
use crate::ports::{CacheHealth, CacheScope, CachedAnswer, CatalogCache, RateLimit, RateLimiter};

/// Like the MongoDB tests: without Redis these fail, unless the developer explicitly opts
/// out with `BAKERY_SKIP_REDIS=1` (CI never does).
fn shared_url() -> Option<String> {
    match std::env::var("BAKERY_TEST_REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("BAKERY_SKIP_REDIS").as_deref() == Ok("1") => {
            println!("SKIPPED: BAKERY_TEST_REDIS_URL is not set and BAKERY_SKIP_REDIS=1");
            None
        }
        _ => panic!(
            "BAKERY_TEST_REDIS_URL is not set: run scripts/test.sh, which installs and starts \
             redis-server, or set BAKERY_TEST_REDIS_URL=redis://127.0.0.1:PORT"
        ),
    }
}

/// A prefix of its own, so tests sharing one server never see each other's keys.
fn prefix() -> String {
    format!("test:{}:", Id::generate())
}

async fn connect(url: &str, prefix: &str) -> RedisConnection {
    RedisConnection::connect(url, prefix).await.unwrap()
}

fn answer(depends_on: Vec<(CacheScope, u64)>) -> CachedAnswer {
    CachedAnswer {
        body: Bytes::from_static(b"{\"items\":[]}"),
        etag: "\"t\"".into(),
        depends_on,
    }
}

/// Polls `check` every 5 ms for up to `within`.
async fn eventually(within: Duration, mut check: impl AsyncFnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn instances_share_limits() {
    let Some(url) = shared_url() else { return };
    let prefix = prefix();
    let a = RedisRateLimiter::new(connect(&url, &prefix).await);
    let b = RedisRateLimiter::new(connect(&url, &prefix).await);
    let limit = RateLimit {
        max: 5,
        window: Duration::from_secs(900),
    };
    for i in 0..5 {
        let limiter = if i % 2 == 0 { &a } else { &b };
        limiter.hit("auth:198.51.100.7", limit).await.unwrap();
    }
    for limiter in [&a, &b] {
        match limiter.hit("auth:198.51.100.7", limit).await {
            Err(Error::RateLimited { retry_after_secs }) => {
                assert!((1..=900).contains(&retry_after_secs), "{retry_after_secs}");
            }
            other => panic!("expected 429, got {other:?}"),
        }
    }
    // Another key has its own window.
    a.hit("auth:198.51.100.8", limit).await.unwrap();
}

#[tokio::test]
async fn a_refund_gives_one_request_back_to_every_instance() {
    let Some(url) = shared_url() else { return };
    let prefix = prefix();
    let a = RedisRateLimiter::new(connect(&url, &prefix).await);
    let b = RedisRateLimiter::new(connect(&url, &prefix).await);
    let limit = RateLimit {
        max: 2,
        window: Duration::from_secs(3600),
    };
    // Nothing counted yet: a refund must not bank a credit (nor leave a key without expiry).
    a.refund("otp:+447700900001").await.unwrap();
    a.hit("otp:+447700900001", limit).await.unwrap();
    b.hit("otp:+447700900001", limit).await.unwrap();
    assert!(a.hit("otp:+447700900001", limit).await.is_err());
    // The refused hit was counted too (3); two refunds bring it back under the limit.
    b.refund("otp:+447700900001").await.unwrap();
    b.refund("otp:+447700900001").await.unwrap();
    a.hit("otp:+447700900001", limit).await.unwrap();
    assert!(b.hit("otp:+447700900001", limit).await.is_err());
    // The window keeps its expiry through refunds, and a refund creates no key.
    let raw = connect(&url, &prefix).await;
    let ttl: i64 = redis::cmd("PTTL")
        .arg(raw.key("rl:otp:+447700900001"))
        .query_async(&mut raw.manager())
        .await
        .unwrap();
    assert!(ttl > 0, "{ttl}");
    a.refund("otp:+447700900002").await.unwrap();
    let exists: i64 = redis::cmd("EXISTS")
        .arg(raw.key("rl:otp:+447700900002"))
        .query_async(&mut raw.manager())
        .await
        .unwrap();
    assert_eq!(exists, 0);
}

#[tokio::test]
async fn a_bump_on_one_instance_hides_the_answer_on_the_other() {
    let Some(url) = shared_url() else { return };
    let prefix = prefix();
    let a = RedisCache::start(connect(&url, &prefix).await);
    let b = RedisCache::start(connect(&url, &prefix).await);
    assert!(a.ready(Duration::from_secs(5)).await && b.ready(Duration::from_secs(5)).await);
    let bread = CacheScope::Product(Id::generate());
    let cake = CacheScope::Product(Id::generate());

    let gens = a
        .generations(&[CacheScope::Catalog, bread.clone()], a.snapshot())
        .unwrap();
    a.put("bread", answer(gens), Duration::from_secs(60)).await;
    let gens = a
        .generations(std::slice::from_ref(&cake), a.snapshot())
        .unwrap();
    a.put("cake", answer(gens), Duration::from_secs(60)).await;
    // B has never computed it: it comes from Redis.
    assert!(b.get("bread").await.is_some());

    b.bump(std::slice::from_ref(&bread)).await;
    assert!(b.get("bread").await.is_none(), "the writer sees it at once");
    assert!(
        eventually(Duration::from_millis(100), async || a
            .get("bread")
            .await
            .is_none())
        .await,
        "the other instance within 100 ms"
    );
    assert!(a.get("cake").await.is_some(), "other products stay cached");
    assert!(b.get("cake").await.is_some());
}

/// A redis-server of this test's own, on a port it picks, that it can kill and restart.
struct OwnServer {
    port: u16,
    child: Child,
    dir: tempfile::TempDir,
}

impl OwnServer {
    fn start() -> Option<Self> {
        let binary = match std::env::var("BAKERY_REDIS_SERVER") {
            Ok(binary) => binary,
            Err(_) if std::env::var("BAKERY_SKIP_REDIS").as_deref() == Ok("1") => return None,
            Err(_) => panic!(
                "BAKERY_REDIS_SERVER (the redis-server binary) is not set: run scripts/test.sh"
            ),
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let child = spawn(&binary, port, dir.path());
        Some(Self { port, child, dir })
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn restart(&mut self) {
        let binary = std::env::var("BAKERY_REDIS_SERVER").unwrap();
        self.child = spawn(&binary, self.port, self.dir.path());
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn spawn(binary: &str, port: u16, dir: &std::path::Path) -> Child {
    let child = Command::new(binary)
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args(["--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = child;
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return child;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("redis-server did not open port {port}");
}

#[tokio::test]
async fn an_outage_degrades_and_the_recovery_needs_no_restart() {
    let Some(mut server) = OwnServer::start() else {
        return;
    };
    let connection = connect(&server.url(), "outage:").await;
    let cache = RedisCache::start(connection.clone());
    let limiter = RedisRateLimiter::new(connection);
    assert!(cache.ready(Duration::from_secs(5)).await);
    let limit = RateLimit {
        max: 5,
        window: Duration::from_secs(60),
    };
    limiter.hit("otp:+447700900123", limit).await.unwrap();
    let gens = cache
        .generations(&[CacheScope::Catalog], cache.snapshot())
        .unwrap();
    cache.put("k", answer(gens), Duration::from_secs(60)).await;
    assert!(cache.get("k").await.is_some());

    server.stop();
    assert!(
        eventually(Duration::from_secs(5), async || cache.health()
            == CacheHealth::Degraded)
        .await
    );
    assert!(cache.get("k").await.is_none(), "no answer while degraded");
    assert!(matches!(
        limiter.hit("otp:+447700900123", limit).await,
        Err(Error::LimiterUnavailable { .. })
    ));
    // A write during the outage: its bump is kept and sent once Redis is back.
    cache.bump(&[CacheScope::Catalog]).await;

    server.restart();
    assert!(
        eventually(Duration::from_secs(10), async || cache.health()
            == CacheHealth::Up)
        .await,
        "recovers by itself"
    );
    assert!(
        eventually(Duration::from_secs(5), async || limiter
            .hit("otp:+447700900123", limit)
            .await
            .is_ok())
        .await
    );
    let gens = cache
        .generations(&[CacheScope::Catalog], cache.snapshot())
        .unwrap();
    assert_eq!(
        gens,
        vec![(CacheScope::Catalog, 1)],
        "the missed bump was re-sent"
    );
    cache.put("k", answer(gens), Duration::from_secs(60)).await;
    assert!(cache.get("k").await.is_some());
}

#[tokio::test]
async fn order_events_published_on_one_instance_reach_subscribers_of_another() {
    use crate::domain::OrderStatus;
    use crate::ports::{OrderChange, OrderEvent, OrderEvents, Received};

    let Some(url) = shared_url() else {
        return;
    };
    let prefix = prefix();
    let a = super::RedisEvents::start(connect(&url, &prefix).await);
    let b = super::RedisEvents::start(connect(&url, &prefix).await);
    assert!(a.ready(Duration::from_secs(5)).await);
    assert!(b.ready(Duration::from_secs(5)).await);
    let mut on_a = a.subscribe();
    let event = OrderEvent {
        order_id: Id::generate(),
        customer_id: Id::generate(),
        courier_id: None,
        seq: 3,
        at: crate::domain::time::truncate(chrono::Utc::now()),
        change: OrderChange::Placed {
            status: OrderStatus::Placed,
        },
    };
    b.publish(event.clone()).await;
    let heard = tokio::time::timeout(Duration::from_secs(1), on_a.next())
        .await
        .unwrap();
    assert_eq!(heard, Some(Received::Event(std::sync::Arc::new(event))));
}

//! The catalog cache: finished catalog answers kept as bytes, and the generations that say
//! when one is out of date.
//!
//! Every cached answer records the generation of each [`CacheScope`] it was computed from.
//! A write bumps the scopes it changes right after it commits (see
//! [`crate::adapters::InvalidatingStore`]); an answer whose recorded generations are no
//! longer the current ones is never served. A reader takes a [`Snapshot`] before reading the
//! store and asks for its scopes' generations after: if any of them moved in between, the
//! write may or may not be in what it read, so the answer is not stored at all.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use crate::domain::Id;

/// What a catalog answer can depend on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CacheScope {
    /// Categories, and the staff-editable side of products (name, price, availability...):
    /// a change may move products between any listings, so every answer depends on it.
    Catalog,
    /// One product's counters: stock from orders and cancels, rating from reviews.
    Product(Id),
    /// The order of rankings (units sold, ratings): listings sorted by them re-order when
    /// any product sells or is reviewed.
    Ranking,
    /// Promotions, including their redemption counts.
    Promotions,
    /// One account's sessions and role: bumped when a session ends or the role changes, so
    /// every instance drops what it cached about that account's access tokens.
    Session(Id),
}

impl CacheScope {
    /// The stable name shared instances agree on (`catalog`, `p:<id>`, ...).
    pub fn key(&self) -> String {
        match self {
            Self::Catalog => "catalog".into(),
            Self::Product(id) => format!("p:{id}"),
            Self::Ranking => "ranking".into(),
            Self::Promotions => "promotions".into(),
            Self::Session(id) => format!("s:{id}"),
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "catalog" => Some(Self::Catalog),
            "ranking" => Some(Self::Ranking),
            "promotions" => Some(Self::Promotions),
            other => {
                if let Some(id) = other.strip_prefix("s:") {
                    return Id::parse("scope", id).ok().map(Self::Session);
                }
                let id = other.strip_prefix("p:")?;
                Id::parse("scope", id).ok().map(Self::Product)
            }
        }
    }
}

impl fmt::Display for CacheScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// A finished answer and what it was computed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedAnswer {
    pub body: Bytes,
    /// The strong entity tag (quoted), derived from the body.
    pub etag: String,
    /// Each scope the answer depends on, with its generation when the answer was computed.
    pub depends_on: Vec<(CacheScope, u64)>,
}

/// A point in this instance's sequence of bumps, taken before reading the store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Snapshot(pub u64);

/// Whether the cache can be trusted right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheHealth {
    /// In-process only, or the shared backend answers.
    Up,
    /// The shared backend is unreachable: answers come from the store, uncached, until it is
    /// back (another instance's writes could not reach this one's cache meanwhile).
    Degraded,
}

#[async_trait]
pub trait CatalogCache: Send + Sync {
    /// Which backend this is, for start-up logs and readiness (`in-process`, `redis`).
    fn backend(&self) -> &'static str;

    fn health(&self) -> CacheHealth;

    /// Where this instance's sequence of bumps stands; take it before reading the store.
    fn snapshot(&self) -> Snapshot;

    /// The current generations of `scopes` as this instance knows them, or `None` when any
    /// of them was bumped after `since` (the read may have raced that write).
    fn generations(&self, scopes: &[CacheScope], since: Snapshot)
        -> Option<Vec<(CacheScope, u64)>>;

    /// The answer stored under `key`, if every generation it depends on is still current
    /// and it is younger than the safety-net TTL. `None` when degraded.
    async fn get(&self, key: &str) -> Option<Arc<CachedAnswer>>;

    /// Keeps `answer` under `key` for at most `ttl`. Does nothing when degraded or when any
    /// generation it depends on is already out of date.
    async fn put(&self, key: &str, answer: CachedAnswer, ttl: Duration);

    /// Makes every answer depending on `scopes` out of date, here at once and on every
    /// other instance shortly after. Called after the change committed.
    async fn bump(&self, scopes: &[CacheScope]);
}

//! The catalog cache of one binary: answers and generations in this process.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::answers::AnswerTable;
use super::generations::GenerationTable;
use crate::ports::{CacheHealth, CacheScope, CachedAnswer, CatalogCache, Snapshot};

/// Right for one instance; with several, each would keep serving what another instance's
/// write changed, so a fleet uses [`super::super::redis::RedisCache`].
#[derive(Debug, Default)]
pub struct MemoryCache {
    generations: GenerationTable,
    answers: AnswerTable,
}

impl MemoryCache {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl CatalogCache for MemoryCache {
    fn backend(&self) -> &'static str {
        "in-process"
    }

    fn health(&self) -> CacheHealth {
        CacheHealth::Up
    }

    fn snapshot(&self) -> Snapshot {
        self.generations.snapshot()
    }

    fn generations(
        &self,
        scopes: &[CacheScope],
        since: Snapshot,
    ) -> Option<Vec<(CacheScope, u64)>> {
        self.generations.generations(scopes, since)
    }

    async fn get(&self, key: &str) -> Option<Arc<CachedAnswer>> {
        self.answers
            .get(key)
            .filter(|answer| self.generations.is_current(&answer.depends_on))
    }

    async fn put(&self, key: &str, answer: CachedAnswer, ttl: Duration) {
        if self.generations.is_current(&answer.depends_on) {
            self.answers.put(key, Arc::new(answer), ttl);
        }
    }

    async fn bump(&self, scopes: &[CacheScope]) {
        for scope in scopes {
            self.generations.bump(scope);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Id;
    use bytes::Bytes;

    fn answer(depends_on: Vec<(CacheScope, u64)>) -> CachedAnswer {
        CachedAnswer {
            body: Bytes::from_static(b"[]"),
            etag: "\"e\"".into(),
            depends_on,
        }
    }

    #[tokio::test]
    async fn a_bump_hides_what_depends_on_it_and_nothing_else() {
        let cache = MemoryCache::new();
        let (bread, cake) = (
            CacheScope::Product(Id::generate()),
            CacheScope::Product(Id::generate()),
        );
        let snap = cache.snapshot();
        let bread_gens = cache
            .generations(std::slice::from_ref(&bread), snap)
            .unwrap();
        let cake_gens = cache
            .generations(std::slice::from_ref(&cake), snap)
            .unwrap();
        cache
            .put("bread", answer(bread_gens), Duration::from_secs(60))
            .await;
        cache
            .put("cake", answer(cake_gens), Duration::from_secs(60))
            .await;
        assert!(cache.get("bread").await.is_some());
        cache.bump(&[bread]).await;
        assert!(cache.get("bread").await.is_none());
        assert!(cache.get("cake").await.is_some());
    }

    #[tokio::test]
    async fn an_answer_computed_before_a_bump_is_not_stored() {
        let cache = MemoryCache::new();
        let gens = cache
            .generations(&[CacheScope::Catalog], cache.snapshot())
            .unwrap();
        cache.bump(&[CacheScope::Catalog]).await;
        cache.put("k", answer(gens), Duration::from_secs(60)).await;
        assert!(cache.get("k").await.is_none());
    }
}

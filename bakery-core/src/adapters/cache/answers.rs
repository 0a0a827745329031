//! Finished answers kept in this process, bounded in number and age.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::ports::CachedAnswer;

/// A catalog has a few hundred distinct listings worth keeping; past this, an arbitrary entry
/// makes room (cheaper than LRU bookkeeping on every hit, and out-of-date entries are already
/// refused by their generations).
pub const DEFAULT_CAPACITY: usize = 4096;

#[derive(Debug)]
pub struct AnswerTable {
    entries: RwLock<HashMap<String, Stored>>,
    capacity: usize,
}

#[derive(Debug, Clone)]
struct Stored {
    answer: Arc<CachedAnswer>,
    expires: Instant,
}

impl Default for AnswerTable {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl AnswerTable {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: RwLock::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    pub fn get(&self, key: &str) -> Option<Arc<CachedAnswer>> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        let stored = entries.get(key)?;
        (stored.expires > Instant::now()).then(|| stored.answer.clone())
    }

    pub fn put(&self, key: &str, answer: Arc<CachedAnswer>, ttl: Duration) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        // Full: one arbitrary entry makes room. Never a sweep of the whole table under the
        // write lock: with a stream of distinct keys (every query a miss) that sweep ran on
        // every insert.
        if entries.len() >= self.capacity && !entries.contains_key(key) {
            if let Some(victim) = entries.keys().next().cloned() {
                entries.remove(&victim);
            }
        }
        entries.insert(
            key.to_owned(),
            Stored {
                answer,
                expires: Instant::now() + ttl,
            },
        );
    }

    /// Used by the shared (Redis) cache when it re-syncs.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub fn clear(&self) {
        self.entries
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(|p| p.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn answer(body: &'static str) -> Arc<CachedAnswer> {
        Arc::new(CachedAnswer {
            body: Bytes::from_static(body.as_bytes()),
            etag: "\"x\"".into(),
            depends_on: Vec::new(),
        })
    }

    #[test]
    fn stays_within_capacity_and_age() {
        let table = AnswerTable::with_capacity(2);
        table.put("a", answer("a"), Duration::from_secs(60));
        table.put("b", answer("b"), Duration::from_secs(60));
        table.put("c", answer("c"), Duration::from_secs(60));
        assert_eq!(table.len(), 2);
        assert!(table.get("c").is_some());
        table.put("old", answer("old"), Duration::ZERO);
        assert!(table.get("old").is_none());
    }
}

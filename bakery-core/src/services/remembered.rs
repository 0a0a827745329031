//! A small setting read from the store and kept in memory for as long as the catalog cache
//! says it cannot have changed.
//!
//! Placing an order checks the opening hours; reading them from the store every time cost
//! a round trip per order for a value staff change a few times a year. Keeping them is only
//! safe if every instance drops its copy when any instance writes new ones: the write bumps
//! a cache scope (see [`crate::adapters::InvalidatingStore`]), and that bump is exactly the
//! news a cached answer waits for, so the copy follows the same protocol as a cached answer.
//! A snapshot is taken before the store is read; the value is kept only if none of its
//! scopes moved in between, and served only while their generations are still the ones it
//! was read at. While the shared cache is degraded, bumps from other instances may not
//! arrive, so nothing is served from memory then.

use std::sync::{Arc, Mutex};

use crate::error::Result;
use crate::ports::{CacheHealth, CacheScope, CatalogCache};

/// One value and the generations of the scopes it was read at.
pub(crate) struct Remembered<T> {
    scopes: Vec<CacheScope>,
    kept: Mutex<Option<Kept<T>>>,
}

struct Kept<T> {
    generations: Vec<(CacheScope, u64)>,
    value: Arc<T>,
}

impl<T> Remembered<T> {
    /// A value that goes out of date whenever any of `scopes` is bumped.
    pub(crate) fn new(scopes: Vec<CacheScope>) -> Self {
        Self {
            scopes,
            kept: Mutex::new(None),
        }
    }

    /// The kept value while it is current, else what `read` returns (kept when no bump
    /// raced the read).
    pub(crate) async fn get_or_read<F, Fut>(
        &self,
        cache: &dyn CatalogCache,
        read: F,
    ) -> Result<Arc<T>>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let usable = cache.health() == CacheHealth::Up;
        let snapshot = cache.snapshot();
        let current = if usable {
            cache.generations(&self.scopes, snapshot)
        } else {
            None
        };
        if let Some(current) = &current {
            let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(kept) = kept.as_ref().filter(|k| &k.generations == current) {
                return Ok(kept.value.clone());
            }
        }
        let value = Arc::new(read().await?);
        if usable {
            if let Some(generations) = cache.generations(&self.scopes, snapshot) {
                *self.kept.lock().unwrap_or_else(|p| p.into_inner()) = Some(Kept {
                    generations,
                    value: value.clone(),
                });
            }
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::adapters::MemoryCache;

    async fn read_counted(reads: &AtomicU32) -> Result<u32> {
        Ok(reads.fetch_add(1, Ordering::SeqCst) + 1)
    }

    #[tokio::test]
    async fn kept_until_its_scope_is_bumped() {
        let cache = MemoryCache::new();
        let memo = Remembered::new(vec![CacheScope::Catalog]);
        let reads = AtomicU32::new(0);
        let first = memo.get_or_read(&cache, || read_counted(&reads)).await;
        let again = memo.get_or_read(&cache, || read_counted(&reads)).await;
        assert_eq!((*first.unwrap(), *again.unwrap()), (1, 1));

        cache.bump(&[CacheScope::Ranking]).await;
        let other_scope = memo.get_or_read(&cache, || read_counted(&reads)).await;
        assert_eq!(
            *other_scope.unwrap(),
            1,
            "a bump of another scope changes nothing"
        );

        cache.bump(&[CacheScope::Catalog]).await;
        let after = memo.get_or_read(&cache, || read_counted(&reads)).await;
        assert_eq!(*after.unwrap(), 2, "read again after its scope moved");
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_read_raced_by_a_bump_is_not_kept() {
        let cache = Arc::new(MemoryCache::new());
        let memo = Remembered::new(vec![CacheScope::Catalog]);
        let reads = AtomicU32::new(0);
        let racing = cache.clone();
        let raced = memo
            .get_or_read(cache.as_ref(), || async {
                // A write commits and bumps while this read is in flight.
                racing.bump(&[CacheScope::Catalog]).await;
                read_counted(&reads).await
            })
            .await;
        assert_eq!(*raced.unwrap(), 1);
        let next = memo
            .get_or_read(cache.as_ref(), || read_counted(&reads))
            .await;
        assert_eq!(*next.unwrap(), 2, "the raced value was not kept");
    }

    #[tokio::test]
    async fn failed_reads_are_not_kept() {
        let cache = MemoryCache::new();
        let memo: Remembered<u32> = Remembered::new(vec![CacheScope::Catalog]);
        let failed = memo
            .get_or_read(&cache, || async {
                Err(crate::error::Error::Unavailable("store down".into()))
            })
            .await;
        assert!(failed.is_err());
        let reads = AtomicU32::new(0);
        let ok = memo.get_or_read(&cache, || read_counted(&reads)).await;
        assert_eq!(*ok.unwrap(), 1);
    }
}

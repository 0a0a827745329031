//! This instance's view of the cache generations, and the sequence that orders its bumps.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

use crate::ports::{CacheScope, Snapshot};

/// Generation and the sequence number of the bump that set it, per scope. A scope never
/// bumped is at generation 0 since sequence 0.
#[derive(Debug, Default)]
pub struct GenerationTable {
    scopes: RwLock<HashMap<CacheScope, Entry>>,
    sequence: AtomicU64,
    /// The sequence number of the last [`GenerationTable::reset`]: reads that snapshotted
    /// before it store nothing.
    reset_at: AtomicU64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    generation: u64,
    bumped_at: u64,
}

impl GenerationTable {
    pub fn snapshot(&self) -> Snapshot {
        Snapshot(self.sequence.load(Ordering::Acquire))
    }

    pub fn generations(
        &self,
        scopes: &[CacheScope],
        since: Snapshot,
    ) -> Option<Vec<(CacheScope, u64)>> {
        let table = self.scopes.read().unwrap_or_else(|p| p.into_inner());
        if self.reset_at.load(Ordering::Acquire) > since.0 {
            return None;
        }
        scopes
            .iter()
            .map(|scope| {
                let entry = table.get(scope).copied().unwrap_or_default();
                (entry.bumped_at <= since.0).then(|| (scope.clone(), entry.generation))
            })
            .collect()
    }

    /// Whether every recorded generation is still the current one.
    pub fn is_current(&self, depends_on: &[(CacheScope, u64)]) -> bool {
        let table = self.scopes.read().unwrap_or_else(|p| p.into_inner());
        depends_on
            .iter()
            .all(|(scope, generation)| table.get(scope).map_or(0, |e| e.generation) == *generation)
    }

    /// Moves `scope` one generation on, here; returns the new generation.
    pub fn bump(&self, scope: &CacheScope) -> u64 {
        let mut table = self.scopes.write().unwrap_or_else(|p| p.into_inner());
        let sequence = self.sequence.fetch_add(1, Ordering::AcqRel) + 1;
        let entry = table.entry(scope.clone()).or_default();
        entry.generation += 1;
        entry.bumped_at = sequence;
        entry.generation
    }

    /// Takes a generation another instance reached (generations only grow: an older news
    /// that arrives late changes nothing).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub fn observe(&self, scope: CacheScope, generation: u64) {
        let mut table = self.scopes.write().unwrap_or_else(|p| p.into_inner());
        let entry = table.entry(scope).or_default();
        if generation > entry.generation {
            let sequence = self.sequence.fetch_add(1, Ordering::AcqRel) + 1;
            entry.generation = generation;
            entry.bumped_at = sequence;
        }
    }

    /// Replaces the whole view (after reconnecting to the shared backend). Every scope counts
    /// as bumped now, so reads in flight do not store what they computed.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub fn reset(&self, generations: impl IntoIterator<Item = (CacheScope, u64)>) {
        let mut table = self.scopes.write().unwrap_or_else(|p| p.into_inner());
        let sequence = self.sequence.fetch_add(1, Ordering::AcqRel) + 1;
        table.clear();
        for (scope, generation) in generations {
            table.insert(
                scope,
                Entry {
                    generation,
                    bumped_at: sequence,
                },
            );
        }
        self.reset_at.store(sequence, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Id;

    #[test]
    fn a_bump_after_the_snapshot_refuses_the_generations() {
        let table = GenerationTable::default();
        let product = CacheScope::Product(Id::generate());
        let before = table.snapshot();
        assert_eq!(
            table.generations(&[CacheScope::Catalog, product.clone()], before),
            Some(vec![(CacheScope::Catalog, 0), (product.clone(), 0)])
        );
        table.bump(&product);
        assert_eq!(
            table.generations(std::slice::from_ref(&product), before),
            None
        );
        let after = table.snapshot();
        assert_eq!(
            table.generations(std::slice::from_ref(&product), after),
            Some(vec![(product.clone(), 1)])
        );
        assert!(!table.is_current(&[(product.clone(), 0)]));
        assert!(table.is_current(&[(product, 1), (CacheScope::Ranking, 0)]));
    }

    #[test]
    fn observed_generations_only_grow() {
        let table = GenerationTable::default();
        table.observe(CacheScope::Catalog, 5);
        table.observe(CacheScope::Catalog, 3);
        assert!(table.is_current(&[(CacheScope::Catalog, 5)]));
    }

    #[test]
    fn a_reset_refuses_reads_in_flight() {
        let table = GenerationTable::default();
        let before = table.snapshot();
        table.reset([(CacheScope::Ranking, 2)]);
        assert_eq!(table.generations(&[CacheScope::Ranking], before), None);
        assert_eq!(table.generations(&[CacheScope::Catalog], before), None);
        assert!(table.is_current(&[(CacheScope::Ranking, 2), (CacheScope::Catalog, 0)]));
    }
}

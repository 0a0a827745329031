//! Moving a shop from one store to another (`bakery-server migrate`): typically a shop that
//! grew from the embedded SQLite file to a chain's MongoDB.
//!
//! - **Every record, with its id**: each kind of [`RecordKind::ALL`] is read from the source
//!   in id order, in batches, and written to the target under the same id, so links between
//!   records (orders to customers, reviews to products, refresh tokens to their family) hold,
//!   and customers stay signed in (their refresh tokens are there; keep `JWT_SECRET`).
//! - **Resumable**: after each batch the target's progress marker records the last id
//!   written. A run that stops (killed, a lost connection, or [`Options::max_batches`])
//!   resumes after that id; writes replace by id, so a batch written twice is harmless.
//! - **Verified**: when everything is copied, both stores are read again and compared kind by
//!   kind: the number of records, a SHA-256 over every record as the domain reads it (so any
//!   field that did not survive shows), and the aggregates an operator checks by eye — the
//!   sum of order totals, stock, units sold, promotion uses, review ratings.
//! - **Safe**: a target holding any record, or a finished migration, is refused unless
//!   [`Options::force`] (which copies over what is there; records the source does not have
//!   stay and make the verification fail).
//!
//! The source must not change meanwhile: stop the server that uses it first.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::ports::{ExportStore, ImportStore, Record, RecordKind, TransferProgress};

/// Records per batch by default: a few hundred KiB of documents, one progress write each.
pub const DEFAULT_BATCH_SIZE: u32 = 500;
/// The largest batch accepted.
pub const MAX_BATCH_SIZE: u32 = 10_000;

/// How to run a migration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Names the source (`sqlite:/srv/bakery/bakery.db`): a run resumes only a migration
    /// from the same source.
    pub source: String,
    /// Records per batch, 1..=[`MAX_BATCH_SIZE`].
    pub batch_size: u32,
    /// Stop (resumably) after this many batches in this run; `None` runs to the end.
    pub max_batches: Option<u64>,
    /// Write into a target that is not empty, or that a migration already finished.
    pub force: bool,
}

impl Options {
    pub fn new(source: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            batch_size: DEFAULT_BATCH_SIZE,
            max_batches: None,
            force: false,
        }
    }
}

/// What a run did.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Everything is copied and the target matches the source.
    Finished(Report),
    /// Stopped after [`Options::max_batches`]; run again to resume.
    Paused {
        /// Batches written in this run.
        batches: u64,
        /// Where the next run starts.
        next: Option<RecordKind>,
    },
}

/// Why a migration refused to start or failed.
#[derive(Debug)]
pub enum MigrateError {
    /// The target already holds data and `force` was not given.
    TargetNotEmpty(String),
    /// The copy does not match the source.
    Mismatch(Vec<String>),
    /// Bad options.
    Invalid(String),
    /// A store failed (the run can be resumed).
    Store(Error),
}

impl fmt::Display for MigrateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TargetNotEmpty(why) => write!(f, "{why}; pass --force to write into it anyway"),
            Self::Mismatch(differences) => write!(
                f,
                "the copy does not match the source: {}",
                differences.join("; ")
            ),
            Self::Invalid(why) => f.write_str(why),
            Self::Store(e) => write!(f, "store error (run again to resume): {e}"),
        }
    }
}

impl std::error::Error for MigrateError {}

impl From<Error> for MigrateError {
    fn from(e: Error) -> Self {
        Self::Store(e)
    }
}

/// One kind's fingerprint in one store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindSummary {
    pub count: u64,
    /// SHA-256 (hex) over every record's JSON, in id order.
    pub digest: String,
}

/// The aggregates compared after the copy, worth a look by the operator too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Sum of every order's total, minor units.
    pub order_totals: i64,
    /// Units in stock over the products with a limited stock.
    pub stock: u64,
    pub units_sold: u64,
    /// Sum of the promotions' use counts.
    pub promotion_uses: u64,
    /// Sum of the review ratings (1..=5 each).
    pub review_ratings: u64,
    /// Refresh tokens still usable (neither revoked nor rotated).
    pub live_refresh_tokens: u64,
}

/// A store's contents, summarised.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub kinds: BTreeMap<&'static str, KindSummary>,
    pub totals: Totals,
}

impl Summary {
    /// What differs from `other`, worded for the operator.
    pub fn differences(&self, other: &Summary) -> Vec<String> {
        let mut out = Vec::new();
        for (kind, mine) in &self.kinds {
            match other.kinds.get(kind) {
                Some(theirs) if theirs.count != mine.count => out.push(format!(
                    "{kind}: {} in the source, {} in the target",
                    mine.count, theirs.count
                )),
                Some(theirs) if theirs.digest != mine.digest => {
                    out.push(format!("{kind}: same count, different contents"))
                }
                Some(_) => {}
                None => out.push(format!("{kind}: missing from the target")),
            }
        }
        if self.totals != other.totals {
            out.push(format!(
                "totals differ: source {:?}, target {:?}",
                self.totals, other.totals
            ));
        }
        out
    }
}

/// The report of a finished migration: what the target now holds (equal to the source).
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub summary: Summary,
    /// Batches written over every run of this migration.
    pub batches: u64,
}

/// Reads every record of `store` and summarises it.
pub async fn summarize(store: &dyn ExportStore, batch_size: u32) -> Result<Summary, Error> {
    let mut summary = Summary::default();
    for kind in RecordKind::ALL {
        let mut hasher = Sha256::new();
        let mut count = 0u64;
        let mut after: Option<String> = None;
        loop {
            let batch = store.export(kind, after.as_deref(), batch_size).await?;
            let Some(last) = batch.last() else { break };
            after = Some(last.id().to_owned());
            for record in &batch {
                count += 1;
                hash_record(&mut hasher, record)?;
                add_totals(&mut summary.totals, record);
            }
        }
        summary.kinds.insert(
            kind.as_str(),
            KindSummary {
                count,
                digest: hex::encode(hasher.finalize()),
            },
        );
    }
    Ok(summary)
}

fn hash_record(hasher: &mut Sha256, record: &impl Serialize) -> Result<(), Error> {
    let json = serde_json::to_vec(record).map_err(Error::internal)?;
    hasher.update((json.len() as u64).to_be_bytes());
    hasher.update(&json);
    Ok(())
}

fn add_totals(totals: &mut Totals, record: &Record) {
    match record {
        Record::Order(o) => totals.order_totals += o.total.minor(),
        Record::Product(p) => {
            totals.stock += u64::from(p.stock.unwrap_or(0));
            totals.units_sold += p.units_sold;
        }
        Record::Promotion(p) => totals.promotion_uses += u64::from(p.used_count),
        Record::Review(r) => totals.review_ratings += u64::from(r.rating.get()),
        Record::RefreshToken(t) if !t.revoked && t.used_at.is_none() => {
            totals.live_refresh_tokens += 1
        }
        _ => {}
    }
}

/// Where a run starts: a fresh marker, or the one of an interrupted run of the same source.
async fn starting_point(
    target: &dyn ImportStore,
    options: &Options,
    now: DateTime<Utc>,
) -> Result<TransferProgress, MigrateError> {
    let fresh = TransferProgress {
        source: options.source.clone(),
        kind: Some(RecordKind::ALL[0]),
        after: None,
        batches: 0,
        finished: false,
        started_at: now,
        updated_at: now,
    };
    if options.force {
        return Ok(fresh);
    }
    match target.transfer_progress().await? {
        Some(p) if p.finished => Err(MigrateError::TargetNotEmpty(format!(
            "a migration from {} into this target finished at {}",
            p.source, p.updated_at
        ))),
        Some(p) if p.source != options.source => Err(MigrateError::TargetNotEmpty(format!(
            "an unfinished migration from {} is in this target",
            p.source
        ))),
        Some(p) => Ok(p),
        None => {
            for kind in RecordKind::ALL {
                let n = target.count(kind).await?;
                if n > 0 {
                    return Err(MigrateError::TargetNotEmpty(format!(
                        "the target is not empty ({n} {kind})"
                    )));
                }
            }
            Ok(fresh)
        }
    }
}

/// Copies every record of `source` into `target`, resuming an interrupted run, then
/// verifies the copy. `now` stamps the progress marker.
pub async fn migrate(
    source: &dyn ExportStore,
    target: &dyn ImportStore,
    options: &Options,
    now: impl Fn() -> DateTime<Utc>,
) -> Result<Outcome, MigrateError> {
    if !(1..=MAX_BATCH_SIZE).contains(&options.batch_size) {
        return Err(MigrateError::Invalid(format!(
            "the batch size must be between 1 and {MAX_BATCH_SIZE}"
        )));
    }
    if options.max_batches == Some(0) {
        return Err(MigrateError::Invalid(
            "the batch limit must be at least 1".into(),
        ));
    }
    let mut progress = starting_point(target, options, now()).await?;
    let mut this_run = 0u64;
    while let Some(kind) = progress.kind {
        if options.max_batches.is_some_and(|max| this_run >= max) {
            return Ok(Outcome::Paused {
                batches: this_run,
                next: Some(kind),
            });
        }
        let batch = source
            .export(kind, progress.after.as_deref(), options.batch_size)
            .await?;
        match batch.last() {
            None => {
                progress.kind = next_kind(kind);
                progress.after = None;
            }
            Some(last) => {
                let last = last.id().to_owned();
                target.import(&batch).await?;
                tracing::info!(%kind, records = batch.len(), after = %last, "migrated a batch");
                progress.after = Some(last);
                progress.batches += 1;
                this_run += 1;
            }
        }
        progress.updated_at = now();
        target.save_transfer_progress(&progress).await?;
    }

    let expected = summarize(source, options.batch_size).await?;
    // Trait upcasting: the target read as the export store it also is.
    let target_export: &dyn ExportStore = target;
    let found = summarize(target_export, options.batch_size).await?;
    let differences = expected.differences(&found);
    if !differences.is_empty() {
        return Err(MigrateError::Mismatch(differences));
    }
    progress.finished = true;
    progress.updated_at = now();
    target.save_transfer_progress(&progress).await?;
    Ok(Outcome::Finished(Report {
        summary: found,
        batches: progress.batches,
    }))
}

fn next_kind(kind: RecordKind) -> Option<RecordKind> {
    let at = RecordKind::ALL.iter().position(|k| *k == kind)?;
    RecordKind::ALL.get(at + 1).copied()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use async_trait::async_trait;

    use super::*;
    use crate::domain::{Category, Id};
    use crate::ports::{PaymentEventRecord, StoreResult};

    /// A store in memory: records by kind and id, and the progress marker.
    #[derive(Default)]
    struct Memory {
        records: Mutex<BTreeMap<(String, String), Record>>,
        progress: Mutex<Option<TransferProgress>>,
    }

    impl Memory {
        fn with(records: Vec<Record>) -> Self {
            let memory = Self::default();
            memory.put(records);
            memory
        }

        fn put(&self, records: Vec<Record>) {
            let mut map = self.records.lock().unwrap();
            for r in records {
                map.insert((r.kind().to_string(), r.id().to_owned()), r);
            }
        }

        fn all(&self) -> Vec<Record> {
            self.records.lock().unwrap().values().cloned().collect()
        }
    }

    #[async_trait]
    impl ExportStore for Memory {
        fn backend(&self) -> &'static str {
            "memory"
        }

        async fn export(
            &self,
            kind: RecordKind,
            after: Option<&str>,
            limit: u32,
        ) -> StoreResult<Vec<Record>> {
            Ok(self
                .records
                .lock()
                .unwrap()
                .iter()
                .filter(|((k, id), _)| *k == kind.as_str() && after.is_none_or(|a| id.as_str() > a))
                .take(limit as usize)
                .map(|(_, r)| r.clone())
                .collect())
        }

        async fn count(&self, kind: RecordKind) -> StoreResult<u64> {
            Ok(self.export(kind, None, u32::MAX).await?.len() as u64)
        }
    }

    #[async_trait]
    impl ImportStore for Memory {
        async fn import(&self, records: &[Record]) -> StoreResult<()> {
            self.put(records.to_vec());
            Ok(())
        }

        async fn transfer_progress(&self) -> StoreResult<Option<TransferProgress>> {
            Ok(self.progress.lock().unwrap().clone())
        }

        async fn save_transfer_progress(&self, progress: &TransferProgress) -> StoreResult<()> {
            *self.progress.lock().unwrap() = Some(progress.clone());
            Ok(())
        }
    }

    fn category(n: usize) -> Record {
        let category: Category = serde_json::from_value(serde_json::json!({
            "id": Id::generate().as_str(),
            "name": format!("Category {n}"),
            "isActive": true,
            "displayOrder": n,
            "createdAt": "2025-05-01T12:00:00.000000Z",
            "updatedAt": "2025-05-01T12:00:00.000000Z",
        }))
        .unwrap();
        Record::Category(category)
    }

    fn payment_event(n: usize) -> Record {
        Record::PaymentEvent(PaymentEventRecord {
            id: format!("evt_{n:03}"),
            received_at: Utc::now(),
        })
    }

    /// Seven categories, three payment events and the opening hours: with batches of two,
    /// four batches of one kind, two of another and one of the last.
    fn shop() -> Memory {
        let mut records: Vec<Record> = (0..7).map(category).collect();
        records.extend((0..3).map(payment_event));
        records.push(Record::OpeningHours(
            crate::domain::OpeningHours::new(Default::default(), vec![]).unwrap(),
        ));
        Memory::with(records)
    }

    fn options(batch_size: u32) -> Options {
        Options {
            batch_size,
            ..Options::new("sqlite:/srv/bakery.db")
        }
    }

    #[tokio::test]
    async fn copies_everything_verifies_it_and_then_refuses_to_run_again() {
        let source = shop();
        let target = Memory::default();
        let outcome = migrate(&source, &target, &options(2), Utc::now)
            .await
            .unwrap();
        let Outcome::Finished(report) = outcome else {
            panic!("{outcome:?}");
        };
        assert_eq!(report.batches, 7);
        assert_eq!(report.summary.kinds["categories"].count, 7);
        assert_eq!(report.summary.kinds["paymentEvents"].count, 3);
        assert_eq!(report.summary.kinds["shopSettings"].count, 1);
        assert_eq!(target.all(), source.all());
        assert!(target.progress.lock().unwrap().as_ref().unwrap().finished);

        let again = migrate(&source, &target, &options(2), Utc::now).await;
        assert!(
            matches!(again, Err(MigrateError::TargetNotEmpty(_))),
            "{again:?}"
        );
        let forced = Options {
            force: true,
            ..options(2)
        };
        let outcome = migrate(&source, &target, &forced, Utc::now).await.unwrap();
        assert!(matches!(outcome, Outcome::Finished(_)));
    }

    #[tokio::test]
    async fn a_paused_run_resumes_where_it_stopped() {
        let source = shop();
        let target = Memory::default();
        let limited = Options {
            max_batches: Some(3),
            ..options(2)
        };
        let outcome = migrate(&source, &target, &limited, Utc::now).await.unwrap();
        assert_eq!(
            outcome,
            Outcome::Paused {
                batches: 3,
                next: Some(RecordKind::Categories)
            }
        );
        assert_eq!(target.all().len(), 6, "three batches of two");
        let outcome = migrate(&source, &target, &limited, Utc::now).await.unwrap();
        assert!(
            matches!(outcome, Outcome::Paused { batches: 3, .. }),
            "{outcome:?}"
        );
        let Outcome::Finished(report) = migrate(&source, &target, &options(2), Utc::now)
            .await
            .unwrap()
        else {
            panic!("finishes");
        };
        assert_eq!(report.batches, 7, "no batch copied twice");
        assert_eq!(target.all(), source.all());
        assert_eq!(
            report.summary,
            summarize(&source, 100).await.unwrap(),
            "the same as one run"
        );
    }

    #[tokio::test]
    async fn a_target_with_data_is_refused_and_a_forced_copy_over_it_is_checked() {
        let source = shop();
        let target = Memory::with(vec![category(99)]);
        let refused = migrate(&source, &target, &options(2), Utc::now).await;
        let Err(MigrateError::TargetNotEmpty(why)) = refused else {
            panic!("{refused:?}");
        };
        assert!(why.contains("1 categories"), "{why}");
        assert!(target.progress.lock().unwrap().is_none(), "nothing written");

        let forced = Options {
            force: true,
            ..options(2)
        };
        let mismatch = migrate(&source, &target, &forced, Utc::now).await;
        let Err(MigrateError::Mismatch(differences)) = mismatch else {
            panic!("{mismatch:?}");
        };
        assert_eq!(
            differences[0],
            "categories: 7 in the source, 8 in the target"
        );
    }

    #[tokio::test]
    async fn another_sources_unfinished_migration_is_not_resumed() {
        let source = shop();
        let target = Memory::default();
        let limited = Options {
            max_batches: Some(1),
            ..options(2)
        };
        migrate(&source, &target, &limited, Utc::now).await.unwrap();
        let other = Options::new("sqlite:/elsewhere.db");
        let refused = migrate(&source, &target, &other, Utc::now).await;
        assert!(
            matches!(refused, Err(MigrateError::TargetNotEmpty(_))),
            "{refused:?}"
        );
    }

    #[tokio::test]
    async fn bad_options_are_refused() {
        let (source, target) = (shop(), Memory::default());
        for bad in [
            options(0),
            options(MAX_BATCH_SIZE + 1),
            Options {
                max_batches: Some(0),
                ..options(2)
            },
        ] {
            let refused = migrate(&source, &target, &bad, Utc::now).await;
            assert!(
                matches!(refused, Err(MigrateError::Invalid(_))),
                "{refused:?}"
            );
        }
    }
}

//! The embedded store: one SQLite file, each aggregate a table of JSON documents.
//!
//! A row is `id` plus `doc`, the domain struct as serde writes it, so there is one mapping to
//! maintain and the data has the same shape as in MongoDB. Generated columns expose the
//! fields that are filtered, sorted or unique, so SQLite indexes them while the document
//! stays the only copy (see `migrations/sqlite`).
//!
//! Counters (stock, units sold, redemptions, OTP attempts, token use) change through
//! `json_set` in conditional UPDATEs whose row count is checked, so the rule and the write are
//! one statement. Writes that touch several rows run in `BEGIN IMMEDIATE` transactions: a
//! deferred transaction that reads and then writes fails with SQLITE_BUSY under contention
//! instead of waiting out the busy timeout.

mod accounts;
mod auth_secrets;
mod catalog;
mod codec;
mod idempotency;
mod notifications;
mod orders;
mod outbox;
mod payment_events;
mod promotions;
mod reviews;
mod shop;
mod table;
#[cfg(test)]
mod tests;
mod transfer;
mod uploads;

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use self::codec::internal;
use crate::error::Error;
use crate::ports::{StoreHealth, StoreResult};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// SQLite writes one at a time whatever the pool size; a few connections let reads proceed
/// beside a write (WAL) without holding many file handles.
const POOL_SIZE: u32 = 4;

/// How long a writer waits for the lock before failing; far above any write here.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

type WriteTx = Transaction<'static, Sqlite>;

/// Every store port in one SQLite file (wire it with [`crate::ports::Store::from_adapter`]). Cloning is cheap and shares the pool.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating file and parent dirs) and migrates.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(Error::internal)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(POOL_SIZE)
            .connect_with(options)
            .await
            .map_err(internal)?;
        MIGRATOR.run(&pool).await.map_err(Error::internal)?;
        Ok(Self { pool })
    }

    async fn begin_write(&self) -> StoreResult<WriteTx> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(internal)
    }
}

/// Commits what succeeded and rolls back what failed, so no failure path leaves a partial
/// write (or an open transaction on a pooled connection) behind.
async fn finish<T>(tx: WriteTx, outcome: StoreResult<T>) -> StoreResult<T> {
    match outcome {
        Ok(value) => {
            tx.commit().await.map_err(internal)?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(error = %rollback, "rolling back a SQLite transaction failed");
            }
            Err(e)
        }
    }
}

#[async_trait]
impl StoreHealth for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(())
    }
}

//! The mapping between domain values and stored documents, and between driver errors and
//! domain errors.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite};

use crate::domain::time;
use crate::error::Error;
use crate::ports::{StoreResult, Unique};

pub(super) fn encode<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(Error::internal)
}

/// A document that no longer matches its struct is a bug or a bad migration, never the
/// client's fault.
pub(super) fn decode<T: DeserializeOwned>(doc: &str) -> StoreResult<T> {
    serde_json::from_str(doc).map_err(Error::internal)
}

pub(super) fn decode_opt<T: DeserializeOwned>(doc: Option<String>) -> StoreResult<Option<T>> {
    doc.as_deref().map(decode).transpose()
}

pub(super) fn decode_all<T: DeserializeOwned>(docs: Vec<String>) -> StoreResult<Vec<T>> {
    docs.iter().map(|doc| decode(doc)).collect()
}

/// Timestamps are stored as fixed-width strings, so bounds must be written the same way.
pub(super) fn ts(t: &DateTime<Utc>) -> String {
    time::format(t)
}

/// The SQL for document `new` with each of `kept` (serde field names) taken from the stored
/// `doc` instead: how an edit leaves alone what the store maintains, in one statement.
pub(super) fn keep_stored(new: &str, kept: &[&str]) -> String {
    let mut sql = format!("json_set({new}");
    for field in kept {
        sql.push_str(&format!(", '$.{field}', doc -> '$.{field}'"));
    }
    sql.push(')');
    sql
}

/// Counts and limits are `u32` in the domain; SQLite integers are `i64`.
pub(super) fn int(n: u32) -> i64 {
    i64::from(n)
}

/// The driver's text stays in the error's source, for the log only.
pub(super) fn internal(e: sqlx::Error) -> Error {
    Error::internal(e)
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Maps a unique-index violation to the conflict the contract names; anything else stays
/// internal.
pub(super) fn or_duplicate(unique: Unique) -> impl FnOnce(sqlx::Error) -> Error {
    move |e| {
        if is_unique_violation(&e) {
            unique.conflict()
        } else {
            internal(e)
        }
    }
}

/// Writes ` WHERE ` before the first condition and ` AND ` before each later one, so filters
/// with any subset of their parts read as plain SQL.
pub(super) struct Conditions<'q, 'a> {
    query: &'q mut QueryBuilder<'a, Sqlite>,
    started: bool,
}

impl<'q, 'a> Conditions<'q, 'a> {
    pub(super) fn new(query: &'q mut QueryBuilder<'a, Sqlite>) -> Self {
        Self {
            query,
            started: false,
        }
    }

    /// The builder, positioned for one more condition.
    pub(super) fn and(&mut self) -> &mut QueryBuilder<'a, Sqlite> {
        self.query
            .push(if self.started { " AND " } else { " WHERE " });
        self.started = true;
        self.query
    }
}

//! The mapping between domain values and stored documents, and between driver errors and
//! domain errors.
//!
//! A document is the domain struct as serde writes it (camelCase), except that `id` becomes
//! `_id` as a real ObjectId, so the collections look like any other MongoDB application's and
//! the `_id` index serves lookups by id. Reference fields stay hex strings.

use bson::{oid::ObjectId, Bson, Document};
use chrono::{DateTime, Utc};
use mongodb::error::{ErrorKind, WriteFailure};
use serde::{de::DeserializeOwned, Serialize};

use crate::domain::{time, Id};
use crate::error::Error;
use crate::ports::Unique;

/// Server code for a unique index violation.
const DUPLICATE_KEY: i32 = 11000;

pub(super) fn to_doc<T: Serialize>(value: &T) -> Result<Document, Error> {
    let mut fields = bson::to_document(value).map_err(Error::internal)?;
    let id = match fields.remove("id") {
        Some(Bson::String(hex)) => ObjectId::parse_str(&hex).map_err(Error::internal)?,
        _ => return Err(Error::internal("document has no string id")),
    };
    let mut doc = Document::new();
    doc.insert("_id", id);
    doc.extend(fields);
    Ok(doc)
}

/// Extra fields written for indexes or queries (`nameKey`, `effectivePrice`, `expireAt`) are
/// ignored here because the domain structs do not deny unknown fields.
pub(super) fn from_doc<T: DeserializeOwned>(mut doc: Document) -> Result<T, Error> {
    if let Some(Bson::ObjectId(id)) = doc.remove("_id") {
        doc.insert("id", id.to_hex());
    }
    bson::from_document(doc).map_err(Error::internal)
}

/// A nested value (status change, courier, position) for `$set`/`$push`.
pub(super) fn to_value<T: Serialize>(value: &T) -> Result<Bson, Error> {
    bson::to_bson(value).map_err(Error::internal)
}

pub(super) fn oid(id: &Id) -> Result<ObjectId, Error> {
    ObjectId::parse_str(id.as_str()).map_err(Error::internal)
}

/// Timestamps are stored as fixed-width strings, so filters must compare with the same form.
pub(super) fn ts(t: &DateTime<Utc>) -> String {
    time::format(t)
}

/// Counts and limits are `u32` in the domain and Int64 in the documents (how bson writes
/// unsigned integers); filters and increments use the same width.
pub(super) fn int(n: u32) -> i64 {
    i64::from(n)
}

pub(super) fn internal(e: mongodb::error::Error) -> Error {
    Error::internal(e)
}

pub(super) fn is_duplicate_key(e: &mongodb::error::Error) -> bool {
    match e.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(w)) => w.code == DUPLICATE_KEY,
        ErrorKind::Command(c) => c.code == DUPLICATE_KEY,
        ErrorKind::InsertMany(m) => m
            .write_errors
            .iter()
            .flatten()
            .any(|w| w.code == DUPLICATE_KEY),
        _ => false,
    }
}

/// Maps a unique-index violation to the conflict the contract names; anything else stays
/// internal, so driver text never reaches a client.
pub(super) fn or_duplicate(unique: Unique) -> impl FnOnce(mongodb::error::Error) -> Error {
    move |e| {
        if is_duplicate_key(&e) {
            unique.conflict()
        } else {
            internal(e)
        }
    }
}

/// `doc` without its `_id` and the `kept` fields, for a `$set` that leaves alone what the
/// store maintains.
pub(super) fn without_stored(mut doc: Document, kept: &[&str]) -> Document {
    doc.remove("_id");
    for field in kept {
        doc.remove(field);
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Category, Id};

    #[test]
    fn id_round_trips_through_object_id() {
        let now = time::truncate(Utc::now());
        let category = Category {
            id: Id::generate(),
            name: "Bread".into(),
            description: None,
            image: None,
            photos: Vec::new(),
            is_active: true,
            display_order: 1,
            created_at: now,
            updated_at: now,
        };
        let doc = to_doc(&category).unwrap();
        assert!(matches!(doc.get("_id"), Some(Bson::ObjectId(_))));
        assert!(doc.get("id").is_none());
        let back: Category = from_doc(doc).unwrap();
        assert_eq!(back, category);
    }
}

//! Idempotency keys: one document per (user, key), unique on the pair, dropped by a TTL index
//! on `expireAt` (a BSON date; expiry itself is decided on `expiresAt`, since TTL deletion
//! lags by up to a minute).
//!
//! A claim is one conditional upsert: its filter matches the pair only when the document
//! there is dead (expired, or running past its lease), so it either takes a dead document
//! over, or inserts a new one, or, when a live document holds the key, fails on the unique
//! index. Only then is the live document read to decide. Of concurrent claims on a free key
//! one inserts and the others hit the index.

use async_trait::async_trait;
use bson::{doc, Bson, Document};
use chrono::{DateTime, Utc};

use super::docs::{internal, is_duplicate_key, ts};
use super::{coll, MongoStore};
use crate::domain::{Id, IdempotencyKey, RequestFingerprint};
use crate::error::Error;
use crate::ports::{
    Begin, IdempotencyClaim, IdempotencyRecord, IdempotencyStore, RecordState, StoreResult,
    StoredResponse,
};

/// Claims that keep finding the key freed or expired between their two steps give up
/// after this many rounds and report the key as busy: the client retries later.
const ROUNDS: usize = 4;

fn parse_ts(raw: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(Error::internal)
}

fn record(doc: &Document) -> StoreResult<IdempotencyRecord> {
    let text = |field: &str| doc.get_str(field).map_err(Error::internal);
    let state = match (doc.get("status"), doc.get("leaseUntil")) {
        (Some(status), _) => {
            let status = match status {
                Bson::Int32(n) => i64::from(*n),
                Bson::Int64(n) => *n,
                other => return Err(Error::internal(format!("status is {other:?}"))),
            };
            RecordState::Done(StoredResponse {
                status: u16::try_from(status).map_err(Error::internal)?,
                body: text("body")?.to_owned(),
            })
        }
        (None, Some(_)) => RecordState::Running {
            lease_until: parse_ts(text("leaseUntil")?)?,
        },
        (None, None) => return Err(Error::internal("idempotency document has no state")),
    };
    Ok(IdempotencyRecord {
        fingerprint: RequestFingerprint::from_stored(text("fingerprint")?.to_owned()),
        state,
        expires_at: parse_ts(text("expiresAt")?)?,
    })
}

fn pair(user_id: &Id, key: &IdempotencyKey) -> Document {
    doc! { "userId": user_id.as_str(), "key": key.as_str() }
}

#[async_trait]
impl IdempotencyStore for MongoStore {
    async fn begin_request(&self, claim: &IdempotencyClaim) -> StoreResult<Begin> {
        let keys = self.collection(coll::IDEMPOTENCY_KEYS);
        let now = ts(&claim.now);
        let mut dead = pair(&claim.user_id, &claim.key);
        dead.insert(
            "$or",
            vec![
                doc! { "expiresAt": { "$lte": &now } },
                // Only running documents have a lease.
                doc! { "leaseUntil": { "$lte": &now } },
            ],
        );
        let start = doc! {
            "$set": {
                "fingerprint": claim.fingerprint.as_str(),
                "token": claim.token.as_str(),
                "leaseUntil": ts(&claim.lease_until),
                "expiresAt": ts(&claim.expires_at),
                "expireAt": bson::DateTime::from_chrono(claim.expires_at),
            },
            "$unset": { "status": "", "body": "" },
        };
        for _ in 0..ROUNDS {
            match keys
                .update_one(dead.clone(), start.clone())
                .upsert(true)
                .await
            {
                Ok(_) => return Ok(Begin::Started),
                Err(e) if is_duplicate_key(&e) => {}
                Err(e) => return Err(internal(e)),
            }
            let live = keys
                .find_one(pair(&claim.user_id, &claim.key))
                .await
                .map_err(internal)?;
            // Gone (abandoned) or dead since the upsert: claim again.
            if let Some(decided) = live
                .as_ref()
                .map(record)
                .transpose()?
                .and_then(|r| r.decide(claim))
            {
                return Ok(decided);
            }
        }
        Ok(Begin::InFlight)
    }

    async fn complete_request(
        &self,
        user_id: &Id,
        key: &IdempotencyKey,
        token: &Id,
        response: &StoredResponse,
    ) -> StoreResult<bool> {
        let mut filter = pair(user_id, key);
        filter.insert("token", token.as_str());
        filter.insert("status", doc! { "$exists": false });
        let done = self
            .collection(coll::IDEMPOTENCY_KEYS)
            .update_one(
                filter,
                doc! {
                    "$set": { "status": i32::from(response.status), "body": &response.body },
                    "$unset": { "leaseUntil": "" },
                },
            )
            .await
            .map_err(internal)?;
        Ok(done.matched_count == 1)
    }

    async fn abandon_request(
        &self,
        user_id: &Id,
        key: &IdempotencyKey,
        token: &Id,
    ) -> StoreResult<bool> {
        let mut filter = pair(user_id, key);
        filter.insert("token", token.as_str());
        filter.insert("status", doc! { "$exists": false });
        let gone = self
            .collection(coll::IDEMPOTENCY_KEYS)
            .delete_one(filter)
            .await
            .map_err(internal)?;
        Ok(gone.deleted_count == 1)
    }
}

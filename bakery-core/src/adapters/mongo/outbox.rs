//! The outbox collection: a claim is one `find_one_and_update` per message whose filter holds
//! the "still due" condition, so two workers never take the same message.

use std::time::Duration;

use async_trait::async_trait;
use bson::doc;
use chrono::{DateTime, Utc};
use mongodb::options::ReturnDocument;
use mongodb::ClientSession;

use super::docs::{from_doc, internal, oid, to_doc, ts};
use super::table::newest_first;
use super::tx::TxResult;
use super::{coll, MongoStore};
use crate::domain::{Effect, Id, OutboxMessage, OutboxState, PageRequest};
use crate::error::Error;
use crate::ports::{apply_outcome, AttemptOutcome, OutboxStore, StoreResult};

/// The inbox entries `messages` announce.
fn notifications(messages: &[OutboxMessage]) -> Result<Vec<bson::Document>, Error> {
    messages
        .iter()
        .filter_map(|message| match &message.effect {
            Effect::Notify { notification, .. } => Some(to_doc(notification)),
            Effect::Refund { .. }
            | Effect::CancelIntent { .. }
            | Effect::DeletePictures { .. }
            | Effect::MakeVariants { .. } => None,
        })
        .collect()
}

impl MongoStore {
    /// Adds `messages` inside the caller's transaction, with the inbox entries they announce.
    pub(super) async fn enqueue_tx(
        &self,
        session: &mut ClientSession,
        messages: &[OutboxMessage],
    ) -> TxResult<()> {
        if messages.is_empty() {
            return Ok(());
        }
        let inbox = notifications(messages)?;
        if !inbox.is_empty() {
            self.collection(coll::NOTIFICATIONS)
                .insert_many(inbox)
                .session(&mut *session)
                .await?;
        }
        let docs = messages.iter().map(to_doc).collect::<Result<Vec<_>, _>>()?;
        self.collection(coll::OUTBOX)
            .insert_many(docs)
            .session(&mut *session)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl OutboxStore for MongoStore {
    async fn enqueue(&self, messages: &[OutboxMessage]) -> StoreResult<()> {
        self.transaction(|mut session| async move {
            let outcome = self.enqueue_tx(&mut session, messages).await;
            (session, outcome)
        })
        .await
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let lease_end = now + chrono::Duration::from_std(lease).map_err(Error::internal)?;
        let mut claimed = Vec::new();
        for _ in 0..limit {
            let doc = self
                .collection(coll::OUTBOX)
                .find_one_and_update(
                    doc! { "state": "pending", "nextAttemptAt": { "$lte": ts(&now) } },
                    doc! {
                        "$set": { "nextAttemptAt": ts(&lease_end), "updatedAt": ts(&now) },
                        "$inc": { "attempts": 1_i64 },
                    },
                )
                .sort(doc! { "nextAttemptAt": 1, "_id": 1 })
                .return_document(ReturnDocument::After)
                .await
                .map_err(internal)?;
            match doc {
                Some(doc) => claimed.push(from_doc(doc)?),
                None => break,
            }
        }
        Ok(claimed)
    }

    async fn finish_attempt(
        &self,
        id: &Id,
        outcome: &AttemptOutcome,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let Some(mut message) = self.get::<OutboxMessage>(coll::OUTBOX, id).await? else {
            return Ok(());
        };
        apply_outcome(&mut message, outcome, now);
        self.collection(coll::OUTBOX)
            .replace_one(doc! { "_id": oid(id)? }, to_doc(&message)?)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn list_outbox(
        &self,
        state: Option<OutboxState>,
        page: PageRequest,
    ) -> StoreResult<(Vec<OutboxMessage>, u64)> {
        let filter = match state {
            Some(state) => doc! { "state": state.as_str() },
            None => doc! {},
        };
        self.find_page(coll::OUTBOX, filter, newest_first(), page)
            .await
    }

    async fn retry_failed(
        &self,
        id: &Id,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<OutboxMessage>> {
        self.collection(coll::OUTBOX)
            .find_one_and_update(
                doc! { "_id": oid(id)?, "state": "failed" },
                doc! { "$set": {
                    "state": "pending",
                    "attempts": 0_i64,
                    "nextAttemptAt": ts(&now),
                    "updatedAt": ts(&now),
                } },
            )
            .return_document(ReturnDocument::After)
            .await
            .map_err(internal)?
            .map(from_doc)
            .transpose()
    }
}

//! One-time passwords (one live code per phone) and refresh-token families: spending either
//! is one conditional update, so exactly one concurrent caller wins.

use async_trait::async_trait;
use bson::{doc, Document};
use chrono::{DateTime, Utc};
use mongodb::options::ReturnDocument;
use mongodb::ClientSession;

use super::docs::{from_doc, internal, is_duplicate_key, oid, to_doc, ts};
use super::tx::{TxError, TxResult};
use super::{coll, MongoStore};
use crate::domain::{Id, OtpRecord, Phone, RefreshTokenRecord};
use crate::error::Error;
use crate::ports::{AuthSecretStore, RefreshOutcome, StoreResult};

/// The record plus `expireAt`, a BSON date for the TTL index: TTL indexes ignore strings.
pub(super) fn otp_doc(otp: &OtpRecord) -> Result<Document, Error> {
    let mut doc = to_doc(otp)?;
    doc.insert("expireAt", bson::DateTime::from_chrono(otp.expires_at));
    Ok(doc)
}

impl MongoStore {
    /// Delete-then-insert rather than an upsert: a replacement may not change `_id`, and each
    /// code keeps its own id so consuming an old code cannot consume its successor. Concurrent
    /// requests for one phone conflict and retry; the last to commit wins.
    pub(super) async fn put_otp_tx(
        &self,
        session: &mut ClientSession,
        otp: &OtpRecord,
    ) -> TxResult<()> {
        let otps = self.collection(coll::OTPS);
        otps.delete_one(doc! { "phone": otp.phone.as_str() })
            .session(&mut *session)
            .await?;
        match otps.insert_one(otp_doc(otp)?).session(&mut *session).await {
            Ok(_) => Ok(()),
            // Another request for this phone committed after our snapshot was taken.
            Err(e) if is_duplicate_key(&e) => Err(TxError::Raced(e)),
            Err(e) => Err(e.into()),
        }
    }
}

#[async_trait]
impl AuthSecretStore for MongoStore {
    async fn put_otp(&self, otp: &OtpRecord) -> StoreResult<()> {
        self.transaction(|mut session| async move {
            let outcome = self.put_otp_tx(&mut session, otp).await;
            (session, outcome)
        })
        .await
    }

    async fn attempt_otp(&self, phone: &Phone) -> StoreResult<Option<OtpRecord>> {
        self.collection(coll::OTPS)
            .find_one_and_update(
                doc! { "phone": phone.as_str() },
                doc! { "$inc": { "attempts": 1_i64 } },
            )
            .return_document(ReturnDocument::After)
            .await
            .map_err(internal)?
            .map(from_doc)
            .transpose()
    }

    async fn consume_otp(&self, otp: &Id) -> StoreResult<bool> {
        self.delete(coll::OTPS, doc! { "_id": oid(otp)? }).await
    }

    async fn insert_refresh_token(&self, token: &RefreshTokenRecord) -> StoreResult<()> {
        self.collection(coll::REFRESH_TOKENS)
            .insert_one(to_doc(token)?)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn use_refresh_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<RefreshOutcome> {
        let spent = self
            .collection(coll::REFRESH_TOKENS)
            .find_one_and_update(
                doc! { "tokenHash": token_hash, "usedAt": null, "revoked": false },
                doc! { "$set": { "usedAt": ts(&now) } },
            )
            .return_document(ReturnDocument::After)
            .await
            .map_err(internal)?;
        if let Some(spent) = spent {
            return Ok(RefreshOutcome::Rotated(from_doc(spent)?));
        }
        match self
            .find_one(coll::REFRESH_TOKENS, doc! { "tokenHash": token_hash })
            .await?
        {
            Some(replayed) => Ok(RefreshOutcome::Reused(replayed)),
            None => Ok(RefreshOutcome::Unknown),
        }
    }

    async fn revoke_token_family(&self, family: &Id) -> StoreResult<()> {
        self.collection(coll::REFRESH_TOKENS)
            .update_many(
                doc! { "familyId": family.as_str() },
                doc! { "$set": { "revoked": true } },
            )
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn session_is_live(&self, user: &Id, family: &Id) -> StoreResult<bool> {
        let live = self
            .collection(coll::REFRESH_TOKENS)
            .count_documents(doc! {
                "familyId": family.as_str(),
                "userId": user.as_str(),
                "revoked": false,
            })
            .limit(1)
            .await
            .map_err(internal)?;
        Ok(live > 0)
    }

    async fn revoke_user_tokens(&self, user: &Id) -> StoreResult<()> {
        self.collection(coll::REFRESH_TOKENS)
            .update_many(
                doc! { "userId": user.as_str() },
                doc! { "$set": { "revoked": true } },
            )
            .await
            .map_err(internal)?;
        Ok(())
    }
}

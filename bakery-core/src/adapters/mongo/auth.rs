//! One-time passwords: one live code per phone.

use bson::{doc, Document};
use mongodb::ClientSession;

use super::docs::{is_duplicate_key, to_doc};
use super::tx::{TxError, TxResult};
use super::{coll, MongoStore};
use crate::domain::OtpRecord;
use crate::error::Error;

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

//! Promotions: staff writes keep the redemption count that orders maintain.

use async_trait::async_trait;
use bson::doc;
use chrono::{DateTime, Utc};

use super::docs::{oid, or_duplicate, to_doc, ts, without_stored};
use super::table::newest_first;
use super::{coll, MongoStore};
use crate::domain::{Id, PageRequest, Promotion};
use crate::ports::{PromotionStore, StoreResult, Unique};

#[async_trait]
impl PromotionStore for MongoStore {
    async fn insert_promotion(&self, promotion: &Promotion) -> StoreResult<()> {
        self.collection(coll::PROMOTIONS)
            .insert_one(to_doc(promotion)?)
            .await
            .map_err(or_duplicate(Unique::PromotionCode))?;
        Ok(())
    }

    async fn get_promotion(&self, id: &Id) -> StoreResult<Option<Promotion>> {
        self.get(coll::PROMOTIONS, id).await
    }

    async fn find_promotion_by_code(&self, code: &str) -> StoreResult<Option<Promotion>> {
        self.find_one(coll::PROMOTIONS, doc! { "code": code }).await
    }

    async fn update_promotion(&self, promotion: &Promotion) -> StoreResult<bool> {
        let fields = without_stored(to_doc(promotion)?, Promotion::STORE_MAINTAINED);
        let updated = self
            .collection(coll::PROMOTIONS)
            .update_one(doc! { "_id": oid(&promotion.id)? }, doc! { "$set": fields })
            .await
            .map_err(or_duplicate(Unique::PromotionCode))?;
        Ok(updated.matched_count == 1)
    }

    async fn delete_promotion(&self, id: &Id) -> StoreResult<bool> {
        self.delete(coll::PROMOTIONS, doc! { "_id": oid(id)? })
            .await
    }

    async fn list_promotions(
        &self,
        active_at: Option<DateTime<Utc>>,
        page: PageRequest,
    ) -> StoreResult<(Vec<Promotion>, u64)> {
        let filter = match active_at {
            Some(t) => doc! {
                "isActive": true,
                "startDate": { "$lte": ts(&t) },
                "endDate": { "$gt": ts(&t) },
            },
            None => doc! {},
        };
        self.find_page(coll::PROMOTIONS, filter, newest_first(), page)
            .await
    }
}

//! Promotions: staff writes keep the redemption count that orders maintain.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::{decode_opt, encode, internal, keep_stored, or_duplicate, ts};
use super::table::NEWEST_FIRST;
use super::SqliteStore;
use crate::domain::{Id, PageRequest, Promotion};
use crate::ports::{PromotionStore, StoreResult, Unique};

#[async_trait]
impl PromotionStore for SqliteStore {
    async fn insert_promotion(&self, promotion: &Promotion) -> StoreResult<()> {
        self.insert("promotions", &promotion.id, encode(promotion)?)
            .await
            .map_err(or_duplicate(Unique::PromotionCode))?;
        Ok(())
    }

    async fn get_promotion(&self, id: &Id) -> StoreResult<Option<Promotion>> {
        self.get("promotions", id).await
    }

    async fn find_promotion_by_code(&self, code: &str) -> StoreResult<Option<Promotion>> {
        let doc: Option<String> = sqlx::query_scalar("SELECT doc FROM promotions WHERE code = ?1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal)?;
        decode_opt(doc)
    }

    async fn update_promotion(&self, promotion: &Promotion) -> StoreResult<bool> {
        let updated = sqlx::query(&format!(
            "UPDATE promotions SET doc = {} WHERE id = ?2",
            keep_stored("?1", Promotion::STORE_MAINTAINED)
        ))
        .bind(encode(promotion)?)
        .bind(promotion.id.as_str())
        .execute(&self.pool)
        .await
        .map_err(or_duplicate(Unique::PromotionCode))?;
        Ok(updated.rows_affected() == 1)
    }

    async fn delete_promotion(&self, id: &Id) -> StoreResult<bool> {
        self.delete("promotions", id).await
    }

    async fn list_promotions(
        &self,
        active_at: Option<DateTime<Utc>>,
        page: PageRequest,
    ) -> StoreResult<(Vec<Promotion>, u64)> {
        let at = active_at.as_ref().map(ts);
        self.fetch_page(
            "promotions",
            |query| {
                if let Some(at) = &at {
                    query
                        .push(" WHERE is_active = 1 AND start_date <= ")
                        .push_bind(at.as_str())
                        .push(" AND end_date > ")
                        .push_bind(at.as_str());
                }
            },
            NEWEST_FIRST,
            page,
        )
        .await
    }
}

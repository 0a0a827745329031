//! Promotion codes. Their redemption count moves with orders ([`super::OrderStore`]), never
//! through these methods.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::{Id, PageRequest, Promotion};

#[async_trait]
pub trait PromotionStore: Send + Sync {
    /// `DUPLICATE_CODE` when the code is taken.
    async fn insert_promotion(&self, promotion: &Promotion) -> StoreResult<()>;
    async fn get_promotion(&self, id: &Id) -> StoreResult<Option<Promotion>>;
    async fn find_promotion_by_code(&self, code: &str) -> StoreResult<Option<Promotion>>;
    /// Writes the promotion, keeping [`Promotion::STORE_MAINTAINED`] as stored.
    async fn update_promotion(&self, promotion: &Promotion) -> StoreResult<bool>;
    async fn delete_promotion(&self, id: &Id) -> StoreResult<bool>;
    /// `active_at: Some(t)` keeps active promotions with `startDate <= t < endDate`. Newest first.
    async fn list_promotions(
        &self,
        active_at: Option<DateTime<Utc>>,
        page: PageRequest,
    ) -> StoreResult<(Vec<Promotion>, u64)>;
}

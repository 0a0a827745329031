//! Verified-purchase reviews. Each write also recomputes the product's rating aggregate
//! ([`crate::domain::Ratings::from_totals`]) in the same transaction.

use async_trait::async_trait;

use super::StoreResult;
use crate::domain::{Id, PageRequest, Review};

#[async_trait]
pub trait ReviewStore: Send + Sync {
    /// `DUPLICATE_REVIEW` when the user already reviewed the product.
    async fn insert_review(&self, review: &Review) -> StoreResult<()>;
    async fn get_review(&self, id: &Id) -> StoreResult<Option<Review>>;
    /// Writes the review, keeping [`Review::STORE_MAINTAINED`] as stored.
    async fn update_review(&self, review: &Review) -> StoreResult<bool>;
    async fn delete_review(&self, id: &Id) -> StoreResult<bool>;
    /// Newest first.
    async fn list_reviews(
        &self,
        product: &Id,
        page: PageRequest,
    ) -> StoreResult<(Vec<Review>, u64)>;
}

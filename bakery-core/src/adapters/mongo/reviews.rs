//! Review writes, each recomputing the product's rating aggregate in the same transaction.
//!
//! The aggregate is recomputed from the reviews rather than adjusted by a delta, so it cannot
//! drift. Concurrent review writes for one product all update the product document, so they
//! conflict and the loser retries with the winner's review in view.

use bson::{doc, Bson};
use mongodb::ClientSession;

use super::docs::{from_doc, is_duplicate_key, oid, to_doc, to_value, without_stored};
use super::table::newest_first;
use super::tx::TxResult;
use super::{coll, MongoStore};
use crate::domain::{Id, PageRequest, Ratings, Review};
use crate::error::Error;
use crate::ports::{ReviewStore, StoreResult, Unique};
use async_trait::async_trait;

impl MongoStore {
    pub(super) async fn insert_review_tx(
        &self,
        session: &mut ClientSession,
        review: &Review,
    ) -> TxResult<()> {
        let inserted = self
            .collection(coll::REVIEWS)
            .insert_one(to_doc(review)?)
            .session(&mut *session)
            .await;
        match inserted {
            Ok(_) => {}
            Err(e) if is_duplicate_key(&e) => return Err(Unique::Review.conflict().into()),
            Err(e) => return Err(e.into()),
        }
        self.recompute_ratings(session, &review.product_id).await
    }

    /// The product and author stay as first written; a review cannot move.
    pub(super) async fn update_review_tx(
        &self,
        session: &mut ClientSession,
        review: &Review,
    ) -> TxResult<bool> {
        let fields = without_stored(to_doc(review)?, Review::STORE_MAINTAINED);
        let updated = self
            .collection(coll::REVIEWS)
            .find_one_and_update(doc! { "_id": oid(&review.id)? }, doc! { "$set": fields })
            .session(&mut *session)
            .await?;
        let Some(stored) = updated else {
            return Ok(false);
        };
        let stored: Review = from_doc(stored)?;
        self.recompute_ratings(session, &stored.product_id).await?;
        Ok(true)
    }

    pub(super) async fn delete_review_tx(
        &self,
        session: &mut ClientSession,
        id: &Id,
    ) -> TxResult<bool> {
        let deleted = self
            .collection(coll::REVIEWS)
            .find_one_and_delete(doc! { "_id": oid(id)? })
            .session(&mut *session)
            .await?;
        let Some(deleted) = deleted else {
            return Ok(false);
        };
        let deleted: Review = from_doc(deleted)?;
        self.recompute_ratings(session, &deleted.product_id).await?;
        Ok(true)
    }

    async fn recompute_ratings(&self, session: &mut ClientSession, product: &Id) -> TxResult<()> {
        let mut cursor = self
            .collection(coll::REVIEWS)
            .find(doc! { "productId": product.as_str() })
            .projection(doc! { "_id": 0, "rating": 1 })
            .session(&mut *session)
            .await?;
        let (mut sum, mut count) = (0_i64, 0_i64);
        while let Some(review) = cursor.next(&mut *session).await {
            let rating = match review?.get("rating") {
                Some(Bson::Int32(r)) => i64::from(*r),
                Some(Bson::Int64(r)) => *r,
                _ => return Err(Error::internal("review without an integer rating").into()),
            };
            sum += rating;
            count += 1;
        }
        let ratings = Ratings::from_totals(
            u64::try_from(count).map_err(Error::internal)?,
            u64::try_from(sum).map_err(Error::internal)?,
        )?;
        self.collection(coll::PRODUCTS)
            .update_one(
                doc! { "_id": oid(product)? },
                doc! { "$set": { "ratings": to_value(&ratings)? } },
            )
            .session(&mut *session)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl ReviewStore for MongoStore {
    async fn insert_review(&self, review: &Review) -> StoreResult<()> {
        self.transaction(|mut session| async move {
            let outcome = self.insert_review_tx(&mut session, review).await;
            (session, outcome)
        })
        .await
    }

    async fn get_review(&self, id: &Id) -> StoreResult<Option<Review>> {
        self.get(coll::REVIEWS, id).await
    }

    async fn update_review(&self, review: &Review) -> StoreResult<bool> {
        self.transaction(|mut session| async move {
            let outcome = self.update_review_tx(&mut session, review).await;
            (session, outcome)
        })
        .await
    }

    async fn delete_review(&self, id: &Id) -> StoreResult<bool> {
        self.transaction(|mut session| async move {
            let outcome = self.delete_review_tx(&mut session, id).await;
            (session, outcome)
        })
        .await
    }

    async fn list_reviews(
        &self,
        product: &Id,
        page: PageRequest,
    ) -> StoreResult<(Vec<Review>, u64)> {
        let filter = doc! { "productId": product.as_str() };
        self.find_page(coll::REVIEWS, filter, newest_first(), page)
            .await
    }
}

//! Review writes, each recomputing the product's rating aggregate in the same transaction.
//!
//! The aggregate is recomputed from the reviews table rather than adjusted by a delta, so it
//! cannot drift, and the write transaction serializes concurrent reviews of one product.

use async_trait::async_trait;
use sqlx::SqliteConnection;

use super::codec::{encode, internal, keep_stored, or_duplicate};
use super::table::NEWEST_FIRST;
use super::{finish, SqliteStore};
use crate::domain::{Id, PageRequest, Ratings, Review};
use crate::error::Error;
use crate::ports::{ReviewStore, StoreResult, Unique};

pub(super) async fn insert_review(conn: &mut SqliteConnection, review: &Review) -> StoreResult<()> {
    sqlx::query("INSERT INTO reviews (id, doc) VALUES (?1, ?2)")
        .bind(review.id.as_str())
        .bind(encode(review)?)
        .execute(&mut *conn)
        .await
        .map_err(or_duplicate(Unique::Review))?;
    recompute_ratings(conn, &review.product_id).await
}

/// The product, author and creation time stay as first written: a review cannot move.
pub(super) async fn update_review(
    conn: &mut SqliteConnection,
    review: &Review,
) -> StoreResult<bool> {
    let product: Option<String> = sqlx::query_scalar(&format!(
        "UPDATE reviews SET doc = {} WHERE id = ?2 RETURNING product_id",
        keep_stored("?1", Review::STORE_MAINTAINED)
    ))
    .bind(encode(review)?)
    .bind(review.id.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(internal)?;
    match product {
        Some(product) => {
            recompute_ratings(conn, &stored_id(product)?).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

pub(super) async fn delete_review(conn: &mut SqliteConnection, id: &Id) -> StoreResult<bool> {
    let product: Option<String> =
        sqlx::query_scalar("DELETE FROM reviews WHERE id = ?1 RETURNING product_id")
            .bind(id.as_str())
            .fetch_optional(&mut *conn)
            .await
            .map_err(internal)?;
    match product {
        Some(product) => {
            recompute_ratings(conn, &stored_id(product)?).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// An id read back from a document; a malformed one is the store's fault, not the client's.
fn stored_id(raw: String) -> StoreResult<Id> {
    Id::try_from(raw).map_err(Error::internal)
}

async fn recompute_ratings(conn: &mut SqliteConnection, product: &Id) -> StoreResult<()> {
    let (count, sum): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(rating), 0) FROM reviews WHERE product_id = ?1",
    )
    .bind(product.as_str())
    .fetch_one(&mut *conn)
    .await
    .map_err(internal)?;
    let ratings = Ratings::from_totals(
        u64::try_from(count).map_err(Error::internal)?,
        u64::try_from(sum).map_err(Error::internal)?,
    )?;
    sqlx::query("UPDATE products SET doc = json_set(doc, '$.ratings', json(?1)) WHERE id = ?2")
        .bind(encode(&ratings)?)
        .bind(product.as_str())
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    Ok(())
}

#[async_trait]
impl ReviewStore for SqliteStore {
    async fn insert_review(&self, review: &Review) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let outcome = insert_review(&mut tx, review).await;
        finish(tx, outcome).await
    }

    async fn get_review(&self, id: &Id) -> StoreResult<Option<Review>> {
        self.get("reviews", id).await
    }

    async fn update_review(&self, review: &Review) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let outcome = update_review(&mut tx, review).await;
        finish(tx, outcome).await
    }

    async fn delete_review(&self, id: &Id) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let outcome = delete_review(&mut tx, id).await;
        finish(tx, outcome).await
    }

    async fn list_reviews(
        &self,
        product: &Id,
        page: PageRequest,
    ) -> StoreResult<(Vec<Review>, u64)> {
        self.fetch_page(
            "reviews",
            |query| {
                query
                    .push(" WHERE product_id = ")
                    .push_bind(product.as_str());
            },
            NEWEST_FIRST,
            page,
        )
        .await
    }
}

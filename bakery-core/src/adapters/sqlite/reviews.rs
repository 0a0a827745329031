//! Review writes, each recomputing the product's rating aggregate in the same transaction.
//!
//! The aggregate is recomputed from the reviews table rather than adjusted by a delta, so it
//! cannot drift, and the write transaction serializes concurrent reviews of one product.

use sqlx::SqliteConnection;

use super::codec::{encode, internal, or_duplicate};
use crate::adapters::Unique;
use crate::domain::{Id, Ratings, Review};
use crate::error::Error;
use crate::ports::StoreResult;

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
    let product: Option<String> = sqlx::query_scalar(
        "UPDATE reviews
         SET doc = json_set(?1, '$.productId', doc -> '$.productId', '$.userId', doc -> '$.userId',
                            '$.createdAt', doc -> '$.createdAt')
         WHERE id = ?2
         RETURNING product_id",
    )
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

/// Summed as integers and divided once in Rust: the average is exact up to one rounding, and
/// it is written as serde prints it (SQLite would print a real with 15 digits).
async fn recompute_ratings(conn: &mut SqliteConnection, product: &Id) -> StoreResult<()> {
    let (count, sum): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(rating), 0) FROM reviews WHERE product_id = ?1",
    )
    .bind(product.as_str())
    .fetch_one(&mut *conn)
    .await
    .map_err(internal)?;
    let ratings = Ratings {
        average: if count == 0 {
            0.0
        } else {
            sum as f64 / count as f64
        },
        count: u32::try_from(count).map_err(Error::internal)?,
    };
    sqlx::query("UPDATE products SET doc = json_set(doc, '$.ratings', json(?1)) WHERE id = ?2")
        .bind(encode(&ratings)?)
        .bind(product.as_str())
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    Ok(())
}

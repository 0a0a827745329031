//! Verified-purchase reviews.

use bakery_core::domain::Rating;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::dto::common::{Created, NoContent, Page};
use crate::dto::params::{page, PageNumber, PageSize, PathId};
use crate::dto::review::{Review, ReviewInput};
use crate::error::ApiError;
use crate::state::AppState;

pub struct ReviewsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Reviews")]
impl ReviewsApi {
    /// A product's reviews, newest first
    ///
    /// A product's published reviews, newest first, with the reviewer's name and pictures. Public.
    #[oai(
        path = "/products/:id/reviews",
        method = "get",
        operation_id = "list_product_reviews"
    )]
    async fn list_reviews(
        &self,
        state: Data<&AppState>,
        /// The product id.
        id: PathId,
        /// Page number, from 1.
        page: PageNumber,
        /// Items per page, 1..=100 (default 20).
        limit: PageSize,
    ) -> Result<Json<Page<Review>>, ApiError> {
        let reviews = state.bakery.reviews(&id, self::page(page, limit)?).await?;
        Ok(Json(Page::from_domain(reviews)))
    }

    /// Review a product you received (once per product)
    ///
    /// Rates (1 to 5) and comments a product the customer has received in a delivered order; one
    /// review per product and customer (409 `DUPLICATE_REVIEW`, or `NOT_PURCHASED` without a
    /// delivered order). Updates the product's rating at once.
    #[oai(
        path = "/products/:id/reviews",
        method = "post",
        operation_id = "create_review"
    )]
    async fn create_review(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The product id.
        id: PathId,
        body: Json<ReviewInput>,
    ) -> Result<Created<Review>, ApiError> {
        let rating = Rating::parse(i64::from(body.rating))?;
        let review = state
            .bakery
            .create_review(&auth.0, &id, rating, body.comment.as_deref())
            .await?;
        Ok(Created::Created(Json(review.into())))
    }

    /// Edit your review
    ///
    /// Changes the rating or comment of the caller's own review; the product's rating follows.
    #[oai(path = "/reviews/:id", method = "put", operation_id = "update_review")]
    async fn update_review(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The review id.
        id: PathId,
        body: Json<ReviewInput>,
    ) -> Result<Json<Review>, ApiError> {
        let rating = Rating::parse(i64::from(body.rating))?;
        let review = state
            .bakery
            .update_review(&auth.0, &id, rating, body.comment.as_deref())
            .await?;
        Ok(Json(review.into()))
    }

    /// Delete your review (staff may delete any)
    ///
    /// Deletes a review (its pictures too). Customers may delete only their own; staff may delete
    /// any.
    #[oai(
        path = "/reviews/:id",
        method = "delete",
        operation_id = "delete_review"
    )]
    async fn delete_review(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The review id.
        id: PathId,
    ) -> Result<NoContent, ApiError> {
        state.bakery.delete_review(&auth.0, &id).await?;
        Ok(NoContent::NoContent)
    }
}

//! The customer's favorite products.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::dto::catalog::Product;
use crate::dto::common::{id, page, NoContent, Page};
use crate::error::ApiError;
use crate::state::AppState;

pub struct FavoritesApi;

#[OpenApi(prefix_path = "/api/v1/favorites", tag = "ApiTags::Favorites")]
impl FavoritesApi {
    /// Favorite products, in the order they were added (at most 500)
    #[oai(path = "/", method = "get", operation_id = "list_favorites")]
    async fn list_favorites(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<u32>>,
        /// Items per page, 1..=100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<Page<Product>>, ApiError> {
        let products = state
            .bakery
            .favorites(&auth.0, self::page(page.0, limit.0)?)
            .await?;
        Ok(Json(Page::from_domain(products)))
    }

    /// Add a product to favorites (adding twice is fine)
    #[oai(path = "/:productId", method = "post", operation_id = "add_favorite")]
    async fn add_favorite(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The product id.
        #[oai(name = "productId", validator(pattern = "^[0-9a-fA-F]{24}$"))]
        product_id: Path<String>,
    ) -> Result<NoContent, ApiError> {
        state
            .bakery
            .add_favorite(&auth.0, &id("productId", &product_id)?)
            .await?;
        Ok(NoContent::NoContent)
    }

    /// Remove a product from favorites
    #[oai(
        path = "/:productId",
        method = "delete",
        operation_id = "remove_favorite"
    )]
    async fn remove_favorite(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The product id.
        #[oai(name = "productId", validator(pattern = "^[0-9a-fA-F]{24}$"))]
        product_id: Path<String>,
    ) -> Result<NoContent, ApiError> {
        state
            .bakery
            .remove_favorite(&auth.0, &id("productId", &product_id)?)
            .await?;
        Ok(NoContent::NoContent)
    }
}

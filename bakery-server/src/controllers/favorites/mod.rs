//! The customer's favorite products.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::dto::catalog::Product;
use crate::dto::common::{NoContent, Page};
use crate::dto::params::{page, PageNumber, PageSize, PathId};
use crate::error::ApiError;
use crate::state::AppState;

pub struct FavoritesApi;

#[OpenApi(prefix_path = "/api/v1/favorites", tag = "ApiTags::Favorites")]
impl FavoritesApi {
    /// Favorite products, in the order they were added (at most 500)
    ///
    /// The signed-in customer's favorite products as full product objects, oldest first.
    #[oai(path = "/", method = "get", operation_id = "list_favorites")]
    async fn list_favorites(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        page: PageNumber,
        /// Items per page, 1..=100 (default 20).
        limit: PageSize,
    ) -> Result<Json<Page<Product>>, ApiError> {
        let products = state
            .bakery
            .favorites(&auth.0, self::page(page, limit)?)
            .await?;
        Ok(Json(Page::from_domain(products)))
    }

    /// Add a product to favorites (adding twice is fine)
    ///
    /// Marks a product as a favorite. Idempotent: adding it again changes nothing. 404 when the
    /// product does not exist.
    #[oai(path = "/:productId", method = "post", operation_id = "add_favorite")]
    async fn add_favorite(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The product id.
        #[oai(name = "productId")]
        product_id: PathId,
    ) -> Result<NoContent, ApiError> {
        state.bakery.add_favorite(&auth.0, &product_id).await?;
        Ok(NoContent::NoContent)
    }

    /// Remove a product from favorites
    ///
    /// Unmarks a favorite. Removing one that is not a favorite is not an error.
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
        #[oai(name = "productId")]
        product_id: PathId,
    ) -> Result<NoContent, ApiError> {
        state.bakery.remove_favorite(&auth.0, &product_id).await?;
        Ok(NoContent::NoContent)
    }
}

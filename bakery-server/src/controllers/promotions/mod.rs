//! Running promotions and priced quotes.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::dto::common::Page;
use crate::dto::order::cart;
use crate::dto::params::{page, PageNumber, PageSize};
use crate::dto::promotion::{ApplyPromotionRequest, Promotion, Quote};
use crate::error::ApiError;
use crate::state::AppState;

pub struct PromotionsApi;

#[OpenApi(prefix_path = "/api/v1/promotions", tag = "ApiTags::Promotions")]
impl PromotionsApi {
    /// Promotions running now
    ///
    /// Promotions that are active and within their dates now, for a promotions screen.
    #[oai(path = "/", method = "get", operation_id = "list_promotions")]
    async fn list_promotions(
        &self,
        state: Data<&AppState>,
        /// Page number, from 1.
        page: PageNumber,
        /// Items per page, 1..=100 (default 20).
        limit: PageSize,
    ) -> Result<Json<Page<Promotion>>, ApiError> {
        let promotions = state
            .bakery
            .active_promotions(self::page(page, limit)?)
            .await?;
        Ok(Json(Page::from_domain(promotions)))
    }

    /// Price a cart with a promotion code, without ordering
    ///
    /// Prices the given cart with a promotion code without placing an order: subtotal, discount,
    /// delivery fee, tax and total, or why the code does not apply (`PROMOTION_NOT_APPLICABLE`,
    /// `PROMOTION_USED_UP`). The same rules run again when the order is placed.
    #[oai(
        path = "/apply/:code",
        method = "post",
        operation_id = "apply_promotion"
    )]
    async fn apply_promotion(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The promotion code.
        #[oai(validator(pattern = "^[A-Za-z0-9_-]{1,32}$"))]
        code: Path<String>,
        body: Json<ApplyPromotionRequest>,
    ) -> Result<Json<Quote>, ApiError> {
        let items = cart(&body.items)?;
        let quote = state
            .bakery
            .preview_promotion(&auth.0, &code, &items)
            .await?;
        Ok(Json(quote.into()))
    }
}

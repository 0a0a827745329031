//! Running promotions and priced quotes.

use bakery_core::domain;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::dto::common::Page;
use crate::dto::order::{cart, DeliveryAddressInput};
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
    /// `fulfilment` is `delivery` when absent: without a `deliveryAddress` at the shop's flat
    /// fee, with one at its zone's (409 `OUTSIDE_DELIVERY_AREA` when in none); a `pickup` pays
    /// none. `POST /orders/quote` checks the whole order (minimum, time, opening hours).
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
        let address = body
            .delivery_address
            .as_ref()
            .map(DeliveryAddressInput::to_domain)
            .transpose()?;
        let fulfilment = body
            .fulfilment
            .map_or(domain::Fulfilment::Delivery, Into::into);
        let quote = state
            .bakery
            .preview_promotion(&auth.0, &code, &items, fulfilment, address.as_ref())
            .await?;
        Ok(Json(quote.into()))
    }
}

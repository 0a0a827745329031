//! Staff operations: the catalog, promotions and the order book.

use bakery_core::domain::{access, Id, Phone};
use bakery_core::services::StaffOrderQuery;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::dto::catalog::{Category, CategoryInput, Product, ProductInput};
use crate::dto::common::{Created, NoContent, Page};
use crate::dto::order::{
    CourierInput, DeliveryPersonInput, Fulfilment, Order, OrderStatus, StatusUpdate,
};
use crate::dto::outbox::{OutboxEntry, OutboxState};
use crate::dto::params::{page, PageNumber, PageSize, PathId};
use crate::dto::promotion::{Promotion, PromotionInput};
use crate::dto::shop::{OpeningHours, OpeningHoursInput};
use crate::dto::zones::{DeliveryArea, DeliveryAreaInput};
use crate::error::ApiError;
use crate::state::AppState;

pub struct AdminApi;

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Admin")]
impl AdminApi {
    /// Set the shop's opening hours
    ///
    /// Replaces the week and its exceptions (send the whole document), local times in the
    /// shop's time zone (`SHOP_TIMEZONE`). ASAP orders are refused with `SHOP_CLOSED` outside
    /// them, and scheduled ones for a time outside them. Ranges of a day may not overlap and
    /// end after they start (422 naming the range); each date appears once.
    #[oai(
        path = "/shop/hours",
        method = "put",
        operation_id = "admin_set_shop_hours"
    )]
    async fn set_shop_hours(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<OpeningHoursInput>,
    ) -> Result<Json<OpeningHours>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        let hours = body.0.to_domain()?;
        state.bakery.set_opening_hours(actor, hours.clone()).await?;
        Ok(Json(OpeningHours::new(
            state.bakery.timezone(),
            Some(&hours),
        )))
    }

    /// Set the shop's delivery zones
    ///
    /// Replaces the zones (send the whole set, in priority order). A zone needs postcodes, a
    /// `radiusMeters` around `shopLocation`, or both; names are unique. Deliveries to an
    /// address in no zone are then refused with `OUTSIDE_DELIVERY_AREA`; an empty list
    /// delivers anywhere at the flat fee again. Orders already placed keep their fee.
    #[oai(
        path = "/shop/zones",
        method = "put",
        operation_id = "admin_set_shop_zones"
    )]
    async fn set_shop_zones(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<DeliveryAreaInput>,
    ) -> Result<Json<DeliveryArea>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        let area = body.0.to_domain()?;
        state.bakery.set_delivery_area(actor, area.clone()).await?;
        Ok(Json(DeliveryArea::new(Some(&area))))
    }

    /// Create a product
    ///
    /// Adds a product to the catalog. Prices are in the minor unit; `stock` left out means
    /// unlimited. The catalog cache is invalidated at once.
    #[oai(
        path = "/products",
        method = "post",
        operation_id = "admin_create_product"
    )]
    async fn create_product(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<ProductInput>,
    ) -> Result<Created<Product>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        let product = state
            .bakery
            .create_product(actor, body.0.to_domain()?)
            .await?;
        Ok(Created::Created(Json(product.into())))
    }

    /// Replace a product's staff-editable fields
    ///
    /// Replaces all staff-editable fields of a product (send the whole object). Orders already
    /// placed keep the price they were placed at.
    #[oai(
        path = "/products/:id",
        method = "put",
        operation_id = "admin_update_product"
    )]
    async fn update_product(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The product id.
        id: PathId,
        body: Json<ProductInput>,
    ) -> Result<Json<Product>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        let product = state
            .bakery
            .update_product(actor, &id, body.0.to_domain()?)
            .await?;
        Ok(Json(product.into()))
    }

    /// Delete a product (past orders keep their copy)
    ///
    /// Removes a product from the catalog and deletes its pictures. Orders that contain it keep
    /// their own copy of its name and price.
    #[oai(
        path = "/products/:id",
        method = "delete",
        operation_id = "admin_delete_product"
    )]
    async fn delete_product(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The product id.
        id: PathId,
    ) -> Result<NoContent, ApiError> {
        let actor = auth.require(access::STAFF)?;
        state.bakery.delete_product(actor, &id).await?;
        Ok(NoContent::NoContent)
    }

    /// Create a category
    ///
    /// Adds a category. A name already in use is refused with 409 `DUPLICATE_NAME`.
    #[oai(
        path = "/categories",
        method = "post",
        operation_id = "admin_create_category"
    )]
    async fn create_category(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<CategoryInput>,
    ) -> Result<Created<Category>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        let category = state.bakery.create_category(actor, body.0.into()).await?;
        Ok(Created::Created(Json(category.into())))
    }

    /// Replace a category
    ///
    /// Replaces a category's name, description, display order and active flag.
    #[oai(
        path = "/categories/:id",
        method = "put",
        operation_id = "admin_update_category"
    )]
    async fn update_category(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The category id.
        id: PathId,
        body: Json<CategoryInput>,
    ) -> Result<Json<Category>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        let category = state
            .bakery
            .update_category(actor, &id, body.0.into())
            .await?;
        Ok(Json(category.into()))
    }

    /// Delete a category; refused with CATEGORY_IN_USE while products are filed under it
    ///
    /// Deletes an empty category and its picture. Move or delete its products first.
    #[oai(
        path = "/categories/:id",
        method = "delete",
        operation_id = "admin_delete_category"
    )]
    async fn delete_category(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The category id.
        id: PathId,
    ) -> Result<NoContent, ApiError> {
        let actor = auth.require(access::STAFF)?;
        state.bakery.delete_category(actor, &id).await?;
        Ok(NoContent::NoContent)
    }

    /// The order book, newest first
    ///
    /// Every order, newest first, filtered by status, by `fulfilment` (the counter lists the
    /// pickups) and by a creation-time window (`from`, `to`), paginated — the order book staff
    /// work from.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/orders", method = "get", operation_id = "admin_list_orders")]
    async fn list_orders(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only orders in these statuses.
        #[oai(default)]
        status: Query<Vec<OrderStatus>>,
        /// Only orders placed at or after this time.
        from: Query<Option<DateTime<Utc>>>,
        /// Only orders placed before this time.
        to: Query<Option<DateTime<Utc>>>,
        /// Only the orders of the customer with this phone.
        #[oai(validator(
            max_length = 32,
            pattern = r"^\s*(\+|00)[ ().-]*[1-9]([ ().-]*[0-9]){7,14}[ ().-]*\s*$"
        ))]
        phone: Query<Option<String>>,
        /// Only deliveries, or only pickups.
        fulfilment: Query<Option<Fulfilment>>,
        /// Page number, from 1.
        page: PageNumber,
        /// Items per page, 1..=100 (default 20).
        limit: PageSize,
    ) -> Result<Json<Page<Order>>, ApiError> {
        let actor = auth.require(access::ORDER_BOOK)?;
        let query = StaffOrderQuery {
            fulfilment: fulfilment.0.map(Into::into),
            statuses: status.0.into_iter().map(Into::into).collect(),
            created_from: from.0,
            created_to: to.0,
            customer_phone: phone.0.as_deref().map(Phone::parse).transpose()?,
        };
        let orders = state
            .bakery
            .staff_orders(actor, query, self::page(page, limit)?)
            .await?;
        Ok(Json(Page::from_domain(orders)))
    }

    /// Move an order one step along its status flow, or cancel it
    ///
    /// A delivery goes placed → preparing → out_for_delivery → delivered; a pickup goes placed →
    /// preparing → ready_for_pickup → picked_up. Advances an order one step, or cancels it while
    /// `placed` or `preparing` (which gives stock back and refunds a card payment). Skipping,
    /// going back, or a status of the other flow (`out_for_delivery` for a pickup,
    /// `ready_for_pickup` for a delivery) is refused with 409 `ILLEGAL_STATUS_CHANGE`; couriers
    /// move no pickup order. The customer is notified of each change.
    #[oai(
        path = "/orders/:id/status",
        method = "put",
        operation_id = "admin_update_order_status"
    )]
    async fn update_order_status(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The order id.
        id: PathId,
        body: Json<StatusUpdate>,
    ) -> Result<Json<Order>, ApiError> {
        let actor = auth.require(access::ORDER_BOOK)?;
        let order = state
            .bakery
            .advance_status(actor, &id, body.status.into())
            .await?;
        Ok(Json(order.into()))
    }

    /// Give an open order to a courier account
    ///
    /// `courierId` is the user id of an account with role `delivery` (422 otherwise); the
    /// name and phone the customer sees are that account's. The courier then sees the order
    /// in `GET /delivery/orders` and may move it along and report positions. A pickup order
    /// has no courier: 409 `NOT_A_DELIVERY`.
    #[oai(
        path = "/orders/:id/courier",
        method = "put",
        operation_id = "admin_assign_courier"
    )]
    async fn assign_courier(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The order id.
        id: PathId,
        body: Json<CourierInput>,
    ) -> Result<Json<Order>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        let courier = Id::parse("courierId", &body.courier_id)?;
        let order = state.bakery.assign_courier(actor, &id, &courier).await?;
        Ok(Json(order.into()))
    }

    /// Assign the courier of an open order by name and phone (deprecated)
    ///
    /// Deprecated: use `PUT /admin/orders/{id}/courier` with the courier's account. An order
    /// assigned here can be moved along by a courier only when their account's phone
    /// matches, and does not appear in `GET /delivery/orders`. A pickup order has no courier:
    /// 409 `NOT_A_DELIVERY`.
    #[oai(
        path = "/orders/:id/delivery-person",
        method = "put",
        operation_id = "admin_assign_delivery_person",
        deprecated
    )]
    async fn assign_delivery_person(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The order id.
        id: PathId,
        body: Json<DeliveryPersonInput>,
    ) -> Result<Json<Order>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        let phone = Phone::parse(&body.phone)?;
        let order = state
            .bakery
            .assign_delivery_person(actor, &id, &body.name, phone)
            .await?;
        Ok(Json(order.into()))
    }

    /// Every promotion, past and future
    ///
    /// All promotions, including expired, future and inactive ones, with their usage counts.
    #[oai(
        path = "/promotions",
        method = "get",
        operation_id = "admin_list_promotions"
    )]
    async fn list_promotions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        page: PageNumber,
        /// Items per page, 1..=100 (default 20).
        limit: PageSize,
    ) -> Result<Json<Page<Promotion>>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        let promotions = state
            .bakery
            .all_promotions(actor, self::page(page, limit)?)
            .await?;
        Ok(Json(Page::from_domain(promotions)))
    }

    /// Create a promotion
    ///
    /// Creates a promotion: percentage or fixed discount, optional code (unique: 409
    /// `DUPLICATE_CODE`), dates, minimum order, usage limit and the categories or products it
    /// applies to.
    #[oai(
        path = "/promotions",
        method = "post",
        operation_id = "admin_create_promotion"
    )]
    async fn create_promotion(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<PromotionInput>,
    ) -> Result<Created<Promotion>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        let promotion = state
            .bakery
            .create_promotion(actor, body.0.to_domain()?)
            .await?;
        Ok(Created::Created(Json(promotion.into())))
    }

    /// Replace a promotion
    ///
    /// Replaces a promotion's fields. Its usage count is kept.
    #[oai(
        path = "/promotions/:id",
        method = "put",
        operation_id = "admin_update_promotion"
    )]
    async fn update_promotion(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The promotion id.
        id: PathId,
        body: Json<PromotionInput>,
    ) -> Result<Json<Promotion>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        let promotion = state
            .bakery
            .update_promotion(actor, &id, body.0.to_domain()?)
            .await?;
        Ok(Json(promotion.into()))
    }

    /// Delete a promotion (orders that used it keep their discount)
    ///
    /// Deletes a promotion and its banner picture. Orders that used it keep their discount.
    #[oai(
        path = "/promotions/:id",
        method = "delete",
        operation_id = "admin_delete_promotion"
    )]
    async fn delete_promotion(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The promotion id.
        id: PathId,
    ) -> Result<NoContent, ApiError> {
        let actor = auth.require(access::STAFF)?;
        state.bakery.delete_promotion(actor, &id).await?;
        Ok(NoContent::NoContent)
    }

    /// The outbox: pushes and other outgoing effects, by state (`failed` ones need staff)
    ///
    /// The outbox of effects the shop owes the outside world (pushes, refunds, picture deletions),
    /// by state. `failed` ones have used up their retries and need a look.
    #[oai(path = "/outbox", method = "get", operation_id = "admin_list_outbox")]
    async fn list_outbox(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only messages in this state.
        #[oai(name = "state")]
        message_state: Query<Option<OutboxState>>,
        /// Page number, from 1.
        page: PageNumber,
        /// Items per page, 1..=100 (default 20).
        limit: PageSize,
    ) -> Result<Json<Page<OutboxEntry>>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        let messages = state
            .bakery
            .outbox(
                actor,
                message_state.0.map(Into::into),
                self::page(page, limit)?,
            )
            .await?;
        Ok(Json(Page::from_domain(messages)))
    }

    /// Put a failed outbox message back in line, due now
    ///
    /// Puts a failed outbox message back in line with a fresh set of attempts, due now. Only
    /// `failed` messages can be retried.
    #[oai(
        path = "/outbox/:id/retry",
        method = "post",
        operation_id = "admin_retry_outbox_message"
    )]
    async fn retry_outbox_message(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The message id.
        id: PathId,
    ) -> Result<Json<OutboxEntry>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        let message = state.bakery.retry_outbox_message(actor, &id).await?;
        Ok(Json(message.into()))
    }
}

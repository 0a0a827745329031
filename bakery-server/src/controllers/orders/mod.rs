//! A customer's orders: placing, listing, canceling, tracking; and the courier's position.

use bakery_core::domain::{access, GeoPoint};
use bakery_core::services::LocationReport;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{Object, OpenApi};

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::dto::checkout::{OrderQuote, QuoteOrderRequest};
use crate::dto::common::{Created, Page};
use crate::dto::order::{Order, OrderStatus, PlaceOrderRequest, Tracking};
use crate::dto::params::{page, PageNumber, PageSize, PathId};
use crate::error::ApiError;
use crate::idempotency::{fingerprint, idempotent, IdempotencyKeyHeader, Idempotent};
use crate::state::AppState;

pub struct OrdersApi;

/// Where the courier is now, in degrees (WGS 84).
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct LocationUpdate {
    /// -180..=180.
    #[oai(validator(minimum(value = "-180"), maximum(value = "180")))]
    pub longitude: f64,
    /// -90..=90.
    #[oai(validator(minimum(value = "-90"), maximum(value = "90")))]
    pub latitude: f64,
}

#[OpenApi(prefix_path = "/api/v1/orders", tag = "ApiTags::Orders")]
impl OrdersApi {
    /// Place an order at today's catalog prices
    ///
    /// Prices come from the catalog; stock and the promotion's use are taken atomically.
    /// Products with a daily quantity take from the bake of the order's day (today when ASAP,
    /// the scheduled day otherwise): 409 `SOLD_OUT_FOR_THE_DAY` names the line once it is
    /// sold out, with when it is next available.
    /// `fulfilment` is `delivery` (the default) with a `deliveryAddress`, or `pickup` at the
    /// counter without one (422 naming `deliveryAddress` otherwise); a pickup pays no delivery
    /// fee and its `estimatedDeliveryTime` is when it will be ready. A delivery pays its
    /// zone's fee; an address in no zone is 409 `OUTSIDE_DELIVERY_AREA`, a subtotal under the
    /// zone's minimum 409 `BELOW_MINIMUM_ORDER` (`POST /orders/quote` tells both first).
    /// Card payments answer 503 while no payment provider is configured.
    /// With an `Idempotency-Key`, a retry answers the first order instead of placing another.
    #[oai(path = "/", method = "post", operation_id = "place_order")]
    async fn place_order(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Makes retries safe: the same key with the same order answers the first order
        /// (`Idempotent-Replayed: true`) instead of placing another; kept 24 hours per user.
        /// Send a new random key (e.g. a UUID) per order.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: IdempotencyKeyHeader,
        body: Json<PlaceOrderRequest>,
    ) -> Idempotent<Created<Order>> {
        let fingerprint = fingerprint("place_order", None, body.0.to_json());
        let (bakery, actor) = (state.bakery.clone(), auth.0.clone());
        idempotent(
            &state.bakery,
            &auth.0,
            idempotency_key,
            fingerprint,
            async move {
                let request = body.0.to_domain()?;
                let order = bakery.place_order(&actor, request).await?;
                Ok(Created::Created(Json(order.into())))
            },
        )
        .await
    }

    /// What an order would cost and when it would come, without ordering
    ///
    /// The checkout screen's numbers for a cart as it would be placed: subtotal, discount,
    /// the delivery fee of the address's zone (`GET /shop/zones`), tax, total, the zone's
    /// minimum order (`shortOfMinimum` while the cart is under it) and the estimated time.
    /// `fulfilment` is `delivery` (the default, with a `deliveryAddress`) or `pickup`. It
    /// refuses what `POST /orders` would refuse, with the same codes (`OUTSIDE_DELIVERY_AREA`,
    /// `SHOP_CLOSED`, `PRODUCT_UNAVAILABLE`, a promotion that does not apply...), except a
    /// cart under the minimum, which it quotes. Stock is only taken, and checked, by the
    /// order itself.
    #[oai(path = "/quote", method = "post", operation_id = "quote_order")]
    async fn quote_order(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<QuoteOrderRequest>,
    ) -> Result<Json<OrderQuote>, ApiError> {
        let request = body.0.to_domain()?;
        let quote = state.bakery.quote_order(&auth.0, &request).await?;
        Ok(Json(quote.into()))
    }

    /// The signed-in customer's orders, newest first
    ///
    /// The signed-in customer's orders, newest first, paginated; each with its lines, totals,
    /// status history and payment state.
    #[oai(path = "/", method = "get", operation_id = "list_my_orders")]
    async fn list_orders(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only orders in these statuses.
        #[oai(default)]
        status: Query<Vec<OrderStatus>>,
        /// Page number, from 1.
        page: PageNumber,
        /// Items per page, 1..=100 (default 20).
        limit: PageSize,
    ) -> Result<Json<Page<Order>>, ApiError> {
        let statuses = status.0.into_iter().map(Into::into).collect();
        let orders = state
            .bakery
            .my_orders(&auth.0, statuses, self::page(page, limit)?)
            .await?;
        Ok(Json(Page::from_domain(orders)))
    }

    /// One order (customers see only their own)
    ///
    /// One order with its full detail. Another customer's order answers 404, exactly as a missing
    /// one.
    #[oai(path = "/:id", method = "get", operation_id = "get_order")]
    async fn get_order(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The order id.
        id: PathId,
    ) -> Result<Json<Order>, ApiError> {
        let order = state.bakery.order(&auth.0, &id).await?;
        Ok(Json(order.into()))
    }

    /// Cancel an order the kitchen has not started
    ///
    /// Cancels an order that is still `placed`: its stock and promotion use are given back and a
    /// paid card payment is refunded. 409 `ILLEGAL_STATUS_CHANGE` once the kitchen has started.
    /// Accepts `Idempotency-Key`.
    #[oai(path = "/:id/cancel", method = "post", operation_id = "cancel_order")]
    async fn cancel_order(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The order id.
        id: PathId,
        /// Makes retries safe: the same key answers the first cancel again
        /// (`Idempotent-Replayed: true`) rather than 409 for an order already canceled; kept
        /// 24 hours per user. Send a new random key (e.g. a UUID) per cancel.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: IdempotencyKeyHeader,
    ) -> Idempotent<Json<Order>> {
        let fingerprint = fingerprint("cancel_order", Some(&id), None);
        let (bakery, actor) = (state.bakery.clone(), auth.0.clone());
        idempotent(
            &state.bakery,
            &auth.0,
            idempotency_key,
            fingerprint,
            async move {
                let order = bakery.cancel_order(&actor, &id).await?;
                Ok(Json(order.into()))
            },
        )
        .await
    }

    /// Where an order is: status, history, ETA and the courier
    ///
    /// A snapshot of where an order is: status and its history, estimated delivery time, courier
    /// and their last position. For live updates open the tracking socket
    /// (`/orders/{id}/track/ws`), whose first message is this same snapshot.
    #[oai(path = "/:id/track", method = "get", operation_id = "track_order")]
    async fn track_order(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The order id.
        id: PathId,
    ) -> Result<Json<Tracking>, ApiError> {
        let tracking = state.bakery.track_order(&auth.0, &id).await?;
        Ok(Json(tracking.into()))
    }

    /// Report the courier's position on an order out for delivery
    ///
    /// For couriers (role `delivery`) and admins; customers get 403. The order must be out
    /// for delivery with a courier assigned (409 otherwise; `NOT_A_DELIVERY` for a pickup). Answers the tracking snapshot
    /// the customer now sees.
    #[oai(
        path = "/:id/location",
        method = "put",
        operation_id = "report_location"
    )]
    async fn report_location(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The order id.
        id: PathId,
        body: Json<LocationUpdate>,
    ) -> Result<Json<Tracking>, ApiError> {
        let actor = auth.require(access::ORDER_BOOK)?;
        let location = GeoPoint::parse(body.0.longitude, body.0.latitude)?;
        let tracking = state
            .bakery
            .report_location(actor, &id, LocationReport::at(location))
            .await?;
        Ok(Json(tracking.into()))
    }
}

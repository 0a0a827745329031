//! The courier's app: the orders assigned to them, picking up, delivering, and reporting
//! where they are. Only accounts with role `delivery`; each sees and touches only the
//! orders assigned to it (others are 404, as for anyone who may not see an order).

use bakery_core::domain::{GeoPoint, OrderStatus as DomainStatus, Role};
use bakery_core::services::LocationReport;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::dto::common::Page;
use crate::dto::order::{CourierLocation, Order, OrderStatus, Tracking};
use crate::dto::params::{page, PageNumber, PageSize, PathId};
use crate::error::ApiError;
use crate::state::AppState;

const COURIERS: &[Role] = &[Role::Delivery];

pub struct DeliveryApi;

#[OpenApi(prefix_path = "/api/v1/delivery", tag = "ApiTags::Delivery")]
impl DeliveryApi {
    /// The orders assigned to the signed-in courier, newest first
    ///
    /// The orders assigned to the signed-in courier, newest first; couriers see only these.
    #[oai(path = "/orders", method = "get", operation_id = "courier_list_orders")]
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
        let actor = auth.require(COURIERS)?;
        let statuses = status.0.into_iter().map(Into::into).collect();
        let orders = state
            .bakery
            .courier_orders(actor, statuses, self::page(page, limit)?)
            .await?;
        Ok(Json(Page::from_domain(orders)))
    }

    /// Report the courier's position on an order out for delivery
    ///
    /// At most one report per second per courier (429 with `Retry-After` beyond); the
    /// order must be out for delivery (409 otherwise). Pickup orders have no courier, so
    /// none is ever assigned to one. Trackers get a `location` event;
    /// when the order's delivery address has a `location`, the ETA is recomputed from the
    /// distance left and the speed, and trackers also get an `eta` event if it moved by a
    /// minute or more.
    /// Answers the tracking snapshot the customer now sees.
    #[oai(
        path = "/orders/:id/location",
        method = "post",
        operation_id = "courier_report_location"
    )]
    async fn report_location(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The order id.
        id: PathId,
        body: Json<CourierLocation>,
    ) -> Result<Json<Tracking>, ApiError> {
        let actor = auth.require(COURIERS)?;
        let report = LocationReport {
            location: GeoPoint::parse(body.lng, body.lat)?,
            heading: body.heading,
            speed_kmh: body.speed_kmh,
            accuracy_m: body.accuracy_m,
        };
        state.limit_location(&actor.user_id).await?;
        let tracking = state.bakery.report_location(actor, &id, report).await?;
        Ok(Json(tracking.into()))
    }

    /// The courier has the order: preparing → out_for_delivery
    ///
    /// Marks an assigned order picked up; the customer is notified and live tracking starts. Only
    /// the assigned courier may; 409 when the order is not `preparing`.
    #[oai(
        path = "/orders/:id/picked-up",
        method = "post",
        operation_id = "courier_pick_up"
    )]
    async fn pick_up(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The order id.
        id: PathId,
    ) -> Result<Json<Order>, ApiError> {
        let actor = auth.require(COURIERS)?;
        let order = state
            .bakery
            .advance_status(actor, &id, DomainStatus::OutForDelivery)
            .await?;
        Ok(Json(order.into()))
    }

    /// The customer has the order: out_for_delivery → delivered
    ///
    /// Marks an assigned order delivered; tracking sockets close and the customer is notified. Only
    /// the assigned courier may; 409 when the order is not `out_for_delivery`.
    #[oai(
        path = "/orders/:id/delivered",
        method = "post",
        operation_id = "courier_deliver"
    )]
    async fn deliver(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The order id.
        id: PathId,
    ) -> Result<Json<Order>, ApiError> {
        let actor = auth.require(COURIERS)?;
        let order = state
            .bakery
            .advance_status(actor, &id, DomainStatus::Delivered)
            .await?;
        Ok(Json(order.into()))
    }
}

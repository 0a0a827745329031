//! Live tracking: tickets for the socket (an OpenAPI operation) and the socket itself (a
//! plain poem route, see [`socket`], as OpenAPI 3.0 cannot describe a WebSocket; its
//! messages are the [`TrackingMessage`] schemas).

pub mod socket;

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::dto::common::Created;
use crate::dto::order::Tracking;
use crate::dto::params::PathId;
use crate::dto::tracking::{socket_path, TrackTicket, TrackingMessage};
use crate::error::ApiError;
use crate::state::AppState;

pub struct TrackingApi;

#[OpenApi(prefix_path = "/api/v1/orders", tag = "ApiTags::Orders")]
impl TrackingApi {
    /// A single-use ticket for the order's tracking socket (browsers)
    ///
    /// Browsers cannot set `Authorization` on a WebSocket: they open
    /// `GET /api/v1/orders/{id}/track/ws?ticket=...` with this ticket instead, once, within 60
    /// seconds. Apps that can set headers skip it and send the bearer token on the socket's
    /// request. Who may ask: the order's customer, staff, and the courier assigned to it;
    /// anyone else gets 404, as on `GET /orders/{id}/track`.
    ///
    /// The socket answers JSON text frames, each a `TrackingMessage`: first a `snapshot`,
    /// then one event per change (`status`, `assigned`, `location`, `eta`, `payment`), each
    /// with the order id, `seq` (grows with every change of the order) and `at`. Another
    /// `snapshot` replaces everything when the server had to resync. The server pings every
    /// 30 s and closes peers that stop answering; it closes with code 4000 once the order is
    /// delivered, picked up or canceled, 4003 when the viewer may no longer see the order,
    /// 1001 when the server shuts down and 1011 on an internal error.
    #[oai(
        path = "/:id/track/ticket",
        method = "post",
        operation_id = "create_track_ticket"
    )]
    async fn create_ticket(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The order id.
        id: PathId,
    ) -> Result<Created<TrackTicket>, ApiError> {
        let tracking = state.bakery.track_order(&auth.0, &id).await?;
        let (ticket, expires_at) = state.tickets.issue(&auth.0, &id, state.bakery.now());
        Ok(Created::Created(Json(TrackTicket {
            path: socket_path(&id, &ticket),
            ticket,
            expires_at: expires_at.into(),
            current: TrackingMessage::Snapshot(Tracking::from(tracking)),
        })))
    }
}

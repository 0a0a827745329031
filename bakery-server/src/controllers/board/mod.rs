//! The staff board: the open orders, once (an OpenAPI operation, also the CLI's polling
//! fallback) or live (a plain poem WebSocket route, see [`socket`]).

pub mod socket;

use bakery_core::domain::{access, OrderStatus, PageRequest};
use bakery_core::services::StaffOrderQuery;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::dto::board::BoardMessage;
use crate::error::ApiError;
use crate::state::AppState;

pub struct BoardApi;

/// The board's query: every open order, newest first, the first page of the largest size.
pub(crate) fn open_orders() -> (StaffOrderQuery, PageRequest) {
    let query = StaffOrderQuery {
        statuses: OrderStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .collect(),
        ..StaffOrderQuery::default()
    };
    let page = PageRequest::new(Some(1), Some(PageRequest::MAX_LIMIT)).unwrap_or_default();
    (query, page)
}

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Admin")]
impl BoardApi {
    /// The open orders, as the board socket's first message
    ///
    /// Always a `snapshot` BoardMessage. `GET /api/v1/admin/orders/stream` (a WebSocket,
    /// staff only, bearer header) sends the same snapshot first, then an `order` message for
    /// every order placed or changed, on any instance; a new `snapshot` when it had to
    /// resync. Pings every 30 s; closes with 1001 when the server stops.
    #[oai(
        path = "/orders/board",
        method = "get",
        operation_id = "admin_order_board"
    )]
    async fn board(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> Result<Json<BoardMessage>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        let (query, page) = open_orders();
        let orders = state.bakery.staff_orders(actor, query, page).await?;
        Ok(Json(BoardMessage::snapshot(orders)))
    }
}

//! The staff board's messages (`GET /api/v1/admin/orders/board` and the board socket
//! `GET /api/v1/admin/orders/stream`): a `snapshot` of the open orders, then one `order`
//! message per new or changed order, each the order in full as it reads after the change.

use super::timestamp::Timestamp;
use bakery_core::domain::{self, Page as DomainPage};
use poem_openapi::{Object, Union};

use super::order::Order;

/// One message of the staff board.
// Built once per message and serialised at once: the size of the variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Union, Debug, Clone)]
#[oai(discriminator_name = "type", one_of)]
pub enum BoardMessage {
    /// The open orders now.
    #[oai(mapping = "snapshot")]
    Snapshot(BoardSnapshot),
    /// An order was placed or changed (including leaving the board: delivered, canceled).
    #[oai(mapping = "order")]
    Order(BoardOrder),
}

/// The open orders (placed, preparing, out for delivery), newest first, at most 100.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct BoardSnapshot {
    pub orders: Vec<Order>,
    /// Open orders in all; above `orders.len()` when there are more than 100.
    pub total: u64,
}

/// An order as it reads after a change.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct BoardOrder {
    /// The order's revision: apply only if above the one shown.
    pub seq: u64,
    pub at: Timestamp,
    pub order: Order,
}

impl BoardMessage {
    pub fn snapshot(page: DomainPage<domain::Order>) -> Self {
        Self::Snapshot(BoardSnapshot {
            total: page.total,
            orders: page.items.into_iter().map(Order::from).collect(),
        })
    }

    pub fn order(order: domain::Order, at: Timestamp) -> Self {
        Self::Order(BoardOrder {
            seq: order.revision,
            at,
            order: order.into(),
        })
    }
}

//! What the tracking socket (`GET /api/v1/orders/{id}/track/ws`) sends, as schemas every
//! generated client gets: [`TrackingMessage`], one JSON text frame each, told apart by `type`.
//!
//! The first message is a `snapshot` (the body of `GET /orders/{id}/track` plus `type`); each
//! later one is one change of the order. Every message has the order's `seq`, which grows
//! with each change of that order: apply an event only if its `seq` is above the last one
//! applied. A new `snapshot` can come at any time (after the server had to resync): it
//! replaces what the app shows.

use super::timestamp::Timestamp;
use bakery_core::domain::{self, Id, Role as DomainRole};
use bakery_core::ports::{OrderChange, OrderEvent};
use poem_openapi::{Object, Union};

use super::order::{DeliveryPerson, OrderStatus, PaymentStatus, Tracking};
use super::user::Role;

/// One message of the tracking socket.
#[derive(Union, Debug, Clone)]
#[oai(discriminator_name = "type", one_of)]
pub enum TrackingMessage {
    /// Everything about the order's progress now.
    #[oai(mapping = "snapshot")]
    Snapshot(Tracking),
    /// The order moved along its status flow (also sent for `placed`).
    #[oai(mapping = "status")]
    Status(TrackingStatusEvent),
    /// A courier was assigned (or replaced).
    #[oai(mapping = "assigned")]
    Assigned(TrackingAssignedEvent),
    /// The courier's phone reported a position.
    #[oai(mapping = "location")]
    Location(TrackingLocationEvent),
    /// The estimated delivery time moved.
    #[oai(mapping = "eta")]
    Eta(TrackingEtaEvent),
    /// The payment moved (completed, failed, refunded...).
    #[oai(mapping = "payment")]
    Payment(TrackingPaymentEvent),
}

/// Tracking event `status`: the order moved to a new status, and who moved it.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct TrackingStatusEvent {
    pub order_id: String,
    /// Grows with every change of this order.
    pub seq: u64,
    /// When the change was published.
    pub at: Timestamp,
    pub status: OrderStatus,
    /// The user id of who moved it.
    pub actor: String,
    pub actor_role: Role,
    pub payment_status: PaymentStatus,
}

/// Tracking event `assigned`: a courier now has the order.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct TrackingAssignedEvent {
    pub order_id: String,
    pub seq: u64,
    pub at: Timestamp,
    pub delivery_person: DeliveryPerson,
}

/// Tracking event `location`: the courier's latest reported position.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct TrackingLocationEvent {
    pub order_id: String,
    pub seq: u64,
    pub at: Timestamp,
    /// Degrees, -90..=90.
    pub lat: f64,
    /// Degrees, -180..=180.
    pub lng: f64,
    /// Degrees clockwise from north; `null` when the phone did not say.
    pub heading: Option<f64>,
    pub speed_kmh: Option<f64>,
    pub accuracy_m: Option<f64>,
}

/// Tracking event `eta`: the estimated delivery time moved by a minute or more.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct TrackingEtaEvent {
    pub order_id: String,
    pub seq: u64,
    pub at: Timestamp,
    pub estimated_delivery_time: Timestamp,
}

/// Tracking event `payment`: the order's payment changed state.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct TrackingPaymentEvent {
    pub order_id: String,
    pub seq: u64,
    pub at: Timestamp,
    pub payment_status: PaymentStatus,
}

impl From<&OrderEvent> for TrackingMessage {
    fn from(event: &OrderEvent) -> Self {
        let order_id = event.order_id.to_string();
        let (seq, at) = (event.seq, event.at);
        match &event.change {
            OrderChange::Placed { status } => Self::Status(TrackingStatusEvent {
                order_id,
                seq,
                at: at.into(),
                status: (*status).into(),
                actor: event.customer_id.to_string(),
                actor_role: DomainRole::Customer.into(),
                payment_status: domain::PaymentStatus::Pending.into(),
            }),
            OrderChange::Status {
                status,
                actor_id,
                actor_role,
                payment_status,
            } => Self::Status(TrackingStatusEvent {
                order_id,
                seq,
                at: at.into(),
                status: (*status).into(),
                actor: actor_id.to_string(),
                actor_role: (*actor_role).into(),
                payment_status: (*payment_status).into(),
            }),
            OrderChange::Assigned { courier } => Self::Assigned(TrackingAssignedEvent {
                order_id,
                seq,
                at: at.into(),
                delivery_person: courier.clone().into(),
            }),
            OrderChange::Location {
                location,
                heading,
                speed_kmh,
                accuracy_m,
            } => Self::Location(TrackingLocationEvent {
                order_id,
                seq,
                at: at.into(),
                lat: location.latitude(),
                lng: location.longitude(),
                heading: *heading,
                speed_kmh: *speed_kmh,
                accuracy_m: *accuracy_m,
            }),
            OrderChange::Eta {
                estimated_delivery_time,
            } => Self::Eta(TrackingEtaEvent {
                order_id,
                seq,
                at: at.into(),
                estimated_delivery_time: (*estimated_delivery_time).into(),
            }),
            OrderChange::Payment { status } => Self::Payment(TrackingPaymentEvent {
                order_id,
                seq,
                at: at.into(),
                payment_status: (*status).into(),
            }),
        }
    }
}

/// A single-use pass for opening the tracking socket where headers cannot be set (browsers).
///
/// `current` is what the socket's first message will be, as of now (a `snapshot`): apps can
/// draw it while the socket opens, then apply only messages with a higher `seq`.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct TrackTicket {
    /// Opaque; pass it as `?ticket=` once, before `expiresAt`.
    pub ticket: String,
    pub expires_at: Timestamp,
    /// The socket's path with the ticket, to resolve against the API's origin (`ws://` or
    /// `wss://`).
    pub path: String,
    // Undocumented on purpose: a description beside the `$ref` makes generators copy the
    // whole union into a new type. The struct's doc says what it is.
    pub current: TrackingMessage,
}

/// The ticket's order and socket path.
pub fn socket_path(order: &Id, ticket: &str) -> String {
    format!("/api/v1/orders/{order}/track/ws?ticket={ticket}")
}

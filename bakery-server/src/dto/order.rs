//! Orders, carts and tracking.

use super::timestamp::Timestamp;
use bakery_core::domain::{self, Id};
use bakery_core::services::{CartLine as DomainCartLine, OrderRequest, Tracking as DomainTracking};
use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};

use super::user::{LatLng, Role};
use crate::error::ApiError;

/// Where an order is. A delivery: `placed` → `preparing` → `out_for_delivery` →
/// `delivered`; a pickup: `placed` → `preparing` → `ready_for_pickup` → `picked_up`; either
/// may be `canceled` before it leaves the kitchen. More statuses may be added: show an
/// unknown one as "in progress".
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum OrderStatus {
    Placed,
    Preparing,
    OutForDelivery,
    Delivered,
    /// A pickup order waiting on the counter.
    ReadyForPickup,
    /// A pickup order the customer collected.
    PickedUp,
    Canceled,
}

/// How an order reaches the customer: `delivery` to its `deliveryAddress`, or `pickup` at
/// the counter (no address, no delivery fee). More may be added: show an unknown one as is.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum Fulfilment {
    Delivery,
    Pickup,
}

impl From<domain::Fulfilment> for Fulfilment {
    fn from(f: domain::Fulfilment) -> Self {
        match f {
            domain::Fulfilment::Delivery => Self::Delivery,
            domain::Fulfilment::Pickup => Self::Pickup,
        }
    }
}

impl From<Fulfilment> for domain::Fulfilment {
    fn from(f: Fulfilment) -> Self {
        match f {
            Fulfilment::Delivery => Self::Delivery,
            Fulfilment::Pickup => Self::Pickup,
        }
    }
}

impl From<domain::OrderStatus> for OrderStatus {
    fn from(s: domain::OrderStatus) -> Self {
        match s {
            domain::OrderStatus::Placed => Self::Placed,
            domain::OrderStatus::Preparing => Self::Preparing,
            domain::OrderStatus::OutForDelivery => Self::OutForDelivery,
            domain::OrderStatus::Delivered => Self::Delivered,
            domain::OrderStatus::ReadyForPickup => Self::ReadyForPickup,
            domain::OrderStatus::PickedUp => Self::PickedUp,
            domain::OrderStatus::Canceled => Self::Canceled,
        }
    }
}

impl From<OrderStatus> for domain::OrderStatus {
    fn from(s: OrderStatus) -> Self {
        match s {
            OrderStatus::Placed => Self::Placed,
            OrderStatus::Preparing => Self::Preparing,
            OrderStatus::OutForDelivery => Self::OutForDelivery,
            OrderStatus::Delivered => Self::Delivered,
            OrderStatus::ReadyForPickup => Self::ReadyForPickup,
            OrderStatus::PickedUp => Self::PickedUp,
            OrderStatus::Canceled => Self::Canceled,
        }
    }
}

/// `card` (through the shop's card provider) or `cash` on delivery.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum PaymentMethod {
    Card,
    Cash,
}

impl From<domain::PaymentMethod> for PaymentMethod {
    fn from(m: domain::PaymentMethod) -> Self {
        match m {
            domain::PaymentMethod::Card => Self::Card,
            domain::PaymentMethod::Cash => Self::Cash,
        }
    }
}

impl From<PaymentMethod> for domain::PaymentMethod {
    fn from(m: PaymentMethod) -> Self {
        match m {
            PaymentMethod::Card => Self::Card,
            PaymentMethod::Cash => Self::Cash,
        }
    }
}

/// Where a payment is: `pending` → `completed`, or `failed` (a new attempt may still pay);
/// after a cancel, `refund_pending` → `refunded` (or `refund_failed`, for staff). More may
/// be added: show an unknown one as "processing".
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Nothing taken yet (cash orders stay here until the door).
    Pending,
    /// The card was charged.
    Completed,
    /// The last card attempt was declined; the customer may pay again while the order is open.
    Failed,
    /// The order was canceled after it was paid; the refund is on its way to the provider.
    RefundPending,
    /// The money went back to the card.
    Refunded,
    /// The provider has not taken the refund yet; it is retried, and staff see it if it
    /// keeps failing.
    RefundFailed,
}

impl From<domain::PaymentStatus> for PaymentStatus {
    fn from(s: domain::PaymentStatus) -> Self {
        match s {
            domain::PaymentStatus::Pending => Self::Pending,
            domain::PaymentStatus::Completed => Self::Completed,
            domain::PaymentStatus::Failed => Self::Failed,
            domain::PaymentStatus::RefundPending => Self::RefundPending,
            domain::PaymentStatus::Refunded => Self::Refunded,
            domain::PaymentStatus::RefundFailed => Self::RefundFailed,
        }
    }
}

/// How an order is paid and where that payment is. `transactionId` is the card provider's
/// payment id; `refundId` is set once a refund was asked for.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct PaymentDetails {
    pub method: PaymentMethod,
    /// The payment provider's id for card payments (Stripe's PaymentIntent id).
    pub transaction_id: Option<String>,
    pub status: PaymentStatus,
    /// The provider's refund id once the money went back.
    pub refund_id: Option<String>,
}

/// A line as ordered, at the price charged.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct OrderItem {
    /// The product id.
    pub product: String,
    /// The product's name when ordered.
    pub name: String,
    pub quantity: u32,
    /// Unit price charged, minor units: the product's price then plus the options' deltas.
    pub price: i64,
    /// The options chosen, in the product's order, as they were named and priced then.
    pub options: Vec<OrderItemOption>,
}

/// An option chosen on an order line: a copy, so editing the product later does not change
/// the order. A `choice` group's option has `option` and `label`; a `text` group's has
/// `text`.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct OrderItemOption {
    /// The group's key.
    pub group: String,
    pub group_label: String,
    /// The option's key (a `choice` group).
    pub option: Option<String>,
    /// The option's label (a `choice` group).
    pub label: Option<String>,
    /// What the customer wrote (a `text` group).
    pub text: Option<String>,
    /// What it added to the unit price, minor units (already in the line's `price`).
    pub price_delta: i64,
}

impl From<domain::ChosenOption> for OrderItemOption {
    fn from(o: domain::ChosenOption) -> Self {
        Self {
            group: o.group,
            group_label: o.group_label,
            option: o.option,
            label: o.label,
            text: o.text,
            price_delta: o.price_delta.minor(),
        }
    }
}

/// Where an order goes, copied into the order when it is placed, so editing or deleting a
/// saved address never changes a past order.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct DeliveryAddress {
    pub address: String,
    pub landmark: Option<String>,
    pub city: String,
    pub state: String,
    pub zip_code: String,
    /// The door on the map, when the customer picked it: the order then gets a live ETA.
    pub location: Option<LatLng>,
}

impl From<domain::DeliveryAddress> for DeliveryAddress {
    fn from(a: domain::DeliveryAddress) -> Self {
        Self {
            address: a.address,
            landmark: a.landmark,
            city: a.city,
            state: a.state,
            zip_code: a.zip_code,
            location: a.location.map(LatLng::from),
        }
    }
}

/// A position, GeoJSON order: `[longitude, latitude]`.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct GeoLocation {
    pub coordinates: Vec<f64>,
}

/// The courier bringing an order: name and phone to call, and their last reported position
/// while the order is out for delivery.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct DeliveryPerson {
    /// The courier's user id; `null` when staff assigned them by name and phone
    /// (deprecated).
    pub courier_id: Option<String>,
    pub name: String,
    pub phone: String,
    /// Last reported position; `null` until the courier reports one.
    pub location: Option<GeoLocation>,
    pub location_updated_at: Option<Timestamp>,
}

impl From<domain::DeliveryPerson> for DeliveryPerson {
    fn from(p: domain::DeliveryPerson) -> Self {
        Self {
            courier_id: p.courier_id.map(Into::into),
            name: p.name,
            phone: p.phone.into(),
            location: p.location.map(|l| GeoLocation {
                coordinates: l.coordinates.to_vec(),
            }),
            location_updated_at: p.location_updated_at.map(Into::into),
        }
    }
}

/// Who moved the order where, and when.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct StatusChange {
    pub status: OrderStatus,
    pub at: Timestamp,
    /// The user id of who did it.
    pub actor: String,
    pub actor_role: Role,
}

impl From<domain::StatusChange> for StatusChange {
    fn from(c: domain::StatusChange) -> Self {
        Self {
            status: c.status.into(),
            at: c.at.into(),
            actor: c.actor_id.into(),
            actor_role: c.actor_role.into(),
        }
    }
}

/// An order as placed: its lines at the prices of the moment, how it reaches the customer
/// (with the delivery address for a delivery), the money (all in minor units), the payment
/// and the status with its history.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none, example)]
pub struct Order {
    pub id: String,
    /// The customer's user id.
    pub user: String,
    pub items: Vec<OrderItem>,
    pub fulfilment: Fulfilment,
    /// Where a delivery goes; absent for a pickup.
    pub delivery_address: Option<DeliveryAddress>,
    /// The delivery zone the address was in (`GET /shop/zones`); absent for a pickup or
    /// when the shop draws no zones.
    pub delivery_zone: Option<String>,
    pub payment_details: PaymentDetails,
    pub order_status: OrderStatus,
    pub status_history: Vec<StatusChange>,
    /// All amounts in minor units of `currency`.
    pub subtotal: i64,
    /// 0 for a pickup.
    pub delivery_fee: i64,
    pub taxes: i64,
    pub discount: i64,
    pub total: i64,
    /// ISO 4217, lower case.
    pub currency: String,
    pub promotion_code: Option<String>,
    pub is_scheduled: bool,
    /// For a pickup: when the customer asked to collect it.
    pub scheduled_delivery_time: Option<Timestamp>,
    /// For a pickup: when it will be ready on the counter.
    pub estimated_delivery_time: Timestamp,
    /// Never set on a pickup.
    pub delivery_person: Option<DeliveryPerson>,
    pub special_instructions: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Grows with every change of the order: the `seq` of its tracking and board messages.
    pub revision: u64,
}

impl From<domain::Order> for Order {
    fn from(o: domain::Order) -> Self {
        Self {
            id: o.id.into(),
            user: o.user_id.into(),
            items: o
                .items
                .into_iter()
                .map(|i| OrderItem {
                    product: i.product_id.into(),
                    name: i.name,
                    quantity: i.quantity,
                    price: i.price.minor(),
                    options: i.options.into_iter().map(Into::into).collect(),
                })
                .collect(),
            fulfilment: o.fulfilment.into(),
            delivery_address: o.delivery_address.map(Into::into),
            delivery_zone: o.delivery_zone,
            payment_details: PaymentDetails {
                method: o.payment_details.method.into(),
                transaction_id: o.payment_details.transaction_id,
                status: o.payment_details.status.into(),
                refund_id: o.payment_details.refund_id,
            },
            order_status: o.order_status.into(),
            status_history: o.status_history.into_iter().map(Into::into).collect(),
            subtotal: o.subtotal.minor(),
            delivery_fee: o.delivery_fee.minor(),
            taxes: o.taxes.minor(),
            discount: o.discount.minor(),
            total: o.total.minor(),
            currency: o.currency.into(),
            promotion_code: o.promotion_code,
            is_scheduled: o.is_scheduled,
            scheduled_delivery_time: o.scheduled_delivery_time.map(Into::into),
            estimated_delivery_time: o.estimated_delivery_time.into(),
            delivery_person: o.delivery_person.map(Into::into),
            special_instructions: o.special_instructions,
            created_at: o.created_at.into(),
            updated_at: o.updated_at.into(),
            revision: o.revision,
        }
    }
}

/// What, how many and with which options; prices always come from the catalog.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct CartLine {
    /// The product id.
    #[oai(validator(pattern = "^[0-9a-fA-F]{24}$"))]
    pub product: String,
    #[oai(validator(minimum(value = "1"), maximum(value = "99")))]
    pub quantity: u32,
    /// One entry per option group filled in (the product's `optionGroups`); required groups
    /// must be there. Choices that do not fit the product are refused with 422 naming the
    /// group: `items[0].options.size`.
    #[oai(default, validator(max_items = 10))]
    pub options: Vec<CartOption>,
}

/// A cart line's answer to one option group: the keys picked in a `choice` group, or the
/// text written in a `text` group (blank counts as none).
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct CartOption {
    /// The group's key.
    #[oai(validator(pattern = "^[a-z0-9][a-z0-9_-]{0,31}$"))]
    pub group: String,
    /// The keys of the options picked (a `choice` group).
    #[oai(default, validator(max_items = 20))]
    pub choices: Vec<String>,
    /// The text (a `text` group), at most the group's `maxLength` characters.
    #[oai(validator(max_length = 200))]
    pub text: Option<String>,
}

pub fn cart(lines: &[CartLine]) -> Result<Vec<DomainCartLine>, ApiError> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            Ok(DomainCartLine {
                product: Id::parse(&format!("items[{i}].product"), &l.product)?,
                quantity: l.quantity,
                options: l
                    .options
                    .iter()
                    .map(|o| domain::OptionChoice {
                        group: o.group.clone(),
                        choices: o.choices.clone(),
                        text: o.text.clone(),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The address to deliver an order to, sent with the order (an app copies a saved address
/// into it). `location` lets the courier's ETA be computed.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct DeliveryAddressInput {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub address: String,
    #[oai(validator(max_length = 200))]
    pub landmark: Option<String>,
    #[oai(validator(min_length = 1, max_length = 80))]
    pub city: String,
    #[oai(validator(min_length = 1, max_length = 80))]
    pub state: String,
    #[oai(validator(min_length = 1, max_length = 12))]
    pub zip_code: String,
    /// The door on the map, copied from the saved address: with it, the courier's
    /// position gives the order a live ETA.
    pub location: Option<LatLng>,
}

/// How the customer will pay: `cash` on delivery, or `card` (only where `GET /shop` lists
/// it; then pay through `POST /payments/create-intent`).
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct PaymentInput {
    pub method: PaymentMethod,
}

/// A new order. `fulfilment` is `delivery` when absent, or `pickup` at the counter.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none, example)]
pub struct PlaceOrderRequest {
    #[oai(validator(min_items = 1, max_items = 50))]
    pub items: Vec<CartLine>,
    // Described on the struct: a doc comment here would wrap the enum in an `allOf`, which
    // openapi-python-client refuses for a non-object.
    pub fulfilment: Option<Fulfilment>,
    /// Required for a delivery; must be absent for a pickup (422 naming it otherwise).
    pub delivery_address: Option<DeliveryAddressInput>,
    pub payment_details: PaymentInput,
    #[oai(validator(max_length = 32))]
    pub promotion_code: Option<String>,
    /// When true, `scheduledDeliveryTime` is required.
    pub is_scheduled: Option<bool>,
    /// For a pickup: when the customer will collect it (the same rules as a delivery time).
    pub scheduled_delivery_time: Option<DateTime<Utc>>,
    #[oai(validator(max_length = 500))]
    pub special_instructions: Option<String>,
}

impl PlaceOrderRequest {
    pub fn to_domain(self) -> Result<OrderRequest, ApiError> {
        let delivery_address = self
            .delivery_address
            .as_ref()
            .map(DeliveryAddressInput::to_domain)
            .transpose()?;
        let scheduled_delivery_time =
            scheduled_time(self.is_scheduled, self.scheduled_delivery_time)?;
        Ok(OrderRequest {
            items: cart(&self.items)?,
            fulfilment: self
                .fulfilment
                .map_or(domain::Fulfilment::Delivery, Into::into),
            delivery_address,
            payment_method: self.payment_details.method.into(),
            promotion_code: self.promotion_code,
            scheduled_delivery_time,
            special_instructions: self.special_instructions,
        })
    }
}

/// The time an order is for: `isScheduled: true` needs one, `false` drops any sent.
pub fn scheduled_time(
    is_scheduled: Option<bool>,
    at: Option<DateTime<Utc>>,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    match (is_scheduled, at) {
        (Some(true), None) => Err(ApiError::validation(
            "scheduledDeliveryTime",
            "scheduledDeliveryTime: required when isScheduled is true",
        )),
        (Some(false), _) => Ok(None),
        (_, at) => Ok(at),
    }
}

impl DeliveryAddressInput {
    /// The checked address; refusals name `deliveryAddress.<field>`.
    pub fn to_domain(&self) -> Result<domain::DeliveryAddress, ApiError> {
        Ok(domain::DeliveryAddress::parse(
            &self.address,
            self.landmark.as_deref(),
            &self.city,
            &self.state,
            &self.zip_code,
        )?
        .with_location(
            self.location
                .map(|l| l.to_domain("deliveryAddress.location"))
                .transpose()?,
        ))
    }
}

/// A status to move an order to.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct StatusUpdate {
    pub status: OrderStatus,
}

/// The courier account (role `delivery`) taking an order.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct CourierInput {
    /// The courier's user id.
    #[oai(validator(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub courier_id: String,
}

/// A position report from the courier's phone (WGS 84).
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct CourierLocation {
    /// Degrees, -90..=90.
    #[oai(validator(minimum(value = "-90"), maximum(value = "90")))]
    pub lat: f64,
    /// Degrees, -180..=180.
    #[oai(validator(minimum(value = "-180"), maximum(value = "180")))]
    pub lng: f64,
    /// Degrees clockwise from north, 0 up to (not including) 360.
    #[oai(validator(minimum(value = "0"), maximum(value = "360", exclusive = true)))]
    pub heading: Option<f64>,
    /// 0..=300.
    #[oai(validator(minimum(value = "0"), maximum(value = "300")))]
    pub speed_kmh: Option<f64>,
    /// Radius of the fix's uncertainty in metres, 0..=10000.
    #[oai(validator(minimum(value = "0"), maximum(value = "10000")))]
    pub accuracy_m: Option<f64>,
}

/// The courier taking an order, by name and phone (deprecated: see `CourierInput`).
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct DeliveryPersonInput {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    #[oai(validator(pattern = r"^\s*(\+|00)[ ().-]*[1-9]([ ().-]*[0-9]){7,14}[ ().-]*\s*$"))]
    pub phone: String,
}

/// What a tracking screen shows: `fulfilment` tells a delivery, whose screen follows the
/// courier, from a pickup, whose screen says when it waits on the counter.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct Tracking {
    pub order_id: String,
    /// The order's revision: grows with every change. Tracking socket messages with a `seq`
    /// at or below it are already included.
    pub seq: u64,
    pub fulfilment: Fulfilment,
    pub status: OrderStatus,
    pub history: Vec<StatusChange>,
    pub estimated_delivery_time: Timestamp,
    pub delivery_person: Option<DeliveryPerson>,
}

impl From<DomainTracking> for Tracking {
    fn from(t: DomainTracking) -> Self {
        Self {
            order_id: t.order_id.into(),
            seq: t.seq,
            fulfilment: t.fulfilment.into(),
            status: t.status.into(),
            history: t.history.into_iter().map(Into::into).collect(),
            estimated_delivery_time: t.estimated_delivery_time.into(),
            delivery_person: t.delivery_person.map(Into::into),
        }
    }
}

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{
    optional_text, required_text, Address, ChosenOption, Currency, Id, Money, PaymentDetails,
    Phone, Role,
};
use crate::error::{ConflictCode, Error};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

impl OrderStatus {
    pub const ALL: [OrderStatus; 7] = [
        OrderStatus::Placed,
        OrderStatus::Preparing,
        OrderStatus::OutForDelivery,
        OrderStatus::Delivered,
        OrderStatus::ReadyForPickup,
        OrderStatus::PickedUp,
        OrderStatus::Canceled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Placed => "placed",
            Self::Preparing => "preparing",
            Self::OutForDelivery => "out_for_delivery",
            Self::Delivered => "delivered",
            Self::ReadyForPickup => "ready_for_pickup",
            Self::PickedUp => "picked_up",
            Self::Canceled => "canceled",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                Error::validation(
                    "status",
                    "must be placed, preparing, out_for_delivery, delivered, ready_for_pickup, \
                     picked_up or canceled",
                )
            })
    }

    /// Whether the kitchen, the courier or the counter still has work to do.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Placed | Self::Preparing | Self::OutForDelivery | Self::ReadyForPickup
        )
    }

    /// Whether the customer has the order: what a verified-purchase review needs.
    pub fn is_handed_over(self) -> bool {
        matches!(self, Self::Delivered | Self::PickedUp)
    }
}

/// How the order reaches the customer: brought to their door, or collected at the counter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fulfilment {
    /// Orders stored before pickup existed were all deliveries, so they read as one.
    #[default]
    Delivery,
    Pickup,
}

impl Fulfilment {
    pub const ALL: [Fulfilment; 2] = [Fulfilment::Delivery, Fulfilment::Pickup];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivery => "delivery",
            Self::Pickup => "pickup",
        }
    }
}

impl fmt::Display for Fulfilment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A line of an order, frozen at the catalog price of the moment it was placed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderItem {
    pub product_id: Id,
    pub name: String,
    pub quantity: u32,
    /// Unit price charged: the product's price of the moment plus its options' deltas.
    pub price: Money,
    /// The options chosen, with their labels and deltas as they were; lines ordered before
    /// options existed have none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChosenOption>,
    /// The shop's local day whose bake the line took from, for a product with a daily
    /// quantity: canceling gives the units back to that day. Lines without a daily limit,
    /// and lines stored before daily bakes existed, have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bake_day: Option<NaiveDate>,
}

/// Where the order goes; a copy, so editing the address book later does not move old orders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryAddress {
    pub address: String,
    pub landmark: Option<String>,
    pub city: String,
    pub state: String,
    pub zip_code: String,
    /// The door on the map, when the customer picked it: with it, a courier's position
    /// gives the order a live ETA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<GeoPoint>,
}

impl DeliveryAddress {
    pub fn parse(
        address: &str,
        landmark: Option<&str>,
        city: &str,
        state: &str,
        zip_code: &str,
    ) -> Result<Self, Error> {
        let parsed = (|| {
            Ok(Self {
                address: required_text("address", address, 200)?,
                landmark: optional_text("landmark", landmark, 200)?,
                city: required_text("city", city, 80)?,
                state: required_text("state", state, 80)?,
                zip_code: required_text("zipCode", zip_code, 12)?,
                location: None,
            })
        })();
        parsed.map_err(|e: Error| e.in_field("deliveryAddress"))
    }

    /// The destination's point on the map, if the app picked one.
    pub fn with_location(mut self, location: Option<GeoPoint>) -> Self {
        self.location = location;
        self
    }
}

impl From<&Address> for DeliveryAddress {
    fn from(a: &Address) -> Self {
        Self {
            address: a.address.clone(),
            landmark: a.landmark.clone(),
            city: a.city.clone(),
            state: a.state.clone(),
            zip_code: a.zip_code.clone(),
            location: a.location,
        }
    }
}

/// A position as GeoJSON orders it: longitude first.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub coordinates: [f64; 2],
}

impl GeoPoint {
    pub fn parse(longitude: f64, latitude: f64) -> Result<Self, Error> {
        if !longitude.is_finite() || !(-180.0..=180.0).contains(&longitude) {
            return Err(Error::validation(
                "longitude",
                "must be between -180 and 180",
            ));
        }
        if !latitude.is_finite() || !(-90.0..=90.0).contains(&latitude) {
            return Err(Error::validation("latitude", "must be between -90 and 90"));
        }
        Ok(Self {
            coordinates: [longitude, latitude],
        })
    }

    /// A point as apps send it (`{lat, lng}`), refusals naming `lat` or `lng`; callers
    /// prefix the object's own field (`location.lat`).
    pub fn from_lat_lng(lat: f64, lng: f64) -> Result<Self, Error> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(Error::validation("lat", "must be between -90 and 90"));
        }
        if !lng.is_finite() || !(-180.0..=180.0).contains(&lng) {
            return Err(Error::validation("lng", "must be between -180 and 180"));
        }
        Ok(Self {
            coordinates: [lng, lat],
        })
    }

    pub fn longitude(self) -> f64 {
        self.coordinates[0]
    }

    pub fn latitude(self) -> f64 {
        self.coordinates[1]
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryPerson {
    /// The courier's account when assigned by user id; `None` on assignments made by name
    /// and phone (the deprecated route), which only staff can then move along.
    #[serde(default)]
    pub courier_id: Option<Id>,
    pub name: String,
    pub phone: Phone,
    /// Last reported position; `None` until the courier's app reports one.
    pub location: Option<GeoPoint>,
    #[serde(with = "super::time::option")]
    pub location_updated_at: Option<DateTime<Utc>>,
}

/// One entry of the order's history: who moved it where, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusChange {
    pub status: OrderStatus,
    #[serde(with = "super::time")]
    pub at: DateTime<Utc>,
    pub actor_id: Id,
    pub actor_role: Role,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: Id,
    pub user_id: Id,
    pub items: Vec<OrderItem>,
    /// Orders stored before pickup existed read as deliveries.
    #[serde(default)]
    pub fulfilment: Fulfilment,
    /// Where a delivery goes; always `None` for pickup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_address: Option<DeliveryAddress>,
    /// The delivery zone the address fell in when ordered, for dispatch; `None` for a
    /// pickup, when the shop draws no zones, and on orders from before zones existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_zone: Option<String>,
    pub payment_details: PaymentDetails,
    pub order_status: OrderStatus,
    pub status_history: Vec<StatusChange>,
    pub subtotal: Money,
    pub delivery_fee: Money,
    pub taxes: Money,
    pub discount: Money,
    pub total: Money,
    pub currency: Currency,
    pub promotion_id: Option<Id>,
    pub promotion_code: Option<String>,
    pub is_scheduled: bool,
    #[serde(with = "super::time::option")]
    pub scheduled_delivery_time: Option<DateTime<Utc>>,
    #[serde(with = "super::time")]
    pub estimated_delivery_time: DateTime<Utc>,
    pub delivery_person: Option<DeliveryPerson>,
    pub special_instructions: Option<String>,
    #[serde(with = "super::time")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "super::time")]
    pub updated_at: DateTime<Utc>,
    /// Bumped by the store on every write of the order (1 when placed), in the same atomic
    /// update as the change itself, so it orders one order's changes across every instance
    /// of a fleet; tracking events carry it as their `seq`. Orders stored before it existed
    /// read as 0.
    #[serde(default)]
    pub revision: u64,
}

impl Order {
    /// When the order is expected at the door: the time the customer chose, else the
    /// estimate, so a scheduled order stays on its day even when a courier's live ETA moves.
    pub fn due_at(&self) -> DateTime<Utc> {
        self.scheduled_delivery_time
            .unwrap_or(self.estimated_delivery_time)
    }

    /// Refuses what only a delivery has (a courier, their position) on a pickup order.
    pub fn require_delivery(&self) -> Result<(), Error> {
        match self.fulfilment {
            Fulfilment::Delivery => Ok(()),
            Fulfilment::Pickup => Err(Error::conflict(
                ConflictCode::NotADelivery,
                "the order is a pickup: it has no courier",
            )),
        }
    }

    /// Units per product, summed over lines, as stock is counted.
    pub fn units_by_product(&self) -> Vec<(Id, u32)> {
        let mut units: Vec<(Id, u32)> = Vec::new();
        for item in &self.items {
            match units.iter_mut().find(|(id, _)| id == &item.product_id) {
                Some((_, q)) => *q += item.quantity,
                None => units.push((item.product_id.clone(), item.quantity)),
            }
        }
        units
    }

    /// Units per product and bake day, summed over lines, for the lines that took from a
    /// daily bake: what placing the order takes and canceling gives back.
    pub fn bakes_by_product(&self) -> Vec<(Id, NaiveDate, u32)> {
        let mut bakes: Vec<(Id, NaiveDate, u32)> = Vec::new();
        for item in &self.items {
            let Some(day) = item.bake_day else { continue };
            match bakes
                .iter_mut()
                .find(|(id, d, _)| id == &item.product_id && *d == day)
            {
                Some((_, _, q)) => *q += item.quantity,
                None => bakes.push((item.product_id.clone(), day, item.quantity)),
            }
        }
        bakes
    }
}

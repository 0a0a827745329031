//! The enums a newer server may extend, kept open so an older app keeps working.
//!
//! The contract's rule (see the spec's description): clients must accept values of these
//! enums they do not know. A generated closed enum would fail to parse a whole order the day
//! the server adds a status (pickup orders add two), so progenitor is told to use these types
//! instead of generating its own (`build.rs`): the same variants, plus `Unknown` holding the
//! value as sent. A test checks the variants against `openapi.json`, so they cannot drift.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! open_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A value this version of the SDK does not know (sent by a newer server), as sent.
            Unknown(String),
        }

        impl $name {
            /// Every value this version of the SDK knows, in the contract's order.
            pub const KNOWN: &'static [&'static str] = &[$($value),+];

            /// The value as it travels in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)+
                    Self::Unknown(value) => value,
                }
            }

            /// Whether this is a value this version of the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl From<&String> for $name {
            fn from(value: &String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }
    };
}

open_enum! {
    /// Where an order is in its life. New statuses may appear; an app shows an `Unknown`
    /// one as "in progress".
    OrderStatus {
        Placed = "placed",
        Preparing = "preparing",
        OutForDelivery = "out_for_delivery",
        Delivered = "delivered",
        /// A pickup order waiting on the counter.
        ReadyForPickup = "ready_for_pickup",
        /// A pickup order the customer collected.
        PickedUp = "picked_up",
        Canceled = "canceled",
    }
}

open_enum! {
    /// How an order reaches the customer. An `Unknown` one is shown as sent.
    Fulfilment {
        Delivery = "delivery",
        Pickup = "pickup",
    }
}

open_enum! {
    /// Where an order's payment is. An `Unknown` one is shown as "processing".
    PaymentStatus {
        Pending = "pending",
        Completed = "completed",
        Failed = "failed",
        RefundPending = "refund_pending",
        Refunded = "refunded",
        RefundFailed = "refund_failed",
    }
}

open_enum! {
    /// What a notification is about. An `Unknown` one is shown like `System`.
    NotificationType {
        Order = "order",
        Promotion = "promotion",
        System = "system",
    }
}

open_enum! {
    /// Whether a picture's sizes exist yet. An `Unknown` one is shown like `Processing`: a
    /// placeholder until the picture reads `Ready`.
    ImageStatus {
        Processing = "processing",
        Ready = "ready",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values `openapi.json` lists for the schema `name`.
    fn contract_values(name: &str) -> Vec<String> {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.json"))
            .expect("the committed contract");
        let spec: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        spec["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is an enum in openapi.json"))
            .iter()
            .map(|v| v.as_str().expect("string values").to_owned())
            .collect()
    }

    #[test]
    fn the_known_values_are_exactly_the_contracts() {
        assert_eq!(OrderStatus::KNOWN, contract_values("OrderStatus"));
        assert_eq!(Fulfilment::KNOWN, contract_values("Fulfilment"));
        assert_eq!(PaymentStatus::KNOWN, contract_values("PaymentStatus"));
        assert_eq!(NotificationType::KNOWN, contract_values("NotificationType"));
        assert_eq!(ImageStatus::KNOWN, contract_values("ImageStatus"));
    }

    #[test]
    fn a_value_from_a_newer_server_parses_and_travels_back_unchanged() {
        let status: OrderStatus = serde_json::from_str(r#""left_with_neighbour""#).unwrap();
        assert_eq!(status, OrderStatus::Unknown("left_with_neighbour".into()));
        assert!(status.is_unknown());
        assert_eq!(
            serde_json::to_string(&status).unwrap(),
            r#""left_with_neighbour""#
        );
        let pickup: OrderStatus = serde_json::from_str(r#""ready_for_pickup""#).unwrap();
        assert_eq!(pickup, OrderStatus::ReadyForPickup);
        let known: OrderStatus = serde_json::from_str(r#""out_for_delivery""#).unwrap();
        assert_eq!(known, OrderStatus::OutForDelivery);
        assert_eq!(known.to_string(), "out_for_delivery");
    }
}

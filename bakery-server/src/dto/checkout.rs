//! The checkout screen's question, `POST /orders/quote`: what would this order cost, and
//! when would it come.

use bakery_core::domain;
use bakery_core::services::{OrderQuote as DomainQuote, QuoteRequest};
use chrono::{DateTime, Utc};
use poem_openapi::Object;

use super::order::{cart, scheduled_time, CartLine, DeliveryAddressInput, Fulfilment};
use super::timestamp::Timestamp;
use crate::error::ApiError;

/// A cart as it would be ordered: the fields of `POST /orders` that decide the price.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct QuoteOrderRequest {
    #[oai(validator(min_items = 1, max_items = 50))]
    pub items: Vec<CartLine>,
    // Described on the struct's operation: a doc comment here would wrap the enum in an
    // `allOf`, which openapi-python-client refuses for a non-object.
    pub fulfilment: Option<Fulfilment>,
    /// Required for a delivery; must be absent for a pickup (422 naming it otherwise).
    pub delivery_address: Option<DeliveryAddressInput>,
    #[oai(validator(max_length = 32))]
    pub promotion_code: Option<String>,
    /// When true, `scheduledDeliveryTime` is required.
    pub is_scheduled: Option<bool>,
    pub scheduled_delivery_time: Option<DateTime<Utc>>,
}

impl QuoteOrderRequest {
    pub fn to_domain(&self) -> Result<QuoteRequest, ApiError> {
        Ok(QuoteRequest {
            items: cart(&self.items)?,
            fulfilment: self
                .fulfilment
                .map_or(domain::Fulfilment::Delivery, Into::into),
            delivery_address: self
                .delivery_address
                .as_ref()
                .map(DeliveryAddressInput::to_domain)
                .transpose()?,
            promotion_code: self.promotion_code.clone(),
            scheduled_delivery_time: scheduled_time(
                self.is_scheduled,
                self.scheduled_delivery_time,
            )?,
        })
    }
}

/// What the order would cost, all amounts in minor units of `currency`, and when it would
/// come.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct OrderQuote {
    pub subtotal: i64,
    pub discount: i64,
    /// The zone's fee (or the shop's flat fee); 0 for a pickup or once free delivery is
    /// reached.
    pub delivery_fee: i64,
    pub taxes: i64,
    pub total: i64,
    pub currency: String,
    /// The zone the address is in; absent for a pickup or when the shop draws no zones.
    pub delivery_zone: Option<String>,
    /// The smallest subtotal the order is taken at; 0: none.
    pub minimum_order: i64,
    /// How much the subtotal is short of `minimumOrder`; absent once it is met. Placing the
    /// order before then answers 409 `BELOW_MINIMUM_ORDER`.
    pub short_of_minimum: Option<i64>,
    /// The promotion code applied, as stored (upper case); absent without one.
    pub promotion_code: Option<String>,
    /// When it would be at the door (for a pickup: ready on the counter).
    pub estimated_delivery_time: Timestamp,
}

impl From<DomainQuote> for OrderQuote {
    fn from(q: DomainQuote) -> Self {
        let short_of_minimum = q.short_of_minimum().map(domain::Money::minor);
        Self {
            subtotal: q.quote.subtotal.minor(),
            discount: q.quote.discount.minor(),
            delivery_fee: q.quote.delivery_fee.minor(),
            taxes: q.quote.taxes.minor(),
            total: q.quote.total.minor(),
            currency: q.quote.currency.into(),
            delivery_zone: q.delivery_zone,
            minimum_order: q.minimum_order.minor(),
            short_of_minimum,
            promotion_code: q.promotion.and_then(|p| p.code),
            estimated_delivery_time: q.estimated_delivery_time.into(),
        }
    }
}

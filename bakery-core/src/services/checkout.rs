//! What a cart costs and when it arrives, checked exactly as placing it would check it:
//! the one path behind `POST /orders`, `POST /orders/quote` and the promotion preview, so
//! the checkout screen never shows a price the order would not charge.

use chrono::{DateTime, Utc};

use super::orders::CartLine;
use super::{Actor, Bakery};
use crate::domain::{DeliveryAddress, Fulfilment, Money, Product, Promotion};
use crate::error::{ConflictCode, Error, Result};
use crate::rules::pricing::{self, PricedLine, Quote};
use crate::rules::schedule;
use crate::rules::zones::DeliveryTerms;

/// A cart and how it is to reach the customer: what `POST /orders/quote` takes.
#[derive(Clone, Debug, PartialEq)]
pub struct QuoteRequest {
    pub items: Vec<CartLine>,
    pub fulfilment: Fulfilment,
    /// Required for a delivery, refused for a pickup.
    pub delivery_address: Option<DeliveryAddress>,
    pub promotion_code: Option<String>,
    /// `None` for as soon as possible.
    pub scheduled_delivery_time: Option<DateTime<Utc>>,
}

/// The checkout screen's numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderQuote {
    pub quote: Quote,
    /// The zone the address is in; `None` for a pickup or when the shop draws no zones.
    pub delivery_zone: Option<String>,
    /// The smallest subtotal the order is taken at; zero: none.
    pub minimum_order: Money,
    /// The promotion applied, when a code was sent.
    pub promotion: Option<Promotion>,
    /// When it would be at the door (or on the counter): the chosen time, else the estimate.
    pub estimated_delivery_time: DateTime<Utc>,
}

impl OrderQuote {
    /// How much more the cart needs before it is taken; `None` when it meets the minimum.
    pub fn short_of_minimum(&self) -> Option<Money> {
        (self.quote.subtotal < self.minimum_order)
            .then(|| self.minimum_order.saturating_sub(self.quote.subtotal))
    }
}

/// A cart borrowed from either request.
pub(super) struct Cart<'a> {
    pub items: &'a [CartLine],
    pub fulfilment: Fulfilment,
    pub delivery_address: Option<&'a DeliveryAddress>,
    pub promotion_code: Option<&'a str>,
    pub scheduled_delivery_time: Option<DateTime<Utc>>,
}

/// Everything placing an order needs that the quote computed.
pub(super) struct Checkout {
    pub lines: Vec<PricedLine>,
    /// The catalog's products of the cart, as priced (their daily quantities, stock).
    pub products: Vec<Product>,
    pub promotion: Option<Promotion>,
    pub quote: Quote,
    pub terms: DeliveryTerms,
    pub now: DateTime<Utc>,
    pub estimated_delivery_time: DateTime<Utc>,
}

impl Checkout {
    /// The zone's minimum, which the quote reports and an order must meet. It counts the
    /// subtotal before discounts, like a promotion's own minimum.
    pub fn check_minimum(&self) -> Result<()> {
        if self.quote.subtotal >= self.terms.minimum_order {
            return Ok(());
        }
        let zone = self.terms.zone.as_deref().unwrap_or("this address");
        Err(Error::conflict(
            ConflictCode::BelowMinimumOrder,
            format!(
                "deliveries to {zone} start at a subtotal of {} {}; this cart comes to {}",
                self.terms.minimum_order.minor(),
                self.quote.currency,
                self.quote.subtotal.minor(),
            ),
        ))
    }
}

impl Bakery {
    /// What the cart would cost and when it would come, with the same refusals as
    /// [`Bakery::place_order`] (stock aside, which only the order takes), except that a cart
    /// under its zone's minimum is quoted with the minimum rather than refused.
    #[tracing::instrument(skip(self, request), fields(user = %actor.user_id))]
    pub async fn quote_order(&self, actor: &Actor, request: &QuoteRequest) -> Result<OrderQuote> {
        let checkout = self
            .checkout(
                actor,
                Cart {
                    items: &request.items,
                    fulfilment: request.fulfilment,
                    delivery_address: request.delivery_address.as_ref(),
                    promotion_code: request.promotion_code.as_deref(),
                    scheduled_delivery_time: request.scheduled_delivery_time,
                },
            )
            .await?;
        Ok(OrderQuote {
            quote: checkout.quote,
            delivery_zone: checkout.terms.zone,
            minimum_order: checkout.terms.minimum_order,
            promotion: checkout.promotion,
            estimated_delivery_time: checkout.estimated_delivery_time,
        })
    }

    /// Prices the cart for where it goes, checks the promotion, the time and the opening
    /// hours, and estimates the arrival. Writes nothing.
    pub(super) async fn checkout(&self, actor: &Actor, cart: Cart<'_>) -> Result<Checkout> {
        check_address_given(cart.fulfilment, cart.delivery_address)?;
        let (lines, products) = self.price_cart(cart.items).await?;
        let promotion = match cart.promotion_code.map(str::trim) {
            None | Some("") => None,
            Some(code) => Some(
                self.eligible_promotion(actor, code, &lines)
                    .await?
                    .ok_or_else(|| Error::validation("promotionCode", "no such promotion code"))?,
            ),
        };
        let terms = self
            .delivery_terms(cart.fulfilment, cart.delivery_address)
            .await?;
        let quote = pricing::quote(
            &lines,
            promotion.as_ref(),
            terms.charge,
            &self.settings.pricing,
        );
        let now = self.now();
        let longest_preparation = products
            .iter()
            .map(|p| p.preparation_time)
            .max()
            .unwrap_or(0);
        if let Some(at) = cart.scheduled_delivery_time {
            schedule::check_scheduled_time(now, at, longest_preparation)?;
        }
        self.check_open_for(now, cart.scheduled_delivery_time)
            .await?;
        // A pickup is due when it is ready on the counter: no ride to add.
        let ride_minutes = match cart.fulfilment {
            Fulfilment::Delivery => self.settings.delivery_minutes + terms.extra_minutes,
            Fulfilment::Pickup => 0,
        };
        let estimated_delivery_time = match cart.scheduled_delivery_time {
            Some(at) => at,
            None => schedule::estimate_delivery(now, longest_preparation, ride_minutes),
        };
        Ok(Checkout {
            lines,
            products,
            promotion,
            quote,
            terms,
            now,
            estimated_delivery_time,
        })
    }
}

/// A delivery needs an address and a pickup must not have one: a pickup with an address is
/// an app that mixed two screens up, refused rather than guessed at.
pub(super) fn check_address_given(
    fulfilment: Fulfilment,
    address: Option<&DeliveryAddress>,
) -> Result<()> {
    match (fulfilment, address) {
        (Fulfilment::Delivery, None) => Err(Error::validation(
            "deliveryAddress",
            "required for delivery",
        )),
        (Fulfilment::Pickup, Some(_)) => Err(Error::validation(
            "deliveryAddress",
            "must be absent for pickup",
        )),
        _ => Ok(()),
    }
}

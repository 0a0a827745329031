//! How much an order costs.

use serde::Serialize;

use crate::domain::{ChosenOption, Currency, DiscountType, Id, Money, Promotion};

/// The shop's money settings, from configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricingSettings {
    pub currency: Currency,
    /// Flat fee per delivery.
    pub delivery_fee: Money,
    /// Orders whose discounted subtotal reaches this are delivered free.
    pub free_delivery_above: Option<Money>,
    /// Tax rate in basis points: 1000 = 10 %.
    pub tax_rate_bps: u32,
}

/// What the delivery of one order costs: the shop's flat terms, a zone's, or nothing for a
/// pickup (see `rules::zones::DeliveryTerms`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliveryCharge {
    pub fee: Money,
    /// A discounted subtotal reaching this is delivered free.
    pub free_above: Option<Money>,
}

impl DeliveryCharge {
    /// Nobody drives anywhere.
    pub const NONE: DeliveryCharge = DeliveryCharge {
        fee: Money::ZERO,
        free_above: None,
    };
}

/// A cart line with the catalog's unit price already looked up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedLine {
    pub product_id: Id,
    pub name: String,
    pub quantity: u32,
    /// The product's effective price plus its chosen options' deltas.
    pub unit_price: Money,
    /// The options chosen, checked against the product (see [`super::options::choose`]).
    pub options: Vec<ChosenOption>,
}

impl PricedLine {
    pub fn total(&self) -> Money {
        self.unit_price.times(self.quantity)
    }
}

/// The priced breakdown a customer sees before and after ordering.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub subtotal: Money,
    pub discount: Money,
    pub delivery_fee: Money,
    pub taxes: Money,
    pub total: Money,
    pub currency: Currency,
}

/// Prices a cart.
///
/// - `subtotal` is the sum of unit price × quantity.
/// - `discount` applies to the lines the promotion covers (all lines when it lists no
///   products): a percentage of their sum rounded half up to the minor unit, or a fixed
///   amount; either way never more than those lines cost, so nothing goes below zero.
///   Eligibility is checked separately ([`super::promotion::check_eligible`]).
/// - `delivery_fee` is the charge's fee, waived when `subtotal - discount` reaches its
///   threshold; a pickup's charge is [`DeliveryCharge::NONE`].
/// - `taxes` are `tax_rate_bps` of `subtotal - discount`, rounded half up; delivery is not taxed.
/// - `total = subtotal - discount + delivery_fee + taxes`.
pub fn quote(
    lines: &[PricedLine],
    promotion: Option<&Promotion>,
    delivery: DeliveryCharge,
    settings: &PricingSettings,
) -> Quote {
    let subtotal: Money = lines.iter().map(PricedLine::total).sum();
    let discount = promotion.map_or(Money::ZERO, |p| discount_for(lines, p));
    let taxable = subtotal.saturating_sub(discount);
    let delivery_fee = match delivery.free_above {
        Some(threshold) if taxable >= threshold => Money::ZERO,
        _ => delivery.fee,
    };
    let taxes = Money::from_minor(percent_of(
        taxable.minor(),
        i64::from(settings.tax_rate_bps),
        10_000,
    ));
    Quote {
        subtotal,
        discount,
        delivery_fee,
        taxes,
        total: taxable + delivery_fee + taxes,
        currency: settings.currency.clone(),
    }
}

fn discount_for(lines: &[PricedLine], promotion: &Promotion) -> Money {
    let base: Money = lines
        .iter()
        .filter(|l| {
            promotion.applicable_products.is_empty()
                || promotion.applicable_products.contains(&l.product_id)
        })
        .map(PricedLine::total)
        .sum();
    let raw = match promotion.discount_type {
        DiscountType::Percentage => percent_of(base.minor(), promotion.discount_value, 100),
        DiscountType::Fixed => promotion.discount_value,
    };
    Money::from_minor(raw.clamp(0, base.minor()))
}

/// `amount * numerator / denominator`, rounded half up, in i128 so no cart overflows.
fn percent_of(amount: i64, numerator: i64, denominator: i64) -> i64 {
    let product = i128::from(amount) * i128::from(numerator);
    let d = i128::from(denominator);
    ((product + d / 2) / d) as i64
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::{Duration, Utc};

    use super::*;
    use crate::domain::Promotion;

    pub(crate) fn settings() -> PricingSettings {
        PricingSettings {
            currency: Currency::parse("eur").unwrap(),
            delivery_fee: Money::from_minor(300),
            free_delivery_above: Some(Money::from_minor(3000)),
            tax_rate_bps: 1000,
        }
    }

    fn flat() -> DeliveryCharge {
        let s = settings();
        DeliveryCharge {
            fee: s.delivery_fee,
            free_above: s.free_delivery_above,
        }
    }

    pub(crate) fn line(id: &Id, quantity: u32, price: i64) -> PricedLine {
        PricedLine {
            product_id: id.clone(),
            name: "x".into(),
            quantity,
            unit_price: Money::from_minor(price),
            options: Vec::new(),
        }
    }

    pub(crate) fn promo(kind: DiscountType, value: i64, products: Vec<Id>) -> Promotion {
        let now = Utc::now();
        Promotion {
            id: Id::generate(),
            title: "t".into(),
            description: "d".into(),
            image: None,
            photos: Vec::new(),
            discount_type: kind,
            discount_value: value,
            code: Some("SAVE".into()),
            minimum_order_value: Money::ZERO,
            start_date: now - Duration::days(1),
            end_date: now + Duration::days(1),
            is_active: true,
            applicable_products: products,
            usage_limit: None,
            per_user_limit: None,
            used_count: 0,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn plain_cart_pays_fee_and_tax() {
        let a = Id::generate();
        let q = quote(&[line(&a, 3, 450)], None, flat(), &settings());
        assert_eq!(q.subtotal.minor(), 1350);
        assert_eq!(q.discount.minor(), 0);
        assert_eq!(q.delivery_fee.minor(), 300);
        assert_eq!(q.taxes.minor(), 135);
        assert_eq!(q.total.minor(), 1350 + 300 + 135);
        assert_eq!(q.currency.as_str(), "eur");
    }

    #[test]
    fn free_delivery_threshold_counts_after_discount() {
        let a = Id::generate();
        let at_threshold = quote(&[line(&a, 1, 3000)], None, flat(), &settings());
        assert_eq!(at_threshold.delivery_fee, Money::ZERO);
        let discounted = quote(
            &[line(&a, 1, 3000)],
            Some(&promo(DiscountType::Fixed, 1, vec![])),
            flat(),
            &settings(),
        );
        assert_eq!(discounted.delivery_fee.minor(), 300);
    }

    #[test]
    fn percentage_rounds_half_up_and_taxes_follow_discount() {
        let a = Id::generate();
        // 15 % of 1005 = 150.75 -> 151
        let q = quote(
            &[line(&a, 1, 1005)],
            Some(&promo(DiscountType::Percentage, 15, vec![])),
            flat(),
            &settings(),
        );
        assert_eq!(q.discount.minor(), 151);
        // 10 % of 854 = 85.4 -> 85
        assert_eq!(q.taxes.minor(), 85);
        assert_eq!(q.total.minor(), 854 + 300 + 85);
    }

    #[test]
    fn fixed_discount_never_goes_below_zero() {
        let a = Id::generate();
        let q = quote(
            &[line(&a, 1, 200)],
            Some(&promo(DiscountType::Fixed, 5000, vec![])),
            flat(),
            &settings(),
        );
        assert_eq!(q.discount.minor(), 200);
        assert_eq!(q.taxes, Money::ZERO);
        assert_eq!(q.total.minor(), 300);
    }

    #[test]
    fn discount_covers_only_applicable_products() {
        let (a, b) = (Id::generate(), Id::generate());
        let p = promo(DiscountType::Percentage, 50, vec![b.clone()]);
        let q = quote(
            &[line(&a, 2, 500), line(&b, 1, 400)],
            Some(&p),
            flat(),
            &settings(),
        );
        assert_eq!(q.discount.minor(), 200);
        let fixed = promo(DiscountType::Fixed, 1000, vec![b.clone()]);
        let q = quote(
            &[line(&a, 2, 500), line(&b, 1, 400)],
            Some(&fixed),
            flat(),
            &settings(),
        );
        assert_eq!(q.discount.minor(), 400, "capped at the applicable lines");
    }

    #[test]
    fn hundred_percent_leaves_only_delivery() {
        let a = Id::generate();
        let q = quote(
            &[line(&a, 2, 999)],
            Some(&promo(DiscountType::Percentage, 100, vec![])),
            flat(),
            &settings(),
        );
        assert_eq!(q.discount.minor(), 1998);
        assert_eq!(q.total.minor(), 300);
    }

    #[test]
    fn a_pickup_pays_no_delivery_fee_and_the_same_taxes() {
        let a = Id::generate();
        let delivered = quote(&[line(&a, 3, 450)], None, flat(), &settings());
        let collected = quote(&[line(&a, 3, 450)], None, DeliveryCharge::NONE, &settings());
        assert_eq!(collected.delivery_fee, Money::ZERO);
        assert_eq!(collected.taxes, delivered.taxes);
        assert_eq!(collected.total.minor(), delivered.total.minor() - 300);
    }
}

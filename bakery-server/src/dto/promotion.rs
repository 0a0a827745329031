//! Promotions and priced quotes.

use super::timestamp::Timestamp;
use bakery_core::domain::{self, Id, Money};
use bakery_core::rules::pricing::Quote as DomainQuote;
use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};

use super::order::{CartLine, DeliveryAddressInput, Fulfilment};
use crate::error::ApiError;

/// How a promotion's `discountValue` reads: `percentage` (10 = 10 %) or `fixed` (an amount
/// in minor units).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum DiscountType {
    Percentage,
    Fixed,
}

impl From<domain::DiscountType> for DiscountType {
    fn from(d: domain::DiscountType) -> Self {
        match d {
            domain::DiscountType::Percentage => Self::Percentage,
            domain::DiscountType::Fixed => Self::Fixed,
        }
    }
}

impl From<DiscountType> for domain::DiscountType {
    fn from(d: DiscountType) -> Self {
        match d {
            DiscountType::Percentage => Self::Percentage,
            DiscountType::Fixed => Self::Fixed,
        }
    }
}

/// A discount, applied with its code (or automatically when it has none) to the eligible
/// lines of a cart within its dates, minimum order and usage limits.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct Promotion {
    pub id: String,
    pub title: String,
    pub description: String,
    /// A banner URL typed by staff (kept for shops that host pictures elsewhere).
    pub image: Option<String>,
    /// The uploaded banner, with its sizes (`POST /admin/promotions/{id}/image/uploads`).
    pub photo: Option<super::image::Image>,
    pub discount_type: DiscountType,
    /// Percent (1..=100) or minor units, by `discountType`.
    pub discount_value: i64,
    pub code: Option<String>,
    /// Minor units.
    pub minimum_order_value: i64,
    pub start_date: Timestamp,
    pub end_date: Timestamp,
    pub is_active: bool,
    /// Product ids; empty means every product.
    pub applicable_products: Vec<String>,
    pub usage_limit: Option<u32>,
    pub per_user_limit: Option<u32>,
    pub used_count: u32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<domain::Promotion> for Promotion {
    fn from(p: domain::Promotion) -> Self {
        Self {
            id: p.id.into(),
            title: p.title,
            description: p.description,
            image: p.image,
            photo: p.photos.into_iter().next().map(Into::into),
            discount_type: p.discount_type.into(),
            discount_value: p.discount_value,
            code: p.code,
            minimum_order_value: p.minimum_order_value.minor(),
            start_date: p.start_date.into(),
            end_date: p.end_date.into(),
            is_active: p.is_active,
            applicable_products: p.applicable_products.into_iter().map(Into::into).collect(),
            usage_limit: p.usage_limit,
            per_user_limit: p.per_user_limit,
            used_count: p.used_count,
            created_at: p.created_at.into(),
            updated_at: p.updated_at.into(),
        }
    }
}

fn yes() -> bool {
    true
}

/// A promotion as staff write it.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct PromotionInput {
    #[oai(validator(min_length = 1, max_length = 120))]
    pub title: String,
    #[oai(validator(min_length = 1, max_length = 1000))]
    pub description: String,
    #[oai(validator(max_length = 2048))]
    pub image: Option<String>,
    pub discount_type: DiscountType,
    #[oai(validator(minimum(value = "1"), maximum(value = "100000000")))]
    pub discount_value: i64,
    #[oai(validator(pattern = "^[A-Za-z0-9_-]{1,32}$"))]
    pub code: Option<String>,
    #[oai(default, validator(minimum(value = "0"), maximum(value = "100000000")))]
    pub minimum_order_value: i64,
    pub start_date: DateTime<Utc>,
    pub end_date: DateTime<Utc>,
    #[oai(default = "yes")]
    pub is_active: bool,
    #[oai(default, validator(max_items = 500))]
    pub applicable_products: Vec<String>,
    #[oai(validator(minimum(value = "1")))]
    pub usage_limit: Option<u32>,
    #[oai(validator(minimum(value = "1")))]
    pub per_user_limit: Option<u32>,
}

impl PromotionInput {
    pub fn to_domain(self) -> Result<domain::PromotionDraft, ApiError> {
        let applicable_products = self
            .applicable_products
            .iter()
            .enumerate()
            .map(|(i, p)| Id::parse(&format!("applicableProducts[{i}]"), p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(domain::PromotionDraft {
            title: self.title,
            description: self.description,
            image: self.image,
            discount_type: self.discount_type.into(),
            discount_value: self.discount_value,
            code: self.code,
            minimum_order_value: Money::parse("minimumOrderValue", self.minimum_order_value)?,
            start_date: self.start_date,
            end_date: self.end_date,
            is_active: self.is_active,
            applicable_products,
            usage_limit: self.usage_limit,
            per_user_limit: self.per_user_limit,
        })
    }
}

/// The cart a promotion code is tried on. Without `fulfilment` it is priced as a delivery;
/// a delivery without `deliveryAddress` at the flat fee of `GET /shop`, with one at its
/// zone's fee (409 `OUTSIDE_DELIVERY_AREA` when in none).
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ApplyPromotionRequest {
    #[oai(validator(min_items = 1, max_items = 50))]
    pub items: Vec<CartLine>,
    // Described on the struct: a doc comment here would wrap the enum in an `allOf`.
    pub fulfilment: Option<Fulfilment>,
    /// Must be absent for a pickup (422 naming it otherwise).
    pub delivery_address: Option<DeliveryAddressInput>,
}

/// A priced cart, all amounts in minor units of `currency`.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none, example)]
pub struct Quote {
    pub subtotal: i64,
    pub discount: i64,
    pub delivery_fee: i64,
    pub taxes: i64,
    pub total: i64,
    pub currency: String,
}

impl From<DomainQuote> for Quote {
    fn from(q: DomainQuote) -> Self {
        Self {
            subtotal: q.subtotal.minor(),
            discount: q.discount.minor(),
            delivery_fee: q.delivery_fee.minor(),
            taxes: q.taxes.minor(),
            total: q.total.minor(),
            currency: q.currency.into(),
        }
    }
}

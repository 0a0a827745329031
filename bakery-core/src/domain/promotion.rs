use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{optional_text, required_text, Id, Image, Money};
use crate::error::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscountType {
    /// `discount_value` is a whole percentage, 1..=100.
    Percentage,
    /// `discount_value` is an amount in minor units.
    Fixed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Promotion {
    pub id: Id,
    pub title: String,
    pub description: String,
    pub image: Option<String>,
    /// The uploaded banner with its resized variants (at most one); written only by
    /// attaching and removing it, never by an edit of the rest.
    #[serde(default, deserialize_with = "super::photos_or_empty")]
    pub photos: Vec<Image>,
    pub discount_type: DiscountType,
    pub discount_value: i64,
    /// Upper-case code customers type; a promotion without one is a banner only.
    pub code: Option<String>,
    pub minimum_order_value: Money,
    #[serde(with = "super::time")]
    pub start_date: DateTime<Utc>,
    #[serde(with = "super::time")]
    pub end_date: DateTime<Utc>,
    pub is_active: bool,
    /// Products the discount applies to; empty means the whole cart.
    pub applicable_products: Vec<Id>,
    /// Total redemptions allowed; `None` is unlimited.
    pub usage_limit: Option<u32>,
    /// Redemptions allowed per customer; `None` is unlimited.
    pub per_user_limit: Option<u32>,
    /// Redemptions by orders that were not canceled. Maintained by the store, atomically.
    pub used_count: u32,
    #[serde(with = "super::time")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "super::time")]
    pub updated_at: DateTime<Utc>,
}

/// Everything staff decide about a promotion, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromotionDraft {
    pub title: String,
    pub description: String,
    pub image: Option<String>,
    pub discount_type: DiscountType,
    pub discount_value: i64,
    pub code: Option<String>,
    pub minimum_order_value: Money,
    pub start_date: DateTime<Utc>,
    pub end_date: DateTime<Utc>,
    pub is_active: bool,
    pub applicable_products: Vec<Id>,
    pub usage_limit: Option<u32>,
    pub per_user_limit: Option<u32>,
}

/// Codes are matched case-insensitively by storing them upper-case.
pub fn normalise_code(raw: &str) -> Result<String, Error> {
    let code = raw.trim().to_uppercase();
    if code.is_empty()
        || code.len() > 32
        || !code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Error::validation(
            "code",
            "must be 1 to 32 letters, digits, - or _",
        ));
    }
    Ok(code)
}

impl PromotionDraft {
    pub fn check(mut self) -> Result<Self, Error> {
        self.title = required_text("title", &self.title, 120)?;
        self.description = required_text("description", &self.description, 1000)?;
        self.image = optional_text("image", self.image.as_deref(), 2048)?;
        self.code = self.code.as_deref().map(normalise_code).transpose()?;
        match self.discount_type {
            DiscountType::Percentage if !(1..=100).contains(&self.discount_value) => {
                return Err(Error::validation(
                    "discountValue",
                    "a percentage must be between 1 and 100",
                ));
            }
            DiscountType::Fixed if self.discount_value <= 0 => {
                return Err(Error::validation(
                    "discountValue",
                    "a fixed discount must be greater than zero",
                ));
            }
            _ => {}
        }
        if self.end_date <= self.start_date {
            return Err(Error::validation("endDate", "must be after startDate"));
        }
        if self.usage_limit == Some(0) {
            return Err(Error::validation(
                "usageLimit",
                "must be at least 1 when set",
            ));
        }
        if self.per_user_limit == Some(0) {
            return Err(Error::validation(
                "perUserLimit",
                "must be at least 1 when set",
            ));
        }
        self.applicable_products.sort();
        self.applicable_products.dedup();
        Ok(self)
    }
}

impl Promotion {
    /// Stored fields a staff edit never overwrites: the creation time and the redemption
    /// count, which orders maintain (serde names).
    pub const STORE_MAINTAINED: &'static [&'static str] = &["createdAt", "usedCount", "photos"];

    pub fn create(draft: PromotionDraft, now: DateTime<Utc>) -> Self {
        Self {
            id: Id::generate(),
            title: draft.title,
            description: draft.description,
            image: draft.image,
            photos: Vec::new(),
            discount_type: draft.discount_type,
            discount_value: draft.discount_value,
            code: draft.code,
            minimum_order_value: draft.minimum_order_value,
            start_date: draft.start_date,
            end_date: draft.end_date,
            is_active: draft.is_active,
            applicable_products: draft.applicable_products,
            usage_limit: draft.usage_limit,
            per_user_limit: draft.per_user_limit,
            used_count: 0,
            created_at: now,
            updated_at: now,
        }
    }

    /// Overwrites the staff-editable fields; the redemption count is the store's.
    pub fn apply(&mut self, draft: PromotionDraft, now: DateTime<Utc>) {
        self.title = draft.title;
        self.description = draft.description;
        self.image = draft.image;
        self.discount_type = draft.discount_type;
        self.discount_value = draft.discount_value;
        self.code = draft.code;
        self.minimum_order_value = draft.minimum_order_value;
        self.start_date = draft.start_date;
        self.end_date = draft.end_date;
        self.is_active = draft.is_active;
        self.applicable_products = draft.applicable_products;
        self.usage_limit = draft.usage_limit;
        self.per_user_limit = draft.per_user_limit;
        self.updated_at = now;
    }
}

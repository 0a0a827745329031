use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{check_option_groups, optional_text, required_text, Id, Image, Money, OptionGroup};
use crate::error::Error;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Category {
    pub id: Id,
    pub name: String,
    pub description: Option<String>,
    pub image: Option<String>,
    /// Uploaded pictures with their resized variants (see `domain::image`); written only by
    /// attaching and removing pictures, never by an edit of the rest.
    #[serde(default, deserialize_with = "super::photos_or_empty")]
    pub photos: Vec<Image>,
    pub is_active: bool,
    pub display_order: i32,
    #[serde(with = "super::time")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "super::time")]
    pub updated_at: DateTime<Utc>,
}

impl Category {
    /// Stored fields an edit never overwrites (serde names): the pictures, which have
    /// their own operations.
    pub const STORE_MAINTAINED: &'static [&'static str] = &["photos"];

    pub fn check(
        name: &str,
        description: Option<&str>,
        image: Option<&str>,
    ) -> Result<(String, Option<String>, Option<String>), Error> {
        Ok((
            required_text("name", name, 80)?,
            optional_text("description", description, 1000)?,
            optional_text("image", image, 2048)?,
        ))
    }
}

/// Per-serving nutrition as printed on the label: grams, and kilocalories for `calories`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NutritionalInfo {
    pub calories: Option<f64>,
    pub fat: Option<f64>,
    pub carbs: Option<f64>,
    pub protein: Option<f64>,
}

impl NutritionalInfo {
    pub fn check(self) -> Result<Self, Error> {
        for (field, value) in [
            ("nutritionalInfo.calories", self.calories),
            ("nutritionalInfo.fat", self.fat),
            ("nutritionalInfo.carbs", self.carbs),
            ("nutritionalInfo.protein", self.protein),
        ] {
            if let Some(v) = value {
                if !v.is_finite() || !(0.0..=100_000.0).contains(&v) {
                    return Err(Error::validation(field, "must be a non-negative number"));
                }
            }
        }
        Ok(self)
    }
}

/// The review aggregate kept on the product so listings can sort by rating without a join.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ratings {
    pub average: f64,
    pub count: u32,
}

impl Ratings {
    /// The aggregate of `count` reviews whose ratings add up to `sum`. Summed as integers
    /// and divided once, so the average is exact up to one rounding on every store, and a
    /// product with no reviews reads 0 rather than NaN.
    pub fn from_totals(count: u64, sum: u64) -> Result<Self, Error> {
        Ok(Self {
            average: if count == 0 {
                0.0
            } else {
                sum as f64 / count as f64
            },
            count: u32::try_from(count).map_err(Error::internal)?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub id: Id,
    pub name: String,
    pub description: String,
    pub category_id: Id,
    pub price: Money,
    /// A reduced price; when set it is what the customer pays.
    pub discount_price: Option<Money>,
    pub images: Vec<String>,
    /// Uploaded pictures with their resized variants (see `domain::image`); written only by
    /// attaching and removing pictures, never by an edit of the rest.
    #[serde(default, deserialize_with = "super::photos_or_empty")]
    pub photos: Vec<Image>,
    pub ingredients: Vec<String>,
    pub nutritional_info: NutritionalInfo,
    pub is_vegetarian: bool,
    /// Lower-cased allergen names, so filters match however staff typed them.
    pub allergens: Vec<String>,
    /// Minutes the kitchen needs; drives the ETA and the earliest scheduled time.
    pub preparation_time: u32,
    pub is_available: bool,
    pub is_featured: bool,
    /// Units left today; `None` means not limited.
    pub stock: Option<u32>,
    /// What the customer chooses when ordering (size, add-ons, a message), each option with
    /// what it adds to the price. Products stored before options existed have none.
    #[serde(default)]
    pub option_groups: Vec<OptionGroup>,
    /// Units baked each day (croissants: 120), apart from `stock`: every local day of the
    /// shop has its own count, kept by the store beside the product. `None` means no daily
    /// limit. Products stored before daily bakes existed read as `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_quantity: Option<u32>,
    /// What is left of today's bake, as the catalog shows it. Worked out by the catalog use
    /// cases from the day's count when they read the product; never stored.
    #[serde(skip)]
    pub today: Option<TodaysBake>,
    pub ratings: Ratings,
    /// Units in orders that were not canceled: what "popular" ranks by.
    pub units_sold: u64,
    #[serde(with = "super::time")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "super::time")]
    pub updated_at: DateTime<Utc>,
}

impl Product {
    /// Stored fields a staff edit never overwrites: the creation time, and the counters the
    /// store maintains (ratings from reviews, units sold from orders). Serde names, so every
    /// adapter can keep them from the stored document whatever the caller holds.
    pub const STORE_MAINTAINED: &'static [&'static str] =
        &["createdAt", "ratings", "unitsSold", "photos"];

    /// The unit price an order is charged today.
    pub fn effective_price(&self) -> Money {
        self.discount_price.unwrap_or(self.price)
    }

    /// Builds a new product from checked staff input.
    pub fn create(draft: ProductDraft, now: DateTime<Utc>) -> Self {
        let mut product = Self {
            id: Id::generate(),
            name: String::new(),
            description: String::new(),
            category_id: draft.category_id.clone(),
            price: Money::ZERO,
            discount_price: None,
            images: Vec::new(),
            photos: Vec::new(),
            ingredients: Vec::new(),
            nutritional_info: NutritionalInfo::default(),
            is_vegetarian: false,
            allergens: Vec::new(),
            preparation_time: 0,
            is_available: true,
            is_featured: false,
            stock: None,
            option_groups: Vec::new(),
            daily_quantity: None,
            today: None,
            ratings: Ratings::default(),
            units_sold: 0,
            created_at: now,
            updated_at: now,
        };
        product.apply(draft, now);
        product
    }

    /// Overwrites the staff-editable fields; ratings and sales stay as the store keeps them.
    pub fn apply(&mut self, draft: ProductDraft, now: DateTime<Utc>) {
        self.name = draft.name;
        self.description = draft.description;
        self.category_id = draft.category_id;
        self.price = draft.price;
        self.discount_price = draft.discount_price;
        self.images = draft.images;
        self.ingredients = draft.ingredients;
        self.nutritional_info = draft.nutritional_info;
        self.is_vegetarian = draft.is_vegetarian;
        self.allergens = draft.allergens;
        self.preparation_time = draft.preparation_time;
        self.is_available = draft.is_available;
        self.is_featured = draft.is_featured;
        self.stock = draft.stock;
        self.option_groups = draft.option_groups;
        self.daily_quantity = draft.daily_quantity;
        self.updated_at = now;
    }
}

/// Everything staff decide about a product, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct ProductDraft {
    pub name: String,
    pub description: String,
    pub category_id: Id,
    pub price: Money,
    pub discount_price: Option<Money>,
    pub images: Vec<String>,
    pub ingredients: Vec<String>,
    pub nutritional_info: NutritionalInfo,
    pub is_vegetarian: bool,
    pub allergens: Vec<String>,
    pub preparation_time: u32,
    pub is_available: bool,
    pub is_featured: bool,
    pub stock: Option<u32>,
    pub option_groups: Vec<OptionGroup>,
    /// Units baked a day; `None` for no daily limit.
    pub daily_quantity: Option<u32>,
}

/// The most a product can be baked in a day: far above any bakery's oven, low enough that a
/// typo (120000 for 120) is caught.
pub const MAX_DAILY_QUANTITY: u32 = 10_000;

/// A product's bake on one local day of the shop, as the catalog shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TodaysBake {
    /// The shop's local day it counts.
    pub day: NaiveDate,
    /// Units still to be ordered that day (0 when sold out).
    pub left: u32,
    /// When sold out: the first time a later day's bake can be ordered (the next opening on a
    /// later day, or the next local midnight for a shop without hours); `None` while some
    /// are left, or when the shop does not open in the days searched.
    pub next_available: Option<DateTime<Utc>>,
}

/// The longest entry each of a product's text lists takes, by field; the contract states
/// them too (an entry's `maxLength`).
pub const PRODUCT_LIST_ENTRY_MAX_CHARS: [(&str, usize); 3] =
    [("images", 2048), ("ingredients", 80), ("allergens", 40)];

impl ProductDraft {
    /// Checks the cross-field rules: a discount must be below the price, lists are bounded
    /// and free of blanks, preparation fits in a day.
    pub fn check(mut self) -> Result<Self, Error> {
        self.name = required_text("name", &self.name, 120)?;
        self.description = required_text("description", &self.description, 2000)?;
        if self.price == Money::ZERO {
            return Err(Error::validation("price", "must be greater than zero"));
        }
        if let Some(discount) = self.discount_price {
            if discount >= self.price {
                return Err(Error::validation(
                    "discountPrice",
                    "must be below the price",
                ));
            }
        }
        let [images, ingredients, allergens] = PRODUCT_LIST_ENTRY_MAX_CHARS.map(|(_, max)| max);
        self.images = clean_list("images", self.images, 10, images)?;
        self.ingredients = clean_list("ingredients", self.ingredients, 50, ingredients)?;
        self.allergens = clean_list("allergens", self.allergens, 20, allergens)?
            .into_iter()
            .map(|a| a.to_lowercase())
            .collect();
        self.allergens.dedup();
        if self.preparation_time > 24 * 60 {
            return Err(Error::validation(
                "preparationTime",
                "must be at most 1440 minutes",
            ));
        }
        self.nutritional_info = self.nutritional_info.check()?;
        self.option_groups = check_option_groups(self.option_groups)?;
        if let Some(daily) = self.daily_quantity {
            if !(1..=MAX_DAILY_QUANTITY).contains(&daily) {
                return Err(Error::validation(
                    "dailyQuantity",
                    format!("must be between 1 and {MAX_DAILY_QUANTITY}"),
                ));
            }
        }
        Ok(self)
    }
}

fn clean_list(
    field: &str,
    items: Vec<String>,
    max_items: usize,
    max_chars: usize,
) -> Result<Vec<String>, Error> {
    if items.len() > max_items {
        return Err(Error::validation(
            field,
            format!("at most {max_items} entries"),
        ));
    }
    items
        .iter()
        .map(|item| required_text(field, item, max_chars))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn draft() -> ProductDraft {
        ProductDraft {
            name: "Croissant".into(),
            description: "Butter".into(),
            category_id: Id::generate(),
            price: Money::from_minor(250),
            discount_price: None,
            images: vec![],
            ingredients: vec!["flour".into()],
            nutritional_info: NutritionalInfo::default(),
            is_vegetarian: true,
            allergens: vec!["Gluten".into(), " Milk ".into()],
            preparation_time: 10,
            is_available: true,
            is_featured: false,
            stock: None,
            option_groups: Vec::new(),
            daily_quantity: None,
        }
    }

    #[test]
    fn draft_normalises_allergens() {
        assert_eq!(draft().check().unwrap().allergens, vec!["gluten", "milk"]);
    }

    #[test]
    fn draft_names_the_broken_field() {
        type Breakage = Box<dyn Fn(&mut ProductDraft)>;
        let cases: Vec<(&str, Breakage)> = vec![
            ("name", Box::new(|d| d.name = " ".into())),
            ("price", Box::new(|d| d.price = Money::ZERO)),
            (
                "discountPrice",
                Box::new(|d| d.discount_price = Some(Money::from_minor(250))),
            ),
            ("ingredients", Box::new(|d| d.ingredients = vec!["".into()])),
            ("preparationTime", Box::new(|d| d.preparation_time = 5000)),
            ("dailyQuantity", Box::new(|d| d.daily_quantity = Some(0))),
            (
                "dailyQuantity",
                Box::new(|d| d.daily_quantity = Some(MAX_DAILY_QUANTITY + 1)),
            ),
            (
                "nutritionalInfo.fat",
                Box::new(|d| d.nutritional_info.fat = Some(-1.0)),
            ),
            (
                "optionGroups[0].maxChoices",
                Box::new(|d| {
                    d.option_groups = crate::domain::tests_support::cake_groups();
                    d.option_groups[0].max_choices = 9;
                }),
            ),
        ];
        for (field, mutate) in cases {
            let mut d = draft();
            mutate(&mut d);
            match d.check() {
                Err(Error::Validation { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }
}

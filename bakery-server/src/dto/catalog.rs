//! Categories and products.

use super::timestamp::Timestamp;
use bakery_core::domain::{self, Id, Money};
use bakery_core::ports::ProductSort;
use bakery_core::services::CategoryInput as DomainCategoryInput;
use poem_openapi::{Enum, Object};

use crate::error::ApiError;

/// A shelf of the catalog (breads, pastries, cakes...). `image` is a typed URL kept for
/// compatibility; `photo` is an uploaded picture with sizes for phones.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct Category {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// An image URL typed by staff (kept for shops that host pictures elsewhere).
    pub image: Option<String>,
    /// The uploaded picture, with its sizes (`POST /admin/categories/{id}/image/uploads`).
    pub photo: Option<super::image::Image>,
    pub is_active: bool,
    /// Lower comes first in the app.
    pub display_order: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<domain::Category> for Category {
    fn from(c: domain::Category) -> Self {
        Self {
            id: c.id.into(),
            name: c.name,
            description: c.description,
            image: c.image,
            photo: c.photos.into_iter().next().map(Into::into),
            is_active: c.is_active,
            display_order: c.display_order,
            created_at: c.created_at.into(),
            updated_at: c.updated_at.into(),
        }
    }
}

fn yes() -> bool {
    true
}

/// A category as staff write it.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct CategoryInput {
    #[oai(validator(min_length = 1, max_length = 80))]
    pub name: String,
    #[oai(validator(max_length = 1000))]
    pub description: Option<String>,
    #[oai(validator(max_length = 2048))]
    pub image: Option<String>,
    #[oai(default = "yes")]
    pub is_active: bool,
    #[oai(
        default,
        validator(minimum(value = "-100000"), maximum(value = "100000"))
    )]
    pub display_order: i32,
}

impl From<CategoryInput> for DomainCategoryInput {
    fn from(c: CategoryInput) -> Self {
        Self {
            name: c.name,
            description: c.description,
            image: c.image,
            is_active: c.is_active,
            display_order: c.display_order,
        }
    }
}

/// Per serving: kilocalories for `calories`, grams for the rest.
#[derive(Object, Debug, Clone, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct NutritionalInfo {
    #[oai(validator(minimum(value = "0"), maximum(value = "100000")))]
    pub calories: Option<f64>,
    #[oai(validator(minimum(value = "0"), maximum(value = "100000")))]
    pub fat: Option<f64>,
    #[oai(validator(minimum(value = "0"), maximum(value = "100000")))]
    pub carbs: Option<f64>,
    #[oai(validator(minimum(value = "0"), maximum(value = "100000")))]
    pub protein: Option<f64>,
}

impl From<domain::NutritionalInfo> for NutritionalInfo {
    fn from(n: domain::NutritionalInfo) -> Self {
        Self {
            calories: n.calories,
            fat: n.fat,
            carbs: n.carbs,
            protein: n.protein,
        }
    }
}

impl From<NutritionalInfo> for domain::NutritionalInfo {
    fn from(n: NutritionalInfo) -> Self {
        Self {
            calories: n.calories,
            fat: n.fat,
            carbs: n.carbs,
            protein: n.protein,
        }
    }
}

/// Review aggregate.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct Ratings {
    /// 0 when there are no reviews.
    pub average: f64,
    pub count: u32,
}

/// How a group is filled in: `choice` picks `minChoices` to `maxChoices` of its `options`;
/// `text` takes one text of at most `maxLength` characters (a message on a cake), charging
/// the group's `priceDelta` when one is written. More kinds may be added: an app that does
/// not know one cannot sell the product (if the group is required) or leaves it out.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum OptionKind {
    Choice,
    Text,
}

impl From<domain::OptionKind> for OptionKind {
    fn from(k: domain::OptionKind) -> Self {
        match k {
            domain::OptionKind::Choice => Self::Choice,
            domain::OptionKind::Text => Self::Text,
        }
    }
}

impl From<OptionKind> for domain::OptionKind {
    fn from(k: OptionKind) -> Self {
        match k {
            OptionKind::Choice => Self::Choice,
            OptionKind::Text => Self::Text,
        }
    }
}

/// One option of a `choice` group.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ProductOption {
    /// What a cart line's `choices` name.
    pub key: String,
    pub label: String,
    /// Added to the unit price when chosen, minor units (0 or more).
    pub price_delta: i64,
}

/// A group of options of a product (size, add-ons, a message on the cake). It is required
/// when `minChoices` is 1 or more: a cart line must then fill it in. `kind` says how: see
/// `OptionKind`.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct OptionGroup {
    /// Unique within the product: what a cart line's `options[].group` names.
    pub key: String,
    pub label: String,
    pub kind: OptionKind,
    pub min_choices: u32,
    pub max_choices: u32,
    /// The options of a `choice` group; empty for a `text` group.
    pub options: Vec<ProductOption>,
    /// The longest text a `text` group takes, in characters; absent for a `choice` group.
    pub max_length: Option<u32>,
    /// What a `text` group adds when a text is written, minor units; 0 for a `choice` group.
    pub price_delta: i64,
}

impl From<domain::OptionGroup> for OptionGroup {
    fn from(g: domain::OptionGroup) -> Self {
        Self {
            key: g.key,
            label: g.label,
            kind: g.kind.into(),
            min_choices: g.min_choices,
            max_choices: g.max_choices,
            options: g
                .options
                .into_iter()
                .map(|o| ProductOption {
                    key: o.key,
                    label: o.label,
                    price_delta: o.price_delta.minor(),
                })
                .collect(),
            max_length: g.max_length,
            price_delta: g.price_delta.minor(),
        }
    }
}

/// One option of a `choice` group as staff write it.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ProductOptionInput {
    /// Unique within the group: lower-case letters, digits, `_` and `-`.
    #[oai(validator(pattern = "^[a-z0-9][a-z0-9_-]{0,31}$"))]
    pub key: String,
    #[oai(validator(min_length = 1, max_length = 80))]
    pub label: String,
    /// Added to the unit price when chosen, minor units; never negative.
    #[oai(default, validator(minimum(value = "0"), maximum(value = "100000000")))]
    pub price_delta: i64,
}

fn one() -> u32 {
    1
}

/// A group of options as staff write it. `kind` is `choice` when absent: 1 to 20 `options`,
/// of which a cart line picks `minChoices` (0 makes the group optional) to `maxChoices`
/// (at most the number of options). A `text` group has no options, a `maxLength` (1 to 200),
/// `maxChoices` 1, `minChoices` 0 or 1, and may charge a `priceDelta` when a text is
/// written. Refusals name the field, e.g. `optionGroups[0].maxChoices`.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct OptionGroupInput {
    /// Unique within the product: lower-case letters, digits, `_` and `-`.
    #[oai(validator(pattern = "^[a-z0-9][a-z0-9_-]{0,31}$"))]
    pub key: String,
    #[oai(validator(min_length = 1, max_length = 80))]
    pub label: String,
    pub kind: Option<OptionKind>,
    #[oai(default, validator(maximum(value = "20")))]
    pub min_choices: u32,
    #[oai(
        default = "one",
        validator(minimum(value = "1"), maximum(value = "20"))
    )]
    pub max_choices: u32,
    #[oai(default, validator(max_items = 20))]
    pub options: Vec<ProductOptionInput>,
    #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
    pub max_length: Option<u32>,
    /// For a `text` group: added to the unit price when a text is written, minor units.
    #[oai(default, validator(minimum(value = "0"), maximum(value = "100000000")))]
    pub price_delta: i64,
}

impl OptionGroupInput {
    fn into_domain(self, field: &str) -> Result<domain::OptionGroup, ApiError> {
        let options = self
            .options
            .into_iter()
            .enumerate()
            .map(|(j, o)| {
                Ok(domain::ProductOption {
                    price_delta: Money::parse(
                        &format!("{field}.options[{j}].priceDelta"),
                        o.price_delta,
                    )?,
                    key: o.key,
                    label: o.label,
                })
            })
            .collect::<Result<_, ApiError>>()?;
        Ok(domain::OptionGroup {
            price_delta: Money::parse(&format!("{field}.priceDelta"), self.price_delta)?,
            key: self.key,
            label: self.label,
            kind: self.kind.map_or(domain::OptionKind::Choice, Into::into),
            min_choices: self.min_choices,
            max_choices: self.max_choices,
            options,
            max_length: self.max_length,
        })
    }
}

/// A product of the catalog as customers see it. Prices are in minor units; `effectivePrice`
/// is what an order charges. `images` are typed URLs kept for compatibility; `photos` are
/// uploaded pictures with a URL per size.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none, example)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub description: String,
    /// The category id.
    pub category: String,
    /// Minor units of the shop currency (450 = 4.50).
    pub price: i64,
    /// A reduced price in minor units; when set it is what an order charges.
    pub discount_price: Option<i64>,
    /// Image URLs typed by staff (kept for shops that host pictures elsewhere).
    pub images: Vec<String>,
    /// Uploaded pictures, up to 10, each with its sizes
    /// (`POST /admin/products/{id}/images/uploads`).
    pub photos: Vec<super::image::Image>,
    pub ingredients: Vec<String>,
    pub nutritional_info: NutritionalInfo,
    pub is_vegetarian: bool,
    /// Lower-case allergen names.
    pub allergens: Vec<String>,
    /// Minutes the kitchen needs.
    pub preparation_time: u32,
    pub is_available: bool,
    pub is_featured: bool,
    /// Units left; `null` when not limited.
    pub stock: Option<u32>,
    /// What a customer chooses when ordering it (size, add-ons, a message); empty for most
    /// products. A cart line names its choices in `options`; the price is `effectivePrice`
    /// plus the chosen options' `priceDelta`s.
    pub option_groups: Vec<OptionGroup>,
    /// Units baked each day (the shop's local day, `SHOP_TIMEZONE`), apart from `stock`;
    /// absent when there is no daily limit.
    pub daily_quantity: Option<u32>,
    /// Units of today's bake still to be ordered as soon as possible (0 when sold out for
    /// today); absent when there is no daily limit. Scheduled orders take from the bake of
    /// the day they are for.
    pub left_today: Option<u32>,
    /// When sold out for today: the first time a later day's bake can be ordered (the next
    /// opening on a later day, or the next local midnight for a shop without hours). Absent
    /// while some are left, or when the shop does not open in the next 14 days.
    pub next_available: Option<Timestamp>,
    pub ratings: Ratings,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<domain::Product> for Product {
    fn from(p: domain::Product) -> Self {
        Self {
            id: p.id.into(),
            name: p.name,
            description: p.description,
            category: p.category_id.into(),
            price: p.price.minor(),
            discount_price: p.discount_price.map(Money::minor),
            images: p.images,
            photos: super::image::images(p.photos),
            ingredients: p.ingredients,
            nutritional_info: p.nutritional_info.into(),
            is_vegetarian: p.is_vegetarian,
            allergens: p.allergens,
            preparation_time: p.preparation_time,
            is_available: p.is_available,
            is_featured: p.is_featured,
            stock: p.stock,
            option_groups: p.option_groups.into_iter().map(Into::into).collect(),
            daily_quantity: p.daily_quantity,
            left_today: p.today.map(|t| t.left),
            next_available: p.today.and_then(|t| t.next_available).map(Into::into),
            ratings: Ratings {
                average: p.ratings.average,
                count: p.ratings.count,
            },
            created_at: p.created_at.into(),
            updated_at: p.updated_at.into(),
        }
    }
}

/// A product as staff write it. Prices in minor units.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ProductInput {
    #[oai(validator(min_length = 1, max_length = 120))]
    pub name: String,
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub description: String,
    /// The category id.
    #[oai(validator(pattern = "^[0-9a-fA-F]{24}$"))]
    pub category: String,
    #[oai(validator(minimum(value = "1"), maximum(value = "100000000")))]
    pub price: i64,
    #[oai(validator(minimum(value = "0"), maximum(value = "100000000")))]
    pub discount_price: Option<i64>,
    #[oai(default, validator(max_items = 10))]
    pub images: Vec<String>,
    #[oai(default, validator(max_items = 50))]
    pub ingredients: Vec<String>,
    pub nutritional_info: Option<NutritionalInfo>,
    #[oai(default)]
    pub is_vegetarian: bool,
    #[oai(default, validator(max_items = 20))]
    pub allergens: Vec<String>,
    /// Minutes, at most a day.
    #[oai(default, validator(maximum(value = "1440")))]
    pub preparation_time: u32,
    #[oai(default = "yes")]
    pub is_available: bool,
    #[oai(default)]
    pub is_featured: bool,
    /// Units available; omit for unlimited.
    #[oai(validator(maximum(value = "1000000")))]
    pub stock: Option<u32>,
    /// The choices a customer makes when ordering it; none when absent.
    #[oai(default, validator(max_items = 10))]
    pub option_groups: Vec<OptionGroupInput>,
    /// Units baked each day, counted per local day of the shop apart from `stock`
    /// (croissants: 120); omit for no daily limit.
    #[oai(validator(minimum(value = "1"), maximum(value = "10000")))]
    pub daily_quantity: Option<u32>,
}

impl ProductInput {
    pub fn to_domain(self) -> Result<domain::ProductDraft, ApiError> {
        Ok(domain::ProductDraft {
            category_id: Id::parse("category", &self.category)?,
            price: Money::parse("price", self.price)?,
            discount_price: self
                .discount_price
                .map(|d| Money::parse("discountPrice", d))
                .transpose()?,
            name: self.name,
            description: self.description,
            images: self.images,
            ingredients: self.ingredients,
            nutritional_info: self.nutritional_info.unwrap_or_default().into(),
            is_vegetarian: self.is_vegetarian,
            allergens: self.allergens,
            preparation_time: self.preparation_time,
            is_available: self.is_available,
            is_featured: self.is_featured,
            stock: self.stock,
            option_groups: self
                .option_groups
                .into_iter()
                .enumerate()
                .map(|(i, g)| g.into_domain(&format!("optionGroups[{i}]")))
                .collect::<Result<_, _>>()?,
            daily_quantity: self.daily_quantity,
        })
    }
}

/// Listing order.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[oai(rename_all = "snake_case")]
pub enum SortBy {
    #[default]
    Newest,
    PriceAsc,
    PriceDesc,
    Rating,
    Popularity,
    Name,
}

impl From<SortBy> for ProductSort {
    fn from(s: SortBy) -> Self {
        match s {
            SortBy::Newest => Self::Newest,
            SortBy::PriceAsc => Self::PriceAsc,
            SortBy::PriceDesc => Self::PriceDesc,
            SortBy::Rating => Self::Rating,
            SortBy::Popularity => Self::Popularity,
            SortBy::Name => Self::Name,
        }
    }
}

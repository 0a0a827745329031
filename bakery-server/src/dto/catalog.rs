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

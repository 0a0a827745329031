//! Product reviews.

use super::timestamp::Timestamp;
use bakery_core::domain;
use poem_openapi::Object;

/// A customer's rating (1 to 5) and comment on a product they received, with pictures.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct Review {
    pub id: String,
    /// The product id.
    pub product: String,
    /// The author's user id.
    pub user: String,
    pub user_name: String,
    /// 1..=5.
    pub rating: u8,
    pub comment: Option<String>,
    pub images: Vec<String>,
    /// Pictures the author uploaded, up to 3, each with its sizes
    /// (`POST /reviews/{id}/images/uploads`).
    pub photos: Vec<super::image::Image>,
    pub is_approved: bool,
    pub likes: u32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<domain::Review> for Review {
    fn from(r: domain::Review) -> Self {
        Self {
            id: r.id.into(),
            product: r.product_id.into(),
            user: r.user_id.into(),
            user_name: r.user_name,
            rating: r.rating.get(),
            comment: r.comment,
            images: r.images,
            photos: super::image::images(r.photos),
            is_approved: r.is_approved,
            likes: r.likes,
            created_at: r.created_at.into(),
            updated_at: r.updated_at.into(),
        }
    }
}

/// A review as its author writes it.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct ReviewInput {
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub rating: u8,
    #[oai(validator(max_length = 2000))]
    pub comment: Option<String>,
}

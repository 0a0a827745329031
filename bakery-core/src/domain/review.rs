use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Id, Image};
use crate::error::Error;

/// A star rating, 1 to 5 inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Rating(u8);

impl Rating {
    pub fn parse(raw: i64) -> Result<Self, Error> {
        match u8::try_from(raw) {
            Ok(r @ 1..=5) => Ok(Self(r)),
            _ => Err(Error::validation("rating", "must be between 1 and 5")),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Rating {
    type Error = Error;
    fn try_from(value: u8) -> Result<Self, Error> {
        Self::parse(i64::from(value))
    }
}

impl From<Rating> for u8 {
    fn from(r: Rating) -> Self {
        r.0
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    pub id: Id,
    pub product_id: Id,
    pub user_id: Id,
    /// The reviewer's name at the time of writing, so a listing needs no user lookup.
    pub user_name: String,
    pub rating: Rating,
    pub comment: Option<String>,
    pub images: Vec<String>,
    /// Uploaded pictures with their resized variants (see `domain::image`); written only by
    /// attaching and removing pictures, never by an edit of the rest.
    #[serde(default, deserialize_with = "super::photos_or_empty")]
    pub photos: Vec<Image>,
    pub is_approved: bool,
    pub likes: u32,
    #[serde(with = "super::time")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "super::time")]
    pub updated_at: DateTime<Utc>,
}

impl Review {
    /// Stored fields an edit never overwrites: a review cannot move to another product or
    /// author, and keeps its creation time (serde names).
    pub const STORE_MAINTAINED: &'static [&'static str] =
        &["productId", "userId", "createdAt", "photos"];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rating_bounds() {
        assert!(Rating::parse(0).is_err());
        assert!(Rating::parse(6).is_err());
        assert!(Rating::parse(-3).is_err());
        assert_eq!(Rating::parse(5).unwrap().get(), 5);
    }
}

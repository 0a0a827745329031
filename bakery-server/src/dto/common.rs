//! Shapes and helpers every area uses: pages, messages, empty answers, id parsing.

use bakery_core::domain::{self, Id};
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::{ApiResponse, Object};

use crate::error::ApiError;

/// One page of a list and the size of the whole list.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct Page<T: ParseFromJSON + ToJSON> {
    pub items: Vec<T>,
    /// The page returned, from 1.
    pub page: u32,
    /// Items per page, 1..=100.
    pub limit: u32,
    /// Items in the whole list.
    pub total: u64,
}

impl<T: ParseFromJSON + ToJSON> Page<T> {
    pub fn from_domain<D>(page: domain::Page<D>) -> Self
    where
        T: From<D>,
    {
        Self {
            items: page.items.into_iter().map(T::from).collect(),
            page: page.page,
            limit: page.limit,
            total: page.total,
        }
    }
}

/// A short human-readable confirmation.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct Message {
    pub message: String,
}

impl Message {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// Success with nothing to say.
#[derive(ApiResponse, Debug)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

/// Parses an id the validators already shaped; `field` names it in a 422.
pub fn id(field: &str, raw: &str) -> Result<Id, ApiError> {
    Id::parse(field, raw).map_err(ApiError::from)
}

/// A resource was created; the body is the resource.
#[derive(ApiResponse, Debug)]
pub enum Created<T: ToJSON> {
    /// Created.
    #[oai(status = 201)]
    Created(poem_openapi::payload::Json<T>),
}

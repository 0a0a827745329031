//! Categories and products: what the shop sells and how customers browse it.

use async_trait::async_trait;

use super::StoreResult;
use crate::domain::{Category, Id, PageRequest, Product};

/// Which products a listing shows. Prices compare against the effective price (discount
/// price when set). `available_only` looks at the staff's availability flag only: a limited
/// product at stock 0 still lists (as sold out), so customers see what the shop makes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProductFilter {
    pub category: Option<Id>,
    pub vegetarian: Option<bool>,
    /// Lower-case allergen the product must not contain.
    pub exclude_allergen: Option<String>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub available_only: bool,
    pub featured_only: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProductSort {
    #[default]
    Newest,
    /// By effective price (discount price when set), as customers compare prices.
    PriceAsc,
    PriceDesc,
    /// Highest average first, then most reviews.
    Rating,
    /// Most units sold first, then highest rating.
    Popularity,
    Name,
}

#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// `DUPLICATE_NAME` when the name is taken.
    async fn insert_category(&self, category: &Category) -> StoreResult<()>;
    async fn get_category(&self, id: &Id) -> StoreResult<Option<Category>>;
    /// `false` when it does not exist; `DUPLICATE_NAME` when renamed onto another.
    async fn update_category(&self, category: &Category) -> StoreResult<bool>;
    /// `CATEGORY_IN_USE` ([`super::category_in_use`]) while products reference it; `false`
    /// when it does not exist.
    async fn delete_category(&self, id: &Id) -> StoreResult<bool>;
    /// By display order, then name.
    async fn list_categories(&self, include_inactive: bool) -> StoreResult<Vec<Category>>;

    async fn insert_product(&self, product: &Product) -> StoreResult<()>;
    async fn get_product(&self, id: &Id) -> StoreResult<Option<Product>>;
    /// In the order asked for; ids that match nothing are left out.
    async fn get_products(&self, ids: &[Id]) -> StoreResult<Vec<Product>>;
    /// Writes the product, keeping [`Product::STORE_MAINTAINED`] as stored.
    async fn update_product(&self, product: &Product) -> StoreResult<bool>;
    async fn delete_product(&self, id: &Id) -> StoreResult<bool>;
    async fn list_products(
        &self,
        filter: &ProductFilter,
        sort: ProductSort,
        page: PageRequest,
    ) -> StoreResult<(Vec<Product>, u64)>;
    /// Every product the filter admits, unpaged, for search ranking.
    async fn search_candidates(&self, filter: &ProductFilter) -> StoreResult<Vec<Product>>;
}

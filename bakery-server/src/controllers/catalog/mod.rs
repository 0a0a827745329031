//! Browsing the catalog: categories, product listings, search.

use bakery_core::ports::ProductFilter;
use bakery_core::services::ProductListing;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::ApiTags;
use crate::dto::catalog::{Category, Product, SortBy};
use crate::dto::common::Page;
use crate::dto::params::{page, PageNumber, PageSize, PathId, QueryId};
use crate::error::ApiError;
use crate::state::AppState;

pub struct CatalogApi;

/// The filters every product listing takes.
#[allow(clippy::too_many_arguments)]
fn listing(
    vegetarian: Option<bool>,
    exclude_allergen: Option<String>,
    min_price: Option<i64>,
    max_price: Option<i64>,
    available: Option<bool>,
    featured: Option<bool>,
    sort: Option<SortBy>,
    page_no: PageNumber,
    limit: PageSize,
) -> Result<ProductListing, ApiError> {
    Ok(ProductListing {
        filter: ProductFilter {
            category: None,
            vegetarian,
            exclude_allergen: exclude_allergen.map(|a| a.trim().to_lowercase()),
            min_price,
            max_price,
            available_only: available.unwrap_or(false),
            featured_only: featured.unwrap_or(false),
        },
        sort: sort.unwrap_or_default().into(),
        page: page(page_no, limit)?,
    })
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Catalog")]
impl CatalogApi {
    /// List active categories in display order
    ///
    /// The categories customers browse, ordered by `displayOrder`, inactive ones left out. Served
    /// from the catalog cache with an `ETag`.
    #[oai(path = "/categories", method = "get", operation_id = "list_categories")]
    async fn list_categories(
        &self,
        state: Data<&AppState>,
        /// Page number, from 1.
        page: PageNumber,
        /// Items per page, 1..=100 (default 20).
        limit: PageSize,
    ) -> Result<Json<Page<Category>>, ApiError> {
        let categories = state
            .bakery
            .categories(false, self::page(page, limit)?)
            .await?;
        Ok(Json(Page::from_domain(categories)))
    }

    /// List the products of one category
    ///
    /// The products filed under one category, with the same filters, sorting and pagination as `GET
    /// /products`. 404 when the category does not exist.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/categories/:id/products",
        method = "get",
        operation_id = "list_category_products"
    )]
    async fn list_category_products(
        &self,
        state: Data<&AppState>,
        /// The category id.
        id: PathId,
        vegetarian: Query<Option<bool>>,
        /// Leave out products containing this allergen.
        #[oai(name = "excludeAllergen", validator(max_length = 40))]
        exclude_allergen: Query<Option<String>>,
        /// Minimum effective price, minor units.
        #[oai(name = "minPrice", validator(minimum(value = "0")))]
        min_price: Query<Option<i64>>,
        /// Maximum effective price, minor units.
        #[oai(name = "maxPrice", validator(minimum(value = "0")))]
        max_price: Query<Option<i64>>,
        /// Only products that can be ordered now.
        available: Query<Option<bool>>,
        sort: Query<Option<SortBy>>,
        /// Page number, from 1.
        page: PageNumber,
        /// Items per page, 1..=100 (default 20).
        limit: PageSize,
    ) -> Result<Json<Page<Product>>, ApiError> {
        let listing = listing(
            vegetarian.0,
            exclude_allergen.0,
            min_price.0,
            max_price.0,
            available.0,
            None,
            sort.0,
            page,
            limit,
        )?;
        let products = state.bakery.category_products(&id, listing).await?;
        Ok(Json(Page::from_domain(products)))
    }

    /// List products with filters, sorting and pagination
    ///
    /// The catalog: filter by category, availability, price range and dietary flags; sort by price,
    /// rating, popularity or newest; paginate with `page` and `limit`. Served from the catalog
    /// cache (never stale after a staff write) with an `ETag`.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/products", method = "get", operation_id = "list_products")]
    async fn list_products(
        &self,
        state: Data<&AppState>,
        /// Only products of this category id.
        category: QueryId,
        vegetarian: Query<Option<bool>>,
        /// Leave out products containing this allergen.
        #[oai(name = "excludeAllergen", validator(max_length = 40))]
        exclude_allergen: Query<Option<String>>,
        /// Minimum effective price, minor units.
        #[oai(name = "minPrice", validator(minimum(value = "0")))]
        min_price: Query<Option<i64>>,
        /// Maximum effective price, minor units.
        #[oai(name = "maxPrice", validator(minimum(value = "0")))]
        max_price: Query<Option<i64>>,
        /// Only products that can be ordered now.
        available: Query<Option<bool>>,
        /// Only featured products.
        featured: Query<Option<bool>>,
        sort: Query<Option<SortBy>>,
        /// Page number, from 1.
        page: PageNumber,
        /// Items per page, 1..=100 (default 20).
        limit: PageSize,
    ) -> Result<Json<Page<Product>>, ApiError> {
        let mut listing = listing(
            vegetarian.0,
            exclude_allergen.0,
            min_price.0,
            max_price.0,
            available.0,
            featured.0,
            sort.0,
            page,
            limit,
        )?;
        listing.filter.category = category.0;
        let products = state.bakery.products(&listing).await?;
        Ok(Json(Page::from_domain(products)))
    }

    /// Featured products that can be ordered now
    ///
    /// Products staff marked as featured that are available now, for the home screen.
    #[oai(
        path = "/products/featured",
        method = "get",
        operation_id = "list_featured_products"
    )]
    async fn featured(
        &self,
        state: Data<&AppState>,
        /// Page number, from 1.
        page: PageNumber,
        /// Items per page, 1..=100 (default 20).
        limit: PageSize,
    ) -> Result<Json<Page<Product>>, ApiError> {
        let products = state
            .bakery
            .featured_products(self::page(page, limit)?)
            .await?;
        Ok(Json(Page::from_domain(products)))
    }

    /// Best sellers, then best rated
    ///
    /// Products ordered most often, best rated first among equals, for a "popular" shelf.
    #[oai(
        path = "/products/popular",
        method = "get",
        operation_id = "list_popular_products"
    )]
    async fn popular(
        &self,
        state: Data<&AppState>,
        /// Page number, from 1.
        page: PageNumber,
        /// Items per page, 1..=100 (default 20).
        limit: PageSize,
    ) -> Result<Json<Page<Product>>, ApiError> {
        let products = state
            .bakery
            .popular_products(self::page(page, limit)?)
            .await?;
        Ok(Json(Page::from_domain(products)))
    }

    /// Search products by name and description, tolerant of typos and accents
    ///
    /// Finds products whose name or description contains the words of `q`, accent- and
    /// case-insensitively and with a typo or two in longer words; name matches rank first. Takes
    /// the same filters as `GET /products`.
    #[oai(
        path = "/products/search",
        method = "get",
        operation_id = "search_products"
    )]
    async fn search(
        &self,
        state: Data<&AppState>,
        /// The words to look for: at least one letter or digit.
        #[oai(validator(min_length = 1, max_length = 100, pattern = r"[^\W_]"))]
        q: Query<String>,
        /// Only products of this category id.
        category: QueryId,
        vegetarian: Query<Option<bool>>,
        /// Page number, from 1.
        page: PageNumber,
        /// Items per page, 1..=100 (default 20).
        limit: PageSize,
    ) -> Result<Json<Page<Product>>, ApiError> {
        let filter = ProductFilter {
            category: category.0,
            vegetarian: vegetarian.0,
            ..ProductFilter::default()
        };
        let products = state
            .bakery
            .search_products(&q, &filter, self::page(page, limit)?)
            .await?;
        Ok(Json(Page::from_domain(products)))
    }

    /// One product
    ///
    /// Everything about one product: price and discount, stock, nutrition, allergens, pictures
    /// (with their sizes for phones), rating. 404 when it does not exist.
    #[oai(path = "/products/:id", method = "get", operation_id = "get_product")]
    async fn get_product(
        &self,
        state: Data<&AppState>,
        /// The product id.
        id: PathId,
    ) -> Result<Json<Product>, ApiError> {
        let product = state.bakery.product(&id).await?;
        Ok(Json(product.into()))
    }
}

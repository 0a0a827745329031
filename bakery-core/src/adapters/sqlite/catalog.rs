//! Categories and products: their documents, listing filters and sorts, and the one catalog
//! write that needs a transaction (deleting a category).

use async_trait::async_trait;
use serde_json::Value;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::codec::{decode_all, encode, internal, keep_stored, or_duplicate, Conditions};
use super::{finish, SqliteStore};
use crate::domain::{Category, Id, PageRequest, Product};
use crate::error::Error;
use crate::ports::{
    category_in_use, CatalogStore, ProductFilter, ProductSort, StoreResult, Unique,
};

/// The category plus `nameKey`, the Unicode lower-cased name its unique index is on (SQLite
/// folds case for ASCII only). Readers ignore the extra field.
pub(super) fn category_doc(category: &Category) -> StoreResult<String> {
    let mut doc = serde_json::to_value(category).map_err(Error::internal)?;
    let Value::Object(fields) = &mut doc else {
        return Err(Error::internal("a category must serialize to an object"));
    };
    fields.insert("nameKey".into(), category.name.to_lowercase().into());
    serde_json::to_string(&doc).map_err(Error::internal)
}

pub(super) fn push_product_filter<'a>(
    query: &mut QueryBuilder<'a, Sqlite>,
    filter: &'a ProductFilter,
) {
    let mut conditions = Conditions::new(query);
    if let Some(category) = &filter.category {
        conditions
            .and()
            .push("category_id = ")
            .push_bind(category.as_str());
    }
    if let Some(vegetarian) = filter.vegetarian {
        conditions
            .and()
            .push("is_vegetarian = ")
            .push_bind(vegetarian);
    }
    if let Some(allergen) = &filter.exclude_allergen {
        conditions
            .and()
            .push("NOT EXISTS (SELECT 1 FROM json_each(products.doc, '$.allergens') WHERE value = ")
            .push_bind(allergen.to_lowercase())
            .push(")");
    }
    if let Some(min) = filter.min_price {
        conditions.and().push("effective_price >= ").push_bind(min);
    }
    if let Some(max) = filter.max_price {
        conditions.and().push("effective_price <= ").push_bind(max);
    }
    if filter.available_only {
        conditions.and().push("is_available = 1");
    }
    if filter.featured_only {
        conditions.and().push("is_featured = 1");
    }
}

/// Every sort ends on `id`, so pages neither repeat nor skip products that tie; the
/// tie-breakers are the MongoDB adapter's, so both stores list alike.
pub(super) fn product_order(sort: ProductSort) -> &'static str {
    match sort {
        ProductSort::Newest => "created_at DESC, id DESC",
        ProductSort::PriceAsc => "effective_price ASC, id ASC",
        ProductSort::PriceDesc => "effective_price DESC, id ASC",
        ProductSort::Rating => "rating_average DESC, rating_count DESC, id ASC",
        ProductSort::Popularity => "units_sold DESC, rating_average DESC, id ASC",
        ProductSort::Name => "name ASC, id ASC",
    }
}

/// Deleting first answers "does not exist" before "in use", as the MongoDB adapter does; a
/// product still referencing the category makes the caller roll the delete back.
pub(super) async fn delete_category(conn: &mut SqliteConnection, id: &Id) -> StoreResult<bool> {
    let deleted = sqlx::query("DELETE FROM categories WHERE id = ?1")
        .bind(id.as_str())
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    if deleted.rows_affected() == 0 {
        return Ok(false);
    }
    let in_use: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM products WHERE category_id = ?1)")
            .bind(id.as_str())
            .fetch_one(&mut *conn)
            .await
            .map_err(internal)?;
    if in_use {
        return Err(category_in_use());
    }
    Ok(true)
}

#[async_trait]
impl CatalogStore for SqliteStore {
    async fn insert_category(&self, category: &Category) -> StoreResult<()> {
        self.insert("categories", &category.id, category_doc(category)?)
            .await
            .map_err(or_duplicate(Unique::CategoryName))?;
        Ok(())
    }

    async fn get_category(&self, id: &Id) -> StoreResult<Option<Category>> {
        self.get("categories", id).await
    }

    async fn update_category(&self, category: &Category) -> StoreResult<bool> {
        let updated = sqlx::query(&format!(
            "UPDATE categories SET doc = {} WHERE id = ?2",
            keep_stored("?1", Category::STORE_MAINTAINED)
        ))
        .bind(category_doc(category)?)
        .bind(category.id.as_str())
        .execute(&self.pool)
        .await
        .map_err(or_duplicate(Unique::CategoryName))?;
        Ok(updated.rows_affected() == 1)
    }

    async fn delete_category(&self, id: &Id) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let outcome = delete_category(&mut tx, id).await;
        finish(tx, outcome).await
    }

    async fn list_categories(&self, include_inactive: bool) -> StoreResult<Vec<Category>> {
        let docs: Vec<String> = sqlx::query_scalar(
            "SELECT doc FROM categories WHERE ?1 OR is_active = 1
             ORDER BY display_order, name, id",
        )
        .bind(include_inactive)
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        decode_all(docs)
    }

    async fn insert_product(&self, product: &Product) -> StoreResult<()> {
        self.insert("products", &product.id, encode(product)?)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn get_product(&self, id: &Id) -> StoreResult<Option<Product>> {
        self.get("products", id).await
    }

    /// In the order asked for; ids that match nothing are left out.
    async fn get_products(&self, ids: &[Id]) -> StoreResult<Vec<Product>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = QueryBuilder::<Sqlite>::new("SELECT doc FROM products WHERE id IN (");
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(id.as_str());
        }
        list.push_unseparated(")");
        let docs: Vec<String> = query
            .build_query_scalar()
            .fetch_all(&self.pool)
            .await
            .map_err(internal)?;
        let mut found: Vec<Product> = decode_all(docs)?;
        found.sort_by_key(|p| ids.iter().position(|id| id == &p.id));
        Ok(found)
    }

    async fn update_product(&self, product: &Product) -> StoreResult<bool> {
        let updated = sqlx::query(&format!(
            "UPDATE products SET doc = {} WHERE id = ?2",
            keep_stored("?1", Product::STORE_MAINTAINED)
        ))
        .bind(encode(product)?)
        .bind(product.id.as_str())
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(updated.rows_affected() == 1)
    }

    async fn delete_product(&self, id: &Id) -> StoreResult<bool> {
        self.delete("products", id).await
    }

    async fn list_products(
        &self,
        filter: &ProductFilter,
        sort: ProductSort,
        page: PageRequest,
    ) -> StoreResult<(Vec<Product>, u64)> {
        self.fetch_page(
            "products",
            |query| push_product_filter(query, filter),
            product_order(sort),
            page,
        )
        .await
    }

    async fn search_candidates(&self, filter: &ProductFilter) -> StoreResult<Vec<Product>> {
        let mut query = QueryBuilder::new("SELECT doc FROM products");
        push_product_filter(&mut query, filter);
        query
            .push(" ORDER BY ")
            .push(product_order(ProductSort::Name));
        let docs: Vec<String> = query
            .build_query_scalar()
            .fetch_all(&self.pool)
            .await
            .map_err(internal)?;
        decode_all(docs)
    }
}

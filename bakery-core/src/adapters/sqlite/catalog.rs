//! Categories and products: their documents, listing filters and sorts, and the one catalog
//! write that needs a transaction (deleting a category).

use serde_json::Value;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::codec::{internal, Conditions};
use crate::domain::{Category, Id};
use crate::error::{ConflictCode, Error};
use crate::ports::{ProductFilter, ProductSort, StoreResult};

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
        return Err(Error::conflict(
            ConflictCode::CategoryInUse,
            "the category still has products",
        ));
    }
    Ok(true)
}

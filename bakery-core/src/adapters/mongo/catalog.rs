//! Categories and products: their documents, listing filters and sorts, and the one catalog
//! write that needs a transaction (deleting a category).

use bson::{doc, Document};
use mongodb::ClientSession;

use super::docs::{oid, to_doc};
use super::tx::TxResult;
use super::{coll, MongoStore};
use crate::domain::{Category, Id, Product};
use crate::error::{ConflictCode, Error};
use crate::ports::{ProductFilter, ProductSort};

/// The category plus `nameKey`, the lower-cased name its unique index is on.
pub(super) fn category_doc(category: &Category) -> Result<Document, Error> {
    let mut doc = to_doc(category)?;
    doc.insert("nameKey", category.name.to_lowercase());
    Ok(doc)
}

/// The product plus `effectivePrice` (the discount price when set), so price filters and
/// sorts are plain indexed comparisons rather than per-document expressions.
pub(super) fn product_doc(product: &Product) -> Result<Document, Error> {
    let mut doc = to_doc(product)?;
    doc.insert("effectivePrice", product.effective_price().minor());
    Ok(doc)
}

/// What staff may change: everything but the id, the creation time and the counters the
/// store maintains (ratings from reviews, units sold from orders).
pub(super) fn editable_product_fields(product: &Product) -> Result<Document, Error> {
    let mut doc = product_doc(product)?;
    for kept in ["_id", "createdAt", "ratings", "unitsSold"] {
        doc.remove(kept);
    }
    Ok(doc)
}

pub(super) fn product_filter(filter: &ProductFilter) -> Document {
    let mut query = Document::new();
    if let Some(category) = &filter.category {
        query.insert("categoryId", category.as_str());
    }
    if let Some(vegetarian) = filter.vegetarian {
        query.insert("isVegetarian", vegetarian);
    }
    if let Some(allergen) = &filter.exclude_allergen {
        // On an array field `$ne` means "no element equals", which is what excluding needs.
        query.insert("allergens", doc! { "$ne": allergen.to_lowercase() });
    }
    let mut price = Document::new();
    if let Some(min) = filter.min_price {
        price.insert("$gte", min);
    }
    if let Some(max) = filter.max_price {
        price.insert("$lte", max);
    }
    if !price.is_empty() {
        query.insert("effectivePrice", price);
    }
    if filter.available_only {
        query.insert("isAvailable", true);
    }
    if filter.featured_only {
        query.insert("isFeatured", true);
    }
    query
}

/// Every sort ends on `_id`, so pages neither repeat nor skip products that tie.
pub(super) fn product_sort(sort: ProductSort) -> Document {
    match sort {
        ProductSort::Newest => doc! { "createdAt": -1, "_id": -1 },
        ProductSort::PriceAsc => doc! { "effectivePrice": 1, "_id": 1 },
        ProductSort::PriceDesc => doc! { "effectivePrice": -1, "_id": 1 },
        ProductSort::Rating => {
            doc! { "ratings.average": -1, "ratings.count": -1, "_id": 1 }
        }
        ProductSort::Popularity => doc! { "unitsSold": -1, "ratings.average": -1, "_id": 1 },
        ProductSort::Name => doc! { "name": 1, "_id": 1 },
    }
}

impl MongoStore {
    /// Deleting first answers "does not exist" before "in use"; a product still referencing
    /// the category aborts the transaction, so the delete never becomes visible.
    pub(super) async fn delete_category_tx(
        &self,
        session: &mut ClientSession,
        id: &Id,
    ) -> TxResult<bool> {
        let deleted = self
            .collection(coll::CATEGORIES)
            .delete_one(doc! { "_id": oid(id)? })
            .session(&mut *session)
            .await?;
        if deleted.deleted_count == 0 {
            return Ok(false);
        }
        let in_use = self
            .collection(coll::PRODUCTS)
            .count_documents(doc! { "categoryId": id.as_str() })
            .limit(1)
            .session(&mut *session)
            .await?;
        if in_use > 0 {
            return Err(Error::conflict(
                ConflictCode::CategoryInUse,
                "the category still has products",
            )
            .into());
        }
        Ok(true)
    }
}

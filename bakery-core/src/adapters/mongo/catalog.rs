//! Categories and products: their documents, listing filters and sorts, and the one catalog
//! write that needs a transaction (deleting a category).

use async_trait::async_trait;
use bson::{doc, Document};
use mongodb::ClientSession;

use super::docs::{internal, oid, or_duplicate, to_doc, without_stored};
use super::tx::TxResult;
use super::{coll, MongoStore};
use crate::domain::{Category, Id, PageRequest, Product};
use crate::error::Error;
use crate::ports::{
    category_in_use, CatalogStore, ProductFilter, ProductSort, StoreResult, Unique,
};

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

/// What an edit writes: everything but the id and [`Product::STORE_MAINTAINED`].
pub(super) fn editable_product_fields(product: &Product) -> Result<Document, Error> {
    Ok(without_stored(
        product_doc(product)?,
        Product::STORE_MAINTAINED,
    ))
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
            return Err(category_in_use().into());
        }
        Ok(true)
    }
}

#[async_trait]
impl CatalogStore for MongoStore {
    async fn insert_category(&self, category: &Category) -> StoreResult<()> {
        self.collection(coll::CATEGORIES)
            .insert_one(category_doc(category)?)
            .await
            .map_err(or_duplicate(Unique::CategoryName))?;
        Ok(())
    }

    async fn get_category(&self, id: &Id) -> StoreResult<Option<Category>> {
        self.get(coll::CATEGORIES, id).await
    }

    async fn update_category(&self, category: &Category) -> StoreResult<bool> {
        let replaced = self
            .collection(coll::CATEGORIES)
            .update_one(
                doc! { "_id": oid(&category.id)? },
                doc! { "$set": without_stored(category_doc(category)?, Category::STORE_MAINTAINED) },
            )
            .await
            .map_err(or_duplicate(Unique::CategoryName))?;
        Ok(replaced.matched_count == 1)
    }

    async fn delete_category(&self, id: &Id) -> StoreResult<bool> {
        self.transaction(|mut session| async move {
            let outcome = self.delete_category_tx(&mut session, id).await;
            (session, outcome)
        })
        .await
    }

    async fn list_categories(&self, include_inactive: bool) -> StoreResult<Vec<Category>> {
        let filter = if include_inactive {
            doc! {}
        } else {
            doc! { "isActive": true }
        };
        let sort = doc! { "displayOrder": 1, "name": 1, "_id": 1 };
        self.find_all(coll::CATEGORIES, filter, sort).await
    }

    async fn insert_product(&self, product: &Product) -> StoreResult<()> {
        self.collection(coll::PRODUCTS)
            .insert_one(product_doc(product)?)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn get_product(&self, id: &Id) -> StoreResult<Option<Product>> {
        self.get(coll::PRODUCTS, id).await
    }

    /// In the order asked for; ids that match nothing are left out.
    async fn get_products(&self, ids: &[Id]) -> StoreResult<Vec<Product>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let oids = ids.iter().map(oid).collect::<StoreResult<Vec<_>>>()?;
        let mut found: Vec<Product> = self
            .find_all(
                coll::PRODUCTS,
                doc! { "_id": { "$in": oids } },
                doc! { "_id": 1 },
            )
            .await?;
        found.sort_by_key(|p| ids.iter().position(|id| id == &p.id));
        Ok(found)
    }

    async fn update_product(&self, product: &Product) -> StoreResult<bool> {
        let updated = self
            .collection(coll::PRODUCTS)
            .update_one(
                doc! { "_id": oid(&product.id)? },
                doc! { "$set": editable_product_fields(product)? },
            )
            .await
            .map_err(internal)?;
        Ok(updated.matched_count == 1)
    }

    async fn delete_product(&self, id: &Id) -> StoreResult<bool> {
        self.delete(coll::PRODUCTS, doc! { "_id": oid(id)? }).await
    }

    async fn list_products(
        &self,
        filter: &ProductFilter,
        sort: ProductSort,
        page: PageRequest,
    ) -> StoreResult<(Vec<Product>, u64)> {
        self.find_page(
            coll::PRODUCTS,
            product_filter(filter),
            product_sort(sort),
            page,
        )
        .await
    }

    async fn search_candidates(&self, filter: &ProductFilter) -> StoreResult<Vec<Product>> {
        self.find_all(
            coll::PRODUCTS,
            product_filter(filter),
            product_sort(ProductSort::Name),
        )
        .await
    }
}

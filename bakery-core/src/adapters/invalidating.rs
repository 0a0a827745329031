//! Store decorators that tell the catalog cache what each committed write changed, so no use
//! case can forget to: a write that returns success has committed, and bumps the scopes it
//! touched before the caller sees the result.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::{
    Category, DeliveryPerson, GeoPoint, Id, Order, OrderStatus, PageRequest, Product, Promotion,
    Review,
};
use crate::ports::{
    CacheScope, CatalogCache, CatalogStore, OrderQuery, OrderStore, PaymentChange, PlaceOrder,
    ProductFilter, ProductSort, PromotionStore, ReviewStore, Store, StoreResult, TransitionOrder,
};

/// Wraps the catalog, order, review, promotion, upload and shop ports of `store` so that their writes
/// invalidate `cache`.
pub fn invalidating(store: Store, cache: Arc<dyn CatalogCache>) -> Store {
    Store {
        catalog: Arc::new(InvalidatingStore {
            inner: store.catalog.clone(),
            cache: cache.clone(),
        }),
        orders: Arc::new(InvalidatingStore {
            inner: store.orders.clone(),
            cache: cache.clone(),
        }),
        reviews: Arc::new(InvalidatingStore {
            inner: store.reviews.clone(),
            cache: cache.clone(),
        }),
        promotions: Arc::new(InvalidatingStore {
            inner: store.promotions.clone(),
            cache: cache.clone(),
        }),
        uploads: Arc::new(InvalidatingStore {
            inner: store.uploads.clone(),
            cache: cache.clone(),
        }),
        shop: Arc::new(InvalidatingStore {
            inner: store.shop.clone(),
            cache,
        }),
        ..store
    }
}

/// One port of the store, and the cache its writes invalidate.
pub struct InvalidatingStore<P: ?Sized> {
    inner: Arc<P>,
    cache: Arc<dyn CatalogCache>,
}

impl<P: ?Sized> InvalidatingStore<P> {
    async fn bump_if(&self, changed: bool, scopes: &[CacheScope]) {
        if changed {
            self.cache.bump(scopes).await;
        }
    }
}

/// What an order's stock, daily bakes, units sold and promotion redemption touch in the
/// catalog: every product it has a line of.
fn order_scopes(order: &Order) -> Vec<CacheScope> {
    let mut scopes: Vec<CacheScope> = order
        .units_by_product()
        .into_iter()
        .map(|(product, _)| CacheScope::Product(product))
        .collect();
    scopes.push(CacheScope::Ranking);
    if order.promotion_id.is_some() {
        scopes.push(CacheScope::Promotions);
    }
    scopes
}

fn review_scopes(product: &Id) -> [CacheScope; 2] {
    [CacheScope::Product(product.clone()), CacheScope::Ranking]
}

#[async_trait]
impl CatalogStore for InvalidatingStore<dyn CatalogStore> {
    async fn insert_category(&self, category: &Category) -> StoreResult<()> {
        self.inner.insert_category(category).await?;
        self.bump_if(true, &[CacheScope::Catalog]).await;
        Ok(())
    }

    async fn get_category(&self, id: &Id) -> StoreResult<Option<Category>> {
        self.inner.get_category(id).await
    }

    async fn update_category(&self, category: &Category) -> StoreResult<bool> {
        let updated = self.inner.update_category(category).await?;
        self.bump_if(updated, &[CacheScope::Catalog]).await;
        Ok(updated)
    }

    async fn delete_category(&self, id: &Id) -> StoreResult<bool> {
        let deleted = self.inner.delete_category(id).await?;
        self.bump_if(deleted, &[CacheScope::Catalog]).await;
        Ok(deleted)
    }

    async fn list_categories(&self, include_inactive: bool) -> StoreResult<Vec<Category>> {
        self.inner.list_categories(include_inactive).await
    }

    async fn insert_product(&self, product: &Product) -> StoreResult<()> {
        self.inner.insert_product(product).await?;
        self.bump_if(true, &[CacheScope::Catalog]).await;
        Ok(())
    }

    async fn get_product(&self, id: &Id) -> StoreResult<Option<Product>> {
        self.inner.get_product(id).await
    }

    async fn get_products(&self, ids: &[Id]) -> StoreResult<Vec<Product>> {
        self.inner.get_products(ids).await
    }

    /// A staff edit can move the product between listings (price, category, availability),
    /// so every listing depends on it.
    async fn update_product(&self, product: &Product) -> StoreResult<bool> {
        let updated = self.inner.update_product(product).await?;
        self.bump_if(updated, &[CacheScope::Catalog]).await;
        Ok(updated)
    }

    async fn delete_product(&self, id: &Id) -> StoreResult<bool> {
        let deleted = self.inner.delete_product(id).await?;
        self.bump_if(deleted, &[CacheScope::Catalog]).await;
        Ok(deleted)
    }

    async fn list_products(
        &self,
        filter: &ProductFilter,
        sort: ProductSort,
        page: PageRequest,
    ) -> StoreResult<(Vec<Product>, u64)> {
        self.inner.list_products(filter, sort, page).await
    }

    async fn search_candidates(&self, filter: &ProductFilter) -> StoreResult<Vec<Product>> {
        self.inner.search_candidates(filter).await
    }
}

#[async_trait]
impl OrderStore for InvalidatingStore<dyn OrderStore> {
    async fn place_order(&self, request: &PlaceOrder) -> StoreResult<()> {
        self.inner.place_order(request).await?;
        self.bump_if(true, &order_scopes(&request.order)).await;
        Ok(())
    }

    async fn get_order(&self, id: &Id) -> StoreResult<Option<Order>> {
        self.inner.get_order(id).await
    }

    async fn list_orders(
        &self,
        query: &OrderQuery,
        page: PageRequest,
    ) -> StoreResult<(Vec<Order>, u64)> {
        self.inner.list_orders(query, page).await
    }

    /// Only a cancel gives stock and the promotion use back.
    async fn transition_order(&self, request: &TransitionOrder) -> StoreResult<Option<Order>> {
        let order = self.inner.transition_order(request).await?;
        if let Some(order) = order
            .as_ref()
            .filter(|_| request.change.status == OrderStatus::Canceled)
        {
            self.cache.bump(&order_scopes(order)).await;
        }
        Ok(order)
    }

    async fn set_delivery_person(
        &self,
        order: &Id,
        person: &DeliveryPerson,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>> {
        self.inner.set_delivery_person(order, person, at).await
    }

    async fn update_delivery_location(
        &self,
        order: &Id,
        location: GeoPoint,
        eta: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>> {
        self.inner
            .update_delivery_location(order, location, eta, at)
            .await
    }

    async fn set_payment_intent(
        &self,
        order: &Id,
        intent_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>> {
        self.inner.set_payment_intent(order, intent_id, at).await
    }

    async fn change_payment(&self, change: &PaymentChange) -> StoreResult<Option<Order>> {
        self.inner.change_payment(change).await
    }

    async fn find_order_by_payment_intent(&self, intent_id: &str) -> StoreResult<Option<Order>> {
        self.inner.find_order_by_payment_intent(intent_id).await
    }

    async fn awaiting_payment(
        &self,
        created_before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Order>> {
        self.inner.awaiting_payment(created_before, limit).await
    }

    async fn orders_due(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        after: Option<&Id>,
        limit: u32,
    ) -> StoreResult<Vec<Order>> {
        self.inner.orders_due(from, to, after, limit).await
    }

    async fn has_delivered_product(&self, user: &Id, product: &Id) -> StoreResult<bool> {
        self.inner.has_delivered_product(user, product).await
    }

    async fn promotion_uses_by(&self, user: &Id, promotion: &Id) -> StoreResult<u32> {
        self.inner.promotion_uses_by(user, promotion).await
    }
    async fn bakes_taken(&self, day: NaiveDate, products: &[Id]) -> StoreResult<Vec<(Id, u32)>> {
        self.inner.bakes_taken(day, products).await
    }
}

#[async_trait]
impl ReviewStore for InvalidatingStore<dyn ReviewStore> {
    async fn insert_review(&self, review: &Review) -> StoreResult<()> {
        self.inner.insert_review(review).await?;
        self.bump_if(true, &review_scopes(&review.product_id)).await;
        Ok(())
    }

    async fn get_review(&self, id: &Id) -> StoreResult<Option<Review>> {
        self.inner.get_review(id).await
    }

    async fn update_review(&self, review: &Review) -> StoreResult<bool> {
        let updated = self.inner.update_review(review).await?;
        self.bump_if(updated, &review_scopes(&review.product_id))
            .await;
        Ok(updated)
    }

    /// The product is read first: the delete returns only whether it happened.
    async fn delete_review(&self, id: &Id) -> StoreResult<bool> {
        let product = self.inner.get_review(id).await?.map(|r| r.product_id);
        let deleted = self.inner.delete_review(id).await?;
        match product {
            Some(product) => self.bump_if(deleted, &review_scopes(&product)).await,
            None => self.bump_if(deleted, &[CacheScope::Catalog]).await,
        }
        Ok(deleted)
    }

    async fn list_reviews(
        &self,
        product: &Id,
        page: PageRequest,
    ) -> StoreResult<(Vec<Review>, u64)> {
        self.inner.list_reviews(product, page).await
    }
}

#[async_trait]
impl PromotionStore for InvalidatingStore<dyn PromotionStore> {
    async fn insert_promotion(&self, promotion: &Promotion) -> StoreResult<()> {
        self.inner.insert_promotion(promotion).await?;
        self.bump_if(true, &[CacheScope::Promotions]).await;
        Ok(())
    }

    async fn get_promotion(&self, id: &Id) -> StoreResult<Option<Promotion>> {
        self.inner.get_promotion(id).await
    }

    async fn find_promotion_by_code(&self, code: &str) -> StoreResult<Option<Promotion>> {
        self.inner.find_promotion_by_code(code).await
    }

    async fn update_promotion(&self, promotion: &Promotion) -> StoreResult<bool> {
        let updated = self.inner.update_promotion(promotion).await?;
        self.bump_if(updated, &[CacheScope::Promotions]).await;
        Ok(updated)
    }

    async fn delete_promotion(&self, id: &Id) -> StoreResult<bool> {
        let deleted = self.inner.delete_promotion(id).await?;
        self.bump_if(deleted, &[CacheScope::Promotions]).await;
        Ok(deleted)
    }

    async fn list_promotions(
        &self,
        active_at: Option<DateTime<Utc>>,
        page: PageRequest,
    ) -> StoreResult<(Vec<Promotion>, u64)> {
        self.inner.list_promotions(active_at, page).await
    }
}

/// Pictures show in every listing of their owner: a change of them is a catalog change
/// (promotions have their own scope).
#[async_trait]
impl crate::ports::UploadStore for InvalidatingStore<dyn crate::ports::UploadStore> {
    async fn insert_upload(&self, upload: &crate::domain::PendingUpload) -> StoreResult<()> {
        self.inner.insert_upload(upload).await
    }

    async fn get_upload(&self, id: &Id) -> StoreResult<Option<crate::domain::PendingUpload>> {
        self.inner.get_upload(id).await
    }

    async fn delete_upload(&self, id: &Id) -> StoreResult<bool> {
        self.inner.delete_upload(id).await
    }

    async fn swept_uploads(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> StoreResult<Vec<crate::domain::PendingUpload>> {
        self.inner.swept_uploads(now, limit).await
    }

    async fn get_photos(
        &self,
        owner: &crate::domain::ImageOwner,
    ) -> StoreResult<Option<Vec<crate::domain::Image>>> {
        self.inner.get_photos(owner).await
    }

    async fn swap_photos(
        &self,
        owner: &crate::domain::ImageOwner,
        old: &[crate::domain::Image],
        new: &[crate::domain::Image],
    ) -> StoreResult<bool> {
        let swapped = self.inner.swap_photos(owner, old, new).await?;
        let scope = match owner {
            crate::domain::ImageOwner::Promotion(_) => CacheScope::Promotions,
            _ => CacheScope::Catalog,
        };
        self.bump_if(swapped, &[scope]).await;
        Ok(swapped)
    }
}

/// The published opening hours (`GET /shop/hours`) and zones (`GET /shop/zones`) are cached
/// catalog reads, and every instance keeps both in memory under the catalog's generation:
/// new ones retire them at once.
#[async_trait]
impl crate::ports::ShopStore for InvalidatingStore<dyn crate::ports::ShopStore> {
    async fn opening_hours(&self) -> StoreResult<Option<crate::domain::OpeningHours>> {
        self.inner.opening_hours().await
    }

    async fn set_opening_hours(&self, hours: &crate::domain::OpeningHours) -> StoreResult<()> {
        self.inner.set_opening_hours(hours).await?;
        self.cache.bump(&[CacheScope::Catalog]).await;
        Ok(())
    }

    async fn delivery_area(&self) -> StoreResult<Option<crate::domain::DeliveryArea>> {
        self.inner.delivery_area().await
    }

    async fn set_delivery_area(&self, area: &crate::domain::DeliveryArea) -> StoreResult<()> {
        self.inner.set_delivery_area(area).await?;
        self.cache.bump(&[CacheScope::Catalog]).await;
        Ok(())
    }
}

//! The production store: MongoDB, one collection per aggregate.
//!
//! Single-document operations rely on conditional updates (the condition in the filter, the
//! change in the update) so that concurrent callers cannot both win. Operations that touch
//! several documents (placing and canceling orders, review writes and their product's rating,
//! deleting a category, replacing an OTP) run in multi-document transactions, which needs a
//! replica set (a one-node one is enough).

mod auth;
mod catalog;
mod docs;
mod indexes;
mod orders;
mod reviews;
mod tx;

#[cfg(test)]
mod tests;

use async_trait::async_trait;
use bson::{doc, Document};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::options::ReturnDocument;
use mongodb::{Client, Collection, Database};
use serde::de::DeserializeOwned;

use self::catalog::{category_doc, editable_product_fields, product_doc, product_filter};
use self::docs::{from_doc, internal, oid, or_duplicate, to_doc, to_value, ts};
use crate::adapters::Unique;
use crate::domain::{
    Category, DeliveryPerson, GeoPoint, Id, Notification, Order, OrderStatus, OtpRecord,
    PageRequest, PaymentStatus, Phone, Product, Promotion, RefreshTokenRecord, Review, User,
};
use crate::error::Error;
use crate::ports::{
    OrderQuery, PlaceOrder, ProductFilter, ProductSort, RefreshOutcome, Store, StoreResult,
    TransitionOrder,
};

/// Collection names, one per aggregate.
mod coll {
    pub const USERS: &str = "users";
    pub const CATEGORIES: &str = "categories";
    pub const PRODUCTS: &str = "products";
    pub const REVIEWS: &str = "reviews";
    pub const ORDERS: &str = "orders";
    pub const NOTIFICATIONS: &str = "notifications";
    pub const PROMOTIONS: &str = "promotions";
    pub const OTPS: &str = "otps";
    pub const REFRESH_TOKENS: &str = "refreshTokens";
    /// One document per (promotion, user), written only to make concurrent redemptions by
    /// the same customer conflict.
    pub const PROMOTION_REDEMPTIONS: &str = "promotionRedemptions";
}

/// A [`Store`] on a MongoDB database. Cloning is cheap and shares the connection pool.
#[derive(Clone, Debug)]
pub struct MongoStore {
    client: Client,
    db: Database,
}

impl MongoStore {
    /// Connects, and creates the indexes idempotently.
    pub async fn connect(uri: &str, database: &str) -> Result<Self, Error> {
        let client = Client::with_uri_str(uri).await.map_err(internal)?;
        let db = client.database(database);
        indexes::create(&db).await.map_err(internal)?;
        Ok(Self { client, db })
    }

    fn collection(&self, name: &str) -> Collection<Document> {
        self.db.collection(name)
    }

    async fn get<T: DeserializeOwned>(&self, name: &str, id: &Id) -> StoreResult<Option<T>> {
        self.find_one(name, doc! { "_id": oid(id)? }).await
    }

    async fn find_one<T: DeserializeOwned>(
        &self,
        name: &str,
        filter: Document,
    ) -> StoreResult<Option<T>> {
        self.collection(name)
            .find_one(filter)
            .await
            .map_err(internal)?
            .map(from_doc)
            .transpose()
    }

    async fn find_all<T: DeserializeOwned>(
        &self,
        name: &str,
        filter: Document,
        sort: Document,
    ) -> StoreResult<Vec<T>> {
        let docs: Vec<Document> = self
            .collection(name)
            .find(filter)
            .sort(sort)
            .await
            .map_err(internal)?
            .try_collect()
            .await
            .map_err(internal)?;
        docs.into_iter().map(from_doc).collect()
    }

    /// One page and the size of the whole list, counted with the same filter.
    async fn find_page<T: DeserializeOwned>(
        &self,
        name: &str,
        filter: Document,
        sort: Document,
        page: PageRequest,
    ) -> StoreResult<(Vec<T>, u64)> {
        let collection = self.collection(name);
        let total = collection
            .count_documents(filter.clone())
            .await
            .map_err(internal)?;
        let docs: Vec<Document> = collection
            .find(filter)
            .sort(sort)
            .skip(page.offset())
            .limit(i64::from(page.limit()))
            .await
            .map_err(internal)?
            .try_collect()
            .await
            .map_err(internal)?;
        let items = docs.into_iter().map(from_doc).collect::<StoreResult<_>>()?;
        Ok((items, total))
    }

    async fn delete(&self, name: &str, filter: Document) -> StoreResult<bool> {
        let deleted = self
            .collection(name)
            .delete_one(filter)
            .await
            .map_err(internal)?;
        Ok(deleted.deleted_count == 1)
    }

    async fn update_order(&self, filter: Document, update: Document) -> StoreResult<Option<Order>> {
        self.collection(coll::ORDERS)
            .find_one_and_update(filter, update)
            .return_document(ReturnDocument::After)
            .await
            .map_err(internal)?
            .map(from_doc)
            .transpose()
    }
}

/// Newest first, ties broken by id so pages are stable.
fn newest_first() -> Document {
    doc! { "createdAt": -1, "_id": -1 }
}

#[async_trait]
impl Store for MongoStore {
    async fn ping(&self) -> StoreResult<()> {
        self.db
            .run_command(doc! { "ping": 1 })
            .await
            .map_err(internal)?;
        Ok(())
    }

    // --- users ---

    async fn insert_user(&self, user: &User) -> StoreResult<()> {
        self.collection(coll::USERS)
            .insert_one(to_doc(user)?)
            .await
            .map_err(or_duplicate(Unique::Phone))?;
        Ok(())
    }

    async fn get_user(&self, id: &Id) -> StoreResult<Option<User>> {
        self.get(coll::USERS, id).await
    }

    async fn find_user_by_phone(&self, phone: &Phone) -> StoreResult<Option<User>> {
        self.find_one(coll::USERS, doc! { "phone": phone.as_str() })
            .await
    }

    async fn update_user(&self, user: &User) -> StoreResult<bool> {
        let expected = i64::try_from(user.version).map_err(Error::internal)?;
        let next = User {
            version: user.version + 1,
            ..user.clone()
        };
        let replaced = self
            .collection(coll::USERS)
            .replace_one(
                doc! { "_id": oid(&user.id)?, "version": expected },
                to_doc(&next)?,
            )
            .await
            .map_err(or_duplicate(Unique::Phone))?;
        Ok(replaced.matched_count == 1)
    }

    // --- categories ---

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
            .replace_one(doc! { "_id": oid(&category.id)? }, category_doc(category)?)
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

    // --- products ---

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
            catalog::product_sort(sort),
            page,
        )
        .await
    }

    async fn search_candidates(&self, filter: &ProductFilter) -> StoreResult<Vec<Product>> {
        self.find_all(
            coll::PRODUCTS,
            product_filter(filter),
            catalog::product_sort(ProductSort::Name),
        )
        .await
    }

    // --- reviews ---

    async fn insert_review(&self, review: &Review) -> StoreResult<()> {
        self.transaction(|mut session| async move {
            let outcome = self.insert_review_tx(&mut session, review).await;
            (session, outcome)
        })
        .await
    }

    async fn get_review(&self, id: &Id) -> StoreResult<Option<Review>> {
        self.get(coll::REVIEWS, id).await
    }

    async fn update_review(&self, review: &Review) -> StoreResult<bool> {
        self.transaction(|mut session| async move {
            let outcome = self.update_review_tx(&mut session, review).await;
            (session, outcome)
        })
        .await
    }

    async fn delete_review(&self, id: &Id) -> StoreResult<bool> {
        self.transaction(|mut session| async move {
            let outcome = self.delete_review_tx(&mut session, id).await;
            (session, outcome)
        })
        .await
    }

    async fn list_reviews(
        &self,
        product: &Id,
        page: PageRequest,
    ) -> StoreResult<(Vec<Review>, u64)> {
        let filter = doc! { "productId": product.as_str() };
        self.find_page(coll::REVIEWS, filter, newest_first(), page)
            .await
    }

    // --- orders ---

    async fn place_order(&self, request: &PlaceOrder) -> StoreResult<()> {
        self.transaction(|mut session| async move {
            let outcome = self.place_order_tx(&mut session, request).await;
            (session, outcome)
        })
        .await
    }

    async fn get_order(&self, id: &Id) -> StoreResult<Option<Order>> {
        self.get(coll::ORDERS, id).await
    }

    async fn list_orders(
        &self,
        query: &OrderQuery,
        page: PageRequest,
    ) -> StoreResult<(Vec<Order>, u64)> {
        self.find_page(
            coll::ORDERS,
            orders::order_filter(query),
            newest_first(),
            page,
        )
        .await
    }

    async fn transition_order(&self, request: &TransitionOrder) -> StoreResult<Option<Order>> {
        self.transaction(|mut session| async move {
            let outcome = self.transition_order_tx(&mut session, request).await;
            (session, outcome)
        })
        .await
    }

    async fn set_delivery_person(
        &self,
        order: &Id,
        person: &DeliveryPerson,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>> {
        self.update_order(
            doc! { "_id": oid(order)? },
            doc! { "$set": { "deliveryPerson": to_value(person)?, "updatedAt": ts(&at) } },
        )
        .await
    }

    async fn set_payment_intent(
        &self,
        order: &Id,
        intent_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>> {
        self.update_order(
            doc! { "_id": oid(order)?, "paymentDetails.status": "pending" },
            doc! { "$set": { "paymentDetails.transactionId": intent_id, "updatedAt": ts(&at) } },
        )
        .await
    }

    async fn settle_payment(
        &self,
        order: &Id,
        outcome: PaymentStatus,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>> {
        self.update_order(
            doc! { "_id": oid(order)?, "paymentDetails.status": "pending" },
            doc! { "$set": { "paymentDetails.status": to_value(&outcome)?, "updatedAt": ts(&at) } },
        )
        .await
    }

    /// A position report is not an edit of the order, so `updatedAt` stays.
    async fn update_delivery_location(
        &self,
        order: &Id,
        location: GeoPoint,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>> {
        self.update_order(
            doc! { "_id": oid(order)?, "deliveryPerson": { "$type": "object" } },
            doc! { "$set": {
                "deliveryPerson.location": to_value(&location)?,
                "deliveryPerson.locationUpdatedAt": ts(&at),
            } },
        )
        .await
    }

    async fn has_delivered_product(&self, user: &Id, product: &Id) -> StoreResult<bool> {
        let found = self
            .collection(coll::ORDERS)
            .count_documents(doc! {
                "userId": user.as_str(),
                "orderStatus": OrderStatus::Delivered.as_str(),
                "items.productId": product.as_str(),
            })
            .limit(1)
            .await
            .map_err(internal)?;
        Ok(found > 0)
    }

    async fn promotion_uses_by(&self, user: &Id, promotion: &Id) -> StoreResult<u32> {
        let uses = self
            .collection(coll::ORDERS)
            .count_documents(orders::redemptions_filter(user, promotion))
            .await
            .map_err(internal)?;
        u32::try_from(uses).map_err(Error::internal)
    }

    // --- notifications ---

    async fn insert_notification(&self, notification: &Notification) -> StoreResult<()> {
        self.collection(coll::NOTIFICATIONS)
            .insert_one(to_doc(notification)?)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn list_notifications(
        &self,
        user: &Id,
        page: PageRequest,
    ) -> StoreResult<(Vec<Notification>, u64)> {
        let filter = doc! { "userId": user.as_str() };
        self.find_page(coll::NOTIFICATIONS, filter, newest_first(), page)
            .await
    }

    async fn mark_notification_read(&self, user: &Id, id: &Id) -> StoreResult<bool> {
        let updated = self
            .collection(coll::NOTIFICATIONS)
            .update_one(
                doc! { "_id": oid(id)?, "userId": user.as_str() },
                doc! { "$set": { "isRead": true } },
            )
            .await
            .map_err(internal)?;
        Ok(updated.matched_count == 1)
    }

    async fn delete_notification(&self, user: &Id, id: &Id) -> StoreResult<bool> {
        self.delete(
            coll::NOTIFICATIONS,
            doc! { "_id": oid(id)?, "userId": user.as_str() },
        )
        .await
    }

    // --- promotions ---

    async fn insert_promotion(&self, promotion: &Promotion) -> StoreResult<()> {
        self.collection(coll::PROMOTIONS)
            .insert_one(to_doc(promotion)?)
            .await
            .map_err(or_duplicate(Unique::PromotionCode))?;
        Ok(())
    }

    async fn get_promotion(&self, id: &Id) -> StoreResult<Option<Promotion>> {
        self.get(coll::PROMOTIONS, id).await
    }

    async fn find_promotion_by_code(&self, code: &str) -> StoreResult<Option<Promotion>> {
        self.find_one(coll::PROMOTIONS, doc! { "code": code }).await
    }

    async fn update_promotion(&self, promotion: &Promotion) -> StoreResult<bool> {
        let mut fields = to_doc(promotion)?;
        for kept in ["_id", "createdAt", "usedCount"] {
            fields.remove(kept);
        }
        let updated = self
            .collection(coll::PROMOTIONS)
            .update_one(doc! { "_id": oid(&promotion.id)? }, doc! { "$set": fields })
            .await
            .map_err(or_duplicate(Unique::PromotionCode))?;
        Ok(updated.matched_count == 1)
    }

    async fn delete_promotion(&self, id: &Id) -> StoreResult<bool> {
        self.delete(coll::PROMOTIONS, doc! { "_id": oid(id)? })
            .await
    }

    async fn list_promotions(
        &self,
        active_at: Option<DateTime<Utc>>,
        page: PageRequest,
    ) -> StoreResult<(Vec<Promotion>, u64)> {
        let filter = match active_at {
            Some(t) => doc! {
                "isActive": true,
                "startDate": { "$lte": ts(&t) },
                "endDate": { "$gt": ts(&t) },
            },
            None => doc! {},
        };
        self.find_page(coll::PROMOTIONS, filter, newest_first(), page)
            .await
    }

    // --- one-time passwords ---

    async fn put_otp(&self, otp: &OtpRecord) -> StoreResult<()> {
        self.transaction(|mut session| async move {
            let outcome = self.put_otp_tx(&mut session, otp).await;
            (session, outcome)
        })
        .await
    }

    async fn attempt_otp(&self, phone: &Phone) -> StoreResult<Option<OtpRecord>> {
        self.collection(coll::OTPS)
            .find_one_and_update(
                doc! { "phone": phone.as_str() },
                doc! { "$inc": { "attempts": 1_i64 } },
            )
            .return_document(ReturnDocument::After)
            .await
            .map_err(internal)?
            .map(from_doc)
            .transpose()
    }

    async fn consume_otp(&self, otp: &Id) -> StoreResult<bool> {
        self.delete(coll::OTPS, doc! { "_id": oid(otp)? }).await
    }

    // --- refresh tokens ---

    async fn insert_refresh_token(&self, token: &RefreshTokenRecord) -> StoreResult<()> {
        self.collection(coll::REFRESH_TOKENS)
            .insert_one(to_doc(token)?)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn use_refresh_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<RefreshOutcome> {
        let spent = self
            .collection(coll::REFRESH_TOKENS)
            .find_one_and_update(
                doc! { "tokenHash": token_hash, "usedAt": null, "revoked": false },
                doc! { "$set": { "usedAt": ts(&now) } },
            )
            .return_document(ReturnDocument::After)
            .await
            .map_err(internal)?;
        if let Some(spent) = spent {
            return Ok(RefreshOutcome::Rotated(from_doc(spent)?));
        }
        match self
            .find_one(coll::REFRESH_TOKENS, doc! { "tokenHash": token_hash })
            .await?
        {
            Some(replayed) => Ok(RefreshOutcome::Reused(replayed)),
            None => Ok(RefreshOutcome::Unknown),
        }
    }

    async fn revoke_token_family(&self, family: &Id) -> StoreResult<()> {
        self.collection(coll::REFRESH_TOKENS)
            .update_many(
                doc! { "familyId": family.as_str() },
                doc! { "$set": { "revoked": true } },
            )
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn revoke_user_tokens(&self, user: &Id) -> StoreResult<()> {
        self.collection(coll::REFRESH_TOKENS)
            .update_many(
                doc! { "userId": user.as_str() },
                doc! { "$set": { "revoked": true } },
            )
            .await
            .map_err(internal)?;
        Ok(())
    }
}

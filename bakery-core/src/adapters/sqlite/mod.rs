//! The embedded store: one SQLite file, each aggregate a table of JSON documents.
//!
//! A row is `id` plus `doc`, the domain struct as serde writes it, so there is one mapping to
//! maintain and the data has the same shape as in MongoDB. Generated columns expose the
//! fields that are filtered, sorted or unique, so SQLite indexes them while the document
//! stays the only copy (see `migrations/sqlite`).
//!
//! Counters (stock, units sold, redemptions, OTP attempts, token use) change through
//! `json_set` in conditional UPDATEs whose row count is checked, so the rule and the write are
//! one statement. Writes that touch several rows run in `BEGIN IMMEDIATE` transactions: a
//! deferred transaction that reads and then writes fails with SQLITE_BUSY under contention
//! instead of waiting out the busy timeout.

mod catalog;
mod codec;
mod orders;
mod reviews;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Sqlite, Transaction};

use self::codec::{decode, decode_all, decode_opt, encode, internal, or_duplicate, ts};
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

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// SQLite writes one at a time whatever the pool size; a few connections let reads proceed
/// beside a write (WAL) without holding many file handles.
const POOL_SIZE: u32 = 4;

/// How long a writer waits for the lock before failing; far above any write here.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

type WriteTx = Transaction<'static, Sqlite>;

/// A [`Store`] in one SQLite file. Cloning is cheap and shares the pool.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating file and parent dirs) and migrates.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(Error::internal)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(POOL_SIZE)
            .connect_with(options)
            .await
            .map_err(internal)?;
        MIGRATOR.run(&pool).await.map_err(Error::internal)?;
        Ok(Self { pool })
    }

    async fn begin_write(&self) -> StoreResult<WriteTx> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(internal)
    }

    async fn get<T: DeserializeOwned>(&self, table: &str, id: &Id) -> StoreResult<Option<T>> {
        let doc: Option<String> =
            sqlx::query_scalar(&format!("SELECT doc FROM {table} WHERE id = ?1"))
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(internal)?;
        decode_opt(doc)
    }

    /// Leaves mapping the error to the caller, which knows what a unique violation means.
    async fn insert(&self, table: &str, id: &Id, doc: String) -> Result<(), sqlx::Error> {
        sqlx::query(&format!("INSERT INTO {table} (id, doc) VALUES (?1, ?2)"))
            .bind(id.as_str())
            .bind(doc)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete(&self, table: &str, id: &Id) -> StoreResult<bool> {
        let deleted = sqlx::query(&format!("DELETE FROM {table} WHERE id = ?1"))
            .bind(id.as_str())
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(deleted.rows_affected() == 1)
    }

    /// One page and the size of the whole list. `filter` pushes the WHERE clause into both
    /// queries, so they cannot disagree, and one read transaction gives both the same snapshot.
    async fn fetch_page<'a, T, F>(
        &self,
        table: &str,
        filter: F,
        order_by: &str,
        page: PageRequest,
    ) -> StoreResult<(Vec<T>, u64)>
    where
        T: DeserializeOwned,
        F: Fn(&mut QueryBuilder<'a, Sqlite>),
    {
        let mut tx = self.pool.begin().await.map_err(internal)?;

        let mut count = QueryBuilder::new(format!("SELECT COUNT(*) FROM {table}"));
        filter(&mut count);
        let total: i64 = count
            .build_query_scalar()
            .fetch_one(&mut *tx)
            .await
            .map_err(internal)?;

        let mut rows = QueryBuilder::new(format!("SELECT doc FROM {table}"));
        filter(&mut rows);
        rows.push(" ORDER BY ")
            .push(order_by)
            .push(" LIMIT ")
            .push_bind(i64::from(page.limit()))
            .push(" OFFSET ")
            .push_bind(i64::try_from(page.offset()).map_err(Error::internal)?);
        let docs: Vec<String> = rows
            .build_query_scalar()
            .fetch_all(&mut *tx)
            .await
            .map_err(internal)?;

        tx.commit().await.map_err(internal)?;
        Ok((
            decode_all(docs)?,
            u64::try_from(total).map_err(Error::internal)?,
        ))
    }

    /// Runs an `UPDATE orders … RETURNING doc` that binds a JSON value, a time and the id.
    async fn update_order(
        &self,
        sql: &str,
        value: String,
        at: DateTime<Utc>,
        order: &Id,
    ) -> StoreResult<Option<Order>> {
        let doc: Option<String> = sqlx::query_scalar(sql)
            .bind(value)
            .bind(ts(&at))
            .bind(order.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(internal)?;
        decode_opt(doc)
    }
}

/// Commits what succeeded and rolls back what failed, so no failure path leaves a partial
/// write (or an open transaction on a pooled connection) behind.
async fn finish<T>(tx: WriteTx, outcome: StoreResult<T>) -> StoreResult<T> {
    match outcome {
        Ok(value) => {
            tx.commit().await.map_err(internal)?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(error = %rollback, "rolling back a SQLite transaction failed");
            }
            Err(e)
        }
    }
}

/// Newest first, ties broken by id so pages are stable.
const NEWEST_FIRST: &str = "created_at DESC, id DESC";

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(())
    }

    // --- users ---

    async fn insert_user(&self, user: &User) -> StoreResult<()> {
        self.insert("users", &user.id, encode(user)?)
            .await
            .map_err(or_duplicate(Unique::Phone))?;
        Ok(())
    }

    async fn get_user(&self, id: &Id) -> StoreResult<Option<User>> {
        self.get("users", id).await
    }

    async fn find_user_by_phone(&self, phone: &Phone) -> StoreResult<Option<User>> {
        let doc: Option<String> = sqlx::query_scalar("SELECT doc FROM users WHERE phone = ?1")
            .bind(phone.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(internal)?;
        decode_opt(doc)
    }

    async fn update_user(&self, user: &User) -> StoreResult<bool> {
        let expected = i64::try_from(user.version).map_err(Error::internal)?;
        let next = User {
            version: user.version + 1,
            ..user.clone()
        };
        let updated = sqlx::query("UPDATE users SET doc = ?1 WHERE id = ?2 AND version = ?3")
            .bind(encode(&next)?)
            .bind(user.id.as_str())
            .bind(expected)
            .execute(&self.pool)
            .await
            .map_err(or_duplicate(Unique::Phone))?;
        Ok(updated.rows_affected() == 1)
    }

    // --- categories ---

    async fn insert_category(&self, category: &Category) -> StoreResult<()> {
        self.insert("categories", &category.id, catalog::category_doc(category)?)
            .await
            .map_err(or_duplicate(Unique::CategoryName))?;
        Ok(())
    }

    async fn get_category(&self, id: &Id) -> StoreResult<Option<Category>> {
        self.get("categories", id).await
    }

    async fn update_category(&self, category: &Category) -> StoreResult<bool> {
        let updated = sqlx::query("UPDATE categories SET doc = ?1 WHERE id = ?2")
            .bind(catalog::category_doc(category)?)
            .bind(category.id.as_str())
            .execute(&self.pool)
            .await
            .map_err(or_duplicate(Unique::CategoryName))?;
        Ok(updated.rows_affected() == 1)
    }

    async fn delete_category(&self, id: &Id) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let outcome = catalog::delete_category(&mut tx, id).await;
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

    // --- products ---

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

    /// The counters come from the stored document, whatever the caller holds: they are
    /// maintained by reviews and orders, not by staff.
    async fn update_product(&self, product: &Product) -> StoreResult<bool> {
        let updated = sqlx::query(
            "UPDATE products
             SET doc = json_set(?1, '$.ratings', doc -> '$.ratings',
                                '$.unitsSold', doc -> '$.unitsSold',
                                '$.createdAt', doc -> '$.createdAt')
             WHERE id = ?2",
        )
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
            |query| catalog::push_product_filter(query, filter),
            catalog::product_order(sort),
            page,
        )
        .await
    }

    async fn search_candidates(&self, filter: &ProductFilter) -> StoreResult<Vec<Product>> {
        let mut query = QueryBuilder::new("SELECT doc FROM products");
        catalog::push_product_filter(&mut query, filter);
        query
            .push(" ORDER BY ")
            .push(catalog::product_order(ProductSort::Name));
        let docs: Vec<String> = query
            .build_query_scalar()
            .fetch_all(&self.pool)
            .await
            .map_err(internal)?;
        decode_all(docs)
    }

    // --- reviews ---

    async fn insert_review(&self, review: &Review) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let outcome = reviews::insert_review(&mut tx, review).await;
        finish(tx, outcome).await
    }

    async fn get_review(&self, id: &Id) -> StoreResult<Option<Review>> {
        self.get("reviews", id).await
    }

    async fn update_review(&self, review: &Review) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let outcome = reviews::update_review(&mut tx, review).await;
        finish(tx, outcome).await
    }

    async fn delete_review(&self, id: &Id) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let outcome = reviews::delete_review(&mut tx, id).await;
        finish(tx, outcome).await
    }

    async fn list_reviews(
        &self,
        product: &Id,
        page: PageRequest,
    ) -> StoreResult<(Vec<Review>, u64)> {
        self.fetch_page(
            "reviews",
            |query| {
                query
                    .push(" WHERE product_id = ")
                    .push_bind(product.as_str());
            },
            NEWEST_FIRST,
            page,
        )
        .await
    }

    // --- orders ---

    async fn place_order(&self, request: &PlaceOrder) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let outcome = orders::place_order(&mut tx, request).await;
        finish(tx, outcome).await
    }

    async fn get_order(&self, id: &Id) -> StoreResult<Option<Order>> {
        self.get("orders", id).await
    }

    async fn list_orders(
        &self,
        query: &OrderQuery,
        page: PageRequest,
    ) -> StoreResult<(Vec<Order>, u64)> {
        self.fetch_page(
            "orders",
            |builder| orders::push_order_filter(builder, query),
            NEWEST_FIRST,
            page,
        )
        .await
    }

    async fn transition_order(&self, request: &TransitionOrder) -> StoreResult<Option<Order>> {
        let mut tx = self.begin_write().await?;
        let outcome = orders::transition_order(&mut tx, request).await;
        finish(tx, outcome).await
    }

    async fn set_delivery_person(
        &self,
        order: &Id,
        person: &DeliveryPerson,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>> {
        self.update_order(
            "UPDATE orders SET doc = json_set(doc, '$.deliveryPerson', json(?1), '$.updatedAt', ?2)
             WHERE id = ?3
             RETURNING doc",
            encode(person)?,
            at,
            order,
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
            "UPDATE orders SET doc = json_set(doc, '$.paymentDetails.transactionId', ?1, '$.updatedAt', ?2)
             WHERE id = ?3 AND json_extract(doc, '$.paymentDetails.status') = 'pending'
             RETURNING doc",
            intent_id.to_owned(),
            at,
            order,
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
            "UPDATE orders SET doc = json_set(doc, '$.paymentDetails.status', json(?1), '$.updatedAt', ?2)
             WHERE id = ?3 AND json_extract(doc, '$.paymentDetails.status') = 'pending'
             RETURNING doc",
            encode(&outcome)?,
            at,
            order,
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
            "UPDATE orders
             SET doc = json_set(doc, '$.deliveryPerson.location', json(?1),
                                '$.deliveryPerson.locationUpdatedAt', ?2)
             WHERE id = ?3 AND json_type(doc, '$.deliveryPerson') = 'object'
             RETURNING doc",
            encode(&location)?,
            at,
            order,
        )
        .await
    }

    async fn has_delivered_product(&self, user: &Id, product: &Id) -> StoreResult<bool> {
        sqlx::query_scalar(
            "SELECT EXISTS (
                 SELECT 1 FROM orders, json_each(orders.doc, '$.items') AS item
                 WHERE orders.user_id = ?1 AND orders.order_status = ?2
                   AND json_extract(item.value, '$.productId') = ?3
             )",
        )
        .bind(user.as_str())
        .bind(OrderStatus::Delivered.as_str())
        .bind(product.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(internal)
    }

    async fn promotion_uses_by(&self, user: &Id, promotion: &Id) -> StoreResult<u32> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        orders::promotion_uses(&mut conn, user, promotion).await
    }

    // --- notifications ---

    async fn insert_notification(&self, notification: &Notification) -> StoreResult<()> {
        self.insert("notifications", &notification.id, encode(notification)?)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn list_notifications(
        &self,
        user: &Id,
        page: PageRequest,
    ) -> StoreResult<(Vec<Notification>, u64)> {
        self.fetch_page(
            "notifications",
            |query| {
                query.push(" WHERE user_id = ").push_bind(user.as_str());
            },
            NEWEST_FIRST,
            page,
        )
        .await
    }

    async fn mark_notification_read(&self, user: &Id, id: &Id) -> StoreResult<bool> {
        let updated = sqlx::query(
            "UPDATE notifications SET doc = json_set(doc, '$.isRead', json('true'))
             WHERE id = ?1 AND user_id = ?2",
        )
        .bind(id.as_str())
        .bind(user.as_str())
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(updated.rows_affected() == 1)
    }

    async fn delete_notification(&self, user: &Id, id: &Id) -> StoreResult<bool> {
        let deleted = sqlx::query("DELETE FROM notifications WHERE id = ?1 AND user_id = ?2")
            .bind(id.as_str())
            .bind(user.as_str())
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(deleted.rows_affected() == 1)
    }

    // --- promotions ---

    async fn insert_promotion(&self, promotion: &Promotion) -> StoreResult<()> {
        self.insert("promotions", &promotion.id, encode(promotion)?)
            .await
            .map_err(or_duplicate(Unique::PromotionCode))?;
        Ok(())
    }

    async fn get_promotion(&self, id: &Id) -> StoreResult<Option<Promotion>> {
        self.get("promotions", id).await
    }

    async fn find_promotion_by_code(&self, code: &str) -> StoreResult<Option<Promotion>> {
        let doc: Option<String> = sqlx::query_scalar("SELECT doc FROM promotions WHERE code = ?1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal)?;
        decode_opt(doc)
    }

    /// The redemption count comes from the stored document: orders maintain it.
    async fn update_promotion(&self, promotion: &Promotion) -> StoreResult<bool> {
        let updated = sqlx::query(
            "UPDATE promotions
             SET doc = json_set(?1, '$.usedCount', doc -> '$.usedCount',
                                '$.createdAt', doc -> '$.createdAt')
             WHERE id = ?2",
        )
        .bind(encode(promotion)?)
        .bind(promotion.id.as_str())
        .execute(&self.pool)
        .await
        .map_err(or_duplicate(Unique::PromotionCode))?;
        Ok(updated.rows_affected() == 1)
    }

    async fn delete_promotion(&self, id: &Id) -> StoreResult<bool> {
        self.delete("promotions", id).await
    }

    async fn list_promotions(
        &self,
        active_at: Option<DateTime<Utc>>,
        page: PageRequest,
    ) -> StoreResult<(Vec<Promotion>, u64)> {
        let at = active_at.as_ref().map(ts);
        self.fetch_page(
            "promotions",
            |query| {
                if let Some(at) = &at {
                    query
                        .push(" WHERE is_active = 1 AND start_date <= ")
                        .push_bind(at.as_str())
                        .push(" AND end_date > ")
                        .push_bind(at.as_str());
                }
            },
            NEWEST_FIRST,
            page,
        )
        .await
    }

    // --- one-time passwords ---

    /// `OR REPLACE` deletes the row holding the phone's unique key in the same statement, so
    /// the phone never has two codes, nor none in between.
    async fn put_otp(&self, otp: &OtpRecord) -> StoreResult<()> {
        sqlx::query("INSERT OR REPLACE INTO otps (id, doc) VALUES (?1, ?2)")
            .bind(otp.id.as_str())
            .bind(encode(otp)?)
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn attempt_otp(&self, phone: &Phone) -> StoreResult<Option<OtpRecord>> {
        let doc: Option<String> = sqlx::query_scalar(
            "UPDATE otps SET doc = json_set(doc, '$.attempts', attempts + 1)
             WHERE phone = ?1
             RETURNING doc",
        )
        .bind(phone.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        decode_opt(doc)
    }

    async fn consume_otp(&self, otp: &Id) -> StoreResult<bool> {
        self.delete("otps", otp).await
    }

    // --- refresh tokens ---

    async fn insert_refresh_token(&self, token: &RefreshTokenRecord) -> StoreResult<()> {
        self.insert("refresh_tokens", &token.id, encode(token)?)
            .await
            .map_err(internal)?;
        Ok(())
    }

    /// Spending is one conditional UPDATE, so exactly one caller sees it succeed; the lookup
    /// that tells a replay from an unknown token shares its transaction.
    async fn use_refresh_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<RefreshOutcome> {
        let mut tx = self.begin_write().await?;
        let outcome = async {
            let spent: Option<String> = sqlx::query_scalar(
                "UPDATE refresh_tokens SET doc = json_set(doc, '$.usedAt', ?1)
                 WHERE token_hash = ?2 AND used_at IS NULL AND revoked = 0
                 RETURNING doc",
            )
            .bind(ts(&now))
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
            if let Some(spent) = spent {
                return Ok(RefreshOutcome::Rotated(decode(&spent)?));
            }
            let seen: Option<String> =
                sqlx::query_scalar("SELECT doc FROM refresh_tokens WHERE token_hash = ?1")
                    .bind(token_hash)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(internal)?;
            Ok(match decode_opt(seen)? {
                Some(replayed) => RefreshOutcome::Reused(replayed),
                None => RefreshOutcome::Unknown,
            })
        }
        .await;
        finish(tx, outcome).await
    }

    async fn revoke_token_family(&self, family: &Id) -> StoreResult<()> {
        sqlx::query(
            "UPDATE refresh_tokens SET doc = json_set(doc, '$.revoked', json('true'))
             WHERE family_id = ?1 AND revoked = 0",
        )
        .bind(family.as_str())
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(())
    }

    async fn revoke_user_tokens(&self, user: &Id) -> StoreResult<()> {
        sqlx::query(
            "UPDATE refresh_tokens SET doc = json_set(doc, '$.revoked', json('true'))
             WHERE user_id = ?1 AND revoked = 0",
        )
        .bind(user.as_str())
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(())
    }
}

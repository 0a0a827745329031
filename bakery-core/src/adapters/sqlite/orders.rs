//! Orders: placing and canceling them move stock, units sold and promotion redemptions in the
//! same transaction as the order itself.
//!
//! These run inside `BEGIN IMMEDIATE` transactions, which SQLite serializes: a count read in
//! one (a customer's redemptions) cannot be invalidated by another before it commits, so the
//! per-user limit needs no extra bookkeeping. Each counter still changes through a
//! conditional UPDATE whose row count is checked, so the rule lives in one statement.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::codec::{decode, decode_opt, encode, int, internal, ts, Conditions};
use super::table::NEWEST_FIRST;
use super::{finish, outbox, SqliteStore};
use crate::domain::{
    DeliveryPerson, GeoPoint, Id, Order, OrderStatus, PageRequest, PaymentMethod, PaymentStatus,
};
use crate::error::Error;
use crate::ports::{
    bake_key, out_of_stock, promotion_used_up, sold_out_for_the_day, DailyTake, OrderQuery,
    OrderStore, PaymentChange, PlaceOrder, PromotionRedemption, StoreResult, TransitionOrder,
};

pub(super) fn push_order_filter<'a>(query: &mut QueryBuilder<'a, Sqlite>, filter: &'a OrderQuery) {
    let mut conditions = Conditions::new(query);
    if let Some(user) = &filter.user {
        conditions.and().push("user_id = ").push_bind(user.as_str());
    }
    if let Some(courier) = &filter.courier {
        conditions
            .and()
            .push("json_extract(doc, '$.deliveryPerson.courierId') = ")
            .push_bind(courier.as_str());
    }
    if !filter.statuses.is_empty() {
        let mut statuses = conditions.and().push("order_status IN (").separated(", ");
        for status in &filter.statuses {
            statuses.push_bind(status.as_str());
        }
        statuses.push_unseparated(")");
    }
    if let Some(fulfilment) = filter.fulfilment {
        // Orders stored before pickup existed have no `fulfilment`: they are deliveries.
        conditions
            .and()
            .push("coalesce(json_extract(doc, '$.fulfilment'), 'delivery') = ")
            .push_bind(fulfilment.as_str());
    }
    if let Some(from) = &filter.created_from {
        conditions.and().push("created_at >= ").push_bind(ts(from));
    }
    if let Some(to) = &filter.created_to {
        conditions.and().push("created_at <= ").push_bind(ts(to));
    }
}

/// The user's orders that count against the promotion's per-user limit.
pub(super) async fn promotion_uses(
    conn: &mut SqliteConnection,
    user: &Id,
    promotion: &Id,
) -> StoreResult<u32> {
    let uses: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders
         WHERE user_id = ?1 AND promotion_id = ?2 AND order_status <> ?3",
    )
    .bind(user.as_str())
    .bind(promotion.as_str())
    .bind(OrderStatus::Canceled.as_str())
    .fetch_one(&mut *conn)
    .await
    .map_err(internal)?;
    u32::try_from(uses).map_err(Error::internal)
}

/// A missing product cannot cover its line either, so it reads as out of stock.
pub(super) async fn place_order(
    conn: &mut SqliteConnection,
    request: &PlaceOrder,
) -> StoreResult<()> {
    let order = &request.order;
    for (product, quantity) in order.units_by_product() {
        // `stock - ?1` stays NULL (unlimited) when the stock is NULL.
        let taken = sqlx::query(
            "UPDATE products
             SET doc = json_set(doc, '$.stock', stock - ?1, '$.unitsSold', units_sold + ?1)
             WHERE id = ?2 AND (stock IS NULL OR stock >= ?1)",
        )
        .bind(int(quantity))
        .bind(product.as_str())
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
        if taken.rows_affected() == 0 {
            return Err(out_of_stock(order, &product));
        }
    }
    for take in &request.bakes {
        if !take_from_bake(conn, take).await? {
            return Err(sold_out_for_the_day(order, &take.product_id, take.day));
        }
    }
    if let Some(redemption) = &request.promotion {
        redeem(conn, redemption, &order.user_id).await?;
    }
    sqlx::query("INSERT INTO orders (id, doc) VALUES (?1, ?2)")
        .bind(order.id.as_str())
        .bind(encode(order)?)
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    outbox::enqueue(conn, &request.effects).await
}

/// Adds the take to the day's count, creating it, only while the count stays within the
/// daily quantity: one upsert whose row count says whether it applied. `false` when the
/// day's bake cannot cover it.
async fn take_from_bake(conn: &mut SqliteConnection, take: &DailyTake) -> StoreResult<bool> {
    let taken = sqlx::query(
        "INSERT INTO daily_bakes (id, product_id, day, taken)
         SELECT ?1, ?2, ?3, ?4 WHERE ?4 <= ?5
         ON CONFLICT (id) DO UPDATE SET taken = taken + excluded.taken
         WHERE daily_bakes.taken + excluded.taken <= ?5",
    )
    .bind(bake_key(&take.product_id, take.day))
    .bind(take.product_id.as_str())
    .bind(take.day.to_string())
    .bind(int(take.quantity))
    .bind(int(take.daily_quantity))
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(taken.rows_affected() == 1)
}

/// The limits are the ones the use case checked against, re-checked at commit time.
async fn redeem(
    conn: &mut SqliteConnection,
    redemption: &PromotionRedemption,
    user: &Id,
) -> StoreResult<()> {
    let counted = sqlx::query(
        "UPDATE promotions SET doc = json_set(doc, '$.usedCount', used_count + 1)
         WHERE id = ?1 AND (?2 IS NULL OR used_count < ?2)",
    )
    .bind(redemption.promotion_id.as_str())
    .bind(redemption.usage_limit.map(int))
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    if counted.rows_affected() == 0 {
        return Err(promotion_used_up());
    }
    if let Some(limit) = redemption.per_user_limit {
        if promotion_uses(conn, user, &redemption.promotion_id).await? >= limit {
            return Err(promotion_used_up());
        }
    }
    Ok(())
}

pub(super) async fn transition_order(
    conn: &mut SqliteConnection,
    request: &TransitionOrder,
) -> StoreResult<Option<Order>> {
    let change = &request.change;
    // Without a payment step the payment condition reads `status = status` and the status
    // is written back unchanged, so one statement serves both.
    let (payment_from, payment_to) = match request.payment {
        Some(step) => (Some(step.from.as_str()), Some(step.to.as_str())),
        None => (None, None),
    };
    let updated: Option<String> = sqlx::query_scalar(
        "UPDATE orders
         SET doc = json_set(json_insert(doc, '$.statusHistory[#]', json(?1)),
                            '$.orderStatus', ?2, '$.updatedAt', ?3, '$.revision', coalesce(json_extract(doc, '$.revision'), 0) + 1,
                            '$.paymentDetails.status',
                            coalesce(?7, json_extract(doc, '$.paymentDetails.status')))
         WHERE id = ?4 AND order_status = ?5
           AND json_extract(doc, '$.paymentDetails.status')
               = coalesce(?6, json_extract(doc, '$.paymentDetails.status'))
         RETURNING doc",
    )
    .bind(encode(change)?)
    .bind(change.status.as_str())
    .bind(ts(&change.at))
    .bind(request.order_id.as_str())
    .bind(request.from.as_str())
    .bind(payment_from)
    .bind(payment_to)
    .fetch_optional(&mut *conn)
    .await
    .map_err(internal)?;
    let Some(updated) = updated else {
        return Ok(None);
    };
    let order: Order = decode(&updated)?;
    if change.status == OrderStatus::Canceled {
        give_back(conn, &order).await?;
    }
    outbox::enqueue(conn, &request.effects).await?;
    Ok(Some(order))
}

/// Undoes what placing the order consumed. Stock goes back only where it is still limited
/// (`NULL + q` stays NULL); a product deleted since simply matches nothing. The counters are
/// floored at zero so a hand-edited document can never make them undecodable.
async fn give_back(conn: &mut SqliteConnection, order: &Order) -> StoreResult<()> {
    for (product, quantity) in order.units_by_product() {
        sqlx::query(
            "UPDATE products
             SET doc = json_set(doc, '$.stock', stock + ?1,
                                '$.unitsSold', max(units_sold - ?1, 0))
             WHERE id = ?2",
        )
        .bind(int(quantity))
        .bind(product.as_str())
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    }
    for (product, day, quantity) in order.bakes_by_product() {
        sqlx::query("UPDATE daily_bakes SET taken = max(taken - ?1, 0) WHERE id = ?2")
            .bind(int(quantity))
            .bind(bake_key(&product, day))
            .execute(&mut *conn)
            .await
            .map_err(internal)?;
    }
    if let Some(promotion) = &order.promotion_id {
        sqlx::query(
            "UPDATE promotions SET doc = json_set(doc, '$.usedCount', used_count - 1)
             WHERE id = ?1 AND used_count > 0",
        )
        .bind(promotion.as_str())
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    }
    Ok(())
}

#[async_trait]
impl OrderStore for SqliteStore {
    async fn place_order(&self, request: &PlaceOrder) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let outcome = place_order(&mut tx, request).await;
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
            |builder| push_order_filter(builder, query),
            NEWEST_FIRST,
            page,
        )
        .await
    }

    async fn transition_order(&self, request: &TransitionOrder) -> StoreResult<Option<Order>> {
        let mut tx = self.begin_write().await?;
        let outcome = transition_order(&mut tx, request).await;
        finish(tx, outcome).await
    }

    async fn set_delivery_person(
        &self,
        order: &Id,
        person: &DeliveryPerson,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>> {
        self.update_order(
            "UPDATE orders SET doc = json_set(doc, '$.deliveryPerson', json(?1), '$.updatedAt', ?2,
                                      '$.revision', coalesce(json_extract(doc, '$.revision'), 0) + 1)
             WHERE id = ?3
             RETURNING doc",
            encode(person)?,
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
        eta: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>> {
        let doc: Option<String> = sqlx::query_scalar(
            "UPDATE orders
             SET doc = json_set(doc, '$.deliveryPerson.location', json(?1),
                                '$.deliveryPerson.locationUpdatedAt', ?2,
                                '$.estimatedDeliveryTime',
                                    coalesce(?4, json_extract(doc, '$.estimatedDeliveryTime')),
                                '$.revision', coalesce(json_extract(doc, '$.revision'), 0)
                                              + CASE WHEN ?4 IS NULL THEN 1 ELSE 2 END)
             WHERE id = ?3 AND json_type(doc, '$.deliveryPerson') = 'object'
             RETURNING doc",
        )
        .bind(encode(&location)?)
        .bind(ts(&at))
        .bind(order.as_str())
        .bind(eta.as_ref().map(ts))
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        decode_opt(doc)
    }

    async fn set_payment_intent(
        &self,
        order: &Id,
        intent_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>> {
        self.update_order(
            "UPDATE orders SET doc = json_set(doc, '$.paymentDetails.transactionId', ?1, '$.updatedAt', ?2,
                                                  '$.revision', coalesce(json_extract(doc, '$.revision'), 0) + 1)
             WHERE id = ?3
               AND json_extract(doc, '$.paymentDetails.status') IN ('pending', 'failed')
             RETURNING doc",
            intent_id.to_owned(),
            at,
            order,
        )
        .await
    }

    async fn change_payment(&self, change: &PaymentChange) -> StoreResult<Option<Order>> {
        let mut tx = self.begin_write().await?;
        let result = async {
            let doc: Option<String> = sqlx::query_scalar(
                "UPDATE orders
                 SET doc = json_set(doc, '$.paymentDetails.status', ?1, '$.updatedAt', ?2,
                     '$.revision', coalesce(json_extract(doc, '$.revision'), 0) + 1,
                     '$.paymentDetails.transactionId',
                         coalesce(?3, json_extract(doc, '$.paymentDetails.transactionId')),
                     '$.paymentDetails.refundId',
                         coalesce(?4, json_extract(doc, '$.paymentDetails.refundId')))
                 WHERE id = ?5 AND order_status = ?6
                   AND json_extract(doc, '$.paymentDetails.status') = ?7
                 RETURNING doc",
            )
            .bind(change.step.to.as_str())
            .bind(ts(&change.at))
            .bind(change.transaction_id.as_deref())
            .bind(change.refund_id.as_deref())
            .bind(change.order_id.as_str())
            .bind(change.order_status.as_str())
            .bind(change.step.from.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
            let changed: Option<Order> = decode_opt(doc)?;
            if changed.is_some() {
                outbox::enqueue(&mut tx, &change.effects).await?;
            }
            Ok(changed)
        }
        .await;
        finish(tx, result).await
    }

    async fn find_order_by_payment_intent(&self, intent_id: &str) -> StoreResult<Option<Order>> {
        let doc: Option<String> = sqlx::query_scalar(
            "SELECT doc FROM orders
             WHERE json_extract(doc, '$.paymentDetails.transactionId') = ?1
             LIMIT 1",
        )
        .bind(intent_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        decode_opt(doc)
    }

    async fn awaiting_payment(
        &self,
        created_before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Order>> {
        let docs: Vec<String> = sqlx::query_scalar(
            "SELECT doc FROM orders
             WHERE order_status = ?1 AND created_at <= ?2
               AND json_extract(doc, '$.paymentDetails.method') = ?3
               AND json_extract(doc, '$.paymentDetails.status') IN (?4, ?5)
             ORDER BY created_at
             LIMIT ?6",
        )
        .bind(OrderStatus::Placed.as_str())
        .bind(ts(&created_before))
        .bind(PaymentMethod::Card.as_str())
        .bind(PaymentStatus::Pending.as_str())
        .bind(PaymentStatus::Failed.as_str())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        docs.iter().map(|doc| decode(doc)).collect()
    }

    /// `due_at` is the indexed generated column of migration 0007.
    async fn orders_due(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        after: Option<&Id>,
        limit: u32,
    ) -> StoreResult<Vec<Order>> {
        let docs: Vec<String> = sqlx::query_scalar(
            "SELECT doc FROM orders
             WHERE due_at >= ?1 AND due_at < ?2 AND order_status <> ?3
               AND (?4 IS NULL OR id > ?4)
             ORDER BY id
             LIMIT ?5",
        )
        .bind(ts(&from))
        .bind(ts(&to))
        .bind(OrderStatus::Canceled.as_str())
        .bind(after.map(Id::as_str))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        docs.iter().map(|doc| decode(doc)).collect()
    }

    async fn has_delivered_product(&self, user: &Id, product: &Id) -> StoreResult<bool> {
        sqlx::query_scalar(
            "SELECT EXISTS (
                 SELECT 1 FROM orders, json_each(orders.doc, '$.items') AS item
                 WHERE orders.user_id = ?1 AND orders.order_status IN (?2, ?4)
                   AND json_extract(item.value, '$.productId') = ?3
             )",
        )
        .bind(user.as_str())
        .bind(OrderStatus::Delivered.as_str())
        .bind(product.as_str())
        .bind(OrderStatus::PickedUp.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(internal)
    }

    async fn promotion_uses_by(&self, user: &Id, promotion: &Id) -> StoreResult<u32> {
        let mut conn = self.pool.acquire().await.map_err(internal)?;
        promotion_uses(&mut conn, user, promotion).await
    }

    async fn bakes_taken(&self, day: NaiveDate, products: &[Id]) -> StoreResult<Vec<(Id, u32)>> {
        if products.is_empty() {
            return Ok(Vec::new());
        }
        let mut query =
            QueryBuilder::<Sqlite>::new("SELECT product_id, taken FROM daily_bakes WHERE id IN (");
        let mut ids = query.separated(", ");
        for product in products {
            ids.push_bind(bake_key(product, day));
        }
        ids.push_unseparated(")");
        let rows: Vec<(String, i64)> = query
            .build_query_as()
            .fetch_all(&self.pool)
            .await
            .map_err(internal)?;
        rows.into_iter()
            .map(|(product, taken)| {
                Ok((
                    Id::parse("productId", &product)?,
                    u32::try_from(taken).map_err(Error::internal)?,
                ))
            })
            .collect()
    }
}

impl SqliteStore {
    /// Runs an `UPDATE orders … RETURNING doc` that binds a JSON value, a time and the id.
    pub(super) async fn update_order(
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

//! Orders: placing and canceling them move stock, units sold and promotion redemptions in the
//! same transaction as the order itself.
//!
//! These run inside `BEGIN IMMEDIATE` transactions, which SQLite serializes: a count read in
//! one (a customer's redemptions) cannot be invalidated by another before it commits, so the
//! per-user limit needs no extra bookkeeping. Each counter still changes through a
//! conditional UPDATE whose row count is checked, so the rule lives in one statement.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::codec::{decode, encode, int, internal, ts, Conditions};
use crate::domain::{Id, Order, OrderStatus};
use crate::error::{ConflictCode, Error};
use crate::ports::{OrderQuery, PlaceOrder, PromotionRedemption, StoreResult, TransitionOrder};

pub(super) fn push_order_filter<'a>(query: &mut QueryBuilder<'a, Sqlite>, filter: &'a OrderQuery) {
    let mut conditions = Conditions::new(query);
    if let Some(user) = &filter.user {
        conditions.and().push("user_id = ").push_bind(user.as_str());
    }
    if !filter.statuses.is_empty() {
        let mut statuses = conditions.and().push("order_status IN (").separated(", ");
        for status in &filter.statuses {
            statuses.push_bind(status.as_str());
        }
        statuses.push_unseparated(")");
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

fn out_of_stock(order: &Order, product: &Id) -> Error {
    let name = order
        .items
        .iter()
        .find(|item| &item.product_id == product)
        .map_or("a product", |item| item.name.as_str());
    Error::conflict(ConflictCode::OutOfStock, format!("{name} is out of stock"))
}

fn used_up() -> Error {
    Error::conflict(
        ConflictCode::PromotionUsedUp,
        "this promotion has been used up",
    )
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
    if let Some(redemption) = &request.promotion {
        redeem(conn, redemption, &order.user_id).await?;
    }
    sqlx::query("INSERT INTO orders (id, doc) VALUES (?1, ?2)")
        .bind(order.id.as_str())
        .bind(encode(order)?)
        .execute(&mut *conn)
        .await
        .map_err(internal)?;
    Ok(())
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
        return Err(used_up());
    }
    if let Some(limit) = redemption.per_user_limit {
        if promotion_uses(conn, user, &redemption.promotion_id).await? >= limit {
            return Err(used_up());
        }
    }
    Ok(())
}

pub(super) async fn transition_order(
    conn: &mut SqliteConnection,
    request: &TransitionOrder,
) -> StoreResult<Option<Order>> {
    let change = &request.change;
    let updated: Option<String> = sqlx::query_scalar(
        "UPDATE orders
         SET doc = json_set(json_insert(doc, '$.statusHistory[#]', json(?1)),
                            '$.orderStatus', ?2, '$.updatedAt', ?3)
         WHERE id = ?4 AND order_status = ?5
         RETURNING doc",
    )
    .bind(encode(change)?)
    .bind(change.status.as_str())
    .bind(ts(&change.at))
    .bind(request.order_id.as_str())
    .bind(request.from.as_str())
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

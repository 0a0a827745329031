//! Orders: placing and canceling them move stock, units sold and promotion redemptions in the
//! same transaction as the order itself.

use bson::{doc, Document};
use mongodb::options::ReturnDocument;
use mongodb::ClientSession;

use super::docs::{from_doc, int, oid, to_doc, to_value, ts};
use super::tx::TxResult;
use super::{coll, MongoStore};
use crate::domain::{Id, Order, OrderStatus};
use crate::error::{ConflictCode, Error};
use crate::ports::{OrderQuery, PlaceOrder, PromotionRedemption, TransitionOrder};

pub(super) fn order_filter(query: &OrderQuery) -> Document {
    let mut filter = Document::new();
    if let Some(user) = &query.user {
        filter.insert("userId", user.as_str());
    }
    if !query.statuses.is_empty() {
        let statuses: Vec<&str> = query.statuses.iter().map(|s| s.as_str()).collect();
        filter.insert("orderStatus", doc! { "$in": statuses });
    }
    let mut created = Document::new();
    if let Some(from) = &query.created_from {
        created.insert("$gte", ts(from));
    }
    if let Some(to) = &query.created_to {
        created.insert("$lte", ts(to));
    }
    if !created.is_empty() {
        filter.insert("createdAt", created);
    }
    filter
}

/// The orders that count against a promotion's per-user limit.
pub(super) fn redemptions_filter(user: &Id, promotion: &Id) -> Document {
    doc! {
        "userId": user.as_str(),
        "promotionId": promotion.as_str(),
        "orderStatus": { "$ne": OrderStatus::Canceled.as_str() },
    }
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

impl MongoStore {
    pub(super) async fn place_order_tx(
        &self,
        session: &mut ClientSession,
        request: &PlaceOrder,
    ) -> TxResult<()> {
        let order = &request.order;
        let products = self.collection(coll::PRODUCTS);
        for (product, quantity) in order.units_by_product() {
            let id = oid(&product)?;
            let q = int(quantity);
            // Limited and unlimited stock take separate updates: `$inc` on a null field fails.
            let limited = products
                .update_one(
                    doc! { "_id": id, "stock": { "$gte": q } },
                    doc! { "$inc": { "stock": -q, "unitsSold": q } },
                )
                .session(&mut *session)
                .await?;
            if limited.matched_count == 1 {
                continue;
            }
            let unlimited = products
                .update_one(
                    doc! { "_id": id, "stock": null },
                    doc! { "$inc": { "unitsSold": q } },
                )
                .session(&mut *session)
                .await?;
            if unlimited.matched_count == 0 {
                return Err(out_of_stock(order, &product).into());
            }
        }
        if let Some(redemption) = &request.promotion {
            self.redeem(session, redemption, &order.user_id).await?;
        }
        self.collection(coll::ORDERS)
            .insert_one(to_doc(order)?)
            .session(&mut *session)
            .await?;
        Ok(())
    }

    async fn redeem(
        &self,
        session: &mut ClientSession,
        redemption: &PromotionRedemption,
        user: &Id,
    ) -> TxResult<()> {
        let mut filter = doc! { "_id": oid(&redemption.promotion_id)? };
        if let Some(limit) = redemption.usage_limit {
            filter.insert("usedCount", doc! { "$lt": int(limit) });
        }
        let counted = self
            .collection(coll::PROMOTIONS)
            .update_one(filter, doc! { "$inc": { "usedCount": 1_i64 } })
            .session(&mut *session)
            .await?;
        if counted.matched_count == 0 {
            return Err(used_up().into());
        }
        if let Some(limit) = redemption.per_user_limit {
            self.touch_redemptions(session, &redemption.promotion_id, user)
                .await?;
            let used = self
                .collection(coll::ORDERS)
                .count_documents(redemptions_filter(user, &redemption.promotion_id))
                .session(&mut *session)
                .await?;
            if used >= u64::from(limit) {
                return Err(used_up().into());
            }
        }
        Ok(())
    }

    /// Two transactions counting the same user's orders would not conflict (they only read,
    /// then insert different orders), so both could pass a per-user limit of one. Writing
    /// one document per (promotion, user) makes them conflict: one retries and sees the
    /// other's order.
    async fn touch_redemptions(
        &self,
        session: &mut ClientSession,
        promotion: &Id,
        user: &Id,
    ) -> TxResult<()> {
        self.collection(coll::PROMOTION_REDEMPTIONS)
            .update_one(
                doc! { "_id": format!("{promotion}:{user}") },
                doc! {
                    "$inc": { "writes": 1_i64 },
                    "$setOnInsert": { "promotionId": promotion.as_str(), "userId": user.as_str() },
                },
            )
            .upsert(true)
            .session(&mut *session)
            .await?;
        Ok(())
    }

    pub(super) async fn transition_order_tx(
        &self,
        session: &mut ClientSession,
        request: &TransitionOrder,
    ) -> TxResult<Option<Order>> {
        let change = &request.change;
        let updated = self
            .collection(coll::ORDERS)
            .find_one_and_update(
                doc! { "_id": oid(&request.order_id)?, "orderStatus": request.from.as_str() },
                doc! {
                    "$set": { "orderStatus": change.status.as_str(), "updatedAt": ts(&change.at) },
                    "$push": { "statusHistory": to_value(change)? },
                },
            )
            .return_document(ReturnDocument::After)
            .session(&mut *session)
            .await?;
        let Some(updated) = updated else {
            return Ok(None);
        };
        let order: Order = from_doc(updated)?;
        if change.status == OrderStatus::Canceled {
            self.give_back(session, &order).await?;
        }
        Ok(Some(order))
    }

    /// Undoes what placing the order consumed. Stock goes back only where it is still
    /// limited; a product deleted since simply matches nothing.
    async fn give_back(&self, session: &mut ClientSession, order: &Order) -> TxResult<()> {
        let products = self.collection(coll::PRODUCTS);
        for (product, quantity) in order.units_by_product() {
            let id = oid(&product)?;
            let q = int(quantity);
            let limited = products
                .update_one(
                    doc! { "_id": id, "stock": { "$ne": null } },
                    doc! { "$inc": { "stock": q, "unitsSold": -q } },
                )
                .session(&mut *session)
                .await?;
            if limited.matched_count == 0 {
                products
                    .update_one(doc! { "_id": id }, doc! { "$inc": { "unitsSold": -q } })
                    .session(&mut *session)
                    .await?;
            }
        }
        if let Some(promotion) = &order.promotion_id {
            self.collection(coll::PROMOTIONS)
                .update_one(
                    doc! { "_id": oid(promotion)?, "usedCount": { "$gt": 0 } },
                    doc! { "$inc": { "usedCount": -1_i64 } },
                )
                .session(&mut *session)
                .await?;
            self.touch_redemptions(session, promotion, &order.user_id)
                .await?;
        }
        Ok(())
    }
}

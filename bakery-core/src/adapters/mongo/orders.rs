//! Orders: placing and canceling them move stock, units sold and promotion redemptions in the
//! same transaction as the order itself.

use async_trait::async_trait;
use bson::{doc, Bson, Document};
use chrono::{DateTime, NaiveDate, Utc};
use futures::TryStreamExt;
use mongodb::options::ReturnDocument;
use mongodb::ClientSession;

use super::docs::{from_doc, int, internal, is_duplicate_key, oid, to_doc, to_value, ts};
use super::table::newest_first;
use super::tx::{TxError, TxResult};
use super::{coll, MongoStore};
use crate::domain::{
    DeliveryPerson, Fulfilment, GeoPoint, Id, Order, OrderStatus, PageRequest, PaymentMethod,
    PaymentStatus,
};
use crate::error::Error;
use crate::ports::{
    bake_key, out_of_stock, promotion_used_up, sold_out_for_the_day, DailyTake, OrderQuery,
    OrderStore, PaymentChange, PlaceOrder, PromotionRedemption, StoreResult, TransitionOrder,
};

pub(super) fn order_filter(query: &OrderQuery) -> Document {
    let mut filter = Document::new();
    if let Some(user) = &query.user {
        filter.insert("userId", user.as_str());
    }
    if let Some(courier) = &query.courier {
        filter.insert("deliveryPerson.courierId", courier.as_str());
    }
    if !query.statuses.is_empty() {
        let statuses: Vec<&str> = query.statuses.iter().map(|s| s.as_str()).collect();
        filter.insert("orderStatus", doc! { "$in": statuses });
    }
    match query.fulfilment {
        // Orders stored before pickup existed have no `fulfilment`: they are deliveries.
        Some(Fulfilment::Delivery) => {
            filter.insert(
                "fulfilment",
                doc! { "$in": [Fulfilment::Delivery.as_str(), Bson::Null] },
            );
        }
        Some(Fulfilment::Pickup) => {
            filter.insert("fulfilment", Fulfilment::Pickup.as_str());
        }
        None => {}
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
        for take in &request.bakes {
            if !self.take_from_bake(session, take).await? {
                return Err(sold_out_for_the_day(order, &take.product_id, take.day).into());
            }
        }
        if let Some(redemption) = &request.promotion {
            self.redeem(session, redemption, &order.user_id).await?;
        }
        self.collection(coll::ORDERS)
            .insert_one(to_doc(order)?)
            .session(&mut *session)
            .await?;
        self.enqueue_tx(session, &request.effects).await
    }

    /// Adds the take to the day's count only while it stays within the daily quantity;
    /// `false` when the day's bake cannot cover it. The count is created first (at zero) so
    /// the increment is one conditional update on an existing document: two transactions
    /// taking from the same day write the same document, and the later one retries on the
    /// other's count.
    async fn take_from_bake(
        &self,
        session: &mut ClientSession,
        take: &DailyTake,
    ) -> TxResult<bool> {
        let Some(room) = take.daily_quantity.checked_sub(take.quantity) else {
            return Ok(false);
        };
        let bakes = self.collection(coll::DAILY_BAKES);
        let key = bake_key(&take.product_id, take.day);
        let created = bakes
            .update_one(
                doc! { "_id": key.as_str() },
                doc! { "$setOnInsert": {
                    "productId": take.product_id.as_str(),
                    "day": take.day.to_string(),
                    "taken": 0_i64,
                } },
            )
            .upsert(true)
            .session(&mut *session)
            .await;
        match created {
            Ok(_) => {}
            // Another transaction created the same day's count first.
            Err(e) if is_duplicate_key(&e) => return Err(TxError::Raced(e)),
            Err(e) => return Err(e.into()),
        }
        let taken = bakes
            .update_one(
                doc! { "_id": key.as_str(), "taken": { "$lte": int(room) } },
                doc! { "$inc": { "taken": int(take.quantity) } },
            )
            .session(&mut *session)
            .await?;
        Ok(taken.matched_count == 1)
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
            return Err(promotion_used_up().into());
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
                return Err(promotion_used_up().into());
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

    async fn change_payment_tx(
        &self,
        session: &mut ClientSession,
        change: &PaymentChange,
    ) -> TxResult<Option<Order>> {
        let mut set = doc! {
            "paymentDetails.status": change.step.to.as_str(),
            "updatedAt": ts(&change.at),
        };
        if let Some(intent) = &change.transaction_id {
            set.insert("paymentDetails.transactionId", intent.as_str());
        }
        if let Some(refund) = &change.refund_id {
            set.insert("paymentDetails.refundId", refund.as_str());
        }
        let updated = self
            .collection(coll::ORDERS)
            .find_one_and_update(
                doc! {
                    "_id": oid(&change.order_id)?,
                    "orderStatus": change.order_status.as_str(),
                    "paymentDetails.status": change.step.from.as_str(),
                },
                doc! { "$set": set, "$inc": { "revision": 1_i64 } },
            )
            .return_document(ReturnDocument::After)
            .session(&mut *session)
            .await?;
        let Some(updated) = updated else {
            return Ok(None);
        };
        self.enqueue_tx(session, &change.effects).await?;
        Ok(Some(from_doc(updated)?))
    }

    pub(super) async fn transition_order_tx(
        &self,
        session: &mut ClientSession,
        request: &TransitionOrder,
    ) -> TxResult<Option<Order>> {
        let change = &request.change;
        let mut filter =
            doc! { "_id": oid(&request.order_id)?, "orderStatus": request.from.as_str() };
        let mut set = doc! { "orderStatus": change.status.as_str(), "updatedAt": ts(&change.at) };
        if let Some(step) = request.payment {
            filter.insert("paymentDetails.status", step.from.as_str());
            set.insert("paymentDetails.status", step.to.as_str());
        }
        let updated = self
            .collection(coll::ORDERS)
            .find_one_and_update(
                filter,
                doc! {
                    "$set": set,
                    "$push": { "statusHistory": to_value(change)? },
                    "$inc": { "revision": 1_i64 },
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
        self.enqueue_tx(session, &request.effects).await?;
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
        let bakes = self.collection(coll::DAILY_BAKES);
        for (product, day, quantity) in order.bakes_by_product() {
            let key = bake_key(&product, day);
            let q = int(quantity);
            // Floored at zero, like the other counters given back.
            let given = bakes
                .update_one(
                    doc! { "_id": key.as_str(), "taken": { "$gte": q } },
                    doc! { "$inc": { "taken": -q } },
                )
                .session(&mut *session)
                .await?;
            if given.matched_count == 0 {
                bakes
                    .update_one(
                        doc! { "_id": key.as_str() },
                        doc! { "$set": { "taken": 0_i64 } },
                    )
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

#[async_trait]
impl OrderStore for MongoStore {
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
        self.find_page(coll::ORDERS, order_filter(query), newest_first(), page)
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
            doc! {
                "$set": { "deliveryPerson": to_value(person)?, "updatedAt": ts(&at) },
                "$inc": { "revision": 1_i64 },
            },
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
        let mut set = doc! {
            "deliveryPerson.location": to_value(&location)?,
            "deliveryPerson.locationUpdatedAt": ts(&at),
        };
        if let Some(eta) = &eta {
            set.insert("estimatedDeliveryTime", ts(eta));
        }
        let steps: i64 = if eta.is_some() { 2 } else { 1 };
        self.update_order(
            doc! { "_id": oid(order)?, "deliveryPerson": { "$type": "object" } },
            doc! { "$set": set, "$inc": { "revision": steps } },
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
            doc! {
                "_id": oid(order)?,
                "paymentDetails.status": { "$in": [PaymentStatus::Pending.as_str(), PaymentStatus::Failed.as_str()] },
            },
            doc! {
                "$set": { "paymentDetails.transactionId": intent_id, "updatedAt": ts(&at) },
                "$inc": { "revision": 1_i64 },
            },
        )
        .await
    }

    async fn change_payment(&self, change: &PaymentChange) -> StoreResult<Option<Order>> {
        self.transaction(|mut session| async move {
            let outcome = self.change_payment_tx(&mut session, change).await;
            (session, outcome)
        })
        .await
    }

    async fn find_order_by_payment_intent(&self, intent_id: &str) -> StoreResult<Option<Order>> {
        self.collection(coll::ORDERS)
            .find_one(doc! { "paymentDetails.transactionId": intent_id })
            .await
            .map_err(internal)?
            .map(from_doc)
            .transpose()
    }

    async fn awaiting_payment(
        &self,
        created_before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Order>> {
        let docs: Vec<Document> = self
            .collection(coll::ORDERS)
            .find(doc! {
                "orderStatus": OrderStatus::Placed.as_str(),
                "createdAt": { "$lte": ts(&created_before) },
                "paymentDetails.method": PaymentMethod::Card.as_str(),
                "paymentDetails.status": {
                    "$in": [PaymentStatus::Pending.as_str(), PaymentStatus::Failed.as_str()],
                },
            })
            .sort(doc! { "createdAt": 1 })
            .limit(i64::from(limit))
            .await
            .map_err(internal)?
            .try_collect()
            .await
            .map_err(internal)?;
        docs.into_iter().map(from_doc).collect()
    }

    /// A document has no computed due time to index, so each half of the `$or` has its own
    /// index: scheduled orders by `scheduledDeliveryTime`, the others by their estimate.
    async fn orders_due(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        after: Option<&Id>,
        limit: u32,
    ) -> StoreResult<Vec<Order>> {
        let window = doc! { "$gte": ts(&from), "$lt": ts(&to) };
        let mut filter = doc! {
            "orderStatus": { "$ne": OrderStatus::Canceled.as_str() },
            "$or": [
                { "scheduledDeliveryTime": window.clone() },
                { "scheduledDeliveryTime": null, "estimatedDeliveryTime": window },
            ],
        };
        if let Some(after) = after {
            filter.insert("_id", doc! { "$gt": oid(after)? });
        }
        let docs: Vec<Document> = self
            .collection(coll::ORDERS)
            .find(filter)
            .sort(doc! { "_id": 1 })
            .limit(i64::from(limit))
            .await
            .map_err(internal)?
            .try_collect()
            .await
            .map_err(internal)?;
        docs.into_iter().map(from_doc).collect()
    }

    async fn has_delivered_product(&self, user: &Id, product: &Id) -> StoreResult<bool> {
        let found = self
            .collection(coll::ORDERS)
            .count_documents(doc! {
                "userId": user.as_str(),
                "orderStatus": {
                    "$in": [OrderStatus::Delivered.as_str(), OrderStatus::PickedUp.as_str()],
                },
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
            .count_documents(redemptions_filter(user, promotion))
            .await
            .map_err(internal)?;
        u32::try_from(uses).map_err(Error::internal)
    }

    async fn bakes_taken(&self, day: NaiveDate, products: &[Id]) -> StoreResult<Vec<(Id, u32)>> {
        if products.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = products.iter().map(|p| bake_key(p, day)).collect();
        let docs: Vec<Document> = self
            .collection(coll::DAILY_BAKES)
            .find(doc! { "_id": { "$in": keys } })
            .await
            .map_err(internal)?
            .try_collect()
            .await
            .map_err(internal)?;
        docs.into_iter()
            .map(|doc| {
                let product = doc
                    .get_str("productId")
                    .map_err(|_| Error::internal("a daily bake without productId"))?;
                let taken = match doc.get("taken") {
                    Some(Bson::Int64(n)) => *n,
                    Some(Bson::Int32(n)) => i64::from(*n),
                    _ => return Err(Error::internal("a daily bake without taken")),
                };
                Ok((
                    Id::parse("productId", product)?,
                    u32::try_from(taken).map_err(Error::internal)?,
                ))
            })
            .collect()
    }
}

impl MongoStore {
    pub(super) async fn update_order(
        &self,
        filter: Document,
        update: Document,
    ) -> StoreResult<Option<Order>> {
        self.collection(coll::ORDERS)
            .find_one_and_update(filter, update)
            .return_document(ReturnDocument::After)
            .await
            .map_err(internal)?
            .map(from_doc)
            .transpose()
    }
}

//! Orders, with what they consume: placing one takes limited stock and counts the promotion
//! redemption in the same transaction; canceling gives both back.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::StoreResult;
use crate::domain::{
    DeliveryPerson, Fulfilment, GeoPoint, Id, Order, OrderStatus, OutboxMessage, PageRequest,
    PaymentStatus, StatusChange,
};
use crate::error::{ConflictCode, Error};

/// Which orders a listing shows; `None` means any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderQuery {
    pub user: Option<Id>,
    /// Orders assigned to this courier's account.
    pub courier: Option<Id>,
    /// Any of these statuses; empty means all.
    pub statuses: Vec<OrderStatus>,
    /// Inclusive bounds on `createdAt`.
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    /// Only deliveries, or only pickups; `None` for both.
    pub fulfilment: Option<Fulfilment>,
}

/// An order to insert together with what it consumes.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaceOrder {
    pub order: Order,
    /// The promotion redeemed, with the limits that must still hold at commit time.
    pub promotion: Option<PromotionRedemption>,
    /// Added to the outbox in the same transaction.
    pub effects: Vec<OutboxMessage>,
    /// The daily bakes the order takes from (one per product with a daily quantity).
    pub bakes: Vec<DailyTake>,
}

/// Units an order takes from one product's bake of one local day, with the product's daily
/// quantity, which the day's count must still not exceed at commit time (as a promotion's
/// limits travel with its redemption).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DailyTake {
    pub product_id: Id,
    pub day: NaiveDate,
    pub quantity: u32,
    pub daily_quantity: u32,
}

impl DailyTake {
    /// What `order` takes from each bake it has a line of, given each product's daily
    /// quantity; lines of products missing from `daily_quantities` take nothing.
    pub fn of(order: &Order, daily_quantities: &[(Id, u32)]) -> Vec<Self> {
        order
            .bakes_by_product()
            .into_iter()
            .filter_map(|(product_id, day, quantity)| {
                let daily_quantity = daily_quantities
                    .iter()
                    .find(|(id, _)| id == &product_id)
                    .map(|(_, q)| *q)?;
                Some(Self {
                    product_id,
                    day,
                    quantity,
                    daily_quantity,
                })
            })
            .collect()
    }
}

/// The key a product's count of one day is stored under on every store
/// (`<product id>:<YYYY-MM-DD>`): ids sort by product, then by day.
pub fn bake_key(product: &Id, day: NaiveDate) -> String {
    format!("{product}:{}", day.format("%Y-%m-%d"))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromotionRedemption {
    pub promotion_id: Id,
    pub usage_limit: Option<u32>,
    pub per_user_limit: Option<u32>,
}

/// A status change that applies only if the order is still in `from`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransitionOrder {
    pub order_id: Id,
    pub from: OrderStatus,
    pub change: StatusChange,
    /// A condition on the payment and, when it moves, its new status (a paid order that is
    /// canceled goes to `refund_pending`). `None` leaves the payment out of it.
    pub payment: Option<PaymentStep>,
    /// Added to the outbox in the same transaction, only if the change applies.
    pub effects: Vec<OutboxMessage>,
}

/// The payment status a decision was made on, and the one it leads to (the same, when the
/// payment only has to still read so).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaymentStep {
    pub from: PaymentStatus,
    pub to: PaymentStatus,
}

/// A payment moving forward, applied only while the order and its payment still read as
/// they did when the move was decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentChange {
    pub order_id: Id,
    pub order_status: OrderStatus,
    pub step: PaymentStep,
    /// Recorded when known (a webhook can arrive before the intent id was stored).
    pub transaction_id: Option<String>,
    pub refund_id: Option<String>,
    pub at: DateTime<Utc>,
    /// Added to the outbox in the same transaction, only if the change applies.
    pub effects: Vec<OutboxMessage>,
}

/// What placing `order` reports when `product` cannot cover its line. A product deleted
/// since cannot cover it either, so it reads the same.
pub fn out_of_stock(order: &Order, product: &Id) -> Error {
    let name = order
        .items
        .iter()
        .find(|item| &item.product_id == product)
        .map_or("a product", |item| item.name.as_str());
    Error::conflict(ConflictCode::OutOfStock, format!("{name} is out of stock"))
}

/// What placing `order` reports when the bake of `day` cannot cover its line of `product`.
/// The use case adds when the product is next available.
pub fn sold_out_for_the_day(order: &Order, product: &Id, day: NaiveDate) -> Error {
    let line = order
        .items
        .iter()
        .position(|item| &item.product_id == product);
    let name = line.map_or("a product", |i| order.items[i].name.as_str());
    let at = line.map_or_else(String::new, |i| format!("items[{i}]: "));
    Error::conflict(
        ConflictCode::SoldOutForTheDay,
        format!("{at}{name} is sold out for {}", day.format("%A %-d %B %Y")),
    )
}

/// What placing an order reports when its promotion's global or per-customer limit is
/// reached at commit time.
pub fn promotion_used_up() -> Error {
    Error::conflict(
        ConflictCode::PromotionUsedUp,
        "this promotion has been used up",
    )
}

/// Every write of an order through this port bumps [`Order::revision`] in the same atomic
/// update, which is what tracking events are ordered by.
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// All or nothing: decrements limited stock ([`out_of_stock`] when any line cannot be
    /// covered), takes from each daily bake within its daily quantity
    /// ([`sold_out_for_the_day`]), adds to units sold, counts the promotion redemption within its limits
    /// ([`promotion_used_up`]), and inserts the order.
    async fn place_order(&self, request: &PlaceOrder) -> StoreResult<()>;
    async fn get_order(&self, id: &Id) -> StoreResult<Option<Order>>;
    /// Newest first.
    async fn list_orders(
        &self,
        query: &OrderQuery,
        page: PageRequest,
    ) -> StoreResult<(Vec<Order>, u64)>;
    /// Applies the change if the order is still in `from`, appending it to the history. Moving
    /// to `canceled` also gives back stock, units sold and the promotion redemption, in the
    /// same transaction, and gives each line's units back to the bake of its `bake_day`. `None`
    /// when the order is missing or no longer in `from`.
    async fn transition_order(&self, request: &TransitionOrder) -> StoreResult<Option<Order>>;
    async fn set_delivery_person(
        &self,
        order: &Id,
        person: &DeliveryPerson,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>>;
    /// Records the courier's position, and with `eta` a new estimated delivery time, in one
    /// update; `None` when the order has no courier. The revision grows by one per change
    /// (two with an ETA), so the location and ETA events each get their own `seq`.
    async fn update_delivery_location(
        &self,
        order: &Id,
        location: GeoPoint,
        eta: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>>;
    /// Records the provider's payment intent on an order not paid yet (`pending`, or
    /// `failed` after a declined card); `None` when the order is missing or already paid.
    async fn set_payment_intent(
        &self,
        order: &Id,
        intent_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>>;
    /// Applies the payment change if the order's status and its payment status still
    /// read as `change` expects, adding its effects to the outbox in the same transaction.
    /// `None` otherwise, so a webhook and the app's confirm racing each other (or a webhook
    /// delivered twice, or a cancel racing a payment) take effect exactly once.
    async fn change_payment(&self, change: &PaymentChange) -> StoreResult<Option<Order>>;
    /// The order a provider's payment intent was created for.
    async fn find_order_by_payment_intent(&self, intent_id: &str) -> StoreResult<Option<Order>>;
    /// Card orders still `placed` and unpaid (`pending` or `failed`) that were created at or
    /// before `created_before`, oldest first.
    async fn awaiting_payment(
        &self,
        created_before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Order>>;
    /// Orders not canceled that are due ([`Order::due_at`]) at or after `from` and before
    /// `to`, by id, after the id `after` when given, at most `limit`: the prep list reads a
    /// busy day page by page. Ids never change, so a page boundary neither repeats nor skips
    /// an order while others are placed or move.
    async fn orders_due(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        after: Option<&Id>,
        limit: u32,
    ) -> StoreResult<Vec<Order>>;
    /// Whether one of the user's orders they received (delivered or picked up) contains the
    /// product.
    async fn has_delivered_product(&self, user: &Id, product: &Id) -> StoreResult<bool>;
    /// The user's redemptions of the promotion by orders that were not canceled.
    async fn promotion_uses_by(&self, user: &Id, promotion: &Id) -> StoreResult<u32>;
    /// Units taken from each product's bake of `day` by orders not canceled, for the
    /// products that have a count that day (the others have taken nothing).
    async fn bakes_taken(&self, day: NaiveDate, products: &[Id]) -> StoreResult<Vec<(Id, u32)>>;
}

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{
    Category, DeliveryPerson, GeoPoint, Id, Notification, Order, OrderStatus, OtpRecord,
    PageRequest, PaymentStatus, Phone, Product, Promotion, RefreshTokenRecord, Review,
    StatusChange, User,
};
use crate::error::Error;

/// Store failures are domain errors (`Conflict` for uniqueness, `Internal` for the driver),
/// so the use cases need no second mapping.
pub type StoreResult<T> = Result<T, Error>;

/// Which products a listing shows. Prices compare against the effective price (discount
/// price when set). `available_only` looks at the staff's availability flag only: a limited
/// product at stock 0 still lists (as sold out), so customers see what the shop makes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProductFilter {
    pub category: Option<Id>,
    pub vegetarian: Option<bool>,
    /// Lower-case allergen the product must not contain.
    pub exclude_allergen: Option<String>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub available_only: bool,
    pub featured_only: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProductSort {
    #[default]
    Newest,
    /// By effective price (discount price when set), as customers compare prices.
    PriceAsc,
    PriceDesc,
    /// Highest average first, then most reviews.
    Rating,
    /// Most units sold first, then highest rating.
    Popularity,
    Name,
}

/// Which orders a listing shows; `None` means any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderQuery {
    pub user: Option<Id>,
    /// Any of these statuses; empty means all.
    pub statuses: Vec<OrderStatus>,
    /// Inclusive bounds on `createdAt`.
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
}

/// An order to insert together with what it consumes.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaceOrder {
    pub order: Order,
    /// The promotion redeemed, with the limits that must still hold at commit time.
    pub promotion: Option<PromotionRedemption>,
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
}

/// What presenting a refresh token found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was live and is now spent; the caller may issue its successor.
    Rotated(RefreshTokenRecord),
    /// The token had been spent or revoked before: a replay.
    Reused(RefreshTokenRecord),
    Unknown,
}

/// Persistence for every aggregate. Each method is atomic on its own; the ones that touch
/// several records (placing and canceling orders, reviews and their product's aggregate) say
/// so and are transactions in every adapter.
#[async_trait]
pub trait Store: Send + Sync {
    /// Cheap round trip for readiness checks.
    async fn ping(&self) -> StoreResult<()>;

    // --- users ---
    /// `DUPLICATE_PHONE` when the phone is taken.
    async fn insert_user(&self, user: &User) -> StoreResult<()>;
    async fn get_user(&self, id: &Id) -> StoreResult<Option<User>>;
    async fn find_user_by_phone(&self, phone: &Phone) -> StoreResult<Option<User>>;
    /// Writes `user` with `version + 1` if the stored version is still `user.version`;
    /// `false` when someone else wrote first (the caller re-reads and retries).
    async fn update_user(&self, user: &User) -> StoreResult<bool>;

    // --- categories ---
    /// `DUPLICATE_NAME` when the name is taken.
    async fn insert_category(&self, category: &Category) -> StoreResult<()>;
    async fn get_category(&self, id: &Id) -> StoreResult<Option<Category>>;
    /// `false` when it does not exist; `DUPLICATE_NAME` when renamed onto another.
    async fn update_category(&self, category: &Category) -> StoreResult<bool>;
    /// `CATEGORY_IN_USE` while products reference it; `false` when it does not exist.
    async fn delete_category(&self, id: &Id) -> StoreResult<bool>;
    /// By display order, then name.
    async fn list_categories(&self, include_inactive: bool) -> StoreResult<Vec<Category>>;

    // --- products ---
    async fn insert_product(&self, product: &Product) -> StoreResult<()>;
    async fn get_product(&self, id: &Id) -> StoreResult<Option<Product>>;
    async fn get_products(&self, ids: &[Id]) -> StoreResult<Vec<Product>>;
    /// Writes the staff-editable fields; ratings and units sold stay as stored.
    async fn update_product(&self, product: &Product) -> StoreResult<bool>;
    async fn delete_product(&self, id: &Id) -> StoreResult<bool>;
    async fn list_products(
        &self,
        filter: &ProductFilter,
        sort: ProductSort,
        page: PageRequest,
    ) -> StoreResult<(Vec<Product>, u64)>;
    /// Every product the filter admits, unpaged, for search ranking.
    async fn search_candidates(&self, filter: &ProductFilter) -> StoreResult<Vec<Product>>;

    // --- reviews (each write also recomputes the product's rating aggregate, atomically) ---
    /// `DUPLICATE_REVIEW` when the user already reviewed the product.
    async fn insert_review(&self, review: &Review) -> StoreResult<()>;
    async fn get_review(&self, id: &Id) -> StoreResult<Option<Review>>;
    async fn update_review(&self, review: &Review) -> StoreResult<bool>;
    async fn delete_review(&self, id: &Id) -> StoreResult<bool>;
    /// Newest first.
    async fn list_reviews(
        &self,
        product: &Id,
        page: PageRequest,
    ) -> StoreResult<(Vec<Review>, u64)>;

    // --- orders ---
    /// All or nothing: decrements limited stock (`OUT_OF_STOCK` naming the product when any
    /// line cannot be covered), adds to units sold, counts the promotion redemption within its
    /// limits (`PROMOTION_USED_UP`), and inserts the order.
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
    /// same transaction. `None` when the order is missing or no longer in `from`.
    async fn transition_order(&self, request: &TransitionOrder) -> StoreResult<Option<Order>>;
    async fn set_delivery_person(
        &self,
        order: &Id,
        person: &DeliveryPerson,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>>;
    /// Records the courier's position; `None` when the order has no courier.
    async fn update_delivery_location(
        &self,
        order: &Id,
        location: GeoPoint,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>>;
    /// Records the provider's payment intent on an order whose payment is still pending;
    /// `None` when the order is missing or its payment already settled.
    async fn set_payment_intent(
        &self,
        order: &Id,
        intent_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>>;
    /// Moves a pending payment to `outcome`. Payments only move forward: `None` when the
    /// payment was no longer pending, so a webhook and the app's confirm racing each other
    /// (or a webhook delivered twice) take effect exactly once.
    async fn settle_payment(
        &self,
        order: &Id,
        outcome: PaymentStatus,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Order>>;
    /// Whether one of the user's delivered orders contains the product.
    async fn has_delivered_product(&self, user: &Id, product: &Id) -> StoreResult<bool>;
    /// The user's redemptions of the promotion by orders that were not canceled.
    async fn promotion_uses_by(&self, user: &Id, promotion: &Id) -> StoreResult<u32>;

    // --- notifications ---
    async fn insert_notification(&self, notification: &Notification) -> StoreResult<()>;
    /// Newest first.
    async fn list_notifications(
        &self,
        user: &Id,
        page: PageRequest,
    ) -> StoreResult<(Vec<Notification>, u64)>;
    async fn mark_notification_read(&self, user: &Id, id: &Id) -> StoreResult<bool>;
    async fn delete_notification(&self, user: &Id, id: &Id) -> StoreResult<bool>;

    // --- promotions ---
    /// `DUPLICATE_CODE` when the code is taken.
    async fn insert_promotion(&self, promotion: &Promotion) -> StoreResult<()>;
    async fn get_promotion(&self, id: &Id) -> StoreResult<Option<Promotion>>;
    async fn find_promotion_by_code(&self, code: &str) -> StoreResult<Option<Promotion>>;
    /// Writes the staff-editable fields; the redemption count stays as stored.
    async fn update_promotion(&self, promotion: &Promotion) -> StoreResult<bool>;
    async fn delete_promotion(&self, id: &Id) -> StoreResult<bool>;
    /// `active_at: Some(t)` keeps active promotions with `startDate <= t < endDate`. Newest first.
    async fn list_promotions(
        &self,
        active_at: Option<DateTime<Utc>>,
        page: PageRequest,
    ) -> StoreResult<(Vec<Promotion>, u64)>;

    // --- one-time passwords ---
    /// Stores the phone's OTP, replacing any earlier one.
    async fn put_otp(&self, otp: &OtpRecord) -> StoreResult<()>;
    /// Counts one verification attempt and returns the record as it is after counting.
    async fn attempt_otp(&self, phone: &Phone) -> StoreResult<Option<OtpRecord>>;
    /// Deletes that exact OTP; `true` for exactly one caller.
    async fn consume_otp(&self, otp: &Id) -> StoreResult<bool>;

    // --- refresh tokens ---
    async fn insert_refresh_token(&self, token: &RefreshTokenRecord) -> StoreResult<()>;
    /// Spends the token with this hash, atomically: one concurrent caller gets `Rotated`
    /// (the record as it was before spending). Expiry is the caller's to check.
    async fn use_refresh_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<RefreshOutcome>;
    async fn revoke_token_family(&self, family: &Id) -> StoreResult<()>;
    async fn revoke_user_tokens(&self, user: &Id) -> StoreResult<()>;
}

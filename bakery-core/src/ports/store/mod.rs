//! Persistence, one port per aggregate. Each method is atomic on its own; the ones that touch
//! several records (placing and canceling orders, reviews and their product's aggregate) say
//! so and are transactions in every adapter.
//!
//! The ports hold only storage work. Decisions that are the same on every store — the
//! conflicts a write reports ([`Unique`], [`out_of_stock`], [`promotion_used_up`]), which
//! fields an edit keeps (`STORE_MAINTAINED` on the domain types), how a rating aggregate is
//! computed ([`crate::domain::Ratings::from_totals`]) — live here or in the domain, once.

mod accounts;
mod auth_secrets;
mod catalog;
mod idempotency;
mod notifications;
mod orders;
mod outbox;
mod payment_events;
mod promotions;
mod reviews;
mod shop;
mod transfer;
mod uploads;

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::{ConflictCode, Error};

pub use accounts::AccountStore;
pub use auth_secrets::{AuthSecretStore, RefreshOutcome};
pub use catalog::{CatalogStore, ProductFilter, ProductSort};
pub use idempotency::{
    Begin, IdempotencyClaim, IdempotencyRecord, IdempotencyStore, RecordState, StoredResponse,
};
pub use notifications::NotificationStore;
pub use orders::{
    bake_key, out_of_stock, promotion_used_up, sold_out_for_the_day, DailyTake, OrderQuery,
    OrderStore, PaymentChange, PaymentStep, PlaceOrder, PromotionRedemption, TransitionOrder,
};
pub use outbox::{apply_outcome, AttemptOutcome, OutboxStore};
pub use payment_events::PaymentEventStore;
pub use promotions::PromotionStore;
pub use reviews::ReviewStore;
pub use shop::ShopStore;
pub use transfer::{
    DailyBakeRecord, ExportStore, ImportStore, PaymentEventRecord, Record, RecordKind,
    TransferProgress, DELIVERY_AREA_ID, OPENING_HOURS_ID,
};
pub use uploads::UploadStore;

/// Store failures are domain errors (`Conflict` for uniqueness, `Internal` for the driver),
/// so the use cases need no second mapping.
pub type StoreResult<T> = Result<T, Error>;

/// Whether the store answers at all, for readiness checks.
#[async_trait]
pub trait StoreHealth: Send + Sync {
    /// Which adapter this is (`sqlite`, `mongodb`), for start-up logs and readiness.
    fn backend(&self) -> &'static str;

    /// Cheap round trip.
    async fn ping(&self) -> StoreResult<()>;
}

/// Every store port, for wiring only: the use cases reach each aggregate through its own
/// field, so a cache or a fake replaces one port without forwarding the others.
#[derive(Clone)]
pub struct Store {
    pub health: Arc<dyn StoreHealth>,
    pub accounts: Arc<dyn AccountStore>,
    pub auth_secrets: Arc<dyn AuthSecretStore>,
    pub catalog: Arc<dyn CatalogStore>,
    pub reviews: Arc<dyn ReviewStore>,
    pub orders: Arc<dyn OrderStore>,
    pub promotions: Arc<dyn PromotionStore>,
    pub notifications: Arc<dyn NotificationStore>,
    pub outbox: Arc<dyn OutboxStore>,
    pub payment_events: Arc<dyn PaymentEventStore>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub uploads: Arc<dyn UploadStore>,
    pub shop: Arc<dyn ShopStore>,
}

impl Store {
    /// Every port served by one adapter (SQLite, MongoDB) that implements them all.
    pub fn from_adapter<A>(adapter: A) -> Self
    where
        A: StoreHealth
            + AccountStore
            + AuthSecretStore
            + CatalogStore
            + ReviewStore
            + OrderStore
            + PromotionStore
            + NotificationStore
            + OutboxStore
            + PaymentEventStore
            + IdempotencyStore
            + UploadStore
            + ShopStore
            + 'static,
    {
        let adapter = Arc::new(adapter);
        Self {
            health: adapter.clone(),
            accounts: adapter.clone(),
            auth_secrets: adapter.clone(),
            catalog: adapter.clone(),
            reviews: adapter.clone(),
            orders: adapter.clone(),
            promotions: adapter.clone(),
            notifications: adapter.clone(),
            outbox: adapter.clone(),
            payment_events: adapter.clone(),
            idempotency: adapter.clone(),
            uploads: adapter.clone(),
            shop: adapter,
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

/// The unique keys a write can run into, each reported as the conflict clients see. Worded
/// once here so every backend answers alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unique {
    Phone,
    CategoryName,
    PromotionCode,
    Review,
}

impl Unique {
    pub fn conflict(self) -> Error {
        let (code, message) = match self {
            Self::Phone => (
                ConflictCode::DuplicatePhone,
                "this phone number is already registered",
            ),
            Self::CategoryName => (
                ConflictCode::DuplicateName,
                "a category with this name already exists",
            ),
            Self::PromotionCode => (
                ConflictCode::DuplicateCode,
                "a promotion with this code already exists",
            ),
            Self::Review => (
                ConflictCode::DuplicateReview,
                "you have already reviewed this product",
            ),
        };
        Error::conflict(code, message)
    }
}

/// What deleting a category that products still use reports, on every store.
pub fn category_in_use() -> Error {
    Error::conflict(
        ConflictCode::CategoryInUse,
        "the category still has products",
    )
}

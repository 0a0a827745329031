//! Moving a whole shop from one store to another (`bakery-server migrate`): every record of
//! every aggregate, read in id order in batches and written under its own id.
//!
//! Records travel as domain values, not as raw rows or documents: each adapter writes them
//! in its own shape (MongoDB's ObjectId `_id`, `nameKey`, `effectivePrice`, BSON dates for
//! its TTL indexes), so a migrated shop is indistinguishable from one that ran there all
//! along. These ports are for that operator tool only; the use cases never see them.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::StoreResult;
use crate::domain::{
    Category, DeliveryArea, Notification, OpeningHours, Order, OtpRecord, OutboxMessage, Product,
    Promotion, RefreshTokenRecord, Review, User,
};

/// The id the opening hours are stored under in `shopSettings` on every store.
pub const OPENING_HOURS_ID: &str = "openingHours";

/// The id the delivery zones are stored under in `shopSettings` on every store.
pub const DELIVERY_AREA_ID: &str = "deliveryArea";

/// One kind of record: a table (SQLite) or a collection (MongoDB).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RecordKind {
    /// Accounts, with their addresses, favorites and devices.
    Users,
    Categories,
    Products,
    Promotions,
    Orders,
    Reviews,
    Notifications,
    /// Sign-in codes waiting to be used.
    Otps,
    /// Refresh-token families: what keeps customers signed in.
    RefreshTokens,
    /// Effects (pushes, refunds) not delivered yet, and the record of delivered ones.
    Outbox,
    /// Payment-provider events already handled, so a late retry is not applied twice.
    PaymentEvents,
    /// Settings staff edit at run time, one record each: the opening hours (`openingHours`)
    /// and the delivery zones (`deliveryArea`).
    ShopSettings,
    /// Units taken from each product's daily bake, per local day: without them a shop moved
    /// mid-day would sell today's croissants (and tomorrow's booked ones) a second time.
    DailyBakes,
}

impl RecordKind {
    /// Every kind, in the order a migration copies them.
    pub const ALL: [RecordKind; 13] = [
        Self::Users,
        Self::Categories,
        Self::Products,
        Self::Promotions,
        Self::Orders,
        Self::Reviews,
        Self::Notifications,
        Self::Otps,
        Self::RefreshTokens,
        Self::Outbox,
        Self::PaymentEvents,
        Self::ShopSettings,
        Self::DailyBakes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Users => "users",
            Self::Categories => "categories",
            Self::Products => "products",
            Self::Promotions => "promotions",
            Self::Orders => "orders",
            Self::Reviews => "reviews",
            Self::Notifications => "notifications",
            Self::Otps => "otps",
            Self::RefreshTokens => "refreshTokens",
            Self::Outbox => "outbox",
            Self::PaymentEvents => "paymentEvents",
            Self::ShopSettings => "shopSettings",
            Self::DailyBakes => "dailyBakes",
        }
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A handled payment-provider event: its id is the provider's, not one of ours.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentEventRecord {
    pub id: String,
    #[serde(with = "crate::domain::time")]
    pub received_at: DateTime<Utc>,
}

/// The units taken from one product's bake of one local day, stored under
/// [`crate::ports::bake_key`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DailyBakeRecord {
    pub id: String,
    pub product_id: crate::domain::Id,
    pub day: NaiveDate,
    pub taken: u32,
}

/// One stored record of any kind.
// Records of one batch are all the same kind and live only for the batch: boxing the large
// variants would add an allocation per record to save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Record {
    User(User),
    Category(Category),
    Product(Product),
    Promotion(Promotion),
    Order(Order),
    Review(Review),
    Notification(Notification),
    Otp(OtpRecord),
    RefreshToken(RefreshTokenRecord),
    Outbox(OutboxMessage),
    PaymentEvent(PaymentEventRecord),
    OpeningHours(OpeningHours),
    DeliveryArea(DeliveryArea),
    DailyBake(DailyBakeRecord),
}

impl Record {
    pub fn kind(&self) -> RecordKind {
        match self {
            Self::User(_) => RecordKind::Users,
            Self::Category(_) => RecordKind::Categories,
            Self::Product(_) => RecordKind::Products,
            Self::Promotion(_) => RecordKind::Promotions,
            Self::Order(_) => RecordKind::Orders,
            Self::Review(_) => RecordKind::Reviews,
            Self::Notification(_) => RecordKind::Notifications,
            Self::Otp(_) => RecordKind::Otps,
            Self::RefreshToken(_) => RecordKind::RefreshTokens,
            Self::Outbox(_) => RecordKind::Outbox,
            Self::PaymentEvent(_) => RecordKind::PaymentEvents,
            Self::OpeningHours(_) | Self::DeliveryArea(_) => RecordKind::ShopSettings,
            Self::DailyBake(_) => RecordKind::DailyBakes,
        }
    }

    /// The id it is stored under (and paged by).
    pub fn id(&self) -> &str {
        match self {
            Self::User(r) => r.id.as_str(),
            Self::Category(r) => r.id.as_str(),
            Self::Product(r) => r.id.as_str(),
            Self::Promotion(r) => r.id.as_str(),
            Self::Order(r) => r.id.as_str(),
            Self::Review(r) => r.id.as_str(),
            Self::Notification(r) => r.id.as_str(),
            Self::Otp(r) => r.id.as_str(),
            Self::RefreshToken(r) => r.id.as_str(),
            Self::Outbox(r) => r.id.as_str(),
            Self::PaymentEvent(r) => &r.id,
            Self::OpeningHours(_) => OPENING_HOURS_ID,
            Self::DeliveryArea(_) => DELIVERY_AREA_ID,
            Self::DailyBake(r) => &r.id,
        }
    }
}

/// Reading every record out, for a migration's copy and its verification.
#[async_trait]
pub trait ExportStore: Send + Sync {
    /// Which adapter this is (`sqlite`, `mongodb`).
    fn backend(&self) -> &'static str;

    /// Up to `limit` records of `kind` whose id sorts after `after` (all from the first
    /// with `None`), in ascending id order: pages that stay stable while nothing writes.
    async fn export(
        &self,
        kind: RecordKind,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Record>>;

    /// How many records of `kind` are stored.
    async fn count(&self, kind: RecordKind) -> StoreResult<u64>;
}

/// Where a migration stands, kept in the target so an interrupted run resumes there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransferProgress {
    /// What is being copied (`sqlite:/srv/bakery/bakery.db`): a run from another source
    /// does not resume this one.
    pub source: String,
    /// The kind being copied, or `None` once every kind is copied.
    pub kind: Option<RecordKind>,
    /// The last id of `kind` written.
    pub after: Option<String>,
    /// Batches written so far, over every run.
    pub batches: u64,
    /// Set once every record is copied and the copy verified.
    pub finished: bool,
    #[serde(with = "crate::domain::time")]
    pub started_at: DateTime<Utc>,
    #[serde(with = "crate::domain::time")]
    pub updated_at: DateTime<Utc>,
}

/// Writing records in, as a migration's target.
#[async_trait]
pub trait ImportStore: ExportStore {
    /// Writes each record under its id, replacing any record stored there: writing the same
    /// batch twice leaves the same data, so a resumed run may redo its last batch.
    async fn import(&self, records: &[Record]) -> StoreResult<()>;

    /// The progress marker of the migration into this store, if one ever started.
    async fn transfer_progress(&self) -> StoreResult<Option<TransferProgress>>;

    /// Replaces the progress marker.
    async fn save_transfer_progress(&self, progress: &TransferProgress) -> StoreResult<()>;
}

//! What the use cases need from the outside world, as traits. Each has an embedded default in
//! `adapters` and a production adapter behind a cargo feature.

mod cache;
mod clock;
mod events;
mod images;
mod payments;
mod push;
mod rate_limit;
mod sms;
mod store;

pub use cache::{CacheHealth, CacheScope, CachedAnswer, CatalogCache, Snapshot};
pub use clock::{Clock, ManualClock, SystemClock};
pub use events::{EventStream, OrderChange, OrderEvent, OrderEvents, Received, Signal};
pub use images::{Fetched, ImageStorage, NoImages, UploadSlot};
pub use payments::{
    IntentState, PaymentEvent, PaymentEventKind, PaymentIntent, PaymentProvider, RefundOutcome,
    RefundRequest,
};
pub use push::{PushMessage, PushReport, PushSender};
pub use rate_limit::{RateLimit, RateLimiter};
pub use sms::SmsSender;
pub use store::{
    apply_outcome, bake_key, category_in_use, out_of_stock, promotion_used_up,
    sold_out_for_the_day, AccountStore, AttemptOutcome, AuthSecretStore, Begin, CatalogStore,
    DailyTake, IdempotencyClaim, IdempotencyRecord, IdempotencyStore, NotificationStore,
    OrderQuery, OrderStore, OutboxStore, PaymentChange, PaymentEventStore, PaymentStep, PlaceOrder,
    ProductFilter, ProductSort, PromotionRedemption, PromotionStore, RecordState, RefreshOutcome,
    ReviewStore, ShopStore, Store, StoreHealth, StoreResult, StoredResponse, TransitionOrder,
    Unique, UploadStore,
};
pub use store::{
    DailyBakeRecord, ExportStore, ImportStore, PaymentEventRecord, Record, RecordKind,
    TransferProgress, DELIVERY_AREA_ID, OPENING_HOURS_ID,
};

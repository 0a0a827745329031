//! Values the bakery talks about. Every constructor checks its invariants and names the field
//! it rejects, so the rest of the code never re-validates.

pub mod access;
mod auth;
mod catalog;
mod hours;
mod id;
mod idempotency;
mod image;
mod money;
mod notification;
mod options;
mod order;
mod outbox;
mod page;
mod payment;
mod phone;
mod promotion;
mod review;
mod text;
pub mod time;
mod user;
mod zones;

pub use access::Actor;
pub use auth::{OtpRecord, RefreshTokenRecord};
pub use catalog::{
    Category, NutritionalInfo, Product, ProductDraft, Ratings, TodaysBake, MAX_DAILY_QUANTITY,
    PRODUCT_LIST_ENTRY_MAX_CHARS,
};
pub use hours::{
    parse_timezone, DayException, OpeningHours, TimeRange, MAX_EXCEPTIONS, MAX_RANGES_PER_DAY,
    TIME_PATTERN, WEEKDAYS,
};
pub use id::Id;
pub use idempotency::{IdempotencyKey, RequestFingerprint};
pub use image::{
    check_size, photos_or_empty, upload_key, variant_key, Image, ImageFormat, ImageOwner,
    ImageStatus, ImageVariant, PendingUpload, CONTENT_TYPE_PATTERN, MAX_IMAGE_BYTES, VARIANT_SIDES,
};
pub use money::{Currency, Money};
pub use notification::{Notification, NotificationKind};
#[cfg(test)]
pub(crate) use options::tests as tests_support;
pub use options::{
    check_option_groups, ChosenOption, OptionChoice, OptionGroup, OptionKind, ProductOption,
    MAX_OPTIONS_PER_GROUP, MAX_OPTION_GROUPS, MAX_PRICE_DELTA, MAX_TEXT_LENGTH, OPTION_KEY_PATTERN,
};
pub use order::{
    DeliveryAddress, DeliveryPerson, Fulfilment, GeoPoint, Order, OrderItem, OrderStatus,
    StatusChange,
};
pub use outbox::{backoff, Effect, OutboxMessage, OutboxState};
pub use page::{Page, PageRequest};
pub use payment::{PaymentDetails, PaymentMethod, PaymentStatus};
pub use phone::Phone;
pub use promotion::{normalise_code, DiscountType, Promotion, PromotionDraft};
pub use review::{Rating, Review};
pub use text::{optional_text, required_text, OPTIONAL_TEXT_PATTERN, REQUIRED_TEXT_PATTERN};
pub use user::{Address, AddressDraft, Email, Role, User, EMAIL_PATTERN};
#[cfg(test)]
pub(crate) use zones::tests::zone as test_zone;
pub use zones::{
    normalise_postcode, DeliveryArea, DeliveryZone, PostcodePattern, MAX_EXTRA_MINUTES,
    MAX_POSTCODES_PER_ZONE, MAX_RADIUS_METERS, MAX_ZONES, POSTCODE_PATTERN,
};

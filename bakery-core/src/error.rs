//! The one error type every use case returns.
//!
//! Callers (the HTTP server, the CLI through it, embedding apps) map it exactly once: each
//! variant has a stable machine-readable [`Error::code`] and a message that is safe to show a
//! customer. `Internal` keeps its cause for the log but never says it to the client.

use std::fmt;

/// Result alias used by the use cases.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks an invariant; `field` names the offending input in camelCase.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    /// The resource does not exist, or exists but is not the caller's to see.
    #[error("{resource} not found")]
    NotFound { resource: &'static str },
    /// The request is valid but collides with the current state (duplicate, illegal status
    /// change, stock gone, promotion used up, category still in use...).
    #[error("{message}")]
    Conflict { code: ConflictCode, message: String },
    /// Credentials are missing, wrong or expired. Deliberately vague: never says which part.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Authenticated, but the role does not allow this.
    #[error("not allowed for this account")]
    Forbidden,
    /// A feature whose provider is not configured (e.g. card payments without Stripe).
    #[error("{0}")]
    Unavailable(String),
    /// The SMS provider did not take the text with a sign-in code (down, refusing, timing
    /// out). The provider's answer is logged by the adapter, never shown.
    #[error("the text message with your code could not be sent; please try again shortly")]
    SmsUnavailable,
    /// The card payment provider could not be reached or failed; nothing was charged by this
    /// request. The provider's answer is logged by the adapter, never shown.
    #[error("card payments cannot be reached right now; please try again shortly")]
    PaymentUnavailable,
    /// A webhook whose signature does not verify (wrong secret, altered body, too old).
    #[error("the signature does not match the payload")]
    BadSignature,
    /// Too many attempts; retry after the given number of seconds.
    #[error("too many requests, retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Something this request needs to stay safe is down for now (the shared rate limiter):
    /// refused rather than let through unchecked. The cause is logged, never shown.
    #[error("temporarily unavailable, retry in {retry_after_secs} s")]
    LimiterUnavailable {
        #[source]
        cause: Box<dyn std::error::Error + Send + Sync>,
        retry_after_secs: u64,
    },
    /// The server has as much of this work (password hashing) running and queued as it
    /// takes: refused at once rather than left to wait and slow everyone else down.
    #[error("the server is busy, retry in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    /// An uploaded picture (or its slot) the shop does not take; `field` names the input.
    /// Nothing of it is attached, and its bytes are deleted.
    #[error("{field}: {message}")]
    Upload {
        code: UploadCode,
        field: &'static str,
        message: String,
    },
    /// Anything the client cannot fix. The cause is logged, never shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The kinds of conflict a client may want to tell apart, each with a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictCode {
    DuplicatePhone,
    DuplicateName,
    DuplicateCode,
    DuplicateReview,
    IllegalStatusChange,
    OutOfStock,
    ProductUnavailable,
    PromotionNotApplicable,
    PromotionUsedUp,
    CategoryInUse,
    NotPurchased,
    ConcurrentUpdate,
    ImageLimitReached,
    /// The account already keeps as many addresses as it may.
    AddressLimitReached,
    /// Card payment asked of a shop that takes only cash (`GET /shop` lists its methods).
    CardsNotTaken,
    /// An order for a time the shop is closed (ASAP while closed, or a scheduled time outside
    /// the opening hours); the message says when it next opens.
    ShopClosed,
    /// A courier or their position asked of an order the customer collects at the counter.
    NotADelivery,
    /// A delivery to an address in none of the shop's zones.
    OutsideDeliveryArea,
    /// A delivery whose subtotal is under its zone's minimum order.
    BelowMinimumOrder,
    /// A product's daily bake is sold out for the day the order takes from (today for ASAP,
    /// the scheduled day otherwise); the message names the cart line and says when it is
    /// next available.
    SoldOutForTheDay,
}

/// Why an upload was refused, each with a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadCode {
    /// Not JPEG, PNG or WebP, or bytes that do not decode as the image they claim to be.
    UnsupportedImage,
    /// Over 5 MiB.
    ImageTooLarge,
    /// The upload URL (or the slot) is past its time.
    UploadExpired,
    /// Attached before its bytes were sent.
    UploadMissing,
}

impl UploadCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnsupportedImage => "UNSUPPORTED_IMAGE",
            Self::ImageTooLarge => "IMAGE_TOO_LARGE",
            Self::UploadExpired => "UPLOAD_EXPIRED",
            Self::UploadMissing => "UPLOAD_MISSING",
        }
    }
}

impl ConflictCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DuplicatePhone => "DUPLICATE_PHONE",
            Self::DuplicateName => "DUPLICATE_NAME",
            Self::DuplicateCode => "DUPLICATE_CODE",
            Self::DuplicateReview => "DUPLICATE_REVIEW",
            Self::IllegalStatusChange => "ILLEGAL_STATUS_CHANGE",
            Self::OutOfStock => "OUT_OF_STOCK",
            Self::ProductUnavailable => "PRODUCT_UNAVAILABLE",
            Self::PromotionNotApplicable => "PROMOTION_NOT_APPLICABLE",
            Self::PromotionUsedUp => "PROMOTION_USED_UP",
            Self::CategoryInUse => "CATEGORY_IN_USE",
            Self::NotPurchased => "NOT_PURCHASED",
            Self::ConcurrentUpdate => "CONCURRENT_UPDATE",
            Self::ImageLimitReached => "IMAGE_LIMIT_REACHED",
            Self::AddressLimitReached => "ADDRESS_LIMIT_REACHED",
            Self::CardsNotTaken => "CARDS_NOT_TAKEN",
            Self::ShopClosed => "SHOP_CLOSED",
            Self::NotADelivery => "NOT_A_DELIVERY",
            Self::OutsideDeliveryArea => "OUTSIDE_DELIVERY_AREA",
            Self::BelowMinimumOrder => "BELOW_MINIMUM_ORDER",
            Self::SoldOutForTheDay => "SOLD_OUT_FOR_THE_DAY",
        }
    }
}

impl fmt::Display for ConflictCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn conflict(code: ConflictCode, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn upload(code: UploadCode, field: &'static str, message: impl Into<String>) -> Self {
        Self::Upload {
            code,
            field,
            message: message.into(),
        }
    }

    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(cause.into())
    }

    /// Stable SNAKE_CASE code clients can switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "VALIDATION_FAILED",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::Conflict { code, .. } => code.as_str(),
            Self::Unauthorized(_) => "UNAUTHORIZED",
            Self::Forbidden => "FORBIDDEN",
            Self::Unavailable(_) => "SERVICE_UNAVAILABLE",
            Self::SmsUnavailable => "SMS_UNAVAILABLE",
            Self::PaymentUnavailable => "PAYMENT_UNAVAILABLE",
            Self::BadSignature => "BAD_SIGNATURE",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::LimiterUnavailable { .. } => "TEMPORARILY_UNAVAILABLE",
            Self::Busy { .. } => "BUSY",
            Self::Upload { code, .. } => code.as_str(),
            Self::Internal(_) => "INTERNAL",
        }
    }

    /// Re-labels the field of a validation error, so a nested value reports its full path
    /// (`deliveryAddress.city`) rather than its own name (`city`).
    pub fn in_field(self, prefix: &str) -> Self {
        match self {
            Self::Validation { field, message } => Self::Validation {
                field: format!("{prefix}.{field}"),
                message,
            },
            other => other,
        }
    }
}

//! Every `code` an error body can carry: one enum, so the spec lists them all and the server
//! cannot send one it does not list (the compiler checks every mapping).

use bakery_core::error::{ConflictCode, UploadCode};
use bakery_core::Error;
use poem_openapi::Enum;

/// What went wrong, stable for apps to switch on; show `message` to the person.
///
/// | code | meaning | what an app should do |
/// |---|---|---|
/// | `VALIDATION_FAILED` | an input breaks a rule; `details.field` names it | highlight the field |
/// | `MALFORMED_REQUEST` | the request could not be read (bad JSON, wrong type) | fix the request |
/// | `UNAUTHORIZED` | missing, expired or revoked credentials, or a wrong code/password | refresh the token once, else sign in |
/// | `FORBIDDEN` | signed in, but not allowed | hide the action |
/// | `NOT_FOUND` | no such resource, or not yours | drop it from the screen |
/// | `METHOD_NOT_ALLOWED` | the route does not take that method (`Allow` lists what it takes) | fix the request |
/// | `PAYLOAD_TOO_LARGE` | the body is over 1 MiB | send less |
/// | `UNSUPPORTED_MEDIA_TYPE` | the body is not `application/json` | send JSON |
/// | `DUPLICATE_PHONE`, `DUPLICATE_NAME`, `DUPLICATE_CODE`, `DUPLICATE_REVIEW` | it already exists | say so |
/// | `ILLEGAL_STATUS_CHANGE` | the order (or payment) is no longer where that change applies | reload the order |
/// | `OUT_OF_STOCK`, `PRODUCT_UNAVAILABLE` | a product cannot be ordered now (sold out, withdrawn or deleted) | update the cart |
/// | `SOLD_OUT_FOR_THE_DAY` | a product's daily bake is sold out for the day the order takes from (today when ASAP, else the scheduled day); the message names the cart line (`items[i]`) and says when it is next available (the product's `nextAvailable`) | offer a later day |
/// | `PROMOTION_NOT_APPLICABLE`, `PROMOTION_USED_UP` | the code does not apply to this cart | remove the code |
/// | `CATEGORY_IN_USE` | the category still has products | move them first |
/// | `NOT_PURCHASED` | reviews need a delivered order of the product | explain |
/// | `CONCURRENT_UPDATE` | someone changed it at the same time | retry |
/// | `IDEMPOTENCY_KEY_REUSED` | this `Idempotency-Key` went with a different request (422) | send a new key |
/// | `IDEMPOTENCY_REQUEST_IN_PROGRESS` | a request with this `Idempotency-Key` is still running (409) | retry the same request shortly |
/// | `IMAGE_LIMIT_REACHED` | the product (10) or review (3) has all the pictures it may have | remove one first |
/// | `ADDRESS_LIMIT_REACHED` | the account keeps 20 addresses already | delete one first |
/// | `NOT_A_DELIVERY` | the order is a pickup: no courier, no courier position | collect it at the counter |
/// | `OUTSIDE_DELIVERY_AREA` | the address is in none of the shop's delivery zones (`GET /shop/zones`) | offer pickup or another address |
/// | `BELOW_MINIMUM_ORDER` | the subtotal is under the minimum of the address's zone (`POST /orders/quote` tells it) | add to the cart |
/// | `CARDS_NOT_TAKEN` | this shop takes only cash (`GET /shop` lists its payment methods) | offer cash |
/// | `SHOP_CLOSED` | the shop is closed now (ASAP order) or at the scheduled time; the message says when it next opens (`GET /shop`: `nextOpening`) | offer to schedule |
/// | `UNSUPPORTED_IMAGE` | the upload is not a JPEG, PNG or WebP picture, or not the type announced; it was deleted | pick another file |
/// | `IMAGE_TOO_LARGE` | the picture is over 5 MiB, or longer than its slot said | send a smaller one |
/// | `UPLOAD_EXPIRED` | the upload URL or slot is past its time | ask for a new slot |
/// | `UPLOAD_MISSING` | attached before its bytes were sent (or sent short) | send the bytes, then attach |
/// | `BAD_SIGNATURE` | a webhook whose signature does not verify | (providers only) |
/// | `RATE_LIMITED` | too many attempts; `Retry-After` says when to retry | wait |
/// | `SERVICE_UNAVAILABLE` | the feature is not offered here (e.g. cards) | offer the alternative |
/// | `SMS_UNAVAILABLE`, `PAYMENT_UNAVAILABLE` | the SMS or card provider is down; nothing was sent or charged | retry shortly |
/// | `TEMPORARILY_UNAVAILABLE`, `BUSY`, `NOT_READY` | overloaded or a dependency is down; `Retry-After` when known | retry shortly |
/// | `CORS_NOT_ALLOWED` | this web origin may not call the API | (configuration) |
/// | `HTTPS_REQUIRED` | plain http to a server that only answers https | use https |
/// | `INTERNAL` | our fault; the log has it under the request id | retry later |
///
/// Apps must treat an unknown code as they treat its status.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    ValidationFailed,
    MalformedRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
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
    IdempotencyKeyReused,
    IdempotencyRequestInProgress,
    ImageLimitReached,
    AddressLimitReached,
    CardsNotTaken,
    ShopClosed,
    NotADelivery,
    OutsideDeliveryArea,
    BelowMinimumOrder,
    SoldOutForTheDay,
    UnsupportedImage,
    ImageTooLarge,
    UploadExpired,
    UploadMissing,
    BadSignature,
    RateLimited,
    ServiceUnavailable,
    SmsUnavailable,
    PaymentUnavailable,
    TemporarilyUnavailable,
    Busy,
    NotReady,
    CorsNotAllowed,
    HttpsRequired,
    Internal,
}

impl ErrorCode {
    /// The code of a use case's error.
    pub fn of(err: &Error) -> Self {
        match err {
            Error::Validation { .. } => Self::ValidationFailed,
            Error::NotFound { .. } => Self::NotFound,
            Error::Conflict { code, .. } => Self::conflict(*code),
            Error::Unauthorized(_) => Self::Unauthorized,
            Error::Forbidden => Self::Forbidden,
            Error::Unavailable(_) => Self::ServiceUnavailable,
            Error::SmsUnavailable => Self::SmsUnavailable,
            Error::PaymentUnavailable => Self::PaymentUnavailable,
            Error::BadSignature => Self::BadSignature,
            Error::RateLimited { .. } => Self::RateLimited,
            Error::LimiterUnavailable { .. } => Self::TemporarilyUnavailable,
            Error::Busy { .. } => Self::Busy,
            Error::Upload { code, .. } => match code {
                UploadCode::UnsupportedImage => Self::UnsupportedImage,
                UploadCode::ImageTooLarge => Self::ImageTooLarge,
                UploadCode::UploadExpired => Self::UploadExpired,
                UploadCode::UploadMissing => Self::UploadMissing,
            },
            Error::Internal(_) => Self::Internal,
        }
    }

    fn conflict(code: ConflictCode) -> Self {
        match code {
            ConflictCode::DuplicatePhone => Self::DuplicatePhone,
            ConflictCode::DuplicateName => Self::DuplicateName,
            ConflictCode::DuplicateCode => Self::DuplicateCode,
            ConflictCode::DuplicateReview => Self::DuplicateReview,
            ConflictCode::IllegalStatusChange => Self::IllegalStatusChange,
            ConflictCode::OutOfStock => Self::OutOfStock,
            ConflictCode::ProductUnavailable => Self::ProductUnavailable,
            ConflictCode::PromotionNotApplicable => Self::PromotionNotApplicable,
            ConflictCode::PromotionUsedUp => Self::PromotionUsedUp,
            ConflictCode::CategoryInUse => Self::CategoryInUse,
            ConflictCode::NotPurchased => Self::NotPurchased,
            ConflictCode::ConcurrentUpdate => Self::ConcurrentUpdate,
            ConflictCode::ImageLimitReached => Self::ImageLimitReached,
            ConflictCode::AddressLimitReached => Self::AddressLimitReached,
            ConflictCode::CardsNotTaken => Self::CardsNotTaken,
            ConflictCode::ShopClosed => Self::ShopClosed,
            ConflictCode::NotADelivery => Self::NotADelivery,
            ConflictCode::OutsideDeliveryArea => Self::OutsideDeliveryArea,
            ConflictCode::BelowMinimumOrder => Self::BelowMinimumOrder,
            ConflictCode::SoldOutForTheDay => Self::SoldOutForTheDay,
        }
    }

    /// The wire name (`OUT_OF_STOCK`).
    pub fn as_str(self) -> String {
        use poem_openapi::types::ToJSON;
        self.to_json()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_names_are_the_core_codes() {
        let conflicts = [
            ConflictCode::DuplicatePhone,
            ConflictCode::DuplicateName,
            ConflictCode::DuplicateCode,
            ConflictCode::DuplicateReview,
            ConflictCode::IllegalStatusChange,
            ConflictCode::OutOfStock,
            ConflictCode::ProductUnavailable,
            ConflictCode::PromotionNotApplicable,
            ConflictCode::PromotionUsedUp,
            ConflictCode::CategoryInUse,
            ConflictCode::NotPurchased,
            ConflictCode::ConcurrentUpdate,
            ConflictCode::ImageLimitReached,
            ConflictCode::AddressLimitReached,
            ConflictCode::CardsNotTaken,
            ConflictCode::ShopClosed,
            ConflictCode::NotADelivery,
            ConflictCode::OutsideDeliveryArea,
            ConflictCode::BelowMinimumOrder,
            ConflictCode::SoldOutForTheDay,
        ];
        let mut errors: Vec<Error> = conflicts
            .into_iter()
            .map(|code| Error::conflict(code, "x"))
            .collect();
        errors.extend([
            Error::validation("f", "m"),
            Error::NotFound { resource: "r" },
            Error::Unauthorized("u"),
            Error::Forbidden,
            Error::Unavailable("x".into()),
            Error::SmsUnavailable,
            Error::PaymentUnavailable,
            Error::BadSignature,
            Error::RateLimited {
                retry_after_secs: 1,
            },
            Error::LimiterUnavailable {
                cause: "down".into(),
                retry_after_secs: 1,
            },
            Error::Busy {
                retry_after_secs: 1,
            },
            Error::internal("boom"),
            Error::upload(UploadCode::UnsupportedImage, "f", "m"),
            Error::upload(UploadCode::ImageTooLarge, "f", "m"),
            Error::upload(UploadCode::UploadExpired, "f", "m"),
            Error::upload(UploadCode::UploadMissing, "f", "m"),
        ]);
        for err in &errors {
            assert_eq!(ErrorCode::of(err).as_str(), err.code(), "{err:?}");
        }
    }
}

//! The one error body every non-2xx response carries, and the one mapping from
//! [`bakery_core::Error`] (and from poem's own errors) to a status and that body.

use bakery_core::Error;
use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

pub use crate::error_code::ErrorCode;

/// What every error response says.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none, example)]
pub struct ErrorBody {
    pub code: ErrorCode,
    /// A message safe to show a person; never internal details.
    pub message: String,
    /// Present for `VALIDATION_FAILED`: which input is at fault.
    pub details: Option<ErrorDetails>,
}

/// Machine-readable facts about an error.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ErrorDetails {
    /// The input at fault, as a path in the request: `name`, `deliveryAddress.city`,
    /// `items[2].quantity`, or a parameter's name (the first of `errors`).
    pub field: String,
    /// Every input at fault with what is wrong with it, for a form to mark each field. The
    /// server stops at the first fault today, so there is one; apps should handle several.
    pub errors: Vec<FieldError>,
}

/// One input at fault and why.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(rename_all = "camelCase")]
pub struct FieldError {
    /// A path in the request, as in `ErrorDetails.field`.
    pub field: String,
    /// What is wrong, safe to show a person.
    pub message: String,
}

impl ErrorDetails {
    /// The details of one input at fault.
    pub fn one(field: &str, message: &str) -> Self {
        Self {
            field: field.to_owned(),
            errors: vec![FieldError {
                field: field.to_owned(),
                message: message.to_owned(),
            }],
        }
    }
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: None,
        }
    }

    fn field(code: ErrorCode, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            code,
            details: Some(ErrorDetails::one(field, &message)),
            message,
        }
    }
}

/// Every error an operation may answer, each with the same body.
#[derive(ApiResponse, Debug)]
pub enum ApiError {
    /// The request could not be read (malformed JSON, a parameter of the wrong type).
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// Missing, malformed, expired or wrongly signed credentials.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// Authenticated, but the role does not allow this.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such resource (or not yours to see).
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The request collides with the current state (duplicate, illegal status change, stock).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The request body is larger than 1 MiB.
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// The request body is not `application/json`.
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// An input breaks a rule; `details.field` names it.
    #[oai(status = 422)]
    Validation(Json<ErrorBody>),
    /// Too many attempts; retry after `Retry-After` seconds.
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
    /// Something failed on our side; the log has the cause under the request id.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// A feature whose provider is not configured (e.g. card payments), or a dependency
    /// that is down for now; `Retry-After`, when present, says when to try again.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>, #[oai(header = "Retry-After")] Option<u64>),
}

impl ApiError {
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::Unauthorized(Json(ErrorBody::new(ErrorCode::Unauthorized, message)))
    }

    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(Json(ErrorBody::field(
            ErrorCode::ValidationFailed,
            field,
            message,
        )))
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        let code = ErrorCode::of(&err);
        match err {
            Error::Validation { field, message } => Self::Validation(Json(ErrorBody::field(
                code,
                &field,
                format!("{field}: {message}"),
            ))),
            Error::Upload { field, .. } => {
                Self::Validation(Json(ErrorBody::field(code, field, err.to_string())))
            }
            Error::NotFound { .. } => Self::NotFound(Json(ErrorBody::new(code, err.to_string()))),
            Error::Conflict { .. } => Self::Conflict(Json(ErrorBody::new(code, err.to_string()))),
            Error::Unauthorized(_) => {
                Self::Unauthorized(Json(ErrorBody::new(code, err.to_string())))
            }
            Error::Forbidden => Self::Forbidden(Json(ErrorBody::new(code, err.to_string()))),
            Error::BadSignature => Self::Unauthorized(Json(ErrorBody::new(code, err.to_string()))),
            Error::Unavailable(_) | Error::SmsUnavailable | Error::PaymentUnavailable => {
                Self::Unavailable(Json(ErrorBody::new(code, err.to_string())), None)
            }
            Error::LimiterUnavailable {
                cause,
                retry_after_secs,
            } => {
                tracing::error!(error = %cause, "the shared rate limiter is unreachable");
                Self::Unavailable(
                    Json(ErrorBody::new(
                        code,
                        "temporarily unavailable, please retry shortly",
                    )),
                    Some(retry_after_secs),
                )
            }
            Error::Busy { retry_after_secs } => Self::Unavailable(
                Json(ErrorBody::new(code, err.to_string())),
                Some(retry_after_secs),
            ),
            Error::RateLimited { retry_after_secs } => Self::TooManyRequests(
                Json(ErrorBody::new(code, err.to_string())),
                retry_after_secs,
            ),
            Error::Internal(cause) => {
                // The request span carries the request id, so this line can be found from
                // the id the client saw.
                tracing::error!(error = %cause, cause = ?cause, "internal error");
                Self::Internal(Json(ErrorBody::new(code, "internal error")))
            }
        }
    }
}

/// Turns any error poem (or poem-openapi) produced before or instead of a handler into the
/// same body; responses a handler already built pass through unchanged.
pub async fn catch_all(err: poem::Error) -> Response {
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let mut resp = to_api_error(&err).into_response();
    // Statuses the enum has no variant for (405, 411...) keep their own status.
    if status.is_client_error() && resp.status() == StatusCode::BAD_REQUEST {
        resp.set_status(status);
    }
    resp
}

fn to_api_error(err: &poem::Error) -> ApiError {
    use poem_openapi::error::{
        AuthorizationError, ContentTypeError, ParseParamError, ParsePathError,
        ParseRequestPayloadError,
    };
    if let Some(e) = err.downcast_ref::<ParseParamError>() {
        return ApiError::validation(e.name, format!("{}: {}", e.name, clean(&e.reason)));
    }
    if let Some(e) = err.downcast_ref::<ParsePathError>() {
        return ApiError::validation(e.name, format!("{}: {}", e.name, clean(&e.reason)));
    }
    if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        return payload_error(&e.reason);
    }
    if err.is::<AuthorizationError>() {
        return ApiError::unauthorized("a valid bearer token is required");
    }
    if err.is::<ContentTypeError>() {
        return unsupported_media_type();
    }
    if let Some(e) = err.downcast_ref::<poem::error::CorsError>() {
        let message = match e {
            poem::error::CorsError::OriginNotAllowed => "this origin may not call the API",
            poem::error::CorsError::MethodNotAllowed => "this method is not allowed cross-origin",
            poem::error::CorsError::HeadersNotAllowed => {
                "a requested header is not allowed cross-origin"
            }
        };
        return ApiError::Forbidden(Json(ErrorBody::new(ErrorCode::CorsNotAllowed, message)));
    }
    let status = err.status();
    let body = |code: ErrorCode, message: &str| Json(ErrorBody::new(code, message));
    match status {
        StatusCode::NOT_FOUND => ApiError::NotFound(body(ErrorCode::NotFound, "no such route")),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::BadRequest(body(
            ErrorCode::MethodNotAllowed,
            "this route does not accept that method",
        )),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(body(
            ErrorCode::PayloadTooLarge,
            "the request body is larger than 1 MiB",
        )),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => unsupported_media_type(),
        StatusCode::UNAUTHORIZED => ApiError::unauthorized("a valid bearer token is required"),
        s if s.is_client_error() => ApiError::BadRequest(body(
            ErrorCode::MalformedRequest,
            "the request could not be read",
        )),
        _ => {
            tracing::error!(error = %err, status = %status, "unhandled server error");
            ApiError::Internal(body(ErrorCode::Internal, "internal error"))
        }
    }
}

fn unsupported_media_type() -> ApiError {
    ApiError::UnsupportedMediaType(Json(ErrorBody::new(
        ErrorCode::UnsupportedMediaType,
        "the request body must be application/json",
    )))
}

/// A payload that did not parse: validator failures name their field (422); anything else
/// is malformed input (400).
fn payload_error(reason: &str) -> ApiError {
    if let Some(field) = failed_field(reason) {
        return ApiError::validation(&field, format!("{field}: {}", clean(reason)));
    }
    ApiError::BadRequest(Json(ErrorBody::new(
        ErrorCode::MalformedRequest,
        clean(reason),
    )))
}

/// poem-openapi reports validator failures as ``field `name` verification failed. …``.
fn failed_field(reason: &str) -> Option<String> {
    let start = reason.find("field `")? + "field `".len();
    let len = reason[start..].find('`')?;
    let field = &reason[start..start + len];
    reason[start + len..]
        .contains("verification failed")
        .then(|| field.to_owned())
}

/// Parser messages are about the client's input, never internals; keep them short.
fn clean(reason: &str) -> String {
    let reason = reason.trim();
    let mut out: String = reason.chars().take(300).collect();
    if out.len() < reason.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validator_messages_name_the_field() {
        let reason = r#"parse request payload error: failed to parse "RegisterRequest": field `name` verification failed. maxLength(100)"#;
        assert_eq!(failed_field(reason).as_deref(), Some("name"));
        assert_eq!(failed_field("expected type string"), None);
    }
}

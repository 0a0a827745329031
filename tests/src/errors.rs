//! Asserting on the API's one error body.

use std::fmt::Debug;

use bakery_sdk::{types, ApiError, Error};

/// The status and `{code, message, details}` body of a failed call (a generated call's
/// `Result<ResponseValue<_>, ApiError>`, or [`bakery_sdk::BakeryClient::refresh`]'s); panics,
/// showing what came back, when the call succeeded or failed without the documented body.
#[track_caller]
pub fn error_of<T: Debug>(result: Result<T, ApiError>) -> (u16, types::ErrorBody) {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(Error::ErrorResponse(body)) => (body.status().as_u16(), body.into_inner()),
        Err(other) => panic!("expected an API error body, got {other:?}"),
    }
}

/// Asserts the call failed with `status` and the error `code`, that the message is not
/// empty, and returns the body for further checks.
#[track_caller]
pub fn assert_error<T: Debug>(
    result: Result<T, ApiError>,
    status: u16,
    code: &str,
) -> types::ErrorBody {
    let (got, body) = error_of(result);
    assert_eq!(
        (got, body.code.to_string().as_str()),
        (status, code),
        "{body:?}"
    );
    assert!(!body.message.trim().is_empty(), "{body:?}");
    body
}

/// Asserts a 422 `VALIDATION_FAILED` naming `field` in `details.field`.
#[track_caller]
pub fn assert_invalid<T: Debug>(result: Result<T, ApiError>, field: &str) -> types::ErrorBody {
    let body = assert_error(result, 422, "VALIDATION_FAILED");
    let named = body.details.as_ref().map(|d| d.field.as_str());
    assert_eq!(named, Some(field), "{body:?}");
    // The list a form reads names the same field, with a message to show beside it.
    let listed = body.details.as_ref().map(|d| {
        d.errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.is_empty()))
            .collect::<Vec<_>>()
    });
    assert_eq!(listed, Some(vec![(field, false)]), "{body:?}");
    body
}

//! Cross-cutting request handling: request ids, a tracing span per request, the body-size
//! limit and security headers.

use std::time::Instant;

use poem::http::{header, HeaderValue};
use poem::{Endpoint, IntoResponse, Request, Response};
use tracing::Instrument;

/// Request bodies above this are refused with 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

pub const REQUEST_ID: &str = "x-request-id";

/// Wraps the whole app (after errors were turned into responses).
pub async fn around<E: Endpoint<Output = Response>>(
    next: E,
    req: Request,
) -> poem::Result<Response> {
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| valid_request_id(id))
        .map(str::to_owned)
        .unwrap_or_else(new_request_id);
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %req.method(),
        path = %req.uri().path(),
    );
    async move {
        let started = Instant::now();
        let mut resp = match limit_body(req).await {
            Ok(req) => next.call(req).await?,
            Err(resp) => resp,
        };
        let status = resp.status();
        let elapsed_ms = started.elapsed().as_millis() as u64;
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), elapsed_ms, "request failed");
        } else {
            tracing::info!(status = status.as_u16(), elapsed_ms, "request");
        }
        let headers = resp.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            headers.insert(REQUEST_ID, v);
        }
        security_headers(headers);
        Ok(resp)
    }
    .instrument(span)
    .await
}

/// 413 before reading when `Content-Length` says too much; bodies of unknown length are
/// read with the limit.
async fn limit_body(mut req: Request) -> Result<Request, Response> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(len) if len > BODY_LIMIT as u64 => Err(too_large()),
        Some(_) => Ok(req),
        None if req.headers().contains_key(header::TRANSFER_ENCODING) => {
            match req.take_body().into_bytes_limit(BODY_LIMIT).await {
                Ok(bytes) => {
                    req.set_body(bytes);
                    Ok(req)
                }
                Err(_) => Err(too_large()),
            }
        }
        None => Ok(req),
    }
}

fn too_large() -> Response {
    crate::error::ApiError::PayloadTooLarge(poem_openapi::payload::Json(
        crate::error::ErrorBody::new("PAYLOAD_TOO_LARGE", "the request body is larger than 1 MiB"),
    ))
    .into_response()
}

fn security_headers(headers: &mut poem::http::HeaderMap) {
    let set = |headers: &mut poem::http::HeaderMap, name: &'static str, value: &'static str| {
        headers
            .entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    };
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    set(headers, "referrer-policy", "no-referrer");
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if is_json {
        set(
            headers,
            "content-security-policy",
            "default-src 'none'; frame-ancestors 'none'",
        );
    }
}

fn valid_request_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

fn new_request_id() -> String {
    bakery_core::domain::Id::generate().to_string()
}

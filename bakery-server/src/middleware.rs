//! Cross-cutting request handling: request ids, a tracing span per request, the body-size
//! limit, security headers, the https redirect with HSTS, and CORS.

use std::sync::Arc;
use std::time::Instant;

use poem::http::{header, HeaderValue, StatusCode};
use poem::middleware::Cors;
use poem::{Endpoint, IntoResponse, Request, Response};
use tracing::Instrument;

use crate::error::ErrorCode;
use crate::state::{CorsOrigins, HttpPolicy};

/// Request bodies above this are refused with 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Where local picture uploads are sent (see `controllers::images::media`).
pub const UPLOAD_PATH: &str = "/media/uploads/";

pub const REQUEST_ID: &str = "x-request-id";

/// What HSTS says when `BAKERY_FORCE_HTTPS=true`: one year, subdomains included.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Wraps the whole app (after errors were turned into responses).
pub async fn around<E: Endpoint<Output = Response>>(
    next: E,
    req: Request,
    policy: Arc<HttpPolicy>,
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
        let mut resp = if let Some(redirect) = https_redirect(&req, &policy) {
            redirect
        } else {
            match limit_body(req).await {
                Ok(req) => next.call(req).await?,
                Err(resp) => resp,
            }
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
        if policy.force_https {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static(HSTS),
            );
        }
        Ok(resp)
    }
    .instrument(span)
    .await
}

/// With `force_https`, a plain-http request is answered with a 308 to the same URL on https
/// (308 keeps the method and body). Health probes are exempt: load balancers call them on
/// the plain port.
fn https_redirect(req: &Request, policy: &HttpPolicy) -> Option<Response> {
    if !policy.force_https || matches!(req.uri().path(), "/healthz" | "/readyz") {
        return None;
    }
    let https = if policy.trust_proxy {
        req.headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|proto| proto.trim().eq_ignore_ascii_case("https"))
            .unwrap_or_else(|| req.scheme() == &poem::http::uri::Scheme::HTTPS)
    } else {
        req.scheme() == &poem::http::uri::Scheme::HTTPS
    };
    if https {
        return None;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| valid_host(h))
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    let Some(host) = host else {
        return Some(error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::HttpsRequired,
            "this server only answers over https",
        ));
    };
    // Drop an explicit :80; any other port is the operator's to map.
    let host = host.strip_suffix(":80").unwrap_or(host);
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let location = format!("https://{host}{path}");
    let mut resp = error_response(
        StatusCode::PERMANENT_REDIRECT,
        ErrorCode::HttpsRequired,
        "use https; the same URL on https is in the Location header",
    );
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Some(resp)
}

/// A host header we are willing to echo into a Location: host name or address and port.
fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

fn error_response(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body = crate::error::ErrorBody::new(code, message);
    let mut resp = poem_openapi::payload::Json(body).into_response();
    resp.set_status(status);
    resp
}

/// poem's CORS middleware for `CORS_ORIGINS`, or `None` when no origin is configured.
pub fn cors(origins: &CorsOrigins) -> Option<Cors> {
    let cors = Cors::new()
        .allow_methods(["GET", "POST", "PUT", "DELETE", "OPTIONS"])
        .allow_headers([
            "authorization",
            "content-type",
            "idempotency-key",
            REQUEST_ID,
        ])
        .expose_headers(["retry-after", "idempotent-replayed", REQUEST_ID])
        .max_age(600);
    match origins {
        CorsOrigins::None => None,
        // Any origin, so no credentials: cookies stay with the origins the operator listed.
        CorsOrigins::Any => Some(cors),
        CorsOrigins::List(list) => Some(
            cors.allow_origins(list.iter().map(String::as_str))
                .allow_credentials(true),
        ),
    }
}

/// Browsers send `Origin` on same-origin POSTs too (e.g. the `/docs` UI); such a request is
/// not cross-origin and must not be refused by the allow-list. The header is dropped when its
/// host is the request's own `Host`.
pub async fn same_origin<E: Endpoint>(next: E, mut req: Request) -> poem::Result<E::Output> {
    let same = match (
        req.headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok()),
        req.headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, origin_host)| origin_host.eq_ignore_ascii_case(host)),
        _ => false,
    };
    if same && req.method() != poem::http::Method::OPTIONS {
        req.headers_mut().remove(header::ORIGIN);
    }
    next.call(req).await
}

/// 413 before reading when `Content-Length` says too much; bodies of unknown length are
/// read with the limit.
async fn limit_body(mut req: Request) -> Result<Request, Response> {
    // Picture uploads to this server's own storage are the one body allowed to be larger;
    // their handler holds each to the size its slot was signed for.
    let limit = if req.uri().path().starts_with(UPLOAD_PATH) {
        bakery_core::domain::MAX_IMAGE_BYTES as usize
    } else {
        BODY_LIMIT
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let has_body = match declared {
        Some(len) if len > limit as u64 => return Err(too_large()),
        Some(len) => len > 0,
        None => req.headers().contains_key(header::TRANSFER_ENCODING),
    };
    if !has_body {
        return Ok(req);
    }
    // The whole body is read before anything answers: a request refused early (401, 422)
    // would otherwise leave its body, still arriving, on a keep-alive connection, and the
    // client's next request on it would fail.
    match req.take_body().into_bytes_limit(limit).await {
        Ok(bytes) => {
            req.set_body(bytes);
            Ok(req)
        }
        Err(_) => Err(too_large()),
    }
}

/// 413, closing the connection: the rest of a body this large is not read.
fn too_large() -> Response {
    let mut response = crate::error::ApiError::PayloadTooLarge(poem_openapi::payload::Json(
        crate::error::ErrorBody::new(
            ErrorCode::PayloadTooLarge,
            "the request body is larger than 1 MiB",
        ),
    ))
    .into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
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

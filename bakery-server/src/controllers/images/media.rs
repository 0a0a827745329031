//! `/media`: this server as the picture storage of a single shop (no S3). Clients PUT the
//! bytes of an upload to the signed URL of its slot, and read variants back with long-lived
//! caching. Raw poem handlers beside the OpenAPI operations: the bodies are pictures, not
//! JSON, and the URLs come from the API's answers, not from the contract.

use bakery_core::adapters::local_images::UploadRefusal;
use bakery_core::domain::Id;
use poem::http::{header, HeaderValue, StatusCode};
use poem::web::{Data, Path, Query};
use poem::{handler, Body, IntoResponse, Request, Response};
use poem_openapi::payload::Json;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::state::AppState;

/// Variants never change under their URL (a new picture gets a new id).
pub const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

#[derive(Debug, Deserialize)]
pub struct Signed {
    expires: Option<i64>,
    sig: Option<String>,
}

fn not_found() -> Response {
    ApiError::NotFound(Json(ErrorBody::new(ErrorCode::NotFound, "no such file"))).into_response()
}

fn forbidden(code: ErrorCode, message: &str) -> Response {
    ApiError::Forbidden(Json(ErrorBody::new(code, message))).into_response()
}

/// `PUT /media/uploads/{uploadId}?expires=…&sig=…`: the bytes of one upload, exactly as
/// many as its slot was asked for, with its content type.
#[handler]
pub async fn upload(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<String>,
    Query(signed): Query<Signed>,
    body: Body,
) -> Response {
    let Some(files) = state.media.as_ref() else {
        return not_found();
    };
    let Ok(id) = Id::parse("uploadId", &id) else {
        return not_found();
    };
    let (Some(expires), Some(sig)) = (signed.expires, signed.sig) else {
        return forbidden(ErrorCode::BadSignature, "the upload URL is not signed");
    };
    match files.verify_upload(&id, expires, &sig, state.bakery.now()) {
        Ok(()) => {}
        Err(UploadRefusal::BadSignature) => {
            return forbidden(
                ErrorCode::BadSignature,
                "the upload URL's signature does not match",
            )
        }
        Err(UploadRefusal::Expired) => {
            return forbidden(
                ErrorCode::UploadExpired,
                "the upload URL has expired; ask for a new slot",
            )
        }
    }
    let pending = match state.bakery.pending_upload(&id).await {
        Ok(Some(pending)) => pending,
        Ok(None) => {
            return forbidden(
                ErrorCode::UploadExpired,
                "the upload slot is gone; ask for a new one",
            )
        }
        Err(e) => return ApiError::from(e).into_response(),
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.eq_ignore_ascii_case(pending.format.content_type()) {
        return ApiError::validation(
            "content-type",
            format!(
                "content-type: the slot was signed for {}",
                pending.format.content_type()
            ),
        )
        .into_response();
    }
    match files
        .write_upload(&id, body.into_async_read(), pending.size)
        .await
    {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `GET /media/images/...`: a variant, cached for a year, validated by its ETag.
#[handler]
pub async fn serve(state: Data<&AppState>, req: &Request, Path(rest): Path<String>) -> Response {
    let Some(files) = state.media.as_ref() else {
        return not_found();
    };
    let key = format!("images/{rest}");
    let bytes = match files.read_public(&key).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return not_found(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let digest = Sha256::digest(&bytes);
    let etag = format!("\"{}\"", hex::encode(&digest[..16]));
    let matches = req
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == etag
        });
    let content_type = match key.rsplit('.').next() {
        Some("webp") => "image/webp",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        _ => "application/octet-stream",
    };
    let mut resp = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::builder().content_type(content_type).body(bytes)
    };
    let headers = resp.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_FOREVER),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    resp
}

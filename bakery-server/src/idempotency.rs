//! `Idempotency-Key` on the writes a client must be able to retry blindly (placing an order,
//! creating a card intent, canceling), with Stripe's semantics:
//!
//! - the first request under a key runs; its answer (status and body) is kept 24 hours, per
//!   user;
//! - the same key with the same request gets that answer again, marked
//!   `Idempotent-Replayed: true`, and nothing runs a second time;
//! - the same key with a different request is 422 `IDEMPOTENCY_KEY_REUSED`;
//! - while the first request still runs, the same key is 409
//!   `IDEMPOTENCY_REQUEST_IN_PROGRESS` (retry shortly).
//!
//! Not every answer pins the key. Kept: successes, and refusals the state of the shop decided
//! after the request started (404, 403, 409 such as `OUT_OF_STOCK`), which the same request
//! would meet again. Given back, so the same key may run again: input refused before any
//! work (422, and 400/401/413/415 never reach this code), refusals a retry may get past (429,
//! `CONCURRENT_UPDATE`) and every 5xx (a store or provider that was down).
//!
//! The request runs on a task of its own: a client that hangs up does not cancel it half
//! way, and its answer is kept for the retry. A process that dies mid-request leaves the key
//! leased for [`IDEMPOTENCY_LEASE`](bakery_core::services::IDEMPOTENCY_LEASE); after that it
//! is free again.
//!
//! A handler declares the header with the [`IdempotencyKeyHeader`] extractor, returns
//! [`Idempotent<R>`] and wraps its work in [`idempotent`].

use std::future::Future;
use std::marker::PhantomData;

use bakery_core::domain::{Actor, Id, IdempotencyKey, RequestFingerprint};
use bakery_core::ports::StoredResponse;
use bakery_core::services::{Bakery, Claim};
use poem::http::StatusCode;
use poem::{Body, IntoResponse, Request, RequestBody, Response};
use poem_openapi::error::ParseParamError;
use poem_openapi::payload::Json;
use poem_openapi::registry::{
    MetaHeader, MetaParamIn, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, ApiResponse, ExtractParamOptions};
use tracing::Instrument;

use crate::error::{ApiError, ErrorBody, ErrorCode};

/// The request header carrying the key.
pub const KEY_HEADER: &str = IdempotencyKey::HEADER;

/// The response header marking a replayed answer.
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";

/// What the key's schema advertises; [`IdempotencyKey::parse`] accepts exactly these.
pub const KEY_PATTERN: &str = "^[!-~]{1,255}$";

/// The optional `Idempotency-Key` header, parsed: declare it as
/// `#[oai(name = "Idempotency-Key")] idempotency_key: IdempotencyKeyHeader` with a doc comment.
#[derive(Debug, Clone)]
pub struct IdempotencyKeyHeader(pub Option<IdempotencyKey>);

impl<'a> ApiExtractor<'a> for IdempotencyKeyHeader {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::Parameter];

    type ParamType = ();
    type ParamRawType = ();

    fn param_in() -> Option<MetaParamIn> {
        Some(MetaParamIn::Header)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        Some(String::schema_ref().merge(MetaSchema {
            min_length: Some(1),
            max_length: Some(IdempotencyKey::MAX_LEN),
            pattern: Some(KEY_PATTERN.to_owned()),
            ..MetaSchema::ANY
        }))
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        let name = opts.name;
        let refuse = |reason: String| -> poem::Error { ParseParamError { name, reason }.into() };
        let mut values = request.headers().get_all(name).iter();
        let Some(value) = values.next() else {
            return Ok(Self(None));
        };
        if values.next().is_some() {
            return Err(refuse("send one key, not several".to_owned()));
        }
        let raw = value
            .to_str()
            .map_err(|_| refuse("must be visible ASCII characters only".to_owned()))?;
        match IdempotencyKey::parse(raw) {
            Ok(key) => Ok(Self(Some(key))),
            Err(bakery_core::Error::Validation { message, .. }) => Err(refuse(message)),
            Err(other) => Err(refuse(other.to_string())),
        }
    }
}

/// What a request asks, for telling a retry from another request under the same key: the
/// operation, its target (a path id) and its parsed body (`body.to_json()`), so the same JSON
/// with other spacing or key order is the same request.
pub fn fingerprint(
    operation: &str,
    target: Option<&Id>,
    body: Option<serde_json::Value>,
) -> RequestFingerprint {
    let body = body.map(|v| v.to_string()).unwrap_or_default();
    RequestFingerprint::of(&[
        operation.as_bytes(),
        target.map_or("", Id::as_str).as_bytes(),
        body.as_bytes(),
    ])
}

/// The answer of an idempotent operation: `R` when it ran, or what an earlier run under the
/// same key answered (with `Idempotent-Replayed: true`), or an [`ApiError`]. Documents `R`'s
/// responses and the errors', the replayable ones with the header.
pub struct Idempotent<R> {
    response: Response,
    _answers: PhantomData<fn() -> R>,
}

impl<R> Idempotent<R> {
    fn new(response: Response) -> Self {
        Self {
            response,
            _answers: PhantomData,
        }
    }
}

impl<R> From<ApiError> for Idempotent<R> {
    fn from(err: ApiError) -> Self {
        Self::new(err.into_response())
    }
}

impl<R: Send> IntoResponse for Idempotent<R> {
    fn into_response(self) -> Response {
        self.response
    }
}

/// The statuses a replay can carry (see the module docs for why).
fn replayable(status: u16) -> bool {
    (200..300).contains(&status) || matches!(status, 403 | 404 | 409)
}

impl<R: ApiResponse> ApiResponse for Idempotent<R> {
    fn meta() -> MetaResponses {
        let mut meta = R::meta();
        meta.responses.extend(ApiError::meta().responses);
        for response in &mut meta.responses {
            if response.status.is_some_and(replayable) {
                response.headers.push(MetaHeader {
                    name: REPLAYED_HEADER.to_owned(),
                    description: Some(
                        "`true` when this is the kept answer to an earlier request with the \
                         same `Idempotency-Key`; absent when the request ran."
                            .to_owned(),
                    ),
                    required: false,
                    deprecated: false,
                    schema: bool::schema_ref(),
                });
            }
        }
        meta
    }

    fn register(registry: &mut Registry) {
        R::register(registry);
        ApiError::register(registry);
    }
}

/// Whether an outcome is the request's answer for good (kept for replay) rather than a
/// refusal a retry of the same request may get past (the key is given back).
fn keeps<R>(outcome: &Result<R, ApiError>) -> bool {
    match outcome {
        Ok(_) => true,
        Err(ApiError::NotFound(_) | ApiError::Forbidden(_)) => true,
        Err(ApiError::Conflict(Json(body))) => body.code != ErrorCode::ConcurrentUpdate,
        Err(_) => false,
    }
}

/// Runs `work` as `actor`'s request `fingerprint` under the client's key (or just runs it
/// when the client sent none). `work` must own what it uses: it runs on a task of its own.
pub async fn idempotent<R, W>(
    bakery: &Bakery,
    actor: &Actor,
    key: IdempotencyKeyHeader,
    fingerprint: RequestFingerprint,
    work: W,
) -> Idempotent<R>
where
    R: IntoResponse + Send + 'static,
    W: Future<Output = Result<R, ApiError>> + Send + 'static,
{
    let Some(key) = key.0 else {
        return Idempotent::new(respond(work.await));
    };
    let lease = match bakery.claim_idempotency_key(actor, &key, fingerprint).await {
        Ok(Claim::Started(lease)) => lease,
        Ok(Claim::Replay(stored)) => return Idempotent::new(replay(stored)),
        Ok(Claim::Mismatch) => {
            const REUSED: &str =
                "this Idempotency-Key was used for a different request; send a new key";
            return ApiError::Validation(Json(ErrorBody {
                details: Some(crate::error::ErrorDetails::one(KEY_HEADER, REUSED)),
                ..ErrorBody::new(ErrorCode::IdempotencyKeyReused, REUSED)
            }))
            .into();
        }
        Ok(Claim::InFlight) => {
            return ApiError::Conflict(Json(ErrorBody::new(
                ErrorCode::IdempotencyRequestInProgress,
                "a request with this Idempotency-Key is still running; retry shortly",
            )))
            .into()
        }
        Err(e) => return ApiError::from(e).into(),
    };
    let bakery = bakery.clone();
    let run = async move {
        let outcome = work.await;
        let keep = keeps(&outcome);
        let (parts, body) = respond(outcome).into_parts();
        let bytes = match body.into_bytes().await {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::error!(error = %e, "reading an idempotent answer failed");
                if let Err(e) = bakery.abandon_idempotent(&lease).await {
                    tracing::error!(error = %e, "giving back an idempotency key failed");
                }
                return ApiError::from(bakery_core::Error::internal(e.to_string())).into_response();
            }
        };
        let kept = if keep {
            std::str::from_utf8(&bytes).ok().map(|text| StoredResponse {
                status: parts.status.as_u16(),
                body: text.to_owned(),
            })
        } else {
            None
        };
        let stored = match &kept {
            Some(answer) => bakery.complete_idempotent(&lease, answer).await,
            None => bakery.abandon_idempotent(&lease).await,
        };
        match stored {
            Ok(true) => {}
            // The lease ran out and another attempt holds the key: its answer will be kept.
            Ok(false) => tracing::warn!("an idempotency key's lease ran out before its answer"),
            // The work is done; the key frees itself when its lease runs out.
            Err(e) => tracing::error!(error = %e, "keeping an idempotent answer failed"),
        }
        Response::from_parts(parts, Body::from(bytes))
    };
    match tokio::spawn(run.in_current_span()).await {
        Ok(response) => Idempotent::new(response),
        Err(e) => {
            tracing::error!(error = %e, "an idempotent request's task failed");
            ApiError::from(bakery_core::Error::internal(e.to_string())).into()
        }
    }
}

fn respond<R: IntoResponse>(outcome: Result<R, ApiError>) -> Response {
    match outcome {
        Ok(answer) => answer.into_response(),
        Err(e) => e.into_response(),
    }
}

/// The kept answer, as first sent (every answer of these operations is JSON).
fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8")
        .header(REPLAYED_HEADER, "true")
        .body(stored.body)
}

#[cfg(test)]
mod tests {
    use poem_openapi::validation::{Pattern, Validator};

    use super::*;

    #[test]
    fn the_advertised_pattern_is_what_the_key_accepts() {
        let pattern = Pattern::new(KEY_PATTERN);
        let long = "k".repeat(255);
        let too_long = "k".repeat(256);
        for raw in [
            "a",
            "0b1f7c9e-3d2a-4f4e",
            "!~",
            &long,
            "",
            " a",
            "a b",
            "é",
            &too_long,
        ] {
            assert_eq!(
                IdempotencyKey::parse(raw).is_ok(),
                pattern.check(&raw),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn only_settled_answers_are_kept() {
        let conflict = |code| Err::<(), _>(ApiError::Conflict(Json(ErrorBody::new(code, "x"))));
        assert!(keeps(&Ok::<(), ApiError>(())));
        assert!(keeps(&conflict(ErrorCode::OutOfStock)));
        assert!(!keeps(&conflict(ErrorCode::ConcurrentUpdate)));
        assert!(!keeps(&Err::<(), _>(ApiError::validation(
            "items", "empty"
        ))));
        assert!(!keeps(&Err::<(), _>(ApiError::from(
            bakery_core::Error::internal("down")
        ))));
        assert!(!keeps(&Err::<(), _>(ApiError::from(
            bakery_core::Error::PaymentUnavailable
        ))));
    }
}

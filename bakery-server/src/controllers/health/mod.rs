//! Liveness and readiness probes.

use bakery_core::ports::CacheHealth;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::ApiTags;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::state::AppState;

pub struct HealthApi;

/// A probe's answer.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

/// Whether this instance can serve, and how each dependency is doing.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct Readiness {
    /// `ok`, or `degraded` when an optional dependency is down and requests that need it
    /// are refused or served without it (the instance stays in rotation).
    pub status: String,
    pub dependencies: Vec<DependencyState>,
}

/// One dependency, without secrets.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct DependencyState {
    /// `store`, `cache`, `sms`, `push` or `payments`.
    pub name: String,
    /// The adapter in use (`sqlite`, `mongodb`, `in-process`, `redis`, `log`, `twilio`,
    /// `fcm`, `none`, `stripe`).
    pub backend: String,
    /// `up` or `degraded` for what this instance reaches itself; `configured` for the SaaS
    /// providers, which are not called by a probe (their failures show in the outbox and
    /// as 503s of the requests that need them).
    pub state: String,
}

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// The process is up
    ///
    /// Liveness for orchestrators: answers 200 as long as the process runs, without touching the
    /// store or any provider. Use `/readyz` to decide whether to send traffic.
    #[oai(path = "/healthz", method = "get", operation_id = "healthz")]
    async fn healthz(&self) -> Result<Json<Health>, ApiError> {
        Ok(Json(Health {
            status: "ok".into(),
        }))
    }

    /// The process can serve requests (the store answers); reports each dependency
    ///
    /// Readiness: 200 when the store answers, 503 when it does not. The body lists each dependency
    /// (store, cache and each provider) with its state, so a degraded provider shows here before
    /// customers notice.
    #[oai(path = "/readyz", method = "get", operation_id = "readyz")]
    async fn readyz(&self, state: Data<&AppState>) -> Result<Json<Readiness>, ApiError> {
        if let Err(e) = state.bakery.ping().await {
            tracing::warn!(error = ?e, "readiness check failed");
            return Err(ApiError::Unavailable(
                Json(ErrorBody::new(
                    ErrorCode::NotReady,
                    "the store is not reachable",
                )),
                None,
            ));
        }
        let cache = state.bakery.catalog_cache();
        let cache_up = cache.health() == CacheHealth::Up;
        let adapters = state.bakery.adapters();
        let provider = |name: &str, backend: &str| DependencyState {
            name: name.into(),
            backend: backend.into(),
            state: "configured".into(),
        };
        Ok(Json(Readiness {
            status: if cache_up { "ok" } else { "degraded" }.into(),
            dependencies: vec![
                DependencyState {
                    name: "store".into(),
                    backend: state.bakery.store().health.backend().into(),
                    state: "up".into(),
                },
                DependencyState {
                    name: "cache".into(),
                    backend: cache.backend().into(),
                    state: if cache_up { "up" } else { "degraded" }.into(),
                },
                provider("sms", adapters.sms),
                provider("push", adapters.push),
                provider("payments", adapters.payments),
            ],
        }))
    }
}

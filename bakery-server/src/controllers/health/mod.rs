//! Liveness and readiness probes.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::ApiTags;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

pub struct HealthApi;

/// A probe's answer.
#[derive(Object, Debug, Clone)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// The process is up
    #[oai(path = "/healthz", method = "get", operation_id = "healthz")]
    async fn healthz(&self) -> Result<Json<Health>, ApiError> {
        Ok(Json(Health {
            status: "ok".into(),
        }))
    }

    /// The process can serve requests (the store answers)
    #[oai(path = "/readyz", method = "get", operation_id = "readyz")]
    async fn readyz(&self, state: Data<&AppState>) -> Result<Json<Health>, ApiError> {
        if let Err(e) = state.bakery.ping().await {
            tracing::warn!(error = ?e, "readiness check failed");
            return Err(ApiError::Unavailable(Json(ErrorBody::new(
                "NOT_READY",
                "the store is not reachable",
            ))));
        }
        Ok(Json(Health {
            status: "ok".into(),
        }))
    }
}

//! The kitchen: what to bake, rather than what to deliver.

use bakery_core::domain::access;
use bakery_core::Error;
use chrono::NaiveDate;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::dto::prep::PrepList;
use crate::error::ApiError;
use crate::state::AppState;

pub struct KitchenApi;

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Admin")]
impl KitchenApi {
    /// The prep list of a day
    ///
    /// What the kitchen must make on `date`, a calendar day in the shop's time zone: every
    /// order due that day (at its `scheduledDeliveryTime`, else its `estimatedDeliveryTime`)
    /// and not canceled, summed per product, split into half-hour slots of the shop's clock,
    /// with the day's totals. Read live from the order book at each call (never cached), so
    /// a screen refreshing it on the order board's events stays current.
    #[oai(path = "/prep", method = "get", operation_id = "admin_prep_list")]
    async fn prep_list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The shop-local day, `YYYY-MM-DD` (a calendar date: `2026-02-30` is refused).
        #[oai(validator(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
        date: Query<String>,
    ) -> Result<Json<PrepList>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        let date = NaiveDate::parse_from_str(&date.0, "%Y-%m-%d")
            .map_err(|_| Error::validation("date", "not a calendar date"))?;
        let list = state.bakery.prep_list(actor, date).await?;
        Ok(Json(PrepList::from(&list)))
    }
}

//! The customer's inbox.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::dto::common::{NoContent, Page};
use crate::dto::notification::Notification;
use crate::dto::params::{page, PageNumber, PageSize, PathId};
use crate::error::ApiError;
use crate::state::AppState;

pub struct NotificationsApi;

#[OpenApi(prefix_path = "/api/v1/notifications", tag = "ApiTags::Notifications")]
impl NotificationsApi {
    /// The signed-in user's notifications, newest first
    ///
    /// The signed-in user's notification inbox (order updates, promotions, system messages), newest
    /// first, with read state.
    #[oai(path = "/", method = "get", operation_id = "list_notifications")]
    async fn list_notifications(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        page: PageNumber,
        /// Items per page, 1..=100 (default 20).
        limit: PageSize,
    ) -> Result<Json<Page<Notification>>, ApiError> {
        let notifications = state
            .bakery
            .notifications(&auth.0, self::page(page, limit)?)
            .await?;
        Ok(Json(Page::from_domain(notifications)))
    }

    /// Mark a notification read
    ///
    /// Marks one notification read. Marking it again is harmless.
    #[oai(
        path = "/:id/read",
        method = "put",
        operation_id = "mark_notification_read"
    )]
    async fn mark_read(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The notification id.
        id: PathId,
    ) -> Result<NoContent, ApiError> {
        state.bakery.mark_notification_read(&auth.0, &id).await?;
        Ok(NoContent::NoContent)
    }

    /// Delete a notification
    ///
    /// Removes one notification from the inbox.
    #[oai(path = "/:id", method = "delete", operation_id = "delete_notification")]
    async fn delete_notification(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The notification id.
        id: PathId,
    ) -> Result<NoContent, ApiError> {
        state.bakery.delete_notification(&auth.0, &id).await?;
        Ok(NoContent::NoContent)
    }
}

//! The signed-in user's own account: profile, address book and devices.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::dto::common::{Created, NoContent};
use crate::dto::params::PathId;
use crate::dto::user::{Address, AddressInput, DeviceToken, ProfileUpdate, User};
use crate::error::ApiError;
use crate::state::AppState;

pub struct UsersApi;

#[OpenApi(prefix_path = "/api/v1/users", tag = "ApiTags::Users")]
impl UsersApi {
    /// The signed-in user's profile
    ///
    /// The account behind the bearer token, with its saved addresses and role. Answers 401 once the
    /// session has ended (logout, revoked refresh family, deleted account).
    #[oai(path = "/profile", method = "get", operation_id = "get_profile")]
    async fn get_profile(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> Result<Json<User>, ApiError> {
        Ok(Json(state.bakery.profile(&auth.0).await?.into()))
    }

    /// Change name, e-mail (empty clears it) or password
    ///
    /// A new password may be refused with 503 `BUSY` and `Retry-After` while the server is
    /// hashing as many passwords as it takes; nothing is changed then.
    #[oai(path = "/profile", method = "put", operation_id = "update_profile")]
    async fn update_profile(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<ProfileUpdate>,
    ) -> Result<Json<User>, ApiError> {
        let user = state
            .bakery
            .update_profile(
                &auth.0,
                body.name.as_deref(),
                body.email.as_deref(),
                body.password.as_deref(),
            )
            .await?;
        Ok(Json(user.into()))
    }

    /// Saved addresses (at most 20)
    ///
    /// A plain array, not a page: an account keeps at most 20 addresses, so the whole list
    /// always fits in one answer.
    #[oai(path = "/addresses", method = "get", operation_id = "list_addresses")]
    async fn list_addresses(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> Result<Json<Vec<Address>>, ApiError> {
        let addresses = state.bakery.addresses(&auth.0).await?;
        Ok(Json(addresses.into_iter().map(Into::into).collect()))
    }

    /// Save an address; the first one becomes the default
    ///
    /// Adds to the account's address book (at most 20). The first address, or one sent with
    /// `isDefault`, becomes the default; an optional `location` (from a map picker) lets the
    /// courier's ETA be computed. Answers the whole profile.
    #[oai(path = "/addresses", method = "post", operation_id = "add_address")]
    async fn add_address(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<AddressInput>,
    ) -> Result<Created<Address>, ApiError> {
        let address = state.bakery.add_address(&auth.0, body.to_domain()?).await?;
        Ok(Created::Created(Json(address.into())))
    }

    /// Replace a saved address
    ///
    /// Replaces every field of one saved address. Making it the default clears the flag on the
    /// others.
    #[oai(
        path = "/addresses/:id",
        method = "put",
        operation_id = "update_address"
    )]
    async fn update_address(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The address id.
        id: PathId,
        body: Json<AddressInput>,
    ) -> Result<Json<Address>, ApiError> {
        let address = state
            .bakery
            .update_address(&auth.0, &id, body.to_domain()?)
            .await?;
        Ok(Json(address.into()))
    }

    /// Delete a saved address
    ///
    /// Removes one saved address; if it was the default, the first remaining one becomes the
    /// default. Past orders keep their own copy of the address.
    #[oai(
        path = "/addresses/:id",
        method = "delete",
        operation_id = "delete_address"
    )]
    async fn delete_address(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The address id.
        id: PathId,
    ) -> Result<NoContent, ApiError> {
        state.bakery.remove_address(&auth.0, &id).await?;
        Ok(NoContent::NoContent)
    }

    /// Register this device for push notifications
    ///
    /// Registers the device's FCM token so order updates and promotions reach it as push
    /// notifications. Registering the same token again is harmless; an account keeps its most
    /// recent devices.
    #[oai(
        path = "/fcm-token",
        method = "post",
        operation_id = "add_device_token"
    )]
    async fn add_device_token(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<DeviceToken>,
    ) -> Result<NoContent, ApiError> {
        state.bakery.add_device_token(&auth.0, &body.token).await?;
        Ok(NoContent::NoContent)
    }

    /// Stop push notifications to one device
    ///
    /// Unregisters one device token (call it on sign-out from that device). Removing an unknown
    /// token is not an error.
    #[oai(
        path = "/fcm-token",
        method = "delete",
        operation_id = "remove_device_token"
    )]
    async fn remove_device_token(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<DeviceToken>,
    ) -> Result<NoContent, ApiError> {
        state
            .bakery
            .remove_device_token(&auth.0, &body.token)
            .await?;
        Ok(NoContent::NoContent)
    }
}

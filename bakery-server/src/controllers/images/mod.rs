//! Pictures: upload slots, attaching and removing, for products, categories and promotions
//! (staff) and for reviews (their author). The bytes never pass through these operations:
//! they go to the slot's URL (S3, or `/media/uploads/...` on this server; see [`media`]).

pub mod media;

use bakery_core::domain::{access, ImageOwner};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::dto::common::{id, Created, NoContent};
use crate::dto::image::{images, AttachImage, Image, UploadRequest, UploadSlot};
use crate::dto::params::PathId;
use crate::error::ApiError;
use crate::state::AppState;

pub struct ImagesApi;

async fn slot(
    state: &AppState,
    actor: &bakery_core::services::Actor,
    owner: ImageOwner,
    body: UploadRequest,
) -> Result<Created<UploadSlot>, ApiError> {
    let ticket = state
        .bakery
        .request_image_upload(actor, owner, &body.content_type, body.size)
        .await?;
    Ok(Created::Created(Json(ticket.into())))
}

async fn attach(
    state: &AppState,
    actor: &bakery_core::services::Actor,
    owner: ImageOwner,
    body: AttachImage,
) -> Result<Json<Vec<Image>>, ApiError> {
    let upload = id("uploadId", &body.upload_id)?;
    let photos = state.bakery.attach_image(actor, owner, &upload).await?;
    Ok(Json(images(photos)))
}

#[OpenApi(prefix_path = "/api/v1")]
impl ImagesApi {
    /// Ask for a slot to upload a picture of a product (JPEG, PNG or WebP, at most 5 MiB)
    ///
    /// Step 1 of adding a picture: answers a short-lived upload URL with the method and headers to
    /// use. Send the bytes there directly (not through this API), then attach with the `uploadId`.
    /// A product has at most 10 pictures.
    #[oai(
        path = "/admin/products/:id/images/uploads",
        method = "post",
        operation_id = "admin_request_product_image_upload",
        tag = "ApiTags::Admin"
    )]
    async fn product_upload(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The product id.
        id: PathId,
        body: Json<UploadRequest>,
    ) -> Result<Created<UploadSlot>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        slot(&state, actor, ImageOwner::Product(id.0), body.0).await
    }

    /// Attach an uploaded picture; answers the product's pictures. Bytes that are not a JPEG, PNG or WebP picture are refused and deleted
    ///
    /// Step 2: the server reads the uploaded bytes, accepts only a real JPEG, PNG or WebP picture
    /// (by content, not by name) and answers the product's pictures, the new one `processing`:
    /// its resized WebP variants for phones are made in the background, usually within seconds,
    /// and then listed with each one's URL and size (read the product again).
    #[oai(
        path = "/admin/products/:id/images",
        method = "post",
        operation_id = "admin_attach_product_image",
        tag = "ApiTags::Admin"
    )]
    async fn product_attach(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The product id.
        id: PathId,
        body: Json<AttachImage>,
    ) -> Result<Json<Vec<Image>>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        attach(&state, actor, ImageOwner::Product(id.0), body.0).await
    }

    /// Remove a picture; its files are deleted
    ///
    /// Removes one picture from a product; its stored files are deleted.
    #[oai(
        path = "/admin/products/:id/images/:imageId",
        method = "delete",
        operation_id = "admin_remove_product_image",
        tag = "ApiTags::Admin"
    )]
    async fn product_remove(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The product id.
        #[oai(name = "id")]
        owner: Path<String>,
        /// The picture id.
        #[oai(name = "imageId")]
        image_id: Path<String>,
    ) -> Result<NoContent, ApiError> {
        let actor = auth.require(access::STAFF)?;
        let owner = ImageOwner::Product(id("id", &owner.0)?);
        let image = id("imageId", &image_id.0)?;
        state
            .bakery
            .remove_image(actor, owner, Some(&image))
            .await?;
        Ok(NoContent::NoContent)
    }

    /// Ask for a slot to upload a picture of a category (JPEG, PNG or WebP, at most 5 MiB)
    ///
    /// Step 1 of setting the category's picture: answers a short-lived upload URL; send the bytes
    /// there, then attach with the `uploadId`.
    #[oai(
        path = "/admin/categories/:id/image/uploads",
        method = "post",
        operation_id = "admin_request_category_image_upload",
        tag = "ApiTags::Admin"
    )]
    async fn category_upload(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The category id.
        id: PathId,
        body: Json<UploadRequest>,
    ) -> Result<Created<UploadSlot>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        slot(&state, actor, ImageOwner::Category(id.0), body.0).await
    }

    /// Attach an uploaded picture (replacing the current one); answers the category's pictures. Bytes that are not a JPEG, PNG or WebP picture are refused and deleted
    ///
    /// Step 2: checks the uploaded bytes are a real picture and makes it the category's picture,
    /// `processing` until its variants are made in the background; the previous one is deleted.
    #[oai(
        path = "/admin/categories/:id/image",
        method = "post",
        operation_id = "admin_attach_category_image",
        tag = "ApiTags::Admin"
    )]
    async fn category_attach(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The category id.
        id: PathId,
        body: Json<AttachImage>,
    ) -> Result<Json<Vec<Image>>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        attach(&state, actor, ImageOwner::Category(id.0), body.0).await
    }

    /// Remove the picture; its files are deleted
    ///
    /// Removes the category's picture and deletes its files.
    #[oai(
        path = "/admin/categories/:id/image",
        method = "delete",
        operation_id = "admin_remove_category_image",
        tag = "ApiTags::Admin"
    )]
    async fn category_remove(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The category id.
        id: PathId,
    ) -> Result<NoContent, ApiError> {
        let actor = auth.require(access::STAFF)?;
        state
            .bakery
            .remove_image(actor, ImageOwner::Category(id.0), None)
            .await?;
        Ok(NoContent::NoContent)
    }

    /// Ask for a slot to upload a picture of a promotion (JPEG, PNG or WebP, at most 5 MiB)
    ///
    /// Step 1 of setting the promotion's banner: answers a short-lived upload URL; send the bytes
    /// there, then attach with the `uploadId`.
    #[oai(
        path = "/admin/promotions/:id/image/uploads",
        method = "post",
        operation_id = "admin_request_promotion_image_upload",
        tag = "ApiTags::Admin"
    )]
    async fn promotion_upload(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The promotion id.
        id: PathId,
        body: Json<UploadRequest>,
    ) -> Result<Created<UploadSlot>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        slot(&state, actor, ImageOwner::Promotion(id.0), body.0).await
    }

    /// Attach an uploaded picture (replacing the current one); answers the promotion's pictures. Bytes that are not a JPEG, PNG or WebP picture are refused and deleted
    ///
    /// Step 2: checks the uploaded bytes are a real picture and makes it the promotion's banner,
    /// `processing` until its variants are made in the background; the previous one is deleted.
    #[oai(
        path = "/admin/promotions/:id/image",
        method = "post",
        operation_id = "admin_attach_promotion_image",
        tag = "ApiTags::Admin"
    )]
    async fn promotion_attach(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The promotion id.
        id: PathId,
        body: Json<AttachImage>,
    ) -> Result<Json<Vec<Image>>, ApiError> {
        let actor = auth.require(access::STAFF)?;
        attach(&state, actor, ImageOwner::Promotion(id.0), body.0).await
    }

    /// Remove the picture; its files are deleted
    ///
    /// Removes the promotion's banner and deletes its files.
    #[oai(
        path = "/admin/promotions/:id/image",
        method = "delete",
        operation_id = "admin_remove_promotion_image",
        tag = "ApiTags::Admin"
    )]
    async fn promotion_remove(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The promotion id.
        id: PathId,
    ) -> Result<NoContent, ApiError> {
        let actor = auth.require(access::STAFF)?;
        state
            .bakery
            .remove_image(actor, ImageOwner::Promotion(id.0), None)
            .await?;
        Ok(NoContent::NoContent)
    }

    /// Ask for a slot to upload a picture of a review (JPEG, PNG or WebP, at most 5 MiB)
    ///
    /// Step 1 of adding a picture to the caller's own review (at most 3): answers a short-lived
    /// upload URL; send the bytes there, then attach with the `uploadId`.
    #[oai(
        path = "/reviews/:id/images/uploads",
        method = "post",
        operation_id = "request_review_image_upload",
        tag = "ApiTags::Reviews"
    )]
    async fn review_upload(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The review id.
        id: PathId,
        body: Json<UploadRequest>,
    ) -> Result<Created<UploadSlot>, ApiError> {
        let actor = &auth.0;
        slot(&state, actor, ImageOwner::Review(id.0), body.0).await
    }

    /// Attach an uploaded picture; answers the review's pictures. Bytes that are not a JPEG, PNG or WebP picture are refused and deleted
    ///
    /// Step 2: checks the uploaded bytes are a real picture and adds it to the review,
    /// `processing` until its variants are made in the background.
    #[oai(
        path = "/reviews/:id/images",
        method = "post",
        operation_id = "attach_review_image",
        tag = "ApiTags::Reviews"
    )]
    async fn review_attach(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The review id.
        id: PathId,
        body: Json<AttachImage>,
    ) -> Result<Json<Vec<Image>>, ApiError> {
        let actor = &auth.0;
        attach(&state, actor, ImageOwner::Review(id.0), body.0).await
    }

    /// Remove a picture; its files are deleted
    ///
    /// Removes one picture from the caller's own review; its files are deleted.
    #[oai(
        path = "/reviews/:id/images/:imageId",
        method = "delete",
        operation_id = "remove_review_image",
        tag = "ApiTags::Reviews"
    )]
    async fn review_remove(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The review id.
        #[oai(name = "id")]
        owner: Path<String>,
        /// The picture id.
        #[oai(name = "imageId")]
        image_id: Path<String>,
    ) -> Result<NoContent, ApiError> {
        let actor = &auth.0;
        let owner = ImageOwner::Review(id("id", &owner.0)?);
        let image = id("imageId", &image_id.0)?;
        state
            .bakery
            .remove_image(actor, owner, Some(&image))
            .await?;
        Ok(NoContent::NoContent)
    }
}

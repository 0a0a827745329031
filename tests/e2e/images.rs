//! Pictures end to end: upload slots, bytes straight to storage, attach, serving, removal,
//! and every refusal leaving nothing behind — on the embedded files and on S3 (s3s-fs).

use std::time::Duration;

use bakery_core::ports::Fetched;
use bakery_e2e::errors::{assert_error, error_of};
use bakery_e2e::fixtures::{deliver, line, order_request, place_order, seed_catalog, v};
use bakery_e2e::{types, AppOptions, BakeryClient, TestApp};
use bakery_sdk::{ImageTarget, UploadError};
use image::{ExtendedColorType, ImageEncoder, RgbImage};

pub fn manual_clock() -> AppOptions {
    AppOptions {
        manual_clock: true,
        ..AppOptions::default()
    }
}

pub fn on_s3() -> AppOptions {
    AppOptions {
        s3: true,
        ..AppOptions::default()
    }
}

fn picture(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 256) as u8])
    })
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            picture(width, height).as_raw(),
            width,
            height,
            ExtendedColorType::Rgb8,
        )
        .expect("encode a PNG");
    out
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .write_image(
            picture(width, height).as_raw(),
            width,
            height,
            ExtendedColorType::Rgb8,
        )
        .expect("encode a JPEG");
    out
}

/// Every key left in the app's picture storage.
async fn stored(app: &TestApp) -> Vec<String> {
    app.images.list("").await.expect("list the picture storage")
}

/// Waits (for the outbox) until the storage holds exactly `expected`.
async fn eventually_stored(app: &TestApp, expected: &[String]) {
    let mut expected = expected.to_vec();
    expected.sort();
    // Up to 30 s: the variants are made by the outbox, slowly in an unoptimised build.
    for _ in 0..300 {
        if stored(app).await == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(stored(app).await, expected, "what the storage holds");
}

fn keys_of(images: &[types::Image]) -> Vec<String> {
    images
        .iter()
        .flat_map(|i| {
            ["400", "1200"]
                .into_iter()
                .map(move |side| format!("images/{}/{side}.webp", i.id))
        })
        .collect()
}

/// A 422 with `code`, naming `field`.
fn refused<T: std::fmt::Debug>(result: Result<T, bakery_e2e::ApiError>, field: &str, code: &str) {
    let (status, body) = error_of(result);
    assert_eq!(
        (status, body.code.to_string()),
        (422, code.to_owned()),
        "{body:?}"
    );
    assert_eq!(body.details.map(|d| d.field), Some(field.to_owned()));
}

fn ids(images: &[types::Image]) -> Vec<String> {
    images.iter().map(|i| i.id.clone()).collect()
}

fn api_error(e: UploadError) -> bakery_e2e::ApiError {
    match e {
        UploadError::Api(e) => e,
        other => panic!("expected an API error, got {other}"),
    }
}

/// A slot, the bytes as given, then attaching them: what a client lying about the type does.
async fn upload_as(
    client: &BakeryClient,
    target: &ImageTarget,
    bytes: Vec<u8>,
    content_type: &str,
) -> Result<types::Image, bakery_e2e::ApiError> {
    client
        .upload_image_as(target, bytes, content_type, None)
        .await
        .map_err(api_error)
}

async fn the_whole_flow(app: &TestApp, files: bool) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let product = ImageTarget::Product(shop.croissant.id.clone());

    // Attaching answers at once: the picture is there, processing, without variants yet.
    let bytes = png(1600, 800);
    let slot = admin
        .image_slot(&product, "image/png", bytes.len() as u64)
        .await
        .unwrap();
    admin.send_bytes(&slot, bytes, None).await.unwrap();
    let attached = admin.attach_image(&product, &slot.upload_id).await.unwrap();
    assert_eq!(ids(&attached), std::slice::from_ref(&slot.upload_id));
    assert_eq!(attached[0].status, types::ImageStatus::Processing);
    assert!(attached[0].variants.is_empty());
    // Moments later it is ready: two WebP variants, smallest first, ratio kept.
    let first = admin
        .wait_until_ready(&product, attached[0].clone(), bakery_sdk::READY_WAIT)
        .await
        .expect("the variants are made");
    assert_eq!(first.status, types::ImageStatus::Ready);
    let sizes: Vec<(u32, u32)> = first.variants.iter().map(|v| (v.width, v.height)).collect();
    assert_eq!(sizes, [(400, 200), (1200, 600)]);
    for side in ["400", "1200"] {
        let key = format!("images/{}/{side}.webp", first.id);
        let stored = match app.images.get(&key, 5 * 1024 * 1024).await.unwrap() {
            Fetched::Bytes(bytes) => bytes,
            other => panic!("{key}: {other:?}"),
        };
        assert!(
            stored.starts_with(b"RIFF") && &stored[8..12] == b"WEBP",
            "{key} is WebP"
        );
    }
    // A small JPEG is not upscaled; the SDK's one call waits for it to be ready.
    let second = admin
        .upload_image(&product, jpeg(300, 200), None)
        .await
        .expect("upload a JPEG");
    assert_eq!(second.status, types::ImageStatus::Ready);
    assert!(second
        .variants
        .iter()
        .all(|v| (v.width, v.height) == (300, 200)));
    let both = vec![first, second];

    // The product shows them, in every listing, as URLs with sizes.
    let api = app.client().api();
    let croissant = api
        .get_product()
        .id(shop.croissant.id.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ids(&croissant.photos), ids(&both));
    eventually_stored(app, &keys_of(&both)).await;

    // Served by this server with a year of caching and an ETag (on S3 the bucket or its CDN
    // serves them: reading them there is its access policy's business).
    if files {
        let http = reqwest::Client::new();
        for variant in &both[0].variants {
            let url = format!("{}{}", app.base_url, variant.url);
            let got = http.get(&url).send().await.unwrap();
            assert_eq!(got.status(), 200, "{url}");
            let body = got.bytes().await.unwrap();
            assert!(
                body.starts_with(b"RIFF") && &body[8..12] == b"WEBP",
                "{url}"
            );
        }
        let url = format!("{}{}", app.base_url, both[0].variants[0].url);
        let got = http.get(&url).send().await.unwrap();
        assert_eq!(got.status(), 200, "{url}");
        assert_eq!(got.headers()["content-type"], "image/webp");
        assert_eq!(
            got.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        let etag = got.headers()["etag"].clone();
        let body = got.bytes().await.unwrap();
        assert!(body.starts_with(b"RIFF"));
        let again = http
            .get(&url)
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304);
        // Uploads (originals, with their metadata) are never served.
        let original = http
            .get(format!("{}/media/uploads/{}", app.base_url, both[0].id))
            .send()
            .await
            .unwrap();
        assert!(
            matches!(original.status().as_u16(), 404 | 405),
            "{}",
            original.status()
        );
    }

    // A category has one picture: the next replaces it, and the old one's files go.
    let category = ImageTarget::Category(shop.pastry.id.clone());
    let old = admin
        .upload_image(&category, png(64, 64), None)
        .await
        .unwrap();
    let new = admin
        .upload_image(&category, png(80, 40), None)
        .await
        .unwrap();
    assert_eq!(new.status, types::ImageStatus::Ready);
    assert_ne!(old.id, new.id);
    let new = vec![new];
    let pastry = api
        .list_categories()
        .send()
        .await
        .unwrap()
        .into_inner()
        .items
        .into_iter()
        .find(|c| c.id == shop.pastry.id)
        .expect("the pastry category");
    assert_eq!(pastry.photo.map(|p| p.id), Some(new[0].id.clone()));
    let mut expected = keys_of(&both);
    expected.extend(keys_of(&new));
    eventually_stored(app, &expected).await;

    // Removing one picture deletes its files; deleting the product deletes the rest.
    admin
        .api()
        .admin_remove_product_image()
        .id(shop.croissant.id.as_str())
        .image_id(both[0].id.as_str())
        .send()
        .await
        .unwrap();
    let mut expected = keys_of(&both[1..]);
    expected.extend(keys_of(&new));
    eventually_stored(app, &expected).await;
    let again = admin
        .api()
        .admin_remove_product_image()
        .id(shop.croissant.id.as_str())
        .image_id(both[0].id.as_str())
        .send()
        .await;
    assert_error(again, 404, "NOT_FOUND");
    admin
        .api()
        .admin_delete_product()
        .id(shop.croissant.id.as_str())
        .send()
        .await
        .unwrap();
    eventually_stored(app, &keys_of(&new)).await;

    // A customer adds pictures to their own review, up to three.
    let ada = app.customer("Ada", "+447700900701").await;
    let order = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    deliver(&admin, &order.id).await;
    let review = ada
        .api()
        .create_review()
        .id(shop.baguette.id.as_str())
        .body(types::ReviewInput {
            rating: std::num::NonZeroU8::new(5).unwrap(),
            comment: Some(v("Crusty")),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    let target = ImageTarget::Review(review.id.clone());
    for _ in 0..3 {
        ada.upload_image(&target, png(40, 40), None).await.unwrap();
    }
    let fourth = ada.image_slot(&target, "image/png", 100).await;
    assert_error(fourth, 409, "IMAGE_LIMIT_REACHED");
    let listed = api
        .list_product_reviews()
        .id(shop.baguette.id.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.items[0].photos.len(), 3);
    // Deleting the review deletes its pictures.
    ada.api()
        .delete_review()
        .id(review.id.as_str())
        .send()
        .await
        .unwrap();
    eventually_stored(app, &keys_of(&new)).await;
}

pub async fn upload_attach_serve_and_delete(app: &TestApp) {
    the_whole_flow(app, true).await;
}

pub async fn the_whole_flow_on_s3(app: &TestApp) {
    the_whole_flow(app, false).await;
}

pub async fn refusals_on_s3(app: &TestApp) {
    refusals(app).await;
}

async fn refusals(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let product = ImageTarget::Product(shop.baguette.id.clone());
    let before = stored(app).await;

    // A PNG renamed .jpg (announced as a JPEG) is judged by its content: refused.
    let result = upload_as(&admin, &product, png(50, 50), "image/jpeg").await;
    refused(result, "uploadId", "UNSUPPORTED_IMAGE");
    // Text claiming to be a PNG: refused.
    let result = upload_as(
        &admin,
        &product,
        b"I am not a picture at all".to_vec(),
        "image/png",
    )
    .await;
    refused(result, "uploadId", "UNSUPPORTED_IMAGE");
    // A truncated PNG has the right magic but does not decode: refused.
    let mut broken = png(200, 200);
    broken.truncate(broken.len() / 2);
    let result = upload_as(&admin, &product, broken, "image/png").await;
    refused(result, "uploadId", "UNSUPPORTED_IMAGE");
    // 6 MiB: no slot at all.
    let result = admin
        .image_slot(&product, "image/png", 6 * 1024 * 1024)
        .await;
    // The contract bounds the announced size: the server's schema check refuses it.
    refused(result, "size", "VALIDATION_FAILED");
    // A GIF is not taken: the contract lists the types, so the client refuses it unsent.
    let result = admin.image_slot(&product, "image/gif", 100).await;
    assert!(
        matches!(result, Err(bakery_e2e::ApiError::InvalidRequest(_))),
        "{result:?}"
    );
    // Attaching before sending: nothing there yet.
    let slot = admin.image_slot(&product, "image/png", 100).await.unwrap();
    let result = admin.attach_image(&product, &slot.upload_id).await;
    refused(result, "uploadId", "UPLOAD_MISSING");

    // A customer cannot get a slot for someone else's review, nor for a product.
    let ada = app.customer("Ada", "+447700900702").await;
    let ben = app.customer("Ben", "+447700900703").await;
    let order = place_order(&ada, order_request(vec![line(&shop.croissant.id, 1)])).await;
    deliver(&admin, &order.id).await;
    let adas = ada
        .api()
        .create_review()
        .id(shop.croissant.id.as_str())
        .body(types::ReviewInput {
            rating: std::num::NonZeroU8::new(4).unwrap(),
            comment: None,
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    let result = ben
        .image_slot(&ImageTarget::Review(adas.id.clone()), "image/png", 100)
        .await;
    assert_error(result, 404, "NOT_FOUND");
    let result = ben.image_slot(&product, "image/png", 100).await;
    assert_error(result, 403, "FORBIDDEN");
    // Nor attach Ada's upload to her review (the slot is hers alone).
    let slot = ada
        .image_slot(&ImageTarget::Review(adas.id.clone()), "image/png", 100)
        .await
        .unwrap();
    let result = ben
        .attach_image(&ImageTarget::Review(adas.id.clone()), &slot.upload_id)
        .await;
    assert_error(result, 404, "NOT_FOUND");

    // Nothing refused was kept.
    let after: Vec<String> = stored(app)
        .await
        .into_iter()
        .filter(|k| !before.contains(k))
        .collect();
    assert!(after.is_empty(), "left behind: {after:?}");
    let product = app
        .client()
        .api()
        .get_product()
        .id(shop.baguette.id.as_str())
        .send()
        .await
        .unwrap();
    assert!(product.photos.is_empty());
}

pub async fn refusals_leave_nothing_behind(app: &TestApp) {
    refusals(app).await;
}

/// An upload URL used after it expired is refused, and the sweep deletes what was left.
pub async fn expired_upload_urls_are_refused_and_swept(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let product = ImageTarget::Product(shop.croissant.id.clone());
    let bytes = png(30, 30);
    let slot = admin
        .image_slot(&product, "image/png", bytes.len() as u64)
        .await
        .unwrap();
    app.advance(chrono::Duration::minutes(16));
    let result = admin.send_bytes(&slot, bytes.clone(), None).await;
    match result {
        Err(UploadError::Storage { status, body }) => {
            assert_eq!(status, 403);
            assert!(body.contains("UPLOAD_EXPIRED"), "{body}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(stored(app).await.is_empty());

    // Bytes sent in time but never attached are swept once the slot is long expired.
    let slot = admin
        .image_slot(&product, "image/png", bytes.len() as u64)
        .await
        .unwrap();
    admin.send_bytes(&slot, bytes, None).await.unwrap();
    assert_eq!(stored(app).await, [format!("uploads/{}", slot.upload_id)]);
    app.advance(chrono::Duration::minutes(30));
    let result = admin.attach_image(&product, &slot.upload_id).await;
    refused(result, "uploadId", "UPLOAD_EXPIRED");
    // Both slots are long expired: the unused one and the one whose bytes were sent.
    assert_eq!(app.bakery.sweep_uploads().await.unwrap(), 2);
    assert!(stored(app).await.is_empty());
}

/// Eleven attaches at once onto a product with room for ten: exactly ten win.
pub async fn the_limit_holds_under_concurrent_attaches(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let product = ImageTarget::Product(shop.croissant.id.clone());
    let bytes = png(20, 20);
    let mut slots = Vec::new();
    for _ in 0..11 {
        let slot = admin
            .image_slot(&product, "image/png", bytes.len() as u64)
            .await
            .unwrap();
        admin.send_bytes(&slot, bytes.clone(), None).await.unwrap();
        slots.push(slot);
    }
    let attaches = slots.iter().map(|slot| {
        let admin = admin.clone();
        let product = product.clone();
        let id = slot.upload_id.clone();
        tokio::spawn(async move { admin.attach_image(&product, &id).await })
    });
    let results = futures::future::join_all(attaches).await;
    let won = results.iter().filter(|r| matches!(r, Ok(Ok(_)))).count();
    assert_eq!(won, 10);
    let croissant = app
        .client()
        .api()
        .get_product()
        .id(shop.croissant.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(croissant.photos.len(), 10);
    eventually_stored(app, &keys_of(&croissant.photos)).await;
}

/// Attaches a picture big enough that making its variants takes a moment, without waiting
/// for them; answers its slot.
async fn attach_big_picture(admin: &BakeryClient, target: &ImageTarget) -> types::UploadSlot {
    let bytes = png(1600, 1200);
    let slot = admin
        .image_slot(target, "image/png", bytes.len() as u64)
        .await
        .unwrap();
    admin.send_bytes(&slot, bytes, None).await.unwrap();
    let attached = admin.attach_image(target, &slot.upload_id).await.unwrap();
    assert_eq!(attached[0].status, types::ImageStatus::Processing);
    slot
}

/// A picture removed while its variants are still being made leaves nothing in storage,
/// whichever of the removal and the variants job finishes first.
pub async fn removed_while_processing_leaves_nothing(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let product = ImageTarget::Product(shop.croissant.id.clone());
    for _ in 0..3 {
        let slot = attach_big_picture(&admin, &product).await;
        admin
            .api()
            .admin_remove_product_image()
            .id(shop.croissant.id.as_str())
            .image_id(slot.upload_id.as_str())
            .send()
            .await
            .unwrap();
        eventually_stored(app, &[]).await;
        let croissant = app
            .client()
            .api()
            .get_product()
            .id(shop.croissant.id.as_str())
            .send()
            .await
            .unwrap();
        assert!(croissant.photos.is_empty());
    }
    // Deleting the owner of a processing picture leaves nothing either.
    attach_big_picture(&admin, &product).await;
    admin
        .api()
        .admin_delete_product()
        .id(shop.croissant.id.as_str())
        .send()
        .await
        .unwrap();
    eventually_stored(app, &[]).await;
}

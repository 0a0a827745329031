//! Pictures: attached at once as processing, made ready by the outbox, and never leaving
//! objects behind, whatever happens while their variants are being made. No worker runs
//! here, so each test decides when the outbox delivers.

use std::sync::Arc;

use bakery_core::adapters::LocalImages;
use bakery_core::domain::{upload_key, Id, ImageOwner, ImageStatus};
use bakery_core::ports::ImageStorage;
use bakery_core::services::Bakery;
use bytes::Bytes;
use chrono::Duration;
use image::{ExtendedColorType, ImageEncoder, RgbImage};

use crate::support::{shop, TestShop};

/// The shop with its pictures in a directory of its own, and a product to picture.
struct Pictures {
    shop: TestShop,
    images: Arc<LocalImages>,
    product: ImageOwner,
    dir: std::path::PathBuf,
}

impl Drop for Pictures {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Pictures {
    async fn new() -> Self {
        let mut shop = shop().await;
        let dir = std::env::temp_dir().join(format!("bakery-pictures-{}", Id::generate()));
        let images = Arc::new(LocalImages::new(&dir, b"test secret", None));
        shop.bakery = shop.bakery.clone().with_images(images.clone());
        let category = shop.category("Viennoiseries").await;
        let product = shop.product(&category, "Croissant", 150, None).await;
        Self {
            shop,
            images,
            product: ImageOwner::Product(product),
            dir,
        }
    }

    fn bakery(&self) -> &Bakery {
        &self.shop.bakery
    }

    /// A slot, with `bytes` sent to it as a client would.
    async fn uploaded(&self, bytes: Vec<u8>) -> Id {
        let ticket = self
            .bakery()
            .request_image_upload(
                &self.shop.admin,
                self.product.clone(),
                "image/png",
                bytes.len() as u64,
            )
            .await
            .unwrap();
        self.images
            .put(
                &upload_key(&ticket.upload_id),
                "image/png",
                Bytes::from(bytes),
            )
            .await
            .unwrap();
        ticket.upload_id
    }

    /// Uploaded and attached to the product, its variants not made yet.
    async fn attached(&self, bytes: Vec<u8>) -> Id {
        let id = self.uploaded(bytes).await;
        self.bakery()
            .attach_image(&self.shop.admin, self.product.clone(), &id)
            .await
            .unwrap();
        id
    }

    async fn stored(&self) -> Vec<String> {
        let mut keys = self.images.list("").await.unwrap();
        keys.sort();
        keys
    }

    /// Delivers what the outbox has, moving the clock past every retry's pause.
    async fn deliver_everything(&self) {
        for _ in 0..12 {
            self.bakery().deliver_due().await.unwrap();
            self.shop.clock.advance(Duration::minutes(1));
        }
    }
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, 90])
    });
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(picture.as_raw(), width, height, ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn variant_keys(id: &Id) -> Vec<String> {
    vec![
        format!("images/{id}/1200.webp"),
        format!("images/{id}/400.webp"),
    ]
}

#[tokio::test]
async fn an_attached_picture_is_processing_until_the_outbox_makes_its_variants() {
    let t = Pictures::new().await;
    let id = t.uploaded(png(1600, 800)).await;
    let attached = t
        .bakery()
        .attach_image(&t.shop.admin, t.product.clone(), &id)
        .await
        .unwrap();
    assert_eq!(attached.len(), 1);
    assert_eq!(attached[0].status, ImageStatus::Processing);
    assert!(attached[0].variants.is_empty());
    assert_eq!(t.stored().await, [upload_key(&id)]);
    // Attaching again answers the same, and queues nothing that would make it twice.
    let again = t
        .bakery()
        .attach_image(&t.shop.admin, t.product.clone(), &id)
        .await
        .unwrap();
    assert_eq!(again, attached);

    assert_eq!(t.bakery().deliver_due().await.unwrap(), 1);
    let photos = t.bakery().product(t.product.id()).await.unwrap().photos;
    assert_eq!(photos.len(), 1);
    assert_eq!(photos[0].status, ImageStatus::Ready);
    let sizes: Vec<(u32, u32)> = photos[0]
        .variants
        .iter()
        .map(|v| (v.width, v.height))
        .collect();
    assert_eq!(sizes, [(400, 200), (1200, 600)]);
    // The original (and its metadata) is gone, and so is the slot.
    assert_eq!(t.stored().await, variant_keys(&id));
    assert!(t.bakery().pending_upload(&id).await.unwrap().is_none());
}

#[tokio::test]
async fn the_sweep_keeps_the_original_of_a_processing_picture() {
    let t = Pictures::new().await;
    let id = t.attached(png(300, 200)).await;
    // The worker is late: the slot expires long before it gets there.
    t.shop.clock.advance(Duration::minutes(30));
    assert_eq!(t.bakery().sweep_uploads().await.unwrap(), 1);
    assert_eq!(t.stored().await, [upload_key(&id)]);
    t.deliver_everything().await;
    assert_eq!(t.stored().await, variant_keys(&id));
}

#[tokio::test]
async fn a_picture_removed_while_processing_leaves_nothing() {
    let t = Pictures::new().await;
    let id = t.attached(png(300, 200)).await;
    let left = t
        .bakery()
        .remove_image(&t.shop.admin, t.product.clone(), Some(&id))
        .await
        .unwrap();
    assert!(left.is_empty());
    t.deliver_everything().await;
    assert!(t.stored().await.is_empty());
    assert!(t.bakery().pending_upload(&id).await.unwrap().is_none());

    // The same when the product itself is deleted.
    t.attached(png(300, 200)).await;
    t.bakery()
        .delete_product(&t.shop.admin, t.product.id())
        .await
        .unwrap();
    t.deliver_everything().await;
    assert!(t.stored().await.is_empty());
}

#[tokio::test]
async fn a_picture_whose_original_vanished_is_taken_off_its_owner() {
    let t = Pictures::new().await;
    let id = t.attached(png(300, 200)).await;
    t.images.delete(&[upload_key(&id)]).await.unwrap();
    t.deliver_everything().await;
    let photos = t.bakery().product(t.product.id()).await.unwrap().photos;
    assert!(photos.is_empty());
    assert!(t.stored().await.is_empty());
}

//! The customer's favorite products.

use bakery_e2e::errors::assert_error;
use bakery_e2e::fixtures::{names, seed_catalog};
use bakery_e2e::TestApp;

const UNKNOWN_ID: &str = "0123456789abcdef01234567";

pub async fn add_list_and_remove_favorites(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900401").await;
    let ben = app.customer("Ben", "+447700900402").await;
    for id in [
        &shop.galette.id,
        &shop.croissant.id,
        &shop.baguette.id,
        &shop.croissant.id,
    ] {
        let added = ada
            .api()
            .add_favorite()
            .product_id(id.as_str())
            .send()
            .await
            .unwrap();
        assert_eq!(added.status().as_u16(), 204);
    }
    // In the order they were added, once each.
    let page = ada
        .api()
        .list_favorites()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        names(&page.items),
        ["Galette des rois", "Croissant", "Baguette"]
    );
    assert_eq!((page.page, page.limit, page.total), (1, 20, 3));
    let second = ada
        .api()
        .list_favorites()
        .limit(2)
        .page(2)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(names(&second.items), ["Baguette"]);
    assert_eq!(second.total, 3);
    // Favorites are per customer.
    assert_eq!(ben.api().list_favorites().send().await.unwrap().total, 0);

    let removed = ada
        .api()
        .remove_favorite()
        .product_id(shop.croissant.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status().as_u16(), 204);
    let page = ada.api().list_favorites().send().await.unwrap();
    assert_eq!(names(&page.items), ["Galette des rois", "Baguette"]);

    // A deleted product drops out of the list.
    admin
        .api()
        .admin_delete_product()
        .id(shop.galette.id.as_str())
        .send()
        .await
        .unwrap();
    let page = ada.api().list_favorites().send().await.unwrap();
    assert_eq!(names(&page.items), ["Baguette"]);
}

pub async fn favorites_errors(app: &TestApp) {
    let ada = app.customer("Ada", "+447700900403").await;
    let result = ada.api().add_favorite().product_id(UNKNOWN_ID).send().await;
    assert_error(result, 404, "NOT_FOUND");
    assert_eq!(ada.api().list_favorites().send().await.unwrap().total, 0);

    let api = app.client().api();
    assert_error(api.list_favorites().send().await, 401, "UNAUTHORIZED");
    assert_error(
        api.add_favorite().product_id(UNKNOWN_ID).send().await,
        401,
        "UNAUTHORIZED",
    );
    assert_error(
        api.remove_favorite().product_id(UNKNOWN_ID).send().await,
        401,
        "UNAUTHORIZED",
    );
    assert_error(
        ada.api().list_favorites().limit(101).send().await,
        422,
        "VALIDATION_FAILED",
    );
}

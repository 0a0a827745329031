//! Catalog answers on the wire: an `ETag` and `Cache-Control` on every catalog read, `304`
//! for a client that already has the answer, and `X-Cache` saying where it came from.

use reqwest::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};
use reqwest::StatusCode;
use serde_json::json;

use super::spawn_app;

#[tokio::test]
async fn catalog_reads_carry_an_etag_and_revalidate() {
    let app = spawn_app().await;
    let url = app.url("/api/v1/products?limit=20&sort=name");

    let first = app.http.get(&url).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["x-cache"], "miss");
    assert_eq!(first.headers()[CACHE_CONTROL], "public, no-cache");
    let etag = first.headers()[ETAG].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    let body = first.bytes().await.unwrap();

    // The same answer from the cache, byte for byte, whatever the order of the query.
    let again = app
        .http
        .get(app.url("/api/v1/products?sort=name&limit=20"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.headers()["x-cache"], "hit");
    assert_eq!(again.headers()[ETAG].to_str().unwrap(), etag);
    assert_eq!(again.bytes().await.unwrap(), body);

    // A client that has it gets 304 and no body; a weak or listed tag matches too.
    for tag in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"other\", {etag}"),
    ] {
        let revalidated = app
            .http
            .get(&url)
            .header(IF_NONE_MATCH, tag)
            .send()
            .await
            .unwrap();
        assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(revalidated.headers()[ETAG].to_str().unwrap(), etag);
        assert!(revalidated.bytes().await.unwrap().is_empty());
    }

    // A write that leaves the listing as it was: recomputed (a miss), same bytes, same tag.
    let token = app.admin_token().await;
    let (status, category) = app
        .post(
            "/api/v1/admin/categories",
            Some(&token),
            json!({"name": "Viennoiseries", "displayOrder": 1, "isActive": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let same = app
        .http
        .get(&url)
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(same.headers()["x-cache"], "miss");

    // A write that changes it: a new tag, and the old one no longer matches.
    let (status, _) = app
        .post(
            "/api/v1/admin/products",
            Some(&token),
            json!({
                "name": "Croissant", "description": "Butter", "category": category["id"],
                "price": 150, "isAvailable": true, "isFeatured": false, "isVegetarian": true,
                "preparationTime": 5, "ingredients": [], "allergens": [], "images": []
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let changed = app
        .http
        .get(&url)
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK, "a write invalidates");
    assert_ne!(changed.headers()[ETAG].to_str().unwrap(), etag);

    // Reads that are not catalog reads are not cached.
    let profile = app
        .http
        .get(app.url("/api/v1/orders"))
        .send()
        .await
        .unwrap();
    assert!(profile.headers().get(ETAG).is_none());
}

/// `GET /shop` is served from cache too, and new hours reach it on the very next read: an
/// app deciding whether to offer "as soon as possible" must never see the old answer.
#[tokio::test]
async fn the_shop_answer_is_cached_until_its_hours_change() {
    let app = spawn_app().await;
    let url = app.url("/api/v1/shop");
    let first = app.http.get(&url).send().await.unwrap();
    assert_eq!(first.headers()["x-cache"], "miss");
    let first: serde_json::Value = first.json().await.unwrap();
    assert_eq!(first["openNow"], true, "open always until hours are set");
    let again = app.http.get(&url).send().await.unwrap();
    assert_eq!(again.headers()["x-cache"], "hit");
    assert!(again.headers().get(ETAG).is_some());

    // Closed every day: the next read is computed afresh and says so.
    let token = app.admin_token().await;
    let closed = json!({
        "monday": [], "tuesday": [], "wednesday": [], "thursday": [], "friday": [],
        "saturday": [], "sunday": [], "exceptions": []
    });
    let (status, _) = app
        .put("/api/v1/admin/shop/hours", Some(&token), closed)
        .await;
    assert_eq!(status, StatusCode::OK);
    let after = app.http.get(&url).send().await.unwrap();
    assert_eq!(after.headers()["x-cache"], "miss");
    let after: serde_json::Value = after.json().await.unwrap();
    assert_eq!(after["openNow"], false);
    let cached = app.http.get(&url).send().await.unwrap();
    assert_eq!(cached.headers()["x-cache"], "hit");
}

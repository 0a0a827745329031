//! The catalog, an order through its statuses and the paged lists, as JSON on the wire.

use reqwest::StatusCode;
use serde_json::json;

use super::{assert_error, spawn_app};

#[tokio::test]
async fn catalog_and_an_order_through_its_statuses() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (status, category) = app
        .post(
            "/api/v1/admin/categories",
            Some(&admin),
            json!({"name": "Viennoiserie", "description": "Buttery"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{category}");
    let category_id = category["id"].as_str().unwrap().to_owned();
    let (status, product) = app
        .post(
            "/api/v1/admin/products",
            Some(&admin),
            json!({
                "name": "Croissant",
                "description": "All butter, laminated over three days",
                "category": category_id,
                "price": 250,
                "ingredients": ["flour", "butter"],
                "allergens": ["Gluten", "Milk"],
                "isVegetarian": true,
                "preparationTime": 5,
                "stock": 10
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{product}");
    assert_eq!(product["allergens"], json!(["gluten", "milk"]));
    assert_eq!(product["stock"], 10);
    let product_id = product["id"].as_str().unwrap().to_owned();

    let (status, list) = app.get("/api/v1/categories", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"][0]["name"], "Viennoiserie");
    assert_eq!(list["total"], 1);
    let (status, page) = app
        .get("/api/v1/products?vegetarian=true&sort=price_asc", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1);
    assert_eq!(page["page"], 1);
    assert_eq!(page["limit"], 20);
    let (status, found) = app.get("/api/v1/products/search?q=croisant", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found["items"][0]["id"], product_id.as_str());
    let (status, in_category) = app
        .get(&format!("/api/v1/categories/{category_id}/products"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(in_category["total"], 1);
    let (status, one) = app
        .get(&format!("/api/v1/products/{product_id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["price"], 250);

    // A customer orders; client prices are ignored.
    let session = app.customer("Ada", "+447700900123").await;
    let token = session["accessToken"].as_str().unwrap().to_owned();
    let (status, order) = app
        .post(
            "/api/v1/orders",
            Some(&token),
            json!({
                "items": [{"product": product_id, "quantity": 2, "price": 1}],
                "deliveryAddress": {"address": "1 Baker St", "city": "London", "state": "London", "zipCode": "NW1"},
                "paymentDetails": {"method": "cash"}
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["subtotal"], 500);
    assert_eq!(order["currency"], "eur");
    assert_eq!(order["orderStatus"], "placed");
    let order_id = order["id"].as_str().unwrap().to_owned();

    // This shop takes no cards: a card order conflicts with its settings.
    let (status, body) = app
        .post(
            "/api/v1/orders",
            Some(&token),
            json!({
                "items": [{"product": product_id, "quantity": 1}],
                "deliveryAddress": {"address": "1 Baker St", "city": "London", "state": "London", "zipCode": "NW1"},
                "paymentDetails": {"method": "card"}
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "CARDS_NOT_TAKEN", "{body}");

    for next in ["preparing", "out_for_delivery", "delivered"] {
        let (status, moved) = app
            .put(
                &format!("/api/v1/admin/orders/{order_id}/status"),
                Some(&admin),
                json!({"status": next}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{moved}");
        assert_eq!(moved["orderStatus"], next);
    }
    let (status, body) = app
        .post(
            &format!("/api/v1/orders/{order_id}/cancel"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&body, "ILLEGAL_STATUS_CHANGE");

    let (status, tracking) = app
        .get(&format!("/api/v1/orders/{order_id}/track"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tracking["status"], "delivered");
    assert_eq!(tracking["history"].as_array().unwrap().len(), 4);

    let (status, mine) = app.get("/api/v1/orders", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["total"], 1);
    let (status, book) = app
        .get("/api/v1/admin/orders?status=delivered", Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{book}");
    assert_eq!(book["total"], 1);

    // Someone else's order is a 404.
    let other = app.customer("Bob", "+447700900456").await;
    let (status, body) = app
        .get(
            &format!("/api/v1/orders/{order_id}"),
            Some(other["accessToken"].as_str().unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "NOT_FOUND");

    // The customer was told about every status change.
    let (status, inbox) = app.get("/api/v1/notifications", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(inbox["total"], 4);
}

#[tokio::test]
async fn categories_and_favorites_are_pages() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mut first_category = String::new();
    for name in ["Bread", "Cakes", "Pastry"] {
        let (status, category) = app
            .post(
                "/api/v1/admin/categories",
                Some(&admin),
                json!({"name": name}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{category}");
        if first_category.is_empty() {
            first_category = category["id"].as_str().unwrap().to_owned();
        }
    }
    let (status, page) = app.get("/api/v1/categories?page=2&limit=2", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["page"], 2);
    assert_eq!(page["limit"], 2);
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let (status, page) = app.get("/api/v1/categories", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (page["page"].clone(), page["limit"].clone()),
        (json!(1), json!(20))
    );
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    let (status, body) = app.get("/api/v1/categories?limit=101", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["details"]["field"], "limit", "{body}");

    let (status, product) = app
        .post(
            "/api/v1/admin/products",
            Some(&admin),
            json!({
                "name": "Baguette",
                "description": "Crisp crust, open crumb",
                "category": first_category,
                "price": 120,
                "preparationTime": 1
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{product}");
    let product_id = product["id"].as_str().unwrap();
    let session = app.customer("Ada", "+447700900123").await;
    let token = session["accessToken"].as_str().unwrap();
    let (status, _) = app
        .post(
            &format!("/api/v1/favorites/{product_id}"),
            Some(token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, page) = app.get("/api/v1/favorites", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1);
    assert_eq!(page["page"], 1);
    assert_eq!(page["limit"], 20);
    assert_eq!(page["items"][0]["id"], product_id);
    let (status, page) = app.get("/api/v1/favorites?page=2", Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"], json!([]));
}

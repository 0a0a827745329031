//! Strict input on the wire: a JSON type the contract does not say is refused, text that hides
//! or reverses characters is refused, and one product cannot be ordered past its cap by
//! splitting it over lines.

use reqwest::StatusCode;
use serde_json::json;

use super::{assert_error, spawn_app};

#[tokio::test]
async fn a_number_or_a_boolean_is_not_a_string() {
    let app = spawn_app().await;
    let session = app.customer("Ada", "+447700900301").await;
    let token = session["accessToken"].as_str().unwrap();
    for (body, field) in [
        (json!({"name": 5956641}), "name"),
        (json!({"name": true}), "name"),
        (json!({"name": "Ada", "email": 12}), "email"),
    ] {
        let (status, answer) = app.put("/api/v1/users/profile", Some(token), body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_error(&answer, "VALIDATION_FAILED");
        assert_eq!(answer["details"]["field"], field, "{answer}");
    }
    let (_, me) = app.get("/api/v1/users/profile", Some(token)).await;
    assert_eq!(me["name"], "Ada", "nothing was stored");

    let (status, answer) = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"name": "Bob", "phone": 447700900302_i64}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["details"]["field"], "phone");
}

#[tokio::test]
async fn names_that_hide_or_reverse_characters_are_refused() {
    let app = spawn_app().await;
    for name in ["Ada\u{202E}evil", "A\u{200B}da", "\u{FEFF}Ada", "Ada\u{0}"] {
        let (status, answer) = app
            .post(
                "/api/v1/auth/register",
                None,
                json!({"name": name, "phone": "+447700900303"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name:?}: {answer}"
        );
        assert_eq!(answer["details"]["field"], "name", "{answer}");
    }
    assert_eq!(
        app.otps_sent_to("+447700900303"),
        0,
        "no code for a refused name"
    );
}

/// The generated clients refuse these before sending (the contract spells the rules as
/// patterns); the server refuses them all the same, naming the field, for every other client.
#[tokio::test]
async fn blank_text_and_malformed_addresses_are_refused_by_the_server_too() {
    let app = spawn_app().await;
    let session = app.customer("Ada", "+447700900304").await;
    let token = session["accessToken"].as_str().unwrap();
    for (body, field) in [
        (json!({"name": "   "}), "name"),
        (json!({"email": "not-an-email"}), "email"),
        (json!({"email": "ada@example."}), "email"),
        (json!({"name": "\u{B}Ada"}), "name"),
    ] {
        let (status, answer) = app.put("/api/v1/users/profile", Some(token), body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["details"]["field"], field, "{answer}");
    }
    let address = json!({"title": "   ", "address": "1 Baker St", "city": "London",
        "state": "London", "zipCode": "NW1"});
    let (status, answer) = app
        .post("/api/v1/users/addresses", Some(token), address)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["details"]["field"], "title", "{answer}");
    let (_, me) = app.get("/api/v1/users/profile", Some(token)).await;
    assert_eq!(me["name"], "Ada", "nothing was stored");
    assert!(me.get("email").is_none(), "{me}");

    let admin = app.admin_token().await;
    let (status, answer) = app
        .post(
            "/api/v1/admin/categories",
            Some(&admin),
            json!({"name": "  ", "displayOrder": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["details"]["field"], "name", "{answer}");

    // A picture slot of a type or size the contract does not list.
    let (_, category) = app
        .post(
            "/api/v1/admin/categories",
            Some(&admin),
            json!({"name": "Bread", "displayOrder": 1}),
        )
        .await;
    let uploads = format!(
        "/api/v1/admin/categories/{}/image/uploads",
        category["id"].as_str().unwrap()
    );
    for (body, field, code) in [
        (
            json!({"contentType": "image/gif", "size": 100}),
            "contentType",
            "UNSUPPORTED_IMAGE",
        ),
        (
            json!({"contentType": "IMAGE/PNG", "size": 100}),
            "contentType",
            "UNSUPPORTED_IMAGE",
        ),
        (
            json!({"contentType": "image/png", "size": 6 * 1024 * 1024}),
            "size",
            "VALIDATION_FAILED",
        ),
    ] {
        let (status, answer) = app.post(&uploads, Some(&admin), body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_error(&answer, code);
        assert_eq!(answer["details"]["field"], field, "{answer}");
    }
}

#[tokio::test]
async fn one_product_is_capped_across_lines() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, category) = app
        .post(
            "/api/v1/admin/categories",
            Some(&admin),
            json!({"name": "Pastry", "displayOrder": 1}),
        )
        .await;
    let (status, product) = app
        .post(
            "/api/v1/admin/products",
            Some(&admin),
            json!({
                "name": "Croissant", "description": "Butter", "category": category["id"],
                "price": 150, "preparationTime": 10
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{product}");
    let session = app.customer("Ada", "+447700900304").await;
    let token = session["accessToken"].as_str().unwrap();
    let lines: Vec<_> = (0..50)
        .map(|_| json!({"product": product["id"], "quantity": 99}))
        .collect();
    let (status, answer) = app
        .post(
            "/api/v1/orders",
            Some(token),
            json!({
                "items": lines,
                "deliveryAddress": {"address": "1 Baker St", "city": "London", "state": "London", "zipCode": "NW1"},
                "paymentDetails": {"method": "cash"}
            }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["details"]["field"], "items[0].quantity", "{answer}");
}

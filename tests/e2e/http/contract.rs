//! The contract checker the harness runs on every SDK answer: it must refuse what a generated
//! client would choke on, or the suite proves nothing.

use bakery_e2e::contract::check;
use serde_json::json;

fn product() -> serde_json::Value {
    json!({
        "id": "0123456789abcdef01234567",
        "name": "Croissant",
        "description": "Butter",
        "category": "0123456789abcdef01234568",
        "price": 150,
        "images": [],
        "photos": [],
        "ingredients": ["flour"],
        "nutritionalInfo": {},
        "isVegetarian": true,
        "allergens": [],
        "preparationTime": 10,
        "isAvailable": true,
        "isFeatured": false,
        "optionGroups": [],
        "ratings": { "average": 0.0, "count": 0 },
        "createdAt": "2026-11-30T10:00:00Z",
        "updatedAt": "2026-11-30T10:00:00Z"
    })
}

fn check_product(status: u16, body: &serde_json::Value) -> Option<String> {
    let bytes = serde_json::to_vec(body).expect("json");
    check(
        "GET",
        "/api/v1/products/0123456789abcdef01234567",
        status,
        "application/json; charset=utf-8",
        &bytes,
    )
}

#[test]
fn a_conforming_answer_passes() {
    assert_eq!(check_product(200, &product()), None);
}

#[test]
fn a_null_where_the_field_is_absent_fails() {
    let mut body = product();
    body["discountPrice"] = serde_json::Value::Null;
    let violation = check_product(200, &body).expect("null is not an integer");
    assert!(violation.contains("discountPrice"), "{violation}");
}

#[test]
fn a_missing_required_field_fails() {
    let mut body = product();
    body.as_object_mut().expect("object").remove("ratings");
    assert!(check_product(200, &body).is_some());
}

#[test]
fn an_undocumented_status_fails() {
    let violation = check_product(418, &product()).expect("418 is not documented");
    assert!(violation.contains("not documented"), "{violation}");
}

#[test]
fn a_non_json_body_where_json_is_documented_fails() {
    let violation = check(
        "GET",
        "/api/v1/products/0123456789abcdef01234567",
        200,
        "text/html",
        b"<html></html>",
    );
    assert!(violation.is_some());
}

//! Which error statuses each operation documents, and one shared copy of each.
//!
//! Every handler returns the one [`ApiError`](crate::error::ApiError), so poem-openapi lists
//! all eleven error statuses on every operation. A generated client would then carry a 401
//! branch for the catalog and a 413 for a GET. The statuses an operation can really answer
//! follow from its shape (credentials, body, parameters, method) plus the few operations
//! that sign in or are rate limited; the e2e contract check and schemathesis both fail when
//! the server answers a status its operation does not list, so this table is held to the
//! truth from both sides.

use serde_json::{Map, Value};

/// The shared response a status points at (`#/components/responses/<name>`).
const NAMES: [(&str, &str); 11] = [
    ("400", "BadRequest"),
    ("401", "Unauthorized"),
    ("403", "Forbidden"),
    ("404", "NotFound"),
    ("409", "Conflict"),
    ("413", "PayloadTooLarge"),
    ("415", "UnsupportedMediaType"),
    ("422", "ValidationFailed"),
    ("429", "TooManyRequests"),
    ("500", "InternalError"),
    ("503", "Unavailable"),
];

/// Public operations that check a secret of their own (a code, a password, a refresh token,
/// a provider's signature) and answer 401 when it is wrong.
const OWN_SECRET: [&str; 5] = [
    "verify_otp",
    "login",
    "refresh_token",
    "reset_password",
    "payment_webhook",
];

/// Operations counted by a rate limiter (per IP, per phone, per courier).
const RATE_LIMITED: [&str; 7] = [
    "register",
    "send_otp",
    "verify_otp",
    "login",
    "reset_password",
    "report_location",
    "courier_report_location",
];

/// Writes that change nothing another request could be changing at the same time (the
/// opening hours and the delivery zones are replaced whole, last write wins).
const NEVER_CONFLICT: [&str; 7] = [
    "admin_set_shop_hours",
    "admin_set_shop_zones",
    "login",
    "logout",
    "refresh_token",
    "send_otp",
    "create_track_ticket",
];

fn name_of(status: &str) -> Option<&'static str> {
    NAMES.iter().find(|(s, _)| *s == status).map(|(_, n)| *n)
}

/// The error statuses `operation` (`method` on `path`) can answer.
fn can_answer(method: &str, path: &str, operation: &Map<String, Value>) -> Vec<&'static str> {
    let id = operation
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let secured = operation
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    let has_body = operation.contains_key("requestBody");
    let has_params = operation
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|p| !p.is_empty());
    let by_path = path.contains('{');
    let mut statuses = Vec::new();
    let mut add = |status: &'static str, when: bool| {
        if when {
            statuses.push(status);
        }
    };
    add("400", has_body);
    add("401", secured || OWN_SECRET.contains(&id));
    add("403", secured);
    // A signed-in caller's own account can vanish between the session check and the read.
    add("404", by_path || secured);
    add("409", method != "get" && !NEVER_CONFLICT.contains(&id));
    add("413", has_body);
    add("415", has_body);
    add("422", has_body || has_params);
    add("429", RATE_LIMITED.contains(&id));
    add("500", true);
    add("503", true);
    statuses
}

/// Keeps on each operation only the error statuses it can answer, each as a `$ref` to one
/// entry of `components/responses`, built from the first inlined copy seen.
pub fn share(document: &mut Value) {
    let mut shared = Map::new();
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, operation) in item.iter_mut() {
                let Some(operation) = operation.as_object_mut() else {
                    continue;
                };
                let allowed = can_answer(method, path, operation);
                let Some(responses) = operation
                    .get_mut("responses")
                    .and_then(Value::as_object_mut)
                else {
                    continue;
                };
                responses.retain(|status, response| {
                    let Some(name) = name_of(status) else {
                        return true;
                    };
                    if !allowed.contains(&status.as_str()) {
                        return false;
                    }
                    let inlined = std::mem::replace(
                        response,
                        serde_json::json!({ "$ref": format!("#/components/responses/{name}") }),
                    );
                    if inlined.get("$ref").is_none() {
                        shared.entry(name).or_insert(inlined);
                    }
                    true
                });
            }
        }
    }
    if shared.is_empty() {
        return;
    }
    let ordered: Map<String, Value> = NAMES
        .iter()
        .filter_map(|(_, name)| shared.remove(*name).map(|r| ((*name).to_owned(), r)))
        .collect();
    if let Some(components) = document
        .get_mut("components")
        .and_then(Value::as_object_mut)
    {
        components.insert("responses".into(), Value::Object(ordered));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operation(json: Value) -> Map<String, Value> {
        json.as_object().cloned().unwrap()
    }

    #[test]
    fn a_public_listing_answers_no_credential_nor_body_errors() {
        let op = operation(serde_json::json!({
            "operationId": "list_products", "security": [],
            "parameters": [{"name": "page"}]
        }));
        assert_eq!(
            can_answer("get", "/api/v1/products", &op),
            ["422", "500", "503"]
        );
    }

    #[test]
    fn a_signed_in_write_with_a_body_answers_them_all_but_429() {
        let op = operation(serde_json::json!({
            "operationId": "update_address", "security": [{"bearer": []}],
            "requestBody": {}, "parameters": [{"name": "id"}]
        }));
        assert_eq!(
            can_answer("put", "/api/v1/users/addresses/{id}", &op),
            ["400", "401", "403", "404", "409", "413", "415", "422", "500", "503"]
        );
    }

    #[test]
    fn login_is_public_but_checks_a_password_under_a_rate_limit() {
        let op = operation(serde_json::json!({
            "operationId": "login", "security": [], "requestBody": {}
        }));
        assert_eq!(
            can_answer("post", "/api/v1/auth/login", &op),
            ["400", "401", "413", "415", "422", "429", "500", "503"]
        );
    }

    #[test]
    fn each_kept_status_points_at_one_shared_copy() {
        let error = serde_json::json!({"description": "x", "content": {}});
        let mut document = serde_json::json!({
            "paths": {"/a": {"get": {"operationId": "a", "security": [],
                "responses": {"200": {"description": "ok"}, "401": error, "500": error}}}},
            "components": {"schemas": {}}
        });
        share(&mut document);
        let responses = &document["paths"]["/a"]["get"]["responses"];
        assert!(responses.get("401").is_none(), "public: no 401");
        assert_eq!(
            responses["500"]["$ref"],
            "#/components/responses/InternalError"
        );
        assert_eq!(responses["200"]["description"], "ok");
        assert_eq!(document["components"]["responses"]["InternalError"], error);
    }
}

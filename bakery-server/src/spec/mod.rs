//! What the published contract says beyond what poem-openapi writes itself: where the API
//! lives, and that public operations need no credentials (`security: []`), so generators and
//! linters do not have to guess from an absent key.

use serde_json::Value;

mod input_rules;

/// The server the committed `openapi.json` names: a template a client fills in with its
/// deployment, defaulting to a local run. A deployment publishes its own URL from
/// `PUBLIC_BASE_URL` at `/api/v1/openapi.json`.
pub fn local_server() -> poem_openapi::ServerObject {
    poem_openapi::ServerObject::new("{scheme}://{host}")
        .description("A deployment: its PUBLIC_BASE_URL, by default a local run")
        .enum_variable(
            "scheme",
            "https in production",
            "http",
            vec!["http", "https"],
        )
        .variable("host", "host and port of the deployment", "localhost:3000")
}

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// The published operations by path template, for the middleware that reads the contract
/// (strict JSON types, the `Allow` header of a 405).
pub struct Operations {
    /// Literal-richest templates first, so `/orders/mine` is not taken for `/orders/{id}`.
    entries: Vec<(Vec<Option<String>>, poem::http::Method, Value)>,
    pub schemas: serde_json::Map<String, Value>,
    /// The shared responses operations point at (`#/components/responses/<name>`).
    pub responses: serde_json::Map<String, Value>,
}

impl Operations {
    pub fn from_spec(spec: &str) -> Self {
        let document: Value = serde_json::from_str(spec).unwrap_or_default();
        let mut entries = Vec::new();
        for (template, item) in document["paths"].as_object().into_iter().flatten() {
            let segments: Vec<Option<String>> = template
                .split('/')
                .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
                .collect();
            for (method, operation) in item.as_object().into_iter().flatten() {
                if let Ok(method) = method.to_ascii_uppercase().parse() {
                    entries.push((segments.clone(), method, operation.clone()));
                }
            }
        }
        entries.sort_by_key(|(segments, _, _)| {
            std::cmp::Reverse(segments.iter().filter(|s| s.is_some()).count())
        });
        let schemas = document["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let responses = document["components"]["responses"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        Self {
            entries,
            schemas,
            responses,
        }
    }

    fn template_of(&self, path: &str) -> Option<&Vec<Option<String>>> {
        let segments: Vec<&str> = path.split('/').collect();
        self.entries
            .iter()
            .map(|(template, _, _)| template)
            .find(|template| {
                template.len() == segments.len()
                    && template
                        .iter()
                        .zip(&segments)
                        .all(|(t, s)| t.as_deref().is_none_or(|t| t == *s))
            })
    }

    /// The operation `method` on `path` names, if the contract has it.
    pub fn find(&self, method: &poem::http::Method, path: &str) -> Option<&Value> {
        let template = self.template_of(path)?;
        self.entries
            .iter()
            .find(|(t, m, _)| t == template && m == method)
            .map(|(_, _, operation)| operation)
    }

    /// The response `operation` documents for `status`, with a shared one looked up.
    pub fn response<'a>(&'a self, operation: &'a Value, status: u16) -> Option<&'a Value> {
        let response = operation["responses"].get(status.to_string())?;
        match response["$ref"].as_str() {
            Some(r) => self
                .responses
                .get(r.strip_prefix("#/components/responses/")?),
            None => Some(response),
        }
    }

    /// The methods the contract has for `path` (what a 405's `Allow` lists).
    pub fn methods(&self, path: &str) -> Vec<poem::http::Method> {
        let Some(template) = self.template_of(path) else {
            return Vec::new();
        };
        self.entries
            .iter()
            .filter(|(t, _, _)| t == template)
            .map(|(_, m, _)| m.clone())
            .collect()
    }
}

/// Who calls an operation, as `x-audience`: a customer app generates its client from the
/// operations marked `customer` alone ([`customer_spec`]).
fn audience(path: &str, operation_id: &str) -> &'static str {
    if path.starts_with("/api/v1/admin/") {
        "staff"
    } else if path.starts_with("/api/v1/delivery/") || operation_id == "report_location" {
        "courier"
    } else if path == "/api/v1/payments/webhook" {
        "provider"
    } else {
        "customer"
    }
}

/// Adds `security: []` to every operation that declares no security requirement, and its
/// `x-audience`; keeps only the error statuses each operation can answer, as shared
/// `components/responses`. Key order is kept (serde_json's `preserve_order`), so the document reads as
/// poem-openapi wrote it.
pub fn finish(spec: &str) -> String {
    let Ok(mut document) = serde_json::from_str::<Value>(spec) else {
        return spec.to_owned();
    };
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for method in METHODS {
                if let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) {
                    operation
                        .entry("security")
                        .or_insert_with(|| Value::Array(Vec::new()));
                    let id = operation
                        .get("operationId")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    let audience = audience(path, id);
                    operation.insert("x-audience".into(), Value::from(audience));
                }
            }
        }
    }
    crate::error_responses::share(&mut document);
    document_refresh_cookie(&mut document);
    name_union_tags(&mut document);
    bound_unsigned(&mut document);
    one_credential(&mut document);
    page_examples(&mut document);
    input_rules::spell_input_rules(&mut document);
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| spec.to_owned())
}

/// The refresh token's cookie, for browsers: set by the answers that sign in (and cleared by
/// logout), read by refresh and logout when the body has no token. Described as a security
/// scheme (`apiKey` in a cookie) that refresh and logout accept as an alternative to nothing,
/// because a cookie parameter is not something every generator supports (progenitor does
/// not), while every generator reads a scheme and a response header.
fn document_refresh_cookie(document: &mut Value) {
    use crate::controllers::auth::{refresh_cookie, REFRESH_COOKIE};
    const SCHEME: &str = "RefreshCookie";
    if let Some(schemes) = document
        .pointer_mut("/components/securitySchemes")
        .and_then(Value::as_object_mut)
    {
        schemes.insert(
            SCHEME.into(),
            serde_json::json!({
                "type": "apiKey",
                "in": "cookie",
                "name": REFRESH_COOKIE,
                "description": "The refresh token as the HTTP-only cookie the sign-in answers set \
                    (browsers). Apps send it in the body instead; the body wins when both are there.",
            }),
        );
    }
    // Written from the cookies the auth routes build, so the two cannot drift apart.
    let set = format!(
        "`{}; Max-Age=SECONDS`: the refresh token (TOKEN) for browsers, for as many \
         SECONDS as it lives.",
        refresh_cookie("TOKEN".into())
    );
    let clear = format!(
        "`{}; Max-Age=0`: removes it.",
        refresh_cookie(String::new())
    );
    let header = |description: &str| serde_json::json!({ "Set-Cookie": { "description": description, "schema": { "type": "string" } } });
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        for method in METHODS {
            let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let id = operation
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let (status, description) = match id.as_str() {
                "verify_otp" | "login" | "refresh_token" => ("200", &set),
                "logout" => ("204", &clear),
                _ => continue,
            };
            if matches!(id.as_str(), "refresh_token" | "logout") {
                let mut cookie = serde_json::Map::new();
                cookie.insert(SCHEME.into(), Value::Array(Vec::new()));
                operation.insert(
                    "security".into(),
                    Value::Array(vec![
                        Value::Object(serde_json::Map::new()),
                        Value::Object(cookie),
                    ]),
                );
            }
            if let Some(response) = operation
                .get_mut("responses")
                .and_then(|r| r.get_mut(status))
                .and_then(Value::as_object_mut)
            {
                response.insert("headers".into(), header(description));
            }
        }
    }
}

/// A page of items whose schema has an example gets one too (`Page_Product`, `Page_Order`):
/// `Page<T>` is generic, so the derive cannot give one instance an example of its own.
fn page_examples(document: &mut Value) {
    let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let examples: Vec<(String, Value)> = schemas
        .keys()
        .filter_map(|name| {
            let item = schemas.get(name.strip_prefix("Page_")?)?.get("example")?;
            let page = serde_json::json!({ "items": [item], "page": 1, "limit": 20, "total": 1 });
            Some((name.clone(), page))
        })
        .collect();
    for (name, example) in examples {
        if let Some(page) = schemas.get_mut(&name).and_then(Value::as_object_mut) {
            page.insert("example".into(), example);
        }
    }
}

/// `LoginRequest` is the phone and exactly one of `password` or `otp`. Said as "two fields,
/// none unknown" rather than a `oneOf`, which generators would turn into two request types
/// for one form; the server refuses unknown fields and a second credential alike.
fn one_credential(document: &mut Value) {
    if let Some(login) = document
        .pointer_mut("/components/schemas/LoginRequest")
        .and_then(Value::as_object_mut)
    {
        login.insert("minProperties".into(), Value::from(2));
        login.insert("maxProperties".into(), Value::from(2));
        login.insert("additionalProperties".into(), Value::Bool(false));
    }
}

/// States the range of every `uint8`/`uint32`/`uint64` integer as `minimum`/`maximum`:
/// those formats are Rust's, not OpenAPI's, so a generator or a fuzzer that does not know
/// them would otherwise take `page=3771451419355` for valid while the server refuses it.
fn bound_unsigned(value: &mut Value) {
    match value {
        Value::Object(object) => {
            let max = match object.get("format").and_then(Value::as_str) {
                Some("uint8") => Some(u64::from(u8::MAX)),
                Some("uint16") => Some(u64::from(u16::MAX)),
                Some("uint32") => Some(u64::from(u32::MAX)),
                // OpenAPI tools read bounds as signed 64-bit (openapiv3, Kotlin's Long).
                Some("uint64") => Some(i64::MAX.unsigned_abs()),
                _ => None,
            };
            if let Some(max) = max.filter(|_| object.get("type") == Some(&Value::from("integer"))) {
                object.entry("minimum").or_insert(Value::from(0));
                object.entry("maximum").or_insert(Value::from(max));
                // Counters and totals that may pass 2^31 (an order's revision, a page's
                // total): `int64` is the format every generator maps to a 64-bit type
                // (Kotlin `Long`, Swift `Int64`); an unknown `uint64` became Kotlin's `Int`.
                if max > u64::from(u32::MAX) {
                    object.insert("format".into(), Value::from("int64"));
                }
            }
            object.values_mut().for_each(bound_unsigned);
        }
        Value::Array(items) => items.iter_mut().for_each(bound_unsigned),
        _ => {}
    }
}

/// Gives each tagged-union variant's inline `type` tag a schema of its own
/// (`TrackingMessageTrackingEtaEventType`): generators name an inline enum after its property,
/// and `Type` is a reserved word in Swift (openapi-generator renames it with a warning per
/// variant). The name is the one progenitor already derived, so Rust clients do not change.
fn name_union_tags(document: &mut Value) {
    let Some(schemas) = document
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut tags = Vec::new();
    for (name, schema) in schemas.iter_mut() {
        let Some(tag) = schema
            .get_mut("allOf")
            .and_then(|all| all.get_mut(0))
            .and_then(|first| first.get_mut("properties"))
            .and_then(|properties| properties.get_mut("type"))
            .filter(|tag| tag.get("enum").is_some())
        else {
            continue;
        };
        let tag_name = format!("{}Type", name.replace('_', ""));
        let mut inline = std::mem::replace(
            tag,
            serde_json::json!({ "$ref": format!("#/components/schemas/{tag_name}") }),
        );
        inline["description"] = Value::from(format!("The `type` of a `{name}` message."));
        tags.push((tag_name, inline));
    }
    for (name, tag) in tags {
        schemas.insert(name, tag);
    }
}

/// The document a customer app generates from (`openapi.customer.json`): the operations
/// marked `x-audience: customer`, and only the schemas they reach, so no staff or courier
/// type ends up in a phone's client.
pub fn customer_spec(full: &str) -> String {
    let Ok(mut document) = serde_json::from_str::<Value>(full) else {
        return full.to_owned();
    };
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            if let Some(item) = item.as_object_mut() {
                item.retain(|_, operation| operation["x-audience"] == "customer");
            }
        }
        paths.retain(|_, item| item.as_object().is_some_and(|o| !o.is_empty()));
    }
    let mut reached = std::collections::BTreeSet::new();
    let mut pending: Vec<String> = Vec::new();
    refs(&document["paths"], &mut pending);
    // Shared error responses reach ErrorBody; they are few, so the customer file keeps all.
    refs(&document["components"]["responses"], &mut pending);
    let schemas = document["components"]["schemas"].clone();
    while let Some(name) = pending.pop() {
        if reached.insert(name.clone()) {
            refs(&schemas[&name], &mut pending);
        }
    }
    if let Some(all) = document
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_object_mut)
    {
        all.retain(|name, _| reached.contains(name));
    }
    document["info"]["title"] = Value::from("Bakery API (customer apps)");
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| full.to_owned())
}

/// The component schemas `value` refers to.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, v) in object {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => {
                        if let Some(name) = r.strip_prefix("#/components/schemas/") {
                            out.push(name.to_owned());
                        }
                    }
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// A 405 names the methods the route does take (RFC 9110 §15.5.6), from the contract.
pub async fn allow_on_405<E: poem::Endpoint>(
    next: E,
    req: poem::Request,
    operations: std::sync::Arc<Operations>,
) -> poem::Result<poem::Response> {
    use poem::IntoResponse;
    // A clone of the URI shares its bytes: nothing is copied on the way through.
    let uri = req.uri().clone();
    // Inside the error mapping, a 405 is already a response in our error body.
    let mut response = next.call(req).await?.into_response();
    if response.status() == poem::http::StatusCode::METHOD_NOT_ALLOWED {
        let methods = operations.methods(uri.path());
        let allowed: Vec<&str> = methods.iter().map(poem::http::Method::as_str).collect();
        if let Ok(value) = allowed.join(", ").parse() {
            response
                .headers_mut()
                .insert(poem::http::header::ALLOW, value);
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_customer_spec_has_no_staff_operation_nor_type() {
        let full = crate::api_spec();
        let customer: Value = serde_json::from_str(&customer_spec(&full)).unwrap();
        let paths = customer["paths"].as_object().unwrap();
        assert!(paths.keys().all(|p| !p.starts_with("/api/v1/admin/")));
        assert!(!paths.contains_key("/api/v1/payments/webhook"));
        assert!(paths.contains_key("/api/v1/orders"));
        let schemas = customer["components"]["schemas"].as_object().unwrap();
        assert!(schemas.contains_key("Order") && schemas.contains_key("ErrorBody"));
        assert!(!schemas.contains_key("OutboxEntry"), "a staff-only type");
    }

    #[test]
    fn public_operations_say_so_and_protected_ones_keep_their_scheme() {
        let spec = r#"{"paths":{"/a":{"get":{"operationId":"a"},"post":{"operationId":"b","security":[{"bearer":[]}]}}}}"#;
        let finished: Value = serde_json::from_str(&finish(spec)).unwrap();
        assert_eq!(
            finished["paths"]["/a"]["get"]["security"],
            serde_json::json!([])
        );
        assert_eq!(
            finished["paths"]["/a"]["post"]["security"],
            serde_json::json!([{"bearer": []}])
        );
        let keys: Vec<&String> = finished["paths"]["/a"]["get"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(
            keys,
            ["operationId", "security", "x-audience"],
            "order kept"
        );
    }
}

//! Strict JSON strings: a number or a boolean where the contract says string is refused with
//! 422 naming the field, instead of being quietly stored as `"5956641"` or `"true"`.
//!
//! poem-openapi parses `String` leniently (numbers and booleans become their text) and every
//! other type strictly, so this checks exactly the string-typed fields, from the same spec the
//! server publishes: every operation's request body is covered without a newtype per field.

use std::sync::Arc;

use poem::http::Method;
use poem::{Endpoint, IntoResponse, Request, Response};
use serde_json::Value;

use crate::error::ApiError;
use crate::spec::Operations;

/// The request-body schemas of the published spec, by operation.
pub struct StrictJson {
    operations: Arc<Operations>,
}

impl StrictJson {
    pub fn new(operations: Arc<Operations>) -> Self {
        Self { operations }
    }

    fn schema_for(&self, method: &Method, path: &str) -> Option<&Value> {
        let content = self.operations.find(method, path)?["requestBody"]["content"].as_object()?;
        content
            .iter()
            .find(|(media, _)| media.starts_with("application/json"))
            .map(|(_, c)| &c["schema"])
    }

    /// The schema behind `$ref`s and single-element `allOf`s.
    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..8 {
            if let Some(name) = schema["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                match self.operations.schemas.get(name) {
                    Some(target) => schema = target,
                    None => return schema,
                }
            } else if let Some(only) = schema["allOf"]
                .as_array()
                .and_then(|all| the_one_shape(all))
            {
                schema = only;
            } else {
                break;
            }
        }
        schema
    }

    /// The first field (`deliveryAddress.city`, `items[2].product`) whose value is not the
    /// string its schema says, a `null` the schema does not allow, or a number outside its
    /// schema's bounds (checked here too because poem-openapi names only the innermost field:
    /// `lat`, not `location.lat`).
    fn mismatch(&self, value: &Value, schema: &Value, at: &str) -> Option<Mismatch> {
        let schema = self.resolve(schema);
        match (schema["type"].as_str(), value) {
            (Some("string"), Value::Number(_) | Value::Bool(_)) => Some(Mismatch {
                field: at.to_owned(),
                message: "must be a string".to_owned(),
            }),
            (Some("number" | "integer"), Value::Number(n)) => out_of_bounds(n.as_f64()?, schema)
                .map(|message| Mismatch {
                    field: at.to_owned(),
                    message,
                }),
            // poem-openapi reads `null` as absent; the contract says a field is either there
            // with its type or not there, so a client sending `null` learns it at once.
            (_, Value::Null) if schema["nullable"] != Value::Bool(true) => Some(Mismatch {
                field: at.to_owned(),
                message: "must not be null (leave the field out instead)".to_owned(),
            }),
            (_, Value::Object(fields)) => fields.iter().find_map(|(name, field)| {
                let property = &schema["properties"][name];
                if property.is_null() {
                    return None;
                }
                let at = if at.is_empty() {
                    name.clone()
                } else {
                    format!("{at}.{name}")
                };
                self.mismatch(field, property, &at)
            }),
            (Some("array"), Value::Array(items)) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| self.mismatch(item, &schema["items"], &format!("{at}[{i}]"))),
            _ => None,
        }
    }
}

/// The one member of an `allOf` that has a shape: poem-openapi writes a documented
/// reference as `allOf: [{$ref}, {description}]`.
fn the_one_shape(all: &[Value]) -> Option<&Value> {
    let mut shaped = all.iter().filter(|s| {
        s.get("$ref").is_some() || s.get("type").is_some() || s.get("properties").is_some()
    });
    match (shaped.next(), shaped.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// A field the body got wrong, and how.
#[derive(Debug, PartialEq)]
struct Mismatch {
    field: String,
    message: String,
}

/// Why `n` breaks the schema's `minimum`/`maximum` (OpenAPI 3.0: `exclusiveMaximum` and
/// `exclusiveMinimum` are booleans), if it does.
fn out_of_bounds(n: f64, schema: &Value) -> Option<String> {
    let exclusive = |key: &str| schema[key].as_bool().unwrap_or(false);
    if let Some(min) = schema["minimum"].as_f64() {
        let below = if exclusive("exclusiveMinimum") {
            n <= min
        } else {
            n < min
        };
        if below {
            let relation = if exclusive("exclusiveMinimum") {
                "above"
            } else {
                "at least"
            };
            return Some(format!("must be {relation} {min}"));
        }
    }
    if let Some(max) = schema["maximum"].as_f64() {
        let above = if exclusive("exclusiveMaximum") {
            n >= max
        } else {
            n > max
        };
        if above {
            let relation = if exclusive("exclusiveMaximum") {
                "below"
            } else {
                "at most"
            };
            return Some(format!("must be {relation} {max}"));
        }
    }
    None
}

pub async fn around<E: Endpoint>(
    next: E,
    mut req: Request,
    rules: Arc<StrictJson>,
) -> poem::Result<Response> {
    let is_json = req
        .content_type()
        .is_some_and(|c| c.starts_with("application/json"));
    let schema = if is_json {
        rules.schema_for(req.method(), req.uri().path())
    } else {
        None
    };
    if let Some(schema) = schema {
        let bytes = req.take_body().into_bytes().await?;
        // Unreadable JSON is left to the operation, which answers it in its own words.
        if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
            if let Some(Mismatch { field, message }) = rules.mismatch(&value, schema, "") {
                let field = if field.is_empty() {
                    "body".to_owned()
                } else {
                    field
                };
                return Ok(
                    ApiError::validation(&field, format!("{field}: {message}")).into_response()
                );
            }
        }
        req.set_body(bytes);
    }
    Ok(next.call(req).await?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> StrictJson {
        StrictJson::new(Arc::new(Operations::from_spec(&crate::api_spec())))
    }

    #[test]
    fn strings_refuse_numbers_and_booleans_and_name_the_field() {
        let rules = rules();
        let schema = rules
            .schema_for(&Method::POST, "/api/v1/orders")
            .expect("place_order has a body");
        let order = serde_json::json!({
            "items": [{ "product": "0123456789abcdef01234567", "quantity": 1 }],
            "deliveryAddress": { "address": "1 Rue", "city": 75001, "state": "IDF", "zipCode": "75001" },
            "paymentDetails": { "method": "cash" }
        });
        assert_eq!(
            field(rules.mismatch(&order, schema, "")).as_deref(),
            Some("deliveryAddress.city")
        );
        let mut fine = order.clone();
        fine["deliveryAddress"]["city"] = "Paris".into();
        assert_eq!(rules.mismatch(&fine, schema, ""), None);
        let mut product = fine.clone();
        product["items"][0]["product"] = true.into();
        assert_eq!(
            field(rules.mismatch(&product, schema, "")).as_deref(),
            Some("items[0].product")
        );
    }

    #[test]
    fn null_is_refused_where_the_contract_says_absent() {
        let rules = rules();
        let schema = rules
            .schema_for(&Method::POST, "/api/v1/auth/logout")
            .expect("logout has a body");
        let body = serde_json::json!({ "refreshToken": null });
        assert_eq!(
            rules.mismatch(&body, schema, ""),
            Some(Mismatch {
                field: "refreshToken".into(),
                message: "must not be null (leave the field out instead)".into(),
            })
        );
        assert_eq!(rules.mismatch(&serde_json::json!({}), schema, ""), None);
    }

    fn field(mismatch: Option<Mismatch>) -> Option<String> {
        mismatch.map(|m| m.field)
    }

    #[test]
    fn numbers_out_of_bounds_are_named_by_their_path() {
        let rules = rules();
        let schema = rules
            .schema_for(&Method::POST, "/api/v1/orders")
            .expect("place_order has a body");
        let mut order = serde_json::json!({
            "items": [{ "product": "0123456789abcdef01234567", "quantity": 1 }],
            "deliveryAddress": {
                "address": "1 Rue", "city": "Paris", "state": "IDF", "zipCode": "75001",
                "location": { "lat": 48.85, "lng": 2.35 }
            },
            "paymentDetails": { "method": "cash" }
        });
        assert_eq!(rules.mismatch(&order, schema, ""), None);
        order["deliveryAddress"]["location"]["lat"] = 90.5.into();
        assert_eq!(
            rules.mismatch(&order, schema, ""),
            Some(Mismatch {
                field: "deliveryAddress.location.lat".into(),
                message: "must be at most 90".into(),
            })
        );
        order["deliveryAddress"]["location"]["lat"] = (-90).into();
        order["items"][0]["quantity"] = 0.into();
        assert_eq!(
            field(rules.mismatch(&order, schema, "")).as_deref(),
            Some("items[0].quantity")
        );
    }

    #[test]
    fn exclusive_bounds_follow_openapi_3_0() {
        let schema = serde_json::json!({ "type": "number", "minimum": 0, "maximum": 360, "exclusiveMaximum": true });
        assert_eq!(out_of_bounds(0.0, &schema), None);
        assert_eq!(out_of_bounds(359.9, &schema), None);
        assert_eq!(
            out_of_bounds(360.0, &schema).as_deref(),
            Some("must be below 360")
        );
        assert_eq!(
            out_of_bounds(-0.1, &schema).as_deref(),
            Some("must be at least 0")
        );
    }
}

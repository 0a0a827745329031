//! The rules the use cases apply to free text, spelled as `pattern`s in the contract, so that
//! a client (or a fuzzer) knows before sending what the server will take: the text rule of
//! names, addresses and comments (no control, invisible or text-direction character; a
//! required field is not blank), the e-mail rule, the picture types, and ids inside lists.
//!
//! poem-openapi can only write a pattern from a literal in an attribute, and the server
//! checks these rules in `bakery-core` anyway (an embedding app gets the same answers), so
//! the patterns are the core's own constants, added here to every request body's strings.
//! Which rule a string gets follows from the field: `minLength >= 1` is a required text,
//! none an optional one; the few strings that are not text are named below.

use bakery_core::domain::{
    CONTENT_TYPE_PATTERN, EMAIL_PATTERN, MAX_IMAGE_BYTES, OPTIONAL_TEXT_PATTERN,
    OPTION_KEY_PATTERN, PRODUCT_LIST_ENTRY_MAX_CHARS, REQUIRED_TEXT_PATTERN,
};
use serde_json::{Map, Value};

use crate::dto::params::ID_PATTERN;

/// Request strings that are secrets or codes, checked by their own rules (a password is
/// hashed as typed; a promotion code is looked up).
const NOT_TEXT: [&str; 4] = ["password", "newPassword", "refreshToken", "promotionCode"];

/// Adds the patterns to every string of every schema a request body reaches, and the id
/// pattern to the path ids of the routes with two of them (which are read as plain strings,
/// see `dto::params::PathId`, and parsed by the handler).
pub(super) fn spell_input_rules(document: &mut Value) {
    spell_path_ids(document);
    // The slot's size is bounded by the pictures taken, not by the integer type (the
    // server's schema check then refuses a larger one, naming `size`).
    if let Some(size) = document.pointer_mut("/components/schemas/UploadRequest/properties/size") {
        size["maximum"] = Value::from(MAX_IMAGE_BYTES);
    }
    let mut names = Vec::new();
    if let Some(paths) = document.get("paths") {
        for body in paths
            .as_object()
            .into_iter()
            .flat_map(Map::values)
            .filter_map(Value::as_object)
            .flat_map(Map::values)
            .filter_map(|operation| operation.get("requestBody"))
        {
            request_schemas(document, body, &mut names);
        }
    }
    let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for name in names {
        let Some(properties) = schemas
            .get_mut(&name)
            .and_then(|schema| schema.get_mut("properties"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (field, property) in properties.iter_mut() {
            spell(field, property);
        }
    }
}

fn spell_path_ids(document: &mut Value) {
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for parameter in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|operation| operation.get_mut("parameters"))
        .filter_map(Value::as_array_mut)
        .flatten()
    {
        let is_path_id = parameter["in"] == "path"
            && parameter["name"]
                .as_str()
                .is_some_and(|name| name == "id" || name.ends_with("Id"));
        if is_path_id && is_free_string(&parameter["schema"]) {
            parameter["schema"]["pattern"] = Value::from(ID_PATTERN);
        }
    }
}

/// The names of the component schemas `value` reaches, added to `names` once each.
fn request_schemas(document: &Value, value: &Value, names: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            if let Some(name) = object
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                    if let Some(schema) = document.pointer(&format!("/components/schemas/{name}")) {
                        request_schemas(document, schema, names);
                    }
                }
            }
            object
                .values()
                .for_each(|v| request_schemas(document, v, names));
        }
        Value::Array(items) => items
            .iter()
            .for_each(|v| request_schemas(document, v, names)),
        _ => {}
    }
}

fn is_free_string(schema: &Value) -> bool {
    schema.get("type") == Some(&Value::from("string"))
        && ["pattern", "format", "enum"]
            .iter()
            .all(|key| schema.get(key).is_none())
}

fn spell(field: &str, property: &mut Value) {
    if NOT_TEXT.contains(&field) {
        return;
    }
    if property.get("type") == Some(&Value::from("array")) {
        let Some(entry) = property.get_mut("items").filter(|e| is_free_string(e)) else {
            return;
        };
        if field == "applicableProducts" {
            entry["pattern"] = Value::from(ID_PATTERN);
        } else if field == "choices" {
            // A cart line's option keys: what the product's options may be called.
            entry["pattern"] = Value::from(OPTION_KEY_PATTERN);
        } else if let Some((_, max)) = PRODUCT_LIST_ENTRY_MAX_CHARS
            .iter()
            .find(|(f, _)| *f == field)
        {
            entry["minLength"] = Value::from(1);
            entry["maxLength"] = Value::from(*max);
            entry["pattern"] = Value::from(REQUIRED_TEXT_PATTERN);
        }
        return;
    }
    if !is_free_string(property) {
        return;
    }
    let pattern = match field {
        "email" => EMAIL_PATTERN,
        "contentType" => CONTENT_TYPE_PATTERN,
        _ if property
            .get("minLength")
            .and_then(Value::as_u64)
            .is_some_and(|min| min >= 1) =>
        {
            REQUIRED_TEXT_PATTERN
        }
        _ => OPTIONAL_TEXT_PATTERN,
    };
    property["pattern"] = Value::from(pattern);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string a request body carries is bound by a pattern, an enum or a format, or is
    /// named above as not text: a new field cannot join the contract without its rule.
    #[test]
    fn every_request_string_says_what_it_takes() {
        let spec: Value = serde_json::from_str(&crate::api_spec()).unwrap();
        let mut names = Vec::new();
        for body in spec["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .filter_map(|operation| operation.get("requestBody"))
        {
            request_schemas(&spec, body, &mut names);
        }
        assert!(names.iter().any(|n| n == "AddressInput"), "{names:?}");
        let mut unbound = Vec::new();
        for name in &names {
            let schema = &spec["components"]["schemas"][name];
            for (field, property) in schema["properties"].as_object().into_iter().flatten() {
                let string = if property["type"] == "array" {
                    &property["items"]
                } else {
                    property
                };
                if is_free_string(string) && !NOT_TEXT.contains(&field.as_str()) {
                    unbound.push(format!("{name}.{field}"));
                }
            }
        }
        assert!(unbound.is_empty(), "strings without a rule: {unbound:?}");
        let address = &spec["components"]["schemas"]["AddressInput"]["properties"];
        assert_eq!(address["city"]["pattern"], REQUIRED_TEXT_PATTERN);
        assert_eq!(address["landmark"]["pattern"], OPTIONAL_TEXT_PATTERN);
        // Option keys: the attribute literals of the DTOs spell the core's rule.
        let schemas = &spec["components"]["schemas"];
        for pattern in [
            &schemas["OptionGroupInput"]["properties"]["key"]["pattern"],
            &schemas["ProductOptionInput"]["properties"]["key"]["pattern"],
            &schemas["CartOption"]["properties"]["group"]["pattern"],
            &schemas["CartOption"]["properties"]["choices"]["items"]["pattern"],
        ] {
            assert_eq!(pattern, OPTION_KEY_PATTERN);
        }
    }
}

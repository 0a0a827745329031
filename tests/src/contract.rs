//! The contract, checked on real responses: every answer the SDK gets in the e2e suite must be
//! what `openapi.json` says for its operation and status — a documented status, and a body
//! that validates against the documented schema (so a `null` where the spec says the field is
//! absent, a missing required field or a wrong type fails the test that caused it).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use bakery_server::spec::Operations;
use serde_json::{json, Map, Value};

/// `openapi.json`'s operations (found as the server finds them for its own middleware) and
/// its schemas turned into what a JSON-Schema validator reads.
struct Spec {
    operations: Operations,
    definitions: Value,
    validators: Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>,
}

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.json");
        let text = std::fs::read_to_string(path).expect("read openapi.json");
        let operations = Operations::from_spec(&text);
        let definitions = to_json_schema(&Value::Object(operations.schemas.clone()));
        Spec {
            operations,
            definitions,
            validators: Mutex::new(HashMap::new()),
        }
    })
}

/// OpenAPI 3.0's schema dialect → JSON Schema draft 7: `$ref`s into `definitions`,
/// `nullable` as an explicit `null` alternative, and the boolean `exclusiveMinimum` /
/// `exclusiveMaximum` of draft 4 as the bound itself.
fn to_json_schema(value: &Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut converted = Map::new();
            for (key, v) in object {
                match (key.as_str(), v) {
                    ("exclusiveMinimum" | "exclusiveMaximum", Value::Bool(exclusive)) => {
                        let bound = if key == "exclusiveMinimum" {
                            "minimum"
                        } else {
                            "maximum"
                        };
                        if *exclusive {
                            if let Some(limit) = object.get(bound) {
                                converted.insert(key.clone(), limit.clone());
                            }
                        }
                    }
                    ("$ref", Value::String(r)) => {
                        converted.insert(
                            key.clone(),
                            Value::String(r.replace("#/components/schemas/", "#/definitions/")),
                        );
                    }
                    ("nullable", _) => {}
                    ("minimum" | "maximum", _)
                        if object.get(&format!(
                            "exclusive{}",
                            if key == "minimum" {
                                "Minimum"
                            } else {
                                "Maximum"
                            }
                        )) == Some(&Value::Bool(true)) => {}
                    _ => {
                        converted.insert(key.clone(), to_json_schema(v));
                    }
                }
            }
            let converted = Value::Object(converted);
            if object.get("nullable") == Some(&Value::Bool(true)) {
                json!({ "anyOf": [converted, { "type": "null" }] })
            } else {
                converted
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

/// What is wrong with one exchange, if anything. `path` has no query string.
pub fn check(
    method: &str,
    path: &str,
    status: u16,
    content_type: &str,
    body: &[u8],
) -> Option<String> {
    let spec = spec();
    let what = format!("{} {path} → {status}", method.to_ascii_uppercase());
    let Ok(parsed) = method.to_ascii_uppercase().parse::<poem::http::Method>() else {
        return Some(format!("{what}: not an HTTP method"));
    };
    let Some(operation) = spec.operations.find(&parsed, path) else {
        if spec.operations.methods(path).is_empty() {
            return None; // Not an API operation (e.g. /openapi.json itself).
        }
        return Some(format!("{what}: the spec has no such operation"));
    };
    let Some(response) = spec.operations.response(operation, status) else {
        return Some(format!("{what}: status not documented for this operation"));
    };
    let json_content = response["content"].as_object().and_then(|content| {
        content
            .iter()
            .find(|(media, _)| media.starts_with("application/json"))
            .map(|(_, c)| c)
    });
    let Some(schema) = json_content.and_then(|c| c.get("schema")) else {
        return (!body.is_empty() && !response["content"].is_object())
            .then(|| format!("{what}: a body where the spec documents none"));
    };
    if !content_type.starts_with("application/json") {
        return Some(format!(
            "{what}: content type {content_type:?}, documented application/json"
        ));
    }
    let instance: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Some(format!("{what}: the body is not JSON ({e})")),
    };
    let key = what.clone();
    let validator = {
        // A test that panicked while holding the lock left a usable cache behind.
        let mut cache = spec
            .validators
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match cache.get(&key) {
            Some(validator) => validator.clone(),
            None => {
                let mut root = to_json_schema(schema);
                root["definitions"] = spec.definitions.clone();
                match jsonschema::draft7::new(&root) {
                    Ok(validator) => {
                        let validator = std::sync::Arc::new(validator);
                        cache.insert(key, validator.clone());
                        validator
                    }
                    Err(e) => {
                        return Some(format!(
                            "{what}: openapi.json's schema does not compile: {e}"
                        ))
                    }
                }
            }
        }
    };
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        capture(schema, &instance);
        return None;
    }
    Some(format!("{what}: {}\n  body: {instance}", errors.join("; ")))
}

/// With `BAKERY_CAPTURE_DIR` set, keeps real response bodies that passed, one per schema and
/// shape (which optional fields are present), as `<Schema>.<shape hash>.json`:
/// `scripts/contract.sh` parses them with the clients other teams generate (TypeScript,
/// Python), so "a generated client works on real responses" is checked on these bodies.
fn capture(schema: &Value, instance: &Value) {
    let Some(dir) = std::env::var_os("BAKERY_CAPTURE_DIR") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let keep = |schema: &Value, body: &Value| {
        let Some(name) = schema["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        else {
            return;
        };
        let mut shape = Vec::new();
        shape_of(body, "", &mut shape);
        shape.sort();
        shape.dedup();
        let hash = shape.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, path| {
            path.bytes()
                .chain([0])
                .fold(h, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
        });
        let path = dir.join(format!("{name}.{hash:016x}.json"));
        if path.exists() {
            return;
        }
        // Written aside and renamed: tests run in parallel and a reader never sees half.
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nth = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let partial = dir.join(format!(".{name}.{hash:016x}.{}.{nth}", std::process::id()));
        let written = std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&partial, body.to_string()))
            .and_then(|()| std::fs::rename(&partial, &path));
        if let Err(e) = written {
            panic!(
                "BAKERY_CAPTURE_DIR is set but {} cannot be written: {e}",
                path.display()
            );
        }
    };
    match (schema["type"].as_str(), instance) {
        (Some("array"), Value::Array(items)) => {
            for item in items {
                keep(&schema["items"], item);
            }
        }
        _ => keep(schema, instance),
    }
}

/// Every key path in `value` (array items merged), for telling one response shape from
/// another.
fn shape_of(value: &Value, prefix: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, v) in object {
                let path = format!("{prefix}/{key}");
                shape_of(v, &path, out);
                out.push(path);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|v| shape_of(v, &format!("{prefix}[]"), out)),
        _ => {}
    }
}

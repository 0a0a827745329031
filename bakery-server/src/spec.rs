//! What the published contract says beyond what poem-openapi writes itself: where the API
//! lives, and that public operations need no credentials (`security: []`), so generators and
//! linters do not have to guess from an absent key.

use serde_json::Value;

/// The server the committed `openapi.json` names; a deployment publishes its own from
/// `PUBLIC_BASE_URL` at `/api/v1/openapi.json`.
pub const LOCAL_BASE_URL: &str = "http://localhost:3000";

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Adds `security: []` to every operation that declares no security requirement. Key order
/// is kept (serde_json's `preserve_order`), so the document reads as poem-openapi wrote it.
pub fn finish(spec: &str) -> String {
    let Ok(mut document) = serde_json::from_str::<Value>(spec) else {
        return spec.to_owned();
    };
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for method in METHODS {
                if let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) {
                    operation
                        .entry("security")
                        .or_insert_with(|| Value::Array(Vec::new()));
                }
            }
        }
    }
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| spec.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(keys, ["operationId", "security"], "order kept");
    }
}

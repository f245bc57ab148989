//! `docs/spec.schema.json` and `docs/environments.schema.json` are generated from the model
//! and must stay current.
//! Regenerate with `KIMAI_UPDATE_DOCS=1 cargo test -p kimai-model --test schema`.

use std::path::Path;

/// The checked-in `docs/<file>` equals `schema`; `KIMAI_UPDATE_DOCS=1` rewrites it first.
fn assert_current(file: &str, schema: &schemars::Schema) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs")
        .join(file);
    let mut text = serde_json::to_string_pretty(schema).expect("schema serialises");
    text.push('\n');
    if std::env::var_os("KIMAI_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &text).expect("write schema");
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == text,
        "docs/{file} is stale: run `KIMAI_UPDATE_DOCS=1 cargo test -p kimai-model --test schema`"
    );
}

#[test]
fn checked_in_schema_is_current() {
    assert_current("spec.schema.json", &kimai_model::spec_schema());
}

#[test]
fn checked_in_environments_schema_is_current() {
    assert_current(
        "environments.schema.json",
        &kimai_model::environments_schema(),
    );
}

#[test]
fn schema_rejects_unknown_keys_everywhere() {
    let schema = serde_json::to_value(kimai_model::spec_schema()).expect("json");
    assert_eq!(
        schema["additionalProperties"],
        serde_json::Value::Bool(false)
    );
    for (name, def) in schema["$defs"].as_object().expect("defs") {
        if def.get("type") == Some(&serde_json::json!("object")) {
            assert_eq!(
                def["additionalProperties"],
                serde_json::Value::Bool(false),
                "{name}"
            );
        }
    }
}

#[test]
fn environments_schema_is_the_spec_schema_made_partial() {
    let spec = serde_json::to_value(kimai_model::spec_schema()).expect("json");
    let envs = serde_json::to_value(kimai_model::environments_schema()).expect("json");
    let defs = envs["$defs"].as_object().expect("defs");
    // Every section of the spec is there, with the same keys, nothing required, and unknown
    // keys still rejected.
    for (name, def) in spec["$defs"].as_object().expect("defs") {
        let partial = &defs[name];
        assert_eq!(partial.get("required"), None, "{name}");
        assert_eq!(
            def.get("additionalProperties"),
            partial
                .get("additionalProperties")
                .filter(|v| v.is_boolean()),
            "{name}"
        );
        let keys = |s: &serde_json::Value| -> Vec<String> {
            s["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default()
        };
        assert_eq!(keys(def), keys(partial), "{name}");
    }
    let overrides = &defs["Overrides"];
    assert_eq!(overrides["additionalProperties"], serde_json::json!(false));
    assert!(overrides["properties"].get("environment").is_none());
    assert!(overrides["properties"].get("name").is_some());
    // `null` removes a key, so every property accepts it.
    let name = &overrides["properties"]["name"];
    assert_eq!(name["anyOf"][1], serde_json::json!({ "type": "null" }));
}

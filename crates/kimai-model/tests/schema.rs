//! `docs/spec.schema.json` is generated from the model and must stay current.
//! Regenerate with `KIMAI_UPDATE_DOCS=1 cargo test -p kimai-model --test schema`.

use std::path::Path;

#[test]
fn checked_in_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec.schema.json");
    let mut text =
        serde_json::to_string_pretty(&kimai_model::spec_schema()).expect("schema serialises");
    text.push('\n');
    if std::env::var_os("KIMAI_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &text).expect("write schema");
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == text,
        "docs/spec.schema.json is stale: run `KIMAI_UPDATE_DOCS=1 cargo test -p kimai-model --test schema`"
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

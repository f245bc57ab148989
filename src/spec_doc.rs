//! `docs/spec.md`: the field reference, generated from the model's JSON Schema and the
//! capability matrix, so every model field is listed with its type, default and targets.

use serde_json::Value;

use crate::capabilities::{capability_for, Support};
use kimai_model::Target;

/// The whole reference as Markdown.
pub fn markdown() -> String {
    let schema = serde_json::to_value(kimai_model::spec_schema()).unwrap_or(Value::Null);
    let defs = schema.get("$defs").cloned().unwrap_or(Value::Null);
    let mut rows = Vec::new();
    walk(&schema, &defs, "", &mut rows);
    let mut out = String::from(
        "# Spec reference\n\n\
         Every field of the spec file, generated from the model (`KIMAI_UPDATE_DOCS=1 cargo test --test spec_doc`\n\
         rewrites this file; the JSON Schema is `docs/spec.schema.json`). Secrets are references\n\
         `{ secret: NAME }`, never values. Unknown keys are errors.\n\n\
         | field | type | default | targets | meaning |\n|---|---|---|---|---|\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.path, r.kind, r.default, r.targets, r.description
        ));
    }
    out
}

struct Row {
    path: String,
    kind: String,
    default: String,
    targets: String,
    description: String,
}

fn resolve<'a>(node: &'a Value, defs: &'a Value) -> &'a Value {
    if let Some(r) = node.get("$ref").and_then(Value::as_str) {
        if let Some(name) = r.strip_prefix("#/$defs/") {
            return defs.get(name).unwrap_or(node);
        }
    }
    // `Option<T>` is written as anyOf [T, null].
    if let Some(any) = node.get("anyOf").and_then(Value::as_array) {
        if let Some(first) = any
            .iter()
            .find(|v| v.get("type") != Some(&Value::from("null")))
        {
            return resolve(first, defs);
        }
    }
    node
}

fn kind(node: &Value, defs: &Value) -> String {
    let n = resolve(node, defs);
    if n.get("secret").is_some() || n.pointer("/properties/secret").is_some() {
        return "secret reference".into();
    }
    if let Some(e) = n.get("enum").and_then(Value::as_array) {
        return e
            .iter()
            .filter_map(Value::as_str)
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(" \\| ");
    }
    if let Some(one) = n.get("oneOf").and_then(Value::as_array) {
        let consts: Vec<String> = one
            .iter()
            .filter_map(|v| v.get("const").and_then(Value::as_str))
            .map(|s| format!("`{s}`"))
            .collect();
        if !consts.is_empty() {
            return consts.join(" \\| ");
        }
    }
    match n.get("type") {
        Some(Value::String(t))
            if t == "object" && n.get("additionalProperties").is_some_and(Value::is_object) =>
        {
            let values = n.get("additionalProperties").unwrap_or(&Value::Null);
            if values.get("$ref") == Some(&Value::from("#/$defs/EnvVar")) {
                // `app.env`: text, a secret reference or the `{ plain }` opt-out.
                "map of string, `{ secret }` or `{ plain }`".into()
            } else {
                "map of string".into()
            }
        }
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(", "),
        _ => "object".into(),
    }
}

fn targets(path: &str) -> String {
    // Delivery spans every environment and no per-environment target reads it.
    if path == "delivery" || path.starts_with("delivery.") {
        return "ci, gitops".into();
    }
    match capability_for(path) {
        None => "all".into(),
        Some(c) => {
            let used: Vec<&str> = Target::ALL
                .into_iter()
                .filter(|t| c.of(*t).0 != Support::NotApplicable)
                .map(Target::as_str)
                .collect();
            // `all` is the four application targets; Terraform, the platform under them, is
            // named where it uses a setting the others do not all use.
            let apps = ["compose", "k8s", "ecs", "ansible"];
            if apps.iter().all(|a| used.contains(a)) {
                "all".into()
            } else {
                used.join(", ")
            }
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn walk(node: &Value, defs: &Value, prefix: &str, rows: &mut Vec<Row>) {
    let n = resolve(node, defs);
    let Some(props) = n.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, field) in props {
        if name == "$schema" {
            continue;
        }
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let target = resolve(field, defs);
        let is_section =
            target.get("properties").is_some() && target.pointer("/properties/secret").is_none();
        let default = match field.get("default") {
            Some(v) if !is_section => format!("`{v}`"),
            Some(_) => "see fields".into(),
            None if n
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.contains(&Value::from(name.as_str()))) =>
            {
                "**required**".into()
            }
            None => "none".into(),
        };
        let description = field
            .get("description")
            .or_else(|| target.get("description"))
            .and_then(Value::as_str)
            .map(one_line)
            .unwrap_or_default();
        rows.push(Row {
            kind: kind(field, defs),
            default,
            targets: targets(&path),
            description,
            path: path.clone(),
        });
        if is_section {
            walk(target, defs, &path, rows);
        }
    }
}

//! Several environments from one file: a `base` spec plus per-environment overrides.
//!
//! ```yaml
//! base:
//!   name: kimai
//!   ingress: { host: kimai.example.com }
//! environments:
//!   dev:        { ingress: { host: kimai.dev.example.com } }
//!   production: { scaling: { min_replicas: 2, max_replicas: 6 } }
//! ```
//!
//! Each environment is `base` deep-merged with its overrides: mappings merge key by key,
//! anything else (scalars, lists) replaces, and `null` removes the key so its default applies.
//! `environment` is the environment's key. Every environment is validated on its own; its
//! problems carry the path prefix `environments.<name>.`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_yaml::Value;

use crate::check;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lines::Lines;
use crate::load::Format;
use crate::validate::Validated;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MultiSpec {
    #[serde(rename = "$schema", default)]
    _schema: Option<String>,
    base: Value,
    environments: BTreeMap<String, Value>,
}

/// True when the document is a multi-environment file (a mapping with `environments`).
pub fn is_multi_environment(bytes: &[u8], format: Format) -> bool {
    to_value(bytes, format).is_some_and(|v| v.get("environments").is_some())
}

fn to_value(bytes: &[u8], format: Format) -> Option<Value> {
    let text = std::str::from_utf8(bytes).ok()?;
    match format {
        Format::Yaml => serde_yaml::from_str(text).ok(),
        Format::Json => serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|j| serde_yaml::to_value(j).ok()),
    }
}

/// Deep merge: mappings merge recursively, `null` deletes, anything else replaces.
pub fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Mapping(b), Value::Mapping(o)) => {
            for (k, v) in o {
                if v.is_null() {
                    b.remove(&k);
                } else if let Some(slot) = b.get_mut(&k) {
                    merge(slot, v);
                } else {
                    b.insert(k, v);
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// Loads a single spec (one model) or a multi-environment file (one model per environment,
/// in name order). Every problem of every environment at once.
pub fn load_all(bytes: &[u8], format: Format) -> Result<Vec<Validated>, Diagnostics> {
    if !is_multi_environment(bytes, format) {
        return crate::load::load(bytes, format).map(|m| vec![m]);
    }
    let value = to_value(bytes, format).unwrap_or(Value::Null);
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    let lines = Lines::new(text.strip_prefix('\u{feff}').unwrap_or(text));
    if let Value::Mapping(m) = &value {
        let mut d = Diagnostics::default();
        for key in m.keys() {
            let k = key.as_str().unwrap_or("?");
            if !["$schema", "base", "environments"].contains(&k) {
                d.push(Diagnostic {
                    path: k.to_string(),
                    message: format!("unknown key `{k}`"),
                    hint: Some(
                        "known keys of an environments file: `$schema`, `base`, `environments`"
                            .into(),
                    ),
                    line: lines.line(&[k.to_string()]),
                });
            }
        }
        if m.get("base").is_none() {
            d.error_hint(
                "base",
                "missing: this key is required",
                "`base` is the spec every environment starts from",
            );
        }
        d.into_result(())?;
    }
    let multi: MultiSpec = serde_path_to_error::deserialize(value).map_err(|e| {
        let mut d = Diagnostics::default();
        d.error_hint(
            e.path().to_string(),
            "is not valid here",
            "`environments` maps each environment's name to its overrides",
        );
        d
    })?;
    let mut all = Diagnostics::default();
    let mut models = Vec::new();
    if !multi.base.is_mapping() {
        all.error_hint(
            "base",
            format!("is {}, expected a mapping", describe(&multi.base)),
            "`base` is the spec every environment starts from, such as `{ name: kimai, ingress: { host: kimai.example.com } }`",
        );
        return Err(all);
    }
    if multi.environments.is_empty() {
        all.error_hint(
            "environments",
            "no environment is defined",
            "add at least one, such as `production: {}`",
        );
    }
    for (name, over) in multi.environments {
        let prefix = format!("environments.{name}");
        // `production:` with nothing under it means "no overrides".
        let over = if over.is_null() {
            Value::Mapping(Default::default())
        } else {
            over
        };
        if !over.is_mapping() {
            all.error_hint(
                &prefix,
                format!("is {}, expected a mapping of overrides", describe(&over)),
                "write the keys that differ from `base`, or `{}` for none",
            );
            continue;
        }
        if !check::dns_label(&name, 32) {
            all.error(
                &prefix,
                format!("`{name}` is not a lowercase environment label of at most 32 characters"),
            );
            continue;
        }
        if multi.base.get("environment").is_some() || over.get("environment").is_some() {
            all.error_hint(
                format!("{prefix}.environment"),
                "is set by the environment's key",
                "remove `environment`; the key under `environments` names it",
            );
            continue;
        }
        let mut merged = multi.base.clone();
        merge(&mut merged, over);
        if let Value::Mapping(m) = &mut merged {
            m.insert(Value::from("environment"), Value::from(name.clone()));
        }
        // Each problem's line: where the environment overrides the key, else where `base` sets it.
        let line_of = |p: &[String]| {
            let in_env: Vec<String> = ["environments".to_string(), name.clone()]
                .into_iter()
                .chain(p.iter().cloned())
                .collect();
            let in_base: Vec<String> = std::iter::once("base".to_string())
                .chain(p.iter().cloned())
                .collect();
            lines
                .get(&in_env)
                .or_else(|| lines.get(&in_base))
                .or_else(|| lines.line(&in_env))
        };
        let mut d = Diagnostics::default();
        let result = match crate::load::to_json(merged, &mut Vec::new(), &mut d) {
            Some(doc) if d.is_empty() => {
                crate::load::finish(crate::load::parse_doc(doc, &line_of), &line_of)
            }
            _ => Err(d),
        };
        match result {
            Ok(m) => models.push(m),
            Err(d) => {
                for diag in d.0 {
                    all.push(Diagnostic {
                        path: if diag.path.is_empty() {
                            prefix.clone()
                        } else {
                            format!("{prefix}.{}", diag.path)
                        },
                        ..diag
                    });
                }
            }
        }
    }
    if all.is_empty() {
        // Each environment is valid on its own; side by side they must not share a name.
        all = crate::names::collisions(&models);
        for diag in crate::delivery::conflicts(&models).0 {
            all.push(diag);
        }
    }
    all.into_result(models)
}

/// The JSON Schema of a multi-environment file (draft 2020-12), derived from
/// [`spec_schema`](crate::spec_schema): `base` and every environment's overrides are partial specs. Every key
/// and value type is checked as in a single spec, unknown keys are rejected at every level, and
/// any value may be `null` (which removes the key). Required fields are not: they may come from
/// either side, and kimai-deploy checks each merged environment in full.
pub fn environments_schema() -> schemars::Schema {
    use serde_json::{json, Value as Json};
    let mut spec = serde_json::to_value(crate::spec_schema()).unwrap_or_default();
    let mut defs = spec
        .as_object_mut()
        .and_then(|o| o.remove("$defs"))
        .unwrap_or_else(|| json!({}));
    if let Some(root) = spec.as_object_mut() {
        for key in ["$schema", "title", "description"] {
            root.remove(key);
        }
        if let Some(Json::Object(props)) = root.get_mut("properties") {
            // Set by the environment's key; `$schema` belongs to the file, not to `base`.
            props.remove("environment");
            props.remove("$schema");
        }
        root.insert(
            "description".into(),
            "A partial spec: `base`, or what one environment changes in it.".into(),
        );
    }
    partial(&mut spec);
    if let Some(defs) = defs.as_object_mut() {
        defs.values_mut().for_each(partial);
        defs.insert("Overrides".into(), spec);
    }
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "kimai-deploy environments file: one Kimai deployment in several environments",
        "description": "`base` deep-merged with each environment's overrides gives that environment's spec (mappings merge key by key, lists and scalars replace, `null` removes a key so its default applies). Renders to OUT/<environment>/<target>/.",
        "type": "object",
        "properties": {
            "$schema": {
                "description": "Optional JSON Schema reference for editors; ignored.",
                "type": "string"
            },
            "base": {
                "description": "What every environment shares.",
                "$ref": "#/$defs/Overrides"
            },
            "environments": {
                "description": "Environment name (a lowercase DNS label of at most 32 characters, also the `environment` of its spec) to its overrides; empty for none.",
                "type": "object",
                "minProperties": 1,
                "propertyNames": { "pattern": "^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$" },
                "additionalProperties": {
                    "anyOf": [{ "$ref": "#/$defs/Overrides" }, { "type": "null" }]
                }
            }
        },
        "required": ["base", "environments"],
        "additionalProperties": false,
        "$defs": defs,
    });
    schemars::Schema::try_from(schema).unwrap_or_default()
}

/// Makes an object schema partial: nothing required, every property (and map value) nullable.
fn partial(schema: &mut serde_json::Value) {
    use serde_json::Value as Json;
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    obj.remove("required");
    if let Some(Json::Object(props)) = obj.get_mut("properties") {
        for p in props.values_mut() {
            partial(p);
            nullable(p);
        }
    }
    if let Some(map_values @ Json::Object(_)) = obj.get_mut("additionalProperties") {
        partial(map_values);
        nullable(map_values);
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Json::Array(options)) = obj.get_mut(key) {
            options.iter_mut().for_each(partial);
        }
    }
}

fn nullable(schema: &mut serde_json::Value) {
    use serde_json::{json, Map, Value as Json};
    fn allows_null(s: &Json) -> bool {
        match s.get("type") {
            Some(Json::String(t)) if t == "null" => return true,
            Some(Json::Array(ts)) if ts.iter().any(|t| t == "null") => return true,
            _ => {}
        }
        ["anyOf", "oneOf"].iter().any(|k| {
            s.get(*k)
                .and_then(Json::as_array)
                .is_some_and(|xs| xs.iter().any(allows_null))
        })
    }
    if allows_null(schema) {
        return;
    }
    let inner = schema.take();
    let mut wrapper = Map::new();
    if let Some(d) = inner.get("description") {
        wrapper.insert("description".into(), d.clone());
    }
    wrapper.insert("anyOf".into(), json!([inner, { "type": "null" }]));
    *schema = Json::Object(wrapper);
}

/// How a non-mapping value reads in an error message.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "empty".to_string(),
        Value::Sequence(_) => "a list".to_string(),
        Value::Mapping(_) => "a mapping".to_string(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("`{n}`"),
        Value::String(text) => {
            let short: String = text.chars().take(60).collect();
            format!(
                "`{short}`{}",
                if short.len() < text.len() { "…" } else { "" }
            )
        }
        Value::Tagged(t) => format!("a value tagged `{}`", t.tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MULTI: &str = "base:\n  name: kimai\n  ingress: { host: kimai.example.com }\n  scaling: { min_replicas: 2, max_replicas: 4 }\nenvironments:\n  dev:\n    ingress: { host: kimai.dev.example.com }\n    scaling: null\n  production: {}\n";

    #[test]
    fn merges_each_environment_over_the_base() {
        let models = load_all(MULTI.as_bytes(), Format::Yaml).unwrap();
        assert_eq!(models.len(), 2);
        assert_eq!(models[0].environment(), "dev");
        assert_eq!(models[0].host(), "kimai.dev.example.com");
        assert!(models[0].spec().scaling.is_none());
        assert_eq!(models[1].environment(), "production");
        assert_eq!(models[1].max_replicas(), 4);
    }

    #[test]
    fn problems_name_their_environment() {
        let bad = MULTI.replace(
            "production: {}",
            "production: { scaling: { min_replicas: 9 } }\n  Bad: {}",
        );
        let err = load_all(bad.as_bytes(), Format::Yaml).unwrap_err();
        let paths: Vec<&str> = err.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "environments.Bad",
                "environments.production.scaling.min_replicas"
            ]
        );
    }

    #[test]
    fn an_empty_environment_has_no_overrides() {
        let text = MULTI.replace("production: {}", "production:");
        let models = load_all(text.as_bytes(), Format::Yaml).unwrap();
        assert_eq!(models[1].environment(), "production");
        assert_eq!(models[1].max_replicas(), 4);
    }

    #[test]
    fn base_and_overrides_must_be_mappings() {
        let err = load_all(b"base: 3\nenvironments: { dev: {} }\n", Format::Yaml).unwrap_err();
        let problems: Vec<String> = err
            .iter()
            .map(|d| format!("{}: {}", d.path, d.message))
            .collect();
        assert_eq!(problems, ["base: is `3`, expected a mapping"]);
        let text = MULTI.replace("production: {}", "production: [a]\n  staging: on");
        let err = load_all(text.as_bytes(), Format::Yaml).unwrap_err();
        let problems: Vec<String> = err
            .iter()
            .map(|d| format!("{}: {}", d.path, d.message))
            .collect();
        assert_eq!(
            problems,
            [
                "environments.production: is a list, expected a mapping of overrides",
                "environments.staging: is `on`, expected a mapping of overrides",
            ]
        );
    }

    #[test]
    fn single_specs_load_as_one() {
        let models = load_all(
            b"name: kimai\ningress: { host: k.example.com }\n",
            Format::Yaml,
        )
        .unwrap();
        assert_eq!(models.len(), 1);
    }
}

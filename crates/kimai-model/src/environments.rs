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
use crate::load::{parse, Format};
use crate::spec::Spec;
use crate::validate::{validate, Validated};

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
    let multi: MultiSpec = serde_path_to_error::deserialize(value).map_err(|e| {
        let mut d = Diagnostics::default();
        d.error(e.path().to_string(), e.inner().to_string());
        d
    })?;
    let mut all = Diagnostics::default();
    let mut models = Vec::new();
    if multi.environments.is_empty() {
        all.error_hint(
            "environments",
            "no environment is defined",
            "add at least one, such as `production: {}`",
        );
    }
    for (name, over) in multi.environments {
        let prefix = format!("environments.{name}");
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
        let spec: Result<Spec, Diagnostics> = serde_yaml::to_string(&merged)
            .map_err(|e| {
                let mut d = Diagnostics::default();
                d.error("", e.to_string());
                d
            })
            .and_then(|text| parse(text.as_bytes(), Format::Yaml));
        match spec.and_then(validate) {
            Ok(m) => models.push(m),
            Err(d) => {
                for diag in d.0 {
                    all.push(Diagnostic {
                        path: if diag.path.is_empty() {
                            prefix.clone()
                        } else {
                            format!("{prefix}.{}", diag.path)
                        },
                        line: None,
                        ..diag
                    });
                }
            }
        }
    }
    all.into_result(models)
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
    fn single_specs_load_as_one() {
        let models = load_all(
            b"name: kimai\ningress: { host: k.example.com }\n",
            Format::Yaml,
        )
        .unwrap();
        assert_eq!(models.len(), 1);
    }
}

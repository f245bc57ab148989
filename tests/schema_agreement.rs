//! Schema and tool agree: every example spec, every invalid fixture and hundreds of random
//! specs (valid ones and mutated ones) get the same structural verdict from the checked-in
//! `docs/spec.schema.json` (validated by the `jsonschema` crate) and from `kimai_model::parse`.

use std::path::Path;

use proptest::prelude::*;
use serde_json::{json, Value};

#[path = "common/strategy.rs"]
mod strategy;

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/spec.schema.json"),
    )
    .expect("docs/spec.schema.json");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

/// `(schema accepts, tool's parse stage accepts)` for one document.
fn verdicts(v: &jsonschema::Validator, doc: &Value) -> (bool, bool) {
    let bytes = serde_json::to_vec(doc).expect("serialises");
    (
        v.is_valid(doc),
        kimai_deploy::parse(&bytes, kimai_deploy::Format::Json).is_ok(),
    )
}

#[test]
fn examples_and_invalid_fixtures_get_the_same_verdict() {
    let v = validator();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/specs");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("examples/specs") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("spec");
        let doc: Value = serde_yaml::from_str(&text).expect("YAML");
        assert_eq!(verdicts(&v, &doc), (true, true), "{}", path.display());
        n += 1;
    }
    assert!(n >= 3);
    let fixtures = [
        json!({ "name": "kimai" }),
        json!({ "name": "kimai", "ingress": {} }),
        json!({ "name": "kimai", "ingress": { "host": "k.example.com" }, "app": { "memory": 1024 } }),
        json!({ "name": "kimai", "ingress": { "host": "k.example.com", "tsl": {} } }),
        json!({ "name": "kimai", "ingress": { "host": "k.example.com" }, "database": { "mode": "rds" } }),
        json!({ "name": "kimai", "ingress": { "host": "k.example.com" }, "database": { "password": "x" } }),
        json!({ "name": "kimai", "ingress": { "host": "k.example.com" }, "database": { "port": 70000 } }),
        json!({ "name": "kimai", "ingress": { "host": "k.example.com" }, "app": { "replicas": -1 } }),
        json!({ "name": "kimai", "ingress": { "host": "k.example.com" }, "app": { "replicas": 1.5 } }),
        json!({ "name": "kimai", "ingress": { "host": "k.example.com" }, "app": { "env": { "A": { "plain": 1 } } } }),
        json!({ "name": "kimai", "ingress": { "host": "k.example.com" }, "app": { "env": { "A": { "secret": "a", "plain": "b" } } } }),
        json!({ "name": "kimai", "ingress": { "host": "k.example.com" }, "scaling": null, "backup": { "schedule": "1 * * * *" } }),
        json!({ "name": "kimai", "ingress": { "host": null } }),
        json!({ "name": "kimai", "ingress": { "host": "k.example.com" }, "app": null }),
        json!([]),
        json!("kimai"),
    ];
    for doc in fixtures {
        let (schema, tool) = verdicts(&v, &doc);
        assert_eq!(
            schema, tool,
            "schema says {schema}, tool says {tool} for {doc}"
        );
        assert!(!schema, "fixture is invalid: {doc}");
    }
}

/// A path to a random node of `doc` (mapping keys and list indices), chosen by `pick`.
fn node_paths(doc: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(path.clone());
    match doc {
        Value::Object(m) => {
            for (k, v) in m {
                path.push(k.clone());
                node_paths(v, path, out);
                path.pop();
            }
        }
        Value::Array(xs) => {
            for (i, v) in xs.iter().enumerate() {
                path.push(i.to_string());
                node_paths(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn node_mut<'a>(doc: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(doc, |v, seg| match v {
        Value::Array(xs) => &mut xs[seg.parse::<usize>().unwrap_or(0)],
        other => &mut other[seg.as_str()],
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_specs_get_the_same_verdict(
        spec in strategy::spec(),
        mutation in 0usize..6,
        pick in any::<prop::sample::Index>(),
        junk in prop::sample::select(vec![json!(7), json!(-3), json!(1.25), json!(true), json!("text"), json!(null), json!([]), json!({}), json!({ "secret": "x" }), json!(4_294_967_296u64)]),
    ) {
        let v = validator();
        let mut doc = serde_json::to_value(&spec).expect("serialises");
        let mut paths = Vec::new();
        node_paths(&doc, &mut Vec::new(), &mut paths);
        let path = pick.get(&paths).clone();
        match mutation {
            // 0: unchanged (valid).
            1 => if let Value::Object(m) = node_mut(&mut doc, &path) { m.insert("unknown_key".into(), json!(1)); },
            2 | 3 if !path.is_empty() => *node_mut(&mut doc, &path) = junk,
            4 => if let Some((last, parent)) = path.split_last() {
                if let Value::Object(m) = node_mut(&mut doc, parent) { m.remove(last); }
            },
            5 if !path.is_empty() => *node_mut(&mut doc, &path) = json!("not-an-allowed-value"),
            _ => {}
        }
        let (schema, tool) = verdicts(&v, &doc);
        prop_assert_eq!(schema, tool, "schema says {}, tool says {} for {}", schema, tool, doc);
        if mutation == 0 {
            prop_assert!(schema, "a generated valid spec passes: {}", doc);
        }
    }
}

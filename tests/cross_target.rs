//! One meaning on every target: over generated valid specs, every target that accepts the spec
//! renders without error, twice the same, with the same image, port, env values (byte-exact
//! after each format's own unescaping), probes and secret references — and no secret value.

use std::collections::BTreeMap;

use kimai_deploy::model::{validate, Target, Validated};
use kimai_deploy::{render, Rendered};
use proptest::prelude::*;
use serde_json::Value as Json;
use serde_yaml::Value as Yaml;

#[path = "common/strategy.rs"]
mod strategy;

fn yaml(r: &Rendered, path: &str) -> Yaml {
    let text = &r
        .file(path)
        .unwrap_or_else(|| panic!("{path} rendered"))
        .contents;
    serde_yaml::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Compose: the kimai service's environment, `$$` read back as Compose does.
fn compose_env(r: &Rendered, path: &str) -> BTreeMap<String, String> {
    let y = yaml(r, path);
    let env: BTreeMap<String, String> =
        serde_yaml::from_value(y["services"]["kimai"]["environment"].clone()).expect("string map");
    env.into_iter()
        .map(|(k, v)| (k, v.replace("$$", "$")))
        .collect()
}

/// Kubernetes: the kimai container's plain env values, `$$` read back as the kubelet does.
fn k8s_env(r: &Rendered) -> BTreeMap<String, String> {
    let y = yaml(r, "deployment.yaml");
    let containers = y["spec"]["template"]["spec"]["containers"]
        .as_sequence()
        .expect("containers");
    let kimai = containers
        .iter()
        .find(|c| c["name"] == "kimai")
        .expect("container kimai");
    kimai["env"]
        .as_sequence()
        .expect("env")
        .iter()
        .filter_map(|e| {
            Some((
                e["name"].as_str()?.to_string(),
                e["value"].as_str()?.replace("$$", "$"),
            ))
        })
        .collect()
}

/// ECS: the kimai container's environment as written.
fn ecs_env(r: &Rendered) -> (Json, BTreeMap<String, String>) {
    let td: Json = serde_json::from_str(
        &r.file("task-definition.json")
            .expect("task definition")
            .contents,
    )
    .expect("json");
    let kimai = td["containerDefinitions"]
        .as_array()
        .expect("containers")
        .iter()
        .find(|c| c["name"] == "kimai")
        .expect("container kimai")
        .clone();
    let env = kimai["environment"]
        .as_array()
        .expect("environment")
        .iter()
        .filter_map(|e| {
            Some((
                e["name"].as_str()?.to_string(),
                e["value"].as_str()?.to_string(),
            ))
        })
        .collect();
    (kimai, env)
}

fn rendered_targets(model: &Validated) -> Result<BTreeMap<Target, Rendered>, TestCaseError> {
    let mut out = BTreeMap::new();
    for target in Target::ALL {
        if model.check_target(target).is_err() {
            continue;
        }
        let a = render(model, target)
            .map_err(|e| TestCaseError::fail(format!("{}: {e}", target.as_str())))?;
        let b = render(model, target).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&a, &b, "{} renders the same bytes twice", target.as_str());
        out.insert(target, a);
    }
    Ok(out)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_target_says_the_same(spec in strategy::spec()) {
        let wanted: BTreeMap<String, String> = spec
            .app
            .env
            .iter()
            .filter_map(|(k, v)| v.plain().map(|p| (k.clone(), p.to_string())))
            .collect();
        let model = validate(spec).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let targets = rendered_targets(&model)?;
        prop_assert!(targets.contains_key(&Target::Compose) && targets.contains_key(&Target::Ansible));
        let image = model.image();

        let compose = &targets[&Target::Compose];
        let env = compose_env(compose, "compose.yaml");
        for (k, v) in &wanted {
            prop_assert_eq!(env.get(k), Some(v), "compose env {}", k);
        }
        let compose_yaml = yaml(compose, "compose.yaml");
        prop_assert_eq!(compose_yaml["services"]["kimai"]["image"].as_str(), Some(image.as_str()));

        // Ansible deploys exactly the Compose project.
        let ansible = &targets[&Target::Ansible];
        prop_assert_eq!(
            &ansible
                .file(&format!("files/{}", ansible_render::stored_path("compose.yaml")))
                .expect("copied compose.yaml")
                .contents,
            &compose.file("compose.yaml").expect("compose.yaml").contents
        );

        if let Some(k8s) = targets.get(&Target::Kubernetes) {
            let env = k8s_env(k8s);
            for (k, v) in &wanted {
                prop_assert_eq!(env.get(k), Some(v), "k8s env {}", k);
            }
            let d = yaml(k8s, "deployment.yaml");
            let c = &d["spec"]["template"]["spec"]["containers"][0];
            prop_assert_eq!(c["image"].as_str(), Some(image.as_str()));
            prop_assert_eq!(c["ports"][0]["containerPort"].as_u64(), Some(8001));
            prop_assert_eq!(c["startupProbe"]["httpGet"]["path"].as_str(), Some("/en/login"));
            prop_assert_eq!(c["resources"]["requests"]["memory"].as_str(), Some(model.spec().app.memory.as_str()));
            prop_assert_eq!(d["spec"].get("replicas").is_none(), model.spec().scaling.is_some(), "an HPA owns the count");
        }

        if let Some(ecs) = targets.get(&Target::Ecs) {
            let (kimai, env) = ecs_env(ecs);
            for (k, v) in &wanted {
                prop_assert_eq!(env.get(k), Some(v), "ecs env {}", k);
            }
            prop_assert_eq!(kimai["image"].as_str(), Some(image.as_str()));
            prop_assert_eq!(kimai["portMappings"][0]["containerPort"].as_u64(), Some(8001));
            let secrets: Vec<&str> = kimai["secrets"].as_array().expect("secrets").iter().filter_map(|s| s["name"].as_str()).collect();
            prop_assert!(secrets.contains(&"DATABASE_URL") && secrets.contains(&"APP_SECRET"));
        }
    }

    /// A secret value never reaches any output: the spec can only name secrets, so a canary
    /// *name* may appear only where references belong, and the canary value nowhere.
    #[test]
    fn secrets_appear_only_as_references(spec in strategy::spec()) {
        let mut spec = spec;
        spec.app.app_secret = kimai_deploy::model::SecretRef::new("canary-secret-zq");
        let model = validate(spec).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (target, r) in rendered_targets(&model)? {
            for f in &r.files {
                for line in f.contents.lines().filter(|l| l.contains("canary") && !f.path.ends_with(".md")) {
                    let reference = line.contains("CANARY_SECRET_ZQ")
                        || line.contains("vault_canary_secret_zq")
                        || line.contains("canary_secret_zq")
                        || line.contains("canary-secret-zq");
                    prop_assert!(reference, "{}: {}: unexpected `{}`", target.as_str(), f.path, line);
                }
            }
        }
    }
}

//! `app.env` secret references are lowered natively on every target, like the built-in
//! secrets, and listed wherever the built-in secrets are: Compose `.env`, the Kubernetes Secret
//! and ExternalSecret, ECS `secrets`, the Ansible vault example and every deploy note.

use kimai_deploy::model::{validate, EnvVar, SecretRef};
use kimai_deploy::{parse, render_all, Format, Rendered, Selection, Target};
use serde_json::Value;

fn rendered() -> Vec<(Target, Rendered)> {
    let mut spec =
        parse(kimai_deploy::DEFAULT_SPEC.as_bytes(), Format::Yaml).expect("default spec");
    spec.app.env.insert(
        "SMTP_PASSWORD".into(),
        EnvVar::Secret(SecretRef::new("smtp-password")),
    );
    spec.app.env.insert(
        "PASSWORD_MIN".into(),
        EnvVar::NotSecret(kimai_deploy::model::NotSecret { plain: "12".into() }),
    );
    let model = validate(spec).expect("valid");
    assert!(model.secrets().contains(&SecretRef::new("smtp-password")));
    let outcome = render_all(&model, Selection::All).expect("renders");
    assert_eq!(
        outcome.rendered.len(),
        kimai_deploy::Target::ALL.len(),
        "every target renders: {:?}",
        outcome.skipped
    );
    outcome.rendered
}

fn file<'a>(all: &'a [(Target, Rendered)], target: Target, path: &str) -> &'a str {
    let r = &all.iter().find(|(t, _)| *t == target).expect("target").1;
    &r.file(path).unwrap_or_else(|| panic!("{path}")).contents
}

fn yaml_docs(text: &str) -> Vec<Value> {
    serde_yaml::Deserializer::from_str(text)
        .map(|d| serde::Deserialize::deserialize(d).expect("yaml"))
        .collect()
}

#[test]
fn compose_reads_it_from_env() {
    let all = rendered();
    let compose: Value =
        serde_yaml::from_str(file(&all, Target::Compose, "compose.yaml")).expect("yaml");
    let env = &compose["services"]["kimai"]["environment"];
    assert!(
        env["SMTP_PASSWORD"]
            .as_str()
            .is_some_and(|v| v.starts_with("${SMTP_PASSWORD:?")),
        "{env:?}"
    );
    assert_eq!(env["PASSWORD_MIN"], "12");
    assert!(file(&all, Target::Compose, ".env.example").contains("\nSMTP_PASSWORD=\n"));
}

#[test]
fn kubernetes_reads_a_key_of_the_secret_filled_by_the_external_secret() {
    let all = rendered();
    let docs = yaml_docs(file(&all, Target::Kubernetes, "deployment.yaml"));
    let env = docs
        .iter()
        .flat_map(|d| {
            d["spec"]["template"]["spec"]["containers"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .find(|c| c["name"] == "kimai")
        .expect("kimai container")["env"]
        .clone();
    let smtp = env
        .as_array()
        .expect("env")
        .iter()
        .find(|e| e["name"] == "SMTP_PASSWORD")
        .expect("SMTP_PASSWORD");
    assert_eq!(smtp["valueFrom"]["secretKeyRef"]["key"], "smtp-password");
    assert!(smtp.get("value").is_none());
    let es = yaml_docs(file(&all, Target::Kubernetes, "externalsecret.yaml"));
    let data = es[0]["spec"]["data"].as_array().expect("data");
    assert!(
        data.iter().any(|d| d["secretKey"] == "smtp-password"
            && d["remoteRef"]["key"]
                .as_str()
                .is_some_and(|k| k.ends_with("/smtp_password"))),
        "{data:?}"
    );
    assert!(file(&all, Target::Kubernetes, "README.md").contains("smtp-password"));
}

#[test]
fn ecs_injects_it_from_the_secret_store() {
    let all = rendered();
    let td: Value =
        serde_json::from_str(file(&all, Target::Ecs, "task-definition.json")).expect("json");
    let kimai = td["containerDefinitions"]
        .as_array()
        .expect("containers")
        .iter()
        .find(|c| c["name"] == "kimai")
        .expect("kimai");
    let secret = kimai["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .find(|s| s["name"] == "SMTP_PASSWORD")
        .expect("SMTP_PASSWORD");
    assert!(
        secret["valueFrom"].as_str().is_some_and(
            |a| a.starts_with("arn:aws:secretsmanager:") && a.ends_with("/smtp_password")
        ),
        "{secret}"
    );
    assert!(!kimai["environment"]
        .as_array()
        .expect("environment")
        .iter()
        .any(|e| e["name"] == "SMTP_PASSWORD"));
    assert!(file(&all, Target::Ecs, "README.md").contains("smtp_password"));
}

#[test]
fn ansible_fills_it_from_the_vault() {
    let all = rendered();
    assert!(
        file(&all, Target::Ansible, "group_vars/all/vault.yml.example")
            .contains("vault_smtp_password: \"\"")
    );
    assert!(file(&all, Target::Ansible, "templates/env.j2")
        .contains("SMTP_PASSWORD=\"{{ vault_smtp_password"));
}

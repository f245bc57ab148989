//! Terraform creates every AWS name `ecs/` and `k8s/` reference — IAM roles (task definition,
//! IRSA annotations), Secrets Manager secrets (`valueFrom`, ExternalSecret keys), the log
//! group, the cluster, the target group; on the EKS platform the ClusterSecretStore, the
//! StorageClass and volume of Kimai's claim, the ServiceAccounts IRSA roles trust and the
//! namespace Fargate selects — or its README lists it as operator-supplied; for
//! every example and fixture spec with an `aws` section and for generated specs. The `.tf`
//! files are parsed with `hcl-rs`, and every created name must be a literal.

use std::collections::{BTreeMap, BTreeSet};

use hcl::{Body, Expression};
use kimai_deploy::model::{load, validate, Format, Target, Validated};
use kimai_deploy::{render, Rendered};
use proptest::prelude::*;
use serde_json::Value as Json;
use serde_yaml::Value as Yaml;

#[path = "common/strategy.rs"]
mod strategy;

/// `(kind, name, where)` of every name ecs/ and k8s/ reference.
fn referenced(
    ecs: Option<&Rendered>,
    k8s: Option<&Rendered>,
) -> Vec<(&'static str, String, String)> {
    let mut v = Vec::new();
    let role_of = |arn: &str| {
        arn.rsplit(":role/")
            .next()
            .map(|r| r.rsplit('/').next().unwrap_or(r).to_string())
    };
    for f in ecs
        .iter()
        .flat_map(|r| &r.files)
        .filter(|f| f.path.ends_with(".json"))
    {
        let doc: Json = serde_json::from_str(&f.contents).expect("ECS JSON parses");
        for key in ["executionRoleArn", "taskRoleArn"] {
            if let Some(name) = doc[key].as_str().and_then(role_of) {
                v.push(("role", name, format!("ecs/{} {key}", f.path)));
            }
        }
        for c in doc["containerDefinitions"].as_array().into_iter().flatten() {
            for s in c["secrets"].as_array().into_iter().flatten() {
                let from = s["valueFrom"].as_str().unwrap_or_default();
                if let Some(name) = from
                    .split(":secretsmanager:")
                    .nth(1)
                    .and_then(|r| r.split(":secret:").nth(1))
                {
                    v.push((
                        "secret",
                        name.to_string(),
                        format!("ecs/{} valueFrom", f.path),
                    ));
                }
            }
            if let Some(g) = c["logConfiguration"]["options"]["awslogs-group"].as_str() {
                v.push((
                    "log_group",
                    g.to_string(),
                    format!("ecs/{} awslogs-group", f.path),
                ));
            }
        }
        if let (Some(cluster), true) = (doc["cluster"].as_str(), doc.get("serviceName").is_some()) {
            v.push((
                "cluster",
                cluster.to_string(),
                format!("ecs/{} cluster", f.path),
            ));
        }
        for lb in doc["loadBalancers"].as_array().into_iter().flatten() {
            let arn = lb["targetGroupArn"].as_str().unwrap_or_default();
            if let Some(name) = arn
                .split(":targetgroup/")
                .nth(1)
                .and_then(|r| r.split('/').next())
            {
                v.push((
                    "target_group",
                    name.to_string(),
                    format!("ecs/{} targetGroupArn", f.path),
                ));
            }
        }
    }
    for f in k8s
        .iter()
        .flat_map(|r| &r.files)
        .filter(|f| f.path.ends_with(".yaml") && !f.path.contains('/'))
    {
        for d in serde_yaml::Deserializer::from_str(&f.contents) {
            let doc: Yaml = serde::Deserialize::deserialize(d).expect("manifest parses");
            if let Some(arn) = doc["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].as_str()
            {
                v.push((
                    "role",
                    role_of(arn).unwrap_or_default(),
                    format!("k8s/{} role-arn", f.path),
                ));
            }
            if doc["kind"].as_str() == Some("ExternalSecret")
                && doc["spec"]["secretStoreRef"]["kind"].as_str() == Some("ClusterSecretStore")
            {
                if let Some(store) = doc["spec"]["secretStoreRef"]["name"].as_str() {
                    v.push((
                        "secret_store",
                        store.to_string(),
                        format!("k8s/{} secretStoreRef", f.path),
                    ));
                }
            }
            if doc["kind"].as_str() == Some("PersistentVolumeClaim") {
                let pv_here = k8s
                    .iter()
                    .flat_map(|r| &r.files)
                    .any(|f| f.contents.contains("kind: PersistentVolume\n"));
                if let Some(class) = doc["spec"]["storageClassName"]
                    .as_str()
                    .filter(|c| !c.is_empty())
                {
                    if !pv_here && class.ends_with("-efs") {
                        v.push((
                            "storage_class",
                            class.to_string(),
                            format!("k8s/{} storageClassName", f.path),
                        ));
                    }
                }
                if let (Some(volume), false) = (doc["spec"]["volumeName"].as_str(), pv_here) {
                    v.push((
                        "volume",
                        volume.to_string(),
                        format!("k8s/{} volumeName", f.path),
                    ));
                }
            }
            if doc["kind"].as_str() == Some("ExternalSecret") {
                for item in doc["spec"]["data"].as_sequence().into_iter().flatten() {
                    if let Some(key) = item["remoteRef"]["key"].as_str() {
                        v.push((
                            "secret",
                            key.to_string(),
                            format!("k8s/{} remoteRef", f.path),
                        ));
                    }
                }
            }
        }
    }
    v
}

/// Names created by `terraform/`, by kind; every such name must be a literal string.
fn created(tf: &Rendered) -> BTreeMap<&'static str, BTreeSet<String>> {
    let kinds = [
        ("aws_iam_role", "name", "role"),
        ("aws_secretsmanager_secret", "name", "secret"),
        ("aws_cloudwatch_log_group", "name", "log_group"),
        ("aws_ecs_cluster", "name", "cluster"),
        ("aws_lb_target_group", "name", "target_group"),
        ("aws_s3_bucket", "bucket", "bucket"),
    ];
    let mut out: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    // The ClusterSecretStore of the generated platform chart.
    for f in tf
        .files
        .iter()
        .filter(|f| f.path.starts_with("charts/platform/templates/"))
    {
        let doc: Yaml = serde_yaml::from_str(&f.contents).expect("chart manifest parses");
        if doc["kind"].as_str() == Some("ClusterSecretStore") {
            out.entry("secret_store").or_default().insert(
                doc["metadata"]["name"]
                    .as_str()
                    .expect("store name")
                    .to_string(),
            );
        }
    }
    for f in tf.files.iter().filter(|f| f.path.ends_with(".tf")) {
        let body: Body = hcl::from_str(&f.contents).unwrap_or_else(|e| panic!("{}: {e}", f.path));
        for block in body.blocks().filter(|b| b.identifier() == "resource") {
            let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
            // Kubernetes objects: their literal `metadata { name }`.
            for (rtype, kind) in [
                ("kubernetes_storage_class_v1", "storage_class"),
                ("kubernetes_persistent_volume_v1", "volume"),
            ] {
                if labels.first() == Some(&rtype) {
                    let name = block
                        .body()
                        .blocks()
                        .find(|b| b.identifier() == "metadata")
                        .and_then(|m| m.body().attributes().find(|a| a.key() == "name"))
                        .map(|a| a.expr().clone());
                    match name {
                        Some(Expression::String(s)) => {
                            out.entry(kind).or_default().insert(s);
                        }
                        other => panic!("{}: {rtype} name is not a literal: {other:?}", f.path),
                    }
                }
            }
            for (rtype, attr, kind) in kinds {
                if labels.first() == Some(&rtype) {
                    let value = block
                        .body()
                        .attributes()
                        .find(|a| a.key() == attr)
                        .map(|a| a.expr().clone());
                    match value {
                        Some(Expression::String(s)) => {
                            out.entry(kind).or_default().insert(s);
                        }
                        other => panic!(
                            "{}: {rtype}.{} {attr} is not a literal: {other:?}",
                            f.path, labels[1]
                        ),
                    }
                }
            }
        }
    }
    out
}

/// Asserts the invariant for one model; returns how many references were checked.
fn check(label: &str, model: &Validated) -> usize {
    let Ok(tf) = render(model, Target::Terraform) else {
        return 0;
    };
    let ecs = render(model, Target::Ecs).ok();
    let k8s = render(model, Target::Kubernetes).ok();
    let made = created(&tf);
    let readme = &tf.file("README.md").expect("README").contents;
    let supplied = readme
        .split("Operator-supplied")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap_or("");
    // Cluster objects are Terraform's only on the EKS platform it manages (`aws.eks`).
    let eks = model.names().eks.is_some();
    let refs: Vec<_> = referenced(ecs.as_ref(), k8s.as_ref())
        .into_iter()
        .filter(|(kind, _, _)| eks || !matches!(*kind, "secret_store" | "storage_class" | "volume"))
        .collect();
    for (kind, name, place) in &refs {
        let ok = made.get(kind).is_some_and(|s| s.contains(name))
            || supplied.contains(&format!("{name}`"));
        assert!(ok, "{label}: {place}: {kind} `{name}` is neither created in terraform/ ({:?}) nor listed as operator-supplied", made.get(kind));
    }
    // IRSA: each annotated ServiceAccount of k8s/ is the subject its role trusts, and a
    // Fargate profile selects the namespace the manifests use.
    let tf_text: String = tf.files.iter().map(|f| f.contents.as_str()).collect();
    for f in k8s
        .iter()
        .flat_map(|r| &r.files)
        .filter(|f| f.path == "serviceaccount.yaml")
    {
        for d in serde_yaml::Deserializer::from_str(&f.contents) {
            let doc: Yaml = serde::Deserialize::deserialize(d).expect("manifest parses");
            if doc["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].is_string()
                && model.names().eks.is_some()
            {
                let subject = format!(
                    "system:serviceaccount:{}:{}",
                    doc["metadata"]["namespace"].as_str().unwrap_or_default(),
                    doc["metadata"]["name"].as_str().unwrap_or_default()
                );
                assert!(
                    tf_text.contains(&format!("\"{subject}\"")),
                    "{label}: no role trusts {subject}"
                );
            }
        }
    }
    if model
        .spec()
        .aws
        .as_ref()
        .and_then(|a| a.eks.as_ref())
        .is_some_and(|e| e.fargate)
    {
        let ns = &model.names().namespace;
        assert!(
            tf_text.contains(&format!("namespace = \"{ns}\"")),
            "{label}: no Fargate profile selects namespace {ns}"
        );
    }
    // Every file `terraform/` reads from the other targets' folders (`../ecs/...`,
    // `../k8s/...`) and from its own (`charts/platform`) is rendered.
    for (i, _) in tf_text.match_indices("${path.module}/") {
        let rest = &tf_text[i + "${path.module}/".len()..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "/._-".contains(*c))
            .collect();
        let found = match path.strip_prefix("../").and_then(|p| p.split_once('/')) {
            Some(("ecs", file)) => ecs.as_ref().is_some_and(|r| r.file(file).is_some()),
            Some(("k8s", file)) => k8s.as_ref().is_some_and(|r| r.file(file).is_some()),
            Some(_) => false,
            None => tf
                .files
                .iter()
                .any(|f| f.path == path || f.path.starts_with(&format!("{path}/"))),
        };
        assert!(
            found,
            "{label}: terraform/ reads `{path}`, which no target renders"
        );
    }
    // The backup bucket and every role of the README exist in the .tf.
    if let Some(b) = &model.names().backup_bucket {
        assert!(
            made.get("bucket").is_some_and(|s| s.contains(b)),
            "{label}: bucket {b}"
        );
    }
    refs.len()
}

fn spec_files() -> Vec<std::path::PathBuf> {
    let mut v = Vec::new();
    for dir in [
        "examples/specs",
        "crates/terraform-render/tests/fixtures",
        "crates/ecs-render/tests/fixtures",
    ] {
        for e in std::fs::read_dir(dir).expect("dir") {
            v.push(e.expect("entry").path());
        }
    }
    v.sort();
    v
}

#[test]
fn every_example_and_fixture() {
    let mut checked = 0;
    for p in spec_files() {
        let bytes = std::fs::read(&p).expect("read");
        let format = Format::from_file_name(&p.to_string_lossy());
        let model = load(&bytes, format).expect("valid spec");
        checked += check(&p.display().to_string(), &model);
    }
    // The default spec alone references roles, secrets, log group, cluster and target group.
    assert!(checked > 20, "only {checked} references checked");
}

#[test]
fn terraform_renders_only_with_an_aws_section() {
    for p in spec_files() {
        let bytes = std::fs::read(&p).expect("read");
        let model = load(&bytes, Format::from_file_name(&p.to_string_lossy())).expect("valid spec");
        let has_aws = model.spec().aws.is_some();
        assert_eq!(
            render(&model, Target::Terraform).is_ok(),
            has_aws,
            "{}",
            p.display()
        );
        let outcome =
            kimai_deploy::render_all(&model, kimai_deploy::Selection::All).expect("renders");
        let skipped = outcome.skipped.iter().any(|(t, _)| *t == Target::Terraform);
        assert_eq!(skipped, !has_aws, "{}", p.display());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generated_specs(spec in strategy::spec()) {
        let model = validate(spec).map_err(|e| TestCaseError::fail(e.to_string()))?;
        check("generated spec", &model);
    }
}

//! Correct on the first apply: every name a deploy note prints is the name the manifests and
//! JSON use (and the reverse), and environments of one file never share a platform name.

use std::collections::{BTreeMap, BTreeSet};

use kimai_deploy::model::{load_all, validate, Format, Target, Validated};
use kimai_deploy::{render, Rendered};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::Value as Json;
use serde_yaml::Value as Yaml;

#[path = "common/strategy.rs"]
mod strategy;

fn example_models() -> Vec<(String, Validated)> {
    let mut v = Vec::new();
    for dir in ["examples/specs", "examples/environments"] {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .expect("examples")
            .map(|e| e.expect("entry").path())
            .collect();
        paths.sort();
        for p in paths {
            let format = if p.extension().is_some_and(|e| e == "json") {
                Format::Json
            } else {
                Format::Yaml
            };
            let bytes = std::fs::read(&p).expect("read");
            for m in load_all(&bytes, format).expect("example specs are valid") {
                v.push((format!("{} ({})", p.display(), m.environment()), m));
            }
        }
    }
    v
}

/// Every YAML document of every top-level manifest.
fn manifests(r: &Rendered) -> Vec<Yaml> {
    r.files
        .iter()
        .filter(|f| f.path.ends_with(".yaml") && !f.path.contains('/'))
        .filter(|f| f.path != "kustomization.yaml")
        .flat_map(|f| {
            serde_yaml::Deserializer::from_str(&f.contents)
                .map(|d| Yaml::deserialize(d).expect("manifest parses"))
                .collect::<Vec<_>>()
        })
        .collect()
}

use serde::Deserialize;

/// Text between backticks in a Markdown note.
fn backticked(note: &str) -> Vec<String> {
    note.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// Kubernetes: the note's namespace, Secret, ServiceAccount, remote secret names and backup role
/// are exactly the manifests', and every remote secret name the note prints is one the
/// ExternalSecret reads.
fn check_k8s(label: &str, model: &Validated) {
    let Ok(r) = render(model, Target::Kubernetes) else {
        return;
    };
    let note = &r.file("README.md").expect("note").contents;
    let docs = manifests(&r);
    let names = model.names();
    // The namespace object and every namespaced object use the derived namespace.
    for d in &docs {
        let kind = d["kind"].as_str().unwrap_or_default();
        if kind == "Namespace" {
            assert_eq!(
                d["metadata"]["name"].as_str(),
                Some(names.namespace.as_str()),
                "{label}"
            );
        } else if let Some(ns) = d["metadata"]["namespace"].as_str() {
            assert_eq!(ns, names.namespace, "{label}: {kind}");
        }
    }
    assert!(
        note.contains(&format!("(namespace `{}`)", names.namespace)),
        "{label}"
    );
    // The Secret the pods read is the one the note says to create (or ESO creates).
    let secret_refs: BTreeSet<String> = docs
        .iter()
        .flat_map(|d| {
            let text = serde_yaml::to_string(d).expect("yaml");
            text.lines()
                .filter_map(|l| l.trim().strip_prefix("name: "))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(secret_refs.contains(&names.k8s_secret), "{label}");
    assert!(note.contains(&format!("`{}`", names.k8s_secret)), "{label}");
    // ExternalSecret remote keys ↔ the names the note lists.
    let remote: BTreeSet<String> = docs
        .iter()
        .filter(|d| d["kind"] == "ExternalSecret")
        .flat_map(|d| {
            d["spec"]["data"]
                .as_sequence()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|e| {
                    e["remoteRef"]["key"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                })
        })
        .collect();
    let prefix = format!("{}/", names.secrets_prefix);
    let printed: BTreeSet<String> = backticked(note)
        .into_iter()
        .filter(|t| t.starts_with(&prefix) && !t.contains(' '))
        .collect();
    // On the EKS platform the secrets exist (Terraform created them empty): the note puts
    // values, and it also lists the Datadog agent's key, which Terraform's platform chart reads.
    let eks = names.eks.is_some();
    let command = if eks { "--secret-id" } else { "--name" };
    let mut expected = remote.clone();
    if let Some(key) = terraform_datadog_key(model) {
        expected.insert(key);
    }
    if kimai_model::names::external_secrets(model).is_some() {
        assert!(!remote.is_empty(), "{label}");
        assert_eq!(
            printed, expected,
            "{label}: note and ExternalSecrets disagree"
        );
        for key in &expected {
            assert!(
                note.contains(&format!("{command} {key} ")),
                "{label}: no command for {key}"
            );
        }
    } else {
        assert!(printed.is_empty(), "{label}: {printed:?}");
    }
    // On the EKS platform the note installs nothing: its steps are Terraform, the secret
    // values and `kubectl apply -k`, and it runs no helm or kubectl-create command.
    if eks {
        let steps = note
            .split("## Apply order")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("1. "))
            .count();
        assert_eq!(steps, 3, "{label}: {note}");
        for command in [
            "helm ",
            "kubectl create",
            "create-secret",
            "put-bucket-lifecycle",
        ] {
            assert!(
                !note.contains(command),
                "{label}: the note runs `{command}`"
            );
        }
    }
    // Backup: the ServiceAccount's role is the one the note tells the operator to create.
    for d in &docs {
        if d["kind"] == "ServiceAccount"
            && d["metadata"]["name"] == names.backup_service_account.as_str()
        {
            assert!(
                note.contains(&format!("`{}`", names.backup_service_account)),
                "{label}"
            );
            if let Some(arn) = d["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].as_str() {
                if model.spec().aws.is_some() {
                    assert!(
                        note.contains(arn) || !arn.ends_with(&names.backup_role),
                        "{label}"
                    );
                }
            }
        }
    }
    if let Some(prefix) = &names.backup_prefix {
        // Terraform makes the lifecycle rule on the EKS platform; elsewhere the note's command.
        let shown = if eks {
            format!("/{prefix}/`")
        } else {
            format!("\"Prefix\": \"{prefix}/\"")
        };
        assert!(note.contains(&shown), "{label}");
        let cron = docs
            .iter()
            .find(|d| d["kind"] == "CronJob")
            .expect("cron job");
        assert!(
            serde_yaml::to_string(cron)
                .expect("yaml")
                .contains(prefix.as_str()),
            "{label}"
        );
    }
}

/// ECS: every ARN and name in the JSON is in the note, and every ARN the note prints is in the
/// JSON (an IAM resource pattern `-??????` or an EFS file system of the JSON aside).
fn check_ecs(label: &str, model: &Validated) {
    let Ok(r) = render(model, Target::Ecs) else {
        return;
    };
    let note = &r.file("README.md").expect("note").contents;
    let json: String = r
        .files
        .iter()
        .filter(|f| f.path.ends_with(".json"))
        .map(|f| f.contents.clone())
        .collect();
    let td: Json =
        serde_json::from_str(&r.file("task-definition.json").expect("td").contents).expect("json");
    let svc: Json =
        serde_json::from_str(&r.file("service.json").expect("service").contents).expect("json");
    for arn in [&td["executionRoleArn"], &td["taskRoleArn"]] {
        let arn = arn.as_str().expect("role arn");
        assert!(note.contains(&format!("`{arn}`")), "{label}: {arn}");
    }
    for c in td["containerDefinitions"].as_array().expect("containers") {
        for s in c["secrets"].as_array().cloned().unwrap_or_default() {
            let arn = s["valueFrom"].as_str().expect("valueFrom");
            assert!(note.contains(&format!("`{arn}`")), "{label}: {arn}");
        }
        let group = c["logConfiguration"]["options"]["awslogs-group"]
            .as_str()
            .expect("group");
        assert!(
            note.contains(&format!("--log-group-name {group} ")),
            "{label}"
        );
    }
    for key in ["cluster", "serviceName"] {
        let v = svc[key].as_str().expect("name");
        assert!(note.contains(&format!("`{v}`")), "{label}: {key} {v}");
    }
    assert!(note.contains(&format!(
        "--cluster {} --services {}",
        svc["cluster"].as_str().unwrap_or_default(),
        svc["serviceName"].as_str().unwrap_or_default()
    )));
    // The reverse: no ARN in the note that the JSON does not carry.
    let spec_arns: Vec<String> = [
        model.spec().ingress.tls.certificate_arn.clone(),
        model.spec().ingress.waf_acl_arn.clone(),
        model
            .spec()
            .targets
            .ecs
            .as_ref()
            .and_then(|e| e.load_balancer_arn.clone()),
    ]
    .into_iter()
    .flatten()
    .collect();
    for token in backticked(note) {
        if !token.starts_with("arn:") {
            continue;
        }
        let plain = token.trim_end_matches("-??????");
        let efs = token.contains(":elasticfilesystem:")
            && token.rsplit('/').next().is_some_and(|fs| json.contains(fs));
        assert!(
            json.contains(plain) || efs || spec_arns.contains(&token),
            "{label}: the note prints `{token}`, which no ECS file uses"
        );
    }
    // Secret names the note creates are the ones the ARNs end in.
    for line in note.lines().filter(|l| {
        (l.contains("create-secret") || l.contains("put-parameter")) && l.contains("--name ")
    }) {
        let name = line
            .split("--name ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .expect("name");
        assert!(
            json.contains(name.trim_start_matches('/')),
            "{label}: {name}"
        );
    }
}

#[test]
fn every_example_note_prints_the_names_its_files_use() {
    for (label, m) in example_models() {
        check_k8s(&label, &m);
        check_ecs(&label, &m);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn every_generated_note_prints_the_names_its_files_use(spec in strategy::spec()) {
        let model = validate(spec).expect("strategy specs are valid");
        check_k8s("generated", &model);
        check_ecs("generated", &model);
    }
}

/// Identities a platform keys by name: Kubernetes `(kind, namespace, name)`, ECS and AWS names.
fn identities(model: &Validated) -> BTreeSet<String> {
    let mut v = BTreeSet::new();
    if let Ok(r) = render(model, Target::Kubernetes) {
        for d in manifests(&r) {
            v.insert(format!(
                "k8s {} {} {}",
                d["kind"].as_str().unwrap_or_default(),
                d["metadata"]["namespace"].as_str().unwrap_or("-"),
                d["metadata"]["name"].as_str().unwrap_or_default()
            ));
        }
    }
    if let Ok(r) = render(model, Target::Ecs) {
        let td: Json = serde_json::from_str(&r.file("task-definition.json").expect("td").contents)
            .expect("json");
        let svc: Json =
            serde_json::from_str(&r.file("service.json").expect("svc").contents).expect("json");
        v.insert(format!("ecs family {}", td["family"]));
        v.insert(format!(
            "ecs service {}/{}",
            svc["cluster"], svc["serviceName"]
        ));
        v.insert(format!("iam {}", td["executionRoleArn"]));
        v.insert(format!("iam {}", td["taskRoleArn"]));
        for c in td["containerDefinitions"].as_array().expect("containers") {
            v.insert(format!(
                "logs {}",
                c["logConfiguration"]["options"]["awslogs-group"]
            ));
            for s in c["secrets"].as_array().cloned().unwrap_or_default() {
                v.insert(format!("secret {}", s["valueFrom"]));
            }
        }
    }
    if let Some(p) = model.backup_prefix() {
        v.insert(format!(
            "s3 {}/{p}",
            model
                .spec()
                .backup
                .as_ref()
                .map(|b| b.s3_bucket.as_str())
                .unwrap_or("")
        ));
    }
    v
}

fn assert_disjoint(models: &[Validated]) {
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    for m in models {
        for id in identities(m) {
            if let Some(other) = owner.insert(id.clone(), m.environment().to_string()) {
                panic!("`{id}` belongs to both {other} and {}", m.environment());
            }
        }
    }
}

/// The same application on ECS and EKS in one account, three environments, nothing set per
/// environment but the host.
const AWS_ENVIRONMENTS: &str = r#"
base:
  name: kimai
  database: { mode: external, host: db.example.internal }
  storage: { class: efs, efs: { file_system_id: fs-0123456789abcdef0 } }
  ingress: { host: kimai.example.com, tls: { mode: acm, certificate_arn: "arn:aws:acm:eu-west-1:123456789012:certificate/x" } }
  backup: { s3_bucket: example-backups }
  monitoring: { datadog: { enabled: true } }
  aws: { region: eu-west-1, account_id: "123456789012" }
  targets:
    kubernetes: { external_secrets: { store: aws } }
    ecs: { cluster: shared, subnets: [subnet-01234567], security_groups: [sg-01234567] }
environments:
  dev: { ingress: { host: dev.kimai.example.com } }
  staging: { ingress: { host: staging.kimai.example.com } }
  production: {}
"#;

#[test]
fn environments_side_by_side_share_no_platform_name() {
    let bytes = std::fs::read("examples/environments/kimai.yaml").expect("example");
    let models = load_all(&bytes, Format::Yaml).expect("valid");
    assert_eq!(models.len(), 3);
    assert_disjoint(&models);

    let models = load_all(AWS_ENVIRONMENTS.as_bytes(), Format::Yaml).expect("valid");
    assert_eq!(models.len(), 3);
    let ids: Vec<_> = models.iter().map(identities).collect();
    assert!(ids
        .iter()
        .all(|i| i.iter().any(|x| x.starts_with("ecs service"))));
    assert!(ids
        .iter()
        .all(|i| i.iter().any(|x| x.starts_with("k8s Deployment"))));
    assert_disjoint(&models);
}

#[test]
fn environments_that_would_share_a_name_are_rejected() {
    let shared = AWS_ENVIRONMENTS
        .replace(
            "    kubernetes: { external_secrets: { store: aws } }",
            "    kubernetes: { namespace: kimai, external_secrets: { store: aws } }",
        )
        .replace(
            "  aws: { region: eu-west-1, account_id: \"123456789012\" }",
            "  aws: { region: eu-west-1, account_id: \"123456789012\", secrets_prefix: kimai }",
        );
    let err = load_all(shared.as_bytes(), Format::Yaml).expect_err("collisions");
    let paths: BTreeSet<&str> = err.iter().map(|d| d.path.as_str()).collect();
    for p in [
        "environments.production.targets.kubernetes.namespace",
        "environments.staging.targets.kubernetes.namespace",
        "environments.production.aws.secrets_prefix",
        "environments.staging.aws.secrets_prefix",
    ] {
        assert!(paths.contains(p), "{p} in {paths:?}");
    }
    assert!(err.to_string().contains("also environment `dev`'s"));
}

#[test]
fn kustomize_overlays_build_disjoint_environments() {
    // Plays the platform's part where kubectl is installed (CI has it): build every overlay.
    if std::process::Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        eprintln!("kubectl not installed: overlay build skipped");
        return;
    }
    let models = load_all(AWS_ENVIRONMENTS.as_bytes(), Format::Yaml).expect("valid");
    let rendered: Vec<(String, Rendered)> = models
        .iter()
        .map(|m| {
            (
                m.environment().to_string(),
                render(m, Target::Kubernetes).expect("k8s"),
            )
        })
        .collect();
    let refs: Vec<(String, &Rendered)> = rendered.iter().map(|(e, r)| (e.clone(), r)).collect();
    let files = kimai_deploy::overlays::kustomize_overlays(&refs).expect("overlays");
    let dir = std::env::temp_dir().join(format!("kimai-overlays-{}", std::process::id()));
    for f in &files {
        let p = dir.join(&f.path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, &f.contents).expect("write");
    }
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    for (env, _) in &rendered {
        let out = std::process::Command::new("kubectl")
            .arg("kustomize")
            .arg(dir.join("overlays").join(env))
            .output()
            .expect("kubectl runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).expect("utf-8");
        for doc in serde_yaml::Deserializer::from_str(&text) {
            let d = Yaml::deserialize(doc).expect("yaml");
            let id = format!(
                "{} {} {}",
                d["kind"].as_str().unwrap_or_default(),
                d["metadata"]["namespace"].as_str().unwrap_or("-"),
                d["metadata"]["name"].as_str().unwrap_or_default()
            );
            if let Some(other) = owner.insert(id.clone(), env.clone()) {
                panic!("`{id}` is built by both overlays {other} and {env}");
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every field path of the spec's JSON Schema; a free-form map's path stands for its keys.
fn schema_paths() -> (BTreeSet<String>, BTreeSet<String>) {
    let schema = serde_json::to_value(kimai_deploy::model::spec_schema()).expect("schema");
    let defs = schema["$defs"].clone();
    let mut paths = BTreeSet::new();
    let mut maps = BTreeSet::new();
    fn resolve<'a>(v: &'a Json, defs: &'a Json) -> &'a Json {
        if let Some(r) = v["$ref"].as_str() {
            return &defs[r.trim_start_matches("#/$defs/")];
        }
        if let Some(any) = v["anyOf"].as_array() {
            if let Some(x) = any.iter().find(|x| x.get("$ref").is_some()) {
                return resolve(x, defs);
            }
        }
        v
    }
    fn walk(
        v: &Json,
        defs: &Json,
        prefix: &str,
        paths: &mut BTreeSet<String>,
        maps: &mut BTreeSet<String>,
    ) {
        let v = resolve(v, defs);
        if let Some(props) = v["properties"].as_object() {
            for (k, child) in props {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                paths.insert(p.clone());
                walk(child, defs, &p, paths, maps);
            }
        } else if v["additionalProperties"].is_object() {
            maps.insert(prefix.to_string());
        }
    }
    walk(&schema, &defs, "", &mut paths, &mut maps);
    (paths, maps)
}

/// Backticked spec paths in a text (`targets.ecs.load_balancer_arn`, `aws.vpc_cidrs`).
fn spec_paths_in(text: &str) -> Vec<String> {
    const ROOTS: [&str; 10] = [
        "app",
        "database",
        "storage",
        "ingress",
        "scaling",
        "monitoring",
        "backup",
        "aws",
        "targets",
        "environments",
    ];
    backticked(text)
        .into_iter()
        .map(|t| t.split(':').next().unwrap_or_default().trim().to_string())
        .filter(|t| {
            t.contains('.')
                && ![
                    ".sh", ".yaml", ".yml", ".json", ".conf", ".md", ".j2", ".tf", ".pem",
                ]
                .iter()
                .any(|ext| t.ends_with(ext))
                && ROOTS.iter().any(|r| t.starts_with(&format!("{r}.")))
                && t.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._".contains(&b))
        })
        .collect()
}

fn check_settings_exist(
    label: &str,
    model: &Validated,
    paths: &BTreeSet<String>,
    maps: &BTreeSet<String>,
) {
    for target in Target::ALL {
        let Ok(r) = render(model, target) else {
            continue;
        };
        let mut texts: Vec<(String, String)> = r
            .files
            .iter()
            .filter(|f| f.path.ends_with("README.md"))
            .map(|f| (f.path.clone(), f.contents.clone()))
            .collect();
        for n in &r.notices {
            texts.push(("notice".into(), format!("`{}` {}", n.path, n.message)));
        }
        for (file, text) in texts {
            for p in spec_paths_in(&text) {
                let known =
                    paths.contains(&p) || maps.iter().any(|m| p.starts_with(&format!("{m}.")));
                assert!(
                    known,
                    "{label}: {} {file} refers to `{p}`, which the spec does not have",
                    target.as_str()
                );
            }
        }
    }
}

#[test]
fn notes_and_notices_refer_only_to_settings_the_spec_has() {
    let (paths, maps) = schema_paths();
    assert!(paths.contains("targets.ecs.load_balancer_arn") && maps.contains("app.env"));
    for (label, m) in example_models() {
        check_settings_exist(&label, &m, &paths, &maps);
    }
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..48 {
        let spec = strategy::spec()
            .new_tree(&mut runner)
            .expect("tree")
            .current();
        let m = validate(spec).expect("valid");
        check_settings_exist("generated", &m, &paths, &maps);
    }
}

/// The role the pipelines assume is the role Terraform creates, trusted by exactly the `sub`
/// the pipeline's job presents (one derivation: `kimai_model::delivery`).
#[test]
fn pipelines_assume_the_roles_terraform_creates() {
    use kimai_deploy::delivery::{render_delivery, DeliveryTarget};
    let model = kimai_deploy::load(kimai_deploy::DEFAULT_SPEC.as_bytes(), Format::Yaml)
        .expect("default spec");
    let tf = render(&model, Target::Terraform).expect("terraform");
    let ci_tf = &tf.file("ci.tf").expect("ci.tf").contents;
    let models = vec![model.clone()];
    let delivered = render_delivery(&models, false, &[DeliveryTarget::Ci], true).expect("ci");
    let (_, ci) = delivered.rendered.first().expect("ci rendered");
    let deploy = &ci.file("github/deploy.yml").expect("deploy.yml").contents;
    let arn = deploy
        .lines()
        .find_map(|l| l.trim().strip_prefix("role-to-assume: "))
        .expect("a role to assume");
    let name = arn.rsplit('/').next().expect("role name");
    assert_eq!(name, model.names().deploy_role);
    assert!(
        ci_tf.contains(&format!(
            "resource \"aws_iam_role\" \"deploy\" {{\n  name               = \"{name}\""
        )),
        "ci.tf creates {name}:\n{ci_tf}"
    );
    for t in kimai_deploy::model::delivery::deploy_trust(&model) {
        assert!(
            ci_tf.contains(&format!("\"{}\"", t.subject)),
            "{}",
            t.subject
        );
        assert!(ci_tf.contains(&format!("oidc-provider/{}\"", t.provider)));
    }
    // No key anywhere: the pipelines authenticate by OIDC only.
    assert!(!deploy.contains("aws-access-key-id"));
}

/// The Secrets Manager key of the Datadog agent's ExternalSecret in Terraform's platform chart,
/// when the terraform target renders one.
fn terraform_datadog_key(model: &kimai_deploy::Validated) -> Option<String> {
    let out = kimai_deploy::terraform::render(model, &Default::default()).ok()?;
    let f = out
        .files
        .iter()
        .find(|f| f.path.ends_with("templates/datadog-api-key.yaml"))?;
    let doc: serde_yaml::Value = serde_yaml::from_str(&f.contents).expect("chart YAML");
    doc["spec"]["data"][0]["remoteRef"]["key"]
        .as_str()
        .map(str::to_string)
}

/// Three environments on one EKS cluster: production's state creates it, the others join it.
const EKS_ENVIRONMENTS: &str = r#"
base:
  name: kimai
  database: { mode: external, host: db.example.internal }
  storage: { class: efs, efs: { file_system_id: fs-0123456789abcdef0 } }
  ingress: { host: kimai.example.com }
  aws:
    region: eu-west-1
    account_id: "123456789012"
    network: { vpc_id: vpc-0123456789abcdef0, public_subnets: [subnet-01234567, subnet-01234568], private_subnets: [subnet-01234569, subnet-0123456a] }
    eks: { cluster: platform, create: false }
environments:
  dev: { ingress: { host: dev.kimai.example.com } }
  staging: { ingress: { host: staging.kimai.example.com } }
  production:
    aws: { eks: { create: true, node_group: {} } }
"#;

#[test]
fn environments_share_an_eks_cluster_but_not_its_names() {
    let models = load_all(EKS_ENVIRONMENTS.as_bytes(), Format::Yaml).expect("valid");
    assert_disjoint(&models);
    let stores: BTreeSet<String> = models
        .iter()
        .map(|m| m.names().eks.expect("eks").secret_store)
        .collect();
    assert_eq!(
        stores.len(),
        3,
        "one ClusterSecretStore per environment: {stores:?}"
    );
    // Only production's state creates the cluster and installs the controllers.
    for m in &models {
        let tf = render(m, Target::Terraform).expect("terraform");
        let eks = &tf.file("eks.tf").expect("eks.tf").contents;
        let creates = m.environment() == "production";
        assert_eq!(
            eks.contains("resource \"aws_eks_cluster\""),
            creates,
            "{}",
            m.environment()
        );
        assert_eq!(
            eks.contains("resource \"helm_release\" \"external_secrets\""),
            creates
        );
        assert!(eks.contains("resource \"helm_release\" \"platform\""));
    }
    // Two creators, or one store name for all, are refused at the field that clashes.
    for (from, to, path) in [
        (
            "  dev: { ingress: { host: dev.kimai.example.com } }",
            "  dev: { ingress: { host: dev.kimai.example.com }, aws: { eks: { create: true, node_group: {} } } }",
            "environments.production.aws.eks.create",
        ),
        (
            "    eks: { cluster: platform, create: false }",
            "    eks: { cluster: platform, create: false }\n  targets: { kubernetes: { external_secrets: { store: aws } } }",
            "environments.staging.targets.kubernetes.external_secrets.store",
        ),
    ] {
        let spec = EKS_ENVIRONMENTS.replace(from, to);
        let err = load_all(spec.as_bytes(), Format::Yaml).expect_err("collision");
        assert!(err.iter().any(|d| d.path == path), "{path} in {err}");
    }
}

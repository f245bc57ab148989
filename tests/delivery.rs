//! Delivery (`ci`, `gitops`): pipelines deploy environment by environment with approval and
//! OIDC, every action is pinned, names match the model's derivation, GitOps objects reconcile
//! the folders `generate` writes; snapshots of every file for every example.

use std::collections::BTreeMap;

use kimai_deploy::delivery::{render_delivery, DeliveryOutcome, DeliveryTarget};
use kimai_deploy::model::delivery::{deploy_role_arn, deploy_trust, needs_approval};
use kimai_deploy::model::{is_multi_environment, load_all, Format, Validated};
use kimai_deploy::Rendered;
use serde_yaml::Value;

/// Every example spec file with its models and whether it is a multi-environment file.
fn examples() -> Vec<(String, Vec<Validated>, bool)> {
    let mut out = Vec::new();
    for dir in ["examples/specs", "examples/environments"] {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .expect("examples")
            .map(|e| e.expect("entry").path())
            .collect();
        paths.sort();
        for p in paths {
            let format = Format::from_file_name(&p.to_string_lossy());
            let bytes = std::fs::read(&p).expect("read");
            let multi = is_multi_environment(&bytes, format);
            let models = load_all(&bytes, format).expect("example specs are valid");
            out.push((p.display().to_string(), models, multi));
        }
    }
    out
}

fn delivered(models: &[Validated], multi: bool) -> DeliveryOutcome {
    render_delivery(models, multi, &DeliveryTarget::ALL, false).expect("delivery renders")
}

fn get(o: &DeliveryOutcome, t: DeliveryTarget) -> Option<&Rendered> {
    o.rendered.iter().find(|(x, _)| *x == t).map(|(_, r)| r)
}

fn yaml(r: &Rendered, path: &str) -> Value {
    let f = r.file(path).unwrap_or_else(|| panic!("{path} rendered"));
    serde_yaml::from_str(&f.contents).expect("valid YAML")
}

fn model<'a>(models: &'a [Validated], env: &str) -> &'a Validated {
    models
        .iter()
        .find(|m| m.environment() == env)
        .expect("environment")
}

#[test]
fn snapshots_of_every_delivery_file() {
    for (path, models, multi) in examples() {
        let o = delivered(&models, multi);
        let name = std::path::Path::new(&path)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        for (t, r) in &o.rendered {
            for f in &r.files {
                insta::with_settings!({ snapshot_suffix => format!("{name}-{}-{}", t.as_str(), f.path.replace('/', "-")), description => path.clone() }, {
                    insta::assert_snapshot!("delivery", &f.contents);
                });
            }
        }
    }
}

#[test]
fn each_deploy_needs_the_previous_environment_and_production_an_approval() {
    let mut seen = 0;
    for (path, models, multi) in examples() {
        let o = delivered(&models, multi);
        let Some(ci) = get(&o, DeliveryTarget::Ci) else {
            continue;
        };
        seen += 1;
        // GitHub: jobs in deploy order, each needs exactly the one before.
        let gh = yaml(ci, "github/deploy.yml");
        let jobs = gh["jobs"].as_mapping().expect("jobs");
        let ids: Vec<&str> = jobs.keys().filter_map(Value::as_str).collect();
        assert!(!ids.is_empty(), "{path}");
        for (i, id) in ids.iter().enumerate() {
            let job = &jobs[*id];
            let needs: Vec<&str> = job["needs"]
                .as_sequence()
                .map(|s| s.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let want: Vec<&str> = i.checked_sub(1).map(|p| ids[p]).into_iter().collect();
            assert_eq!(needs, want, "{path}: {id}");
            let env = job["environment"]["name"].as_str().expect("environment");
            let m = model(&models, env);
            assert_eq!(env, m.names().ci_environment);
            if needs_approval(m) {
                let readme = &ci.file("README.md").expect("README").contents;
                let create = format!("environments/{env} --input - <<EOF\n{{\"reviewers\": [{{");
                assert!(readme.contains(&create), "{path}: {env} gets no reviewers");
            }
            assert_eq!(
                job["concurrency"]["cancel-in-progress"].as_bool(),
                Some(false)
            );
        }
        // The order is the model's.
        let envs: Vec<&str> = ids
            .iter()
            .map(|id| {
                jobs[*id]["environment"]["name"]
                    .as_str()
                    .unwrap_or_default()
            })
            .collect();
        let ordered: Vec<&str> = kimai_deploy::model::delivery::order(&models, |m| m)
            .into_iter()
            .map(|m| m.environment())
            .filter(|e| envs.contains(e))
            .collect();
        assert_eq!(envs, ordered, "{path}");
        // GitLab: production's first job is manual and blocking; every later job waits.
        if let Some(f) = ci.file("gitlab-ci.yml") {
            let gl: Value = serde_yaml::from_str(&f.contents).expect("YAML");
            let stages: Vec<&str> = gl["stages"]
                .as_sequence()
                .expect("stages")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let deploys: Vec<(&str, &Value)> = gl
                .as_mapping()
                .expect("mapping")
                .iter()
                .filter_map(|(k, v)| Some((k.as_str()?, v)))
                .filter(|(_, v)| {
                    v["stage"]
                        .as_str()
                        .is_some_and(|s| s.starts_with("deploy-"))
                })
                .collect();
            for (name, job) in &deploys {
                let env = job["environment"]["name"].as_str().expect("env");
                let stage = job["stage"].as_str().expect("stage");
                let pos = stages
                    .iter()
                    .position(|s| *s == stage)
                    .expect("stage listed");
                let needs: Vec<&str> = job["needs"]
                    .as_sequence()
                    .expect("needs")
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                let same_env_gate = needs.iter().any(|n| {
                    deploys.iter().any(|(o, j)| {
                        o == n && j["environment"]["name"] == job["environment"]["name"]
                    })
                });
                if !same_env_gate && pos > 1 {
                    // The first job of an environment waits for every job of the one before.
                    let before: Vec<&str> = deploys
                        .iter()
                        .filter(|(_, j)| j["stage"].as_str() == Some(stages[pos - 1]))
                        .map(|(n, _)| *n)
                        .collect();
                    assert_eq!(needs, before, "{path}: {name}");
                }
                if needs_approval(model(&models, env)) && !same_env_gate {
                    assert_eq!(
                        job["rules"][0]["when"].as_str(),
                        Some("manual"),
                        "{path}: {name}"
                    );
                    assert_eq!(
                        job["allow_failure"].as_bool(),
                        Some(false),
                        "{path}: {name}"
                    );
                }
                assert_eq!(
                    job["resource_group"].as_str(),
                    Some(model(&models, env).names().stem.as_str())
                );
            }
        }
    }
    assert!(
        seen >= 2,
        "the default spec and the environments example deliver"
    );
}

#[test]
fn aws_only_by_oidc_with_the_derived_role_and_actions_pinned() {
    for (path, models, multi) in examples() {
        let o = delivered(&models, multi);
        let Some(ci) = get(&o, DeliveryTarget::Ci) else {
            continue;
        };
        for f in &ci.files {
            for bad in [
                "aws-access-key-id",
                "aws-secret-access-key",
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AKIA",
            ] {
                assert!(
                    !f.contents.contains(bad),
                    "{path}: {} mentions {bad}",
                    f.path
                );
            }
        }
        for wf in ["github/deploy.yml", "github/validate.yml"] {
            let text = &ci.file(wf).expect("workflow").contents;
            for line in text.lines().filter(|l| l.contains("uses:")) {
                let (uses, version) = line
                    .split_once("uses: ")
                    .and_then(|(_, r)| r.split_once(" # "))
                    .unwrap_or_else(|| panic!("{path}: no version comment: {line}"));
                let (_, sha) = uses.split_once('@').expect("@");
                assert_eq!(sha.len(), 40, "{line}");
                assert!(sha.bytes().all(|b| b.is_ascii_hexdigit()), "{line}");
                assert!(
                    version.starts_with('v') && version.split('.').count() == 3,
                    "{line}"
                );
            }
            let doc: Value = serde_yaml::from_str(text).expect("YAML");
            for (id, job) in doc["jobs"].as_mapping().expect("jobs") {
                let steps = job["steps"].as_sequence().expect("steps");
                let Some(aws) = steps.iter().find(|s| {
                    s["uses"]
                        .as_str()
                        .is_some_and(|u| u.starts_with("aws-actions/configure-aws-credentials@"))
                }) else {
                    continue;
                };
                assert_eq!(
                    job["permissions"]["id-token"].as_str(),
                    Some("write"),
                    "{id:?}"
                );
                let env = job["environment"]["name"].as_str().expect("an environment");
                let role = aws["with"]["role-to-assume"].as_str().expect("role");
                if wf == "github/deploy.yml" {
                    let m = model(&models, env);
                    assert_eq!(Some(role.to_string()), deploy_role_arn(m));
                    // The role trusts exactly this repository and this job's environment.
                    let repo = m
                        .spec()
                        .delivery
                        .as_ref()
                        .and_then(|d| d.github.as_ref())
                        .expect("github");
                    let subject = format!("repo:{}:environment:{env}", repo.repository);
                    assert!(
                        deploy_trust(m).iter().any(|t| t.subject == subject),
                        "{path}: {subject}"
                    );
                    assert!(ci
                        .file("README.md")
                        .expect("README")
                        .contents
                        .contains(&subject));
                }
            }
        }
    }
}

/// Every path `generate` writes for these models (relative to `--out`), as examples/generate.rs
/// lays them out.
fn generated_paths(models: &[Validated], multi: bool) -> Vec<String> {
    let mut paths = Vec::new();
    let mut k8s = Vec::new();
    for m in models {
        let o = kimai_deploy::render_all(m, kimai_deploy::Selection::All).expect("renders");
        for (t, r) in &o.rendered {
            let base = if multi {
                format!("{}/{}", m.environment(), t.as_str())
            } else {
                t.as_str().to_string()
            };
            paths.extend(r.files.iter().map(|f| format!("{base}/{}", f.path)));
            if *t == kimai_deploy::Target::Kubernetes {
                k8s.push((m.environment().to_string(), r.clone()));
            }
        }
    }
    if multi && k8s.len() > 1 {
        let refs: Vec<(String, &Rendered)> = k8s.iter().map(|(e, r)| (e.clone(), r)).collect();
        let files = kimai_deploy::overlays::kustomize_overlays(&refs).expect("overlays");
        paths.extend(files.iter().map(|f| format!("kustomize/{}", f.path)));
    }
    paths
}

/// Three environments on Kubernetes reconciled by Flux and Argo CD.
fn gitops_environments() -> (String, Vec<Validated>, bool) {
    let file = "base:\n  name: kimai\n  ingress: { host: kimai.example.com }\n  delivery:\n    repository: ssh://git@git.example.com/ops/kimai.git\n    path: deploy/kimai\n    reviewers: [octocat]\n    github: { repository: example/kimai }\n    flux: { depends_on_previous: true }\n    argocd: {}\nenvironments:\n  production: {}\n  dev: { ingress: { host: dev.example.com } }\n  staging: { ingress: { host: staging.example.com } }\n";
    let models = load_all(file.as_bytes(), Format::Yaml).expect("valid");
    ("inline gitops environments".into(), models, true)
}

#[test]
fn gitops_reconciles_each_environments_kustomization_in_order() {
    let mut seen = 0;
    for (path, models, multi) in examples().into_iter().chain([gitops_environments()]) {
        let o = delivered(&models, multi);
        let Some(g) = get(&o, DeliveryTarget::Gitops) else {
            continue;
        };
        seen += 1;
        let written = generated_paths(&models, multi);
        let mut previous: Option<String> = None;
        for m in kimai_deploy::model::delivery::order(&models, |m| m) {
            let n = m.names();
            let k = yaml(g, &format!("flux/{}.yaml", n.gitops_app));
            assert_eq!(k["spec"]["prune"].as_bool(), Some(true));
            let hc = &k["spec"]["healthChecks"][0];
            assert_eq!(hc["kind"].as_str(), Some("Deployment"));
            assert_eq!(hc["name"].as_str(), Some(n.app.as_str()));
            assert_eq!(hc["namespace"].as_str(), Some(n.namespace.as_str()));
            let depends: Vec<&str> = k["spec"]["dependsOn"]
                .as_sequence()
                .map(|s| s.iter().filter_map(|d| d["name"].as_str()).collect())
                .unwrap_or_default();
            assert_eq!(
                depends,
                previous.iter().map(String::as_str).collect::<Vec<_>>(),
                "{path}"
            );
            previous = Some(n.gitops_app.clone());
            let app = yaml(g, &format!("argocd/{}.yaml", n.gitops_app));
            assert_eq!(
                app["spec"]["destination"]["namespace"].as_str(),
                Some(n.namespace.as_str())
            );
            let automated = &app["spec"]["syncPolicy"]["automated"];
            if needs_approval(m) {
                assert!(automated.is_null(), "{path}: production syncs by hand");
            } else {
                assert_eq!(automated["prune"].as_bool(), Some(true));
                assert_eq!(automated["selfHeal"].as_bool(), Some(true));
            }
            // The path is where generate writes the environment's kustomization.
            let p = k["spec"]["path"].as_str().expect("path");
            let d = m.spec().delivery.as_ref().expect("delivery");
            let rel = p
                .trim_start_matches("./")
                .strip_prefix(&format!("{}/", d.path))
                .expect("under delivery.path");
            assert_eq!(app["spec"]["source"]["path"].as_str(), p.strip_prefix("./"));
            assert!(
                written.contains(&format!("{rel}/kustomization.yaml")),
                "{path}: {rel} is not generated"
            );
        }
    }
    assert!(
        seen >= 2,
        "the default spec and the inline environments have GitOps"
    );
}

#[test]
fn byte_identical_reruns_and_no_delivery_without_a_section() {
    for (_, models, multi) in examples() {
        let a = delivered(&models, multi);
        let b = delivered(&models, multi);
        let files = |o: &DeliveryOutcome| -> BTreeMap<String, String> {
            o.rendered
                .iter()
                .flat_map(|(t, r)| {
                    r.files
                        .iter()
                        .map(move |f| (format!("{}/{}", t.as_str(), f.path), f.contents.clone()))
                })
                .collect()
        };
        assert_eq!(files(&a), files(&b));
    }
    let minimal = load_all(
        b"name: kimai\ningress: { host: kimai.example.com }\n",
        Format::Yaml,
    )
    .expect("valid");
    let o = render_delivery(&minimal, false, &DeliveryTarget::ALL, false).expect("skips");
    assert!(o.rendered.is_empty());
    assert_eq!(o.skipped.len(), 2);
    let err = render_delivery(&minimal, false, &[DeliveryTarget::Ci], true).expect_err("explicit");
    assert!(err.to_string().contains("delivery"), "{err}");
}

/// The `generate` example next to this test binary (built by `cargo test`).
fn generate(args: &[&str]) -> std::process::Output {
    let exe = std::env::current_exe().expect("test binary path");
    let profile = exe
        .parent()
        .and_then(std::path::Path::parent)
        .expect("target profile dir");
    std::process::Command::new(
        profile
            .join("examples")
            .join(format!("generate{}", std::env::consts::EXE_SUFFIX)),
    )
    .args(args)
    .current_dir(env!("CARGO_MANIFEST_DIR"))
    .output()
    .expect("generate runs")
}

#[test]
fn generate_writes_delivery_at_the_top_of_out() {
    let out = std::env::temp_dir().join(format!("kimai-delivery-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let o = out.to_str().expect("utf8");
    // Asked for explicitly without a delivery section: exit 1, nothing written.
    let r = generate(&[
        "--spec",
        "examples/specs/minimal.yaml",
        "--out",
        o,
        "--target",
        "ci",
    ]);
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("delivery: missing"));
    assert!(!out.exists());
    // A multi-environment file: ci/ at the top, next to nothing else for `--target ci`.
    let spec = "examples/environments/kimai.yaml";
    let r = generate(&["--spec", spec, "--out", o, "--target", "ci"]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let top: Vec<String> = std::fs::read_dir(&out)
        .expect("out")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".kimai-deploy-files")
        .collect();
    assert_eq!(top, ["ci"]);
    let first = std::fs::read(out.join("ci/github/deploy.yml")).expect("deploy.yml");
    // `--target all` writes the same pipelines, and no GitOps (the file configures none).
    let r = generate(&["--spec", spec, "--out", o]);
    assert_eq!(r.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&r.stdout).contains("gitops: skipped"));
    assert_eq!(
        std::fs::read(out.join("ci/github/deploy.yml")).expect("deploy.yml"),
        first
    );
    assert!(!out.join("gitops").exists());
    let _ = std::fs::remove_dir_all(&out);
}

#[path = "common/strategy.rs"]
mod strategy;

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 32, ..Default::default() })]

    /// Any valid spec with every CI system and GitOps engine delivers: the pipelines deploy what
    /// it renders, AWS only through its derived deploy role, and no access key appears.
    #[test]
    fn generated_specs_deliver(
        mut spec in strategy::spec(),
        gitops in proptest::prelude::any::<bool>(),
        eks in proptest::prelude::any::<bool>(),
    ) {
        spec.delivery = Some(kimai_deploy::model::Delivery {
            repository: "https://github.com/example/kimai.git".into(),
            branch: "main".into(),
            path: "deploy".into(),
            spec_path: "kimai.yaml".into(),
            order: Vec::new(),
            approval: None,
            reviewers: vec!["octocat".into()],
            eks_cluster: (eks && spec.aws.is_some()).then(|| "kimai".into()),
            github: Some(kimai_deploy::model::GithubCi { repository: "example/kimai".into() }),
            gitlab: Some(kimai_deploy::model::GitlabCi { project: "example/kimai".into(), url: "https://gitlab.com".into() }),
            flux: gitops.then(kimai_deploy::model::Flux::default),
            argocd: gitops.then(kimai_deploy::model::ArgoCd::default),
        });
        let model = kimai_deploy::validate(spec).expect("still valid");
        let models = vec![model];
        let o = render_delivery(&models, false, &DeliveryTarget::ALL, false).expect("delivers");
        let ci = get(&o, DeliveryTarget::Ci).expect("ci");
        let text: String = ci.files.iter().map(|f| f.contents.as_str()).collect();
        proptest::prop_assert!(!text.contains("aws-access-key-id") && !text.contains("AWS_SECRET_ACCESS_KEY"));
        if let Some(arn) = deploy_role_arn(&models[0]) {
            if text.contains("role-to-assume") {
                let line = format!("role-to-assume: {arn}");
                proptest::prop_assert!(text.contains(&line), "{}", line);
            }
        }
        for f in ci.files.iter().filter(|f| f.path.ends_with(".yml")) {
            let _: Value = serde_yaml::from_str(&f.contents).expect("valid YAML");
        }
        proptest::prop_assert_eq!(get(&o, DeliveryTarget::Gitops).is_some(), gitops && o.skipped.is_empty());
    }
}

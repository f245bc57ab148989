//! The `delivery` section: its validation (field paths, no echoed URL), the rules across the
//! environments of one file, and the deploy role facts (name, ARN, OIDC trust, order).

use kimai_model::delivery::{
    deploy_role_arn, deploy_trust, needs_approval, order, plan_role_arn, plan_trust,
    GITHUB_OIDC_PROVIDER, OIDC_AUDIENCE,
};
use kimai_model::{load, load_all, Format};

const BASE: &str = "name: kimai\ningress: { host: kimai.example.com }\n";

#[track_caller]
fn check(yaml: &str, expect: &[&str]) {
    let got: Vec<String> = match load_all(yaml.as_bytes(), Format::Yaml) {
        Ok(_) => Vec::new(),
        Err(d) => d
            .iter()
            .map(|d| format!("{}: {}", d.path, d.message))
            .collect(),
    };
    assert_eq!(got, expect, "for spec:\n{yaml}");
}

#[test]
fn a_valid_section() {
    check(
        &format!(
            "{BASE}delivery:\n  repository: https://github.com/example/kimai.git\n  reviewers: [octocat, example/platform]\n  github: {{ repository: example/kimai }}\n  gitlab: {{ project: example/sub/kimai }}\n  flux: {{}}\n  argocd: {{}}\n"
        ),
        &[],
    );
}

#[test]
fn every_problem_with_its_path() {
    check(
        &format!(
            "{BASE}delivery:\n  repository: github.com/x\n  branch: -x\n  path: ../out\n  spec_path: /kimai.yaml\n  order: [dev, Dev, dev]\n  reviewers: [a b]\n  eks_cluster: -k\n  github: {{ repository: kimai }}\n  gitlab: {{ project: a, url: http://gitlab.example.com }}\n  flux: {{ namespace: Flux, interval: 5, secret: Git_Creds }}\n  argocd: {{ server: kubernetes.default.svc }}\n"
        ),
        &[
            "delivery.argocd.server: `kubernetes.default.svc` is not an `https://` API server URL",
            "delivery.branch: `-x` is not a plain branch name",
            "delivery.eks_cluster: `-k` is not an EKS cluster name",
            "delivery.eks_cluster: needs the `aws` section (region and account of the cluster and deploy role)",
            "delivery.flux.interval: expected text, found the number `5`",
            "delivery.flux.namespace: `Flux` is not a namespace name",
            "delivery.flux.secret: `(value not shown)` is not a Secret name",
            "delivery.github.repository: `kimai` is not `OWNER/REPO`",
            "delivery.gitlab.project: `a` is not `GROUP/PROJECT`",
            "delivery.gitlab.url: `http://gitlab.example.com` is not an `https://` URL of a GitLab instance",
            "delivery.order: does not list this environment, `production`",
            "delivery.order[1]: `Dev` is not an environment label",
            "delivery.order[2]: `dev` is listed twice",
            "delivery.path: `../out` is not a relative path inside the repository",
            "delivery.repository: is not an `https://` or `ssh://` git URL",
            "delivery.reviewers[0]: `a b` is not a GitHub login or `org/team`",
            "delivery.spec_path: `/kimai.yaml` is not a relative path inside the repository",
        ],
    );
}

#[test]
fn production_on_github_needs_reviewers() {
    check(
        &format!("{BASE}delivery:\n  repository: https://github.com/example/kimai.git\n  github: {{ repository: example/kimai }}\n"),
        &["delivery.reviewers: is empty, but `production` deploys only after an approval"],
    );
}

#[test]
fn a_url_with_credentials_is_rejected_without_echoing_it() {
    let spec = format!(
        "{BASE}delivery:\n  repository: https://user:s3cr3t-token@github.com/example/kimai.git\n  approval: false\n  github: {{ repository: example/kimai }}\n"
    );
    let err = load(spec.as_bytes(), Format::Yaml).expect_err("credentials");
    let text = err.to_string();
    assert!(text.contains("delivery.repository"), "{text}");
    assert!(!text.contains("s3cr3t"), "the token is echoed: {text}");
}

#[test]
fn environments_share_delivery_but_approval_and_order_lists_each() {
    let file = "base:\n  name: kimai\n  ingress: { host: kimai.example.com }\n  delivery:\n    repository: https://github.com/example/kimai.git\n    reviewers: [octocat]\n    order: [dev, staging, production]\n    github: { repository: example/kimai }\nenvironments:\n  dev: {}\n  production: {}\n  staging: { delivery: { approval: true } }\n";
    let models = load_all(file.as_bytes(), Format::Yaml).expect("valid");
    let envs: Vec<&str> = order(&models, |m| m)
        .iter()
        .map(|m| m.environment())
        .collect();
    assert_eq!(envs, ["dev", "staging", "production"]);
    let approvals: Vec<bool> = order(&models, |m| m)
        .iter()
        .map(|m| needs_approval(m))
        .collect();
    assert_eq!(approvals, [false, true, true]);
    check(
        &file.replace("  staging: { delivery: { approval: true } }", "  staging: { delivery: { branch: release } }"),
        &["environments.staging.delivery: differs from environment `dev`'s; one repository delivers every environment"],
    );
    check(
        &file.replace(
            "order: [dev, staging, production]",
            "order: [dev, production, qa]",
        ),
        &["environments.staging.delivery.order: does not list this environment, `staging`"],
    );
}

#[test]
fn usual_order_without_an_explicit_one() {
    let file = "base:\n  name: kimai\n  ingress: { host: kimai.example.com }\nenvironments:\n  production: {}\n  dev: {}\n  demo: {}\n  staging: {}\n";
    let models = load_all(file.as_bytes(), Format::Yaml).expect("valid");
    let envs: Vec<&str> = order(&models, |m| m)
        .iter()
        .map(|m| m.environment())
        .collect();
    assert_eq!(envs, ["dev", "staging", "production", "demo"]);
}

#[test]
fn deploy_role_and_its_trust() {
    let spec = format!(
        "{BASE}aws: {{ region: eu-central-1, account_id: \"123456789012\" }}\ndelivery:\n  repository: https://github.com/example/kimai.git\n  branch: release\n  reviewers: [octocat]\n  github: {{ repository: example/kimai }}\n  gitlab: {{ project: group/kimai, url: https://gitlab.example.com/ }}\n"
    );
    let m = load(spec.as_bytes(), Format::Yaml).expect("valid");
    let n = m.names();
    assert_eq!(n.deploy_role, "kimai-production-deploy");
    assert_eq!(
        deploy_role_arn(&m).as_deref(),
        Some("arn:aws:iam::123456789012:role/kimai-production-deploy")
    );
    let trust = deploy_trust(&m);
    assert_eq!(trust.len(), 2);
    assert_eq!(trust[0].provider, GITHUB_OIDC_PROVIDER);
    assert_eq!(trust[0].audience, OIDC_AUDIENCE);
    assert_eq!(
        trust[0].subject,
        "repo:example/kimai:environment:production"
    );
    assert_eq!(trust[1].provider, "gitlab.example.com");
    assert_eq!(
        trust[1].subject,
        "project_path:group/kimai:ref_type:branch:ref:release"
    );
    assert_eq!(
        plan_role_arn(&m).as_deref(),
        Some("arn:aws:iam::123456789012:role/kimai-production-plan")
    );
    assert_eq!(
        plan_trust(&m)[0].subject,
        "repo:example/kimai:environment:production-plan"
    );
    // Without an AWS account there is no role to assume.
    let no_aws = load(
        format!("{BASE}delivery:\n  repository: https://github.com/example/kimai.git\n  approval: false\n  github: {{ repository: example/kimai }}\n").as_bytes(),
        Format::Yaml,
    )
    .expect("valid");
    assert_eq!(deploy_role_arn(&no_aws), None);
}

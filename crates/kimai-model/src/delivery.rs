//! Delivery facts that the pipelines, the GitOps objects and the deploy role share.
//!
//! CI pipelines deploy an environment by assuming its deploy role
//! ([`Names::deploy_role`](crate::Names::deploy_role)) with an OIDC token of the CI system; no
//! AWS key is ever stored. The role is created by the Terraform target from the same facts:
//! [`deploy_trust`] says which identity provider, audience and subjects it trusts, and
//! [`deploy_role_arn`] is the ARN the pipelines assume. [`order`] is the one deploy order of the
//! environments of a file, and [`needs_approval`] says which wait for a reviewer.

use crate::check;
use crate::diag::Diagnostics;
use crate::names::partition;
use crate::spec::{Delivery, Spec};
use crate::validate::Validated;

/// The OIDC identity provider of GitHub Actions (IAM provider URL without `https://`).
pub const GITHUB_OIDC_PROVIDER: &str = "token.actions.githubusercontent.com";
/// The audience every ID token is requested for and the deploy role's trust policy requires
/// (`aud`), on GitHub and GitLab alike.
pub const OIDC_AUDIENCE: &str = "sts.amazonaws.com";

/// Environment names in their usual promotion order; [`order`] puts others after them.
const USUAL_ORDER: [&str; 8] = [
    "dev",
    "development",
    "test",
    "qa",
    "staging",
    "preprod",
    "production",
    "prod",
];

/// One OIDC identity provider and what the deploy role trusts from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcTrust {
    /// The provider as IAM names it: its issuer URL without `https://`
    /// (`token.actions.githubusercontent.com`, `gitlab.com`). The condition keys are
    /// `<provider>:aud` and `<provider>:sub`.
    pub provider: String,
    /// Required `aud`: [`OIDC_AUDIENCE`].
    pub audience: &'static str,
    /// Required `sub` (exact match): the only tokens that may assume the role.
    pub subject: String,
}

/// The `sub` of a GitHub Actions job bound to environment `environment` of `OWNER/REPO`:
/// `repo:OWNER/REPO:environment:ENV` (a job with an `environment:` gets this form).
pub fn github_subject(repository: &str, environment: &str) -> String {
    format!("repo:{repository}:environment:{environment}")
}

/// The `sub` of a GitLab CI job of `GROUP/PROJECT` running for branch `branch`:
/// `project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH`.
pub fn gitlab_subject(project: &str, branch: &str) -> String {
    format!("project_path:{project}:ref_type:branch:ref:{branch}")
}

/// The IAM OIDC provider of a GitLab instance: its URL without scheme or trailing `/`.
pub fn gitlab_provider(url: &str) -> String {
    url.trim_start_matches("https://")
        .trim_end_matches('/')
        .to_string()
}

/// The ARN of the role CI assumes to deploy `model`'s environment, when the spec has an
/// AWS account (`arn:aws:iam::<account>:role/<name>-<environment>-deploy`).
pub fn deploy_role_arn(model: &Validated) -> Option<String> {
    let aws = model.spec().aws.as_ref()?;
    Some(format!(
        "arn:{}:iam::{}:role/{}",
        partition(&aws.region),
        aws.account_id,
        model.names().deploy_role
    ))
}

/// The ARN of the read-only role pull requests assume to run `terraform plan` for `model`'s
/// environment (`arn:aws:iam::<account>:role/<name>-<environment>-plan`).
pub fn plan_role_arn(model: &Validated) -> Option<String> {
    let aws = model.spec().aws.as_ref()?;
    Some(format!(
        "arn:{}:iam::{}:role/{}",
        partition(&aws.region),
        aws.account_id,
        model.names().plan_role
    ))
}

/// Who may assume `model`'s plan role: GitHub pull-request jobs of the repository bound to
/// the plan environment ([`Names::ci_plan_environment`](crate::Names::ci_plan_environment));
/// GitLab merge-request pipelines validate without AWS credentials.
pub fn plan_trust(model: &Validated) -> Vec<OidcTrust> {
    let github = model
        .spec()
        .delivery
        .as_ref()
        .and_then(|d| d.github.as_ref());
    github
        .map(|g| OidcTrust {
            provider: GITHUB_OIDC_PROVIDER.into(),
            audience: OIDC_AUDIENCE,
            subject: github_subject(&g.repository, &model.names().ci_plan_environment),
        })
        .into_iter()
        .collect()
}

/// Who may assume `model`'s deploy role: one entry per CI system of `delivery`. GitHub's is
/// limited to the repository and this environment; GitLab's to the project and the deploy
/// branch (its protected environments gate who runs the job).
pub fn deploy_trust(model: &Validated) -> Vec<OidcTrust> {
    let Some(d) = model.spec().delivery.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(g) = &d.github {
        out.push(OidcTrust {
            provider: GITHUB_OIDC_PROVIDER.into(),
            audience: OIDC_AUDIENCE,
            subject: github_subject(&g.repository, &model.names().ci_environment),
        });
    }
    if let Some(g) = &d.gitlab {
        out.push(OidcTrust {
            provider: gitlab_provider(&g.url),
            audience: OIDC_AUDIENCE,
            subject: gitlab_subject(&g.project, &d.branch),
        });
    }
    out
}

/// The IAM actions the deploy role needs for the CLI steps of the pipelines (beyond what
/// `terraform apply` itself needs): ECS deploys register a task definition, update and watch
/// the service and pass the task's roles; EKS deploys read the cluster for `update-kubeconfig`
/// (the role also needs an EKS access entry for the environment's namespace).
pub fn deploy_actions(model: &Validated) -> Vec<&'static str> {
    let spec = model.spec();
    let mut out = Vec::new();
    if spec.targets.ecs.is_some() {
        out.extend([
            "ecs:DescribeServices",
            "ecs:RegisterTaskDefinition",
            "ecs:UpdateService",
            "iam:PassRole",
        ]);
    }
    if ci_deploys_kubernetes(model) && model.names().eks_cluster.is_some() {
        out.push("eks:DescribeCluster");
    }
    out
}

/// True when the CI pipelines apply the Kubernetes output themselves: only without a GitOps
/// engine (Flux or Argo CD), which would otherwise fight the pipeline over the same objects.
pub fn ci_deploys_kubernetes(model: &Validated) -> bool {
    model
        .spec()
        .delivery
        .as_ref()
        .is_some_and(|d| d.flux.is_none() && d.argocd.is_none())
}

/// True when `model`'s deploy waits for a reviewer: `delivery.approval`, else only for the
/// environment named `production`.
pub fn needs_approval(model: &Validated) -> bool {
    let spec = model.spec();
    spec.delivery
        .as_ref()
        .and_then(|d| d.approval)
        .unwrap_or(spec.environment == "production")
}

/// The environments of one file in deploy order: `delivery.order` when given, else the usual
/// promotion order (`dev`, `test`, `qa`, `staging`, `production`), other names after them.
/// `model` reads each item's model, so callers can order their own per-environment data.
pub fn order<T>(items: &[T], model: impl Fn(&T) -> &Validated) -> Vec<&T> {
    let explicit: Vec<String> = items
        .iter()
        .find_map(|i| model(i).spec().delivery.as_ref())
        .map(|d| d.order.clone())
        .unwrap_or_default();
    let rank = |env: &str| {
        explicit
            .iter()
            .position(|e| e == env)
            .or_else(|| USUAL_ORDER.iter().position(|e| *e == env))
            .unwrap_or(usize::MAX)
    };
    let mut out: Vec<&T> = items.iter().collect();
    out.sort_by(|a, b| {
        let (a, b) = (model(a).environment(), model(b).environment());
        (rank(a), a).cmp(&(rank(b), b))
    });
    out
}

/// Checks the `delivery` section of one spec.
pub(crate) fn check(spec: &Spec, d: &mut Diagnostics) {
    let Some(del) = &spec.delivery else {
        return;
    };
    let p = |f: &str| format!("delivery.{f}");
    let repo = &del.repository;
    let scheme_ok = ["https://", "ssh://"]
        .iter()
        .any(|s| repo.strip_prefix(s).is_some_and(|rest| !rest.is_empty()));
    if !scheme_ok {
        // Never echo the value: a URL may carry a token.
        d.error_hint(
            p("repository"),
            "is not an `https://` or `ssh://` git URL",
            "such as `https://github.com/example/kimai-deploy.git`",
        );
    } else if repo.starts_with("https://")
        && repo["https://".len()..]
            .split('/')
            .next()
            .unwrap_or("")
            .contains('@')
    {
        d.error_hint(
            p("repository"),
            "carries credentials; they would be written into the GitOps objects",
            "use the plain URL; Flux and Argo CD read credentials from their own secrets",
        );
    } else if repo.chars().any(|c| c.is_whitespace() || c.is_control()) {
        d.error(p("repository"), "contains whitespace");
    }
    if !git_ref(&del.branch) {
        d.error_hint(
            p("branch"),
            format!("`{}` is not a plain branch name", del.branch),
            "letters, digits and `._/-`, such as `main`",
        );
    }
    for (field, value) in [("path", &del.path), ("spec_path", &del.spec_path)] {
        if !relative_path(value) {
            d.error_hint(
                p(field),
                format!("`{value}` is not a relative path inside the repository"),
                "letters, digits and `._/-`, no `..`, not starting with `/`",
            );
        }
    }
    let mut seen = Vec::new();
    for (i, env) in del.order.iter().enumerate() {
        if !check::dns_label(env, 32) {
            d.error(
                format!("delivery.order[{i}]"),
                format!("`{env}` is not an environment label"),
            );
        } else if seen.contains(&env) {
            d.error(
                format!("delivery.order[{i}]"),
                format!("`{env}` is listed twice"),
            );
        }
        seen.push(env);
    }
    if !del.order.is_empty() && !del.order.contains(&spec.environment) {
        d.error_hint(
            p("order"),
            format!("does not list this environment, `{}`", spec.environment),
            "list every environment once, in deploy order",
        );
    }
    for (i, r) in del.reviewers.iter().enumerate() {
        if !reviewer(r) {
            d.error_hint(
                format!("delivery.reviewers[{i}]"),
                format!("`{r}` is not a GitHub login or `org/team`"),
                "such as `octocat` or `example/platform`",
            );
        }
    }
    let approval = del.approval.unwrap_or(spec.environment == "production");
    if approval && del.github.is_some() && del.reviewers.is_empty() {
        d.error_hint(
            p("reviewers"),
            format!(
                "is empty, but `{}` deploys only after an approval",
                spec.environment
            ),
            "name the GitHub users or `org/team`s who approve, or set `delivery.approval: false`",
        );
    }
    if let Some(c) = &del.eks_cluster {
        if !eks_cluster(c) {
            d.error_hint(
                p("eks_cluster"),
                format!("`{c}` is not an EKS cluster name"),
                "letters, digits, `-` and `_`, starting with a letter or digit, at most 100",
            );
        }
        if spec.aws.is_none() {
            d.error_hint(
                p("eks_cluster"),
                "needs the `aws` section (region and account of the cluster and deploy role)",
                "add `aws: { region: eu-central-1, account_id: \"123456789012\" }`",
            );
        }
    }
    if let Some(g) = &del.github {
        if !project_path(&g.repository, 2) {
            d.error_hint(
                "delivery.github.repository",
                format!("`{}` is not `OWNER/REPO`", g.repository),
                "such as `example/kimai-deploy`",
            );
        }
    }
    if let Some(g) = &del.gitlab {
        if !project_path(&g.project, 8) {
            d.error_hint(
                "delivery.gitlab.project",
                format!("`{}` is not `GROUP/PROJECT`", g.project),
                "such as `example/kimai-deploy` or `example/platform/kimai-deploy`",
            );
        }
        let host = g
            .url
            .strip_prefix("https://")
            .map(|h| h.trim_end_matches('/'));
        if !host.is_some_and(|h| !h.is_empty() && check::safe_path(h) && !h.starts_with('/')) {
            d.error_hint(
                "delivery.gitlab.url",
                format!("`{}` is not an `https://` URL of a GitLab instance", g.url),
                "such as `https://gitlab.com`",
            );
        }
    }
    if let Some(f) = &del.flux {
        if !check::dns_label(&f.namespace, 63) {
            d.error(
                "delivery.flux.namespace",
                format!("`{}` is not a namespace name", f.namespace),
            );
        }
        if let Some(secret) = f.secret.as_deref().filter(|s| !check::dns_subdomain(s)) {
            d.error(
                "delivery.flux.secret",
                format!("`{secret}` is not a Secret name"),
            );
        }
        if !duration(&f.interval) {
            d.error_hint(
                "delivery.flux.interval",
                format!("`{}` is not a duration", f.interval),
                "such as `5m`, `1h` or `90s`",
            );
        }
    }
    if let Some(a) = &del.argocd {
        if !check::dns_label(&a.namespace, 63) {
            d.error(
                "delivery.argocd.namespace",
                format!("`{}` is not a namespace name", a.namespace),
            );
        }
        if !a
            .server
            .strip_prefix("https://")
            .is_some_and(|h| !h.is_empty() && !h.contains(char::is_whitespace))
        {
            d.error_hint(
                "delivery.argocd.server",
                format!("`{}` is not an `https://` API server URL", a.server),
                "such as `https://kubernetes.default.svc` (the cluster Argo CD runs in)",
            );
        }
    }
}

/// The environments of one file must share every delivery setting but `approval`, and an
/// explicit `delivery.order` must list each of them.
pub(crate) fn conflicts(models: &[Validated]) -> Diagnostics {
    let mut d = Diagnostics::default();
    let shared = |m: &Validated| -> Option<Delivery> {
        m.spec().delivery.clone().map(|mut x| {
            x.approval = None;
            x
        })
    };
    let Some(first) = models.first() else {
        return d;
    };
    for m in &models[1..] {
        if shared(m) != shared(first) {
            d.error_hint(
                format!("environments.{}.delivery", m.environment()),
                format!(
                    "differs from environment `{}`'s; one repository delivers every environment",
                    first.environment()
                ),
                "set `delivery` in `base`; only `delivery.approval` may differ per environment",
            );
        }
    }
    if let Some(del) = first
        .spec()
        .delivery
        .as_ref()
        .filter(|x| !x.order.is_empty())
    {
        for m in models {
            if !del.order.iter().any(|e| e == m.environment()) {
                d.error_hint(
                    "base.delivery.order",
                    format!("does not list environment `{}`", m.environment()),
                    "list every environment once, in deploy order",
                );
            }
        }
        for e in &del.order {
            if !models.iter().any(|m| m.environment() == e) {
                d.error(
                    "base.delivery.order",
                    format!("lists `{e}`, which is not an environment of this file"),
                );
            }
        }
    }
    d
}

fn git_ref(s: &str) -> bool {
    check::safe_path(s)
        && !s.starts_with(['/', '.', '-'])
        && !s.ends_with(['/', '.'])
        && !s.contains("..")
        && !s.contains("//")
        && !s.ends_with(".lock")
}

fn relative_path(s: &str) -> bool {
    check::safe_path(s) && !s.starts_with('/') && !s.split('/').any(|seg| seg == "..")
}

fn reviewer(s: &str) -> bool {
    let ok = |seg: &str, extra: &[u8]| {
        !seg.is_empty()
            && seg.len() <= 100
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || extra.contains(&b))
    };
    match s.split_once('/') {
        None => ok(s, b""),
        Some((org, team)) => ok(org, b"") && ok(team, b"._"),
    }
}

fn project_path(s: &str, max_segments: usize) -> bool {
    let segs: Vec<&str> = s.split('/').collect();
    (2..=max_segments).contains(&segs.len())
        && segs.iter().all(|seg| {
            !seg.is_empty()
                && !seg.starts_with('.')
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        })
}

fn eks_cluster(s: &str) -> bool {
    (1..=100).contains(&s.len())
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A Go duration as Flux accepts it (`5m`, `1h30m`, `90s`).
fn duration(s: &str) -> bool {
    let mut rest = s;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ms", "s", "m", "h"]
            .into_iter()
            .find(|u| rest.starts_with(u));
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_match_the_providers_formats() {
        assert_eq!(
            github_subject("example/kimai", "production"),
            "repo:example/kimai:environment:production"
        );
        assert_eq!(
            gitlab_subject("group/sub/kimai", "main"),
            "project_path:group/sub/kimai:ref_type:branch:ref:main"
        );
        assert_eq!(
            gitlab_provider("https://gitlab.example.com/"),
            "gitlab.example.com"
        );
    }

    #[test]
    fn syntax_checks() {
        assert!(duration("5m") && duration("1h30m") && duration("250ms"));
        assert!(!duration("5") && !duration("m") && !duration("5 m") && !duration(""));
        assert!(reviewer("octocat") && reviewer("example/platform-team"));
        assert!(!reviewer("a b") && !reviewer("/team") && !reviewer("a/b/c"));
        assert!(project_path("a/b", 2) && !project_path("a", 2) && !project_path("a/b/c", 2));
        assert!(git_ref("main") && git_ref("release/2.x"));
        assert!(!git_ref("-x") && !git_ref("a..b") && !git_ref("a b") && !git_ref("x.lock"));
        assert!(relative_path("deploy/out") && !relative_path("../x") && !relative_path("/x"));
    }
}

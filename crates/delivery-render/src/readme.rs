//! `ci/README.md`: the environments, roles, secrets and variables to create, by name, with the
//! commands. A minijinja template fed by [`Facts`]; every name comes from the plan (and through
//! it from [`kimai_model::Names`], [`kimai_model::delivery`] and [`crate::secrets`]).

use kimai_model::delivery::{self, OidcTrust};
use kimai_model::OutputFile;
use serde::Serialize;

use crate::plan::{DeployTarget, Env, Plan};
use crate::secrets;
use crate::Error;

const TEMPLATE: &str = include_str!("../templates/README.md.j2");

#[derive(Serialize)]
struct Facts {
    app: String,
    branch: String,
    path: String,
    spec_path: String,
    check_command: String,
    github: Option<GithubFacts>,
    gitlab: Option<GitlabFacts>,
    gitops: bool,
    ansible: bool,
    any_deploys: bool,
    checks: Vec<&'static str>,
    reviewers: Vec<Reviewer>,
    envs: Vec<EnvFacts>,
    roles: Vec<RoleFacts>,
    github_secrets: Vec<SecretFacts>,
    gitlab_secrets: Vec<SecretFacts>,
}

#[derive(Serialize)]
struct GithubFacts {
    repository: String,
}

#[derive(Serialize)]
struct GitlabFacts {
    project: String,
    project_encoded: String,
    url: String,
}

#[derive(Serialize)]
struct Reviewer {
    kind: &'static str,
    lookup: String,
}

#[derive(Serialize)]
struct DeployFacts {
    target: &'static str,
    dir: String,
}

#[derive(Serialize)]
struct EnvFacts {
    name: String,
    approval: bool,
    deploys: Vec<DeployFacts>,
    plan: Option<String>,
    github_secrets: Vec<String>,
    gitlab_secrets: Vec<String>,
}

#[derive(Serialize)]
struct TrustFacts {
    provider: String,
    audience: &'static str,
    subject: String,
}

#[derive(Serialize)]
struct RoleFacts {
    name: String,
    arn: String,
    purpose: String,
    trust: Vec<TrustFacts>,
    actions: Vec<&'static str>,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct SecretFacts {
    name: &'static str,
    kind: &'static str,
    what: &'static str,
}

fn trust(t: Vec<OidcTrust>) -> Vec<TrustFacts> {
    t.into_iter()
        .map(|t| TrustFacts {
            provider: t.provider,
            audience: t.audience,
            subject: t.subject,
        })
        .collect()
}

/// The hosts Ansible connects to, for `ssh-keyscan`.
fn hosts(e: &Env) -> String {
    let mut h: Vec<&str> = e
        .model
        .spec()
        .targets
        .ansible
        .hosts
        .values()
        .map(String::as_str)
        .collect();
    h.sort();
    h.dedup();
    h.join(" ")
}

fn github_secrets(repo: &str, e: &Env) -> (Vec<String>, Vec<SecretFacts>) {
    let env = &e.names.ci_environment;
    let mut cmds = Vec::new();
    let mut kinds = Vec::new();
    if e.deploys(DeployTarget::Ansible).is_some() {
        cmds.push(format!(
            "gh secret set {} --env {env} --repo {repo}   # prompts for the vault password",
            secrets::ANSIBLE_VAULT_PASSWORD
        ));
        cmds.push(format!(
            "gh secret set {} --env {env} --repo {repo} < ~/.ssh/kimai_deploy_{env}",
            secrets::ANSIBLE_SSH_PRIVATE_KEY
        ));
        cmds.push(format!(
            "ssh-keyscan {} | gh secret set {} --env {env} --repo {repo}",
            hosts(e),
            secrets::ANSIBLE_KNOWN_HOSTS
        ));
        kinds.extend([
            SecretFacts {
                name: secrets::ANSIBLE_VAULT_PASSWORD,
                kind: "environment secret",
                what: "the environment's Ansible Vault password",
            },
            SecretFacts {
                name: secrets::ANSIBLE_SSH_PRIVATE_KEY,
                kind: "environment secret",
                what: "private SSH key of the Ansible user on the hosts",
            },
            SecretFacts {
                name: secrets::ANSIBLE_KNOWN_HOSTS,
                kind: "environment secret",
                what: "`known_hosts` lines of the hosts (public keys, verified)",
            },
        ]);
    }
    if e.kubeconfig_secret() {
        cmds.push(format!(
            "base64 -w0 kubeconfig-{env} | gh secret set {} --env {env} --repo {repo}",
            secrets::KUBECONFIG_DATA
        ));
        kinds.push(SecretFacts {
            name: secrets::KUBECONFIG_DATA,
            kind: "environment secret",
            what: "base64 kubeconfig of a user limited to the environment's namespace",
        });
    }
    (cmds, kinds)
}

fn gitlab_secrets(project: &str, e: &Env) -> (Vec<String>, Vec<SecretFacts>) {
    let env = &e.names.ci_environment;
    let set = |name: &str, from: &str| {
        format!(
            "glab variable set {name} --type file --protected --scope {env} --repo {project} < {from}"
        )
    };
    let mut cmds = Vec::new();
    let mut kinds = Vec::new();
    if e.deploys(DeployTarget::Ansible).is_some() {
        cmds.push(set(
            secrets::GITLAB_VAULT_PASSWORD_FILE,
            &format!("vault-password-{env}.txt"),
        ));
        cmds.push(set(
            secrets::GITLAB_PRIVATE_KEY_FILE,
            &format!("~/.ssh/kimai_deploy_{env}"),
        ));
        cmds.push(format!(
            "ssh-keyscan {} > known_hosts-{env} && {}",
            hosts(e),
            set(secrets::ANSIBLE_KNOWN_HOSTS, &format!("known_hosts-{env}"))
        ));
        kinds.extend([
            SecretFacts {
                name: secrets::GITLAB_VAULT_PASSWORD_FILE,
                kind: "file variable",
                what: "the environment's Ansible Vault password",
            },
            SecretFacts {
                name: secrets::GITLAB_PRIVATE_KEY_FILE,
                kind: "file variable",
                what: "private SSH key of the Ansible user on the hosts",
            },
            SecretFacts {
                name: secrets::ANSIBLE_KNOWN_HOSTS,
                kind: "file variable",
                what: "`known_hosts` lines of the hosts (public keys, verified)",
            },
        ]);
    }
    if e.kubeconfig_secret() {
        cmds.push(set(
            secrets::GITLAB_KUBECONFIG,
            &format!("kubeconfig-{env}"),
        ));
        kinds.push(SecretFacts {
            name: secrets::GITLAB_KUBECONFIG,
            kind: "file variable",
            what: "kubeconfig of a user limited to the environment's namespace",
        });
    }
    (cmds, kinds)
}

pub(crate) fn render(plan: &Plan) -> Result<OutputFile, Error> {
    let d = &plan.delivery;
    let github = d.github.as_ref();
    let gitlab = d.gitlab.as_ref();
    let mut envs = Vec::new();
    let mut roles = Vec::new();
    let mut all_github = Vec::new();
    let mut all_gitlab = Vec::new();
    for e in &plan.envs {
        let (gh_cmds, gh_kinds) = github
            .map(|g| github_secrets(&g.repository, e))
            .unwrap_or_default();
        let (gl_cmds, gl_kinds) = gitlab
            .map(|g| gitlab_secrets(&g.project, e))
            .unwrap_or_default();
        all_github.extend(gh_kinds);
        all_gitlab.extend(gl_kinds);
        let plan_env = (github.is_some() && e.plan_role_arn.is_some())
            .then(|| e.names.ci_plan_environment.clone());
        envs.push(EnvFacts {
            name: e.names.ci_environment.clone(),
            approval: e.approval,
            deploys: e
                .deploys
                .iter()
                .map(|(t, dir)| DeployFacts {
                    target: t.as_str(),
                    dir: dir.clone(),
                })
                .collect(),
            plan: plan_env,
            github_secrets: gh_cmds,
            gitlab_secrets: gl_cmds,
        });
        if let Some(arn) = &e.role_arn {
            roles.push(RoleFacts {
                name: e.names.deploy_role.clone(),
                arn: arn.clone(),
                purpose: format!("deploys of `{}`", e.names.ci_environment),
                trust: trust(delivery::deploy_trust(e.model)),
                actions: delivery::deploy_actions(e.model),
            });
        }
        if let (Some(arn), Some(_)) = (&e.plan_role_arn, github) {
            roles.push(RoleFacts {
                name: e.names.plan_role.clone(),
                arn: arn.clone(),
                purpose: format!(
                    "pull-request `terraform plan` of `{}`",
                    e.names.ci_environment
                ),
                trust: trust(delivery::plan_trust(e.model)),
                actions: Vec::new(),
            });
        }
    }
    all_github.sort();
    all_github.dedup();
    all_gitlab.sort();
    all_gitlab.dedup();
    let reviewers = d
        .reviewers
        .iter()
        .map(|r| match r.split_once('/') {
            Some((org, team)) => Reviewer {
                kind: "Team",
                lookup: format!("gh api orgs/{org}/teams/{team} --jq .id"),
            },
            None => Reviewer {
                kind: "User",
                lookup: format!("gh api users/{r} --jq .id"),
            },
        })
        .collect();
    let facts = Facts {
        app: plan.app.clone(),
        branch: d.branch.clone(),
        path: d.path.clone(),
        spec_path: d.spec_path.clone(),
        check_command: plan.check_command(),
        github: github.map(|g| GithubFacts {
            repository: g.repository.clone(),
        }),
        gitlab: gitlab.map(|g| GitlabFacts {
            project: g.project.clone(),
            project_encoded: g.project.replace('/', "%2F"),
            url: g.url.clone(),
        }),
        gitops: d.flux.is_some() || d.argocd.is_some(),
        ansible: plan
            .envs
            .iter()
            .any(|e| e.deploys(DeployTarget::Ansible).is_some()),
        any_deploys: !plan.deploying().is_empty(),
        checks: [
            (
                plan.envs.iter().any(|e| e.kubernetes.is_some()),
                "every kustomization builds (`kubectl kustomize`)",
            ),
            (
                plan.envs.iter().any(|e| e.ansible.is_some()),
                "the Ansible projects pass the syntax check and ansible-lint",
            ),
            (
                plan.envs.iter().any(|e| e.terraform.is_some()),
                "Terraform passes `fmt -check` and `validate`, and on GitHub `plan` with the read-only plan role",
            ),
        ]
        .into_iter()
        .filter_map(|(on, what)| on.then_some(what))
        .collect(),
        reviewers,
        envs,
        roles,
        github_secrets: all_github,
        gitlab_secrets: all_gitlab,
    };
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    let mut text = env.render_str(TEMPLATE, minijinja::Value::from_serialize(&facts))?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(OutputFile::new("README.md", text))
}

//! What the pipelines and GitOps objects deliver, derived once from every environment:
//! the shared `delivery` settings and, per environment in deploy order, its names, role,
//! approval and the folders each target deploys from.

use kimai_model::delivery::{self, deploy_role_arn, needs_approval, plan_role_arn};
use kimai_model::{Delivery, Diagnostics, Names, Validated};

use crate::{Environment, Error};

/// A target the pipelines deploy, in the order a deploy job runs them: the platform first,
/// then the workloads on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeployTarget {
    /// `terraform plan -out` then `terraform apply` of that plan.
    Terraform,
    /// `aws ecs register-task-definition`, `update-service`, `wait services-stable`.
    Ecs,
    /// `kubectl apply -k`, `kubectl rollout status`.
    Kubernetes,
    /// `ansible-playbook` with the vault password from a CI secret.
    Ansible,
}

impl DeployTarget {
    /// Short name for job and step names.
    pub fn as_str(self) -> &'static str {
        match self {
            DeployTarget::Terraform => "terraform",
            DeployTarget::Ecs => "ecs",
            DeployTarget::Kubernetes => "k8s",
            DeployTarget::Ansible => "ansible",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    Ci,
    Gitops,
}

/// One environment, ready to print.
#[derive(Debug)]
pub(crate) struct Env<'a> {
    pub model: &'a Validated,
    pub names: Names,
    pub approval: bool,
    /// The deploy role's ARN, when any deploy step talks to AWS.
    pub role_arn: Option<String>,
    /// The read-only plan role's ARN, when the environment has Terraform.
    pub plan_role_arn: Option<String>,
    pub region: Option<String>,
    pub url: String,
    /// What CI deploys, in [`DeployTarget`] order, each with its folder.
    pub deploys: Vec<(DeployTarget, String)>,
    /// The kustomization of the environment (validated on pull requests; GitOps reconciles it).
    pub kubernetes: Option<String>,
    pub terraform: Option<String>,
    pub ansible: Option<String>,
    pub eks_cluster: Option<String>,
}

impl Env<'_> {
    pub fn deploys(&self, t: DeployTarget) -> Option<&str> {
        self.deploys
            .iter()
            .find(|(d, _)| *d == t)
            .map(|(_, p)| p.as_str())
    }

    /// The deploy job reads Kubernetes credentials from a CI secret (no EKS cluster named).
    pub fn kubeconfig_secret(&self) -> bool {
        self.deploys(DeployTarget::Kubernetes).is_some() && self.eks_cluster.is_none()
    }
}

/// Every environment in deploy order, with the settings they share.
#[derive(Debug)]
pub(crate) struct Plan<'a> {
    pub delivery: Delivery,
    /// The application name (`name`), shared by every environment.
    pub app: String,
    pub envs: Vec<Env<'a>>,
}

impl<'a> Plan<'a> {
    pub fn new(envs: &[Environment<'a>], want: Want) -> Result<Self, Error> {
        let mut d = Diagnostics::default();
        let Some(first) = envs.first() else {
            d.error("environments", "no environment to deliver");
            return Err(Error::Invalid(d));
        };
        let Some(delivery) = first.model.spec().delivery.clone() else {
            d.error_hint(
                "delivery",
                "missing: pipelines and GitOps objects need the repository and what to use",
                "add `delivery: { repository: https://github.com/OWNER/REPO.git, github: { repository: OWNER/REPO } }`",
            );
            return Err(Error::Invalid(d));
        };
        let gitops = delivery.flux.is_some() || delivery.argocd.is_some();
        match want {
            Want::Ci if delivery.github.is_none() && delivery.gitlab.is_none() => d.error_hint(
                "delivery.github",
                "missing: no CI system is configured (`delivery.github` or `delivery.gitlab`)",
                "add `github: { repository: OWNER/REPO }` or `gitlab: { project: GROUP/PROJECT }`",
            ),
            Want::Gitops if !gitops => d.error_hint(
                "delivery.flux",
                "missing: no GitOps engine is configured (`delivery.flux` or `delivery.argocd`)",
                "add `flux: {}` or `argocd: {}`",
            ),
            Want::Gitops if envs.iter().all(|e| e.kubernetes.is_none()) => d.error_hint(
                "targets.kubernetes",
                "no environment renders Kubernetes, which GitOps reconciles",
                "render the k8s target too",
            ),
            _ => {}
        }
        let mut out = Vec::new();
        for e in delivery::order(envs, |e| e.model) {
            let spec = e.model.spec();
            let eks_cluster = e.model.names().eks_cluster;
            let mut deploys = Vec::new();
            if let Some(p) = &e.terraform {
                deploys.push((DeployTarget::Terraform, p.clone()));
            }
            if let Some(p) = &e.ecs {
                if spec.targets.ecs.is_none() {
                    d.error_hint(
                        "targets.ecs",
                        format!(
                            "missing: environment `{}` deploys to ECS without a cluster",
                            e.model.environment()
                        ),
                        "add a `targets.ecs` section",
                    );
                }
                deploys.push((DeployTarget::Ecs, p.clone()));
            }
            // With a GitOps engine, the engine deploys Kubernetes; CI applying too would fight it.
            if let (Some(p), true) = (&e.kubernetes, delivery::ci_deploys_kubernetes(e.model)) {
                deploys.push((DeployTarget::Kubernetes, p.clone()));
            }
            // Ansible deploys to the hosts of the inventory; without hosts there is nothing to run.
            if let (Some(p), false) = (&e.ansible, spec.targets.ansible.hosts.is_empty()) {
                deploys.push((DeployTarget::Ansible, p.clone()));
            }
            let aws = deploys.iter().any(|(t, _)| match t {
                DeployTarget::Terraform | DeployTarget::Ecs => true,
                DeployTarget::Kubernetes => eks_cluster.is_some(),
                DeployTarget::Ansible => false,
            });
            if aws && spec.aws.is_none() {
                d.error_hint(
                    "aws",
                    format!(
                        "missing: environment `{}` deploys to AWS, whose account and region the deploy role needs",
                        e.model.environment()
                    ),
                    "add `aws: { region: eu-central-1, account_id: \"123456789012\" }`",
                );
            }
            out.push(Env {
                model: e.model,
                names: e.model.names(),
                approval: needs_approval(e.model),
                role_arn: if aws { deploy_role_arn(e.model) } else { None },
                plan_role_arn: e.terraform.as_ref().and_then(|_| plan_role_arn(e.model)),
                region: spec.aws.as_ref().map(|a| a.region.clone()),
                url: e.model.default_uri(),
                deploys,
                kubernetes: e.kubernetes.clone(),
                terraform: e.terraform.clone(),
                ansible: e.ansible.clone(),
                eks_cluster,
            });
        }
        d.into_result(()).map_err(Error::Invalid)?;
        Ok(Plan {
            app: first.model.spec().name.clone(),
            delivery,
            envs: out,
        })
    }

    /// The environments CI deploys something to, in order (with a GitOps engine, an
    /// environment with only Kubernetes output has no CI deploy).
    pub fn deploying(&self) -> Vec<&Env<'a>> {
        self.envs.iter().filter(|e| !e.deploys.is_empty()).collect()
    }

    /// `generate --check` as run from the repository root.
    pub fn check_command(&self) -> String {
        format!(
            "cargo run --locked --example generate -- --spec {} --out {} --check",
            self.delivery.spec_path, self.delivery.path
        )
    }
}

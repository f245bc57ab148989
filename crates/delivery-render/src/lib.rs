//! Renders how a Kimai deployment is delivered: CI/CD pipelines and GitOps objects.
//!
//! Delivery spans the environments of one spec file, so both functions take every environment
//! at once, each with the repository folders its targets were written to:
//!
//! - [`render_ci`] writes `github/validate.yml` (pull requests: `generate --check`, `kubectl kustomize`,
//!   ansible-lint, `terraform validate`/`plan`), `github/deploy.yml` (a push to the branch deploys
//!   environment by environment, each job bound to a GitHub environment, AWS by OIDC),
//!   `gitlab-ci.yml` (the same stages), and `README.md` (every secret, variable and environment
//!   to create, with the commands).
//! - [`render_gitops`] writes `flux/*.yaml` (a GitRepository and one Kustomization per environment)
//!   and `argocd/*.yaml` (an AppProject and one Application per environment).
//!
//! ```
//! use delivery_render::{render_ci, render_gitops, Environment, Options};
//!
//! let model = kimai_model::load(br#"
//! name: kimai
//! ingress: { host: kimai.example.com }
//! delivery:
//!   repository: https://github.com/example/kimai-deploy.git
//!   reviewers: [octocat]
//!   github: { repository: example/kimai-deploy }
//!   flux: {}
//! "#, kimai_model::Format::Yaml).unwrap();
//! let env = Environment { kubernetes: Some("out/k8s".into()), ..Environment::new(&model) };
//! let ci = render_ci(&[env.clone()], &Options::default()).unwrap();
//! // Flux deploys Kubernetes, so CI only validates it (on every pull request).
//! assert!(ci.file("github/validate.yml").unwrap().contents.contains("kubectl kustomize out/k8s"));
//! assert!(ci.file("github/deploy.yml").is_none());
//! let gitops = render_gitops(&[env], &Options::default()).unwrap();
//! assert!(gitops.file("flux/kimai-production.yaml").unwrap().contents.contains("path: \"./out/k8s\""));
//! ```
//!
//! Architecture invariant: every name that reaches a platform (deploy role, namespace, CI
//! environment, Flux and Argo CD object names) comes from [`kimai_model::Names`] and
//! [`kimai_model::delivery`]; every third-party action is pinned in [`pins`]. No secret value
//! passes through here: pipelines read secrets from the CI system by name ([`secrets`]).

mod github;
mod gitlab;
mod gitops;
mod ordered;
pub mod pins;
mod plan;
mod readme;
pub mod secrets;

use kimai_model::{Diagnostics, Rendered, Validated};

pub use plan::DeployTarget;

/// One environment to deliver: its model and the repository folders (relative to the
/// repository root, `/`-separated) its targets were written to. A target without a folder is
/// not deployed by the pipelines.
#[derive(Debug, Clone)]
pub struct Environment<'a> {
    /// The environment's validated model.
    pub model: &'a Validated,
    /// Terraform root module (`terraform init && terraform apply` there).
    pub terraform: Option<String>,
    /// ECS CLI inputs (`task-definition.json`, `service-update.json`).
    pub ecs: Option<String>,
    /// The kustomization that deploys this environment's Kubernetes objects (its overlay when
    /// a file has several environments).
    pub kubernetes: Option<String>,
    /// The Ansible project (`site.yml`, `inventory.yml`).
    pub ansible: Option<String>,
}

impl<'a> Environment<'a> {
    /// An environment with no target folder yet.
    pub fn new(model: &'a Validated) -> Self {
        Environment {
            model,
            terraform: None,
            ecs: None,
            kubernetes: None,
            ansible: None,
        }
    }
}

/// Rendering options (none yet; the spec's `delivery` section holds every setting).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {}

/// Why delivery could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec cannot be delivered this way (no `delivery` section, no CI system, ...).
    #[error("{0}")]
    Invalid(Diagnostics),
    /// Serialising an object failed.
    #[error("serialising {what}: {message}")]
    Serialize {
        /// The file.
        what: String,
        /// The serialiser's message.
        message: String,
    },
    /// A README template failed.
    #[error("README template: {0}")]
    Template(#[from] minijinja::Error),
}

/// The CI pipelines of every environment (files relative to `OUT/ci/`).
pub fn render_ci(envs: &[Environment], _options: &Options) -> Result<Rendered, Error> {
    let plan = plan::Plan::new(envs, plan::Want::Ci)?;
    let mut files = Vec::new();
    if plan.delivery.github.is_some() {
        files.extend(github::render(&plan)?);
    }
    if plan.delivery.gitlab.is_some() {
        files.push(gitlab::render(&plan)?);
    }
    files.push(readme::render(&plan)?);
    Ok(Rendered {
        files,
        notices: Vec::new(),
    }
    .sorted())
}

/// The GitOps objects of every environment with Kubernetes output (files relative to
/// `OUT/gitops/`).
pub fn render_gitops(envs: &[Environment], _options: &Options) -> Result<Rendered, Error> {
    let plan = plan::Plan::new(envs, plan::Want::Gitops)?;
    Ok(Rendered {
        files: gitops::render(&plan)?,
        notices: Vec::new(),
    }
    .sorted())
}

/// YAML through kimai-model's writer, with a header and comments.
pub(crate) fn yaml<T: serde::Serialize>(
    what: &str,
    value: &T,
    header: &str,
    comments: &kimai_model::yaml::Comments,
) -> Result<String, Error> {
    kimai_model::yaml::to_yaml(value, header, comments).map_err(|e| Error::Serialize {
        what: what.to_string(),
        message: e.to_string(),
    })
}

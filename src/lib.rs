//! kimai-deploy: one typed description of a Kimai deployment, rendered for every target.
//!
//! This crate re-exports the workspace's crates and offers [`render`] and [`render_all`], which
//! run the right renderer(s) for a [`Validated`] model. Embedders who need one target can depend
//! on that renderer crate alone.
//!
//! A [`Spec`] is the file's typed form; [`load`] (one spec) and [`load_all`] (a single spec or
//! a multi-environment file) parse and validate it, or return [`Diagnostics`]: every
//! [`Diagnostic`] with its field path, line and hint, printed (`Display` and `Debug` alike) as
//! the command prints them. A renderer's [`Rendered`] holds [`OutputFile`]s (relative path and
//! contents) and [`Notice`]s. The `kimai-deploy` command is [`cli`] (feature `cli`, on by
//! default).
//!
//! ```
//! use kimai_deploy::{load, render_all, Format, Selection};
//!
//! let model = load(kimai_deploy::DEFAULT_SPEC.as_bytes(), Format::Yaml).unwrap();
//! let outcome = render_all(&model, Selection::All).unwrap();
//! let compose = outcome.rendered.iter().find(|(t, _)| t.as_str() == "compose").unwrap();
//! assert!(compose.1.file("compose.yaml").is_some());
//! ```
//!
//! Architecture invariant: the library does no I/O; only [`cli`] (the command) touches files,
//! standard streams and the process's arguments.

pub mod capabilities;
#[cfg(feature = "cli")]
pub mod cli;
pub mod delivery;
pub mod overlays;
pub mod spec_doc;

/// The Ansible playbook project that deploys the Compose project to hosts (`ansible-render`).
pub use ansible_render as ansible;
/// Docker Compose: compose.yaml, `.env.example` and the mounted files (`compose-render`).
pub use compose_render as compose;
pub use delivery_render;
/// AWS ECS: the inputs of the AWS CLI calls (`ecs-render`).
pub use ecs_render as ecs;
/// Kubernetes: typed manifests and a kustomization (`k8s-render`).
pub use k8s_render as k8s;
/// The typed spec, its validation and the values derived from it (`kimai-model`).
pub use kimai_model as model;
pub use kimai_model::{
    load, load_all, parse, validate, Diagnostic, Diagnostics, Format, Notice, OutputFile, Rendered,
    Spec, Target, Validated,
};
pub use terraform_render as terraform;

/// The README's code blocks, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The embedded default spec: a realistic production deployment with every feature on
/// (`examples/specs/production.yaml`).
pub const DEFAULT_SPEC: &str = include_str!("../examples/specs/production.yaml");

/// Why a target could not be rendered. `Debug` prints the same text as `Display`.
#[derive(thiserror::Error)]
pub enum Error {
    /// The model cannot be expressed on the target.
    #[error("{}: {diagnostics}", target.as_str())]
    Invalid {
        /// The target.
        target: Target,
        /// Every problem, with field paths.
        diagnostics: Diagnostics,
    },
    /// The spec's delivery (CI pipelines, GitOps objects) cannot be rendered.
    #[error("{target}: {diagnostics}")]
    Delivery {
        /// `ci` or `gitops`.
        target: &'static str,
        /// Every problem, with field paths.
        diagnostics: Diagnostics,
    },
    /// The delivery renderer failed for another reason (serialisation, template).
    #[error("{target}: {message}")]
    DeliveryRender {
        /// `ci` or `gitops`.
        target: &'static str,
        /// What went wrong.
        message: String,
    },
    /// A renderer failed for another reason (serialisation, template).
    #[error("{}: {message}", target.as_str())]
    Render {
        /// The target.
        target: Target,
        /// What went wrong.
        message: String,
    },
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// Which targets to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every target the spec supports; the others are skipped with a notice.
    All,
    /// Exactly these; any that cannot render is an error.
    Only(Vec<Target>),
}

/// What [`render_all`] produced.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Each rendered target with its files and notices, in [`Target::ALL`] order.
    pub rendered: Vec<(Target, Rendered)>,
    /// Targets skipped under [`Selection::All`], with the reason in one line.
    pub skipped: Vec<(Target, String)>,
}

/// Renders one target.
pub fn render(model: &Validated, target: Target) -> Result<Rendered, Error> {
    render_with(model, target, None, false)
}

/// Renders one target; `compose` is this model's Compose output when already rendered (the
/// Ansible playbook deploys it, so [`render_all`] renders it once for both). `with_terraform`:
/// the `terraform` target renders beside it and creates the AWS platform it references.
fn render_with(
    model: &Validated,
    target: Target,
    compose: Option<&Rendered>,
    with_terraform: bool,
) -> Result<Rendered, Error> {
    let render_err = |message: String| Error::Render { target, message };
    match target {
        Target::Compose => compose_render::render(model, &compose_render::Options::default())
            .map_err(|e| match e {
                compose_render::Error::Invalid(diagnostics) => Error::Invalid {
                    target,
                    diagnostics,
                },
                other => render_err(other.to_string()),
            }),
        Target::Ansible => {
            // The playbook deploys the Compose project of the same model: one source of truth.
            let fresh;
            let compose = match compose {
                Some(c) => c,
                None => {
                    fresh = compose_render::render(model, &compose_render::Options::default())
                        .map_err(|e| render_err(format!("the compose project it deploys: {e}")))?;
                    &fresh
                }
            };
            let bindings = compose_render::secret_bindings(model);
            let project = ansible_render::ComposeProject {
                files: &compose.files,
                bindings: &bindings,
                notices: &compose.notices,
            };
            ansible_render::render(model, &project, &ansible_render::Options::default()).map_err(
                |e| match e {
                    ansible_render::Error::Invalid(diagnostics) => Error::Invalid {
                        target,
                        diagnostics,
                    },
                    other => render_err(other.to_string()),
                },
            )
        }
        Target::Kubernetes => {
            k8s_render::render(model, &k8s_render::Options::default()).map_err(|e| match e {
                k8s_render::Error::Invalid(diagnostics) => Error::Invalid {
                    target,
                    diagnostics,
                },
                other => render_err(other.to_string()),
            })
        }
        Target::Ecs => {
            let mut options = ecs_render::Options::default();
            options.terraform = with_terraform;
            ecs_render::render(model, &options).map_err(|e| match e {
                ecs_render::Error::Invalid(diagnostics) => Error::Invalid {
                    target,
                    diagnostics,
                },
                other => render_err(other.to_string()),
            })
        }
        Target::Terraform => terraform_render::render(model, &terraform_render::Options::default())
            .map_err(|e| match e {
                terraform_render::Error::Invalid(diagnostics) => Error::Invalid {
                    target,
                    diagnostics,
                },
                other => render_err(other.to_string()),
            }),
    }
}

/// True when the spec writes the target's own section: `targets.ecs` or `aws` (Terraform) at all,
/// or `targets.compose` / `targets.kubernetes` / `targets.ansible` with anything but the defaults.
pub fn own_section_present(model: &Validated, target: Target) -> bool {
    let t = &model.spec().targets;
    match target {
        Target::Ecs => t.ecs.is_some(),
        Target::Compose => t.compose != model::ComposeTarget::default(),
        Target::Kubernetes => t.kubernetes != model::KubernetesTarget::default(),
        Target::Ansible => t.ansible != model::AnsibleTarget::default(),
        // Terraform's own section is the shared `aws` one.
        Target::Terraform => model.spec().aws.is_some(),
    }
}

/// Renders the selected targets. Under [`Selection::All`] a target is skipped only when its own
/// section is absent ([`own_section_present`]) and the spec cannot support it, with one line
/// naming every reason; a target whose own section is present but cannot render is an error
/// listing every problem, as is any target asked for under [`Selection::Only`].
pub fn render_all(model: &Validated, selection: Selection) -> Result<Outcome, Error> {
    let mut outcome = Outcome::default();
    let (targets, lenient) = match selection {
        Selection::All => (Target::ALL.to_vec(), true),
        Selection::Only(t) => (t, false),
    };
    // ECS's README leaves the platform to Terraform only when terraform/ is written too.
    let with_terraform =
        targets.contains(&Target::Terraform) && model.check_target(Target::Terraform).is_ok();
    // Terraform, the largest render and independent of the others, runs on a second thread
    // when there is a second core; the outcome is the same as one after the other (results
    // are taken in `Target::ALL` order, the first error wins).
    let parallel = targets.contains(&Target::Terraform) && targets.len() > 1 && cores() > 1;
    std::thread::scope(|scope| {
        let mut terraform = parallel
            .then(|| scope.spawn(|| render_with(model, Target::Terraform, None, with_terraform)));
        for target in Target::ALL.into_iter().filter(|t| targets.contains(t)) {
            let compose = outcome
                .rendered
                .iter()
                .find(|(t, _)| *t == Target::Compose)
                .map(|(_, r)| r);
            let result = match (target, terraform.take()) {
                (Target::Terraform, Some(handle)) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                (_, pending) => {
                    terraform = pending;
                    render_with(model, target, compose, with_terraform)
                }
            };
            match result {
                Ok(r) => outcome.rendered.push((target, r)),
                Err(Error::Invalid { diagnostics, .. })
                    if lenient && !own_section_present(model, target) =>
                {
                    let reasons: Vec<String> = diagnostics
                        .iter()
                        .map(|d| format!("{}: {}", d.path, d.message))
                        .collect();
                    outcome.skipped.push((target, reasons.join("; ")));
                }
                Err(Error::Render { message, .. })
                    if lenient && message.contains("not part of this build") =>
                {
                    outcome.skipped.push((target, message));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    })?;
    Ok(outcome)
}

/// Cores this process may use, asked once.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

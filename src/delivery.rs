//! Delivery for the environments of one spec file: CI pipelines (`OUT/ci/`) and GitOps objects
//! (`OUT/gitops/`), always at the top of the output, whether the file has one environment or
//! several (one pipeline delivers them all, in order).
//!
//! The pipelines deploy what each environment renders, from where `generate` writes it inside
//! the repository (`delivery.path`): `<path>/<target>` for a single spec, `<path>/<env>/<target>`
//! for a multi-environment file, whose Kubernetes output deploys through its kustomize overlay
//! (`<path>/kustomize/overlays/<env>`) when there are several. Which targets an environment
//! renders is decided here by rendering every target in memory, so `--target ci` writes the same
//! pipelines as `--target all`.

use delivery_render::{Environment, Options};
use kimai_model::{Rendered, Target, Validated};

use crate::{render_all, Error, Selection};

/// The delivery targets: not per environment, so not [`Target`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeliveryTarget {
    /// CI pipelines (`OUT/ci/`).
    Ci,
    /// GitOps objects (`OUT/gitops/`).
    Gitops,
}

impl DeliveryTarget {
    /// Both, in output order.
    pub const ALL: [DeliveryTarget; 2] = [DeliveryTarget::Ci, DeliveryTarget::Gitops];

    /// The output folder and command-line name (`ci`, `gitops`).
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryTarget::Ci => "ci",
            DeliveryTarget::Gitops => "gitops",
        }
    }
}

/// What [`render_delivery`] produced.
#[derive(Debug, Clone, Default)]
pub struct DeliveryOutcome {
    /// Each rendered delivery target with its files (relative to `OUT/<target>/`).
    pub rendered: Vec<(DeliveryTarget, Rendered)>,
    /// Targets skipped (only when not asked for explicitly), with the reason in one line.
    pub skipped: Vec<(DeliveryTarget, String)>,
}

/// The repository folder of `target`'s output for `environment` (`None` for a single spec):
/// where `generate --out <delivery.path>` writes it.
pub fn output_dir(path: &str, environment: Option<&str>, folder: &str) -> String {
    match environment {
        Some(env) => format!("{path}/{env}/{folder}"),
        None => format!("{path}/{folder}"),
    }
}

/// Renders `targets` for `models` (every environment of one file; `multi` when it was a
/// multi-environment file). `explicit` makes a target that cannot render an error; otherwise
/// it is skipped with its reason (a spec without `delivery`).
pub fn render_delivery(
    models: &[Validated],
    multi: bool,
    targets: &[DeliveryTarget],
    explicit: bool,
) -> Result<DeliveryOutcome, Error> {
    let mut outcome = DeliveryOutcome::default();
    if targets.is_empty() {
        return Ok(outcome);
    }
    let Some(path) = models
        .iter()
        .find_map(|m| m.spec().delivery.as_ref())
        .map(|d| d.path.clone())
    else {
        let reason = "delivery: missing: pipelines and GitOps objects need a `delivery` section";
        if explicit {
            let mut d = kimai_model::Diagnostics::default();
            d.error_hint(
                "delivery",
                "missing: pipelines and GitOps objects need the repository and what to use",
                "add `delivery: { repository: https://github.com/OWNER/REPO.git, github: { repository: OWNER/REPO } }`",
            );
            return Err(Error::Delivery {
                target: targets[0].as_str(),
                diagnostics: d,
            });
        }
        for t in targets {
            outcome.skipped.push((*t, reason.to_string()));
        }
        return Ok(outcome);
    };
    // What each environment renders (every target, in memory).
    let mut rendered = Vec::new();
    for m in models {
        let o = render_all(m, Selection::All)?;
        rendered.push(o.rendered.iter().map(|(t, _)| *t).collect::<Vec<Target>>());
    }
    let k8s_count = rendered
        .iter()
        .filter(|r| r.contains(&Target::Kubernetes))
        .count();
    let envs: Vec<Environment> = models
        .iter()
        .zip(&rendered)
        .map(|(m, targets)| {
            let env = multi.then(|| m.environment());
            let dir = |t: Target| {
                targets
                    .contains(&t)
                    .then(|| output_dir(&path, env, t.as_str()))
            };
            let kubernetes = match (
                targets.contains(&Target::Kubernetes),
                multi && k8s_count > 1,
            ) {
                (false, _) => None,
                (true, true) => Some(format!("{path}/kustomize/overlays/{}", m.environment())),
                (true, false) => dir(Target::Kubernetes),
            };
            Environment {
                ecs: dir(Target::Ecs),
                kubernetes,
                ansible: dir(Target::Ansible),
                ..Environment::new(m)
            }
        })
        .collect();
    let first = models.iter().find_map(|m| m.spec().delivery.as_ref());
    for t in targets {
        // Under `all`, a delivery section that enables nothing for this target skips it.
        let nothing = match t {
            DeliveryTarget::Ci => first
                .is_some_and(|d| d.github.is_none() && d.gitlab.is_none())
                .then_some("delivery: neither `github` nor `gitlab` is set"),
            DeliveryTarget::Gitops => {
                if first.is_some_and(|d| d.flux.is_none() && d.argocd.is_none()) {
                    Some("delivery: neither `flux` nor `argocd` is set")
                } else if k8s_count == 0 {
                    Some("no environment renders Kubernetes, which GitOps reconciles")
                } else {
                    None
                }
            }
        };
        if let (Some(reason), false) = (nothing, explicit) {
            outcome.skipped.push((*t, reason.to_string()));
            continue;
        }
        let result = match t {
            DeliveryTarget::Ci => delivery_render::render_ci(&envs, &Options::default()),
            DeliveryTarget::Gitops => delivery_render::render_gitops(&envs, &Options::default()),
        };
        match result {
            Ok(r) => outcome.rendered.push((*t, r)),
            Err(delivery_render::Error::Invalid(diagnostics)) => {
                return Err(Error::Delivery {
                    target: t.as_str(),
                    diagnostics,
                })
            }
            Err(e) => {
                return Err(Error::DeliveryRender {
                    target: t.as_str(),
                    message: e.to_string(),
                })
            }
        }
    }
    Ok(outcome)
}

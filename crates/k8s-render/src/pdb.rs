//! The PodDisruptionBudget, whenever more than one Kimai replica can run.

use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::labels::{Component, Identity};

/// At most one Kimai pod evicted at a time (node drains, cluster upgrades).
pub fn pdb(id: &Identity<'_>) -> Option<PodDisruptionBudget> {
    if id.model().max_replicas() <= 1 {
        return None;
    }
    Some(PodDisruptionBudget {
        metadata: id.meta(id.app(), Component::Web),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(id.selector(Component::Web)),
            unhealthy_pod_eviction_policy: Some("AlwaysAllow".into()),
            ..Default::default()
        }),
        ..Default::default()
    })
}

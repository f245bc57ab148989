//! The Namespace with Pod Security admission labels, and Kimai's ServiceAccount.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::labels::{Component, Identity};

/// Pod Security Standards version the labels pin.
pub const PSS_VERSION: &str = "latest";

/// Namespace label that makes the AWS Load Balancer Controller inject pod readiness gates:
/// a new pod counts as ready only once the ALB reports its target healthy, so a rolling update
/// never leaves the target group without healthy targets.
pub const READINESS_GATE_LABEL: &str = "elbv2.k8s.aws/pod-readiness-gate-inject";

/// IRSA annotation naming the IAM role a ServiceAccount's pods assume.
pub const IRSA_ANNOTATION: &str = "eks.amazonaws.com/role-arn";

/// The Namespace: enforce `baseline` (the stock Kimai image's root entrypoint cannot run under
/// `restricted`), warn and audit against `restricted`; with the ALB class, readiness gates on.
pub fn namespace(id: &Identity<'_>) -> Namespace {
    let mut labels = id.common_labels();
    if id.ingress_class() == kimai_model::IngressClass::Alb {
        labels.insert(READINESS_GATE_LABEL.into(), "enabled".into());
    }
    for (mode, level) in [
        ("enforce", "baseline"),
        ("warn", "restricted"),
        ("audit", "restricted"),
    ] {
        labels.insert(format!("pod-security.kubernetes.io/{mode}"), level.into());
        labels.insert(
            format!("pod-security.kubernetes.io/{mode}-version"),
            PSS_VERSION.into(),
        );
    }
    Namespace {
        metadata: ObjectMeta {
            name: Some(id.namespace().into()),
            labels: Some(labels),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// True when `service_account_annotations` go on the backup's ServiceAccount (backups on:
/// only the backup needs AWS access) rather than on Kimai's.
pub fn annotations_on_backup(id: &Identity<'_>) -> bool {
    id.model().spec().backup.is_some()
}

/// The ServiceAccount annotations: the spec's, plus, for the backup with an `aws` section and no
/// explicit role, IRSA with the derived backup role ([`kimai_model::Names::backup_role`]).
fn annotations(id: &Identity<'_>) -> Option<BTreeMap<String, String>> {
    let mut a = id
        .model()
        .spec()
        .targets
        .kubernetes
        .service_account_annotations
        .clone();
    if let Some(arn) = backup_role_arn(id) {
        a.entry(IRSA_ANNOTATION.into()).or_insert(arn);
    }
    (!a.is_empty()).then_some(a)
}

/// The backup role's ARN derived from the `aws` section, when backups are on and the spec
/// sets no `eks.amazonaws.com/role-arn` itself.
pub fn backup_role_arn(id: &Identity<'_>) -> Option<String> {
    let spec = id.model().spec();
    spec.backup.as_ref()?;
    let aws = spec.aws.as_ref()?;
    if spec
        .targets
        .kubernetes
        .service_account_annotations
        .contains_key(IRSA_ANNOTATION)
    {
        return None;
    }
    Some(format!(
        "arn:{}:iam::{}:role/{}",
        kimai_model::names::partition(&aws.region),
        aws.account_id,
        id.names().backup_role
    ))
}

/// A ServiceAccount that mounts no API token: Kimai and the backup never call the API, and the
/// pod watcher mounts its token explicitly (see [`crate::watcher`]).
pub fn service_account(id: &Identity<'_>, component: Component) -> ServiceAccount {
    let name = match component {
        Component::Backup => id.backup(),
        Component::PodWatcher => id.pod_watcher(),
        Component::Web | Component::Database => id.app().to_string(),
    };
    let annotated = match component {
        Component::Backup => annotations_on_backup(id),
        Component::PodWatcher => false,
        Component::Web | Component::Database => !annotations_on_backup(id),
    };
    ServiceAccount {
        metadata: ObjectMeta {
            annotations: if annotated { annotations(id) } else { None },
            ..id.meta(name, component)
        },
        automount_service_account_token: Some(false),
        ..Default::default()
    }
}

//! The Namespace with Pod Security admission labels, and Kimai's ServiceAccount.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::labels::{Component, Identity};

/// Pod Security Standards version the labels pin.
pub const PSS_VERSION: &str = "latest";

/// The Namespace: enforce `baseline` (the stock image's root entrypoint cannot run under
/// `restricted`), warn and audit against `restricted`.
pub fn namespace(id: &Identity<'_>) -> Namespace {
    let mut labels = id.common_labels();
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

fn annotations(id: &Identity<'_>) -> Option<BTreeMap<String, String>> {
    let a = &id
        .model()
        .spec()
        .targets
        .kubernetes
        .service_account_annotations;
    (!a.is_empty()).then(|| a.clone())
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

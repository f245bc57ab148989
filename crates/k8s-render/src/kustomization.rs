//! `kustomization.yaml`: every top-level manifest, and the namespace.

use serde::Serialize;

/// A kustomize `Kustomization` (only the fields this renderer uses).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Kustomization {
    /// `kustomize.config.k8s.io/v1beta1`.
    pub api_version: &'static str,
    /// `Kustomization`.
    pub kind: &'static str,
    /// Namespace set on every namespaced object.
    pub namespace: String,
    /// The manifests, by file name.
    pub resources: Vec<String>,
}

impl Kustomization {
    /// API group and version.
    pub const API_VERSION: &'static str = "kustomize.config.k8s.io/v1beta1";
    /// Kind.
    pub const KIND: &'static str = "Kustomization";

    /// A kustomization of `resources` in `namespace`.
    pub fn new(namespace: impl Into<String>, resources: Vec<String>) -> Self {
        Kustomization {
            api_version: Self::API_VERSION,
            kind: Self::KIND,
            namespace: namespace.into(),
            resources,
        }
    }
}

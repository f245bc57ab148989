//! Identity in one place: object names, `app.kubernetes.io/*` labels, selectors and ports.
//!
//! Every other module asks [`Identity`] for a name, a label map or a selector; none spells one.
//! Selectors use only the labels that never change over a deployment's life (name, instance,
//! component), because a Deployment's or StatefulSet's selector is immutable.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use kimai_model::{IngressClass, Names, Validated, KIMAI_PORT};

/// Name of Kimai's container port (Service `targetPort`, probes, Ingress backend by name).
pub const HTTP_PORT_NAME: &str = "http";
/// Port of Kimai's Service (the Ingress backend); it forwards to [`KIMAI_PORT`].
pub const SERVICE_PORT: i32 = 80;
/// Name of the bundled database's container and Service port.
pub const DB_PORT_NAME: &str = "mysql";
/// Name of Kimai's container in the Deployment (contract: `kimai`).
pub const KIMAI_CONTAINER: &str = "kimai";
/// `app.kubernetes.io/managed-by`.
pub const MANAGED_BY: &str = "kimai-deploy";

/// The parts of the deployment that run pods or own objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Component {
    /// The Kimai web application.
    Web,
    /// The bundled MySQL/MariaDB StatefulSet.
    Database,
    /// The scheduled database backup.
    Backup,
    /// The pod watcher (`targets.kubernetes.pod_watcher`).
    PodWatcher,
}

impl Component {
    /// `app.kubernetes.io/component` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Component::Web => "web",
            Component::Database => "database",
            Component::Backup => "backup",
            Component::PodWatcher => "pod-watcher",
        }
    }
}

/// Names, labels and selectors derived from the model, shared by every object.
#[derive(Debug, Clone)]
pub struct Identity<'a> {
    model: &'a Validated,
    names: Names,
}

impl<'a> Identity<'a> {
    /// Identity of `model`'s objects.
    pub fn new(model: &'a Validated) -> Self {
        Identity {
            model,
            names: model.names(),
        }
    }

    /// Every platform name of the deployment ([`kimai_model::names`]): the one derivation
    /// manifests and the deploy note print from.
    pub fn names(&self) -> &Names {
        &self.names
    }

    /// The ingress class in use (explicit, or `alb` when ACM or WAF ask for it).
    pub fn ingress_class(&self) -> IngressClass {
        self.names.ingress_class
    }

    /// The model.
    pub fn model(&self) -> &'a Validated {
        self.model
    }

    /// `name`: Kimai's Deployment, Service, Ingress, HPA, PDB and ServiceAccount.
    pub fn app(&self) -> &'a str {
        self.model.name()
    }

    /// The namespace ([`Names::namespace`]).
    pub fn namespace(&self) -> &str {
        &self.names.namespace
    }

    /// Object name of a part of the deployment: `<name>-<suffix>`.
    pub fn named(&self, suffix: &str) -> String {
        format!("{}-{suffix}", self.app())
    }

    /// The bundled database's StatefulSet and headless Service; also its DNS host name.
    pub fn database(&self) -> String {
        self.named("db")
    }

    /// The Secret holding every secret value Kimai's namespace needs (operator- or ESO-created).
    pub fn secret(&self) -> String {
        self.names.k8s_secret.clone()
    }

    /// The ConfigMap holding `local.yaml`.
    pub fn config(&self) -> String {
        self.named("config")
    }

    /// The PersistentVolumeClaim for `var/data`, `var/plugins`, `var/invoices`.
    pub fn var_claim(&self) -> String {
        self.names.var_claim.clone()
    }

    /// The static PersistentVolume for EFS; cluster-scoped, so it carries the namespace.
    pub fn var_volume(&self) -> String {
        self.names.var_volume.clone()
    }

    /// The backup CronJob and its ServiceAccount.
    pub fn backup(&self) -> String {
        self.names.backup_service_account.clone()
    }

    /// The pod watcher's Deployment, ServiceAccount, Role, RoleBinding and NetworkPolicy.
    pub fn pod_watcher(&self) -> String {
        self.named(Component::PodWatcher.as_str())
    }

    /// The TLS Secret of the Ingress (`secret` mode).
    pub fn tls_secret(&self) -> String {
        self.names.tls_secret.clone()
    }

    /// The version a component runs (`app.kubernetes.io/version`).
    fn version(&self, component: Component) -> String {
        match component {
            Component::Web | Component::Backup | Component::PodWatcher => {
                self.model.spec().app.version.clone()
            }
            Component::Database => self.model.db_version().to_string(),
        }
    }

    /// The stable labels that select a component's pods.
    pub fn selector_labels(&self, component: Component) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("app.kubernetes.io/name".into(), "kimai".into()),
            ("app.kubernetes.io/instance".into(), self.app().into()),
            (
                "app.kubernetes.io/component".into(),
                component.as_str().into(),
            ),
        ])
    }

    /// The full recommended label set of a component's objects and pods.
    pub fn labels(&self, component: Component) -> BTreeMap<String, String> {
        let mut l = self.selector_labels(component);
        l.insert("app.kubernetes.io/part-of".into(), "kimai".into());
        l.insert("app.kubernetes.io/managed-by".into(), MANAGED_BY.into());
        l.insert("app.kubernetes.io/version".into(), self.version(component));
        l
    }

    /// Labels of objects that belong to the whole deployment (Namespace, NetworkPolicies).
    pub fn common_labels(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("app.kubernetes.io/name".into(), "kimai".into()),
            ("app.kubernetes.io/instance".into(), self.app().into()),
            ("app.kubernetes.io/part-of".into(), "kimai".into()),
            ("app.kubernetes.io/managed-by".into(), MANAGED_BY.into()),
        ])
    }

    /// A label selector matching a component's pods.
    pub fn selector(&self, component: Component) -> LabelSelector {
        LabelSelector {
            match_labels: Some(self.selector_labels(component)),
            ..Default::default()
        }
    }

    /// Metadata of a namespaced object of `component`.
    pub fn meta(&self, name: impl Into<String>, component: Component) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.into()),
            namespace: Some(self.namespace().into()),
            labels: Some(self.labels(component)),
            ..Default::default()
        }
    }

    /// Metadata of a namespaced object that belongs to the whole deployment.
    pub fn common_meta(&self, name: impl Into<String>) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.into()),
            namespace: Some(self.namespace().into()),
            labels: Some(self.common_labels()),
            ..Default::default()
        }
    }

    /// Kimai's container port.
    pub fn kimai_port(&self) -> i32 {
        i32::from(KIMAI_PORT)
    }

    /// The database port (bundled server and external server alike).
    pub fn db_port(&self) -> i32 {
        i32::from(self.model.spec().database.port)
    }
}

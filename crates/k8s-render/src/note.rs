//! `README.md` next to the manifests: what the operator supplies (Secret keys, cluster
//! add-ons, IAM, S3 lifecycle) and how to apply.
//!
//! A minijinja template (`templates/README.md.j2`) fed by [`Facts`]: every name it prints comes
//! from [`kimai_model::Names`] through [`Identity`], the same derivation the manifests use, so the
//! note cannot spell a name differently from the object that carries it.

use kimai_model::{
    DatabaseMode, IngressClass, StorageClass, TlsMode, DEREGISTRATION_DELAY_SECONDS,
    STARTUP_BUDGET_SECONDS, STOP_GRACE_SECONDS,
};
use serde::Serialize;

use crate::deployment::pre_stop_seconds;
use crate::labels::Identity;
use crate::monitoring::VALUES_PATH;
use crate::namespace::{backup_role_arn, READINESS_GATE_LABEL};
use crate::secrets;

/// The template.
const TEMPLATE: &str = include_str!("../templates/README.md.j2");

/// The template compiled once per process (strict undefined, trailing newline kept). A syntax
/// error in it surfaces as "template not found" on first use, which every test would hit.
fn environment() -> &'static minijinja::Environment<'static> {
    static ENV: std::sync::OnceLock<minijinja::Environment<'static>> = std::sync::OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        let _ = env.add_template("README.md", TEMPLATE);
        env
    })
}

/// Everything the note prints, derived from the model and its names.
#[derive(Debug, Serialize)]
pub struct Facts {
    name: String,
    environment: String,
    namespace: String,
    app: String,
    alb: bool,
    ingress_controller_namespace: String,
    scaling: bool,
    storage: &'static str,
    storage_class_name: Option<String>,
    efs: Option<EfsFacts>,
    var_claim: String,
    var_volume: String,
    tls_mode: &'static str,
    cluster_issuer: Option<String>,
    tls_secret: String,
    k8s_secret: String,
    keys: Vec<KeyFacts>,
    db_password_secret: String,
    external_secrets: Option<ExternalSecretsFacts>,
    region: Option<String>,
    datadog: Option<DatadogFacts>,
    backup: Option<BackupFacts>,
    startup_budget: u32,
    pre_stop: u32,
    stop_grace: u32,
    deregistration_delay: u32,
    readiness_gate_label: &'static str,
    vpc_cidrs: Vec<String>,
    many_replicas: bool,
    external_db: Option<ExternalDbFacts>,
    /// The pod watcher's list items ([`crate::watcher::note_lines`]); empty when it is off.
    pod_watcher: Vec<String>,
    /// The EKS platform of `aws.eks`, which `../terraform` creates.
    eks: Option<EksFacts>,
}

/// The EKS platform Terraform creates: what the note says instead of install steps.
#[derive(Debug, Serialize)]
struct EksFacts {
    cluster: String,
    /// This environment's Terraform creates the cluster.
    create: bool,
    /// This environment's Terraform installs the add-ons and controllers.
    installs: bool,
    secret_store: String,
    storage_class: Option<String>,
    /// Secrets Manager name of the Datadog agent's API key, when this state installs the agent.
    datadog_api_key: Option<String>,
    /// The namespace runs on Fargate.
    fargate: bool,
    /// The cluster has nodes (a node group, or an existing cluster's own).
    nodes: bool,
}

/// The EFS file system.
#[derive(Debug, Serialize)]
struct EfsFacts {
    file_system_id: String,
    access_point_id: Option<String>,
}

/// One key of the namespace's Secret.
#[derive(Debug, Serialize)]
pub struct KeyFacts {
    /// Key in the Secret.
    pub key: String,
    /// What reads it.
    pub purpose: &'static str,
    /// True for the URL-encoded form of a secret.
    pub url_encoded: bool,
    /// Shell variable the command reads the value into.
    pub var: String,
    /// Shell variable holding the raw value an encoded key is computed from.
    pub raw_var: String,
}

/// The External Secrets store and the remote secrets it reads.
#[derive(Debug, Serialize)]
pub struct ExternalSecretsFacts {
    store_kind: String,
    store: String,
    /// Secrets Manager names, exactly as the ExternalSecret's `remoteRef.key`.
    pub remote: Vec<RemoteFacts>,
}

/// One Secrets Manager secret.
#[derive(Debug, Serialize)]
pub struct RemoteFacts {
    /// Its name in Secrets Manager.
    pub name: String,
    /// The logical secret (`db-password`), as the spec names it.
    pub secret: String,
    /// What it is for.
    pub purpose: String,
}

/// The shared Datadog agent.
#[derive(Debug, Serialize)]
struct DatadogFacts {
    release: &'static str,
    namespace: &'static str,
    secret: &'static str,
    values_path: &'static str,
    api_key: String,
}

/// The backup job's AWS side.
#[derive(Debug, Serialize)]
struct BackupFacts {
    service_account: String,
    role: String,
    role_arn: Option<String>,
    bucket: String,
    prefix: String,
    rule: String,
    retention_days: u32,
}

/// An external database.
#[derive(Debug, Serialize)]
struct ExternalDbFacts {
    host: String,
    read_replica: Option<String>,
}

/// The facts of `id`'s deployment.
pub fn facts(id: &Identity<'_>) -> Facts {
    let model = id.model();
    let spec = model.spec();
    let names = id.names();
    let k = &spec.targets.kubernetes;
    let keys = secrets::keys(model);
    let env_var = |s: &str| s.replace('-', "_").to_ascii_uppercase();
    let external_secrets = kimai_model::names::external_secrets(model).map(|es| {
        let remote = secrets::remote_secrets(id)
            .into_iter()
            .map(|(name, secret)| {
                let raw = keys.iter().find(|k| k.secret == secret && !k.url_encoded);
                let encoded = keys.iter().any(|k| k.secret == secret && k.url_encoded);
                let purpose = match (raw, encoded) {
                    (Some(k), false) => k.purpose.to_string(),
                    (Some(k), true) => {
                        format!("{}; also URL-encoded for `DATABASE_URL`", k.purpose)
                    }
                    (None, _) => {
                        "database password (URL-encoded for `DATABASE_URL` by the template)".into()
                    }
                };
                RemoteFacts {
                    name,
                    secret: secret.clone(),
                    purpose,
                }
            })
            .collect();
        ExternalSecretsFacts {
            store_kind: es.store_kind.clone(),
            store: es.store.clone(),
            remote,
        }
    });
    let storage = match spec.storage.class {
        StorageClass::Efs => "efs",
        StorageClass::Shared => "shared",
        StorageClass::Local => "local",
    };
    Facts {
        name: model.name().into(),
        environment: model.environment().into(),
        namespace: names.namespace.clone(),
        app: names.app.clone(),
        alb: id.ingress_class() == IngressClass::Alb,
        ingress_controller_namespace: k.ingress_controller_namespace.clone(),
        scaling: spec.scaling.is_some(),
        storage,
        storage_class_name: spec.storage.storage_class_name.clone(),
        efs: spec.storage.efs.as_ref().map(|e| EfsFacts {
            file_system_id: e.file_system_id.clone(),
            access_point_id: e.access_point_id.clone(),
        }),
        var_claim: names.var_claim.clone(),
        var_volume: names.var_volume.clone(),
        tls_mode: match spec.ingress.tls.mode {
            TlsMode::None => "none",
            TlsMode::Acm => "acm",
            TlsMode::Secret => "secret",
            TlsMode::Files => "files",
        },
        cluster_issuer: spec.ingress.tls.cluster_issuer.clone(),
        tls_secret: names.tls_secret.clone(),
        k8s_secret: names.k8s_secret.clone(),
        keys: keys
            .iter()
            .map(|k| KeyFacts {
                key: k.key.clone(),
                purpose: k.purpose,
                url_encoded: k.url_encoded,
                var: env_var(&k.key),
                raw_var: env_var(&k.secret),
            })
            .collect(),
        db_password_secret: spec.database.password.name().into(),
        external_secrets,
        region: spec.aws.as_ref().map(|a| a.region.clone()),
        datadog: spec.monitoring.datadog.enabled.then(|| DatadogFacts {
            release: kimai_model::names::DATADOG_RELEASE,
            namespace: kimai_model::names::DATADOG_NAMESPACE,
            secret: kimai_model::names::DATADOG_SECRET,
            values_path: VALUES_PATH,
            api_key: spec.monitoring.datadog.api_key.name().into(),
        }),
        backup: spec.backup.as_ref().map(|b| BackupFacts {
            service_account: names.backup_service_account.clone(),
            role: names.backup_role.clone(),
            role_arn: backup_role_arn(id),
            bucket: b.s3_bucket.clone(),
            prefix: names.backup_prefix.clone().unwrap_or_default(),
            rule: names.lifecycle_rule.clone(),
            retention_days: b.retention_days,
        }),
        startup_budget: STARTUP_BUDGET_SECONDS,
        pre_stop: pre_stop_seconds(model),
        stop_grace: STOP_GRACE_SECONDS,
        deregistration_delay: DEREGISTRATION_DELAY_SECONDS,
        readiness_gate_label: READINESS_GATE_LABEL,
        vpc_cidrs: model.vpc_cidrs(),
        many_replicas: model.max_replicas() > 1,
        external_db: (spec.database.mode == DatabaseMode::External).then(|| ExternalDbFacts {
            host: model.database_host("").into(),
            read_replica: spec.database.read_replica_host.clone(),
        }),
        pod_watcher: crate::watcher::note_lines(id),
        eks: names
            .eks
            .as_ref()
            .zip(spec.aws.as_ref().and_then(|a| a.eks.as_ref()))
            .map(|(n, e)| EksFacts {
                cluster: n.cluster.clone(),
                create: e.create,
                installs: e.installs_controllers(),
                fargate: e.fargate,
                nodes: e.node_group.is_some() || !e.create,
                secret_store: n.secret_store.clone(),
                storage_class: n.storage_class.clone(),
                datadog_api_key: (e.installs_controllers() && spec.monitoring.datadog.enabled)
                    .then(|| {
                        names.aws_secret(
                            &spec.monitoring.datadog.api_key,
                            kimai_model::SecretsBackend::SecretsManager,
                        )
                    }),
            }),
    }
}

/// The deploy note.
pub fn readme(id: &Identity<'_>) -> Result<String, minijinja::Error> {
    environment()
        .get_template("README.md")?
        .render(minijinja::Value::from_serialize(facts(id)))
}

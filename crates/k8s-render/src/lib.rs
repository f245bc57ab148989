//! Renders a validated Kimai deployment model as Kubernetes manifests plus a kustomization.
//!
//! One free function, [`render`], turns a [`Validated`] model into typed k8s-openapi objects
//! (and small serde structs for the `ExternalSecret` CRD and the kustomization), written with
//! the model's YAML 1.1-safe writer, comments explaining the production defaults. Output,
//! relative to the `k8s` folder:
//!
//! | file | objects |
//! |---|---|
//! | `namespace.yaml` | Namespace (Pod Security: enforce `baseline`, warn/audit `restricted`) |
//! | `serviceaccount.yaml` | Kimai's ServiceAccount (and the backup's), no token automount |
//! | `configmap.yaml` | `local.yaml` (when the spec has one) |
//! | `deployment.yaml` | Kimai: rolling update 1/0 (Recreate on RWO), probes, hardening, spread, env |
//! | `service.yaml`, `ingress.yaml` | ClusterIP Service on 80 → `http` (8001); ALB or nginx Ingress |
//! | `hpa.yaml`, `pdb.yaml` | autoscaling/v2 HPA (with `scaling`), PDB (more than one replica) |
//! | `storage.yaml` | one claim for `var/{data,plugins,invoices}` (+ static EFS PersistentVolume) |
//! | `externalsecret.yaml` | external-secrets.io/v1 ExternalSecret (when asked for) |
//! | `database.yaml` | bundled MySQL/MariaDB StatefulSet + headless Service |
//! | `backup.yaml` | ServiceAccount + CronJob dumping to S3 (with `backup`) |
//! | `networkpolicy.yaml` | default deny ingress; ingress → Kimai:8001; Kimai, backup → DB |
//! | `pod-watcher.yaml` | pod watcher: ServiceAccount, Role (get/list/watch pods), RoleBinding, Deployment, NetworkPolicy (with `targets.kubernetes.pod_watcher.enabled`) |
//! | `kustomization.yaml` | every manifest above, and the namespace |
//! | `README.md`, `datadog/values.yaml` | deploy note; Datadog agent Helm values (not manifests) |
//!
//! Secrets are references only: the operator creates `<name>-secrets` (keys listed in
//! `README.md`, see [`secret_keys`]) or an `ExternalSecret` fills it from AWS Secrets Manager.
//! `DATABASE_URL` is assembled by the kubelet from `DB_PASSWORD_URLENCODED` (key
//! `db-password-urlencoded`), declared just before it; every other plain value has each `$`
//! doubled ([`escape_env`]) so `$(VAR)` expansion gives it back byte-exact.
//!
//! ```
//! let spec = b"name: kimai\ningress: { host: kimai.example.com }\n";
//! let model = kimai_model::load(spec, kimai_model::Format::Yaml).unwrap();
//! let out = k8s_render::render(&model, &k8s_render::Options::default()).unwrap();
//! let deployment = &out.file("deployment.yaml").unwrap().contents;
//! assert!(deployment.contains("image: kimai/kimai2:2.66.0"));
//! assert!(deployment.contains(r#"value: "mysql://kimai:$(DB_PASSWORD_URLENCODED)@kimai-db:3306/kimai?"#));
//! let kustomization = &out.file("kustomization.yaml").unwrap().contents;
//! assert!(kustomization.contains("- deployment.yaml"));
//! ```
//!
//! # Decisions
//!
//! - **ALB health checks and `TRUSTED_HOSTS`.** With target type `ip` the ALB probes each pod
//!   with `Host: <pod IP>`, which Kimai rejects (HTTP 400). With the `alb` class the renderer
//!   passes the RFC 1918 IPv4 ranges as extra `TRUSTED_HOSTS` alternatives. Safe: the ALB
//!   forwards client requests only for the Ingress's hosts, so no client reaches Kimai with
//!   a private-IP `Host`. (Accepting 400 as healthy would prove nothing.)
//! - **Storage.** One claim mounted with three `subPath`s (an EFS file system needs one
//!   static PersistentVolume per claim; one volume also backs up as a unit). EFS without a
//!   `storage_class_name` gets a static PV (`fs-id` or `fs-id::fsap-id`, storage class `""`,
//!   `Retain`, bound by `claimRef`); with one, dynamic provisioning through that class.
//! - **Rollouts.** `RollingUpdate` with maxSurge 1, maxUnavailable 0 on shared storage;
//!   `Recreate` on `local` (ReadWriteOnce) storage, where a surge pod on another node could
//!   never attach the volume and the rollout would hang (one replica there anyway).
//! - **Bundled database** keeps the stock image's root entrypoint (it chowns the data
//!   directory, then drops to `mysql`), with only the capabilities that needs.
//! - **Backups**: init container with the database image runs `mysqldump`/`mariadb-dump`
//!   into an emptyDir, then [`Options::aws_cli_image`] uploads to S3; both as `nobody` on a
//!   read-only root filesystem. `targets.kubernetes.service_account_annotations` go on the
//!   backup's ServiceAccount when backups are on (only it needs AWS), else on Kimai's.
//! - **Pod watcher** (`targets.kubernetes.pod_watcher`, off by default): image, restart loop
//!   (`--watch-only` after the first listing), timestamps, token and egress are decided in
//!   [`watcher`]'s docs.
//!
//! # checkov (`check --checkov`, production spec: 272 passed, 14 failed)
//!
//! Fixed: the backup CronJob's CPU limits (CKV_K8S_11) and its database password, now a
//! mounted file instead of an environment variable (CKV_K8S_35); everything else checkov
//! checks (probes, requests, memory limits, token automount, seccomp, dropped
//! capabilities, privilege escalation, namespaces, network policies, non-root read-only
//! backup containers) passes. The remaining findings, each kept on purpose:
//!
//! - CKV_K8S_11 (CPU limits), Deployment: none on purpose; CFS throttling slows PHP
//!   requests and protects nobody that CPU requests do not already protect.
//! - CKV_K8S_43 (image digest), CKV_K8S_15 (pull policy), the pod watcher: as for Kimai
//!   (`alpine/kubectl:1.36.3`, overridable in `targets.kubernetes.pod_watcher.image`).
//! - CKV_K8S_43 (image digest), Deployment and CronJob: images are pinned to an exact
//!   release tag from the spec (`kimai/kimai2:2.66.0`, [`Options::aws_cli_image`]); a digest
//!   would hide the version in reviews and differ per architecture. Pin digests through the
//!   spec's version field if your policy demands it.
//! - CKV_K8S_15 (pull policy `Always`), Deployment and CronJob: `IfNotPresent` with pinned
//!   tags; `Always` would make every restart depend on the registry (and its rate limits).
//! - CKV_K8S_23 (root), CKV_K8S_40 (high UID), CKV_K8S_25 (added capabilities),
//!   CKV_K8S_22 (read-only root filesystem), Deployment: the stock image's entrypoint must
//!   start as root (writes `php.ini` and `.env.local`, `chown`s `var/`, switches to
//!   `www-data`), so it keeps CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID after dropping
//!   ALL; Pod Security `restricted` cannot run it (kimai-facts.md), hence `enforce:
//!   baseline` with `warn`/`audit: restricted`. The bundled database (not in this spec)
//!   makes the same trade-off for the same reason.
//! - CKV_K8S_8, CKV_K8S_9 (liveness, readiness probes), pod watcher: it serves nothing, and
//!   a failing kubectl exits the container, so the kubelet restarts it; a quiet namespace
//!   logs nothing for hours, so silence proves no fault a probe could act on.
//! - CKV_K8S_35 (secrets as env), Deployment: Kimai and Symfony read `APP_SECRET`,
//!   `ADMINPASS`, `MAILER_URL` and `DATABASE_URL` from the environment only; the values
//!   come from `secretKeyRef`, never from the manifest.
//!
//! Architecture invariant: this crate depends only on `kimai-model` and format crates
//! (k8s-openapi, serde); it does no I/O and reads no clock. Identity (names, labels,
//! selectors, ports) comes from [`labels`] only.

pub mod backup;
pub mod config;
pub mod database;
pub mod deployment;
pub mod env;
pub mod hpa;
pub mod ingress;
pub mod kustomization;
pub mod labels;
pub mod migrate;
pub mod monitoring;
pub mod namespace;
pub mod networkpolicy;
mod note;
pub mod pdb;
pub mod secrets;
pub mod service;
pub mod storage;
pub mod watcher;

use std::collections::BTreeMap;

use kimai_model::yaml::{to_yaml, Comments};
use kimai_model::{IngressClass, Notice, OutputFile, Rendered, Target, TlsMode, Validated};
use serde::Serialize;

pub use env::escape_env;
pub use labels::{Component, Identity};
pub use secrets::{keys as secret_keys, SecretKey};

/// Default image of the backup's upload container.
pub const DEFAULT_AWS_CLI_IMAGE: &str = "amazon/aws-cli:2.22.0";

/// Options of the Kubernetes renderer. Nothing is required; the spec carries the deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Image of the backup CronJob's upload container (needs `aws` and `/bin/sh`);
    /// defaults to [`DEFAULT_AWS_CLI_IMAGE`].
    pub aws_cli_image: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            aws_cli_image: DEFAULT_AWS_CLI_IMAGE.into(),
        }
    }
}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model cannot be expressed on Kubernetes.
    #[error(transparent)]
    Invalid(#[from] kimai_model::Diagnostics),
    /// A value could not be serialised.
    #[error("cannot serialise kubernetes output: {0}")]
    Serialize(#[from] serde_json::Error),
    /// The deploy note's template failed (a bug: the facts are typed).
    #[error("cannot render the kubernetes deploy note: {0}")]
    Template(#[from] minijinja::Error),
}

/// The notice target name.
const TARGET: &str = "k8s";

/// Top-level manifests, each a list of YAML documents.
#[derive(Default)]
struct Manifests(BTreeMap<&'static str, Vec<String>>);

impl Manifests {
    fn add<T: Serialize>(
        &mut self,
        file: &'static str,
        object: &T,
        header: &str,
        comments: &Comments,
    ) -> Result<(), serde_json::Error> {
        self.0
            .entry(file)
            .or_default()
            .push(to_yaml(object, header, comments)?);
        Ok(())
    }

    fn add_opt<T: Serialize>(
        &mut self,
        file: &'static str,
        object: Option<&T>,
        header: &str,
        comments: &Comments,
    ) -> Result<(), serde_json::Error> {
        match object {
            Some(o) => self.add(file, o, header, comments),
            None => Ok(()),
        }
    }
}

/// What the spec says that Kubernetes cannot express, and what happens instead.
fn notices(model: &Validated) -> Vec<Notice> {
    let spec = model.spec();
    let class = kimai_model::names::ingress_class(model);
    let mut v = Vec::new();
    let mut add = |path: &str, message: &str| {
        v.push(Notice {
            target: TARGET,
            path: path.into(),
            message: message.into(),
        })
    };
    match (spec.ingress.tls.mode, class) {
        (TlsMode::Files, _) => add("ingress.tls.mode", "`files` is for a reverse proxy on a host; the Ingress serves plain HTTP here (DEFAULT_URI stays https): use `secret` (cert-manager) or `acm` (ALB)"),
        (TlsMode::Secret, IngressClass::Alb) => add("ingress.tls.mode", "an ALB cannot use a Kubernetes TLS Secret; the load balancer controller discovers an ACM certificate for the hosts instead"),
        _ => {}
    }
    // Notices only for what the spec sets: a default the user never wrote is not news.
    if class == IngressClass::Alb
        && spec.ingress.max_body_mib != kimai_model::Ingress::default().max_body_mib
    {
        add("ingress.max_body_mib", "not enforced: an ALB has no request-body limit; PHP's upload limits in the image apply");
    }
    if spec
        .scaling
        .as_ref()
        .is_some_and(|s| s.requests_per_target.is_some())
    {
        add("scaling.requests_per_target", "the HorizontalPodAutoscaler scales on CPU and memory only; request-count scaling needs an external metrics adapter");
    }
    if spec.database.read_replica_host.is_some() {
        add(
            "database.read_replica_host",
            "Kimai uses only the primary; the replica is listed in README.md for reporting tools",
        );
    }
    if spec.backup.is_some()
        && spec.aws.is_none()
        && !spec
            .targets
            .kubernetes
            .service_account_annotations
            .contains_key(namespace::IRSA_ANNOTATION)
    {
        add("targets.kubernetes.service_account_annotations", "the backup ServiceAccount has no IAM role: set `eks.amazonaws.com/role-arn` here, or an `aws` section (the role is then derived), or the S3 upload fails for want of AWS credentials");
    }
    v
}

/// Renders the Kubernetes output: manifests, `kustomization.yaml`, `README.md` and the
/// Datadog agent's Helm values, sorted by path, plus notices.
pub fn render(model: &Validated, options: &Options) -> Result<Rendered, Error> {
    model.check_target(Target::Kubernetes)?;
    let id = Identity::new(model);
    let none = Comments::new();
    let mut m = Manifests::default();

    m.add(
        "namespace.yaml",
        &namespace::namespace(&id),
        "Namespace with Pod Security admission: the stock Kimai image needs `baseline`.",
        &none,
    )?;
    m.add(
        "serviceaccount.yaml",
        &namespace::service_account(&id, Component::Web),
        "Kimai's identity; it never calls the Kubernetes API.",
        &none,
    )?;
    m.add_opt(
        "configmap.yaml",
        config::config_map(&id).as_ref(),
        "config/packages/local.yaml (LDAP, SAML, ...), mounted read-only.",
        &none,
    )?;
    m.add(
        "deployment.yaml",
        &deployment::deployment(&id)?,
        "Kimai (Apache image, port 8001).",
        &deployment::comments(model),
    )?;
    m.add(
        "service.yaml",
        &service::service(&id),
        "Kimai inside the cluster: port 80 to the container's `http` port.",
        &none,
    )?;
    m.add(
        "ingress.yaml",
        &ingress::ingress(&id)?,
        "How users reach Kimai.",
        &ingress::comments(&id),
    )?;
    m.add_opt(
        "hpa.yaml",
        hpa::hpa(&id).as_ref(),
        "Autoscaling between the spec's bounds; the Deployment has no fixed replica count.",
        &hpa::comments(),
    )?;
    m.add_opt(
        "pdb.yaml",
        pdb::pdb(&id).as_ref(),
        "Voluntary disruptions (drains, upgrades) take at most one Kimai pod at a time.",
        &none,
    )?;
    m.add_opt(
        "storage.yaml",
        storage::efs_volume(&id).as_ref(),
        "Static EFS volume (cluster-scoped), reserved for Kimai's claim; kept when released.",
        &none,
    )?;
    m.add(
        "storage.yaml",
        &storage::var_claim(&id),
        "Kimai's var/data, var/plugins and var/invoices (sub-paths of one volume).",
        &none,
    )?;
    if let Some(es) = &kimai_model::names::external_secrets(model) {
        m.add("externalsecret.yaml", &secrets::external_secret(&id, es), "Fills Secret `<name>-secrets` from AWS Secrets Manager; no secret value is in this repository.", &none)?;
    }
    m.add_opt(
        "database.yaml",
        database::service(&id).as_ref(),
        "Headless Service: the bundled database's stable DNS name.",
        &none,
    )?;
    m.add_opt(
        "database.yaml",
        database::stateful_set(&id).as_ref(),
        "The bundled database: one replica with its own volume.",
        &database::comments(),
    )?;
    if model.spec().backup.is_some() {
        m.add(
            "backup.yaml",
            &namespace::service_account(&id, Component::Backup),
            "The backup's identity: its IAM role (IRSA) grants the S3 upload.",
            &none,
        )?;
        m.add_opt(
            "backup.yaml",
            backup::cron_job(&id, &options.aws_cli_image).as_ref(),
            "Database dump to S3 on the spec's schedule.",
            &backup::comments(&id),
        )?;
    }
    m.add(
        "networkpolicy.yaml",
        &networkpolicy::default_deny(&id),
        "Nothing reaches a pod of this namespace unless a policy below allows it.",
        &none,
    )?;
    m.add(
        "networkpolicy.yaml",
        &networkpolicy::kimai(&id),
        "Who reaches Kimai.",
        &networkpolicy::kimai_comments(&id),
    )?;
    m.add_opt(
        "networkpolicy.yaml",
        networkpolicy::database(&id).as_ref(),
        "Only Kimai (and the backup) reach the bundled database.",
        &networkpolicy::database_comments(),
    )?;

    if watcher::enabled(&id) {
        let file = "pod-watcher.yaml";
        m.add(
            file,
            &watcher::service_account(&id),
            "The pod watcher's identity; its token is mounted into the watcher only.",
            &none,
        )?;
        m.add(
            file,
            &watcher::role(&id),
            "Read the pods of this namespace: get, list, watch.",
            &watcher::role_comments(),
        )?;
        m.add(
            file,
            &watcher::role_binding(&id),
            "The pod watcher's ServiceAccount, and nothing else, gets the Role.",
            &none,
        )?;
        m.add(
            file,
            &watcher::deployment(&id)?,
            "Logs one line per pod event of this namespace (kubectl get pods --watch).",
            &watcher::deployment_comments(),
        )?;
        m.add(
            file,
            &watcher::network_policy(&id),
            "The pod watcher reaches the API server and DNS, nothing else.",
            &watcher::network_policy_comments(),
        )?;
    }

    let resources: Vec<String> = m.0.keys().map(|f| f.to_string()).collect();
    let mut files: Vec<OutputFile> =
        m.0.into_iter()
            .map(|(file, docs)| OutputFile::new(file, docs.join("---\n")))
            .collect();
    files.push(OutputFile::new(
        "kustomization.yaml",
        to_yaml(
            &kustomization::Kustomization::new(id.namespace(), resources),
            "kubectl apply -k . deploys every manifest.",
            &none,
        )?,
    ));
    if model.spec().monitoring.datadog.enabled {
        files.push(OutputFile::new(
            monitoring::VALUES_PATH,
            to_yaml(
                &monitoring::values(model),
                "Values for the datadog/datadog Helm chart (not a manifest): see ../README.md.",
                &none,
            )?,
        ));
    }
    files.push(OutputFile::new("README.md", note::readme(&id)?));
    Ok(Rendered {
        files,
        notices: notices(model),
    }
    .sorted())
}

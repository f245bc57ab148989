//! The spec: the serde form of one Kimai deployment, exactly as a user writes it.
//!
//! Plain data with pub fields and defaults a careful operator would pick. Nothing here is
//! checked; [`crate::validate`] turns a [`Spec`] into a [`crate::Validated`] model.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::secret::SecretRef;

/// One Kimai deployment (one environment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Optional JSON Schema reference for editors (`docs/spec.schema.json`); ignored.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// DNS-1123 label, at most 40 characters; the prefix of every resource name.
    pub name: String,
    /// Free label (`dev`, `staging`, `production`); used in labels and tags.
    #[serde(default = "default_environment")]
    pub environment: String,
    /// The Kimai application container.
    #[serde(default)]
    pub app: App,
    /// The MySQL/MariaDB database.
    #[serde(default)]
    pub database: Database,
    /// Persistent storage for `var/data`, `var/plugins`, `var/invoices`.
    #[serde(default)]
    pub storage: Storage,
    /// How users reach Kimai.
    #[serde(default)]
    pub ingress: Ingress,
    /// Autoscaling; absent means the fixed `app.replicas`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling: Option<Scaling>,
    /// Logs and metrics.
    #[serde(default)]
    pub monitoring: Monitoring,
    /// Scheduled database backups to S3; absent means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<Backup>,
    /// Per-target settings.
    #[serde(default)]
    pub targets: Targets,
}

fn default_environment() -> String {
    "production".into()
}

impl Spec {
    /// A spec with only a name and a public host; every other field at its default.
    pub fn minimal(name: impl Into<String>, host: impl Into<String>) -> Self {
        Spec {
            schema: None,
            name: name.into(),
            environment: default_environment(),
            app: App::default(),
            database: Database::default(),
            storage: Storage::default(),
            ingress: Ingress {
                host: Some(host.into()),
                ..Ingress::default()
            },
            scaling: None,
            monitoring: Monitoring::default(),
            backup: None,
            targets: Targets::default(),
        }
    }
}

/// The Kimai application container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct App {
    /// Image repository.
    pub image: String,
    /// Image tag: a pinned Kimai version (`2.66.0`), never `latest`.
    pub version: String,
    /// Fixed replica count when `scaling` is absent.
    pub replicas: u32,
    /// CPU request in Kubernetes notation (`500m`); ECS task size is derived from it.
    pub cpu: String,
    /// Memory request and limit in Kubernetes notation (`1Gi`); at least 512Mi.
    pub memory: String,
    /// Extra environment: plain values arrive byte-exact on every target; `{ secret: NAME }`
    /// values are lowered like every built-in secret; `{ plain: VALUE }` marks a value under a
    /// secret-looking name as not secret.
    pub env: BTreeMap<String, crate::env_var::EnvVar>,
    /// E-mail of the `admin` user created at start (`ADMINMAIL`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_email: Option<String>,
    /// Password of the `admin` user (`ADMINPASS`); when set, every start (re)creates `admin`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_password: Option<SecretRef>,
    /// Symfony `APP_SECRET`, shared by every replica.
    pub app_secret: SecretRef,
    /// Container time zone (`TZ`).
    pub timezone: String,
    /// `TRUSTED_PROXIES`: IPs/CIDRs of the proxy or load balancer in front of Kimai.
    /// Empty means `127.0.0.1,REMOTE_ADDR`: trust the direct peer, which every target
    /// restricts to the proxy or load balancer by network policy.
    pub trusted_proxies: Vec<String>,
    /// Outgoing mail; absent means Kimai sends no mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mailer: Option<Mailer>,
    /// Contents of `config/packages/local.yaml` (LDAP, SAML, ...), mounted read-only. Keep
    /// passwords out of it: write `'%env(LDAP_PASSWORD)%'` and set `LDAP_PASSWORD` in `env`
    /// as `{ secret: ldap-password }`; a plain `password:` line is an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_yaml: Option<String>,
}

impl Default for App {
    fn default() -> Self {
        App {
            image: "kimai/kimai2".into(),
            version: "2.66.0".into(),
            replicas: 1,
            cpu: "500m".into(),
            memory: "1Gi".into(),
            env: BTreeMap::new(),
            admin_email: None,
            admin_password: None,
            app_secret: SecretRef::new("app-secret"),
            timezone: "UTC".into(),
            trusted_proxies: Vec::new(),
            mailer: None,
            local_yaml: None,
        }
    }
}

/// Outgoing mail settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mailer {
    /// Sender address (`MAILER_FROM`).
    pub from: String,
    /// Symfony Mailer DSN (`MAILER_URL`); a secret because it usually holds credentials.
    #[serde(default = "default_mailer_url")]
    pub url: SecretRef,
}

fn default_mailer_url() -> SecretRef {
    SecretRef::new("mailer-url")
}

/// Where the database runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseMode {
    /// A MySQL/MariaDB container (Compose, Ansible) or StatefulSet (Kubernetes) next to Kimai.
    #[default]
    Bundled,
    /// A managed or existing server (RDS, Cloud SQL, ...), reached by `host`.
    External,
}

/// The database engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseEngine {
    /// MySQL (8.4 or newer).
    #[default]
    Mysql,
    /// MariaDB (10.6 or newer).
    Mariadb,
}

/// The MySQL/MariaDB database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Database {
    /// `bundled` or `external`.
    pub mode: DatabaseMode,
    /// `mysql` or `mariadb`.
    pub engine: DatabaseEngine,
    /// Server version (`8.4`, `11.4`); empty picks the engine's current LTS.
    pub version: String,
    /// Host name of an external server; required when `mode` is `external`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Host name of a read replica (RDS), for reporting tools; Kimai itself writes to `host`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_replica_host: Option<String>,
    /// TCP port.
    pub port: u16,
    /// Database name.
    pub name: String,
    /// Database user.
    pub user: String,
    /// The user's password.
    pub password: SecretRef,
    /// Root password of the bundled server (bundled only).
    pub root_password: SecretRef,
    /// The complete `DATABASE_URL` (password URL-encoded), for targets that cannot assemble
    /// it from parts at run time (ECS).
    pub url_secret: SecretRef,
    /// CPU request of the bundled server.
    pub cpu: String,
    /// Memory of the bundled server.
    pub memory: String,
}

impl Default for Database {
    fn default() -> Self {
        Database {
            mode: DatabaseMode::Bundled,
            engine: DatabaseEngine::Mysql,
            version: String::new(),
            host: None,
            read_replica_host: None,
            port: 3306,
            name: "kimai".into(),
            user: "kimai".into(),
            password: SecretRef::new("db-password"),
            root_password: SecretRef::new("db-root-password"),
            url_secret: SecretRef::new("database-url"),
            cpu: "250m".into(),
            memory: "1Gi".into(),
        }
    }
}

/// The kind of persistent storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StorageClass {
    /// Host volumes (Compose, Ansible) or a ReadWriteOnce volume (Kubernetes): one replica.
    #[default]
    Local,
    /// Amazon EFS, shared (ReadWriteMany) across replicas and hosts.
    Efs,
    /// Any ReadWriteMany Kubernetes StorageClass (NFS, Azure Files, Filestore), by name.
    Shared,
}

/// Persistent storage for Kimai's `var/data`, `var/plugins` and `var/invoices`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Storage {
    /// `local`, `efs` or `shared`.
    pub class: StorageClass,
    /// Size of each Kimai volume.
    pub size: String,
    /// Size of the bundled database's volume.
    pub database_size: String,
    /// The EFS file system (when `class` is `efs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub efs: Option<Efs>,
    /// Kubernetes StorageClass name: required for `shared`, optional for `local` (cluster default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
}

impl Default for Storage {
    fn default() -> Self {
        Storage {
            class: StorageClass::Local,
            size: "5Gi".into(),
            database_size: "10Gi".into(),
            efs: None,
            storage_class_name: None,
        }
    }
}

/// An Amazon EFS file system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Efs {
    /// `fs-` followed by 8 or 17 hex digits.
    pub file_system_id: String,
    /// Optional access point (`fsap-...`) rooting Kimai's directories; recommended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_point_id: Option<String>,
}

/// How users reach Kimai.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Ingress {
    /// Public host name (`kimai.example.com`); required. Kimai needs its own (sub)domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Further host names that reach the same Kimai.
    pub aliases: Vec<String>,
    /// TLS termination.
    pub tls: Tls,
    /// Largest accepted request body in MiB (invoice templates, imports).
    pub max_body_mib: u32,
    /// AWS WAFv2 web ACL ARN for the load balancer (ECS, Kubernetes with ALB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waf_acl_arn: Option<String>,
}

impl Default for Ingress {
    fn default() -> Self {
        Ingress {
            host: None,
            aliases: Vec::new(),
            tls: Tls::default(),
            max_body_mib: 32,
            waf_acl_arn: None,
        }
    }
}

/// Where TLS is terminated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Plain HTTP (behind something else that terminates TLS, or for a local test).
    #[default]
    None,
    /// An AWS Certificate Manager certificate on an ALB (ECS, Kubernetes with ALB).
    Acm,
    /// A Kubernetes TLS Secret (cert-manager or operator-created) on the Ingress.
    Secret,
    /// PEM files the operator supplies to the reverse proxy (Compose, Ansible).
    Files,
}

/// TLS termination settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Tls {
    /// `none`, `acm`, `secret` or `files`.
    pub mode: TlsMode,
    /// ACM certificate ARN; required for `acm`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_arn: Option<String>,
    /// Name of the Kubernetes TLS Secret for `secret`; defaults to `<name>-tls`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
    /// cert-manager ClusterIssuer that fills the TLS Secret (`secret` mode), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_issuer: Option<String>,
}

impl Default for Tls {
    fn default() -> Self {
        Tls {
            mode: TlsMode::None,
            certificate_arn: None,
            secret_name: None,
            cluster_issuer: None,
        }
    }
}

/// Autoscaling bounds and targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Scaling {
    /// Fewest replicas.
    pub min_replicas: u32,
    /// Most replicas.
    pub max_replicas: u32,
    /// Average CPU utilisation to hold, in percent of the request.
    pub target_cpu_percent: u32,
    /// Average memory utilisation to hold, in percent; absent means CPU only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_memory_percent: Option<u32>,
    /// Load-balancer requests per replica to hold (ECS with an ALB); absent means none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_per_target: Option<u32>,
    /// Seconds of low load before scaling in.
    pub scale_down_stabilization_seconds: u32,
}

impl Default for Scaling {
    fn default() -> Self {
        Scaling {
            min_replicas: 2,
            max_replicas: 10,
            target_cpu_percent: 70,
            target_memory_percent: None,
            requests_per_target: None,
            scale_down_stabilization_seconds: 300,
        }
    }
}

/// Logs and metrics.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Monitoring {
    /// Datadog agent and unified service tags.
    pub datadog: Datadog,
    /// CloudWatch Logs (ECS).
    pub cloudwatch: Cloudwatch,
}

/// Datadog settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Datadog {
    /// Turns the agent, tags and log annotations on.
    pub enabled: bool,
    /// Datadog site (`datadoghq.com`, `datadoghq.eu`, ...).
    pub site: String,
    /// The agent's API key.
    pub api_key: SecretRef,
    /// Agent image tag (major version or pinned release).
    pub agent_version: String,
}

impl Default for Datadog {
    fn default() -> Self {
        Datadog {
            enabled: false,
            site: "datadoghq.com".into(),
            api_key: SecretRef::new("datadog-api-key"),
            agent_version: "7".into(),
        }
    }
}

/// CloudWatch Logs settings (used where the target runs on AWS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Cloudwatch {
    /// Log group; empty means `/ecs/<name>-<environment>`.
    pub log_group: String,
    /// Retention of the log group in days.
    pub retention_days: u32,
}

impl Default for Cloudwatch {
    fn default() -> Self {
        Cloudwatch {
            log_group: String::new(),
            retention_days: 30,
        }
    }
}

/// Scheduled database backups to S3.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// Cron schedule (five fields, UTC).
    #[serde(default = "default_backup_schedule")]
    pub schedule: String,
    /// Destination bucket name.
    pub s3_bucket: String,
    /// Key prefix inside the bucket; empty means `<name>/<environment>`.
    #[serde(default)]
    pub s3_prefix: String,
    /// AWS region of the bucket.
    #[serde(default = "default_region")]
    pub region: String,
    /// How long dumps are kept, in days (applied as an S3 lifecycle rule by the operator).
    #[serde(default = "default_retention")]
    pub retention_days: u32,
}

fn default_backup_schedule() -> String {
    "30 2 * * *".into()
}

fn default_region() -> String {
    "us-east-1".into()
}

fn default_retention() -> u32 {
    1095
}

/// Per-target settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Targets {
    /// Docker Compose.
    pub compose: ComposeTarget,
    /// Kubernetes.
    pub kubernetes: KubernetesTarget,
    /// Ansible.
    pub ansible: AnsibleTarget,
    /// AWS ECS; required to render ECS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecs: Option<EcsTarget>,
}

/// Docker Compose settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ComposeTarget {
    /// Host port of the proxy's HTTP listener.
    pub http_port: u16,
    /// Host port of the proxy's HTTPS listener (TLS mode `files`).
    pub https_port: u16,
    /// NGINX image of the reverse proxy.
    pub proxy_image: String,
}

impl Default for ComposeTarget {
    fn default() -> Self {
        ComposeTarget {
            http_port: 80,
            https_port: 443,
            proxy_image: "nginx:1.28-alpine".into(),
        }
    }
}

/// The Kubernetes ingress controller class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IngressClass {
    /// ingress-nginx.
    #[default]
    Nginx,
    /// AWS Load Balancer Controller.
    Alb,
}

/// Kubernetes settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct KubernetesTarget {
    /// Namespace; empty means `<name>`.
    pub namespace: String,
    /// Ingress controller class.
    pub ingress_class: IngressClass,
    /// ALB scheme: `internet-facing` or `internal`.
    pub alb_scheme: String,
    /// Namespace of the ingress controller (NetworkPolicy source).
    pub ingress_controller_namespace: String,
    /// Pull secrets from AWS Secrets Manager with external-secrets.io instead of an
    /// operator-created Secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_secrets: Option<ExternalSecrets>,
    /// ServiceAccount annotations (IRSA role for backups: `eks.amazonaws.com/role-arn`).
    pub service_account_annotations: BTreeMap<String, String>,
}

impl Default for KubernetesTarget {
    fn default() -> Self {
        KubernetesTarget {
            namespace: String::new(),
            ingress_class: IngressClass::Nginx,
            alb_scheme: "internet-facing".into(),
            ingress_controller_namespace: "ingress-nginx".into(),
            external_secrets: None,
            service_account_annotations: BTreeMap::new(),
        }
    }
}

/// external-secrets.io settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalSecrets {
    /// Name of the (Cluster)SecretStore backed by AWS Secrets Manager.
    pub store: String,
    /// `ClusterSecretStore` or `SecretStore`.
    #[serde(default = "default_store_kind")]
    pub store_kind: String,
    /// Prefix of the Secrets Manager secret names; empty means `<name>/<environment>`.
    #[serde(default)]
    pub prefix: String,
}

fn default_store_kind() -> String {
    "ClusterSecretStore".into()
}

/// Ansible settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AnsibleTarget {
    /// The hosts of group `kimai`: inventory name to address.
    pub hosts: BTreeMap<String, String>,
    /// SSH user.
    pub user: String,
    /// Where the compose project is written on the host (`kimai_deploy_dir`).
    pub deploy_dir: String,
}

impl Default for AnsibleTarget {
    fn default() -> Self {
        AnsibleTarget {
            hosts: BTreeMap::new(),
            user: "ubuntu".into(),
            deploy_dir: "/opt/kimai".into(),
        }
    }
}

/// ECS launch type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LaunchType {
    /// AWS Fargate.
    #[default]
    Fargate,
    /// EC2 container instances (capacity provider).
    Ec2,
}

/// CPU architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// x86-64.
    #[default]
    X86_64,
    /// ARM64 (Graviton).
    Arm64,
}

/// Where ECS reads secrets from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SecretsBackend {
    /// AWS Secrets Manager.
    #[default]
    SecretsManager,
    /// SSM Parameter Store (SecureString).
    Ssm,
}

/// AWS ECS settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EcsTarget {
    /// AWS region (`eu-central-1`); required.
    #[serde(default)]
    pub region: String,
    /// 12-digit AWS account id.
    #[serde(default)]
    pub account_id: String,
    /// ECS cluster name.
    #[serde(default)]
    pub cluster: String,
    /// `fargate` or `ec2`.
    #[serde(default)]
    pub launch_type: LaunchType,
    /// Capacity provider for `ec2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_provider: Option<String>,
    /// `x86_64` or `arm64`.
    #[serde(default)]
    pub architecture: Architecture,
    /// Private subnet ids (`subnet-...`).
    #[serde(default)]
    pub subnets: Vec<String>,
    /// Security group ids (`sg-...`).
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// ALB target group ARN the service registers with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_group_arn: Option<String>,
    /// Task execution role ARN; empty means `arn:aws:iam::<account>:role/<name>-execution`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_role_arn: Option<String>,
    /// Task role ARN; empty means `arn:aws:iam::<account>:role/<name>-task`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_role_arn: Option<String>,
    /// Task CPU units (1024 = 1 vCPU), overriding the size derived from `app.cpu`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<u32>,
    /// Task memory in MiB, overriding the size derived from `app.memory`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<u32>,
    /// Secrets Manager or SSM.
    #[serde(default)]
    pub secrets_backend: SecretsBackend,
    /// Name prefix of the secrets; empty means `<name>/<environment>`.
    #[serde(default)]
    pub secrets_prefix: String,
    /// Explicit ARN per logical secret name, overriding the derived one.
    #[serde(default)]
    pub secret_arns: BTreeMap<String, String>,
    /// Turns on ECS Exec.
    #[serde(default)]
    pub enable_execute_command: bool,
}

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
    /// The AWS account every AWS target shares (ECS, Kubernetes on EKS, Terraform); absent
    /// means no AWS settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<Aws>,
    /// CI/CD pipelines and GitOps objects that deliver the generated output; absent means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
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
            aws: None,
            delivery: None,
            targets: Targets::default(),
        }
    }
}

/// The AWS account and network every AWS target shares: set once here, never again per target.
/// Its presence also turns on the `terraform` target, which creates the AWS platform.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Aws {
    /// AWS region (`eu-central-1`).
    #[serde(default)]
    pub region: String,
    /// 12-digit AWS account id, quoted in YAML.
    #[serde(default)]
    pub account_id: String,
    /// Address ranges of the VPC (primary and secondary CIDRs, IPv4 or IPv6). Load-balancer
    /// health checks come from these addresses and send a target's address as `Host`; empty
    /// means the RFC 1918 ranges (`10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`).
    #[serde(default)]
    pub vpc_cidrs: Vec<String>,
    /// Prefix of every Secrets Manager secret and SSM parameter name (ECS and External
    /// Secrets alike); empty means `<name>/<environment>`.
    #[serde(default)]
    pub secrets_prefix: String,
    /// The network: an existing VPC (`vpc_id` and subnet ids) or, when `vpc_id` is absent, a
    /// VPC that Terraform creates from the first of `vpc_cidrs` (`10.0.0.0/16` when empty).
    #[serde(default)]
    pub network: Network,
    /// Route 53 public hosted zone (`Z...`) that gets alias records for `ingress.host` and its
    /// aliases; absent means DNS is managed elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosted_zone_id: Option<String>,
    /// Terraform creates the RDS database (`database.mode: external`): `database.host` (and
    /// `database.read_replica_host`) become records of a private hosted zone that Terraform
    /// owns, pointing at the instances. False means the database exists.
    #[serde(default)]
    pub create_database: bool,
    /// Terraform creates the EFS file system, its mount targets and one access point per
    /// persistent directory (`storage.class: efs`). False means `storage.efs` exists.
    #[serde(default)]
    pub create_file_system: bool,
    /// S3 bucket holding the Terraform state (the README's backend block); empty means
    /// `<account_id>-terraform-state`.
    #[serde(default)]
    pub terraform_state_bucket: String,
    /// The EKS cluster the Kubernetes output runs on: Terraform creates it (or uses an
    /// existing one by name) with its add-ons, controllers and workload roles, so
    /// `terraform apply` then `kubectl apply -k` is the whole EKS deployment; absent means the
    /// Kubernetes output runs on a cluster Terraform does not know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eks: Option<Eks>,
}

/// Default Kubernetes version of a created EKS cluster.
pub const DEFAULT_EKS_VERSION: &str = "1.36";

/// The EKS cluster under the Kubernetes output (`aws.eks`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Eks {
    /// Cluster name; empty means `<name>-<environment>` for a created cluster. Required for an
    /// existing one.
    pub cluster: String,
    /// Terraform creates the cluster and installs its add-ons and controllers; false means it
    /// exists (by `cluster`, with its controllers) and this environment adds only its own
    /// roles, secret store, Fargate profile and storage to it.
    pub create: bool,
    /// Kubernetes `major.minor` of a created cluster; Terraform pins the add-on versions of
    /// this minor. Upgrades go one minor at a time.
    pub version: String,
    /// The API server endpoint is reachable from the internet (restricted to
    /// `public_access_cidrs`); false means from the VPC only (CI then needs a runner there).
    pub endpoint_public_access: bool,
    /// Who may reach the public endpoint; empty means any address (authentication still
    /// applies).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub public_access_cidrs: Vec<String>,
    /// A managed node group across the private subnets; absent means pods run on Fargate only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_group: Option<NodeGroup>,
    /// A Fargate profile runs this environment's namespace on Fargate (the controllers stay
    /// on the node group; without one, a second profile runs `kube-system` and the
    /// controllers' namespaces on Fargate too).
    pub fargate: bool,
    /// IAM role ARNs given cluster-admin access (EKS access entries); the cluster's creator
    /// is not an admin by default.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub admin_role_arns: Vec<String>,
}

impl Default for Eks {
    fn default() -> Self {
        Eks {
            cluster: String::new(),
            create: true,
            version: DEFAULT_EKS_VERSION.into(),
            endpoint_public_access: true,
            public_access_cidrs: Vec::new(),
            node_group: None,
            fargate: false,
            admin_role_arns: Vec::new(),
        }
    }
}

impl Eks {
    /// Terraform installs the cluster-wide add-ons and controllers (AWS Load Balancer
    /// Controller, External Secrets Operator, EFS CSI driver, metrics-server, the Datadog
    /// agent, the Cluster Autoscaler): the state that creates the cluster does, once. An
    /// existing cluster's are its creator's.
    pub fn installs_controllers(&self) -> bool {
        self.create
    }
}

/// The EKS managed node group (`aws.eks.node_group`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NodeGroup {
    /// EC2 instance types, all of one architecture (Graviton `m7g.large` or x86 `m7i.large`);
    /// the AMI type follows from them.
    pub instance_types: Vec<String>,
    /// Fewest nodes.
    pub min_size: u32,
    /// Most nodes; above `min_size` the Cluster Autoscaler adds and removes nodes.
    pub max_size: u32,
    /// Nodes at creation; absent means `min_size` (later changes are the autoscaler's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desired_size: Option<u32>,
    /// `ON_DEMAND` or `SPOT`.
    pub capacity_type: String,
    /// Root volume size of each node in GiB.
    pub disk_size_gib: u32,
}

impl Default for NodeGroup {
    fn default() -> Self {
        NodeGroup {
            instance_types: vec!["m7g.large".into()],
            min_size: 2,
            max_size: 4,
            desired_size: None,
            capacity_type: "ON_DEMAND".into(),
            disk_size_gib: 50,
        }
    }
}

impl NodeGroup {
    /// Every instance type is a Graviton (arm64) type: a digit, then `g` in the family
    /// (`m7g`, `c7gn`, `t4g`, `r8gd`).
    pub fn arm64(&self) -> bool {
        !self.instance_types.is_empty() && self.instance_types.iter().all(|t| graviton(t))
    }
}

/// `m7g.large` → true; `m7i.large`, `g5.xlarge` → false.
pub fn graviton(instance_type: &str) -> bool {
    let family = instance_type.split('.').next().unwrap_or("");
    let after_letters = family.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let after_digits = after_letters.trim_start_matches(|c: char| c.is_ascii_digit());
    after_digits.len() < after_letters.len() && after_digits.starts_with('g')
}

/// The VPC the AWS targets run in.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Network {
    /// An existing VPC (`vpc-...`); absent means Terraform creates one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    /// Existing public subnets for the load balancer (at least two zones).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub public_subnets: Vec<String>,
    /// Existing private subnets for the tasks and EFS mount targets (at least two zones).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub private_subnets: Vec<String>,
    /// Existing subnets for the database; empty means the private subnets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub database_subnets: Vec<String>,
    /// Created VPC: how many availability zones it spans (2 to 6; default 3 in production,
    /// else 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zones: Option<u32>,
    /// Created VPC: one NAT gateway shared by every zone instead of one per zone (cheaper, but
    /// a zone outage cuts the others off); default false in production, true elsewhere, and
    /// not allowed in production.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub single_nat_gateway: Option<bool>,
}

/// How the generated output is delivered: CI/CD pipelines (`ci` target) and GitOps objects
/// (`gitops` target). Every field but `approval` is shared by all environments of a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    /// Git URL of the repository holding the spec and the generated output, as Flux and
    /// Argo CD clone it (`https://github.com/example/kimai-deploy.git`); no credentials in it.
    pub repository: String,
    /// The branch deploys follow: a push (merge) to it deploys, pull requests into it validate.
    #[serde(default = "default_branch")]
    pub branch: String,
    /// Folder of the repository that `generate --out` writes and that is committed.
    #[serde(default = "default_output_path")]
    pub path: String,
    /// The spec file in the repository, for `generate --check` on every pull request.
    #[serde(default = "default_spec_path")]
    pub spec_path: String,
    /// Environments in deploy order (each waits for the one before); empty means `dev`, `test`,
    /// `qa`, `staging`, `production` in that order, other names after them by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<String>,
    /// This environment's deploy waits for a reviewer's approval; absent means only
    /// `production` does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<bool>,
    /// Who approves: GitHub user logins or `org/team` slugs (the GitHub environment's required
    /// reviewers); GitLab approvers are set on the protected environment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviewers: Vec<String>,
    /// EKS cluster the pipelines deploy Kubernetes to (`aws eks update-kubeconfig`); absent
    /// means a kubeconfig from the CI secret `KUBECONFIG_DATA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eks_cluster: Option<String>,
    /// GitHub Actions workflows (`ci/github/*.yml`); absent means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<GithubCi>,
    /// A GitLab CI pipeline (`ci/gitlab-ci.yml`); absent means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gitlab: Option<GitlabCi>,
    /// Flux reconciles each environment's Kubernetes output from git; absent means no Flux.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flux: Option<Flux>,
    /// Argo CD syncs each environment's Kubernetes output from git; absent means no Argo CD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argocd: Option<ArgoCd>,
}

fn default_branch() -> String {
    "main".into()
}

fn default_output_path() -> String {
    "out".into()
}

fn default_spec_path() -> String {
    "kimai.yaml".into()
}

/// GitHub Actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GithubCi {
    /// `OWNER/REPO`: the repository whose workflows may assume the deploy role (OIDC `sub`).
    pub repository: String,
}

/// GitLab CI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GitlabCi {
    /// `GROUP/PROJECT` (subgroups allowed): the project whose pipelines may assume the deploy
    /// role (OIDC `sub`).
    pub project: String,
    /// The GitLab instance, which issues the ID tokens (OIDC provider).
    #[serde(default = "default_gitlab_url")]
    pub url: String,
}

fn default_gitlab_url() -> String {
    "https://gitlab.com".into()
}

/// Flux settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Flux {
    /// Namespace of the Flux controllers and of these objects.
    pub namespace: String,
    /// How often the source is fetched and each environment reconciled (`5m`).
    pub interval: String,
    /// Each environment's Kustomization waits until the previous environment's is ready.
    pub depends_on_previous: bool,
    /// Secret in `namespace` with the credentials Flux clones with (a private repository:
    /// `flux create secret git`); absent means an anonymous clone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl Default for Flux {
    fn default() -> Self {
        Flux {
            namespace: "flux-system".into(),
            interval: "5m".into(),
            depends_on_previous: true,
            secret: None,
        }
    }
}

/// Argo CD settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ArgoCd {
    /// Namespace Argo CD runs in (its AppProjects and Applications live there).
    pub namespace: String,
    /// API server URL of the destination cluster, as registered in Argo CD.
    pub server: String,
}

impl Default for ArgoCd {
    fn default() -> Self {
        ArgoCd {
            namespace: "argocd".into(),
            server: "https://kubernetes.default.svc".into(),
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
    /// restricts to the proxy or load balancer by network policy. On Compose, Kimai trusts
    /// only the NGINX proxy's fixed address, and these are the load balancer's addresses
    /// NGINX believes `X-Forwarded-*` from in TLS mode `acm` (empty: the private IPv4 ranges).
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
    /// Optional access point (`fsap-...`) rooting Kimai's directories on Kubernetes, which
    /// mounts one volume with sub-paths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_point_id: Option<String>,
    /// One access point per persistent directory (`data`, `plugins`, `invoices` to
    /// `fsap-...`), for ECS, which mounts whole volumes only. A directory without one is
    /// mounted from `/<directory>` of the file system.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub access_points: BTreeMap<String, String>,
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
    /// IPv4 subnet of the proxy network (`frontend`), `/16` to `/26`, host bits zero. Kimai
    /// trusts `X-Forwarded-*` only from the proxy's fixed address in it (its second address).
    /// Unset: `172.16.N.0/24`, N derived from the project name, outside Docker's default pools.
    /// Set it when that range is in use on the host's network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_subnet: Option<String>,
}

impl Default for ComposeTarget {
    fn default() -> Self {
        ComposeTarget {
            http_port: 80,
            https_port: 443,
            proxy_image: "nginx:1.28-alpine".into(),
            proxy_subnet: None,
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
    /// Namespace; empty means `<name>-<environment>`, so environments never share one.
    pub namespace: String,
    /// Ingress controller class; absent means `alb` when the spec asks for an ACM certificate
    /// or a WAF web ACL (only the AWS Load Balancer Controller can use them), else `nginx`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress_class: Option<IngressClass>,
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
    /// A one-replica watcher that logs every pod event of the namespace (`kubectl --watch`).
    pub pod_watcher: PodWatcher,
}

impl Default for KubernetesTarget {
    fn default() -> Self {
        KubernetesTarget {
            namespace: String::new(),
            ingress_class: None,
            alb_scheme: "internet-facing".into(),
            ingress_controller_namespace: "ingress-nginx".into(),
            external_secrets: None,
            service_account_annotations: BTreeMap::new(),
            pod_watcher: PodWatcher::default(),
        }
    }
}

/// Default image of the pod watcher: kubectl with a shell (`sh`, `date`), pinned.
pub const DEFAULT_POD_WATCHER_IMAGE: &str = "alpine/kubectl:1.36.3";

/// The pod watcher: logs one line per pod event (ADDED, MODIFIED, DELETED) of the namespace,
/// with a ServiceAccount allowed exactly `get`, `list`, `watch` on pods there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PodWatcher {
    /// Turns the watcher on.
    pub enabled: bool,
    /// Image with `kubectl` and a POSIX shell with `date` (the watch restarts in a shell loop
    /// and every line gets a UTC timestamp); pinned `repository:tag`. Pick the kubectl minor
    /// of the cluster (kubectl supports one minor version either side of the API server).
    pub image: String,
    /// CPU request; the limit is 250m, or the request when higher.
    pub cpu: String,
    /// Memory request and limit.
    pub memory: String,
    /// Addresses of the Kubernetes API server's endpoints (IPs or CIDRs), the only egress
    /// besides DNS. Empty means the VPC's ranges (`aws.vpc_cidrs`) behind an ALB (EKS puts
    /// the API server's network interfaces in the cluster's subnets), else any address on
    /// `api_server_ports`. List them with
    /// `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes`.
    pub api_server_cidrs: Vec<String>,
    /// TCP ports of the API server's endpoints (443 on EKS, GKE, AKS; 6443 on kubeadm, k3s, kind).
    pub api_server_ports: Vec<u16>,
}

impl Default for PodWatcher {
    fn default() -> Self {
        PodWatcher {
            enabled: false,
            image: DEFAULT_POD_WATCHER_IMAGE.into(),
            cpu: "10m".into(),
            memory: "128Mi".into(),
            api_server_cidrs: Vec::new(),
            api_server_ports: vec![443, 6443],
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
    /// ARN of the Application Load Balancer in front of the target group; needed by the
    /// `scaling.requests_per_target` policy, whose metric names the load balancer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer_arn: Option<String>,
    /// Registry prefix that replaces `docker.io` for every image the task pulls, such as an
    /// ECR pull-through cache for Docker Hub
    /// (`123456789012.dkr.ecr.eu-central-1.amazonaws.com/docker-hub`): tasks behind one NAT
    /// address otherwise share Docker Hub's anonymous pull limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_registry_mirror: Option<String>,
    /// Task execution role ARN; empty means role `<name>-<environment>-execution`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_role_arn: Option<String>,
    /// Task role ARN; empty means role `<name>-<environment>-task`.
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
    /// Explicit ARN per logical secret name, overriding the derived one.
    #[serde(default)]
    pub secret_arns: BTreeMap<String, String>,
    /// Turns on ECS Exec.
    #[serde(default)]
    pub enable_execute_command: bool,
}

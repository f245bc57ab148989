//! One derivation for every name that leaves a file or reaches a platform.
//!
//! A name the platform keeps (a Kubernetes namespace, a cluster-scoped volume, an IAM role, a
//! Secrets Manager secret, a log group, an ECS service, an S3 prefix and its lifecycle rule) is
//! computed here once, from the validated model, and every renderer and every deploy note prints
//! it from [`Names`]. Nothing here is spelled twice.
//!
//! Two environments of one spec (or two specs of one application) deploy side by side into one
//! AWS account and one cluster: every default that the platform keys by name carries the
//! environment (`<name>-<environment>`), so no two environments ever share one. Platform length
//! limits are met by [`fit`]: a name that would be too long is cut and ends in a short hash of
//! the whole name, so it stays unique and the same input always gives the same name.

use crate::secret::SecretRef;
use crate::spec::{IngressClass, SecretsBackend, TlsMode};
use crate::validate::Validated;

/// Longest IAM role name.
pub const IAM_ROLE_MAX: usize = 64;
/// Longest name of an Application Load Balancer or target group.
pub const ELB_NAME_MAX: usize = 32;
/// Longest RDS DB instance identifier.
pub const RDS_ID_MAX: usize = 63;
/// Longest Kubernetes namespace (a DNS-1123 label).
pub const NAMESPACE_MAX: usize = 63;

/// The Kubernetes namespace the Datadog agent's Helm release runs in (one agent per cluster).
pub const DATADOG_NAMESPACE: &str = "datadog";
/// The Datadog agent's Helm release name (one per cluster; every environment's pods carry
/// their own unified service tags, so the agent is shared).
pub const DATADOG_RELEASE: &str = "datadog";
/// Secret the Datadog chart reads its API key from (key `api-key`), in [`DATADOG_NAMESPACE`].
pub const DATADOG_SECRET: &str = "datadog-secret";

/// `name` if it fits `max` bytes, else its first bytes (trimmed of `-`) plus `-` and 8 hex
/// digits of a hash of the whole name: unique, deterministic and within the limit.
///
/// ```
/// use kimai_model::names::fit;
/// assert_eq!(fit("kimai-production", 32), "kimai-production");
/// let long = fit("a-very-long-application-name-production-task", 32);
/// assert_eq!(long.len(), 32);
/// assert!(long.starts_with("a-very-long-application-"));
/// assert_ne!(long, fit("a-very-long-application-name-production-exec", 32));
/// ```
pub fn fit(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_string();
    }
    let hash = format!("{:08x}", fnv1a(name.as_bytes()));
    let keep = max.saturating_sub(hash.len() + 1);
    let head: String = name.chars().take(keep).collect();
    format!("{}-{hash}", head.trim_end_matches(['-', '_', '.', '/']))
}

/// FNV-1a, 32 bits: a small, stable hash for [`fit`] (not for security).
/// Eight hex digits of a stable (FNV-1a) hash of `bytes`: the same input gives the same digits
/// on every machine and every run.
pub fn short_hash(bytes: &[u8]) -> String {
    format!("{:08x}", fnv1a(bytes))
}

fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

/// The name of the ECS task volume of one persistent directory (`data` gives `kimai-data`):
/// ecs-render's task definition and Terraform's use this one spelling.
pub fn efs_volume(directory: &str) -> String {
    format!("kimai-{directory}")
}

/// The ARN partition a region belongs to: `aws`, `aws-cn` or `aws-us-gov`.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// Every platform name of one deployment (one environment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// `<name>-<environment>`: the stem of every per-environment name.
    pub stem: String,
    /// Kubernetes namespace: `targets.kubernetes.namespace` or `<name>-<environment>`.
    pub namespace: String,
    /// Kimai's Deployment, Service, Ingress, HPA, PDB and ServiceAccount (namespaced): `<name>`.
    pub app: String,
    /// The Secret holding every secret value of the namespace: `<name>-secrets`.
    pub k8s_secret: String,
    /// The backup CronJob and its ServiceAccount: `<name>-backup`.
    pub backup_service_account: String,
    /// The claim for Kimai's persistent directories: `<name>-var`.
    pub var_claim: String,
    /// The static EFS PersistentVolume (cluster-scoped, so it carries the namespace).
    pub var_volume: String,
    /// The Ingress's TLS Secret (`secret` mode).
    pub tls_secret: String,
    /// The ingress class Kubernetes uses (explicit, or `alb` when ACM or WAF ask for it).
    pub ingress_class: IngressClass,
    /// Prefix of every AWS secret name (Secrets Manager, SSM): `aws.secrets_prefix` or
    /// `<name>/<environment>`.
    pub secrets_prefix: String,
    /// IAM role ECS uses to start tasks (pull, secrets, logs): `<name>-<environment>-execution`.
    pub execution_role: String,
    /// IAM role of Kimai's processes on ECS (EFS): `<name>-<environment>-task`.
    pub task_role: String,
    /// IAM role of the Kubernetes backup job (writes dumps under its prefix):
    /// `<name>-<environment>-backup`.
    pub backup_role: String,
    /// CloudWatch log group: `monitoring.cloudwatch.log_group` or `/ecs/<name>-<environment>`.
    pub log_group: String,
    /// ECS task definition family: `<name>-<environment>`.
    pub ecs_family: String,
    /// ECS service: `<name>-<environment>` (one cluster may run every environment).
    pub ecs_service: String,
    /// ECS cluster: `targets.ecs.cluster`, when ECS is a target.
    pub ecs_cluster: Option<String>,
    /// Load balancer name (32 characters at most): `<name>-<environment>`.
    pub load_balancer: String,
    /// Target group name (32 characters at most): `<name>-<environment>`.
    pub target_group: String,
    /// Backup bucket, when backups are on.
    pub backup_bucket: Option<String>,
    /// S3 key prefix of the dumps, without a trailing `/`: `backup.s3_prefix` or
    /// `<name>/<environment>`.
    pub backup_prefix: Option<String>,
    /// ID of this environment's S3 lifecycle rule: `<name>-<environment>-dumps`.
    pub lifecycle_rule: String,
    /// IAM role CI pipelines assume by OIDC to deploy this environment:
    /// `<name>-<environment>-deploy` (see [`crate::delivery`] for its trust policy).
    pub deploy_role: String,
    /// IAM role GitHub pull-request workflows assume by OIDC to run `terraform plan`
    /// (read-only): `<name>-<environment>-plan`.
    pub plan_role: String,
    /// The CI environment (GitHub environment, GitLab environment) deploys of this environment
    /// run in: the environment's label.
    pub ci_environment: String,
    /// The GitHub environment pull-request `terraform plan` jobs run in (no reviewers; its own
    /// OIDC subject, so the read-only plan role never trusts the deploy jobs' identity):
    /// `<environment>-plan`.
    pub ci_plan_environment: String,
    /// The Flux GitRepository and the Argo CD AppProject shared by every environment: `<name>`.
    pub gitops_source: String,
    /// The Flux Kustomization and the Argo CD Application of this environment:
    /// `<name>-<environment>`.
    pub gitops_app: String,
    /// RDS instance identifier (63 characters at most): `<name>-<environment>`; also its
    /// subnet group, parameter group and final snapshot's stem.
    pub db_instance: String,
    /// RDS read replica identifier: `<name>-<environment>-replica`.
    pub db_replica: String,
    /// Private hosted zone holding `database.host` when Terraform creates the database: the
    /// host's parent domain.
    pub db_zone: Option<String>,
    /// EFS file system creation token and `Name` tag: `<name>-<environment>-var`.
    pub file_system: String,
    /// AWS Backup vault and plan: `<name>-<environment>`.
    pub backup_plan: String,
    /// IAM role AWS Backup assumes for the plan: `<name>-<environment>-aws-backup`.
    pub aws_backup_role: String,
    /// S3 bucket of the Terraform state: `aws.terraform_state_bucket` or
    /// `<account_id>-terraform-state`.
    pub terraform_state_bucket: String,
    /// Key of this environment's Terraform state: `<name>/<environment>/terraform.tfstate`.
    pub terraform_state_key: String,
    /// ECR pull-through cache repository prefix (`docker-hub`), when
    /// `targets.ecs.image_registry_mirror` is an ECR registry of the spec's account.
    pub ecr_cache_prefix: Option<String>,
    /// Secrets Manager secret holding the Docker Hub credentials of the pull-through cache
    /// (ECR requires the `ecr-pullthroughcache/` prefix): `ecr-pullthroughcache/<prefix>`.
    pub ecr_cache_secret: Option<String>,
    /// The EKS platform's names (`aws.eks`).
    pub eks: Option<EksNames>,
    /// The EKS cluster the Kubernetes output deploys to: `aws.eks`'s, else
    /// `delivery.eks_cluster`; `None` when neither names one.
    pub eks_cluster: Option<String>,
}

/// Longest Helm release name.
pub const HELM_RELEASE_MAX: usize = 53;
/// Namespace of the External Secrets Operator (one per cluster).
pub const EXTERNAL_SECRETS_NAMESPACE: &str = "external-secrets";
/// Namespace of the cluster's controllers installed by Helm and EKS add-ons.
pub const KUBE_SYSTEM: &str = "kube-system";
/// ServiceAccount of the AWS Load Balancer Controller (its Helm release's).
pub const LB_CONTROLLER_SERVICE_ACCOUNT: &str = "aws-load-balancer-controller";
/// ServiceAccount of the EFS CSI driver's controller (the EKS add-on's).
pub const EFS_CSI_SERVICE_ACCOUNT: &str = "efs-csi-controller-sa";
/// ServiceAccount of the VPC CNI's `aws-node` DaemonSet (the EKS add-on's).
pub const VPC_CNI_SERVICE_ACCOUNT: &str = "aws-node";
/// ServiceAccount of the Cluster Autoscaler (its Helm release's).
pub const AUTOSCALER_SERVICE_ACCOUNT: &str = "cluster-autoscaler";

/// Names of the EKS platform: the cluster and what is installed in it once, and what each
/// environment adds to it. Cluster-wide names carry the cluster's name, per-environment ones
/// the `<name>-<environment>` stem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EksNames {
    /// The cluster (`aws.eks.cluster`, else `<name>-<environment>`).
    pub cluster: String,
    /// The control plane's role.
    pub cluster_role: String,
    /// The managed node group's instance role.
    pub node_role: String,
    /// The managed node group.
    pub node_group: String,
    /// Fargate's pod execution role of this environment's profiles.
    pub fargate_role: String,
    /// Fargate profile of this environment's namespace.
    pub fargate_profile: String,
    /// Fargate profile of `kube-system` and the controllers (clusters without nodes).
    pub fargate_system_profile: String,
    /// KMS alias of the key encrypting Kubernetes Secrets.
    pub kms_alias: String,
    /// The control plane's log group (EKS fixes it: `/aws/eks/<cluster>/cluster`).
    pub log_group: String,
    /// IRSA role of the AWS Load Balancer Controller.
    pub lb_controller_role: String,
    /// IRSA role of the EFS CSI driver's controller.
    pub efs_csi_role: String,
    /// IRSA role of the VPC CNI.
    pub vpc_cni_role: String,
    /// IRSA role of the Cluster Autoscaler.
    pub autoscaler_role: String,
    /// IRSA role of this environment's secret store: reads this environment's secrets only.
    pub secret_store_role: String,
    /// ServiceAccount (in [`EXTERNAL_SECRETS_NAMESPACE`]) whose token the secret store uses.
    pub secret_store_service_account: String,
    /// The `ClusterSecretStore` the ExternalSecret names
    /// (`targets.kubernetes.external_secrets.store`, else `<name>-<environment>`).
    pub secret_store: String,
    /// StorageClass of Kimai's EFS volume, when Terraform creates the file system.
    pub storage_class: Option<String>,
    /// Helm release of this environment's platform objects (secret store, storage).
    pub platform_release: String,
}

impl EksNames {
    fn new(spec: &crate::spec::Spec, eks: &crate::spec::Eks, stem: &str) -> Self {
        let cluster = if eks.cluster.is_empty() {
            stem.to_string()
        } else {
            eks.cluster.clone()
        };
        let role = |suffix: &str| fit(&format!("{cluster}-{suffix}"), IAM_ROLE_MAX);
        let storage_class = (spec.storage.class == crate::spec::StorageClass::Efs
            && spec.storage.storage_class_name.is_none()
            && spec.aws.as_ref().is_some_and(|a| a.create_file_system))
        .then(|| format!("{stem}-efs"));
        EksNames {
            cluster_role: role("cluster"),
            node_role: role("node"),
            node_group: fit(&format!("{cluster}-nodes"), IAM_ROLE_MAX),
            fargate_role: fit(&format!("{stem}-fargate-pods"), IAM_ROLE_MAX),
            fargate_profile: fit(stem, IAM_ROLE_MAX),
            fargate_system_profile: fit(&format!("{cluster}-system"), IAM_ROLE_MAX),
            kms_alias: format!("alias/{cluster}-eks-secrets"),
            log_group: format!("/aws/eks/{cluster}/cluster"),
            lb_controller_role: role("lb-controller"),
            efs_csi_role: role("efs-csi"),
            vpc_cni_role: role("vpc-cni"),
            autoscaler_role: role("cluster-autoscaler"),
            secret_store_role: fit(&format!("{stem}-secret-store"), IAM_ROLE_MAX),
            secret_store_service_account: fit(&format!("{stem}-secret-store"), NAMESPACE_MAX),
            secret_store: spec
                .targets
                .kubernetes
                .external_secrets
                .as_ref()
                .map_or_else(|| stem.to_string(), |x| x.store.clone()),
            storage_class,
            platform_release: fit(&format!("{stem}-platform"), HELM_RELEASE_MAX),
            cluster,
        }
    }
}

impl Names {
    /// Derives every name of `model`.
    pub fn new(model: &Validated) -> Self {
        let spec = model.spec();
        let name = spec.name.as_str();
        let stem = format!("{name}-{}", spec.environment);
        let k = &spec.targets.kubernetes;
        let named = |suffix: &str| format!("{name}-{suffix}");
        let namespace = if k.namespace.is_empty() {
            fit(&stem, NAMESPACE_MAX)
        } else {
            k.namespace.clone()
        };
        let prefix = spec
            .aws
            .as_ref()
            .map(|a| a.secrets_prefix.trim_matches('/'))
            .unwrap_or_default();
        let log_group = &spec.monitoring.cloudwatch.log_group;
        let aws = spec.aws.as_ref();
        let ecr_cache = aws.and_then(|a| {
            let mirror = spec
                .targets
                .ecs
                .as_ref()?
                .image_registry_mirror
                .as_deref()?;
            let registry = format!("{}.dkr.ecr.{}.amazonaws.com/", a.account_id, a.region);
            mirror
                .strip_prefix(&registry)
                .map(|p| p.trim_matches('/').to_string())
                .filter(|p| !p.is_empty() && !p.contains('/'))
        });
        let backup = spec.backup.as_ref();
        let eks = aws
            .and_then(|a| a.eks.as_ref())
            .map(|e| EksNames::new(spec, e, &stem));
        Names {
            app: name.to_string(),
            k8s_secret: named("secrets"),
            backup_service_account: named("backup"),
            var_claim: named("var"),
            var_volume: format!("{namespace}-{name}-var"),
            tls_secret: spec
                .ingress
                .tls
                .secret_name
                .clone()
                .unwrap_or_else(|| named("tls")),
            ingress_class: ingress_class(model),
            secrets_prefix: if prefix.is_empty() {
                format!("{name}/{}", spec.environment)
            } else {
                prefix.to_string()
            },
            execution_role: fit(&format!("{stem}-execution"), IAM_ROLE_MAX),
            task_role: fit(&format!("{stem}-task"), IAM_ROLE_MAX),
            backup_role: fit(&format!("{stem}-backup"), IAM_ROLE_MAX),
            log_group: if log_group.is_empty() {
                format!("/ecs/{stem}")
            } else {
                log_group.clone()
            },
            ecs_family: stem.clone(),
            ecs_service: stem.clone(),
            ecs_cluster: spec.targets.ecs.as_ref().map(|e| e.cluster.clone()),
            load_balancer: fit(&stem, ELB_NAME_MAX),
            target_group: fit(&stem, ELB_NAME_MAX),
            backup_bucket: backup.map(|b| b.s3_bucket.clone()),
            backup_prefix: backup.map(|b| {
                let p = b.s3_prefix.trim_matches('/');
                if p.is_empty() {
                    format!("{name}/{}", spec.environment)
                } else {
                    p.to_string()
                }
            }),
            lifecycle_rule: format!("{stem}-dumps"),
            deploy_role: fit(&format!("{stem}-deploy"), IAM_ROLE_MAX),
            plan_role: fit(&format!("{stem}-plan"), IAM_ROLE_MAX),
            ci_environment: spec.environment.clone(),
            ci_plan_environment: format!("{}-plan", spec.environment),
            gitops_source: name.to_string(),
            gitops_app: stem.clone(),
            db_instance: fit(&stem, RDS_ID_MAX),
            db_replica: fit(&format!("{stem}-replica"), RDS_ID_MAX),
            db_zone: aws
                .filter(|a| a.create_database)
                .and(spec.database.host.as_deref())
                .and_then(|h| h.split_once('.'))
                .map(|(_, zone)| zone.to_string()),
            file_system: format!("{stem}-var"),
            backup_plan: stem.clone(),
            aws_backup_role: fit(&format!("{stem}-aws-backup"), IAM_ROLE_MAX),
            terraform_state_bucket: match aws {
                Some(a) if !a.terraform_state_bucket.is_empty() => a.terraform_state_bucket.clone(),
                Some(a) => format!("{}-terraform-state", a.account_id),
                None => String::new(),
            },
            terraform_state_key: format!("{name}/{}/terraform.tfstate", spec.environment),
            ecr_cache_prefix: ecr_cache.clone(),
            ecr_cache_secret: ecr_cache.map(|p| format!("ecr-pullthroughcache/{p}")),
            eks: eks.clone(),
            eks_cluster: eks
                .map(|e| e.cluster)
                .or_else(|| spec.delivery.as_ref().and_then(|d| d.eks_cluster.clone())),
            namespace,
            stem,
        }
    }

    /// Security group of one part of the deployment (`alb`, `app`, `db`, `efs`):
    /// `<name>-<environment>-<part>`.
    pub fn security_group(&self, part: &str) -> String {
        format!("{}-{part}", self.stem)
    }

    /// The name of `secret` in AWS: Secrets Manager `<prefix>/<name with _>`, SSM
    /// `/<prefix>/<name with _>` (see [`SecretRef::aws_name`]).
    pub fn aws_secret(&self, secret: &SecretRef, backend: SecretsBackend) -> String {
        let name = secret.aws_name(&self.secrets_prefix);
        match backend {
            SecretsBackend::SecretsManager => name,
            SecretsBackend::Ssm => format!("/{name}"),
        }
    }
}

/// The ingress class Kubernetes uses: the explicit one, else `alb` when the spec asks for an
/// ACM certificate or a WAF web ACL (only the AWS Load Balancer Controller can use either) or
/// runs on the EKS platform Terraform creates (which installs that controller), else `nginx`.
pub fn ingress_class(model: &Validated) -> IngressClass {
    let spec = model.spec();
    spec.targets.kubernetes.ingress_class.unwrap_or(
        if spec.ingress.tls.mode == TlsMode::Acm
            || spec.ingress.waf_acl_arn.is_some()
            || spec.aws.as_ref().is_some_and(|a| a.eks.is_some())
        {
            IngressClass::Alb
        } else {
            IngressClass::Nginx
        },
    )
}

/// How the Kubernetes output gets its secrets from AWS Secrets Manager: the spec's
/// `targets.kubernetes.external_secrets`, else, on the EKS platform of `aws.eks`, the
/// `ClusterSecretStore` Terraform creates there ([`EksNames::secret_store`]); `None` means an
/// operator-created Secret.
pub fn external_secrets(model: &Validated) -> Option<crate::spec::ExternalSecrets> {
    let spec = model.spec();
    if let Some(es) = &spec.targets.kubernetes.external_secrets {
        return Some(es.clone());
    }
    let eks = spec.aws.as_ref()?.eks.as_ref()?;
    let stem = format!("{}-{}", spec.name, spec.environment);
    Some(crate::spec::ExternalSecrets {
        store: EksNames::new(spec, eks, &stem).secret_store,
        store_kind: "ClusterSecretStore".into(),
    })
}

/// Every name two environments of one file must not share: the Kubernetes namespace and
/// cluster-scoped volume, the ECS service in its cluster, the IAM roles, the log group, the
/// secrets prefix and the backup location. Reports each clash once, at the later environment's
/// field that sets it (`environments.<name>.<path>`), with the environment it clashes with.
pub fn collisions(models: &[Validated]) -> crate::Diagnostics {
    let mut d = crate::Diagnostics::default();
    let keyed: Vec<(&str, Vec<(&'static str, String)>)> = models
        .iter()
        .map(|m| (m.environment(), platform_keys(m)))
        .collect();
    for (i, (env, keys)) in keyed.iter().enumerate() {
        for (other, other_keys) in &keyed[..i] {
            for ((path, value), (_, other_value)) in keys.iter().zip(other_keys) {
                if !value.is_empty() && value == other_value {
                    d.error_hint(
                        format!("environments.{env}.{path}"),
                        format!("`{value}` is also environment `{other}`'s: the two would overwrite each other"),
                        "leave it unset so it is derived per environment, or give each environment its own",
                    );
                }
            }
        }
    }
    d
}

/// The names [`collisions`] compares, each with the spec field that sets it.
fn platform_keys(model: &Validated) -> Vec<(&'static str, String)> {
    let n = Names::new(model);
    let spec = model.spec();
    let ecs = spec.targets.ecs.as_ref();
    let role = |explicit: Option<&Option<String>>, derived: &str| {
        explicit
            .and_then(|e| e.clone())
            .unwrap_or_else(|| derived.to_string())
    };
    vec![
        ("targets.kubernetes.namespace", n.namespace.clone()),
        (
            "targets.ecs.cluster",
            n.ecs_cluster
                .as_ref()
                .map(|c| format!("service {} in cluster {c}", n.ecs_service))
                .unwrap_or_default(),
        ),
        (
            "targets.ecs.execution_role_arn",
            ecs.map(|e| role(Some(&e.execution_role_arn), &n.execution_role))
                .unwrap_or_default(),
        ),
        (
            "targets.ecs.task_role_arn",
            ecs.map(|e| role(Some(&e.task_role_arn), &n.task_role))
                .unwrap_or_default(),
        ),
        ("monitoring.cloudwatch.log_group", n.log_group.clone()),
        (
            "aws.eks.create",
            match (&n.eks, spec.aws.as_ref().and_then(|a| a.eks.as_ref())) {
                (Some(x), Some(e)) if e.create => format!("cluster {}", x.cluster),
                _ => String::new(),
            },
        ),
        (
            "targets.kubernetes.external_secrets.store",
            n.eks
                .as_ref()
                .map(|x| {
                    format!(
                        "ClusterSecretStore {} in cluster {}",
                        x.secret_store, x.cluster
                    )
                })
                .unwrap_or_default(),
        ),
        ("aws.secrets_prefix", n.secrets_prefix.clone()),
        (
            "backup.s3_prefix",
            match (&n.backup_bucket, &n.backup_prefix) {
                (Some(b), Some(p)) => format!("s3://{b}/{p}/"),
                _ => String::new(),
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_short_names_and_cuts_long_ones_uniquely() {
        assert_eq!(fit("kimai-dev-task", IAM_ROLE_MAX), "kimai-dev-task");
        let a = fit(&"x".repeat(80), IAM_ROLE_MAX);
        let b = fit(&format!("{}y", "x".repeat(79)), IAM_ROLE_MAX);
        assert_eq!(a.len(), IAM_ROLE_MAX);
        assert_eq!(b.len(), IAM_ROLE_MAX);
        assert_ne!(a, b);
        assert_eq!(a, fit(&"x".repeat(80), IAM_ROLE_MAX));
        // A cut never leaves a separator before the hash.
        let c = fit("abcdefghijklmnopqrstuvw-xyz-production", ELB_NAME_MAX);
        assert!(!c.contains("--"), "{c}");
    }

    #[test]
    fn partitions() {
        assert_eq!(partition("eu-central-1"), "aws");
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
    }
}

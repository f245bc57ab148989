//! What every concern module needs: the model, its `aws` section, its names, and the few
//! decisions derived from them (who owns the network, the service, the database, the files).

use kimai_model::names::partition;
use kimai_model::{
    secret_refs, Aws, EcsTarget, Names, SecretsBackend, Spec, StorageClass, Validated,
};

/// The ServiceAccount annotation naming an IRSA role (k8s-render writes it).
pub const IRSA_ANNOTATION: &str = "eks.amazonaws.com/role-arn";

/// The model as the Terraform modules see it.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// The validated model.
    pub model: &'a Validated,
    /// Its spec.
    pub spec: &'a Spec,
    /// The `aws` section (present: `check_target` requires it).
    pub aws: &'a Aws,
    /// Every platform name, from the one derivation.
    pub names: Names,
    /// `aws`, `aws-cn` or `aws-us-gov`.
    pub partition: &'static str,
    /// The ECS settings, when ECS is a target.
    pub ecs: Option<&'a EcsTarget>,
}

/// The IAM role a Kubernetes ServiceAccount assumes through IRSA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IrsaRole {
    /// Role name: the one `eks.amazonaws.com/role-arn` in
    /// `targets.kubernetes.service_account_annotations` names (a role of this account), else
    /// [`kimai_model::Names::backup_role`].
    pub name: String,
    /// The ServiceAccount carrying the annotation: the backup job's when backups are on, else
    /// Kimai's.
    pub service_account: String,
    /// It writes the dumps (backups are on).
    pub backup: bool,
}

/// One Secrets Manager secret Terraform creates (without a value).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct SecretItem {
    /// Logical name in the spec (`app-secret`).
    pub logical: String,
    /// Terraform resource name (`app_secret`).
    pub resource: String,
    /// Name in Secrets Manager ([`Names::aws_secret`]).
    pub aws_name: String,
    /// The spec field that names it.
    pub path: String,
}

impl<'a> Ctx<'a> {
    /// `None` when the spec has no `aws` section.
    pub fn new(model: &'a Validated) -> Option<Self> {
        let spec = model.spec();
        let aws = spec.aws.as_ref()?;
        Some(Ctx {
            model,
            spec,
            aws,
            names: model.names(),
            partition: partition(&aws.region),
            ecs: spec.targets.ecs.as_ref(),
        })
    }

    /// Terraform creates the VPC (no `aws.network.vpc_id`).
    pub fn owns_network(&self) -> bool {
        self.aws.network.vpc_id.is_none()
    }

    /// Terraform owns the ECS task definition and service: ECS is a target and Terraform
    /// creates the network it runs in.
    pub fn owns_service(&self) -> bool {
        self.model.terraform_owns_ecs_service()
    }

    /// Terraform creates the load balancer and target group (ECS specs; on Kubernetes the AWS
    /// Load Balancer Controller makes its own).
    pub fn creates_alb(&self) -> bool {
        self.ecs.is_some()
    }

    /// The target group's name: the one `targets.ecs.target_group_arn` names (the service
    /// JSON registers with it), else [`kimai_model::Names::target_group`].
    pub fn target_group(&self) -> String {
        self.ecs
            .and_then(|e| e.target_group_arn.as_deref())
            .and_then(|arn| arn.split(":targetgroup/").nth(1))
            .and_then(|rest| rest.split('/').next())
            .map_or_else(|| self.names.target_group.clone(), str::to_string)
    }

    /// The name of an ECS role: the one the spec's ARN names (`targets.ecs.execution_role_arn`,
    /// `task_role_arn`) when it is a role of this account, else the derived name; `None` when
    /// the pinned role belongs to another account (operator-supplied).
    fn role_name(&self, pinned: Option<&str>, derived: &str) -> Option<String> {
        match pinned.filter(|a| !a.is_empty()) {
            None => Some(derived.to_string()),
            Some(arn) => {
                let own = format!(":iam::{}:role/", self.aws.account_id);
                arn.split_once(&own)
                    .map(|(_, path)| path.rsplit('/').next().unwrap_or(path).to_string())
            }
        }
    }

    /// The ECS execution role Terraform creates, if any.
    pub fn execution_role(&self) -> Option<String> {
        let pinned = self.ecs?.execution_role_arn.as_deref();
        self.role_name(pinned, &self.names.execution_role)
    }

    /// The ECS task role Terraform creates, if any.
    pub fn task_role(&self) -> Option<String> {
        let pinned = self.ecs?.task_role_arn.as_deref();
        self.role_name(pinned, &self.names.task_role)
    }

    /// The IRSA role of the Kubernetes output: the backup job's derived role when backups are
    /// on, or the role the spec's `eks.amazonaws.com/role-arn` annotation names on whichever
    /// ServiceAccount k8s-render puts it (the backup job's with backups, else Kimai's). `None`
    /// without either, or when the annotation names another account's role.
    pub fn irsa_role(&self) -> Option<IrsaRole> {
        let backup = self.spec.backup.is_some();
        let annotated = self
            .spec
            .targets
            .kubernetes
            .service_account_annotations
            .get(IRSA_ANNOTATION);
        let name = match annotated {
            Some(arn) => self.role_name(Some(arn), "")?,
            None if backup => self.names.backup_role.clone(),
            None => return None,
        };
        Some(IrsaRole {
            name,
            service_account: if backup {
                self.names.backup_service_account.clone()
            } else {
                self.names.app.clone()
            },
            backup,
        })
    }

    /// What the operator supplies (existing resources the spec names), for the README.
    pub fn operator_supplied(&self) -> Vec<String> {
        let mut v = Vec::new();
        let net = &self.aws.network;
        if let Some(vpc) = &net.vpc_id {
            v.push(format!("the VPC `{vpc}` and its subnets (`aws.network`)"));
        }
        if let Some(arn) = self
            .spec
            .targets
            .kubernetes
            .service_account_annotations
            .get(IRSA_ANNOTATION)
            .filter(|_| self.irsa_role().is_none())
        {
            v.push(format!(
                "the role `{arn}` of another account (`targets.kubernetes.service_account_annotations`)"
            ));
        }
        if let Some(e) = self.ecs {
            for (field, arn, created) in [
                (
                    "execution_role_arn",
                    &e.execution_role_arn,
                    self.execution_role(),
                ),
                ("task_role_arn", &e.task_role_arn, self.task_role()),
            ] {
                if let (Some(arn), None) = (arn, created) {
                    v.push(format!(
                        "the role `{arn}` of another account (`targets.ecs.{field}`)"
                    ));
                }
            }
        }
        if let (Some(e), Some(n)) = (
            self.aws.eks.as_ref().filter(|e| !e.create),
            self.names.eks.as_ref(),
        ) {
            v.push(format!(
                "the EKS cluster `{}` with its IAM OIDC provider{} (`aws.eks.cluster`)",
                n.cluster,
                if e.installs_controllers() {
                    ""
                } else {
                    ", add-ons and controllers"
                }
            ));
        }
        if let Some(e) = self.ecs {
            for (name, arn) in &e.secret_arns {
                v.push(format!(
                    "secret `{name}` at `{arn}` (`targets.ecs.secret_arns`)"
                ));
            }
        }
        if self.efs() && !self.aws.create_file_system {
            if let Some(efs) = &self.spec.storage.efs {
                v.push(format!(
                    "the file system `{}`, its mount targets and access points (`storage.efs`)",
                    efs.file_system_id
                ));
            }
        }
        if self.spec.database.mode == kimai_model::DatabaseMode::External
            && !self.aws.create_database
        {
            v.push(format!(
                "the database at `{}` (`database.host`)",
                self.spec.database.host.clone().unwrap_or_default()
            ));
        }
        v
    }

    /// Kimai's storage is EFS.
    pub fn efs(&self) -> bool {
        self.spec.storage.class == StorageClass::Efs
    }

    /// The environment is called `production`: Multi-AZ, NAT per zone, deletion protection.
    pub fn production(&self) -> bool {
        self.spec.environment == "production"
    }

    /// Zones of a created VPC.
    pub fn az_count(&self) -> u32 {
        self.aws
            .network
            .availability_zones
            .unwrap_or(if self.production() { 3 } else { 2 })
    }

    /// NAT gateways of a created VPC: one per zone, or one shared outside production.
    pub fn nat_count(&self) -> u32 {
        let single = self
            .aws
            .network
            .single_nat_gateway
            .unwrap_or(!self.production());
        if single {
            1
        } else {
            self.az_count()
        }
    }

    /// The created VPC's range: the first of `aws.vpc_cidrs`, else `10.0.0.0/16`.
    pub fn vpc_cidr(&self) -> String {
        self.aws
            .vpc_cidrs
            .first()
            .cloned()
            .unwrap_or_else(|| "10.0.0.0/16".into())
    }

    /// The ECS cluster can be shared by environments (its name does not carry the environment).
    pub fn shared_cluster(&self) -> bool {
        self.ecs
            .is_some_and(|e| !e.cluster.contains(&self.spec.environment))
    }

    /// ECS reads its secrets from Secrets Manager (not SSM).
    pub fn secrets_manager(&self) -> bool {
        self.ecs
            .is_none_or(|e| e.secrets_backend == SecretsBackend::SecretsManager)
    }

    /// `arn:<partition>:<service>:<region>:<account>:<rest>`.
    pub fn arn(&self, service: &str, rest: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{}:{rest}",
            self.partition, self.aws.region, self.aws.account_id
        )
    }

    /// Every secret the targets reference, one per logical name, sorted: what the ECS task
    /// definition (`valueFrom`) and the Kubernetes ExternalSecret (`remoteRef.key`) read.
    pub fn secrets(&self) -> Vec<SecretItem> {
        let mut v: Vec<SecretItem> = secret_refs(self.spec)
            .into_iter()
            .map(|(path, r)| SecretItem {
                logical: r.name().to_string(),
                resource: r.name().replace(['-', '.'], "_"),
                aws_name: self.names.aws_secret(r, SecretsBackend::SecretsManager),
                path: path.to_string(),
            })
            .collect();
        v.sort_by(|a, b| a.logical.cmp(&b.logical));
        v.dedup_by(|a, b| a.logical == b.logical);
        v
    }

    /// Terraform tags every resource through the provider's `default_tags`; `Name` is the one
    /// per-resource tag.
    pub fn name_tag(&self, name: &str) -> hcl::Expression {
        crate::tf::object(vec![("Name", crate::tf::s(name))])
    }
}

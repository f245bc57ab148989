//! What every concern module needs: the model, its `aws` section, its names, and the few
//! decisions derived from them (who owns the network, the service, the database, the files).

use kimai_model::names::partition;
use kimai_model::{
    secret_refs, Aws, EcsTarget, Names, SecretsBackend, Spec, StorageClass, Validated,
};

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
        self.ecs.is_some() && self.owns_network()
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

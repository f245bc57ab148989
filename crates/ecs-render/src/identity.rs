//! Names and ARNs every ECS output shares, derived once from the model.

use kimai_model::{EcsTarget, LaunchType, Names, SecretsBackend, Validated};

/// Name of Kimai's container; the service's load balancer and the referee look for it.
pub const KIMAI_CONTAINER: &str = "kimai";
/// Name of the Datadog agent sidecar container.
pub const DATADOG_CONTAINER: &str = "datadog-agent";
/// Name of Kimai's port mapping (Service Connect and the console show it).
pub const KIMAI_PORT_NAME: &str = "kimai-http";

/// The names and ARNs of one ECS deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The model's names, for everything not repeated below.
    pub names: Names,
    /// Task definition family: `<name>-<environment>`.
    pub family: String,
    /// ECS service name: `<name>-<environment>`.
    pub service: String,
    /// ECS cluster name.
    pub cluster: String,
    /// AWS region.
    pub region: String,
    /// AWS account id.
    pub account_id: String,
    /// ARN partition of the region: `aws`, `aws-cn` or `aws-us-gov`.
    pub partition: String,
    /// CloudWatch log group: `monitoring.cloudwatch.log_group` or `/ecs/<name>-<environment>`.
    pub log_group: String,
    /// Task execution role ARN (pulls the image, reads secrets, writes logs).
    pub execution_role_arn: String,
    /// Task role ARN (what Kimai's processes may call: EFS, ECS Exec).
    pub task_role_arn: String,
    /// Prefix of the secret names: `aws.secrets_prefix` or `<name>/<environment>`.
    pub secrets_prefix: String,
    /// Where the secrets live.
    pub secrets_backend: SecretsBackend,
    /// Fargate or EC2.
    pub launch_type: LaunchType,
    /// Application Auto Scaling resource id: `service/<cluster>/<service>`.
    pub resource_id: String,
}

impl Identity {
    /// Every name from the model's one derivation ([`kimai_model::Names`]) and its (already
    /// checked) `aws` and ECS settings.
    pub fn new(model: &Validated, ecs: &EcsTarget) -> Self {
        let names = model.names();
        let aws = model.spec().aws.clone().unwrap_or_default();
        let partition = partition(&aws.region);
        let account = &aws.account_id;
        let role = |explicit: &Option<String>, name: &str| {
            explicit
                .clone()
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| format!("arn:{partition}:iam::{account}:role/{name}"))
        };
        Identity {
            service: names.ecs_service.clone(),
            cluster: ecs.cluster.clone(),
            region: aws.region.clone(),
            account_id: account.clone(),
            partition: partition.to_string(),
            log_group: names.log_group.clone(),
            execution_role_arn: role(&ecs.execution_role_arn, &names.execution_role),
            task_role_arn: role(&ecs.task_role_arn, &names.task_role),
            secrets_prefix: names.secrets_prefix.clone(),
            secrets_backend: ecs.secrets_backend,
            launch_type: ecs.launch_type,
            resource_id: format!("service/{}/{}", ecs.cluster, names.ecs_service),
            family: names.ecs_family.clone(),
            names,
        }
    }

    /// Resource tags put on the task definition and the service.
    pub fn tags(&self, model: &Validated) -> Vec<(String, String)> {
        vec![
            ("environment".into(), model.environment().into()),
            ("name".into(), model.name().into()),
        ]
    }
}

/// The ARN partition a region belongs to.
pub use kimai_model::names::partition;

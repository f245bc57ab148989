//! Names and ARNs every ECS output shares, derived once from the model.

use kimai_model::{EcsTarget, LaunchType, SecretsBackend, Validated};

/// Name of Kimai's container; the service's load balancer and the referee look for it.
pub const KIMAI_CONTAINER: &str = "kimai";
/// Name of the Datadog agent sidecar container.
pub const DATADOG_CONTAINER: &str = "datadog-agent";
/// Name of Kimai's port mapping (Service Connect and the console show it).
pub const KIMAI_PORT_NAME: &str = "kimai-http";

/// The names and ARNs of one ECS deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Task definition family: `<name>-<environment>`.
    pub family: String,
    /// ECS service name: `<name>`.
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
    /// Prefix of the secret names: `targets.ecs.secrets_prefix` or `<name>/<environment>`.
    pub secrets_prefix: String,
    /// Where the secrets live.
    pub secrets_backend: SecretsBackend,
    /// Fargate or EC2.
    pub launch_type: LaunchType,
    /// Application Auto Scaling resource id: `service/<cluster>/<service>`.
    pub resource_id: String,
}

impl Identity {
    /// Derives every name from the model and its (already checked) ECS settings.
    pub fn new(model: &Validated, ecs: &EcsTarget) -> Self {
        let name = model.name();
        let env = model.environment();
        let family = format!("{name}-{env}");
        let account = &ecs.account_id;
        let partition = partition(&ecs.region);
        let role = |explicit: &Option<String>, suffix: &str| {
            explicit
                .clone()
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| format!("arn:{partition}:iam::{account}:role/{name}-{suffix}"))
        };
        let log_group = &model.spec().monitoring.cloudwatch.log_group;
        let prefix = ecs.secrets_prefix.trim_matches('/');
        Identity {
            service: name.to_string(),
            cluster: ecs.cluster.clone(),
            region: ecs.region.clone(),
            account_id: account.clone(),
            partition: partition.to_string(),
            log_group: if log_group.is_empty() {
                format!("/ecs/{family}")
            } else {
                log_group.clone()
            },
            execution_role_arn: role(&ecs.execution_role_arn, "execution"),
            task_role_arn: role(&ecs.task_role_arn, "task"),
            secrets_prefix: if prefix.is_empty() {
                format!("{name}/{env}")
            } else {
                prefix.to_string()
            },
            secrets_backend: ecs.secrets_backend,
            launch_type: ecs.launch_type,
            resource_id: format!("service/{}/{name}", ecs.cluster),
            family,
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
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

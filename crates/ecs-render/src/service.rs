//! `service.json`: the input of `aws ecs create-service --cli-input-json`.
//!
//! Keeps the desired count (the fixed replicas, or the autoscaler's minimum), rolls out with
//! a circuit breaker and rollback, registers tasks with the ALB target group on `kimai:8001`.

use kimai_model::{EcsTarget, LaunchType, Validated, KIMAI_PORT};
use serde::Serialize;

use crate::identity::{Identity, KIMAI_CONTAINER};
use crate::task_definition::Tag;

/// Seconds the scheduler ignores failing load-balancer health checks after a task starts:
/// covers a first start with migrations and cache warm-up (twice the container's start period).
pub const HEALTH_CHECK_GRACE_PERIOD_SECONDS: u32 = 600;

/// `CreateService` input.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// Cluster name.
    pub cluster: String,
    /// Service name.
    pub service_name: String,
    /// Task definition family (the latest ACTIVE revision).
    pub task_definition: String,
    /// Tasks to keep running.
    pub desired_count: u32,
    /// `FARGATE` or `EC2`; absent when a capacity provider strategy is used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    /// Capacity provider strategy (EC2 with a capacity provider).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
    /// `LATEST` on Fargate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<String>,
    /// `REPLICA`.
    pub scheduling_strategy: String,
    /// Subnets, security groups, no public IP.
    pub network_configuration: NetworkConfiguration,
    /// The ALB target group, when given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub load_balancers: Vec<LoadBalancer>,
    /// Grace period for load-balancer health checks (only with a load balancer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_grace_period_seconds: Option<u32>,
    /// Rolling deployment settings.
    pub deployment_configuration: DeploymentConfiguration,
    /// Task placement on EC2 (spread over zones, then instances).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub placement_strategy: Vec<PlacementStrategy>,
    /// ECS Exec.
    pub enable_execute_command: bool,
    /// Tags ECS adds to tasks (cluster and service names).
    #[serde(rename = "enableECSManagedTags")]
    pub enable_ecs_managed_tags: bool,
    /// `SERVICE`: tasks inherit the service's tags.
    pub propagate_tags: String,
    /// Resource tags.
    pub tags: Vec<Tag>,
}

/// One capacity provider with its weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityProviderStrategyItem {
    /// Capacity provider name.
    pub capacity_provider: String,
    /// Relative share of tasks.
    pub weight: u32,
    /// Tasks placed here first.
    pub base: u32,
}

/// Network settings of the tasks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkConfiguration {
    /// The awsvpc settings.
    pub awsvpc_configuration: AwsVpcConfiguration,
}

/// Subnets and security groups of the task ENIs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsVpcConfiguration {
    /// Private subnet ids.
    pub subnets: Vec<String>,
    /// Security group ids.
    pub security_groups: Vec<String>,
    /// `DISABLED`: tasks are reached through the ALB only.
    pub assign_public_ip: String,
}

/// A load balancer target group the service registers tasks with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancer {
    /// Target group ARN (target type `ip`).
    pub target_group_arn: String,
    /// Container receiving traffic.
    pub container_name: String,
    /// Its port.
    pub container_port: u16,
}

/// Rolling deployment settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentConfiguration {
    /// Stops a failing deployment and rolls back.
    pub deployment_circuit_breaker: DeploymentCircuitBreaker,
    /// Most tasks during a deployment, in percent of the desired count (200: a new set
    /// starts before the old one stops).
    pub maximum_percent: u32,
    /// Fewest healthy tasks during a deployment, in percent of the desired count (100: no
    /// capacity is lost).
    pub minimum_healthy_percent: u32,
}

/// The deployment circuit breaker.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeploymentCircuitBreaker {
    /// Turned on.
    pub enable: bool,
    /// Rolls back to the last completed deployment.
    pub rollback: bool,
}

/// A task placement strategy (EC2 only).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlacementStrategy {
    /// `spread`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Attribute to spread over.
    pub field: String,
}

/// Builds the service.
pub fn service(model: &Validated, ecs: &EcsTarget, id: &Identity) -> Service {
    let fargate = ecs.launch_type == LaunchType::Fargate;
    let capacity_provider_strategy: Vec<CapacityProviderStrategyItem> = match &ecs.capacity_provider
    {
        Some(cp) if !fargate => vec![CapacityProviderStrategyItem {
            capacity_provider: cp.clone(),
            weight: 1,
            base: 0,
        }],
        _ => Vec::new(),
    };
    let launch_type = match (ecs.launch_type, capacity_provider_strategy.is_empty()) {
        (_, false) => None,
        (LaunchType::Fargate, true) => Some("FARGATE".into()),
        (LaunchType::Ec2, true) => Some("EC2".into()),
    };
    let load_balancers: Vec<LoadBalancer> = ecs
        .target_group_arn
        .iter()
        .map(|tg| LoadBalancer {
            target_group_arn: tg.clone(),
            container_name: KIMAI_CONTAINER.into(),
            container_port: KIMAI_PORT,
        })
        .collect();
    let placement_strategy = if fargate {
        Vec::new()
    } else {
        ["attribute:ecs.availability-zone", "instanceId"]
            .into_iter()
            .map(|field| PlacementStrategy {
                kind: "spread".into(),
                field: field.into(),
            })
            .collect()
    };
    Service {
        cluster: id.cluster.clone(),
        service_name: id.service.clone(),
        task_definition: id.family.clone(),
        desired_count: model.min_replicas(),
        launch_type,
        capacity_provider_strategy,
        platform_version: fargate.then(|| "LATEST".into()),
        scheduling_strategy: "REPLICA".into(),
        network_configuration: NetworkConfiguration {
            awsvpc_configuration: AwsVpcConfiguration {
                subnets: ecs.subnets.clone(),
                security_groups: ecs.security_groups.clone(),
                assign_public_ip: "DISABLED".into(),
            },
        },
        health_check_grace_period_seconds: (!load_balancers.is_empty())
            .then_some(HEALTH_CHECK_GRACE_PERIOD_SECONDS),
        load_balancers,
        deployment_configuration: DeploymentConfiguration {
            deployment_circuit_breaker: DeploymentCircuitBreaker {
                enable: true,
                rollback: true,
            },
            maximum_percent: 200,
            minimum_healthy_percent: 100,
        },
        placement_strategy,
        enable_execute_command: ecs.enable_execute_command,
        enable_ecs_managed_tags: true,
        propagate_tags: "SERVICE".into(),
        tags: id
            .tags(model)
            .into_iter()
            .map(|(key, value)| Tag { key, value })
            .collect(),
    }
}

/// `UpdateService` input (`service-update.json`): every later change of the service, from the
/// same settings as [`Service`], in the shape `aws ecs update-service --cli-input-json` accepts
/// (no name, launch type, scheduling strategy or tags: those cannot change).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceUpdate {
    /// Cluster name.
    pub cluster: String,
    /// Service name.
    pub service: String,
    /// Task definition family: the latest ACTIVE revision, so registering a new revision and
    /// applying this file deploys it.
    pub task_definition: String,
    /// Tasks to keep running: the fixed count; absent under an autoscaler, which owns it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desired_count: Option<u32>,
    /// Capacity provider strategy (EC2 with a capacity provider).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
    /// `LATEST` on Fargate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<String>,
    /// Subnets, security groups, no public IP.
    pub network_configuration: NetworkConfiguration,
    /// The ALB target group, when given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub load_balancers: Vec<LoadBalancer>,
    /// Grace period for load-balancer health checks (only with a load balancer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_grace_period_seconds: Option<u32>,
    /// Rolling deployment settings.
    pub deployment_configuration: DeploymentConfiguration,
    /// Task placement on EC2.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub placement_strategy: Vec<PlacementStrategy>,
    /// ECS Exec.
    pub enable_execute_command: bool,
    /// Tags ECS adds to tasks.
    #[serde(rename = "enableECSManagedTags")]
    pub enable_ecs_managed_tags: bool,
    /// `SERVICE`.
    pub propagate_tags: String,
    /// Start new tasks even when nothing else changed (after a secret's value changed, run
    /// `update-service` with `--force-new-deployment` on the command line instead).
    pub force_new_deployment: bool,
}

/// The update of `service`: the same settings, in `UpdateService`'s shape.
pub fn service_update(model: &Validated, service: &Service) -> ServiceUpdate {
    let s = service.clone();
    ServiceUpdate {
        cluster: s.cluster,
        service: s.service_name,
        task_definition: s.task_definition,
        desired_count: match model.replicas() {
            kimai_model::Replicas::Fixed(n) => Some(n),
            kimai_model::Replicas::Auto { .. } => None,
        },
        capacity_provider_strategy: s.capacity_provider_strategy,
        platform_version: s.platform_version,
        network_configuration: s.network_configuration,
        load_balancers: s.load_balancers,
        health_check_grace_period_seconds: s.health_check_grace_period_seconds,
        deployment_configuration: s.deployment_configuration,
        placement_strategy: s.placement_strategy,
        enable_execute_command: s.enable_execute_command,
        enable_ecs_managed_tags: s.enable_ecs_managed_tags,
        propagate_tags: s.propagate_tags,
        force_new_deployment: false,
    }
}

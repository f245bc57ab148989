//! Application Auto Scaling inputs: `scalable-target.json` (`register-scalable-target`) and
//! `scaling-policy-*.json` (`put-scaling-policy`), target tracking on CPU, memory and ALB
//! requests per target. This API spells its members in PascalCase.

use kimai_model::Scaling;
use serde::Serialize;

use crate::identity::Identity;

/// Seconds between scale-out steps.
pub const SCALE_OUT_COOLDOWN_SECONDS: u32 = 60;

/// `RegisterScalableTarget` input.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScalableTarget {
    /// `ecs`.
    pub service_namespace: String,
    /// `service/<cluster>/<service>`.
    pub resource_id: String,
    /// `ecs:service:DesiredCount`.
    pub scalable_dimension: String,
    /// Fewest tasks.
    pub min_capacity: u32,
    /// Most tasks.
    pub max_capacity: u32,
}

/// `PutScalingPolicy` input (target tracking).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScalingPolicy {
    /// Policy name, unique per scalable target.
    pub policy_name: String,
    /// `ecs`.
    pub service_namespace: String,
    /// `service/<cluster>/<service>`.
    pub resource_id: String,
    /// `ecs:service:DesiredCount`.
    pub scalable_dimension: String,
    /// `TargetTrackingScaling`.
    pub policy_type: String,
    /// The metric and the value to hold.
    pub target_tracking_scaling_policy_configuration: TargetTrackingConfiguration,
}

/// A target-tracking configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetTrackingConfiguration {
    /// Value of the metric to hold.
    pub target_value: f64,
    /// The predefined metric.
    pub predefined_metric_specification: PredefinedMetricSpecification,
    /// Seconds between scale-out steps.
    pub scale_out_cooldown: u32,
    /// Seconds between scale-in steps (`scaling.scale_down_stabilization_seconds`).
    pub scale_in_cooldown: u32,
}

/// A predefined metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PredefinedMetricSpecification {
    /// `ECSServiceAverageCPUUtilization`, `ECSServiceAverageMemoryUtilization` or
    /// `ALBRequestCountPerTarget`.
    pub predefined_metric_type: String,
    /// `app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>` for `ALBRequestCountPerTarget`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_label: Option<String>,
}

/// The scalable target.
pub fn scalable_target(id: &Identity, scaling: &Scaling) -> ScalableTarget {
    ScalableTarget {
        service_namespace: "ecs".into(),
        resource_id: id.resource_id.clone(),
        scalable_dimension: "ecs:service:DesiredCount".into(),
        min_capacity: scaling.min_replicas,
        max_capacity: scaling.max_replicas,
    }
}

/// The ALB request-count resource label from the load balancer and target group ARNs
/// (`...:loadbalancer/app/<name>/<id>`, `...:targetgroup/<name>/<id>`), if both have that shape.
pub fn resource_label(load_balancer_arn: &str, target_group_arn: &str) -> Option<String> {
    let lb = load_balancer_arn.split_once(":loadbalancer/")?.1;
    let tg = target_group_arn.split_once(":targetgroup/")?.1;
    let parts_ok =
        |s: &str, n: usize| s.split('/').count() == n && s.split('/').all(|p| !p.is_empty());
    (lb.starts_with("app/") && parts_ok(lb, 3) && parts_ok(tg, 2))
        .then(|| format!("{lb}/targetgroup/{tg}"))
}

/// One scaling policy per metric the spec asks for, keyed by its file suffix (`cpu`, `memory`,
/// `requests`). `requests_label` is the ALB resource label, when known.
pub fn policies(
    id: &Identity,
    scaling: &Scaling,
    requests_label: Option<&str>,
) -> Vec<(&'static str, ScalingPolicy)> {
    let policy = |suffix: &str, metric: &str, target: u32, label: Option<&str>| ScalingPolicy {
        policy_name: format!("{}-{suffix}", id.family),
        service_namespace: "ecs".into(),
        resource_id: id.resource_id.clone(),
        scalable_dimension: "ecs:service:DesiredCount".into(),
        policy_type: "TargetTrackingScaling".into(),
        target_tracking_scaling_policy_configuration: TargetTrackingConfiguration {
            target_value: f64::from(target),
            predefined_metric_specification: PredefinedMetricSpecification {
                predefined_metric_type: metric.into(),
                resource_label: label.map(str::to_string),
            },
            scale_out_cooldown: SCALE_OUT_COOLDOWN_SECONDS,
            scale_in_cooldown: scaling.scale_down_stabilization_seconds,
        },
    };
    let mut v = vec![(
        "cpu",
        policy(
            "cpu",
            "ECSServiceAverageCPUUtilization",
            scaling.target_cpu_percent,
            None,
        ),
    )];
    if let Some(m) = scaling.target_memory_percent {
        v.push((
            "memory",
            policy("memory", "ECSServiceAverageMemoryUtilization", m, None),
        ));
    }
    if let (Some(r), Some(label)) = (scaling.requests_per_target, requests_label) {
        v.push((
            "requests",
            policy("requests", "ALBRequestCountPerTarget", r, Some(label)),
        ));
    }
    v
}

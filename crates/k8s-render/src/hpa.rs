//! The HorizontalPodAutoscaler (autoscaling/v2) when the spec asks for scaling.

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HPAScalingPolicy, HPAScalingRules, HorizontalPodAutoscaler,
    HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget,
    ResourceMetricSource,
};
use kimai_model::yaml::Comments;

use crate::labels::{Component, Identity};

fn utilization(resource: &str, percent: u32) -> MetricSpec {
    MetricSpec {
        type_: "Resource".into(),
        resource: Some(ResourceMetricSource {
            name: resource.into(),
            target: MetricTarget {
                type_: "Utilization".into(),
                average_utilization: Some(i32::try_from(percent).unwrap_or(i32::MAX)),
                ..Default::default()
            },
        }),
        ..Default::default()
    }
}

/// The HPA targeting Kimai's Deployment, when `scaling` is set.
pub fn hpa(id: &Identity<'_>) -> Option<HorizontalPodAutoscaler> {
    let s = id.model().spec().scaling.as_ref()?;
    let mut metrics = vec![utilization("cpu", s.target_cpu_percent)];
    if let Some(m) = s.target_memory_percent {
        metrics.push(utilization("memory", m));
    }
    let to_i32 = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    Some(HorizontalPodAutoscaler {
        metadata: id.meta(id.app(), Component::Web),
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: "Deployment".into(),
                name: id.app().into(),
            },
            min_replicas: Some(to_i32(s.min_replicas)),
            max_replicas: to_i32(s.max_replicas),
            metrics: Some(metrics),
            behavior: Some(HorizontalPodAutoscalerBehavior {
                scale_down: Some(HPAScalingRules {
                    stabilization_window_seconds: Some(to_i32(s.scale_down_stabilization_seconds)),
                    select_policy: Some("Max".into()),
                    policies: Some(vec![HPAScalingPolicy {
                        type_: "Pods".into(),
                        value: 1,
                        period_seconds: 60,
                    }]),
                    ..Default::default()
                }),
                scale_up: Some(HPAScalingRules {
                    stabilization_window_seconds: Some(0),
                    select_policy: Some("Max".into()),
                    policies: Some(vec![HPAScalingPolicy {
                        type_: "Pods".into(),
                        value: 2,
                        period_seconds: 60,
                    }]),
                    ..Default::default()
                }),
            }),
        }),
        ..Default::default()
    })
}

/// Comments on the HPA.
pub fn comments() -> Comments {
    Comments::from([
        (
            "/spec/metrics".into(),
            "Utilisation is relative to the container's requests; needs metrics-server.".into(),
        ),
        (
            "/spec/behavior/scaleDown".into(),
            "Scale in slowly, one pod a minute after the stabilisation window.".into(),
        ),
        (
            "/spec/behavior/scaleUp".into(),
            "New pods need minutes to start (migrations check, cache warm-up): add two at a time."
                .into(),
        ),
    ])
}

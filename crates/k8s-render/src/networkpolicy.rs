//! NetworkPolicies: default deny ingress for the namespace, only the ingress controller
//! reaches Kimai, only Kimai and the backup reach the bundled database, which may only
//! resolve names.

use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kimai_model::yaml::Comments;
use kimai_model::{DatabaseMode, IngressClass};
use std::collections::BTreeMap;

use crate::labels::{Component, Identity};

fn tcp(port: i32) -> NetworkPolicyPort {
    NetworkPolicyPort {
        protocol: Some("TCP".into()),
        port: Some(IntOrString::Int(port)),
        ..Default::default()
    }
}

fn namespace_peer(namespace: &str) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        namespace_selector: Some(LabelSelector {
            match_labels: Some(BTreeMap::from([(
                "kubernetes.io/metadata.name".into(),
                namespace.into(),
            )])),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Deny all ingress to every pod of the namespace unless another policy allows it.
pub fn default_deny(id: &Identity<'_>) -> NetworkPolicy {
    NetworkPolicy {
        metadata: id.common_meta(id.named("default-deny-ingress")),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Ingress".into()]),
            ..Default::default()
        }),
    }
}

/// Sources allowed to reach Kimai's port.
pub fn kimai_sources(id: &Identity<'_>) -> Vec<NetworkPolicyPeer> {
    let model = id.model();
    let k = &model.spec().targets.kubernetes;
    match id.ingress_class() {
        IngressClass::Nginx => vec![namespace_peer(&k.ingress_controller_namespace)],
        IngressClass::Alb => model
            .vpc_cidrs()
            .into_iter()
            .map(|cidr| NetworkPolicyPeer {
                ip_block: Some(IPBlock {
                    cidr,
                    ..Default::default()
                }),
                ..Default::default()
            })
            .collect(),
    }
}

/// Only the ingress controller (or the ALB's subnets) reaches Kimai, on its port only.
pub fn kimai(id: &Identity<'_>) -> NetworkPolicy {
    NetworkPolicy {
        metadata: id.meta(id.app(), Component::Web),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(id.selector(Component::Web)),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(kimai_sources(id)),
                ports: Some(vec![tcp(id.kimai_port())]),
            }]),
            ..Default::default()
        }),
    }
}

/// Only Kimai and the backup reach the bundled database; it may only resolve names.
pub fn database(id: &Identity<'_>) -> Option<NetworkPolicy> {
    let model = id.model();
    if model.spec().database.mode != DatabaseMode::Bundled {
        return None;
    }
    let mut from = vec![NetworkPolicyPeer {
        pod_selector: Some(id.selector(Component::Web)),
        ..Default::default()
    }];
    if model.spec().backup.is_some() {
        from.push(NetworkPolicyPeer {
            pod_selector: Some(id.selector(Component::Backup)),
            ..Default::default()
        });
    }
    let dns = ["UDP", "TCP"]
        .into_iter()
        .map(|p| NetworkPolicyPort {
            protocol: Some(p.into()),
            port: Some(IntOrString::Int(53)),
            ..Default::default()
        })
        .collect();
    Some(NetworkPolicy {
        metadata: id.meta(id.database(), Component::Database),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(id.selector(Component::Database)),
            policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(from),
                ports: Some(vec![tcp(id.db_port())]),
            }]),
            egress: Some(vec![NetworkPolicyEgressRule {
                to: Some(vec![namespace_peer("kube-system")]),
                ports: Some(dns),
            }]),
        }),
    })
}

/// Comments on Kimai's policy.
pub fn kimai_comments(id: &Identity<'_>) -> Comments {
    let text = match id.ingress_class() {
        IngressClass::Nginx => "Only the ingress controller's namespace reaches Kimai, on its port only.",
        IngressClass::Alb => "The ALB (target type ip) connects from its own addresses inside the VPC, which no\npod or namespace selector can name: allow the VPC's address ranges (aws.vpc_cidrs,\nRFC 1918 when unset), on Kimai's port only.",
    };
    Comments::from([("/spec/ingress".into(), text.into())])
}

/// Comments on the database's policy.
pub fn database_comments() -> Comments {
    Comments::from([(
        "/spec/egress".into(),
        "The database initiates nothing but DNS lookups.".into(),
    )])
}

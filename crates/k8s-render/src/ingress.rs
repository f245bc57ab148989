//! The Ingress: AWS Load Balancer Controller (`alb`) or ingress-nginx (`nginx`).

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kimai_model::yaml::Comments;
use kimai_model::{IngressClass, TlsMode, DEREGISTRATION_DELAY_SECONDS, HEALTH_PATH};
use serde::Serialize;

use crate::labels::{Component, Identity, HTTP_PORT_NAME};

/// ALB annotation prefix.
const ALB: &str = "alb.ingress.kubernetes.io";
/// ingress-nginx annotation prefix.
const NGINX: &str = "nginx.ingress.kubernetes.io";

/// The `ingressClassName`.
pub fn class_name(class: IngressClass) -> &'static str {
    match class {
        IngressClass::Alb => "alb",
        IngressClass::Nginx => "nginx",
    }
}

#[derive(Serialize)]
#[serde(rename_all = "UPPERCASE")]
struct ListenPort {
    #[serde(skip_serializing_if = "Option::is_none")]
    http: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    https: Option<u16>,
}

fn alb_annotations(id: &Identity<'_>) -> Result<BTreeMap<String, String>, serde_json::Error> {
    let spec = id.model().spec();
    let k = &spec.targets.kubernetes;
    let tls = spec.ingress.tls.mode;
    let https = matches!(tls, TlsMode::Acm | TlsMode::Secret);
    let mut ports = vec![ListenPort {
        http: Some(80),
        https: None,
    }];
    if https {
        ports.push(ListenPort {
            http: None,
            https: Some(443),
        });
    }
    let mut a = BTreeMap::new();
    let mut set = |key: &str, value: String| {
        a.insert(format!("{ALB}/{key}"), value);
    };
    set("scheme", k.alb_scheme.clone());
    set("target-type", "ip".into());
    set("listen-ports", serde_json::to_string(&ports)?);
    set("backend-protocol", "HTTP".into());
    set("healthcheck-path", HEALTH_PATH.into());
    set("healthcheck-port", "traffic-port".into());
    set("healthcheck-interval-seconds", "15".into());
    set("healthy-threshold-count", "2".into());
    set("unhealthy-threshold-count", "3".into());
    set("success-codes", "200".into());
    set(
        "target-group-attributes",
        format!("deregistration_delay.timeout_seconds={DEREGISTRATION_DELAY_SECONDS}"),
    );
    set(
        "load-balancer-attributes",
        "routing.http.drop_invalid_header_fields.enabled=true".into(),
    );
    if https {
        set("ssl-redirect", "443".into());
        set("ssl-policy", "ELBSecurityPolicy-TLS13-1-2-2021-06".into());
    }
    if let Some(arn) = &spec.ingress.tls.certificate_arn {
        if tls == TlsMode::Acm {
            set("certificate-arn", arn.clone());
        }
    }
    if let Some(waf) = &spec.ingress.waf_acl_arn {
        set("wafv2-acl-arn", waf.clone());
    }
    Ok(a)
}

fn nginx_annotations(id: &Identity<'_>) -> BTreeMap<String, String> {
    let spec = id.model().spec();
    let mut a = BTreeMap::from([(
        format!("{NGINX}/proxy-body-size"),
        format!("{}m", spec.ingress.max_body_mib),
    )]);
    if spec.ingress.tls.mode == TlsMode::Secret {
        a.insert(format!("{NGINX}/ssl-redirect"), "true".into());
        if let Some(issuer) = &spec.ingress.tls.cluster_issuer {
            a.insert("cert-manager.io/cluster-issuer".into(), issuer.clone());
        }
    }
    a
}

/// Kimai's Ingress, one rule per public host.
pub fn ingress(id: &Identity<'_>) -> Result<Ingress, serde_json::Error> {
    let model = id.model();
    let spec = model.spec();
    let class = id.ingress_class();
    let hosts: Vec<String> = model.hosts().into_iter().map(String::from).collect();
    let annotations = match class {
        IngressClass::Alb => alb_annotations(id)?,
        IngressClass::Nginx => nginx_annotations(id),
    };
    let tls = match (spec.ingress.tls.mode, class) {
        (TlsMode::Secret, IngressClass::Nginx) => Some(vec![IngressTLS {
            hosts: Some(hosts.clone()),
            secret_name: Some(id.tls_secret()),
        }]),
        // The AWS Load Balancer Controller discovers ACM certificates by these hosts.
        (TlsMode::Secret, IngressClass::Alb) => Some(vec![IngressTLS {
            hosts: Some(hosts.clone()),
            secret_name: None,
        }]),
        _ => None,
    };
    let rules = hosts
        .iter()
        .map(|h| IngressRule {
            host: Some(h.clone()),
            http: Some(HTTPIngressRuleValue {
                paths: vec![HTTPIngressPath {
                    path: Some("/".into()),
                    path_type: "Prefix".into(),
                    backend: IngressBackend {
                        service: Some(IngressServiceBackend {
                            name: id.app().into(),
                            port: Some(ServiceBackendPort {
                                name: Some(HTTP_PORT_NAME.into()),
                                ..Default::default()
                            }),
                        }),
                        ..Default::default()
                    },
                }],
            }),
        })
        .collect();
    Ok(Ingress {
        metadata: ObjectMeta {
            annotations: Some(annotations),
            ..id.meta(id.app(), Component::Web)
        },
        spec: Some(IngressSpec {
            ingress_class_name: Some(class_name(class).into()),
            tls,
            rules: Some(rules),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// Comments on the Ingress.
pub fn comments(id: &Identity<'_>) -> Comments {
    let mut c = Comments::new();
    match id.ingress_class() {
        IngressClass::Alb => {
            c.insert(
                "/metadata/annotations".into(),
                "Target type ip: the ALB sends traffic and health checks straight to pod IPs.\nIts health checks carry the pod IP as Host, so TRUSTED_HOSTS also admits the VPC's\naddresses (aws.vpc_cidrs; see deployment.yaml); clients cannot use that: the ALB\nonly forwards the hosts in the rules below. Deregistration delay: pods keep serving\nthat long after they are asked to stop (preStop in deployment.yaml).".into(),
            );
        }
        IngressClass::Nginx => {
            c.insert(
                "/metadata/annotations".into(),
                "Body size: invoice templates and imports are uploaded through the proxy.".into(),
            );
        }
    }
    c
}

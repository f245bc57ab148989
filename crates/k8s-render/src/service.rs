//! Kimai's Service: port 80 in the cluster, forwarding to the named container port.

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::labels::{Component, Identity, HTTP_PORT_NAME, SERVICE_PORT};

/// Kimai's ClusterIP Service (the Ingress backend; ALB target type `ip` reaches pods directly).
pub fn service(id: &Identity<'_>) -> Service {
    Service {
        metadata: id.meta(id.app(), Component::Web),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(id.selector_labels(Component::Web)),
            ports: Some(vec![ServicePort {
                name: Some(HTTP_PORT_NAME.into()),
                port: SERVICE_PORT,
                target_port: Some(IntOrString::String(HTTP_PORT_NAME.into())),
                protocol: Some("TCP".into()),
                app_protocol: Some("http".into()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

//! The pod watcher (`targets.kubernetes.pod_watcher`): one replica running
//! `kubectl get pods --watch --output-watch-events` in a shell loop, logging one line per pod
//! event of the namespace, under a ServiceAccount allowed exactly `get`, `list`, `watch` on pods.
//!
//! Decisions:
//! - **A Deployment with one replica**, `Recreate`: one watcher per namespace logs each event
//!   once (a DaemonSet would log it once per node, a surge pod twice).
//! - **The first listing once, then `--watch-only`.** kubectl lists the pods, prints them as
//!   `ADDED` (unless `--watch-only`) and watches from the list's resource version. The API
//!   server ends every watch after a while and kubectl then exits 0; the loop starts the next
//!   watch with `--watch-only`, so the whole list is logged once per container start (a
//!   baseline after every gap of unknown length: a new pod, a crash) and not every few
//!   minutes. Events in the second or two between one watch and the next are not logged: kubectl has
//!   no flag to resume from a resource version (seed 002's next step, a small program with a
//!   retrying watch, closes that gap). kubectl failing (API server unreachable, RBAC) exits
//!   the container, so the kubelet's back-off and the restart count show it.
//! - **Timestamps from the shell.** kubectl's templates have no clock, so every line goes
//!   through `date -u` in a `while read` loop: the image needs a POSIX shell and `date`.
//!   `registry.k8s.io/kubectl` and `rancher/kubectl` have neither (distroless, scratch), and
//!   Bitnami's versioned `bitnami/kubectl` tags left Docker Hub in 2025; the default is
//!   `alpine/kubectl` (Alpine, BusyBox `sh` and `date`; the alpine-docker project tags each
//!   build with its kubectl client version, so `1.36.3` is kubectl v1.36.3).
//! - **The token is mounted for this container only**: its ServiceAccount and pod keep
//!   `automountServiceAccountToken: false`, and a projected volume carries what the automount
//!   would (a one-hour token the kubelet rotates, `kube-root-ca.crt`, the namespace), read-only,
//!   at the path kubectl's in-cluster configuration reads.
//! - **Egress only to the API server and DNS.** The API server is no pod (or a host-network
//!   one), so no selector names it, and CNIs (Calico, Cilium, the AWS VPC CNI's agent,
//!   kube-router) match egress after the `kubernetes` Service's address translation: the rule
//!   names the endpoints' addresses and ports (443 on EKS, GKE and AKS, 6443 on kubeadm, k3s
//!   and kind). The addresses are `api_server_cidrs`; when unset, the VPC's ranges on an
//!   EKS-shaped cluster (ALB ingress: EKS puts the API server's network interfaces in the
//!   cluster's subnets, the same ranges the ALB's policy admits), else any address.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy};
use k8s_openapi::api::core::v1::{
    ConfigMapProjection, Container, DownwardAPIProjection, DownwardAPIVolumeFile,
    EmptyDirVolumeSource, KeyToPath, ObjectFieldSelector, PodSecurityContext, PodSpec,
    PodTemplateSpec, ProjectedVolumeSource, ResourceRequirements, SecurityContext, ServiceAccount,
    ServiceAccountTokenProjection, Volume, VolumeMount, VolumeProjection,
};
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kimai_model::yaml::Comments;
use kimai_model::{IngressClass, Millicores, PodWatcher};

use crate::deployment::{container_security, pod_spec, resources};
use crate::env::{from_field, plain};
use crate::labels::{Component, Identity};
use crate::monitoring;
use crate::namespace;

/// Name of the watcher's container.
pub const CONTAINER: &str = "pod-watcher";
/// Where kubectl's in-cluster configuration reads the token, CA and namespace.
pub const TOKEN_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
/// Lifetime of the projected token; the kubelet renews it at 80 %.
pub const TOKEN_SECONDS: i64 = 3600;
/// The ConfigMap with the cluster's CA that Kubernetes publishes in every namespace.
pub const ROOT_CA_CONFIG_MAP: &str = "kube-root-ca.crt";
/// The variable carrying the pod's namespace (downward API), the one watched.
pub const NAMESPACE_VAR: &str = "WATCH_NAMESPACE";
/// The verbs the Role grants on pods: reading them (kubectl lists, then watches; `get` reads one).
pub const VERBS: [&str; 3] = ["get", "list", "watch"];
/// Unprivileged user the watcher runs as (`nobody`).
const NOBODY: i64 = 65534;
/// The pod volume holding the projected token.
const TOKEN_VOLUME: &str = "api-token";
/// The writable `/tmp` (kubectl's discovery cache, a few MiB on clusters with many CRDs, and
/// the loop's status file) on a read-only root.
const TMP_VOLUME: &str = "tmp";

/// The go-template kubectl prints each watch event with (`.type`, `.object`): logfmt fields
/// `event pod phase node ip`, `-` where a pod has no value yet; an `ERROR` event (an expired
/// watch) prints the API server's reason and message instead.
pub const TEMPLATE: &str = concat!(
    r#"{{if eq .type "ERROR"}}event=ERROR reason={{or .object.reason "-"}} message={{printf "%q" (or .object.message "")}}"#,
    r#"{{else}}event={{.type}} pod={{.object.metadata.name}} phase={{or .object.status.phase "-"}}"#,
    r#" node={{or .object.spec.nodeName "-"}} ip={{or .object.status.podIP "-"}}{{end}}{{"\n"}}"#,
);

/// The container's shell script (POSIX `sh`): the watch loop of the module docs.
pub fn script() -> String {
    format!(
        "# One line per pod event of the namespace: UTC time, then logfmt fields.\n\
         set -u\n\
         trap 'exit 0' TERM INT\n\
         template='{TEMPLATE}'\n\
         status_file=\"${{TMPDIR:-/tmp}}/watch-status\"\n\
         only=''\n\
         while :; do\n\
         \x20 {{ kubectl get pods --namespace \"${NAMESPACE_VAR}\" --watch --output-watch-events $only \\\n\
         \x20     --output \"go-template=$template\"; echo \"$?\" > \"$status_file\"; }} \\\n\
         \x20   | while IFS= read -r line; do printf '%s %s\\n' \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\" \"$line\"; done &\n\
         \x20 wait \"$!\"\n\
         \x20 status=$(cat \"$status_file\" 2>/dev/null || echo 1)\n\
         \x20 if [ \"$status\" != 0 ]; then\n\
         \x20   echo \"$(date -u +%Y-%m-%dT%H:%M:%SZ) watch failed: kubectl exit $status\" >&2\n\
         \x20   exit 1\n\
         \x20 fi\n\
         \x20 # The API server ended the watch: watch again, without logging the list again.\n\
         \x20 only='--watch-only'\n\
         \x20 sleep 1\n\
         done\n"
    )
}

fn settings<'a>(id: &Identity<'a>) -> &'a PodWatcher {
    &id.model().spec().targets.kubernetes.pod_watcher
}

/// True when the spec turns the watcher on.
pub fn enabled(id: &Identity<'_>) -> bool {
    settings(id).enabled
}

/// The watcher's ServiceAccount: no automounted token (the pod mounts one explicitly).
pub fn service_account(id: &Identity<'_>) -> ServiceAccount {
    namespace::service_account(id, Component::PodWatcher)
}

/// Read access to the pods of the namespace, and nothing else.
pub fn role(id: &Identity<'_>) -> Role {
    Role {
        metadata: id.meta(id.pod_watcher(), Component::PodWatcher),
        rules: Some(vec![PolicyRule {
            api_groups: Some(vec![String::new()]),
            resources: Some(vec!["pods".into()]),
            verbs: VERBS.iter().map(|v| v.to_string()).collect(),
            ..Default::default()
        }]),
    }
}

/// Binds [`role`] to the watcher's ServiceAccount only.
pub fn role_binding(id: &Identity<'_>) -> RoleBinding {
    RoleBinding {
        metadata: id.meta(id.pod_watcher(), Component::PodWatcher),
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "Role".into(),
            name: id.pod_watcher(),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".into(),
            name: id.pod_watcher(),
            namespace: Some(id.namespace().into()),
            ..Default::default()
        }]),
    }
}

/// What the kubelet's automount would project, for this pod only.
fn token_volume() -> Volume {
    Volume {
        name: TOKEN_VOLUME.into(),
        projected: Some(ProjectedVolumeSource {
            default_mode: Some(0o444),
            sources: Some(vec![
                VolumeProjection {
                    service_account_token: Some(ServiceAccountTokenProjection {
                        path: "token".into(),
                        expiration_seconds: Some(TOKEN_SECONDS),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                VolumeProjection {
                    config_map: Some(ConfigMapProjection {
                        name: ROOT_CA_CONFIG_MAP.into(),
                        items: Some(vec![KeyToPath {
                            key: "ca.crt".into(),
                            path: "ca.crt".into(),
                            ..Default::default()
                        }]),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                VolumeProjection {
                    downward_api: Some(DownwardAPIProjection {
                        items: Some(vec![DownwardAPIVolumeFile {
                            path: "namespace".into(),
                            field_ref: Some(ObjectFieldSelector {
                                field_path: "metadata.namespace".into(),
                                ..Default::default()
                            }),
                            ..Default::default()
                        }]),
                    }),
                    ..Default::default()
                },
            ]),
        }),
        ..Default::default()
    }
}

/// CPU limit of the watcher unless its request is higher: it idles on a watch, and a
/// limit keeps a restart loop gone wrong from taking a node's CPU.
pub const CPU_LIMIT: &str = "250m";

/// Requests from the spec, memory limit equal to the request, CPU capped at [`CPU_LIMIT`].
fn watcher_resources(w: &PodWatcher) -> ResourceRequirements {
    let mut r = resources(&w.cpu, &w.memory);
    let request = Millicores::parse(&w.cpu).unwrap_or(Millicores(0));
    let limit = Millicores::parse(CPU_LIMIT).unwrap_or(Millicores(0));
    let cpu = if request > limit { &w.cpu } else { CPU_LIMIT };
    if let Some(limits) = r.limits.as_mut() {
        limits.insert("cpu".into(), Quantity(cpu.into()));
    }
    r
}

/// The watcher's container.
pub fn container(id: &Identity<'_>) -> Container {
    let w = settings(id);
    Container {
        name: CONTAINER.into(),
        image: Some(w.image.clone()),
        image_pull_policy: Some("IfNotPresent".into()),
        command: Some(vec!["/bin/sh".into(), "-c".into(), script()]),
        env: Some(vec![
            from_field(NAMESPACE_VAR, "metadata.namespace"),
            plain("HOME", "/tmp"),
        ]),
        resources: Some(watcher_resources(w)),
        security_context: Some(SecurityContext {
            read_only_root_filesystem: Some(true),
            run_as_non_root: Some(true),
            ..container_security(&[])
        }),
        volume_mounts: Some(vec![
            VolumeMount {
                name: TOKEN_VOLUME.into(),
                mount_path: TOKEN_DIR.into(),
                read_only: Some(true),
                ..Default::default()
            },
            VolumeMount {
                name: TMP_VOLUME.into(),
                mount_path: "/tmp".into(),
                ..Default::default()
            },
        ]),
        ..Default::default()
    }
}

/// The watcher's Deployment: one replica, recreated on change.
pub fn deployment(id: &Identity<'_>) -> Result<Deployment, serde_json::Error> {
    let model = id.model();
    let mut labels = id.labels(Component::PodWatcher);
    let mut annotations = BTreeMap::new();
    if model.spec().monitoring.datadog.enabled {
        labels.extend(monitoring::tag_labels(model));
        annotations.extend(monitoring::logs_annotation(model, CONTAINER, CONTAINER)?);
    }
    Ok(Deployment {
        metadata: ObjectMeta {
            labels: Some(labels.clone()),
            ..id.meta(id.pod_watcher(), Component::PodWatcher)
        },
        spec: Some(DeploymentSpec {
            replicas: Some(1),
            revision_history_limit: Some(3),
            selector: id.selector(Component::PodWatcher),
            strategy: Some(DeploymentStrategy {
                type_: Some("Recreate".into()),
                rolling_update: None,
            }),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    annotations: (!annotations.is_empty()).then_some(annotations),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    service_account_name: Some(id.pod_watcher()),
                    termination_grace_period_seconds: Some(10),
                    volumes: Some(vec![
                        token_volume(),
                        Volume {
                            name: TMP_VOLUME.into(),
                            empty_dir: Some(EmptyDirVolumeSource {
                                size_limit: Some(Quantity("64Mi".into())),
                                ..Default::default()
                            }),
                            ..Default::default()
                        },
                    ]),
                    ..pod_spec(
                        vec![container(id)],
                        PodSecurityContext {
                            run_as_non_root: Some(true),
                            run_as_user: Some(NOBODY),
                            run_as_group: Some(NOBODY),
                            ..Default::default()
                        },
                    )
                }),
            },
            ..Default::default()
        }),
        ..Default::default()
    })
}

fn tcp(port: u16) -> NetworkPolicyPort {
    NetworkPolicyPort {
        protocol: Some("TCP".into()),
        port: Some(IntOrString::Int(i32::from(port))),
        ..Default::default()
    }
}

/// Where the API server's endpoint addresses come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiServerSource {
    /// `targets.kubernetes.pod_watcher.api_server_cidrs`.
    Spec,
    /// The VPC's ranges ([`kimai_model::Validated::vpc_cidrs`]) on an EKS-shaped cluster (ALB
    /// ingress): EKS places the API server's network interfaces in the cluster's subnets.
    Vpc,
    /// Not known: any address (on the API server's ports only).
    Any,
}

/// The API server's endpoint addresses (CIDRs) and where they come from.
pub fn api_server_cidrs(id: &Identity<'_>) -> (Vec<String>, ApiServerSource) {
    let cidrs = &settings(id).api_server_cidrs;
    if !cidrs.is_empty() {
        let cidrs = cidrs
            .iter()
            .map(|c| match (c.contains('/'), c.contains(':')) {
                (true, _) => c.clone(),
                (false, false) => format!("{c}/32"),
                (false, true) => format!("{c}/128"),
            })
            .collect();
        (cidrs, ApiServerSource::Spec)
    } else if id.ingress_class() == IngressClass::Alb {
        (id.model().vpc_cidrs(), ApiServerSource::Vpc)
    } else {
        (
            vec!["0.0.0.0/0".into(), "::/0".into()],
            ApiServerSource::Any,
        )
    }
}

/// The API server's endpoint addresses as policy peers.
pub fn api_server_peers(id: &Identity<'_>) -> Vec<NetworkPolicyPeer> {
    api_server_cidrs(id)
        .0
        .into_iter()
        .map(|cidr| NetworkPolicyPeer {
            ip_block: Some(IPBlock {
                cidr,
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect()
}

/// Nothing reaches the watcher; it reaches only the API server and DNS.
pub fn network_policy(id: &Identity<'_>) -> NetworkPolicy {
    let dns = ["UDP", "TCP"]
        .into_iter()
        .map(|p| NetworkPolicyPort {
            protocol: Some(p.into()),
            port: Some(IntOrString::Int(53)),
            ..Default::default()
        })
        .collect();
    NetworkPolicy {
        metadata: id.meta(id.pod_watcher(), Component::PodWatcher),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(id.selector(Component::PodWatcher)),
            policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
            ingress: Some(Vec::new()),
            egress: Some(vec![
                NetworkPolicyEgressRule {
                    to: Some(api_server_peers(id)),
                    ports: Some(
                        settings(id)
                            .api_server_ports
                            .iter()
                            .map(|p| tcp(*p))
                            .collect(),
                    ),
                },
                NetworkPolicyEgressRule {
                    to: Some(vec![NetworkPolicyPeer {
                        namespace_selector: Some(LabelSelector {
                            match_labels: Some(BTreeMap::from([(
                                "kubernetes.io/metadata.name".into(),
                                "kube-system".into(),
                            )])),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }]),
                    ports: Some(dns),
                },
            ]),
        }),
    }
}

/// What the deploy note says about the watcher (one Markdown list item each, without the
/// bullet); empty when it is off.
pub fn note_lines(id: &Identity<'_>) -> Vec<String> {
    if !enabled(id) {
        return Vec::new();
    }
    let w = settings(id);
    let ns = id.namespace();
    let name = id.pod_watcher();
    let mut v = vec![
        format!("Pod watcher: `kubectl -n {ns} logs deployment/{name} -f` shows one line per pod event of `{ns}` (`<UTC time> event=MODIFIED pod=... phase=... node=... ip=...`); after each start it first lists every pod as `ADDED`. Its ServiceAccount `{name}` may only get, list and watch pods here."),
        format!("The pod watcher's image `{}` runs kubectl, which supports one minor version either side of the API server: keep `targets.kubernetes.pod_watcher.image` in step with the cluster.", w.image),
    ];
    let ports = w
        .api_server_ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let ports_word = if w.api_server_ports.len() == 1 {
        "port"
    } else {
        "ports"
    };
    let endpoints =
        "`kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes`";
    match api_server_cidrs(id) {
        (_, ApiServerSource::Spec) => {}
        (cidrs, ApiServerSource::Vpc) => v.push(format!("NetworkPolicy `{name}` lets the pod watcher reach the API server on {ports_word} {ports} in the VPC's ranges ({}; `aws.vpc_cidrs`), where EKS places its network interfaces; `targets.kubernetes.pod_watcher.api_server_cidrs` narrows it to the addresses of {endpoints}.", cidrs.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "))),
        (_, ApiServerSource::Any) => v.push(format!("NetworkPolicy `{name}` lets the pod watcher reach any address on the API server's ports ({ports}): narrow it with `targets.kubernetes.pod_watcher.api_server_cidrs`, the addresses of {endpoints}.")),
    }
    v
}

/// Comments on the Deployment.
pub fn deployment_comments() -> Comments {
    let p = "/spec/template/spec";
    Comments::from([
        ("/spec/strategy".into(), "One watcher logs each event once: never a second one during a rollout.".into()),
        (format!("{p}/automountServiceAccountToken"), format!("No automount: the token is projected below, into the watcher's container only\n(a {TOKEN_SECONDS} s token the kubelet rotates, the cluster CA, the namespace).")),
        (format!("{p}/containers"), "kubectl templates have no clock: each line gets its UTC time from `date -u`.\nThe first watch logs every pod once (ADDED); when the API server ends a watch,\nthe next one is --watch-only. A failing kubectl exits: the kubelet restarts it\nwith back-off, and the restart logs the pod list again.".into()),
    ])
}

/// Comments on the Role.
pub fn role_comments() -> Comments {
    Comments::from([(
        "/rules".into(),
        "Exactly what `kubectl get pods --watch` needs, in this namespace only.".into(),
    )])
}

/// Comments on the NetworkPolicy.
pub fn network_policy_comments() -> Comments {
    Comments::from([
        ("/spec/ingress".into(), "Nothing connects to the watcher.".into()),
        ("/spec/egress".into(), "The API server, and DNS. No selector can name the API server (not a pod, or a\nhost-network one), and CNIs match egress after the `kubernetes` Service's address\ntranslation: the first rule names its endpoints' addresses\n(targets.kubernetes.pod_watcher.api_server_cidrs; unset: aws.vpc_cidrs behind an\nALB, else any address) and ports (443 on EKS, GKE, AKS; 6443 on kubeadm, k3s,\nkind). List the endpoints with\nkubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes".into()),
    ])
}

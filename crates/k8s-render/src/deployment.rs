//! Kimai's Deployment: rolling updates one pod at a time, probes on the login page with
//! `Host: localhost`, the security context the stock image runs with, spread across zones
//! and nodes, storage mounts and env by reference.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment,
};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapVolumeSource, Container, ContainerPort, ExecAction, HTTPGetAction,
    HTTPHeader, Lifecycle, LifecycleHandler, PersistentVolumeClaimVolumeSource, PodSecurityContext,
    PodSpec, PodTemplateSpec, Probe, ResourceRequirements, SeccompProfile, SecurityContext,
    TopologySpreadConstraint, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kimai_model::yaml::Comments;
use kimai_model::{
    IngressClass, Replicas, StorageClass, Validated, CAPABILITIES, HEALTH_HOST, HEALTH_PATH,
    LOCAL_YAML_PATH, PERSISTENT_DIRS, STARTUP_BUDGET_SECONDS,
};

use crate::env;
use crate::labels::{Component, Identity, HTTP_PORT_NAME, KIMAI_CONTAINER};
use crate::monitoring;
use kimai_model::{DEREGISTRATION_DELAY_SECONDS, STOP_GRACE_SECONDS};

/// Name of the pod volume backed by the `var` claim.
pub const VAR_VOLUME: &str = "var";
/// Name of the pod volume holding `local.yaml`.
pub const LOCAL_YAML_VOLUME: &str = "local-yaml";
/// Key of `local.yaml` in the ConfigMap.
pub const LOCAL_YAML_KEY: &str = "local.yaml";
/// Pod annotation carrying a hash of `local.yaml`, so a change rolls the pods (a `subPath`
/// mount never sees ConfigMap updates).
pub const LOCAL_YAML_HASH: &str = "kimai-deploy/local-yaml-fnv1a64";
/// Seconds between startup and readiness probes.
const PROBE_PERIOD: i32 = 10;

/// `TRUSTED_HOSTS` alternatives this target adds: the VPC's addresses behind an ALB, whose
/// health checks send the pod IP as `Host`.
pub fn extra_trusted_hosts(model: &Validated) -> Vec<String> {
    match kimai_model::names::ingress_class(model) {
        IngressClass::Alb => vec![model.balancer_host_patterns()],
        IngressClass::Nginx => Vec::new(),
    }
}

/// Seconds a stopping pod keeps serving before Apache gets its stop signal. Behind an ALB
/// (target type ip) the controller first deregisters the pod, then the target group drains it
/// for the deregistration delay: serve 5 s longer than that. Behind ingress-nginx, endpoint
/// removal reaches the controller within seconds.
pub fn pre_stop_seconds(model: &Validated) -> u32 {
    match kimai_model::names::ingress_class(model) {
        IngressClass::Alb => DEREGISTRATION_DELAY_SECONDS + 5,
        IngressClass::Nginx => 10,
    }
}

/// FNV-1a (64 bit) of `text` as 16 hex digits: a stable change detector, not a security hash.
pub fn fnv1a64(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The HTTP GET on the login page every probe uses.
fn login_probe(period: i32, timeout: i32, failures: i32) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(HEALTH_PATH.into()),
            port: IntOrString::String(HTTP_PORT_NAME.into()),
            http_headers: Some(vec![HTTPHeader {
                name: "Host".into(),
                value: HEALTH_HOST.into(),
            }]),
            scheme: Some("HTTP".into()),
            ..Default::default()
        }),
        period_seconds: Some(period),
        timeout_seconds: Some(timeout),
        failure_threshold: Some(failures),
        success_threshold: Some(1),
        ..Default::default()
    }
}

/// Startup, readiness and liveness probes.
pub fn probes() -> (Probe, Probe, Probe) {
    let budget = i32::try_from(STARTUP_BUDGET_SECONDS).unwrap_or(300);
    let startup = login_probe(PROBE_PERIOD, 5, (budget / PROBE_PERIOD).max(30));
    let readiness = login_probe(PROBE_PERIOD, 5, 3);
    let liveness = login_probe(30, 10, 5);
    (startup, readiness, liveness)
}

/// Drop every capability, add back what the root entrypoint needs, no escalation.
pub fn container_security(capabilities: &[&str]) -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        privileged: Some(false),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            add: (!capabilities.is_empty())
                .then(|| capabilities.iter().map(|c| c.to_string()).collect()),
        }),
        seccomp_profile: Some(runtime_default()),
        ..Default::default()
    }
}

/// The container runtime's default seccomp profile.
/// The pod settings every workload here shares: no service-account token, no service-link
/// variables, seccomp `RuntimeDefault` on top of `security`. Callers add the rest with
/// struct update syntax.
pub fn pod_spec(containers: Vec<Container>, security: PodSecurityContext) -> PodSpec {
    PodSpec {
        automount_service_account_token: Some(false),
        enable_service_links: Some(false),
        security_context: Some(PodSecurityContext {
            seccomp_profile: Some(runtime_default()),
            ..security
        }),
        containers,
        ..Default::default()
    }
}

fn runtime_default() -> SeccompProfile {
    SeccompProfile {
        type_: "RuntimeDefault".into(),
        ..Default::default()
    }
}

/// CPU and memory requests; memory limit equal to the request, no CPU limit.
pub fn resources(cpu: &str, memory: &str) -> ResourceRequirements {
    ResourceRequirements {
        requests: Some(BTreeMap::from([
            ("cpu".into(), Quantity(cpu.into())),
            ("memory".into(), Quantity(memory.into())),
        ])),
        limits: Some(BTreeMap::from([("memory".into(), Quantity(memory.into()))])),
        ..Default::default()
    }
}

/// Spread over zones where possible and over nodes strictly (one pod per node before a second
/// lands on any). `nodeTaintsPolicy: Honor` leaves nodes the pod cannot tolerate (tainted system
/// or GPU pools) out of the skew count; counted, they are empty domains that no pod can fill,
/// and the strict node spread would leave new pods Pending.
fn spread(id: &Identity<'_>) -> Vec<TopologySpreadConstraint> {
    [
        ("topology.kubernetes.io/zone", "ScheduleAnyway"),
        ("kubernetes.io/hostname", "DoNotSchedule"),
    ]
    .into_iter()
    .map(|(key, when)| TopologySpreadConstraint {
        max_skew: 1,
        topology_key: key.into(),
        when_unsatisfiable: when.into(),
        label_selector: Some(id.selector(Component::Web)),
        match_label_keys: Some(vec!["pod-template-hash".into()]),
        node_taints_policy: Some("Honor".into()),
        ..Default::default()
    })
    .collect()
}

/// Kimai's container.
pub fn kimai_container(id: &Identity<'_>) -> Container {
    let model = id.model();
    let app = &model.spec().app;
    let extra_owned = extra_trusted_hosts(model);
    let extra: Vec<&str> = extra_owned.iter().map(String::as_str).collect();
    let (startup, readiness, liveness) = probes();
    let mut mounts: Vec<VolumeMount> = PERSISTENT_DIRS
        .iter()
        .map(|(suffix, path)| VolumeMount {
            name: VAR_VOLUME.into(),
            mount_path: (*path).into(),
            sub_path: Some((*suffix).into()),
            ..Default::default()
        })
        .collect();
    if app.local_yaml.is_some() {
        mounts.push(VolumeMount {
            name: LOCAL_YAML_VOLUME.into(),
            mount_path: LOCAL_YAML_PATH.into(),
            sub_path: Some(LOCAL_YAML_KEY.into()),
            read_only: Some(true),
            ..Default::default()
        });
    }
    Container {
        name: KIMAI_CONTAINER.into(),
        image: Some(model.image()),
        image_pull_policy: Some("IfNotPresent".into()),
        args: Some(
            model
                .kimai_command()
                .iter()
                .map(|a| env::escape_env(a))
                .collect(),
        ),
        ports: Some(vec![ContainerPort {
            name: Some(HTTP_PORT_NAME.into()),
            container_port: id.kimai_port(),
            protocol: Some("TCP".into()),
            ..Default::default()
        }]),
        env: Some(env::kimai_env(model, id, &extra)),
        resources: Some(resources(&app.cpu, &app.memory)),
        startup_probe: Some(startup),
        readiness_probe: Some(readiness),
        liveness_probe: Some(liveness),
        lifecycle: Some(Lifecycle {
            pre_stop: Some(LifecycleHandler {
                exec: Some(ExecAction {
                    command: Some(vec!["sleep".into(), pre_stop_seconds(model).to_string()]),
                }),
                ..Default::default()
            }),
            ..Default::default()
        }),
        security_context: Some(container_security(&CAPABILITIES)),
        volume_mounts: Some(mounts),
        ..Default::default()
    }
}

/// Kimai's pod volumes.
fn volumes(id: &Identity<'_>) -> Vec<Volume> {
    let mut v = vec![Volume {
        name: VAR_VOLUME.into(),
        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
            claim_name: id.var_claim(),
            ..Default::default()
        }),
        ..Default::default()
    }];
    if id.model().spec().app.local_yaml.is_some() {
        v.push(Volume {
            name: LOCAL_YAML_VOLUME.into(),
            config_map: Some(ConfigMapVolumeSource {
                name: id.config(),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    v
}

/// True when Kimai's volume is ReadWriteOnce (`local` storage, one replica).
fn read_write_once(model: &Validated) -> bool {
    model.spec().storage.class == StorageClass::Local
}

/// One new pod at a time, never below capacity; `Recreate` on a ReadWriteOnce volume, which
/// a surge pod on another node could not attach (the rollout would hang).
pub fn strategy(model: &Validated) -> DeploymentStrategy {
    if read_write_once(model) {
        DeploymentStrategy {
            type_: Some("Recreate".into()),
            rolling_update: None,
        }
    } else {
        DeploymentStrategy {
            type_: Some("RollingUpdate".into()),
            rolling_update: Some(RollingUpdateDeployment {
                max_surge: Some(IntOrString::Int(1)),
                max_unavailable: Some(IntOrString::Int(0)),
            }),
        }
    }
}

/// Kimai's Deployment.
pub fn deployment(id: &Identity<'_>) -> Result<Deployment, serde_json::Error> {
    let model = id.model();
    let datadog = model.spec().monitoring.datadog.enabled;
    let mut labels = id.labels(Component::Web);
    let mut pod_labels = id.labels(Component::Web);
    let mut annotations = BTreeMap::new();
    if let Some(local) = &model.spec().app.local_yaml {
        annotations.insert(LOCAL_YAML_HASH.to_string(), fnv1a64(local));
    }
    if datadog {
        labels.extend(monitoring::tag_labels(model));
        pod_labels.extend(monitoring::tag_labels(model));
        annotations.extend(monitoring::pod_annotations(model)?);
    }
    let replicas = match model.replicas() {
        Replicas::Fixed(n) => Some(i32::try_from(n).unwrap_or(i32::MAX)),
        Replicas::Auto { .. } => None,
    };
    Ok(Deployment {
        metadata: ObjectMeta {
            labels: Some(labels),
            ..id.meta(id.app(), Component::Web)
        },
        spec: Some(DeploymentSpec {
            replicas,
            revision_history_limit: Some(5),
            progress_deadline_seconds: Some(900),
            min_ready_seconds: Some(10),
            selector: id.selector(Component::Web),
            strategy: Some(strategy(model)),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    annotations: (!annotations.is_empty()).then_some(annotations),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    service_account_name: Some(id.app().into()),
                    termination_grace_period_seconds: Some(i64::from(
                        pre_stop_seconds(model) + STOP_GRACE_SECONDS,
                    )),
                    topology_spread_constraints: (model.max_replicas() > 1).then(|| spread(id)),
                    volumes: Some(volumes(id)),
                    init_containers: Some(vec![crate::migrate::container(id)]),
                    ..pod_spec(vec![kimai_container(id)], Default::default())
                }),
            },
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// Comments explaining the production defaults, by path.
pub fn comments(model: &Validated) -> Comments {
    let c0 = "/spec/template/spec/containers/0";
    let mut c = Comments::new();
    let mut add = |path: String, text: &str| {
        c.insert(path, text.to_string());
    };
    if matches!(model.replicas(), Replicas::Auto { .. }) {
        add(
            "/spec/selector".into(),
            "No `replicas`: the HorizontalPodAutoscaler owns the count (hpa.yaml).",
        );
    }
    add("/spec/progressDeadlineSeconds".into(), "A first start runs migrations and builds the cache: allow it well past the startup budget.");
    if read_write_once(model) {
        add("/spec/strategy".into(), "Recreate: the ReadWriteOnce volume attaches to one node only, so a surge pod\nscheduled elsewhere would hang the rollout. Shared storage allows rolling updates.");
    } else {
        add(
            "/spec/strategy".into(),
            "One new pod at a time, never below the current capacity.",
        );
    }
    add(
        "/spec/template/spec/automountServiceAccountToken".into(),
        "Kimai never talks to the Kubernetes API.",
    );
    add(
        "/spec/template/spec/enableServiceLinks".into(),
        "No docker-link style variables: they could clash with Kimai's environment.",
    );
    if model.max_replicas() > 1 {
        add("/spec/template/spec/topologySpreadConstraints".into(), "Spread across zones when possible, never two pods of one rollout on one node\nwhile another node is free (pod-template-hash: counted per ReplicaSet; nodes whose\ntaints the pod does not tolerate are not counted).");
    }
    add("/spec/template/spec/containers".into(), "Kimai's env: plain values have every `$` doubled: the kubelet expands `$(VAR)` and `$$`,\nso they arrive byte-exact. DATABASE_URL alone expands $(DB_PASSWORD_URLENCODED),\nwhich is why that variable comes right before it.");
    add("/spec/template/spec/initContainers".into(), "Migrations once per version: `kimai:install -n` under a MySQL named lock, before\nKimai starts. Pods starting together wait for the lock, then find nothing to do, so\nKimai's own install at start never migrates concurrently. Runs as www-data, no capabilities.");
    let w = model.workers();
    add(format!("{c0}/resources"), &format!("Memory limit equals the request. The args cap Apache at {} workers (prefork: one process\nper request) before the image's entrypoint runs: one request at memory_limit ({}M) and the\nrest at an average request's size fit beside opcache, so a burst queues instead of OOM-killing\nthe pod. No CPU limit: throttling makes PHP requests slow without protecting neighbours.", w.max, w.memory_limit_mib));
    add(format!("{c0}/startupProbe"), "No unauthenticated health endpoint exists: the login page proves Apache, PHP\nand the database. Host: localhost passes TRUSTED_HOSTS (the kubelet would send\nthe pod IP). First start runs migrations: up to 30 x 10 s before liveness counts.");
    add(
        format!("{c0}/livenessProbe"),
        "Less eager than readiness: restart only after 2.5 minutes of failures.",
    );
    add(
        format!("{c0}/lifecycle"),
        "Let the load balancer deregister the pod before Apache stops.",
    );
    add(format!("{c0}/securityContext"), "The image's entrypoint runs as root (php.ini, chown of var/, user switch to\nwww-data), so no runAsNonRoot and no read-only root filesystem; it needs only\nthese capabilities, all allowed by Pod Security `baseline`.");
    add(
        format!("{c0}/volumeMounts"),
        "One claim, three sub-directories: var/data, var/plugins, var/invoices.",
    );
    c
}

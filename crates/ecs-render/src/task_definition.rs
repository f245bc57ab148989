//! `task-definition.json`: the input of `aws ecs register-task-definition --cli-input-json`.
//!
//! Serde structs mirror the ECS API shapes (`RegisterTaskDefinition`), only the members this
//! renderer sets. The task size is derived from Kimai's resources plus the Datadog sidecar,
//! rounded up to the smallest Fargate pair; `targets.ecs.cpu`/`memory` override it.

use std::collections::BTreeMap;

use kimai_model::{
    fargate_size_at_least, Architecture, Diagnostics, EcsTarget, EnvValue, LaunchType, Millicores,
    Validated, CAPABILITIES, HEALTH_HOST, HEALTH_PATH, KIMAI_PORT, MIGRATE, PERSISTENT_DIRS,
    STARTUP_BUDGET_SECONDS,
};
use serde::Serialize;

use crate::identity::{Identity, DATADOG_CONTAINER, KIMAI_CONTAINER, KIMAI_PORT_NAME};
use crate::secrets;

/// CPU units reserved for the Datadog agent sidecar.
pub const DATADOG_CPU: u32 = 128;
/// Memory (MiB) reserved for the Datadog agent sidecar.
pub const DATADOG_MEMORY_RESERVATION: u32 = 256;
/// Hard memory limit (MiB) of the Datadog agent sidecar.
pub const DATADOG_MEMORY_LIMIT: u32 = 512;
/// Seconds ECS waits after the stop signal before killing Kimai. ECS sends it only after the
/// target group's deregistration delay has drained the task, so this is Apache's own
/// shutdown: [`kimai_model::STOP_GRACE_SECONDS`].
pub const STOP_TIMEOUT_SECONDS: u32 = kimai_model::STOP_GRACE_SECONDS;
/// Open-file limit of Kimai's container.
pub const NOFILE_LIMIT: u32 = 65536;
/// Docker's default capability set (Fargate starts containers with the same set).
pub const DOCKER_DEFAULT_CAPABILITIES: [&str; 14] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// `RegisterTaskDefinition` input.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskDefinition {
    /// Family: `<name>-<environment>`; every registration adds a revision.
    pub family: String,
    /// Role Kimai's processes assume (EFS client, ECS Exec).
    pub task_role_arn: String,
    /// Role ECS uses to pull the image, read secrets and write logs.
    pub execution_role_arn: String,
    /// Always `awsvpc`: one ENI per task, security groups per task, ALB target type `ip`.
    pub network_mode: String,
    /// The containers: `kimai`, and `datadog-agent` when Datadog is enabled.
    pub container_definitions: Vec<ContainerDefinition>,
    /// EFS volumes for Kimai's persistent directories.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
    /// `FARGATE` or `EC2`.
    pub requires_compatibilities: Vec<String>,
    /// Task CPU units, as a string (the API's type).
    pub cpu: String,
    /// Task memory in MiB, as a string (the API's type).
    pub memory: String,
    /// CPU architecture and OS.
    pub runtime_platform: RuntimePlatform,
    /// Resource tags.
    pub tags: Vec<Tag>,
}

/// One container of the task.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerDefinition {
    /// Container name.
    pub name: String,
    /// Image reference.
    pub image: String,
    /// When true, the task stops if this container stops.
    pub essential: bool,
    /// Arguments to the image's entrypoint.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// User (and group) the container runs as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// CPU units reserved for the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<u32>,
    /// Hard memory limit in MiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<u32>,
    /// Soft memory reservation in MiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_reservation: Option<u32>,
    /// Published ports.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub port_mappings: Vec<PortMapping>,
    /// Plain environment, sorted by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environment: Vec<KeyValuePair>,
    /// Variables read from Secrets Manager or SSM, sorted by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<Secret>,
    /// Volume mounts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mount_points: Vec<MountPoint>,
    /// Containers that must reach a state before this one starts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<ContainerDependency>,
    /// Container health check (ECS health checks are exec-only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
    /// Seconds between the stop signal and SIGKILL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_timeout: Option<u32>,
    /// Capabilities and init process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linux_parameters: Option<LinuxParameters>,
    /// Resource limits.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ulimits: Vec<Ulimit>,
    /// Read-only root file system.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readonly_root_filesystem: Option<bool>,
    /// Log driver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_configuration: Option<LogConfiguration>,
    /// Docker labels (Datadog unified service tags).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub docker_labels: BTreeMap<String, String>,
}

/// A published container port.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortMapping {
    /// Port name.
    pub name: String,
    /// Container port.
    pub container_port: u16,
    /// `tcp`.
    pub protocol: String,
    /// `http`.
    pub app_protocol: String,
}

/// A plain environment variable.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct KeyValuePair {
    /// Variable name.
    pub name: String,
    /// Value, byte-exact.
    pub value: String,
}

/// A variable whose value ECS reads from a secret at start.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Secret {
    /// Variable name.
    pub name: String,
    /// Secrets Manager secret ARN or SSM parameter ARN.
    pub value_from: String,
}

/// A volume mounted into a container.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MountPoint {
    /// Volume name.
    pub source_volume: String,
    /// Path in the container.
    pub container_path: String,
    /// Mounted read-only.
    pub read_only: bool,
}

/// A start-order dependency.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerDependency {
    /// The container depended on.
    pub container_name: String,
    /// `START`, `COMPLETE`, `SUCCESS` or `HEALTHY`.
    pub condition: String,
}

/// A container health check.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheck {
    /// `["CMD-SHELL", "..."]`.
    pub command: Vec<String>,
    /// Seconds between checks.
    pub interval: u32,
    /// Seconds before one check fails.
    pub timeout: u32,
    /// Failures before the container is unhealthy.
    pub retries: u32,
    /// Seconds after start during which failures do not count (at most 300).
    pub start_period: u32,
}

/// Linux-specific settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinuxParameters {
    /// Capabilities added and dropped.
    pub capabilities: KernelCapabilities,
    /// Runs an init process as PID 1 (reaps zombies, forwards signals; recommended for ECS Exec).
    pub init_process_enabled: bool,
}

/// Capabilities added to and dropped from Docker's default set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KernelCapabilities {
    /// Added capabilities.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub add: Vec<String>,
    /// Dropped capabilities.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drop: Vec<String>,
}

/// A resource limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ulimit {
    /// `nofile`.
    pub name: String,
    /// Soft limit.
    pub soft_limit: u32,
    /// Hard limit.
    pub hard_limit: u32,
}

/// A log driver and its options.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogConfiguration {
    /// `awslogs`.
    pub log_driver: String,
    /// Driver options, sorted.
    pub options: BTreeMap<String, String>,
}

/// A task volume.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    /// Volume name, referenced by mount points.
    pub name: String,
    /// The EFS file system behind it.
    pub efs_volume_configuration: EfsVolumeConfiguration,
}

/// An EFS volume.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EfsVolumeConfiguration {
    /// `fs-...`.
    pub file_system_id: String,
    /// Directory of the file system mounted as the volume's root (omitted with an access point).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_directory: Option<String>,
    /// `ENABLED`: TLS between task and EFS (required for IAM authorisation).
    pub transit_encryption: String,
    /// Access point and IAM authorisation.
    pub authorization_config: EfsAuthorizationConfig,
}

/// EFS authorisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EfsAuthorizationConfig {
    /// `fsap-...`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_point_id: Option<String>,
    /// `ENABLED`: mount with the task role's identity.
    pub iam: String,
}

/// CPU architecture and operating system.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimePlatform {
    /// `X86_64` or `ARM64`.
    pub cpu_architecture: String,
    /// `LINUX`.
    pub operating_system_family: String,
}

/// A resource tag (the ECS API spells its members in lowercase).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Tag {
    /// Tag key.
    pub key: String,
    /// Tag value.
    pub value: String,
}

/// A task size: CPU units and memory in MiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TaskSize {
    /// CPU units (1024 = 1 vCPU).
    pub cpu: u32,
    /// Memory in MiB.
    pub memory: u32,
}

/// CPU units for millicores, rounded up (1000m = 1024 units).
pub fn cpu_units(m: Millicores) -> u32 {
    u32::try_from((m.0 * 1024).div_ceil(1000)).unwrap_or(u32::MAX)
}

/// What the containers need: Kimai's `app.cpu`/`app.memory`, plus the Datadog sidecar.
pub fn required_size(model: &Validated) -> TaskSize {
    let mut size = TaskSize {
        cpu: cpu_units(model.app_cpu()),
        memory: u32::try_from(model.app_memory().mebibytes()).unwrap_or(u32::MAX),
    };
    if model.spec().monitoring.datadog.enabled {
        size.cpu = size.cpu.saturating_add(DATADOG_CPU);
        size.memory = size.memory.saturating_add(DATADOG_MEMORY_RESERVATION);
    }
    size
}

/// The task size: the `targets.ecs` override, else [`required_size`] rounded up to the
/// smallest Fargate pair (on EC2 too, so a later move to Fargate changes nothing).
pub fn task_size(model: &Validated, ecs: &EcsTarget) -> Result<TaskSize, Diagnostics> {
    if let (Some(cpu), Some(memory)) = (ecs.cpu, ecs.memory) {
        return Ok(TaskSize { cpu, memory });
    }
    let need = required_size(model);
    match fargate_size_at_least(need.cpu, need.memory) {
        Some((cpu, memory)) => Ok(TaskSize { cpu, memory }),
        None if ecs.launch_type == LaunchType::Ec2 => Ok(need),
        None => {
            let mut d = Diagnostics::default();
            d.error_hint(
                "app.cpu",
                format!(
                    "`{}` CPU units with `{}` MiB exceeds the largest Fargate task size",
                    need.cpu, need.memory
                ),
                "lower `app.cpu`/`app.memory`, or use `targets.ecs.launch_type: ec2`",
            );
            d.into_result(need)
        }
    }
}

/// Kimai's health check: the login page with `Host: localhost`, by curl inside the container.
pub fn kimai_health_check() -> HealthCheck {
    HealthCheck {
        command: vec![
            "CMD-SHELL".into(),
            format!(
                "curl -fsS -o /dev/null -H 'Host: {HEALTH_HOST}' http://127.0.0.1:{KIMAI_PORT}{HEALTH_PATH} || exit 1"
            ),
        ],
        interval: 30,
        timeout: 10,
        retries: 3,
        start_period: STARTUP_BUDGET_SECONDS.min(300),
    }
}

/// Kimai's capabilities: only those the root entrypoint needs. Fargate rejects any `add`
/// but `SYS_PTRACE`, so there the rest of Docker's default set is dropped instead of `ALL`;
/// the effective set is the same on both launch types.
pub fn kimai_capabilities(launch_type: LaunchType) -> KernelCapabilities {
    match launch_type {
        LaunchType::Ec2 => KernelCapabilities {
            add: CAPABILITIES.iter().map(|c| c.to_string()).collect(),
            drop: vec!["ALL".into()],
        },
        LaunchType::Fargate => KernelCapabilities {
            add: Vec::new(),
            drop: DOCKER_DEFAULT_CAPABILITIES
                .iter()
                .filter(|c| !CAPABILITIES.contains(c))
                .map(|c| c.to_string())
                .collect(),
        },
    }
}

/// The EFS volume name of a persistent directory (`kimai-data`): [`kimai_model::names::efs_volume`],
/// which Terraform's task definition uses too.
pub fn volume_name(suffix: &str) -> String {
    kimai_model::names::efs_volume(suffix)
}

/// Plain environment for Kimai: the model's environment plus Datadog's tracer settings.
pub fn kimai_environment(model: &Validated, extra_trusted_hosts: &[&str]) -> Vec<KeyValuePair> {
    let mut env: BTreeMap<String, String> = model
        .kimai_env(extra_trusted_hosts)
        .into_iter()
        .filter_map(|(name, v)| match v {
            EnvValue::Plain(value) => Some((name, value)),
            EnvValue::Secret(_) | EnvValue::DatabaseUrl => None,
        })
        .collect();
    if model.spec().monitoring.datadog.enabled {
        let (dd_env, service, version) = model.datadog_tags();
        // awsvpc: the task's containers share one network namespace.
        for (k, v) in [
            ("DD_AGENT_HOST", "127.0.0.1"),
            ("DD_ENV", dd_env),
            ("DD_SERVICE", service),
            ("DD_VERSION", version),
        ] {
            // `app.env` wins over the defaults.
            env.entry(k.into()).or_insert_with(|| v.into());
        }
    }
    env.into_iter()
        .map(|(name, value)| KeyValuePair { name, value })
        .collect()
}

fn awslogs(id: &Identity, prefix: &str) -> LogConfiguration {
    let options = [
        ("awslogs-group", id.log_group.as_str()),
        ("awslogs-region", id.region.as_str()),
        ("awslogs-stream-prefix", prefix),
        // A slow CloudWatch must not block Kimai's stdout; the buffer absorbs bursts.
        ("max-buffer-size", "25m"),
        ("mode", "non-blocking"),
    ];
    LogConfiguration {
        log_driver: "awslogs".into(),
        options: options
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn secrets_of(
    model: &Validated,
    id: &Identity,
    uses: &[secrets::SecretUse],
    container: &str,
) -> Vec<Secret> {
    let mut v: Vec<Secret> = uses
        .iter()
        .filter(|u| u.container == container)
        .map(|u| Secret {
            name: u.var.clone(),
            value_from: secrets::value_from(model, id, &u.secret),
        })
        .collect();
    v.sort();
    v
}

/// Kimai's image, pulled through `targets.ecs.image_registry_mirror` when set and the image
/// comes from Docker Hub (no registry host in its name).
pub fn kimai_image(model: &Validated, ecs: &EcsTarget) -> String {
    let image = model.image();
    let first = image.split('/').next().unwrap_or_default();
    let has_registry =
        image.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    match &ecs.image_registry_mirror {
        Some(mirror) if !has_registry => {
            let repo = if image.contains('/') {
                image
            } else {
                // Docker Hub's official images live under `library/`.
                format!("library/{image}")
            };
            format!("{}/{repo}", mirror.trim_end_matches('/'))
        }
        _ => image,
    }
}

/// Builds the task definition.
pub fn task_definition(
    model: &Validated,
    ecs: &EcsTarget,
    id: &Identity,
    size: TaskSize,
    extra_trusted_hosts: &[&str],
) -> TaskDefinition {
    let spec = model.spec();
    let dd = &spec.monitoring.datadog;
    let uses = secrets::uses(model, extra_trusted_hosts);
    let (side_cpu, side_mem) = if dd.enabled {
        (DATADOG_CPU, DATADOG_MEMORY_RESERVATION)
    } else {
        (0, 0)
    };
    let need = required_size(model);
    let kimai_cpu = need.cpu.saturating_sub(side_cpu);
    let kimai_mem = need.memory.saturating_sub(side_mem);
    let mut docker_labels = BTreeMap::new();
    // Kimai starts only once the migration step has succeeded (see `migrate_container`).
    let mut depends_on = vec![ContainerDependency {
        container_name: MIGRATE.into(),
        condition: "SUCCESS".into(),
    }];
    if dd.enabled {
        let (env, service, version) = model.datadog_tags();
        for (k, v) in [("env", env), ("service", service), ("version", version)] {
            docker_labels.insert(format!("com.datadoghq.tags.{k}"), v.to_string());
        }
        depends_on.push(ContainerDependency {
            container_name: DATADOG_CONTAINER.into(),
            condition: "START".into(),
        });
    }
    let kimai = ContainerDefinition {
        name: KIMAI_CONTAINER.into(),
        image: kimai_image(model, ecs),
        essential: true,
        cpu: Some(kimai_cpu.min(size.cpu.saturating_sub(side_cpu))),
        memory_reservation: Some(kimai_mem.min(size.memory.saturating_sub(side_mem))),
        port_mappings: vec![PortMapping {
            name: KIMAI_PORT_NAME.into(),
            container_port: KIMAI_PORT,
            protocol: "tcp".into(),
            app_protocol: "http".into(),
        }],
        environment: kimai_environment(model, extra_trusted_hosts),
        secrets: secrets_of(model, id, &uses, KIMAI_CONTAINER),
        mount_points: PERSISTENT_DIRS
            .iter()
            .map(|(suffix, path)| MountPoint {
                source_volume: volume_name(suffix),
                container_path: (*path).into(),
                read_only: false,
            })
            .collect(),
        depends_on,
        health_check: Some(kimai_health_check()),
        stop_timeout: Some(STOP_TIMEOUT_SECONDS),
        linux_parameters: Some(LinuxParameters {
            capabilities: kimai_capabilities(ecs.launch_type),
            init_process_enabled: true,
        }),
        ulimits: vec![Ulimit {
            name: "nofile".into(),
            soft_limit: NOFILE_LIMIT,
            hard_limit: NOFILE_LIMIT,
        }],
        // The stock entrypoint writes php.ini and .env.local at start.
        readonly_root_filesystem: Some(false),
        log_configuration: Some(awslogs(id, KIMAI_CONTAINER)),
        docker_labels,
        memory: None,
        // Apache's workers sized to the container, then the image's entrypoint.
        command: model.kimai_command(),
        user: None,
    };
    let migrate = migrate_container(model, id, &kimai);
    let mut containers = vec![kimai, migrate];
    if dd.enabled {
        containers.push(datadog_agent(model, ecs, id, &uses));
    }
    let volumes = match &spec.storage.efs {
        Some(efs) => PERSISTENT_DIRS
            .iter()
            .map(|(suffix, _)| {
                let access_point = efs.access_points.get(*suffix).cloned();
                Volume {
                    name: volume_name(suffix),
                    efs_volume_configuration: EfsVolumeConfiguration {
                        file_system_id: efs.file_system_id.clone(),
                        root_directory: match access_point {
                            Some(_) => None,
                            None => Some(format!("/{suffix}")),
                        },
                        transit_encryption: "ENABLED".into(),
                        authorization_config: EfsAuthorizationConfig {
                            access_point_id: access_point,
                            iam: "ENABLED".into(),
                        },
                    },
                }
            })
            .collect(),
        None => Vec::new(),
    };
    TaskDefinition {
        family: id.family.clone(),
        task_role_arn: id.task_role_arn.clone(),
        execution_role_arn: id.execution_role_arn.clone(),
        network_mode: "awsvpc".into(),
        container_definitions: containers,
        volumes,
        requires_compatibilities: vec![match ecs.launch_type {
            LaunchType::Fargate => "FARGATE".into(),
            LaunchType::Ec2 => "EC2".into(),
        }],
        cpu: size.cpu.to_string(),
        memory: size.memory.to_string(),
        runtime_platform: RuntimePlatform {
            cpu_architecture: match ecs.architecture {
                Architecture::X86_64 => "X86_64".into(),
                Architecture::Arm64 => "ARM64".into(),
            },
            operating_system_family: "LINUX".into(),
        },
        tags: id
            .tags(model)
            .into_iter()
            .map(|(key, value)| Tag { key, value })
            .collect(),
    }
}

/// The migration step (kimai-model's `migration_command`): `kimai:install -n` under a MySQL
/// named lock, which Kimai's container waits for with condition `SUCCESS`. Tasks starting
/// together (first deployment, scale-out) take turns; the first of a new version migrates,
/// the rest find nothing to do, so Kimai's own install at start never migrates concurrently.
/// Same image, environment and secrets as Kimai (`kimai`), plugins read-only; runs as
/// `www-data` with every capability dropped; not essential, it exits when done.
pub fn migrate_container(
    model: &Validated,
    id: &Identity,
    kimai: &ContainerDefinition,
) -> ContainerDefinition {
    ContainerDefinition {
        name: MIGRATE.into(),
        image: kimai.image.clone(),
        essential: false,
        command: model.migration_command(),
        user: Some("www-data".into()),
        environment: kimai
            .environment
            .iter()
            .filter(|e| kimai_model::migration_needs_env(&e.name))
            .cloned()
            .collect(),
        secrets: kimai
            .secrets
            .iter()
            .filter(|e| kimai_model::migration_needs_env(&e.name))
            .cloned()
            .collect(),
        mount_points: kimai
            .mount_points
            .iter()
            .filter(|m| m.source_volume == volume_name("plugins"))
            .map(|m| MountPoint {
                read_only: true,
                ..m.clone()
            })
            .collect(),
        linux_parameters: Some(LinuxParameters {
            capabilities: KernelCapabilities {
                add: Vec::new(),
                drop: vec!["ALL".into()],
            },
            init_process_enabled: true,
        }),
        readonly_root_filesystem: Some(false),
        log_configuration: Some(awslogs(id, MIGRATE)),
        ..ContainerDefinition::default()
    }
}

fn datadog_agent(
    model: &Validated,
    ecs: &EcsTarget,
    id: &Identity,
    uses: &[secrets::SecretUse],
) -> ContainerDefinition {
    let dd = &model.spec().monitoring.datadog;
    let (env, _, _) = model.datadog_tags();
    let mut environment = vec![
        ("DD_APM_ENABLED", "true"),
        ("DD_DOGSTATSD_TAG_CARDINALITY", "orchestrator"),
        ("DD_ENV", env),
        ("DD_SITE", dd.site.as_str()),
    ];
    if ecs.launch_type == LaunchType::Fargate {
        environment.push(("ECS_FARGATE", "true"));
    }
    environment.sort();
    ContainerDefinition {
        name: DATADOG_CONTAINER.into(),
        image: format!("public.ecr.aws/datadog/agent:{}", dd.agent_version),
        // Monitoring must never take Kimai down.
        essential: false,
        cpu: Some(DATADOG_CPU),
        memory: Some(DATADOG_MEMORY_LIMIT),
        memory_reservation: Some(DATADOG_MEMORY_RESERVATION),
        environment: environment
            .into_iter()
            .map(|(name, value)| KeyValuePair {
                name: name.into(),
                value: value.into(),
            })
            .collect(),
        secrets: secrets_of(model, id, uses, DATADOG_CONTAINER),
        health_check: Some(HealthCheck {
            command: vec!["CMD-SHELL".into(), "agent health".into()],
            interval: 30,
            timeout: 5,
            retries: 3,
            start_period: 15,
        }),
        log_configuration: Some(awslogs(id, DATADOG_CONTAINER)),
        ..ContainerDefinition::default()
    }
}

//! The compose-spec objects this crate writes: only the members it uses, in reading order.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::text::Text;

/// A compose.yaml document (compose-spec; no `version:` key).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComposeFile {
    /// Project name.
    pub name: String,
    /// Services by name.
    pub services: BTreeMap<String, Service>,
    /// Networks by name.
    pub networks: BTreeMap<String, Network>,
    /// Named volumes by name.
    pub volumes: BTreeMap<String, Volume>,
}

/// One service.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Service {
    /// Image reference, pinned.
    pub image: String,
    /// Restart policy.
    pub restart: String,
    /// Start order with health conditions.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub depends_on: BTreeMap<String, DependsOn>,
    /// Arguments after the image's entrypoint.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<Text>,
    /// Environment, sorted by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, Text>,
    /// Published ports.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
    /// Mounts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Mount>,
    /// User (and group) the container runs as, when not the image's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Networks joined.
    pub networks: ServiceNetworks,
    /// Health check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    /// Replicas and resources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deploy: Option<Deploy>,
    /// Log driver and rotation.
    pub logging: Logging,
    /// Signal that stops the main process gracefully.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    /// Time between the stop signal and SIGKILL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_grace_period: Option<String>,
    /// Capabilities dropped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_drop: Vec<String>,
    /// Capabilities added back.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_add: Vec<String>,
    /// Security options.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_opt: Vec<String>,
    /// Container labels.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, Text>,
}

/// A `depends_on` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DependsOn {
    /// `service_healthy` or `service_completed_successfully`.
    pub condition: String,
    /// Restart this service when the dependency is restarted.
    pub restart: bool,
}

impl DependsOn {
    /// Wait until the dependency is healthy.
    pub fn healthy() -> Self {
        DependsOn {
            condition: "service_healthy".into(),
            restart: true,
        }
    }

    /// Wait until the dependency (a one-shot service) has exited with status 0.
    pub fn completed() -> Self {
        DependsOn {
            condition: "service_completed_successfully".into(),
            restart: false,
        }
    }
}

/// A published port (long syntax).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Port {
    /// Container port.
    pub target: u16,
    /// Host port.
    pub published: String,
    /// `tcp`.
    pub protocol: String,
}

/// A mount (long syntax).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mount {
    /// `volume` or `bind`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Volume name or host path.
    pub source: String,
    /// Path in the container.
    pub target: String,
    /// Mounted read-only.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
}

impl Mount {
    /// A named volume.
    pub fn volume(source: &str, target: &str) -> Self {
        Mount {
            kind: "volume".into(),
            source: source.into(),
            target: target.into(),
            read_only: false,
        }
    }

    /// A named volume, read-only.
    pub fn volume_ro(source: &str, target: &str) -> Self {
        Mount {
            read_only: true,
            ..Mount::volume(source, target)
        }
    }

    /// A read-only bind mount.
    pub fn bind_ro(source: &str, target: &str) -> Self {
        Mount {
            kind: "bind".into(),
            source: source.into(),
            target: target.into(),
            read_only: true,
        }
    }
}

/// A health check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Healthcheck {
    /// `["CMD", ...]`.
    pub test: Vec<Text>,
    /// Time between checks.
    pub interval: String,
    /// Time one check may take.
    pub timeout: String,
    /// Failures before unhealthy.
    pub retries: u32,
    /// Grace period at start.
    pub start_period: String,
    /// Time between checks during the start period.
    pub start_interval: String,
}

/// `deploy`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deploy {
    /// Replica count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    /// Resources.
    pub resources: Resources,
}

impl Deploy {
    /// Resources with a memory limit and a CPU and memory reservation (no CPU limit).
    pub fn sized(
        replicas: Option<u32>,
        cpus: String,
        memory_limit: String,
        memory_reserved: String,
    ) -> Self {
        Deploy {
            replicas,
            resources: Resources {
                limits: Limits {
                    cpus: None,
                    memory: memory_limit,
                },
                reservations: Limits {
                    cpus: Some(cpus),
                    memory: memory_reserved,
                },
            },
        }
    }
}

/// `deploy.resources`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resources {
    /// Hard limits.
    pub limits: Limits,
    /// Reservations.
    pub reservations: Limits,
}

/// CPU and memory amounts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Limits {
    /// CPUs as a decimal string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpus: Option<String>,
    /// Memory with a unit (`1024m`).
    pub memory: String,
}

/// `logging`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Logging {
    /// Log driver.
    pub driver: String,
    /// Driver options.
    pub options: BTreeMap<String, String>,
}

impl Default for Logging {
    fn default() -> Self {
        Logging {
            driver: "json-file".into(),
            options: BTreeMap::from([
                ("max-file".into(), "5".into()),
                ("max-size".into(), "10m".into()),
            ]),
        }
    }
}

/// The networks a service joins, by name. Written as a plain list unless one attachment
/// pins an address.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceNetworks(pub BTreeMap<String, Attachment>);

impl ServiceNetworks {
    /// Joins each of `names` with a dynamic address.
    pub fn of(names: &[&str]) -> Self {
        ServiceNetworks(
            names
                .iter()
                .map(|n| (n.to_string(), Attachment::default()))
                .collect(),
        )
    }
}

impl Serialize for ServiceNetworks {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.values().all(|a| a == &Attachment::default()) {
            s.collect_seq(self.0.keys())
        } else {
            s.collect_map(&self.0)
        }
    }
}

/// How a service joins one network.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Attachment {
    /// A fixed address in the network's subnet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv4_address: Option<String>,
}

/// A network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Network {
    /// No route outside the host.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    /// Fixed addressing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipam: Option<Ipam>,
}

/// `ipam` of a network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ipam {
    /// One pool.
    pub config: Vec<IpamPool>,
}

/// One address pool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpamPool {
    /// The subnet.
    pub subnet: String,
    /// Where dynamic addresses come from.
    pub ip_range: String,
    /// The gateway address.
    pub gateway: String,
}

/// A named volume (local driver).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Volume {}

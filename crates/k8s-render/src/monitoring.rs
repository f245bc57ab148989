//! Datadog: unified service tags as labels, the log annotation, the agent's address from the
//! downward API, and the values file for the Datadog agent's Helm chart (not a manifest).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::EnvVar;
use kimai_model::Validated;
use serde::Serialize;

use crate::env::from_field;
use crate::labels::KIMAI_CONTAINER;

/// Label of the Datadog `env` tag.
pub const ENV_LABEL: &str = "tags.datadoghq.com/env";
/// Label of the Datadog `service` tag.
pub const SERVICE_LABEL: &str = "tags.datadoghq.com/service";
/// Label of the Datadog `version` tag.
pub const VERSION_LABEL: &str = "tags.datadoghq.com/version";
/// Where the Helm values are written.
pub const VALUES_PATH: &str = "datadog/values.yaml";

/// Unified service tag labels, for the Deployment and its pod template.
pub fn tag_labels(model: &Validated) -> BTreeMap<String, String> {
    let (env, service, version) = model.datadog_tags();
    BTreeMap::from([
        (ENV_LABEL.into(), env.into()),
        (SERVICE_LABEL.into(), service.into()),
        (VERSION_LABEL.into(), version.into()),
    ])
}

/// One entry of an Autodiscovery logs annotation (containers without masks).
#[derive(Debug, Serialize)]
struct LogConfig<'a> {
    source: &'a str,
    service: &'a str,
}

/// Pod annotations: `ad.datadoghq.com/kimai.logs` tells the agent to collect Kimai's logs,
/// with the masks for the secrets the image's entrypoint traces (`kimai_model::LOG_MASKS`).
pub fn pod_annotations(model: &Validated) -> Result<BTreeMap<String, String>, serde_json::Error> {
    logs_annotation(model, KIMAI_CONTAINER, "kimai")
}

/// The Autodiscovery logs annotation of one container: the agent collects its logs (the Helm
/// values collect no others) under the app's `service` tag, with `source` naming the parser.
pub fn logs_annotation(
    model: &Validated,
    container: &str,
    source: &str,
) -> Result<BTreeMap<String, String>, serde_json::Error> {
    let (_, service, _) = model.datadog_tags();
    // Kimai's container gets the masks for the secrets its entrypoint traces.
    let logs = if container == KIMAI_CONTAINER {
        kimai_model::datadog_log_config(service)
    } else {
        serde_json::to_string(&[LogConfig { source, service }])?
    };
    Ok(BTreeMap::from([(
        format!("ad.datadoghq.com/{container}.logs"),
        logs,
    )]))
}

/// `DD_AGENT_HOST` from the node's IP, `DD_ENV`/`DD_SERVICE`/`DD_VERSION` from the labels.
pub fn datadog_env() -> Vec<EnvVar> {
    vec![
        from_field("DD_AGENT_HOST", "status.hostIP"),
        from_field("DD_ENV", &format!("metadata.labels['{ENV_LABEL}']")),
        from_field("DD_SERVICE", &format!("metadata.labels['{SERVICE_LABEL}']")),
        from_field("DD_VERSION", &format!("metadata.labels['{VERSION_LABEL}']")),
    ]
}

/// Values for the `datadog/datadog` Helm chart.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Values {
    /// Agent settings.
    pub datadog: DatadogValues,
    /// Cluster Agent.
    pub cluster_agent: Enabled,
    /// Node agents.
    pub agents: Agents,
}

/// `datadog:` section.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatadogValues {
    /// Datadog site.
    pub site: String,
    /// Existing Secret with key `api-key`.
    pub api_key_existing_secret: String,
    /// Log collection.
    pub logs: Logs,
    /// Tags on everything the agent sends.
    pub tags: Vec<String>,
}

/// `datadog.logs`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Logs {
    /// Turns log collection on.
    pub enabled: bool,
    /// False: only containers with a logs annotation (Kimai's) are collected.
    pub container_collect_all: bool,
}

/// `{ enabled: bool }`.
#[derive(Debug, Serialize)]
pub struct Enabled {
    /// On or off.
    pub enabled: bool,
}

/// `agents:`.
#[derive(Debug, Serialize)]
pub struct Agents {
    /// Agent image.
    pub image: Image,
}

/// `agents.image`.
#[derive(Debug, Serialize)]
pub struct Image {
    /// Image tag.
    pub tag: String,
}

/// The Helm values.
pub fn values(model: &Validated) -> Values {
    let dd = &model.spec().monitoring.datadog;
    Values {
        datadog: DatadogValues {
            site: dd.site.clone(),
            api_key_existing_secret: kimai_model::names::DATADOG_SECRET.into(),
            logs: Logs {
                enabled: true,
                container_collect_all: false,
            },
            // No `env` tag on the agent: it serves every environment of the cluster, and each
            // pod carries its own unified service tags.
            tags: Vec::new(),
        },
        cluster_agent: Enabled { enabled: true },
        agents: Agents {
            image: Image {
                tag: dd.agent_version.clone(),
            },
        },
    }
}

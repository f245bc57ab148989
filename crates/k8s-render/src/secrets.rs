//! Secrets by reference: the keys of the one Secret Kimai's namespace needs, and the
//! external-secrets.io `ExternalSecret` that fills it from AWS Secrets Manager when asked.
//!
//! No Secret object with data is ever rendered. Without `targets.kubernetes.external_secrets`
//! the operator creates `<name>-secrets` (the deploy note shows the command).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kimai_model::{DatabaseMode, ExternalSecrets, SecretsBackend, Validated};
use serde::Serialize;

use crate::labels::Identity;

/// Suffix of the key holding a secret's URL-encoded form (`db-password-urlencoded`).
pub const URLENCODED_SUFFIX: &str = "-urlencoded";

/// One key of the deployment's Secret.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SecretKey {
    /// Key in the Secret (`db-password`).
    pub key: String,
    /// The logical secret it carries.
    pub secret: String,
    /// True when the value is the secret percent-encoded for a URL (`DATABASE_URL`).
    pub url_encoded: bool,
    /// What reads it.
    pub purpose: &'static str,
}

/// Every key the rendered manifests read from `<name>-secrets`, sorted by key.
///
/// `database.url_secret` is not here: Kubernetes assembles `DATABASE_URL` at run time. The
/// Datadog API key is not here either: the agent runs in its own namespace (see the note).
pub fn keys(model: &Validated) -> Vec<SecretKey> {
    let spec = model.spec();
    let db = &spec.database;
    let mut v = vec![
        SecretKey {
            key: spec.app.app_secret.name().into(),
            secret: spec.app.app_secret.name().into(),
            url_encoded: false,
            purpose: "Kimai `APP_SECRET`, shared by every replica",
        },
        SecretKey {
            key: format!("{}{URLENCODED_SUFFIX}", db.password.name()),
            secret: db.password.name().into(),
            url_encoded: true,
            purpose: "database password, URL-encoded, inside Kimai's `DATABASE_URL`",
        },
    ];
    if db.mode == DatabaseMode::Bundled || spec.backup.is_some() {
        v.push(SecretKey {
            key: db.password.name().into(),
            secret: db.password.name().into(),
            url_encoded: false,
            purpose: "database password (bundled server, backup dumps)",
        });
    }
    if let Some(p) = &spec.app.admin_password {
        v.push(SecretKey {
            key: p.name().into(),
            secret: p.name().into(),
            url_encoded: false,
            purpose: "password of Kimai's `admin` user (`ADMINPASS`)",
        });
    }
    if let Some(m) = &spec.app.mailer {
        v.push(SecretKey {
            key: m.url.name().into(),
            secret: m.url.name().into(),
            url_encoded: false,
            purpose: "Symfony Mailer DSN (`MAILER_URL`)",
        });
    }
    if db.mode == DatabaseMode::Bundled {
        v.push(SecretKey {
            key: db.root_password.name().into(),
            secret: db.root_password.name().into(),
            url_encoded: false,
            purpose: "root password of the bundled database",
        });
    }
    for value in spec.app.env.values() {
        if let Some(r) = value.secret() {
            v.push(SecretKey {
                key: r.name().into(),
                secret: r.name().into(),
                url_encoded: false,
                purpose: "a variable of `app.env`",
            });
        }
    }
    v.sort();
    v.dedup_by(|a, b| a.key == b.key);
    v
}

/// The Secrets Manager secrets the ExternalSecret reads: `(remote name, logical name)`, one per
/// logical secret, sorted by logical name. The deploy note lists exactly these.
pub fn remote_secrets(id: &Identity<'_>) -> Vec<(String, String)> {
    let mut names: Vec<String> = keys(id.model()).into_iter().map(|k| k.secret).collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|secret| {
            let remote = id.names().aws_secret(
                &kimai_model::SecretRef::new(secret.clone()),
                SecretsBackend::SecretsManager,
            );
            (remote, secret)
        })
        .collect()
}

/// `external-secrets.io/v1` `ExternalSecret` (ESO 0.17 and newer serve only v1).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecret {
    /// `external-secrets.io/v1`.
    pub api_version: &'static str,
    /// `ExternalSecret`.
    pub kind: &'static str,
    /// Object metadata.
    pub metadata: ObjectMeta,
    /// What to fetch and the Secret to write.
    pub spec: ExternalSecretSpec,
}

impl ExternalSecret {
    /// API group and version.
    pub const API_VERSION: &'static str = "external-secrets.io/v1";
    /// Kind.
    pub const KIND: &'static str = "ExternalSecret";
}

/// `ExternalSecret.spec`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretSpec {
    /// How often the Secret is refreshed from the provider (`1h`).
    pub refresh_interval: String,
    /// The (Cluster)SecretStore backed by AWS Secrets Manager.
    pub secret_store_ref: SecretStoreRef,
    /// The Secret to create.
    pub target: ExternalSecretTarget,
    /// Secret keys and where their values come from.
    pub data: Vec<ExternalSecretData>,
}

/// `spec.secretStoreRef`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecretStoreRef {
    /// `ClusterSecretStore` or `SecretStore`.
    pub kind: String,
    /// Store name.
    pub name: String,
}

/// `spec.target`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretTarget {
    /// Name of the Secret.
    pub name: String,
    /// `Owner`: the Secret is created and garbage-collected with the ExternalSecret.
    pub creation_policy: String,
    /// Extra keys computed from the fetched ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<ExternalSecretTemplate>,
}

/// `spec.target.template`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretTemplate {
    /// `v2`.
    pub engine_version: String,
    /// `Merge`: keep the fetched keys, add the templated ones.
    pub merge_policy: String,
    /// Key to Go template.
    pub data: BTreeMap<String, String>,
}

/// One entry of `spec.data`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretData {
    /// Key in the Secret.
    pub secret_key: String,
    /// Where the value lives in the provider.
    pub remote_ref: RemoteRef,
}

/// `spec.data[].remoteRef`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemoteRef {
    /// Secrets Manager secret name.
    pub key: String,
}

/// The ExternalSecret filling `<name>-secrets`, when the spec asks for external secrets.
pub fn external_secret(id: &Identity<'_>, es: &ExternalSecrets) -> ExternalSecret {
    let model = id.model();
    let all = keys(model);
    // Fetch every logical secret once under its own name; encoded forms are templated.
    let data = remote_secrets(id)
        .into_iter()
        .map(|(remote, secret)| ExternalSecretData {
            secret_key: secret,
            remote_ref: RemoteRef { key: remote },
        })
        .collect();
    // Go's urlquery escapes everything but A-Z a-z 0-9 - _ . ~ and writes a space as `+`
    // (a literal `+` becomes %2B first), so replacing `+` by %20 gives exactly the
    // RFC 3986 encoding the model uses for DATABASE_URL.
    let template: BTreeMap<String, String> = all
        .iter()
        .filter(|k| k.url_encoded)
        .map(|k| {
            (
                k.key.clone(),
                format!(
                    "{{{{ index . {} | urlquery | replace \"+\" \"%20\" }}}}",
                    serde_json::Value::String(k.secret.clone())
                ),
            )
        })
        .collect();
    ExternalSecret {
        api_version: ExternalSecret::API_VERSION,
        kind: ExternalSecret::KIND,
        metadata: id.common_meta(id.secret()),
        spec: ExternalSecretSpec {
            refresh_interval: "1h".into(),
            secret_store_ref: SecretStoreRef {
                kind: es.store_kind.clone(),
                name: es.store.clone(),
            },
            target: ExternalSecretTarget {
                name: id.secret(),
                creation_policy: "Owner".into(),
                template: (!template.is_empty()).then(|| ExternalSecretTemplate {
                    engine_version: "v2".into(),
                    merge_policy: "Merge".into(),
                    data: template,
                }),
            },
            data,
        },
    }
}

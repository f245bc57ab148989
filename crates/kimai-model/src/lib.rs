//! The typed model of one Kimai deployment, its validation and the values derived from it.
//!
//! A [`Spec`] is the serde form a user writes (YAML or JSON). [`validate()`] checks all of it at
//! once and returns a [`Validated`] model, the only thing renderers accept; [`Diagnostics`]
//! carries every problem with its field path and a hint. Values several targets need
//! (`DATABASE_URL`, `TRUSTED_HOSTS`, `DEFAULT_URI`, the Kimai environment, replica policy) are
//! derived here once. [`yaml`] is the one YAML writer all renderers share.
//!
//! ```
//! use kimai_model::{load, Format, EnvValue};
//!
//! let model = load(b"name: kimai\ningress: { host: kimai.example.com }\n", Format::Yaml).unwrap();
//! assert_eq!(model.trusted_hosts(&[]), r"^(localhost|127\.0\.0\.1|kimai\.example\.com)$");
//! let url = model.database_url("db").with_password("p%40ss");
//! assert_eq!(url, "mysql://kimai:p%40ss@db:3306/kimai?charset=utf8mb4&serverVersion=8.4.0");
//! assert!(model.kimai_env(&[]).iter().any(|(k, v)| k == "DATABASE_URL" && *v == EnvValue::DatabaseUrl));
//!
//! let errors = load(b"name: Kimai!\nscaling: { min_replicas: 5, max_replicas: 2 }\n", Format::Yaml).unwrap_err();
//! let paths: Vec<_> = errors.iter().map(|d| d.path.as_str()).collect();
//! assert_eq!(paths, ["ingress.host", "name", "scaling.min_replicas"]);
//! ```
//!
//! Architecture invariant: this crate knows nothing of any output format's object model
//! (Compose services, Kubernetes objects, ECS JSON); it does no I/O and reads no clock.

mod check;
pub mod cidr;
pub mod delivery;
mod derive;
mod diag;
mod env_var;
pub mod environments;
mod lines;
mod load;
mod logs;
mod migrate;
pub mod names;
mod quantity;
mod secret;
mod spec;
mod structure;
mod validate;
mod workers;
pub mod yaml;

pub use check::ipv4_network;
pub use derive::ADMIN_PASSWORD_LENGTH;
pub use derive::ROOT_ENTRYPOINT_CAPABILITIES;
pub use derive::{
    url_encode, DatabaseUrl, EnvValue, Replicas, CAPABILITIES, DEFAULT_VPC_CIDRS,
    DEREGISTRATION_DELAY_SECONDS, HEALTH_HOST, HEALTH_PATH, KIMAI_PORT, LOCAL_YAML_PATH,
    PERSISTENT_DIRS, STARTUP_BUDGET_SECONDS, STOP_GRACE_SECONDS,
};
pub use diag::{Diagnostic, Diagnostics, Notice};
pub use env_var::{looks_secret, EnvVar, NotSecret};
pub use environments::{environments_schema, is_multi_environment, load_all};
pub use load::{load, parse, Format};
pub use logs::{datadog_log_config, LogMask, LOG_MASKS};
pub use migrate::{
    migration_needs_env, KIMAI_CONSOLE, MIGRATE, MIGRATION_LOCK_TIMEOUT_SECONDS, MIGRATION_SCRIPT,
};
pub use names::Names;
pub use quantity::{Bytes, Millicores};
pub use secret::{secret_name_problem, SecretRef};
pub use spec::*;
pub use validate::{
    fargate_pairs_hint, fargate_size_at_least, is_fargate_size, secret_refs, validate, Target,
    Validated, EKS_VERSIONS, FARGATE_SIZES, RESERVED_ENV,
};
pub use workers::{
    php_size_mib, Workers, APACHE_WORKERS_CONF, AVERAGE_WORKER_MIB, BASE_MIB, FIXED_MIB,
    OPCACHE_MIB,
};

/// The JSON Schema of the spec file (draft 2020-12), generated from [`Spec`].
///
/// It is also the parse stage's structural check ([`parse`]), so the schema and the tool agree
/// by construction: `ingress.host` is required here as it is by the model, and every whole
/// number carries the bounds of its Rust type (`maximum` 65535 for a port).
pub fn spec_schema() -> schemars::Schema {
    let mut schema = schemars::schema_for!(Spec);
    schema.insert(
        "title".into(),
        "kimai-deploy spec: one Kimai deployment".into(),
    );
    let mut json = serde_json::Value::from(schema);
    schema_bounds(&mut json);
    if let Some(root) = json.as_object_mut() {
        root.insert("required".into(), serde_json::json!(["name", "ingress"]));
        if let Some(props) = root.get_mut("properties").and_then(|p| p.as_object_mut()) {
            if let Some(ingress) = props.get_mut("ingress").and_then(|i| i.as_object_mut()) {
                // Its default has no host, and a host is required.
                ingress.remove("default");
            }
        }
    }
    if let Some(ingress) = json
        .pointer_mut("/$defs/Ingress")
        .and_then(|i| i.as_object_mut())
    {
        ingress.insert("required".into(), serde_json::json!(["host"]));
        if let Some(host) = ingress
            .get_mut("properties")
            .and_then(|p| p.get_mut("host"))
        {
            // Required, so never null.
            *host = serde_json::json!({
                "description": host.get("description").cloned().unwrap_or_default(),
                "type": "string",
            });
        }
    }
    schemars::Schema::try_from(json).unwrap_or_default()
}

/// Adds the bounds of unsigned whole-number formats (`uint16`, `uint32`) as `maximum`.
fn schema_bounds(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            let max = match m.get("format").and_then(|f| f.as_str()) {
                Some("uint8") => Some(u64::from(u8::MAX)),
                Some("uint16") => Some(u64::from(u16::MAX)),
                Some("uint32") => Some(u64::from(u32::MAX)),
                _ => None,
            };
            if let Some(max) = max {
                m.entry("maximum").or_insert(max.into());
            }
            m.values_mut().for_each(schema_bounds);
        }
        serde_json::Value::Array(xs) => xs.iter_mut().for_each(schema_bounds),
        _ => {}
    }
}

/// A file a renderer produces: a path relative to the target's output folder, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OutputFile {
    /// Relative path with `/` separators (`compose.yaml`, `nginx/kimai.conf`).
    pub path: String,
    /// Contents, always UTF-8 text ending in a newline.
    pub contents: String,
    /// True for files only the owner may read (mode 0600 when written).
    pub private: bool,
}

impl OutputFile {
    /// A world-readable file.
    pub fn new(path: impl Into<String>, contents: impl Into<String>) -> Self {
        OutputFile {
            path: path.into(),
            contents: contents.into(),
            private: false,
        }
    }
}

/// What a renderer returns: its files and what the target could not express.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rendered {
    /// The files, sorted by path.
    pub files: Vec<OutputFile>,
    /// Settings the target cannot express, each with what it does instead.
    pub notices: Vec<Notice>,
}

impl Rendered {
    /// Sorts files and notices so output order never depends on construction order.
    pub fn sorted(mut self) -> Self {
        self.files.sort();
        self.notices.sort();
        self.notices.dedup();
        self
    }

    /// The file at `path`, if rendered.
    pub fn file(&self, path: &str) -> Option<&OutputFile> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// How a secret's value is written into a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SecretEncoding {
    /// The value as it is.
    Raw,
    /// Percent-encoded for a URL's user-info part ([`url_encode`]).
    UrlEncoded,
}

/// A variable a deployment reads at run time whose value comes from a secret
/// (Compose's `.env` line `DB_PASSWORD_URLENCODED=`), so another tool can fill it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SecretBinding {
    /// Variable name (`DB_PASSWORD_URLENCODED`).
    pub var: String,
    /// The secret whose value it carries.
    pub secret: SecretRef,
    /// How the value is encoded.
    pub encoding: SecretEncoding,
    /// One line saying what it is for.
    pub purpose: String,
}

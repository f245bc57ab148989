//! Validation: `Spec -> Result<Validated, Diagnostics>`, every problem at once.
//!
//! Rules are grouped by section, one function each. Each rule names the field path, the
//! offending value in backticks, and a hint where the fix is known.

use std::collections::BTreeSet;

use crate::check;
use crate::diag::Diagnostics;
use crate::env_var::EnvVar;
use crate::quantity::{Bytes, Millicores};
use crate::secret::{secret_name_problem, SecretRef};
use crate::spec::*;

/// Names Kimai's environment that kimai-deploy sets itself; `app.env` may not set them.
pub const RESERVED_ENV: &[(&str, &str)] = &[
    ("ADMINMAIL", "app.admin_email"),
    ("ADMINPASS", "app.admin_password"),
    ("APP_ENV", "(always `prod`)"),
    ("APP_SECRET", "app.app_secret"),
    ("DATABASE_URL", "the `database` section"),
    ("DEFAULT_URI", "ingress.host and ingress.tls"),
    ("MAILER_FROM", "app.mailer.from"),
    ("MAILER_URL", "app.mailer.url"),
    ("TRUSTED_HOSTS", "ingress.host and ingress.aliases"),
    ("TRUSTED_PROXIES", "app.trusted_proxies"),
    ("TZ", "app.timezone"),
];

/// Fargate's valid task sizes: CPU units and the memory sizes (MiB) allowed with each.
pub const FARGATE_SIZES: &[(u32, u32, u32, u32)] = &[
    // (cpu, min memory, max memory, step)
    (256, 512, 2048, 512),
    (512, 1024, 4096, 1024),
    (1024, 2048, 8192, 1024),
    (2048, 4096, 16384, 1024),
    (4096, 8192, 30720, 1024),
    (8192, 16384, 61440, 4096),
    (16384, 32768, 122880, 8192),
];

/// True when `cpu`/`memory` is a task size Fargate accepts.
pub fn is_fargate_size(cpu: u32, memory: u32) -> bool {
    FARGATE_SIZES.iter().any(|&(c, lo, hi, step)| {
        c == cpu && (lo..=hi).contains(&memory) && (memory - lo) % step == 0
            // 256 CPU also allows exactly 512, 1024, 2048 (step 512 covers 1536, which is invalid)
            && !(c == 256 && memory == 1536)
    })
}

/// The smallest Fargate size with at least `cpu` units and `memory` MiB, if any.
pub fn fargate_size_at_least(cpu: u32, memory: u32) -> Option<(u32, u32)> {
    FARGATE_SIZES
        .iter()
        .filter(|&&(c, _, hi, _)| c >= cpu && hi >= memory)
        .find_map(|&(c, lo, hi, step)| {
            (lo..=hi)
                .step_by(step as usize)
                .find(|&m| m >= memory && is_fargate_size(c, m))
                .map(|m| (c, m))
        })
}

/// A human list of the valid Fargate pairs, for hints.
pub fn fargate_pairs_hint() -> String {
    FARGATE_SIZES
        .iter()
        .map(|&(c, lo, hi, step)| {
            if c == 256 {
                "256: 512, 1024, 2048".to_string()
            } else {
                format!("{c}: {lo}–{hi} in steps of {step}")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The deployment targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// Docker Compose.
    Compose,
    /// Kubernetes.
    Kubernetes,
    /// AWS ECS.
    Ecs,
    /// Ansible.
    Ansible,
    /// The AWS platform as Terraform.
    Terraform,
}

impl Target {
    /// Every target, in output order.
    pub const ALL: [Target; 5] = [
        Target::Compose,
        Target::Kubernetes,
        Target::Ecs,
        Target::Ansible,
        Target::Terraform,
    ];

    /// The output folder and command-line name (`compose`, `k8s`, `ecs`, `ansible`,
    /// `terraform`).
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Compose => "compose",
            Target::Kubernetes => "k8s",
            Target::Ecs => "ecs",
            Target::Ansible => "ansible",
            Target::Terraform => "terraform",
        }
    }

    /// Parses the command-line name.
    pub fn parse(s: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// True for targets whose replicas may run on different hosts.
    pub fn is_multi_host(self) -> bool {
        matches!(self, Target::Kubernetes | Target::Ecs)
    }
}

/// A spec that passed validation, with its quantities parsed. Renderers take only this.
#[derive(Clone, PartialEq)]
pub struct Validated {
    pub(crate) spec: Spec,
    pub(crate) app_cpu: Millicores,
    pub(crate) app_memory: Bytes,
    pub(crate) db_cpu: Millicores,
    pub(crate) db_memory: Bytes,
    pub(crate) storage_size: Bytes,
    pub(crate) db_storage_size: Bytes,
    pub(crate) db_version: String,
    /// [`Validated::names`], derived on first use (every renderer asks, several times).
    pub(crate) names: Cached<crate::names::Names>,
}

// Written out rather than derived so that the cache is not shown.
impl std::fmt::Debug for Validated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validated")
            .field("spec", &self.spec)
            .field("app_cpu", &self.app_cpu)
            .field("app_memory", &self.app_memory)
            .field("db_cpu", &self.db_cpu)
            .field("db_memory", &self.db_memory)
            .field("storage_size", &self.storage_size)
            .field("db_storage_size", &self.db_storage_size)
            .field("db_version", &self.db_version)
            .finish()
    }
}

/// A value derived from the rest of a [`Validated`] (which never changes), computed on first
/// use. Not part of the value: two caches are always equal.
#[derive(Clone)]
pub(crate) struct Cached<T>(std::sync::OnceLock<T>);

impl<T> Default for Cached<T> {
    fn default() -> Self {
        Cached(std::sync::OnceLock::new())
    }
}

impl<T> Cached<T> {
    /// The value, computed by `f` the first time.
    pub(crate) fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(f)
    }
}

impl<T> PartialEq for Cached<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Validates a spec: every problem at once, sorted by field path.
pub fn validate(spec: Spec) -> Result<Validated, Diagnostics> {
    let mut d = Diagnostics::default();
    check_identity(&spec, &mut d);
    let (app_cpu, app_memory) = check_app(&spec, &mut d);
    if let Some(memory) = app_memory {
        let limit = spec.app.env.get("memory_limit").and_then(|v| v.plain());
        if let Err((path, message, hint)) = crate::workers::check(limit, memory) {
            d.error_hint(path, message, hint);
        }
    }
    let (db_cpu, db_memory, db_version) = check_database(&spec.database, &mut d);
    let (storage_size, db_storage_size) = check_storage(
        &spec.storage,
        spec.aws.as_ref().is_some_and(|a| a.create_file_system),
        &mut d,
    );
    check_ingress(&spec.ingress, &mut d);
    if let Some(s) = &spec.scaling {
        check_scaling(s, spec.app.replicas, &mut d);
    }
    check_monitoring(&spec.monitoring, &mut d);
    if let Some(b) = &spec.backup {
        check_backup(b, &mut d);
    }
    check_targets(&spec, &mut d);
    match (&spec.aws, &spec.targets.ecs) {
        (Some(a), _) => check_aws(&spec, a, &mut d),
        (None, Some(_)) => d.error_hint(
            "aws",
            "missing: `targets.ecs` needs the AWS region and account",
            "add `aws: { region: eu-central-1, account_id: \"123456789012\" }`",
        ),
        (None, None) => {}
    }
    check_secrets(&spec, &mut d);
    crate::delivery::check(&spec, &mut d);
    d.into_result(())?;
    // Every parse above succeeded when no diagnostic was recorded.
    Ok(Validated {
        app_cpu: app_cpu.unwrap_or(Millicores(0)),
        app_memory: app_memory.unwrap_or(Bytes(0)),
        db_cpu: db_cpu.unwrap_or(Millicores(0)),
        db_memory: db_memory.unwrap_or(Bytes(0)),
        storage_size: storage_size.unwrap_or(Bytes(0)),
        db_storage_size: db_storage_size.unwrap_or(Bytes(0)),
        db_version,
        spec,
        names: Cached::default(),
    })
}

fn check_identity(spec: &Spec, d: &mut Diagnostics) {
    if !check::dns_label(&spec.name, 40) {
        d.error_hint(
            "name",
            format!(
                "`{}` is not a DNS-1123 label of at most 40 characters",
                spec.name
            ),
            "use lowercase letters, digits and `-`, starting with a letter (`kimai`, `kimai-prod`)",
        );
    }
    if !check::dns_label(&spec.environment, 32) {
        d.error_hint(
            "environment",
            format!(
                "`{}` is not a lowercase label of at most 32 characters",
                spec.environment
            ),
            "use a short label such as `dev`, `staging` or `production`",
        );
    }
}

fn quantity<T>(
    d: &mut Diagnostics,
    path: &str,
    parsed: Result<T, String>,
    min: T,
    min_text: &str,
    hint: &str,
) -> Option<T>
where
    T: PartialOrd,
{
    match parsed {
        Ok(v) if v < min => {
            d.error_hint(path, format!("must be at least `{min_text}`"), hint);
            None
        }
        Ok(v) => Some(v),
        Err(e) => {
            d.error(path, e);
            None
        }
    }
}

fn check_app(spec: &Spec, d: &mut Diagnostics) -> (Option<Millicores>, Option<Bytes>) {
    let app = &spec.app;
    if !check::image_repository(&app.image) {
        d.error_hint(
            "app.image",
            format!("`{}` is not an image repository", app.image),
            "give the repository without tag (`kimai/kimai2`); the tag goes in `app.version`",
        );
    }
    check_kimai_version(&app.version, d);
    if app.replicas == 0 || app.replicas > 100 {
        d.error_hint(
            "app.replicas",
            format!("`{}` is out of range", app.replicas),
            "use 1 to 100 replicas",
        );
    }
    let cpu = quantity(
        d,
        "app.cpu",
        Millicores::parse(&app.cpu),
        Millicores(100),
        "100m",
        "Kimai needs at least a tenth of a core",
    );
    let memory = quantity(
        d,
        "app.memory",
        Bytes::parse(&app.memory),
        Bytes(512 << 20),
        "512Mi",
        "PHP's memory_limit is 512M; containers below 512Mi get OOM-killed (1Gi is comfortable)",
    );
    for (name, value) in &app.env {
        let path = format!("app.env.{name}");
        if !check::env_name(name) {
            d.error_hint(
                &path,
                format!("`{name}` is not a valid environment variable name"),
                "use letters, digits and `_`, not starting with a digit",
            );
        } else if let Some((_, field)) = RESERVED_ENV.iter().find(|(n, _)| n == name) {
            d.error_hint(
                &path,
                format!("`{name}` is set by kimai-deploy"),
                format!("set it through {field}"),
            );
        } else if name.starts_with("DD_") {
            d.error_hint(
                &path,
                format!("`{name}` is set by kimai-deploy"),
                "configure Datadog under `monitoring.datadog`",
            );
        }
        match value {
            EnvVar::Plain(v) if crate::env_var::looks_secret(name) => {
                d.error_hint(
                    &path,
                    format!("`{name}` looks like a secret but its value is written in the spec"),
                    format!(
                        "secrets are references: write `{name}: {{ secret: {} }}` and keep the value in the secret store; if it is not a secret, write `{name}: {{ plain: ... }}`",
                        suggested_secret_name(name)
                    ),
                );
                if v.contains('\0') {
                    d.error(
                        &path,
                        "the value contains a NUL byte, which no environment can carry",
                    );
                }
            }
            EnvVar::Plain(v) | EnvVar::NotSecret(crate::env_var::NotSecret { plain: v })
                if v.contains('\0') =>
            {
                d.error(
                    &path,
                    "the value contains a NUL byte, which no environment can carry",
                );
            }
            _ => {}
        }
    }
    if let Some(email) = &app.admin_email {
        if !check::email(email) {
            d.error(
                "app.admin_email",
                format!("`{email}` is not an e-mail address"),
            );
        }
    }
    if app.admin_password.is_some() && app.admin_email.is_none() {
        d.error_hint(
            "app.admin_email",
            "missing: `app.admin_password` creates the user `admin`, which needs an e-mail",
            "add `admin_email: admin@example.com` under `app`",
        );
    }
    if app.timezone.is_empty()
        || !app
            .timezone
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+-/".contains(&b))
    {
        d.error_hint(
            "app.timezone",
            format!("`{}` is not a time zone name", app.timezone),
            "use an IANA name such as `UTC` or `Europe/Berlin`",
        );
    }
    for (i, p) in app.trusted_proxies.iter().enumerate() {
        if !(check::ip_or_cidr(p) || p == "REMOTE_ADDR") {
            d.error_hint(
                format!("app.trusted_proxies[{i}]"),
                format!("`{p}` is not an IP address or CIDR block"),
                "list the proxy's addresses (`10.0.0.0/8`) or `REMOTE_ADDR` for the direct peer",
            );
        }
    }
    if let Some(m) = &app.mailer {
        if !check::email(&m.from) {
            d.error(
                "app.mailer.from",
                format!("`{}` is not an e-mail address", m.from),
            );
        }
    }
    if let Some(local) = &app.local_yaml {
        match serde_yaml::from_str::<serde_yaml::Value>(local) {
            Ok(serde_yaml::Value::Mapping(_)) => {}
            Ok(_) => d.error_hint(
                "app.local_yaml",
                "is not a YAML mapping",
                "give the contents of config/packages/local.yaml (`kimai: { ldap: ... }`)",
            ),
            Err(e) => d.error("app.local_yaml", format!("is not valid YAML: {e}")),
        }
        check_local_yaml_secrets(local, &app.env, d);
    }
    (cpu, memory)
}

/// A logical secret name for an environment variable (`SMTP_PASSWORD` -> `smtp-password`).
pub(crate) fn suggested_secret_name(var: &str) -> String {
    let name: String = var
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let name = name.trim_matches('-');
    if name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name.to_string()
    } else {
        format!("env-{name}")
    }
}

/// A `local.yaml` key whose value is a credential: `password`, `bind_password`, `client_secret`,
/// `privateKey` (SAML), `api_key`, `token`; not `password_reset_retry_ttl`.
fn secret_config_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    let last = lower.rsplit(['_', '-', '.']).next().unwrap_or(&lower);
    ["password", "passwd", "secret", "token", "passphrase"].contains(&last)
        || [
            "privatekey",
            "private_key",
            "apikey",
            "api_key",
            "bindpassword",
        ]
        .iter()
        .any(|w| lower.ends_with(w))
}

/// `local.yaml` carries LDAP/SAML settings. A secret-looking key with a literal value is refused
/// (never echoing the value); `%env(NAME)%` placeholders must name a variable of `app.env`.
fn check_local_yaml_secrets(
    local: &str,
    env: &std::collections::BTreeMap<String, EnvVar>,
    d: &mut Diagnostics,
) {
    for (i, line) in local.lines().enumerate() {
        let body = line.trim_start().trim_start_matches("- ").trim_start();
        if body.starts_with('#') {
            continue;
        }
        let Some((key, value)) = body.split_once(':') else {
            continue;
        };
        let key = key.trim().trim_matches(['"', '\'']);
        let value = value.trim();
        let literal = !(value.is_empty()
            || value.starts_with('#')
            || value.contains("%env(")
            || ["~", "null", "''", "\"\""].contains(&value));
        if literal && !key.is_empty() && !key.contains(' ') && secret_config_key(key) {
            // The section the line sits in names the variable (`ldap` -> `LDAP_PASSWORD`).
            let lower = local.to_ascii_lowercase();
            let section = ["ldap", "saml"]
                .into_iter()
                .find(|s| lower.contains(&format!("{s}:")))
                .unwrap_or("kimai");
            let upper = key.to_ascii_uppercase().replace('-', "_");
            let var = if upper.starts_with(&section.to_ascii_uppercase()) {
                upper
            } else {
                format!("{}_{upper}", section.to_ascii_uppercase())
            };
            d.error_hint(
                "app.local_yaml",
                format!("local.yaml line {} sets `{key}` in plain text", i + 1),
                format!(
                    "keep it out of the spec: write `{key}: '%env({var})%'` and add `{var}: {{ secret: {} }}` under `app.env`",
                    suggested_secret_name(&var)
                ),
            );
        }
    }
    let mut rest = local;
    while let Some(start) = rest.find("%env(") {
        rest = &rest[start + 5..];
        let Some(end) = rest.find(")%") else { break };
        let inner = &rest[..end];
        let var = inner.rsplit(':').next().unwrap_or(inner);
        let known = env.contains_key(var) || RESERVED_ENV.iter().any(|(n, _)| *n == var);
        if !known && check::env_name(var) {
            d.error_hint(
                "app.local_yaml",
                format!("`%env({inner})%` reads `{var}`, which `app.env` does not set"),
                format!(
                    "add `{var}: {{ secret: {} }}` (or a plain value) under `app.env`",
                    suggested_secret_name(var)
                ),
            );
        }
        rest = &rest[end..];
    }
}

fn parse_version(v: &str) -> Option<Vec<u32>> {
    let parts: Option<Vec<u32>> = v.split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| {
        (2..=3).contains(&p.len()) && v.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    })
}

fn check_kimai_version(v: &str, d: &mut Diagnostics) {
    const FLOATING: &[&str] = &[
        "latest", "stable", "apache", "fpm", "prod", "dev", "2", "main",
    ];
    if FLOATING.contains(&v) {
        d.error_hint(
            "app.version",
            format!("`{v}` is a floating tag"),
            "pin a Kimai release such as `2.66.0` so every host runs the same code",
        );
        return;
    }
    if !check::image_tag(v) {
        d.error("app.version", format!("`{v}` is not an image tag"));
        return;
    }
    if let Some(parts) = parse_version(v) {
        if parts.len() != 3 {
            d.error_hint(
                "app.version",
                format!("`{v}` is not a full release number"),
                "write all three parts (`2.66.0`)",
            );
        } else if parts[0] < 2 || (parts[0] == 2 && parts[1] < 58) {
            d.error_hint(
                "app.version",
                format!("`{v}` has no bare version tag"),
                format!("Kimai images up to 2.57 are tagged `apache-{v}`; write that, or use 2.58.0 or newer"),
            );
        }
    } else if v.starts_with("fpm") {
        d.error_hint(
            "app.version",
            format!("`{v}` is the deprecated FPM variant"),
            "use the Apache image (a bare version such as `2.66.0`), which listens on 8001",
        );
    }
}

fn check_database(
    db: &Database,
    d: &mut Diagnostics,
) -> (Option<Millicores>, Option<Bytes>, String) {
    let version = if db.version.is_empty() {
        match db.engine {
            DatabaseEngine::Mysql => "8.4".to_string(),
            DatabaseEngine::Mariadb => "11.4".to_string(),
        }
    } else {
        db.version.clone()
    };
    match (parse_version(&version), db.engine) {
        (None, _) => d.error_hint(
            "database.version",
            format!("`{version}` is not a server version"),
            "write major.minor (`8.4`, `11.4`)",
        ),
        (Some(p), DatabaseEngine::Mysql) if (p[0], p[1]) < (8, 4) => d.error_hint(
            "database.version",
            format!("MySQL `{version}` is older than Kimai supports"),
            "Kimai supports MySQL 8.4 or newer (or MariaDB 10.6 or newer)",
        ),
        (Some(p), DatabaseEngine::Mariadb) if (p[0], p[1]) < (10, 6) => d.error_hint(
            "database.version",
            format!("MariaDB `{version}` is older than Kimai supports"),
            "Kimai supports MariaDB 10.6 or newer (or MySQL 8.4 or newer)",
        ),
        _ => {}
    }
    match (db.mode, &db.host) {
        (DatabaseMode::External, None) => d.error_hint(
            "database.host",
            "missing: an external database needs its host",
            "set `database.host` to the server's name (an RDS endpoint), or use `mode: bundled`",
        ),
        (DatabaseMode::Bundled, Some(h)) => d.error_hint(
            "database.host",
            format!("`{h}` is set but the database is bundled"),
            "remove `database.host`, or set `database.mode: external`",
        ),
        (_, Some(h)) if !check::host_or_ip(h) => d.error(
            "database.host",
            format!("`{h}` is not a host name or IP address"),
        ),
        _ => {}
    }
    if let Some(h) = &db.read_replica_host {
        if db.mode == DatabaseMode::Bundled {
            d.error_hint(
                "database.read_replica_host",
                "a read replica needs an external database",
                "set `database.mode: external`",
            );
        } else if !check::host_or_ip(h) {
            d.error(
                "database.read_replica_host",
                format!("`{h}` is not a host name or IP address"),
            );
        }
    }
    if db.port == 0 {
        d.error("database.port", "`0` is not a TCP port");
    }
    if db.name.is_empty()
        || db.name.len() > 64
        || !db
            .name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        d.error_hint(
            "database.name",
            format!("`{}` is not a database name", db.name),
            "use up to 64 letters, digits and `_`",
        );
    }
    if db.user.is_empty()
        || db.user.len() > 32
        || !db
            .user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        d.error_hint(
            "database.user",
            format!("`{}` is not a database user name", db.user),
            "use up to 32 letters, digits and `_`",
        );
    }
    let cpu = Millicores::parse(&db.cpu)
        .map_err(|e| d.error("database.cpu", e))
        .ok();
    let mem = quantity(
        d,
        "database.memory",
        Bytes::parse(&db.memory),
        Bytes(256 << 20),
        "256Mi",
        "MySQL needs at least 256Mi; 1Gi is comfortable",
    );
    (cpu, mem, version)
}

/// `created`: Terraform creates the file system (`aws.create_file_system`), so its ids may be
/// missing until the first apply; the targets that mount it by id check for them.
fn check_storage(
    s: &Storage,
    created: bool,
    d: &mut Diagnostics,
) -> (Option<Bytes>, Option<Bytes>) {
    let size = quantity(
        d,
        "storage.size",
        Bytes::parse(&s.size),
        Bytes(1 << 30),
        "1Gi",
        "Kimai's volumes need at least 1Gi",
    );
    let db_size = quantity(
        d,
        "storage.database_size",
        Bytes::parse(&s.database_size),
        Bytes(1 << 30),
        "1Gi",
        "the database volume needs at least 1Gi",
    );
    match (s.class, &s.efs) {
        (StorageClass::Efs, None) if created => {}
        (StorageClass::Efs, None) => d.error_hint(
            "storage.efs",
            "missing: storage class `efs` needs the file system",
            "add `efs: { file_system_id: fs-0123456789abcdef0 }` under `storage`",
        ),
        (StorageClass::Efs, Some(efs)) => {
            if !check::aws_id(&efs.file_system_id, "fs-", &[8, 17]) {
                d.error(
                    "storage.efs.file_system_id",
                    format!(
                        "`{}` is not an EFS file system id (`fs-` and 8 or 17 hex digits)",
                        efs.file_system_id
                    ),
                );
            }
            if let Some(ap) = &efs.access_point_id {
                if !check::aws_id(ap, "fsap-", &[17]) {
                    d.error(
                        "storage.efs.access_point_id",
                        format!("`{ap}` is not an EFS access point id (`fsap-` and 17 hex digits)"),
                    );
                }
            }
            for (dir, ap) in &efs.access_points {
                let path = format!("storage.efs.access_points.{dir}");
                if !crate::derive::PERSISTENT_DIRS.iter().any(|(d, _)| d == dir) {
                    d.error_hint(
                        &path,
                        format!("`{dir}` is not a persistent directory of Kimai"),
                        "use `data`, `plugins` or `invoices`",
                    );
                }
                if !check::aws_id(ap, "fsap-", &[17]) {
                    d.error(
                        path,
                        format!("`{ap}` is not an EFS access point id (`fsap-` and 17 hex digits)"),
                    );
                }
            }
        }
        (_, Some(_)) => d.error_hint(
            "storage.efs",
            "is set but `storage.class` is not `efs`",
            "set `storage.class: efs`, or remove `storage.efs`",
        ),
        _ => {}
    }
    if s.class == StorageClass::Shared && s.storage_class_name.is_none() {
        d.error_hint(
            "storage.storage_class_name",
            "missing: storage class `shared` needs a ReadWriteMany StorageClass name",
            "name the cluster's RWX class (`nfs-client`, `azurefile`, `standard-rwx`)",
        );
    }
    if let Some(n) = &s.storage_class_name {
        if !check::dns_subdomain(n) {
            d.error(
                "storage.storage_class_name",
                format!("`{n}` is not a StorageClass name"),
            );
        }
    }
    (size, db_size)
}

fn check_ingress(i: &Ingress, d: &mut Diagnostics) {
    match &i.host {
        None => d.error_hint(
            "ingress.host",
            "missing: every target exposes Kimai on a host name",
            "add `ingress: { host: kimai.example.com }`",
        ),
        Some(h) if !check::dns_subdomain(h) => d.error_hint(
            "ingress.host",
            format!("`{h}` is not a lowercase DNS name"),
            "Kimai needs its own (sub)domain such as `kimai.example.com`; sub-paths are not supported",
        ),
        _ => {}
    }
    let mut seen = BTreeSet::new();
    seen.extend(i.host.iter().cloned());
    for (n, a) in i.aliases.iter().enumerate() {
        if !check::dns_subdomain(a) {
            d.error(
                format!("ingress.aliases[{n}]"),
                format!("`{a}` is not a lowercase DNS name"),
            );
        } else if !seen.insert(a.clone()) {
            d.error(
                format!("ingress.aliases[{n}]"),
                format!("`{a}` is listed twice"),
            );
        }
    }
    let tls = &i.tls;
    match (&tls.mode, &tls.certificate_arn) {
        (TlsMode::Acm, None) => d.error_hint(
            "ingress.tls.certificate_arn",
            "missing: TLS mode `acm` needs the certificate",
            "add the ACM certificate ARN (`arn:aws:acm:REGION:ACCOUNT:certificate/ID`)",
        ),
        (TlsMode::Acm, Some(a)) if !check::arn(a, "acm") || !a.contains(":certificate/") => d
            .error(
                "ingress.tls.certificate_arn",
                format!("`{a}` is not an ACM certificate ARN"),
            ),
        (TlsMode::Acm, Some(_)) => {}
        (_, Some(_)) => d.error_hint(
            "ingress.tls.certificate_arn",
            "is set but `ingress.tls.mode` is not `acm`",
            "set `mode: acm`, or remove the ARN",
        ),
        _ => {}
    }
    if let Some(s) = &tls.secret_name {
        if tls.mode != TlsMode::Secret {
            d.error_hint(
                "ingress.tls.secret_name",
                "is set but `ingress.tls.mode` is not `secret`",
                "set `mode: secret`, or remove `secret_name`",
            );
        } else if !check::dns_subdomain(s) {
            d.error(
                "ingress.tls.secret_name",
                format!("`{s}` is not a Secret name"),
            );
        }
    }
    if let Some(c) = &tls.cluster_issuer {
        if tls.mode != TlsMode::Secret {
            d.error_hint(
                "ingress.tls.cluster_issuer",
                "is set but `ingress.tls.mode` is not `secret`",
                "cert-manager fills a TLS Secret: set `mode: secret`",
            );
        } else if !check::dns_subdomain(c) {
            d.error(
                "ingress.tls.cluster_issuer",
                format!("`{c}` is not a ClusterIssuer name"),
            );
        }
    }
    if i.max_body_mib == 0 || i.max_body_mib > 4096 {
        d.error(
            "ingress.max_body_mib",
            format!("`{}` is out of range (1 to 4096)", i.max_body_mib),
        );
    }
    if let Some(w) = &i.waf_acl_arn {
        if !check::arn(w, "wafv2") {
            d.error(
                "ingress.waf_acl_arn",
                format!("`{w}` is not a WAFv2 web ACL ARN"),
            );
        }
    }
}

fn check_scaling(s: &Scaling, replicas: u32, d: &mut Diagnostics) {
    if s.min_replicas == 0 {
        d.error_hint(
            "scaling.min_replicas",
            "`0` is below 1",
            "keep at least one replica running",
        );
    }
    if s.max_replicas > 100 {
        d.error(
            "scaling.max_replicas",
            format!("`{}` is above 100", s.max_replicas),
        );
    }
    if s.min_replicas > s.max_replicas {
        d.error_hint(
            "scaling.min_replicas",
            format!(
                "`{}` is above `scaling.max_replicas` (`{}`)",
                s.min_replicas, s.max_replicas
            ),
            "min_replicas must be at most max_replicas",
        );
    }
    if !(1..=100).contains(&s.target_cpu_percent) {
        d.error(
            "scaling.target_cpu_percent",
            format!(
                "`{}` is not a percentage between 1 and 100",
                s.target_cpu_percent
            ),
        );
    }
    if let Some(m) = s.target_memory_percent {
        if !(1..=100).contains(&m) {
            d.error(
                "scaling.target_memory_percent",
                format!("`{m}` is not a percentage between 1 and 100"),
            );
        }
    }
    if s.requests_per_target == Some(0) {
        d.error(
            "scaling.requests_per_target",
            "`0` requests per target cannot be held",
        );
    }
    if s.scale_down_stabilization_seconds > 3600 {
        d.error(
            "scaling.scale_down_stabilization_seconds",
            format!("`{}` is above 3600", s.scale_down_stabilization_seconds),
        );
    }
    if replicas != 1 {
        d.error_hint(
            "app.replicas",
            format!("`{replicas}` conflicts with `scaling`: the autoscaler owns the replica count"),
            "remove `app.replicas` and set `scaling.min_replicas` instead",
        );
    }
}

fn check_monitoring(m: &Monitoring, d: &mut Diagnostics) {
    const SITES: &[&str] = &[
        "datadoghq.com",
        "us3.datadoghq.com",
        "us5.datadoghq.com",
        "datadoghq.eu",
        "ap1.datadoghq.com",
        "ap2.datadoghq.com",
        "ddog-gov.com",
    ];
    if !SITES.contains(&m.datadog.site.as_str()) {
        d.error_hint(
            "monitoring.datadog.site",
            format!("`{}` is not a Datadog site", m.datadog.site),
            format!("use one of {}", SITES.join(", ")),
        );
    }
    if m.datadog.agent_version == "latest" || !check::image_tag(&m.datadog.agent_version) {
        d.error_hint(
            "monitoring.datadog.agent_version",
            format!("`{}` is not a pinned agent tag", m.datadog.agent_version),
            "use the major version `7` or a release such as `7.60.0`",
        );
    }
    const RETENTION: &[u32] = &[
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
        2922, 3288, 3653,
    ];
    if !RETENTION.contains(&m.cloudwatch.retention_days) {
        d.error_hint(
            "monitoring.cloudwatch.retention_days",
            format!("`{}` is not a CloudWatch Logs retention", m.cloudwatch.retention_days),
            "use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
        );
    }
    let g = &m.cloudwatch.log_group;
    if !g.is_empty()
        && (g.len() > 512
            || !g
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-/#".contains(&b)))
    {
        d.error(
            "monitoring.cloudwatch.log_group",
            format!("`{g}` is not a log group name"),
        );
    }
}

fn check_backup(b: &Backup, d: &mut Diagnostics) {
    if !check::cron(&b.schedule) {
        d.error_hint(
            "backup.schedule",
            format!("`{}` is not a five-field cron schedule", b.schedule),
            "write it like `30 2 * * *` (02:30 UTC daily)",
        );
    }
    if !check::s3_bucket(&b.s3_bucket) {
        d.error(
            "backup.s3_bucket",
            format!("`{}` is not an S3 bucket name", b.s3_bucket),
        );
    }
    if !b.s3_prefix.is_empty() && (!check::safe_path(&b.s3_prefix) || b.s3_prefix.starts_with('/'))
    {
        d.error_hint(
            "backup.s3_prefix",
            format!("`{}` is not a plain key prefix", b.s3_prefix),
            "use letters, digits, `.`, `_`, `-` and `/`, not starting with `/`",
        );
    }
    if !check::aws_region(&b.region) {
        d.error(
            "backup.region",
            format!("`{}` is not an AWS region", b.region),
        );
    }
    if b.retention_days == 0 {
        d.error("backup.retention_days", "`0` keeps no backup");
    }
}

fn check_targets(spec: &Spec, d: &mut Diagnostics) {
    let c = &spec.targets.compose;
    if c.http_port == 0 {
        d.error("targets.compose.http_port", "`0` is not a port");
    }
    if c.https_port == 0 || c.https_port == c.http_port {
        d.error(
            "targets.compose.https_port",
            format!("`{}` is not a port distinct from `http_port`", c.https_port),
        );
    }
    if !check::image_reference(&c.proxy_image) || c.proxy_image.ends_with(":latest") {
        d.error_hint(
            "targets.compose.proxy_image",
            format!("`{}` is not a pinned image reference", c.proxy_image),
            "write repository and tag, such as `nginx:1.28-alpine`",
        );
    }
    if let Some(subnet) = &c.proxy_subnet {
        if check::ipv4_network(subnet, 16..=26).is_none() {
            d.error_hint(
                "targets.compose.proxy_subnet",
                format!("`{subnet}` is not an IPv4 network from /16 to /26 with its host bits zero"),
                "write a network address such as `172.16.40.0/24`, in a range the host's network does not use",
            );
        }
    }
    let k = &spec.targets.kubernetes;
    if !k.namespace.is_empty() && !check::dns_label(&k.namespace, 63) {
        d.error(
            "targets.kubernetes.namespace",
            format!("`{}` is not a namespace name", k.namespace),
        );
    }
    if !["internet-facing", "internal"].contains(&k.alb_scheme.as_str()) {
        d.error_hint(
            "targets.kubernetes.alb_scheme",
            format!("`{}` is not an ALB scheme", k.alb_scheme),
            "use `internet-facing` or `internal`",
        );
    }
    if !check::dns_label(&k.ingress_controller_namespace, 63) {
        d.error(
            "targets.kubernetes.ingress_controller_namespace",
            format!(
                "`{}` is not a namespace name",
                k.ingress_controller_namespace
            ),
        );
    }
    if let Some(es) = &k.external_secrets {
        if !check::dns_subdomain(&es.store) {
            d.error(
                "targets.kubernetes.external_secrets.store",
                format!("`{}` is not a store name", es.store),
            );
        }
        if !["ClusterSecretStore", "SecretStore"].contains(&es.store_kind.as_str()) {
            d.error_hint(
                "targets.kubernetes.external_secrets.store_kind",
                format!("`{}` is not a store kind", es.store_kind),
                "use `ClusterSecretStore` or `SecretStore`",
            );
        }
    }
    for key in k.service_account_annotations.keys() {
        let name = key.rsplit('/').next().unwrap_or(key);
        let prefix_ok = key
            .rsplit_once('/')
            .is_none_or(|(p, _)| check::dns_subdomain(p));
        if !prefix_ok
            || name.is_empty()
            || name.len() > 63
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            d.error(
                format!("targets.kubernetes.service_account_annotations.{key}"),
                format!("`{key}` is not an annotation key"),
            );
        }
    }
    check_pod_watcher(&k.pod_watcher, d);
    let a = &spec.targets.ansible;
    for (host, addr) in &a.hosts {
        let path = format!("targets.ansible.hosts.{host}");
        if host.is_empty()
            || !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            d.error(&path, format!("`{host}` is not an inventory host name"));
        }
        if !check::host_or_ip(addr) {
            d.error(&path, format!("`{addr}` is not a host name or IP address"));
        }
    }
    if a.user.is_empty()
        || !a
            .user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        d.error(
            "targets.ansible.user",
            format!("`{}` is not a user name", a.user),
        );
    }
    if !a.deploy_dir.starts_with('/') || !check::safe_path(&a.deploy_dir) || a.deploy_dir.len() < 2
    {
        d.error_hint(
            "targets.ansible.deploy_dir",
            format!("`{}` is not an absolute plain path", a.deploy_dir),
            "use a directory such as `/opt/kimai`",
        );
    }
    if let Some(e) = &spec.targets.ecs {
        check_ecs(e, d);
    }
}

fn check_pod_watcher(w: &PodWatcher, d: &mut Diagnostics) {
    const P: &str = "targets.kubernetes.pod_watcher";
    if !check::image_reference(&w.image) || w.image.ends_with(":latest") {
        d.error_hint(
            format!("{P}.image"),
            format!("`{}` is not a pinned image reference", w.image),
            format!("write repository and tag of an image with kubectl and a shell, such as `{DEFAULT_POD_WATCHER_IMAGE}`"),
        );
    }
    if let Err(e) = Millicores::parse(&w.cpu) {
        d.error(format!("{P}.cpu"), e);
    }
    quantity(
        d,
        &format!("{P}.memory"),
        Bytes::parse(&w.memory),
        Bytes(64 << 20),
        "64Mi",
        "kubectl holds the pod list in memory: 128Mi is comfortable",
    );
    for (i, cidr) in w.api_server_cidrs.iter().enumerate() {
        if !check::ip_or_cidr(cidr) {
            d.error_hint(
                format!("{P}.api_server_cidrs[{i}]"),
                format!("`{cidr}` is not an IP address or CIDR block"),
                "list the API server's endpoint addresses, such as `10.0.12.34/32`",
            );
        }
    }
    if w.api_server_ports.is_empty() {
        d.error_hint(
            format!("{P}.api_server_ports"),
            "empty: the watcher could not reach the API server",
            "use `[443, 6443]`, or the port of `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes`",
        );
    }
    for (i, port) in w.api_server_ports.iter().enumerate() {
        if *port == 0 {
            d.error(
                format!("{P}.api_server_ports[{i}]"),
                "`0` is not a TCP port",
            );
        }
    }
}

fn check_aws(spec: &Spec, a: &Aws, d: &mut Diagnostics) {
    if a.region.is_empty() {
        d.error_hint(
            "aws.region",
            "missing",
            "set the AWS region (`eu-central-1`)",
        );
    } else if !check::aws_region(&a.region) {
        d.error("aws.region", format!("`{}` is not an AWS region", a.region));
    }
    if a.account_id.is_empty() {
        d.error_hint(
            "aws.account_id",
            "missing",
            "set the 12-digit AWS account id, quoted (`\"123456789012\"`)",
        );
    } else if a.account_id.len() != 12 || !a.account_id.bytes().all(|b| b.is_ascii_digit()) {
        d.error_hint(
            "aws.account_id",
            format!("`{}` is not a 12-digit AWS account id", a.account_id),
            "quote it in YAML (`\"012345678901\"`) so leading zeros survive",
        );
    }
    for (i, c) in a.vpc_cidrs.iter().enumerate() {
        if crate::cidr::parse(c).is_none() {
            d.error_hint(
                format!("aws.vpc_cidrs[{i}]"),
                format!("`{c}` is not a CIDR block"),
                "write the network address and prefix length, such as `10.0.0.0/16` or `100.64.0.0/10`",
            );
        }
    }
    if !a.secrets_prefix.is_empty() && !check::safe_path(&a.secrets_prefix) {
        d.error(
            "aws.secrets_prefix",
            format!("`{}` is not a plain name prefix", a.secrets_prefix),
        );
    }
    check_network(spec, a, d);
    if let Some(e) = &a.eks {
        check_eks(spec, e, d);
    }
    if let Some(z) = &a.hosted_zone_id {
        let ok = z.len() <= 32
            && z.starts_with('Z')
            && z.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !ok {
            d.error_hint(
                "aws.hosted_zone_id",
                format!("`{z}` is not a Route 53 hosted zone id"),
                "copy the id of the public zone (`Z0123456789ABCDEFGHIJ`)",
            );
        }
    }
    if a.create_database {
        if spec.database.mode != DatabaseMode::External {
            d.error_hint(
                "aws.create_database",
                "Terraform creates an RDS database, but `database.mode` is `bundled`",
                "set `database.mode: external`",
            );
        }
        let zone = |h: &Option<String>| {
            h.as_deref()
                .and_then(|h| h.split_once('.'))
                .map(|(_, z)| z.to_string())
        };
        match zone(&spec.database.host) {
            Some(z) if !z.is_empty() => {
                if let Some(r) = &spec.database.read_replica_host {
                    if zone(&Some(r.clone())).as_deref() != Some(z.as_str()) {
                        d.error_hint(
                            "database.read_replica_host",
                            format!("`{r}` is not in zone `{z}` of `database.host`"),
                            "Terraform records both hosts in one private hosted zone: give them the same parent domain",
                        );
                    }
                }
            }
            _ => {
                if spec.database.mode == DatabaseMode::External {
                    d.error_hint(
                        "database.host",
                        "Terraform names the database in a private hosted zone: the host needs a parent domain",
                        "use a private name such as `mysql.kimai-production.internal`",
                    );
                }
            }
        }
    }
    if a.create_file_system && spec.storage.class != StorageClass::Efs {
        d.error_hint(
            "aws.create_file_system",
            "Terraform creates an EFS file system, but `storage.class` is not `efs`",
            "set `storage.class: efs`",
        );
    }
    if !a.terraform_state_bucket.is_empty() && !check::s3_bucket(&a.terraform_state_bucket) {
        d.error(
            "aws.terraform_state_bucket",
            format!("`{}` is not an S3 bucket name", a.terraform_state_bucket),
        );
    }
}

/// Kubernetes versions whose add-on versions the terraform target pins (`aws.eks.version`).
pub const EKS_VERSIONS: &[&str] = &["1.35", "1.36"];

/// `aws.eks`: a cluster name EKS accepts, a version with pinned add-ons, somewhere for pods to
/// run, and the storage and database EKS gets from Terraform (EFS, RDS; no block storage
/// driver is installed).
fn check_eks(spec: &Spec, e: &Eks, d: &mut Diagnostics) {
    const P: &str = "aws.eks";
    let name_ok = |c: &str| {
        (1..=100).contains(&c.len())
            && c.starts_with(|ch: char| ch.is_ascii_alphanumeric())
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if e.cluster.is_empty() {
        if !e.create {
            d.error_hint(
                format!("{P}.cluster"),
                "missing: an existing cluster (`create: false`) is found by name",
                "set the cluster's name, or `create: true`",
            );
        }
    } else if !name_ok(&e.cluster) {
        d.error_hint(
            format!("{P}.cluster"),
            format!("`{}` is not an EKS cluster name", e.cluster),
            "use up to 100 letters, digits, `-` and `_`, starting with a letter or digit",
        );
    }
    if spec.monitoring.datadog.enabled
        && e.create
        && e.cluster
            .bytes()
            .any(|b| b.is_ascii_uppercase() || b == b'_')
    {
        d.error_hint(
            format!("{P}.cluster"),
            format!(
                "`{}` is not a cluster name the Datadog agent accepts",
                e.cluster
            ),
            "use lowercase letters, digits and `-` (the agent reports the cluster by this name)",
        );
    }
    if !EKS_VERSIONS.contains(&e.version.as_str()) {
        d.error_hint(
            format!("{P}.version"),
            format!(
                "`{}` is not a version whose add-ons are pinned here",
                e.version
            ),
            format!("use one of {}", EKS_VERSIONS.join(", ")),
        );
    }
    for (i, c) in e.public_access_cidrs.iter().enumerate() {
        if crate::cidr::parse(c).is_none() {
            d.error(
                format!("{P}.public_access_cidrs[{i}]"),
                format!("`{c}` is not a CIDR block"),
            );
        }
    }
    if !e.endpoint_public_access && !e.public_access_cidrs.is_empty() {
        d.error_hint(
            format!("{P}.public_access_cidrs"),
            "the endpoint is private (`endpoint_public_access: false`)",
            "remove the ranges, or make the endpoint public",
        );
    }
    for (i, arn) in e.admin_role_arns.iter().enumerate() {
        if !check::arn(arn, "iam") || !arn.contains(":role/") {
            d.error_hint(
                format!("{P}.admin_role_arns[{i}]"),
                format!("`{arn}` is not an IAM role ARN"),
                "write `arn:aws:iam::123456789012:role/NAME`",
            );
        }
    }
    if !e.create
        && spec
            .aws
            .as_ref()
            .is_some_and(|a| a.network.vpc_id.is_none())
    {
        d.error_hint(
            "aws.network.vpc_id",
            "missing: an existing EKS cluster runs in its own VPC, where the database and file system must be too",
            "set the cluster's VPC and subnets under `aws.network`",
        );
    }
    match &e.node_group {
        Some(_) if !e.create => d.error_hint(
            format!("{P}.node_group"),
            "only a cluster Terraform creates gets its node group here",
            "remove it (the existing cluster's nodes are its own), or set `create: true`",
        ),
        Some(g) => check_node_group(g, d),
        None if !e.fargate && e.create => d.error_hint(
            format!("{P}.node_group"),
            "pods need somewhere to run: neither a node group nor Fargate",
            "add `node_group` (instance types and sizes) or set `fargate: true`",
        ),
        None => {
            if spec.monitoring.datadog.enabled && e.installs_controllers() && e.create {
                d.error_hint(
                    "monitoring.datadog.enabled",
                    "the Datadog agent runs as a DaemonSet on nodes, and this cluster has none (Fargate only)",
                    "add `aws.eks.node_group`, or turn Datadog off",
                );
            }
        }
    }
    if spec.storage.class == StorageClass::Local {
        d.error_hint(
            "storage.class",
            "EKS gets its storage from EFS here (no block-storage driver is installed)",
            "use `storage.class: efs` with `aws.create_file_system: true`",
        );
    }
    if spec.database.mode == DatabaseMode::Bundled {
        d.error_hint(
            "database.mode",
            "a bundled database needs block storage, which EKS does not get here",
            "use `database.mode: external` with `aws.create_database: true`",
        );
    }
    if spec
        .targets
        .kubernetes
        .external_secrets
        .as_ref()
        .is_some_and(|es| es.store_kind != "ClusterSecretStore")
    {
        d.error_hint(
            "targets.kubernetes.external_secrets.store_kind",
            "on EKS, Terraform creates the store, cluster-scoped",
            "remove `store_kind` (its default is the cluster-scoped kind)",
        );
    }
    if spec.targets.kubernetes.ingress_class == Some(IngressClass::Nginx) {
        d.error_hint(
            "targets.kubernetes.ingress_class",
            "Terraform installs the AWS Load Balancer Controller on EKS, not ingress-nginx",
            "remove it (it defaults to `alb` with `aws.eks`)",
        );
    }
    if let (Some(x), false) = (
        spec.delivery
            .as_ref()
            .and_then(|dl| dl.eks_cluster.as_ref()),
        e.cluster.is_empty(),
    ) {
        if *x != e.cluster {
            d.error_hint(
                "delivery.eks_cluster",
                format!("`{x}` is not `aws.eks.cluster` (`{}`)", e.cluster),
                "remove it: pipelines deploy to `aws.eks.cluster`",
            );
        }
    }
}

fn check_node_group(g: &NodeGroup, d: &mut Diagnostics) {
    const P: &str = "aws.eks.node_group";
    if g.instance_types.is_empty() {
        d.error_hint(
            format!("{P}.instance_types"),
            "empty",
            "list at least one instance type (`m7g.large`)",
        );
    }
    for (i, t) in g.instance_types.iter().enumerate() {
        let ok = t.split_once('.').is_some_and(|(f, size)| {
            !f.is_empty()
                && !size.is_empty()
                && f.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && size
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if !ok {
            d.error_hint(
                format!("{P}.instance_types[{i}]"),
                format!("`{t}` is not an EC2 instance type"),
                "write family and size, such as `m7g.large`",
            );
        }
    }
    let arm = g.instance_types.iter().filter(|t| graviton(t)).count();
    if arm != 0 && arm != g.instance_types.len() {
        d.error_hint(
            format!("{P}.instance_types"),
            "mixes Graviton (arm64) and x86 types: one node group runs one AMI type",
            "list types of one architecture",
        );
    }
    if g.max_size == 0 || g.min_size > g.max_size {
        d.error_hint(
            format!("{P}.max_size"),
            format!("{} is below min_size {} or zero", g.max_size, g.min_size),
            "set max_size to at least min_size and 1",
        );
    }
    if let Some(ds) = g.desired_size {
        if ds < g.min_size || ds > g.max_size {
            d.error(
                format!("{P}.desired_size"),
                format!(
                    "{ds} is not between min_size {} and max_size {}",
                    g.min_size, g.max_size
                ),
            );
        }
    }
    if !matches!(g.capacity_type.as_str(), "ON_DEMAND" | "SPOT") {
        d.error_hint(
            format!("{P}.capacity_type"),
            format!("`{}` is not a capacity type", g.capacity_type),
            "use `ON_DEMAND` or `SPOT`",
        );
    }
    if !(20..=16384).contains(&g.disk_size_gib) {
        d.error(
            format!("{P}.disk_size_gib"),
            format!("{} GiB is not between 20 and 16384", g.disk_size_gib),
        );
    }
}

/// The network is either existing (VPC and subnet ids) or created (zones, NAT); settings of
/// the other kind are errors, not silently ignored.
fn check_network(spec: &Spec, a: &Aws, d: &mut Diagnostics) {
    let n = &a.network;
    let subnets = |path: &str, ids: &[String], min: usize, d: &mut Diagnostics| {
        if ids.len() < min {
            d.error_hint(
                format!("aws.network.{path}"),
                format!("{} given, at least {min} needed", ids.len()),
                "list subnets of at least two availability zones (`subnet-0123456789abcdef0`)",
            );
        }
        for (i, s) in ids.iter().enumerate() {
            if !check::aws_id(s, "subnet-", &[8, 17]) {
                d.error(
                    format!("aws.network.{path}[{i}]"),
                    format!("`{s}` is not a subnet id"),
                );
            }
        }
    };
    match &n.vpc_id {
        Some(vpc) => {
            if !check::aws_id(vpc, "vpc-", &[8, 17]) {
                d.error("aws.network.vpc_id", format!("`{vpc}` is not a VPC id"));
            }
            subnets("public_subnets", &n.public_subnets, 2, d);
            subnets("private_subnets", &n.private_subnets, 2, d);
            subnets("database_subnets", &n.database_subnets, 0, d);
            for (path, set) in [
                ("availability_zones", n.availability_zones.is_some()),
                ("single_nat_gateway", n.single_nat_gateway.is_some()),
            ] {
                if set {
                    d.error_hint(
                        format!("aws.network.{path}"),
                        "only a VPC that Terraform creates has this setting",
                        "remove it, or remove `aws.network.vpc_id` to create the VPC",
                    );
                }
            }
        }
        None => {
            for (path, ids) in [
                ("public_subnets", &n.public_subnets),
                ("private_subnets", &n.private_subnets),
                ("database_subnets", &n.database_subnets),
            ] {
                if !ids.is_empty() {
                    d.error_hint(
                        format!("aws.network.{path}"),
                        "subnet ids need `aws.network.vpc_id`; without it Terraform creates the VPC and its subnets",
                        "add `aws.network.vpc_id`, or remove the subnet ids",
                    );
                }
            }
            if let Some(z) = n.availability_zones {
                if !(2..=6).contains(&z) {
                    d.error_hint(
                        "aws.network.availability_zones",
                        format!("{z} is not between 2 and 6"),
                        "a load balancer and a Multi-AZ database need at least two zones",
                    );
                }
            }
            if n.single_nat_gateway == Some(true) && spec.environment == "production" {
                d.error_hint(
                    "aws.network.single_nat_gateway",
                    "production needs a NAT gateway per zone: one shared gateway is a single point of failure",
                    "remove it (production defaults to one per zone)",
                );
            }
            match a.vpc_cidrs.first().map(|c| crate::cidr::parse(c)) {
                Some(Some(crate::cidr::Cidr::V4(_, len))) if !(16..=24).contains(&len) => {
                    d.error_hint(
                        "aws.vpc_cidrs[0]",
                        format!("a /{len} network cannot hold the created VPC's subnets"),
                        "use a /16 to /24 IPv4 range; Terraform splits it into /20 to /28 subnets",
                    );
                }
                Some(Some(crate::cidr::Cidr::V6(..))) => d.error_hint(
                    "aws.vpc_cidrs[0]",
                    "the VPC Terraform creates needs an IPv4 range first",
                    "list the IPv4 range first (`10.0.0.0/16`)",
                ),
                _ => {}
            }
        }
    }
}

fn check_ecs(e: &EcsTarget, d: &mut Diagnostics) {
    if e.cluster.is_empty() {
        d.error_hint(
            "targets.ecs.cluster",
            "missing",
            "name the ECS cluster the service runs in",
        );
    } else if e.cluster.len() > 255
        || !e
            .cluster
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
    {
        d.error(
            "targets.ecs.cluster",
            format!("`{}` is not an ECS cluster name", e.cluster),
        );
    }
    if e.subnets.is_empty() {
        d.error_hint(
            "targets.ecs.subnets",
            "missing: the service needs subnets",
            "list private subnet ids (`subnet-0123456789abcdef0`)",
        );
    }
    for (i, s) in e.subnets.iter().enumerate() {
        if !check::aws_id(s, "subnet-", &[8, 17]) {
            d.error(
                format!("targets.ecs.subnets[{i}]"),
                format!("`{s}` is not a subnet id"),
            );
        }
    }
    if e.security_groups.is_empty() {
        d.error_hint(
            "targets.ecs.security_groups",
            "missing: the service needs security groups",
            "list a group that admits the ALB on port 8001 (`sg-0123456789abcdef0`)",
        );
    }
    for (i, s) in e.security_groups.iter().enumerate() {
        if !check::aws_id(s, "sg-", &[8, 17]) {
            d.error(
                format!("targets.ecs.security_groups[{i}]"),
                format!("`{s}` is not a security group id"),
            );
        }
    }
    if let Some(tg) = &e.target_group_arn {
        if !check::arn(tg, "elasticloadbalancing") || !tg.contains(":targetgroup/") {
            d.error(
                "targets.ecs.target_group_arn",
                format!("`{tg}` is not a target group ARN"),
            );
        }
    }
    for (field, v) in [
        ("execution_role_arn", &e.execution_role_arn),
        ("task_role_arn", &e.task_role_arn),
    ] {
        if let Some(a) = v {
            if !check::arn(a, "iam") || !a.contains(":role/") {
                d.error(
                    format!("targets.ecs.{field}"),
                    format!("`{a}` is not an IAM role ARN"),
                );
            }
        }
    }
    if let Some(cp) = &e.capacity_provider {
        if cp.is_empty()
            || !cp
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
        {
            d.error(
                "targets.ecs.capacity_provider",
                format!("`{cp}` is not a capacity provider name"),
            );
        }
    }
    match (e.launch_type, e.cpu, e.memory) {
        (LaunchType::Fargate, Some(c), Some(m)) if !is_fargate_size(c, m) => d.error_hint(
            "targets.ecs.cpu",
            format!("`{c}` CPU units with `{m}` MiB is not a Fargate task size"),
            format!("valid pairs (CPU: MiB): {}", fargate_pairs_hint()),
        ),
        (_, Some(_), None) => d.error_hint(
            "targets.ecs.memory",
            "missing: `targets.ecs.cpu` is set, memory must be too",
            "set both, or neither to derive the size from `app.cpu` and `app.memory`",
        ),
        (_, None, Some(_)) => d.error_hint(
            "targets.ecs.cpu",
            "missing: `targets.ecs.memory` is set, cpu must be too",
            "set both, or neither to derive the size from `app.cpu` and `app.memory`",
        ),
        _ => {}
    }
    if let Some(lb) = &e.load_balancer_arn {
        if !check::arn(lb, "elasticloadbalancing") || !lb.contains(":loadbalancer/app/") {
            d.error_hint(
                "targets.ecs.load_balancer_arn",
                format!("`{lb}` is not an Application Load Balancer ARN"),
                "use `arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID`",
            );
        } else if e.target_group_arn.is_none() {
            d.error_hint(
                "targets.ecs.load_balancer_arn",
                "a load balancer without `targets.ecs.target_group_arn` has no target to route to",
                "set `targets.ecs.target_group_arn`",
            );
        }
    }
    if let Some(m) = &e.image_registry_mirror {
        let m = m.trim_end_matches('/');
        if m.is_empty() || !check::image_repository(m) || m.contains(':') {
            d.error_hint(
                "targets.ecs.image_registry_mirror",
                format!("`{m}` is not a registry prefix"),
                "write a registry host and path, such as `123456789012.dkr.ecr.eu-central-1.amazonaws.com/docker-hub`",
            );
        }
    }
    for (name, a) in &e.secret_arns {
        let path = format!("targets.ecs.secret_arns.{name}");
        if !(check::arn(a, "secretsmanager") || check::arn(a, "ssm")) {
            d.error(
                path,
                format!("`{a}` is not a Secrets Manager or SSM parameter ARN"),
            );
        }
    }
}

fn check_secrets(spec: &Spec, d: &mut Diagnostics) {
    let used = secret_refs(spec);
    for (path, r) in &used {
        if let Some(problem) = secret_name_problem(r.name()) {
            d.error_hint(
                path.as_str(),
                problem,
                "name the secret like `db-password`; the value stays outside the spec",
            );
        }
    }
    if let Some(e) = &spec.targets.ecs {
        let names: BTreeSet<&str> = used.iter().map(|(_, r)| r.name()).collect();
        for name in e.secret_arns.keys() {
            if !names.contains(name.as_str()) {
                d.error_hint(
                    format!("targets.ecs.secret_arns.{name}"),
                    format!("`{name}` is not a secret this spec uses"),
                    format!(
                        "known secrets: {}",
                        names.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }
    }
}

/// Every secret reference the spec uses, with its field path: the built-in ones (bundled-only
/// secrets only when the database is bundled, optional ones only when set), then every
/// `app.env` variable given as `{ secret: NAME }` (`app.env.SMTP_PASSWORD`).
pub fn secret_refs(spec: &Spec) -> Vec<(String, &SecretRef)> {
    let mut v: Vec<(&'static str, &SecretRef)> = vec![
        ("app.app_secret", &spec.app.app_secret),
        ("database.password", &spec.database.password),
        ("database.url_secret", &spec.database.url_secret),
    ];
    if let Some(p) = &spec.app.admin_password {
        v.push(("app.admin_password", p));
    }
    if let Some(m) = &spec.app.mailer {
        v.push(("app.mailer.url", &m.url));
    }
    if spec.database.mode == DatabaseMode::Bundled {
        v.push(("database.root_password", &spec.database.root_password));
    }
    if spec.monitoring.datadog.enabled {
        v.push((
            "monitoring.datadog.api_key",
            &spec.monitoring.datadog.api_key,
        ));
    }
    let mut v: Vec<(String, &SecretRef)> = v.into_iter().map(|(p, r)| (p.to_string(), r)).collect();
    for (name, value) in &spec.app.env {
        if let Some(r) = value.secret() {
            v.push((format!("app.env.{name}"), r));
        }
    }
    v
}

impl Validated {
    /// Checks what one target needs beyond a valid spec, with the same kind of error.
    ///
    /// Kubernetes and ECS run replicas on several hosts, so several replicas need shared
    /// (ReadWriteMany) storage there; ECS needs `targets.ecs` and an external database.
    pub fn check_target(&self, target: Target) -> Result<(), Diagnostics> {
        let s = &self.spec;
        let mut d = Diagnostics::default();
        let many = self.max_replicas() > 1;
        if target.is_multi_host() && many && s.storage.class == StorageClass::Local {
            d.error_hint(
                "storage.class",
                format!(
                    "`local` storage is ReadWriteOnce but up to {} replicas can run on {}",
                    self.max_replicas(),
                    target.as_str()
                ),
                "use `efs` or `shared` (ReadWriteMany) storage, or run one replica",
            );
        }
        let efs_missing = s.storage.class == StorageClass::Efs && s.storage.efs.is_none();
        match target {
            Target::Kubernetes | Target::Ecs if efs_missing => {
                let terraform_volume = target == Target::Kubernetes
                    && self.names().eks.is_some_and(|e| e.storage_class.is_some());
                if !terraform_volume {
                    d.error_hint(
                        "storage.efs",
                        format!(
                            "missing: {} mounts the file system by id, which exists only after Terraform created it",
                            target.as_str()
                        ),
                        "after `terraform apply`, copy `terraform output efs_file_system_id` (and the access points) into `storage.efs` and render again",
                    );
                }
            }
            _ => {}
        }
        match target {
            Target::Kubernetes => {
                // Absent, the class follows from ACM and WAF (`names::ingress_class`); only an
                // explicit other class contradicts them.
                let explicit = s.targets.kubernetes.ingress_class;
                if s.ingress.tls.mode == TlsMode::Acm && explicit == Some(IngressClass::Nginx) {
                    d.error_hint(
                        "targets.kubernetes.ingress_class",
                        "TLS mode `acm` needs the ALB ingress class",
                        "remove `targets.kubernetes.ingress_class` (it defaults to `alb` here), or use `ingress.tls.mode: secret`",
                    );
                }
                if s.ingress.waf_acl_arn.is_some() && explicit == Some(IngressClass::Nginx) {
                    d.error_hint(
                        "ingress.waf_acl_arn",
                        "a WAF web ACL needs the ALB ingress class",
                        "remove `targets.kubernetes.ingress_class` (it defaults to `alb` here)",
                    );
                }
            }
            Target::Ecs => match &s.targets.ecs {
                None => d.error_hint(
                    "targets.ecs",
                    "missing: rendering ECS needs a cluster, subnets and security groups",
                    "add a `targets.ecs` section",
                ),
                Some(_) => {
                    if s.database.mode == DatabaseMode::Bundled {
                        d.error_hint(
                            "database.mode",
                            "a bundled database cannot run on ECS sensibly (no durable task storage, no stable address)",
                            "use `database.mode: external` with an RDS endpoint in `database.host`",
                        );
                    }
                    if s.storage.class != StorageClass::Efs {
                        d.error_hint(
                            "storage.class",
                            "ECS tasks keep no local volume across restarts; Kimai's data would be lost",
                            "use `storage.class: efs` with `storage.efs.file_system_id`",
                        );
                    }
                }
            },
            Target::Terraform => {
                if s.aws.is_none() {
                    d.error_hint(
                        "aws",
                        "missing: the AWS platform needs the region and account",
                        "add `aws: { region: eu-central-1, account_id: \"123456789012\" }`",
                    );
                }
            }
            Target::Compose | Target::Ansible => {}
        }
        d.into_result(())
    }
}

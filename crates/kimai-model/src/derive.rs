//! Values derived from a validated spec once, so no renderer re-derives them:
//! the Kimai environment, `DATABASE_URL`, `TRUSTED_HOSTS`, `DEFAULT_URI`, replica policy.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::quantity::{Bytes, Millicores};
use crate::secret::SecretRef;
use crate::spec::*;
use crate::validate::{secret_refs, Validated};

/// Everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`): PHP's `rawurlencode`.
const USERINFO: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `s` for the user or password part of a URL (`/`, `@`, `:`, `%`, space ...).
pub fn url_encode(s: &str) -> String {
    utf8_percent_encode(s, USERINFO).to_string()
}

/// Kimai's HTTP port in the Apache image.
pub const KIMAI_PORT: u16 = 8001;
/// The login page: the one unauthenticated page that proves PHP, Symfony and the database work.
pub const HEALTH_PATH: &str = "/en/login";
/// The Host header health checks send, which `TRUSTED_HOSTS` always admits.
pub const HEALTH_HOST: &str = "localhost";
/// Seconds a first start may take (migrations, cache warm-up) before health checks count.
pub const STARTUP_BUDGET_SECONDS: u32 = 300;
/// Directories under `/opt/kimai/var` that must persist, with their volume suffix.
pub const PERSISTENT_DIRS: [(&str, &str); 3] = [
    ("data", "/opt/kimai/var/data"),
    ("plugins", "/opt/kimai/var/plugins"),
    ("invoices", "/opt/kimai/var/invoices"),
];
/// Where `local.yaml` is mounted.
pub const LOCAL_YAML_PATH: &str = "/opt/kimai/config/packages/local.yaml";
/// Characters Kimai accepts in a password (`ADMINPASS` included), both ends inclusive.
pub const ADMIN_PASSWORD_LENGTH: (usize, usize) = (8, 60);
/// Linux capabilities the image needs; all others dropped. The root entrypoint chowns `var/`
/// and switches Apache's workers to `www-data` (CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID).
/// KILL: Apache's parent keeps running as root and signals its `www-data` children (graceful
/// stop on SIGWINCH, restart, shutdown); the kernel lets a process signal another uid only when
/// their real or effective uids match or it holds CAP_KILL, so without it the children never
/// see the stop signal and every stop waits for SIGKILL. Pod Security "baseline" allows KILL.
pub const CAPABILITIES: [&str; 6] = [
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "KILL",
    "SETGID",
    "SETUID",
];
/// Capabilities of an image whose root entrypoint fixes ownership and then `exec`s its server
/// as another user (the MySQL/MariaDB images, through `gosu`): no root parent stays behind to
/// signal it, so no KILL.
pub const ROOT_ENTRYPOINT_CAPABILITIES: [&str; 5] =
    ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"];

/// The address ranges a VPC uses when the spec names none (`aws.vpc_cidrs`): RFC 1918.
pub const DEFAULT_VPC_CIDRS: [&str; 3] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/// Seconds a load balancer (ALB target group, ECS and Kubernetes alike) keeps a deregistered
/// target for its in-flight requests before closing them. Terraform, ECS and Kubernetes all
/// take it from here.
pub const DEREGISTRATION_DELAY_SECONDS: u32 = 30;
/// Seconds Apache gets to finish after its stop signal before it is killed (ECS
/// `stopTimeout`, the tail of Kubernetes' grace period). ECS signals a task only after the
/// deregistration delay, so nothing new arrives by then; a request still running after the
/// delay has been cut by the load balancer already, so waiting longer buys nothing.
pub const STOP_GRACE_SECONDS: u32 = DEREGISTRATION_DELAY_SECONDS;

/// How many Kimai replicas run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replicas {
    /// A fixed count.
    Fixed(u32),
    /// An autoscaler keeps the count between `min` and `max`.
    Auto {
        /// Fewest replicas.
        min: u32,
        /// Most replicas.
        max: u32,
    },
}

/// One value of Kimai's environment, before a target lowers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    /// A plain value, byte-exact.
    Plain(String),
    /// The value of a secret, by reference.
    Secret(SecretRef),
    /// `DATABASE_URL`: needs the password URL-encoded inside it.
    DatabaseUrl,
}

/// The parts of `DATABASE_URL` except the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    /// User name, already URL-encoded.
    pub user: String,
    /// Host name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Database name.
    pub name: String,
    /// `charset=utf8mb4&serverVersion=...`.
    pub query: String,
    /// The password secret.
    pub password: SecretRef,
}

impl DatabaseUrl {
    /// The URL with `password` (already URL-encoded, or a target's placeholder such as
    /// `${DB_PASSWORD_URLENCODED}`) in the password position.
    pub fn with_password(&self, password: &str) -> String {
        let (before, after) = self.around_password();
        format!("{before}{password}{after}")
    }

    /// The URL's text before and after the password, for targets that put a reference there
    /// (`${DB_PASSWORD_URLENCODED}`, `$(DB_PASSWORD_URLENCODED)`) and escape the rest.
    pub fn around_password(&self) -> (String, String) {
        (
            format!("mysql://{}:", self.user),
            format!("@{}:{}/{}?{}", self.host, self.port, self.name, self.query),
        )
    }
}

impl Validated {
    /// The spec as written (with defaults applied).
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// `name`: the prefix of every resource name.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// `environment`.
    pub fn environment(&self) -> &str {
        &self.spec.environment
    }

    /// The public host.
    pub fn host(&self) -> &str {
        self.spec.ingress.host.as_deref().unwrap_or_default()
    }

    /// `image:version`.
    pub fn image(&self) -> String {
        format!("{}:{}", self.spec.app.image, self.spec.app.version)
    }

    /// Kimai's CPU request.
    pub fn app_cpu(&self) -> Millicores {
        self.app_cpu
    }

    /// Kimai's memory request and limit.
    pub fn app_memory(&self) -> Bytes {
        self.app_memory
    }

    /// The bundled database's CPU request.
    pub fn db_cpu(&self) -> Millicores {
        self.db_cpu
    }

    /// The bundled database's memory.
    pub fn db_memory(&self) -> Bytes {
        self.db_memory
    }

    /// Size of each Kimai volume.
    pub fn storage_size(&self) -> Bytes {
        self.storage_size
    }

    /// Size of the bundled database's volume.
    pub fn db_storage_size(&self) -> Bytes {
        self.db_storage_size
    }

    /// The database server version, defaulted per engine (`8.4`, `11.4`).
    pub fn db_version(&self) -> &str {
        &self.db_version
    }

    /// The bundled database image (`mysql:8.4`, `mariadb:11.4`).
    pub fn db_image(&self) -> String {
        match self.spec.database.engine {
            DatabaseEngine::Mysql => format!("mysql:{}", self.db_version),
            DatabaseEngine::Mariadb => format!("mariadb:{}", self.db_version),
        }
    }

    /// Doctrine's `serverVersion` (`8.4.0`, `11.4.0-MariaDB`).
    pub fn server_version(&self) -> String {
        let v = if self.db_version.matches('.').count() == 1 {
            format!("{}.0", self.db_version)
        } else {
            self.db_version.clone()
        };
        match self.spec.database.engine {
            DatabaseEngine::Mysql => v,
            DatabaseEngine::Mariadb => format!("{v}-MariaDB"),
        }
    }

    /// The replica policy.
    pub fn replicas(&self) -> Replicas {
        match &self.spec.scaling {
            Some(s) => Replicas::Auto {
                min: s.min_replicas,
                max: s.max_replicas,
            },
            None => Replicas::Fixed(self.spec.app.replicas),
        }
    }

    /// The most replicas that can run at once.
    pub fn max_replicas(&self) -> u32 {
        match self.replicas() {
            Replicas::Fixed(n) => n,
            Replicas::Auto { max, .. } => max,
        }
    }

    /// The fewest replicas that run (the fixed count, or the autoscaler's minimum).
    pub fn min_replicas(&self) -> u32 {
        match self.replicas() {
            Replicas::Fixed(n) => n,
            Replicas::Auto { min, .. } => min,
        }
    }

    /// True when TLS is terminated somewhere in front of Kimai.
    pub fn is_https(&self) -> bool {
        self.spec.ingress.tls.mode != TlsMode::None
    }

    /// `DEFAULT_URI`: the public base URL.
    pub fn default_uri(&self) -> String {
        let scheme = if self.is_https() { "https" } else { "http" };
        format!("{scheme}://{}", self.host())
    }

    /// Every public host name: `ingress.host` then the aliases.
    pub fn hosts(&self) -> Vec<&str> {
        std::iter::once(self.host())
            .chain(self.spec.ingress.aliases.iter().map(String::as_str))
            .collect()
    }

    /// `TRUSTED_HOSTS`: one anchored regex admitting `localhost`, `127.0.0.1` (the image's own
    /// health check), the public hosts, and `extra` patterns a target needs (already regex).
    pub fn trusted_hosts(&self, extra: &[&str]) -> String {
        let mut alts = vec![r"localhost".to_string(), r"127\.0\.0\.1".to_string()];
        alts.extend(self.hosts().iter().map(|h| h.replace('.', r"\.")));
        alts.extend(extra.iter().map(|e| e.to_string()));
        format!("^({})$", alts.join("|"))
    }

    /// The VPC's address ranges: `aws.vpc_cidrs`, else [`DEFAULT_VPC_CIDRS`].
    pub fn vpc_cidrs(&self) -> Vec<String> {
        match &self.spec.aws {
            Some(a) if !a.vpc_cidrs.is_empty() => a.vpc_cidrs.clone(),
            _ => DEFAULT_VPC_CIDRS.iter().map(|c| c.to_string()).collect(),
        }
    }

    /// `TRUSTED_HOSTS` alternatives admitting the VPC's addresses ([`Self::vpc_cidrs`]) as
    /// `Host`: load-balancer health checks send the target's address there, which Kimai would
    /// otherwise answer with HTTP 400. No braces: Symfony wraps each pattern in `{...}i`.
    pub fn balancer_host_patterns(&self) -> String {
        crate::cidr::host_patterns(&self.vpc_cidrs())
    }

    /// `TRUSTED_PROXIES`.
    pub fn trusted_proxies(&self) -> String {
        if self.spec.app.trusted_proxies.is_empty() {
            "127.0.0.1,REMOTE_ADDR".into()
        } else {
            self.spec.app.trusted_proxies.join(",")
        }
    }

    /// The database host for a bundled server reachable as `bundled_host`, or the external host.
    pub fn database_host<'a>(&'a self, bundled_host: &'a str) -> &'a str {
        match self.spec.database.mode {
            DatabaseMode::Bundled => bundled_host,
            DatabaseMode::External => self.spec.database.host.as_deref().unwrap_or_default(),
        }
    }

    /// `DATABASE_URL` without its password; `bundled_host` names a bundled server on this target.
    pub fn database_url(&self, bundled_host: &str) -> DatabaseUrl {
        let db = &self.spec.database;
        DatabaseUrl {
            user: url_encode(&db.user),
            host: self.database_host(bundled_host).to_string(),
            port: db.port,
            name: db.name.clone(),
            query: format!("charset=utf8mb4&serverVersion={}", self.server_version()),
            password: db.password.clone(),
        }
    }

    /// Kimai's environment, the same on every target, sorted by name. `extra_trusted_hosts`
    /// are regex alternatives a target adds to `TRUSTED_HOSTS` (see [`Self::trusted_hosts`]).
    pub fn kimai_env(&self, extra_trusted_hosts: &[&str]) -> Vec<(String, EnvValue)> {
        let app = &self.spec.app;
        let mut env: Vec<(String, EnvValue)> = vec![
            ("APP_ENV".into(), EnvValue::Plain("prod".into())),
            (
                "APP_SECRET".into(),
                EnvValue::Secret(app.app_secret.clone()),
            ),
            ("DATABASE_URL".into(), EnvValue::DatabaseUrl),
            ("DEFAULT_URI".into(), EnvValue::Plain(self.default_uri())),
            (
                "TRUSTED_HOSTS".into(),
                EnvValue::Plain(self.trusted_hosts(extra_trusted_hosts)),
            ),
            (
                "TRUSTED_PROXIES".into(),
                EnvValue::Plain(self.trusted_proxies()),
            ),
            ("TZ".into(), EnvValue::Plain(app.timezone.clone())),
        ];
        if let Some(mail) = &app.admin_email {
            env.push(("ADMINMAIL".into(), EnvValue::Plain(mail.clone())));
        }
        if let Some(pass) = &app.admin_password {
            env.push(("ADMINPASS".into(), EnvValue::Secret(pass.clone())));
        }
        if let Some(m) = &app.mailer {
            env.push(("MAILER_FROM".into(), EnvValue::Plain(m.from.clone())));
            env.push(("MAILER_URL".into(), EnvValue::Secret(m.url.clone())));
        }
        for (k, v) in &app.env {
            let value = match v.secret() {
                Some(r) => EnvValue::Secret(r.clone()),
                None => EnvValue::Plain(v.plain().unwrap_or_default().to_string()),
            };
            env.push((k.clone(), value));
        }
        // Sized with Apache's workers to fit the container (see `Validated::workers`).
        let workers = self.workers();
        if !workers.memory_limit_from_spec {
            env.push((
                "memory_limit".into(),
                EnvValue::Plain(format!("{}M", workers.memory_limit_mib)),
            ));
        }
        env.sort_by(|a, b| a.0.cmp(&b.0));
        env
    }

    /// Every secret this spec references, sorted and without duplicates.
    pub fn secrets(&self) -> Vec<SecretRef> {
        let mut v: Vec<SecretRef> = secret_refs(&self.spec)
            .into_iter()
            .map(|(_, r)| r.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Datadog unified service tags: `(env, service, version)`.
    pub fn datadog_tags(&self) -> (&str, &str, &str) {
        (
            &self.spec.environment,
            &self.spec.name,
            &self.spec.app.version,
        )
    }

    /// Every platform name of this deployment, derived once ([`crate::names`]).
    pub fn names(&self) -> crate::names::Names {
        self.names
            .get_or_init(|| crate::names::Names::new(self))
            .clone()
    }

    /// Terraform (the `terraform` target) owns the ECS task definition and service: ECS is a
    /// target and Terraform creates the network they run in (no `aws.network.vpc_id`). With an
    /// existing network the `ecs/` CLI files deploy the service.
    pub fn terraform_owns_ecs_service(&self) -> bool {
        self.spec.targets.ecs.is_some()
            && self
                .spec
                .aws
                .as_ref()
                .is_some_and(|a| a.network.vpc_id.is_none())
    }

    /// The S3 key prefix of backups ([`crate::names::Names::backup_prefix`]).
    pub fn backup_prefix(&self) -> Option<String> {
        self.names().backup_prefix
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoding_covers_every_breaking_character() {
        assert_eq!(
            url_encode("S3cr3t/@:?#&%+ $x'\"!"),
            "S3cr3t%2F%40%3A%3F%23%26%25%2B%20%24x%27%22%21"
        );
        assert_eq!(url_encode("a-b.c_d~e"), "a-b.c_d~e");
        assert_eq!(url_encode("ü"), "%C3%BC");
    }
}

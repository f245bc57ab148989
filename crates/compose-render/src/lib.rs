//! Renders a validated Kimai deployment model as a Docker Compose project.
//!
//! One free function, [`render`], turns a [`Validated`] model into `compose.yaml` (compose-spec,
//! no `version:` key), `.env.example`, the NGINX proxy config, a deploy note and `.gitignore`.
//! Services: `kimai` (Apache image on 8001), `db` when the database is bundled, `proxy` (NGINX,
//! TLS from operator-supplied PEM files in `certs/`), and `datadog` when enabled.
//!
//! Secrets reach compose.yaml only as `${VAR}` references to a git-ignored `.env`
//! ([`secret_bindings`] lists them, [`env_file`] writes one for tools that hold the values).
//! Every literal `$` is escaped as `$$`, and every string a YAML 1.1 reader could misread is
//! quoted, so env values arrive byte-exact.
//!
//! ```
//! let model = kimai_model::load(b"name: kimai\ningress: { host: kimai.example.com }\n", kimai_model::Format::Yaml).unwrap();
//! let out = compose_render::render(&model, &compose_render::Options::default()).unwrap();
//! let compose = &out.file("compose.yaml").unwrap().contents;
//! assert!(compose.contains("image: kimai/kimai2:2.66.0"));
//! assert!(compose.contains("${DB_PASSWORD_URLENCODED:?set DB_PASSWORD_URLENCODED in .env}"));
//! assert!(out.file(".env.example").unwrap().contents.contains("\nDB_PASSWORD=\n"));
//! ```
//!
//! Architecture invariant: this crate depends on `kimai-model` and format crates only; it does
//! no I/O. It never sees a secret value except through [`env_file`], whose output is the
//! caller's to protect.

mod compose;
mod env;
mod network;
mod services;
mod text;

use std::collections::BTreeMap;

use kimai_model::yaml::{to_yaml, Comments};
use kimai_model::{Notice, OutputFile, Rendered, StorageClass, Target, TlsMode, Validated};
use serde::Serialize;

pub use compose::*;
pub use env::{dotenv_quote, env_example, env_file, secret_bindings};
pub use network::{balancer_cidrs, default_subnet, proxy_network, ProxyNetwork};
pub use services::{BACKEND, DATADOG, DB, FRONTEND, KIMAI, MIGRATE, PROXY};
pub use text::{Part, Text};

/// Options of the Compose renderer. Nothing is required; the spec carries the deployment.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model cannot be expressed on this target.
    #[error(transparent)]
    Invalid(#[from] kimai_model::Diagnostics),
    /// A value could not be serialised.
    #[error("cannot serialise compose output: {0}")]
    Serialize(#[from] serde_json::Error),
    /// A text template failed.
    #[error("cannot render template `{name}`: {source}")]
    Template {
        /// The template.
        name: &'static str,
        /// What went wrong.
        source: minijinja::Error,
    },
}

/// The compose project as typed objects, before serialisation.
pub fn compose_file(model: &Validated) -> ComposeFile {
    let spec = model.spec();
    let tls_files = spec.ingress.tls.mode == TlsMode::Files;
    let name = project_name(model);
    let network = proxy_network(model, &name);
    let mut services = BTreeMap::new();
    let kimai = services::kimai(model, model.min_replicas(), &network);
    services.insert(MIGRATE.to_string(), services::migrate(model, &kimai));
    services.insert(KIMAI.to_string(), kimai);
    services.insert(
        PROXY.to_string(),
        services::proxy(model, tls_files, &network),
    );
    let mut volumes: BTreeMap<String, Volume> = kimai_model::PERSISTENT_DIRS
        .iter()
        .map(|(suffix, _)| (services::kimai_volume(suffix), Volume::default()))
        .collect();
    if spec.database.mode == kimai_model::DatabaseMode::Bundled {
        services.insert(DB.to_string(), services::database(model));
        volumes.insert(services::DB_VOLUME.to_string(), Volume::default());
    }
    if spec.monitoring.datadog.enabled {
        services.insert(DATADOG.to_string(), services::datadog(model));
    }
    ComposeFile {
        name,
        services,
        networks: BTreeMap::from([
            (
                BACKEND.to_string(),
                Network {
                    internal: spec.database.mode == kimai_model::DatabaseMode::Bundled,
                    ipam: None,
                },
            ),
            (
                FRONTEND.to_string(),
                Network {
                    internal: false,
                    ipam: Some(Ipam {
                        config: vec![IpamPool {
                            subnet: network.subnet,
                            ip_range: network.ip_range,
                            gateway: network.gateway,
                        }],
                    }),
                },
            ),
        ]),
        volumes,
    }
}

/// The Compose project name (`name-environment`): the prefix of every container, network and
/// volume Docker creates for it.
pub fn project_name(model: &Validated) -> String {
    format!("{}-{}", model.name(), model.environment())
}

fn comments(model: &Validated) -> Comments {
    let mut c = Comments::new();
    let mut add = |path: &str, text: &str| {
        c.insert(path.to_string(), text.to_string());
    };
    add("/services/kimai/healthcheck", "The login page proves Apache, PHP and the database work. Host: localhost passes\nTRUSTED_HOSTS; the first start runs migrations, hence the long start period.");
    add("/services/kimai/cap_drop", "The image's entrypoint runs as root to chown var/ and switch to www-data:\nkeep only the capabilities that needs.");
    add(
        "/services/kimai/stop_signal",
        "Apache stops gracefully on SIGWINCH.",
    );
    let w = model.workers();
    add("/services/kimai/command", &format!("Caps Apache at {} workers (prefork: one process per request), then runs the image's\nentrypoint: one request at memory_limit ({}M) and the rest at an average request's size fit\nbeside opcache, so a burst is queued instead of OOM-killing the container.", w.max, w.memory_limit_mib));
    add("/services/kimai/deploy", "Memory limit equals the request; Apache's workers and PHP's memory_limit are sized to fit it.");
    add("/services/kimai/environment/DATABASE_URL", "The password is URL-encoded in .env (DB_PASSWORD_URLENCODED): `/@:?#%` would break the URL.");
    add(
        "/services/kimai/environment/TRUSTED_HOSTS",
        "One regex; localhost and 127.0.0.1 keep the image's own health check working.",
    );
    add(
        "/services/kimai/environment/TRUSTED_PROXIES",
        "Exactly the proxy's fixed address on the frontend network: Kimai believes\nX-Forwarded-* headers from NGINX only, and NGINX passes on a load balancer's.",
    );
    add(
        "/networks/frontend/ipam",
        "A fixed subnet, so the proxy has a fixed address Kimai can trust; other containers\nget addresses from the upper half (targets.compose.proxy_subnet overrides it).",
    );
    add(
        "/services/kimai/volumes",
        "var/data, var/plugins and var/invoices must persist; cache and logs need not.",
    );
    if model.spec().database.mode == kimai_model::DatabaseMode::Bundled {
        add(
            "/networks/backend",
            "The database network has no route outside the host.",
        );
    }
    add(
        "/services/migrate",
        "Migrations once per version: `kimai:install -n` under a MySQL named lock, before Kimai\nstarts (Kimai's own install at start then finds nothing to migrate). Re-runs when this\ndefinition changes, such as a new image tag.",
    );
    add(
        "/services/proxy/depends_on",
        "NGINX resolves `kimai` at start, so it waits for Kimai to be healthy.",
    );
    c
}

fn notices(model: &Validated) -> Vec<Notice> {
    let spec = model.spec();
    let mut n = Vec::new();
    let mut add = |path: &str, message: String| {
        n.push(Notice {
            target: "compose",
            path: path.into(),
            message,
        });
    };
    if let Some(s) = &spec.scaling {
        add(
            "scaling",
            format!(
                "Compose has no autoscaler; it runs min_replicas ({}) replicas",
                s.min_replicas
            ),
        );
    }
    match spec.ingress.tls.mode {
        TlsMode::Acm => add(
            "ingress.tls.mode",
            "ACM certificates live on an AWS load balancer; the proxy serves plain HTTP for one in front".into(),
        ),
        TlsMode::Secret => add(
            "ingress.tls.mode",
            "a Kubernetes TLS Secret is not available to Compose; the proxy serves plain HTTP (use `files`)".into(),
        ),
        TlsMode::None | TlsMode::Files => {}
    }
    if let Some(issuer) = &spec.ingress.tls.cluster_issuer {
        add(
            "ingress.tls.cluster_issuer",
            format!("cert-manager (`{issuer}`) does not run under Compose"),
        );
    }
    if spec.ingress.waf_acl_arn.is_some() {
        add(
            "ingress.waf_acl_arn",
            "a WAF attaches to an AWS load balancer, not to the Compose proxy".into(),
        );
    }
    match spec.storage.class {
        StorageClass::Efs => add(
            "storage.class",
            "Compose keeps Kimai's data in local named volumes on the host, not on EFS".into(),
        ),
        StorageClass::Shared => add(
            "storage.class",
            "Compose keeps Kimai's data in local named volumes on the host, not on a shared StorageClass".into(),
        ),
        StorageClass::Local => {}
    }
    if spec.backup.is_some() {
        let how = match spec.database.mode {
            kimai_model::DatabaseMode::Bundled => {
                "the Ansible target installs it as a host cron job; the deploy note shows the dump command"
            }
            kimai_model::DatabaseMode::External => {
                "back up the external database with its own service (RDS automated backups or a scheduled dump)"
            }
        };
        add("backup", format!("Compose has no scheduler; {how}"));
    }
    if spec.database.read_replica_host.is_some() {
        add(
            "database.read_replica_host",
            "Kimai reads and writes through database.host; the replica is not used".into(),
        );
    }
    n
}

#[derive(Serialize)]
struct ServiceRow {
    name: String,
    image: String,
    role: &'static str,
}

fn template(
    name: &'static str,
    source: &'static str,
    ctx: minijinja::Value,
) -> Result<String, Error> {
    // Each template is compiled once per process, on first use (strict undefined, trailing
    // newline kept); later renders only evaluate it.
    static ENV: std::sync::OnceLock<std::sync::Mutex<minijinja::Environment<'static>>> =
        std::sync::OnceLock::new();
    let lock = ENV.get_or_init(|| {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        std::sync::Mutex::new(env)
    });
    let mut env = lock
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if env.get_template(name).is_err() {
        env.add_template(name, source)
            .map_err(|source| Error::Template { name, source })?;
    }
    env.get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|source| Error::Template { name, source })
}

/// Renders the Compose project. Fails only when the model cannot be expressed on Compose.
pub fn render(model: &Validated, _options: &Options) -> Result<Rendered, Error> {
    model.check_target(Target::Compose)?;
    let spec = model.spec();
    let project = compose_file(model);
    let header = format!(
        "Generated by kimai-deploy for {} ({}). Do not edit: change the spec and regenerate.\n\
         Apply: fill .env from .env.example, then `docker compose up -d`.",
        model.name(),
        model.environment()
    );
    let compose_yaml = to_yaml(&project, &header, &comments(model))?;
    let tls = spec.ingress.tls.mode == TlsMode::Files;
    let behind_balancer = spec.ingress.tls.mode == TlsMode::Acm;
    let network = proxy_network(model, &project.name);
    let balancer_source = if spec.app.trusted_proxies.is_empty() {
        "the private IPv4 ranges; list the VPC's CIDRs in app.trusted_proxies to narrow it"
    } else {
        "app.trusted_proxies"
    };
    let nginx = template(
        "kimai.conf",
        include_str!("../templates/kimai.conf.j2"),
        minijinja::context! {
            name => model.name(),
            environment => model.environment(),
            port => kimai_model::KIMAI_PORT,
            hosts => model.hosts(),
            tls => tls,
            behind_balancer => behind_balancer,
            balancer_cidrs => balancer_cidrs(model),
            balancer_source => balancer_source,
            proxy_address => network.proxy_address.clone(),
            acme_webroot => services::ACME_WEBROOT,
            max_body_mib => spec.ingress.max_body_mib,
        },
    )?;
    let notices = notices(model);
    let roles = [
        (KIMAI, "Kimai (Apache, port 8001)"),
        (
            MIGRATE,
            "one-shot: database migrations under a lock, before Kimai starts",
        ),
        (DB, "the bundled database"),
        (PROXY, "NGINX reverse proxy"),
        (DATADOG, "Datadog agent"),
    ];
    let rows: Vec<ServiceRow> = roles
        .iter()
        .filter_map(|(name, role)| {
            project.services.get(*name).map(|s| ServiceRow {
                name: name.to_string(),
                image: s.image.clone(),
                role,
            })
        })
        .collect();
    let tls_note = match spec.ingress.tls.mode {
        TlsMode::None => "none; the proxy serves plain HTTP.",
        _ => "terminated in front of this host; the proxy serves plain HTTP.",
    };
    let dump = match (spec.database.mode, spec.database.engine) {
        (kimai_model::DatabaseMode::External, _) => String::new(),
        (_, kimai_model::DatabaseEngine::Mysql) => format!(
            "docker compose exec db sh -c 'exec mysqldump --single-transaction -u root -p\"$MYSQL_ROOT_PASSWORD\" --databases {}'",
            spec.database.name
        ),
        (_, kimai_model::DatabaseEngine::Mariadb) => format!(
            "docker compose exec db sh -c 'exec mariadb-dump --single-transaction -u root -p\"$MARIADB_ROOT_PASSWORD\" --databases {}'",
            spec.database.name
        ),
    };
    let readme = template(
        "README.md",
        include_str!("../templates/README.md.j2"),
        minijinja::context! {
            name => model.name(),
            environment => model.environment(),
            secrets => secret_bindings(model)
                .iter()
                .map(|b| minijinja::context! { var => b.var, secret => b.secret.name(), purpose => b.purpose })
                .collect::<Vec<_>>(),
            tls => tls,
            tls_note => tls_note,
            hosts => model.hosts(),
            datadog => spec.monitoring.datadog.enabled,
            memory_mib => model.app_memory().mebibytes(),
            workers => model.workers().max,
            memory_limit => model.workers().memory_limit_mib,
            memory_limit_from_spec => model.workers().memory_limit_from_spec,
            average_worker => kimai_model::AVERAGE_WORKER_MIB,
            opcache => kimai_model::OPCACHE_MIB,
            base => kimai_model::BASE_MIB,
            migrate => MIGRATE,
            migration_lock => model.migration_lock(),
            acme_webroot => services::ACME_WEBROOT,
            proxy_subnet => network.subnet,
            proxy_address => network.proxy_address,
            behind_balancer => behind_balancer,
            balancer_cidrs => balancer_cidrs(model),
            balancer_source => balancer_source,
            startup => kimai_model::STARTUP_BUDGET_SECONDS,
            default_uri => model.default_uri(),
            dump => dump,
            services => rows,
            volumes => project.volumes.keys().collect::<Vec<_>>(),
            notices => notices.iter().map(|n| minijinja::context! { path => n.path, message => n.message }).collect::<Vec<_>>(),
        },
    )?;
    let mut files = vec![
        OutputFile::new("compose.yaml", compose_yaml),
        OutputFile::new(".env.example", env_example(model)),
        OutputFile::new(".gitignore", "# Operator-supplied secrets and certificates never go into git.\n.env\nsecrets/\ncerts/\n"),
        OutputFile::new(services::NGINX_CONF, nginx),
        OutputFile::new("README.md", readme),
    ];
    if let Some(local) = &spec.app.local_yaml {
        let mut text = local.clone();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        files.push(OutputFile::new(services::LOCAL_YAML, text));
    }
    Ok(Rendered { files, notices }.sorted())
}

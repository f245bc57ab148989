//! One function per compose service: Kimai, the bundled database, the proxy, the Datadog agent.

use std::collections::BTreeMap;

use kimai_model::{
    DatabaseEngine, EnvValue, SecretEncoding, SecretRef, Validated, CAPABILITIES, HEALTH_HOST,
    HEALTH_PATH, KIMAI_PORT, LOCAL_YAML_PATH, PERSISTENT_DIRS, STARTUP_BUDGET_SECONDS,
};

use crate::compose::*;
use crate::network::ProxyNetwork;
use crate::text::{Part, Text};

/// Service names; identity derived in one place.
pub const KIMAI: &str = "kimai";
/// The bundled database service (also its host name for `DATABASE_URL`).
pub const DB: &str = "db";
/// The NGINX reverse proxy.
pub const PROXY: &str = "proxy";
/// The Datadog agent.
pub const DATADOG: &str = "datadog";
/// The one-shot migration step.
pub const MIGRATE: &str = kimai_model::MIGRATE;
/// Network of the proxy, Kimai and the agent (has egress).
pub const FRONTEND: &str = "frontend";
/// Internal network of Kimai and the database (no egress).
pub const BACKEND: &str = "backend";
/// Where the generated proxy config lives, relative to compose.yaml.
pub const NGINX_CONF: &str = "nginx/kimai.conf";
/// Where the operator puts certificates (TLS mode `files`).
pub const CERTS_DIR: &str = "certs";
/// The certbot webroot under `certs/` (TLS mode `files`), served on port 80 for
/// `/.well-known/acme-challenge/`.
pub const ACME_WEBROOT: &str = "webroot";
/// Where the generated local.yaml lives.
pub const LOCAL_YAML: &str = "kimai/local.yaml";

/// The `.env` variable carrying `secret` with `encoding`.
pub fn var(secret: &SecretRef, encoding: SecretEncoding) -> String {
    match encoding {
        SecretEncoding::Raw => secret.env_name(),
        SecretEncoding::UrlEncoded => format!("{}_URLENCODED", secret.env_name()),
    }
}

/// Volume name of one of Kimai's persistent directories.
pub fn kimai_volume(suffix: &str) -> String {
    format!("kimai-{suffix}")
}

/// The database's volume.
pub const DB_VOLUME: &str = "db-data";

fn mib(bytes: kimai_model::Bytes) -> String {
    format!("{}m", bytes.mebibytes())
}

fn hardening(cap_add: &[&str]) -> (Vec<String>, Vec<String>, Vec<String>) {
    (
        vec!["ALL".into()],
        cap_add.iter().map(|c| c.to_string()).collect(),
        vec!["no-new-privileges:true".into()],
    )
}

/// The Kimai service.
pub fn kimai(model: &Validated, replicas: u32, network: &ProxyNetwork) -> Service {
    let spec = model.spec();
    let mut environment = BTreeMap::new();
    for (name, value) in model.kimai_env(&[]) {
        let text = match value {
            EnvValue::Plain(s) => Text::lit(s),
            EnvValue::Secret(r) => Text::var(var(&r, SecretEncoding::Raw)),
            EnvValue::DatabaseUrl => {
                let url = model.database_url(DB);
                let (before, after) = url.around_password();
                Text(vec![
                    Part::Lit(before),
                    Part::Var(var(&url.password, SecretEncoding::UrlEncoded)),
                    Part::Lit(after),
                ])
            }
        };
        environment.insert(name, text);
    }
    // What is in front of Kimai here is the proxy, at its fixed address; the proxy itself
    // decides which X-Forwarded-* values of a load balancer in front of it to pass on.
    environment.insert("TRUSTED_PROXIES".into(), Text::lit(&*network.proxy_address));
    let mut labels = BTreeMap::new();
    if spec.monitoring.datadog.enabled {
        let (env, service, version) = model.datadog_tags();
        environment.insert("DD_AGENT_HOST".into(), Text::lit(DATADOG));
        environment.insert("DD_ENV".into(), Text::lit(env));
        environment.insert("DD_SERVICE".into(), Text::lit(service));
        environment.insert("DD_VERSION".into(), Text::lit(version));
        labels.insert("com.datadoghq.tags.env".into(), Text::lit(env));
        labels.insert("com.datadoghq.tags.service".into(), Text::lit(service));
        labels.insert("com.datadoghq.tags.version".into(), Text::lit(version));
        labels.insert(
            "com.datadoghq.ad.logs".into(),
            // With the masks for the secrets the entrypoint traces (kimai_model::LOG_MASKS).
            Text::lit(kimai_model::datadog_log_config(service)),
        );
    }
    let mut volumes: Vec<Mount> = PERSISTENT_DIRS
        .iter()
        .map(|(suffix, path)| Mount::volume(&kimai_volume(suffix), path))
        .collect();
    if spec.app.local_yaml.is_some() {
        volumes.push(Mount::bind_ro(&format!("./{LOCAL_YAML}"), LOCAL_YAML_PATH));
    }
    let mut depends_on = BTreeMap::new();
    if spec.database.mode == kimai_model::DatabaseMode::Bundled {
        depends_on.insert(DB.to_string(), DependsOn::healthy());
    }
    depends_on.insert(MIGRATE.to_string(), DependsOn::completed());
    let (cap_drop, cap_add, security_opt) = hardening(&CAPABILITIES);
    Service {
        image: model.image(),
        restart: "unless-stopped".into(),
        depends_on,
        command: model.kimai_command().into_iter().map(Text::lit).collect(),
        environment,
        volumes,
        networks: ServiceNetworks::of(&[BACKEND, FRONTEND]),
        healthcheck: Some(Healthcheck {
            test: [
                "CMD",
                "curl",
                "-fsS",
                "-o",
                "/dev/null",
                "-H",
                &format!("Host: {HEALTH_HOST}"),
                &format!("http://127.0.0.1:{KIMAI_PORT}{HEALTH_PATH}"),
            ]
            .into_iter()
            .map(Text::from)
            .collect(),
            interval: "20s".into(),
            timeout: "10s".into(),
            retries: 3,
            start_period: format!("{STARTUP_BUDGET_SECONDS}s"),
            start_interval: "5s".into(),
        }),
        deploy: Some(Deploy::sized(
            Some(replicas),
            model.app_cpu().as_cores(),
            mib(model.app_memory()),
            mib(model.app_memory()),
        )),
        logging: Logging::default(),
        stop_signal: Some("SIGWINCH".into()),
        stop_grace_period: Some("30s".into()),
        cap_drop,
        cap_add,
        security_opt,
        labels,
        ..Service::default()
    }
}

/// The one-shot migration step (kimai-model's `migration_command`): `kimai:install -n` under a
/// MySQL named lock, which Kimai waits for with `service_completed_successfully`. Kimai's image,
/// environment and kernel (plugins and local.yaml read-only); runs as `www-data`, no
/// capabilities. Compose re-runs it whenever its definition changes (a new version).
pub fn migrate(model: &Validated, kimai: &Service) -> Service {
    let mut depends_on = BTreeMap::new();
    if model.spec().database.mode == kimai_model::DatabaseMode::Bundled {
        depends_on.insert(DB.to_string(), DependsOn::healthy());
    }
    let volumes = kimai
        .volumes
        .iter()
        .filter(|m| m.source == kimai_volume("plugins") || m.target == LOCAL_YAML_PATH)
        .map(|m| Mount {
            read_only: true,
            ..m.clone()
        })
        .collect();
    let (cap_drop, _, security_opt) = hardening(&[]);
    Service {
        image: kimai.image.clone(),
        restart: "no".into(),
        depends_on,
        command: model
            .migration_command()
            .into_iter()
            .map(Text::lit)
            .collect(),
        environment: kimai
            .environment
            .iter()
            .filter(|(k, _)| kimai_model::migration_needs_env(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        volumes,
        user: Some("www-data".into()),
        networks: ServiceNetworks::of(&[BACKEND]),
        deploy: kimai.deploy.clone().map(|d| Deploy {
            replicas: None,
            ..d
        }),
        logging: Logging::default(),
        cap_drop,
        security_opt,
        ..Service::default()
    }
}

/// The bundled MySQL/MariaDB service.
pub fn database(model: &Validated) -> Service {
    let db = &model.spec().database;
    let prefix = match db.engine {
        DatabaseEngine::Mysql => "MYSQL",
        DatabaseEngine::Mariadb => "MARIADB",
    };
    let environment = BTreeMap::from([
        (format!("{prefix}_DATABASE"), Text::lit(&*db.name)),
        (format!("{prefix}_USER"), Text::lit(&*db.user)),
        (
            format!("{prefix}_PASSWORD"),
            Text::var(var(&db.password, SecretEncoding::Raw)),
        ),
        (
            format!("{prefix}_ROOT_PASSWORD"),
            Text::var(var(&db.root_password, SecretEncoding::Raw)),
        ),
    ]);
    let test: Vec<Text> = match db.engine {
        // TCP to 127.0.0.1: the image's temporary init server listens on the socket only,
        // so the check stays red until the real server is up. `ping` needs no credentials.
        DatabaseEngine::Mysql => vec!["CMD", "mysqladmin", "ping", "--host=127.0.0.1", "--silent"],
        DatabaseEngine::Mariadb => {
            vec!["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"]
        }
    }
    .into_iter()
    .map(Text::from)
    .collect();
    let mut command: Vec<Text> = vec![
        "--character-set-server=utf8mb4".into(),
        "--collation-server=utf8mb4_unicode_ci".into(),
    ];
    if db.port != 3306 {
        command.push(Text::lit(format!("--port={}", db.port)));
    }
    Service {
        image: model.db_image(),
        restart: "unless-stopped".into(),
        command,
        environment,
        volumes: vec![Mount::volume(DB_VOLUME, "/var/lib/mysql")],
        networks: ServiceNetworks::of(&[BACKEND]),
        healthcheck: Some(Healthcheck {
            test,
            interval: "10s".into(),
            timeout: "5s".into(),
            retries: 5,
            start_period: "120s".into(),
            start_interval: "2s".into(),
        }),
        deploy: Some(Deploy::sized(
            None,
            model.db_cpu().as_cores(),
            mib(model.db_memory()),
            mib(model.db_memory()),
        )),
        logging: Logging::default(),
        stop_grace_period: Some("60s".into()),
        ..Service::default()
    }
}

/// The NGINX reverse proxy in front of Kimai.
pub fn proxy(model: &Validated, tls_files: bool, network: &ProxyNetwork) -> Service {
    let c = &model.spec().targets.compose;
    let mut ports = vec![Port {
        target: 80,
        published: c.http_port.to_string(),
        protocol: "tcp".into(),
    }];
    let mut volumes = vec![Mount::bind_ro(
        &format!("./{NGINX_CONF}"),
        "/etc/nginx/conf.d/default.conf",
    )];
    if tls_files {
        ports.push(Port {
            target: 443,
            published: c.https_port.to_string(),
            protocol: "tcp".into(),
        });
        volumes.push(Mount::bind_ro(
            &format!("./{CERTS_DIR}"),
            "/etc/nginx/certs",
        ));
    }
    // NGINX's master runs as root and its workers as `nginx`: KILL lets the master signal
    // them when its channel to a worker fails (see CAPABILITIES for the kernel rule).
    let (cap_drop, cap_add, security_opt) = hardening(&[
        "CHOWN",
        "DAC_OVERRIDE",
        "KILL",
        "NET_BIND_SERVICE",
        "SETGID",
        "SETUID",
    ]);
    Service {
        image: c.proxy_image.clone(),
        restart: "unless-stopped".into(),
        depends_on: BTreeMap::from([(KIMAI.to_string(), DependsOn::healthy())]),
        ports,
        volumes,
        networks: ServiceNetworks(BTreeMap::from([(
            FRONTEND.to_string(),
            Attachment {
                ipv4_address: Some(network.proxy_address.clone()),
            },
        )])),
        healthcheck: Some(Healthcheck {
            test: [
                "CMD",
                "wget",
                "-q",
                "-O",
                "/dev/null",
                "http://127.0.0.1/healthz",
            ]
            .into_iter()
            .map(Text::from)
            .collect(),
            interval: "20s".into(),
            timeout: "5s".into(),
            retries: 3,
            start_period: "10s".into(),
            start_interval: "2s".into(),
        }),
        deploy: Some(Deploy::sized(
            None,
            "0.1".into(),
            "128m".into(),
            "32m".into(),
        )),
        logging: Logging::default(),
        stop_signal: Some("SIGQUIT".into()),
        stop_grace_period: Some("30s".into()),
        cap_drop,
        cap_add,
        security_opt,
        ..Service::default()
    }
}

/// The Datadog agent, reading containers through the host's Docker socket.
pub fn datadog(model: &Validated) -> Service {
    let dd = &model.spec().monitoring.datadog;
    let (env, _, _) = model.datadog_tags();
    let environment = BTreeMap::from([
        (
            "DD_API_KEY".into(),
            Text::var(var(&dd.api_key, SecretEncoding::Raw)),
        ),
        ("DD_APM_ENABLED".into(), Text::lit("true")),
        ("DD_APM_NON_LOCAL_TRAFFIC".into(), Text::lit("true")),
        ("DD_DOGSTATSD_NON_LOCAL_TRAFFIC".into(), Text::lit("true")),
        ("DD_ENV".into(), Text::lit(env)),
        (
            "DD_LOGS_CONFIG_CONTAINER_COLLECT_ALL".into(),
            Text::lit("false"),
        ),
        ("DD_LOGS_ENABLED".into(), Text::lit("true")),
        ("DD_SITE".into(), Text::lit(&*dd.site)),
        // The socket's directory is mounted, not the socket: the agent finds it through DOCKER_HOST.
        (
            "DOCKER_HOST".into(),
            Text::lit("unix:///host/var/run/docker.sock"),
        ),
    ]);
    Service {
        image: format!("datadog/agent:{}", dd.agent_version),
        restart: "unless-stopped".into(),
        environment,
        volumes: vec![
            Mount::bind_ro("/var/run", "/host/var/run"),
            Mount::bind_ro("/proc", "/host/proc"),
            Mount::bind_ro("/sys/fs/cgroup", "/host/sys/fs/cgroup"),
        ],
        networks: ServiceNetworks::of(&[FRONTEND]),
        healthcheck: Some(Healthcheck {
            test: ["CMD", "agent", "health"]
                .into_iter()
                .map(Text::from)
                .collect(),
            interval: "30s".into(),
            timeout: "10s".into(),
            retries: 3,
            start_period: "30s".into(),
            start_interval: "5s".into(),
        }),
        deploy: Some(Deploy::sized(
            None,
            "0.1".into(),
            "512m".into(),
            "256m".into(),
        )),
        logging: Logging::default(),
        ..Service::default()
    }
}

//! Renders a validated Kimai deployment model as an Ansible project that deploys the Compose project.
//!
//! One free function, [`render`], turns a [`Validated`] model and the compose project rendered
//! for it ([`ComposeProject`]: files and `.env` bindings, passed in as data) into `site.yml`,
//! `inventory.yml` (group `kimai`), `requirements.yml`, `group_vars/all/main.yml`,
//! `group_vars/all/vault.yml.example`, `templates/env.j2`, the compose files under `files/`
//! and a deploy note; [`playbook`] returns the play as a typed [`Play`]. The playbook checks the
//! host before it changes anything, installs Docker Engine and the Compose plugin (from
//! Docker's apt repository, a mirror, or the distribution: `kimai_docker_source`), writes the
//! project under `kimai_deploy_dir` with `.env` rendered from Ansible Vault variables
//! (`vault_<secret>`), and starts it with `community.docker.docker_compose_v2`.
//! `.ci/ansible-host.sh` runs it for real against a debootstrapped Debian in CI.
//!
//! compose.yaml and every file it mounts are copied verbatim (`ansible.builtin.copy` does not
//! template), so Jinja-looking text in env values reaches the host byte-exact; only `.env` is a
//! template, and its output equals compose-render's `env_file` for the same values.
//!
//! ```
//! use kimai_model::{load, Format, OutputFile, SecretBinding, SecretEncoding, SecretRef};
//!
//! let model = load(b"name: kimai\ningress: { host: kimai.example.com }\n", Format::Yaml).unwrap();
//! // What compose-render hands over (the top crate passes its real output).
//! let files = [OutputFile::new("compose.yaml", "name: kimai-production\nservices:\n  kimai:\n    image: kimai/kimai2:2.66.0\n")];
//! let bindings = [SecretBinding {
//!     var: "DB_PASSWORD_URLENCODED".into(),
//!     secret: SecretRef::new("db-password"),
//!     encoding: SecretEncoding::UrlEncoded,
//!     purpose: "the database password, URL-encoded".into(),
//! }];
//! let compose = ansible_render::ComposeProject { files: &files, bindings: &bindings, notices: &[] };
//! let out = ansible_render::render(&model, &compose, &ansible_render::Options::default()).unwrap();
//! assert!(out.file("site.yml").unwrap().contents.contains("community.docker.docker_compose_v2:"));
//! assert!(out.file("group_vars/all/vault.yml.example").unwrap().contents.contains("vault_db_password: \"\""));
//! assert!(out.file("templates/env.j2").unwrap().contents.contains(
//!     "DB_PASSWORD_URLENCODED=\"{{ vault_db_password | string | urlencode | replace('/', '%2F') | replace('%7E', '~') }}\""
//! ));
//! // Kept as `files/compose/compose.yaml.verbatim` (see `stored_path`), written as compose.yaml.
//! assert_eq!(out.file("files/compose/compose.yaml.verbatim").unwrap().contents, files[0].contents);
//! ```
//!
//! Architecture invariant: this crate depends on `kimai-model` and format crates only, never on
//! another renderer; compose-render's output arrives as data. It does no I/O and never sees a
//! secret value: the vault holds them, Ansible fills them in on the host.

mod docker;
mod jinja;
mod playbook;
mod project;
mod site;
mod vars;

use kimai_model::yaml::{to_yaml, Comments};
use kimai_model::{
    DatabaseEngine, DatabaseMode, Notice, OutputFile, Rendered, SecretBinding, Target, TlsMode,
    Validated,
};

pub use docker::{
    COMPOSE_MIN, DISTRIBUTION_PACKAGES, DOCKER_PACKAGES, DOCKER_TAG, ENGINE_MIN, START_TAG,
    SUPPORTED_ARCHITECTURES, SUPPORTED_RELEASES,
};
pub use jinja::{env_template, env_value_expr, literal, DOTENV_ESCAPE, URL_ENCODE};
pub use playbook::*;
pub use project::stored_path;
pub use site::{
    restart_handler, BACKUP_PING_FILE, BACKUP_SCRIPT, CERTS_DIR, CERT_CHAIN, CERT_KEY, FILES_TAG,
};
pub use vars::{GROUP, LOCAL_INVENTORY};

/// The compose project the playbook deploys: compose-render's files, `.env` bindings and
/// notices, passed in as data.
#[derive(Debug, Clone, Copy)]
pub struct ComposeProject<'a> {
    /// The compose project's files, paths relative to its folder (`compose.yaml`, `nginx/kimai.conf`).
    pub files: &'a [OutputFile],
    /// Every `.env` variable compose.yaml reads, with the secret it carries.
    pub bindings: &'a [SecretBinding],
    /// What the compose project cannot express; each host runs that project, so these hold
    /// for the playbook too (re-targeted to `ansible`, except backups, which it handles itself).
    pub notices: &'a [Notice],
}

/// Options of the Ansible renderer. The spec carries the deployment; these are tool versions
/// and sources an embedding tool may pin differently.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// `community.docker` version pinned in `requirements.yml` (needs `docker_compose_v2`'s
    /// `wait` and `remove_orphans`: 3.6 or newer).
    pub community_docker_version: String,
    /// Docker's apt repository (a mirror of `https://download.docker.com/linux`); `/ubuntu` or
    /// `/debian` and `/gpg` are appended.
    pub docker_apt_url: String,
    /// Seconds `docker compose up --wait` may take; Kimai's first start runs the migrations.
    pub compose_wait_timeout_seconds: u32,
    /// Image that uploads backups to S3 (the host needs no AWS CLI).
    pub aws_cli_image: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            community_docker_version: "4.8.5".into(),
            docker_apt_url: "https://download.docker.com/linux".into(),
            compose_wait_timeout_seconds: 600,
            aws_cli_image: "amazon/aws-cli:2.17.0".into(),
        }
    }
}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model cannot be expressed on this target.
    #[error(transparent)]
    Invalid(#[from] kimai_model::Diagnostics),
    /// The compose project passed in cannot be deployed as it is.
    #[error("cannot deploy the compose project: {0}")]
    Project(String),
    /// A value could not be serialised.
    #[error("cannot serialise ansible output: {0}")]
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

const KIMAI_SERVICE: &str = "kimai";

/// The play of `site.yml` as a typed object, before serialisation.
pub fn playbook(model: &Validated, compose: &ComposeProject) -> Result<Play, Error> {
    model.check_target(Target::Ansible)?;
    let project = project::read(compose.files, compose.bindings)?;
    let backup = backup_plan(model, &project, &mut Vec::new());
    Ok(play(model, &project, backup.is_some()))
}

fn play(model: &Validated, project: &project::Project, backup: bool) -> Play {
    let parts = site::Parts {
        tls_files: model.spec().ingress.tls.mode == TlsMode::Files,
        backup,
        project,
        project_name: format!("{}-{}", model.name(), model.environment()),
        admin_password_var: model
            .spec()
            .app
            .admin_password
            .as_ref()
            .map(|s| s.vault_var()),
    };
    site::play(model, &parts)
}

/// Renders the Ansible project. Fails when the model cannot be expressed on Ansible or the
/// compose project lacks compose.yaml or carries unsafe paths or variable names.
pub fn render(
    model: &Validated,
    compose: &ComposeProject,
    options: &Options,
) -> Result<Rendered, Error> {
    model.check_target(Target::Ansible)?;
    let spec = model.spec();
    let project = project::read(compose.files, compose.bindings)?;
    let tls_files = spec.ingress.tls.mode == TlsMode::Files;
    let mut notices = notices(model, compose.notices);
    let backup = backup_plan(model, &project, &mut notices);
    let play = play(model, &project, backup.is_some());
    let handlers: Vec<String> = play.handlers.iter().map(|h| h.name.clone()).collect();
    let header = format!(
        "Generated by kimai-deploy for {} ({}). Do not edit: change the spec and regenerate.\n\
         Deploys the compose project to the hosts of group `kimai`:\n\
         ansible-playbook -i inventory.yml site.yml --ask-vault-pass\n\
         Tag `docker` marks every task that installs packages or talks to Docker.",
        model.name(),
        model.environment()
    );
    let site_yml = vars::document(&to_yaml(&[&play], "", &Comments::new())?, &header);

    let env_header = format!(
        "Generated by kimai-deploy for {} ({}). Do not edit: change the spec and regenerate.\n\
         .env of the compose project, from the vault variables. Each value is written the way\n\
         Docker Compose reads it back byte-exact: double quotes, with \\ \" $ and newline escaped;\n\
         the database password is percent-encoded like PHP's rawurlencode for DATABASE_URL.",
        model.name(),
        model.environment()
    );
    let mut files = vec![
        OutputFile::new("site.yml", site_yml),
        OutputFile::new("inventory.yml", vars::inventory(model)?),
        OutputFile::new(LOCAL_INVENTORY, vars::local_inventory(model)?),
        OutputFile::new("requirements.yml", vars::requirements(options)?),
        OutputFile::new(
            "group_vars/all/main.yml",
            vars::main_vars(model, options, tls_files, backup.is_some())?,
        ),
        OutputFile::new(
            "group_vars/all/vault.yml.example",
            vars::vault_example(model, &project)?,
        ),
        OutputFile::new(
            "templates/env.j2",
            jinja::env_template(&env_header, &project.bindings),
        ),
        OutputFile::new(
            format!("files/{}", stored_path(&project.compose.path)),
            project.compose.contents.clone(),
        ),
        OutputFile::new(
            ".gitignore",
            "# The decrypted vault never goes into git; the encrypted vault.yml may.\n.vault-pass\n*.retry\n",
        ),
    ];
    for (f, _) in &project.mounted {
        files.push(OutputFile {
            path: format!("files/{}", stored_path(&f.path)),
            contents: f.contents.clone(),
            private: f.private,
        });
    }
    if let Some(b) = &backup {
        files.push(OutputFile::new(
            format!("files/{BACKUP_SCRIPT}"),
            backup_script(model, b, options)?,
        ));
    }
    let readme = template(
        "README.md",
        include_str!("../templates/README.md.j2"),
        minijinja::context! {
            name => model.name(),
            environment => model.environment(),
            vault => {
                let mut v: Vec<(String, String)> = project
                    .bindings
                    .iter()
                    .map(|b| (b.secret.vault_var(), b.secret.name().to_string()))
                    .collect();
                v.sort();
                v.dedup();
                v.into_iter()
                    .map(|(var, secret)| minijinja::context! { var => var, secret => secret })
                    .collect::<Vec<_>>()
            },
            deploy_dir => spec.targets.ansible.deploy_dir,
            hosts => spec.targets.ansible.hosts.keys().collect::<Vec<_>>(),
            user => spec.targets.ansible.user,
            tls => tls_files,
            step => if tls_files { 4 } else { 3 },
            default_uri => model.default_uri(),
            files => std::iter::once(project.compose.path.as_str())
                .chain(project.mounted.iter().map(|(f, _)| f.path.as_str()))
                .collect::<Vec<_>>(),
            backup => backup.is_some(),
            schedule => spec.backup.as_ref().map(|b| b.schedule.clone()),
            s3_url => backup.as_ref().map(|b| b.s3_url.clone()),
            handlers => handlers,
            local_inventory => LOCAL_INVENTORY,
            engine_min => ENGINE_MIN,
            compose_min => COMPOSE_MIN,
            admin_password => spec.app.admin_password.is_some(),
            admin_min => kimai_model::ADMIN_PASSWORD_LENGTH.0,
            admin_max => kimai_model::ADMIN_PASSWORD_LENGTH.1,
            notices => notices.iter().map(|n| minijinja::context! { path => n.path, message => n.message }).collect::<Vec<_>>(),
        },
    )?;
    files.push(OutputFile::new("README.md", readme));
    Ok(Rendered { files, notices }.sorted())
}

/// What the backup script needs, when the backup can be installed.
struct BackupPlan {
    db_service: String,
    s3_url: String,
}

fn backup_plan(
    model: &Validated,
    project: &project::Project,
    notices: &mut Vec<Notice>,
) -> Option<BackupPlan> {
    let spec = model.spec();
    let b = spec.backup.as_ref()?;
    let mut skip = |message: &str| {
        notices.push(Notice {
            target: "ansible",
            path: "backup".into(),
            message: message.into(),
        });
        None
    };
    if spec.database.mode == DatabaseMode::External {
        return skip("the host backs up only a bundled database; use the managed database's snapshots (RDS) or the Kubernetes backup CronJob");
    }
    let Some(db_service) = project.service_with_image(&model.db_image()) else {
        return skip("compose.yaml has no database service to dump; no backup is installed");
    };
    if !project.services.iter().any(|s| s == KIMAI_SERVICE)
        || vars::cron_fields(&b.schedule).is_none()
    {
        return skip("no backup is installed: compose.yaml has no `kimai` service or the schedule has not five fields");
    }
    let prefix = model.backup_prefix().unwrap_or_default();
    Some(BackupPlan {
        db_service: db_service.to_string(),
        s3_url: format!("s3://{}/{}", b.s3_bucket, prefix),
    })
}

fn backup_script(model: &Validated, plan: &BackupPlan, options: &Options) -> Result<String, Error> {
    let spec = model.spec();
    let (dump, root_password_var) = match spec.database.engine {
        DatabaseEngine::Mysql => ("mysqldump", "MYSQL_ROOT_PASSWORD"),
        DatabaseEngine::Mariadb => ("mariadb-dump", "MARIADB_ROOT_PASSWORD"),
    };
    let b = spec.backup.as_ref();
    template(
        "backup.sh",
        include_str!("../templates/backup.sh.j2"),
        minijinja::context! {
            name => model.name(),
            environment => model.environment(),
            s3_url => plan.s3_url,
            retention_days => b.map(|b| b.retention_days),
            region => b.map(|b| b.region.clone()),
            db_service => plan.db_service,
            kimai_service => KIMAI_SERVICE,
            dump => dump,
            root_password_var => root_password_var,
            database => spec.database.name,
            dirs => kimai_model::PERSISTENT_DIRS.iter().map(|(suffix, _)| *suffix).collect::<Vec<_>>(),
            aws_cli_image => options.aws_cli_image,
            ping_file => BACKUP_PING_FILE,
        },
    )
}

fn notices(model: &Validated, compose: &[Notice]) -> Vec<Notice> {
    let spec = model.spec();
    // Each host runs exactly the compose project: what Compose cannot express, the playbook
    // cannot either. Backups are the exception: the playbook installs them (see backup_plan).
    let mut n: Vec<Notice> = compose
        .iter()
        .filter(|c| c.path != "backup")
        .map(|c| Notice {
            target: "ansible",
            path: c.path.clone(),
            message: format!("{} (on each host)", c.message),
        })
        .collect();
    if spec.targets.ansible.hosts.len() > 1 {
        n.push(Notice {
            target: "ansible",
            path: "targets.ansible.hosts".into(),
            message: format!(
                "each of the {} hosts runs its own complete compose project; share one Kimai only with an external database and shared storage behind a load balancer",
                spec.targets.ansible.hosts.len()
            ),
        });
    }
    n
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

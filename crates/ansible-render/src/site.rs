//! `site.yml`: one play that installs Docker, writes the compose project and starts it.
//!
//! Task groups, in order: Docker (tag `docker`), the compose project's files (no tag needed:
//! they only write under `kimai_deploy_dir`, so `--skip-tags docker` runs them anywhere, even
//! without root), then start and schedule (tag `docker`). A changed bind-mounted file notifies
//! a handler that restarts only the services mounting it; compose.yaml and `.env` need none,
//! because `docker compose up` recreates exactly the services whose configuration changed.

use std::collections::BTreeSet;

use kimai_model::{Validated, ADMIN_PASSWORD_LENGTH};
use serde_json::Value;

use crate::docker::{self, DOCKER_TAG, ENGINE_VERSION, START_TAG};
use crate::playbook::*;
use crate::project::{stored_path, Project, COMPOSE_FILE};
use crate::vars::GROUP;

/// The tag on every task that writes the compose project's files.
pub const FILES_TAG: &str = "files";
/// Where the operator-supplied certificates live in the project (contract: `compose/certs/`).
pub const CERTS_DIR: &str = "certs";
/// The certificate chain the proxy reads.
pub const CERT_CHAIN: &str = "fullchain.pem";
/// The private key the proxy reads.
pub const CERT_KEY: &str = "privkey.pem";
/// The backup script's path in the project and under `files/`.
pub const BACKUP_SCRIPT: &str = "backup.sh";
/// Where the backup script reads its health-check ping URL (`kimai_backup_ping_url`).
pub const BACKUP_PING_FILE: &str = "backup-ping-url";
/// Play variable: true when this run also runs the tasks that start services (handlers
/// ignore tags, so they check it themselves).
const START_RUNS: &str = "kimai_start_runs";

const DIR: &str = "{{ kimai_deploy_dir }}";

fn at(rel: &str) -> String {
    format!("{DIR}/{rel}")
}

/// The handler that restarts `service`.
pub fn restart_handler(service: &str) -> String {
    format!("Restart compose service {service}")
}

/// What the play needs beyond the model and the project.
pub struct Parts<'a> {
    /// TLS from operator-supplied files.
    pub tls_files: bool,
    /// The backup script is installed.
    pub backup: bool,
    /// The compose project.
    pub project: &'a Project<'a>,
    /// `<name>-<environment>`: names the backup's cron file.
    pub project_name: String,
    /// The vault variable of `app.admin_password`, when the spec sets one.
    pub admin_password_var: Option<String>,
}

/// The play.
pub fn play(model: &Validated, parts: &Parts) -> Play {
    let project = parts.project;
    let mut tasks = docker::tasks();
    tasks.extend(files(parts));
    tasks.extend(start(parts));
    let mut restarted = BTreeSet::new();
    for t in &tasks {
        restarted.extend(t.notify.iter().cloned());
    }
    let handlers = project
        .services
        .iter()
        .filter(|s| restarted.contains(&restart_handler(s)))
        .map(|s| {
            Task::new(
                restart_handler(s),
                Action::Compose(Compose {
                    project_src: DIR.into(),
                    state: "restarted".into(),
                    services: vec![s.clone()],
                    remove_orphans: None,
                    wait: None,
                    wait_timeout: None,
                }),
            )
            .when(START_RUNS)
            .when(docker::unless_check_mode_lacks(&format!(
                "{ENGINE_VERSION} | length > 0"
            )))
            .tag(DOCKER_TAG)
            .tag(START_TAG)
        })
        .collect();
    let mut vars = serde_json::Map::new();
    vars.insert(
        START_RUNS.into(),
        Value::String(format!(
            "{{{{ '{DOCKER_TAG}' not in ansible_skip_tags and '{START_TAG}' not in ansible_skip_tags and ('all' in ansible_run_tags or '{DOCKER_TAG}' in ansible_run_tags or '{START_TAG}' in ansible_run_tags) }}}}"
        )),
    );
    for (k, v) in docker::play_vars() {
        vars.insert(k.into(), Value::String(v));
    }
    Play {
        name: format!(
            "Deploy Kimai {} ({}) with Docker Compose",
            model.name(),
            model.environment()
        ),
        hosts: GROUP.into(),
        r#become: true,
        gather_facts: true,
        force_handlers: true,
        vars,
        tasks,
        handlers,
    }
}

fn docker_task(name: &str, action: Action) -> Task {
    Task::new(name, action).tag(DOCKER_TAG)
}

fn file_task(name: String, action: Action) -> Task {
    Task::new(name, action).tag(FILES_TAG)
}

fn handlers_for(services: &BTreeSet<String>) -> Vec<String> {
    services.iter().map(|s| restart_handler(s)).collect()
}

fn files(parts: &Parts) -> Vec<Task> {
    let project = parts.project;
    let mut tasks = vec![file_task(
        "Create the compose project directory".into(),
        Action::File(FileArgs {
            path: DIR.into(),
            state: "directory".into(),
            mode: Some("0750".into()),
        }),
    )];
    let dirs = project.directories();
    if !dirs.is_empty() {
        tasks.push(Task {
            loop_items: Some(Value::from(dirs)),
            ..file_task(
                "Create the compose project's subdirectories".into(),
                Action::File(FileArgs {
                    path: at("{{ item }}"),
                    state: "directory".into(),
                    mode: Some("0750".into()),
                }),
            )
        });
    }
    tasks.push(file_task(
        format!("Write {COMPOSE_FILE}"),
        Action::Copy(CopyArgs {
            src: Some(stored_path(COMPOSE_FILE)),
            content: None,
            dest: at(COMPOSE_FILE),
            mode: "0644".into(),
        }),
    ));
    for (f, services) in &project.mounted {
        tasks.push(
            file_task(
                format!("Write {}", f.path),
                Action::Copy(CopyArgs {
                    src: Some(stored_path(&f.path)),
                    content: None,
                    dest: at(&f.path),
                    mode: if f.private { "0600" } else { "0644" }.into(),
                }),
            )
            .notify(handlers_for(services)),
        );
    }
    let vault_vars: BTreeSet<String> = project
        .bindings
        .iter()
        .map(|b| b.secret.vault_var())
        .collect();
    tasks.push(file_task(
        "Check every vault variable is set".into(),
        Action::Assert(Assert {
            that: vault_vars
                .iter()
                .map(|v| format!("{v} is defined and {v} | string | length > 0"))
                .collect(),
            fail_msg: "set every variable of group_vars/all/vault.yml.example in the encrypted group_vars/all/vault.yml".into(),
            quiet: true,
        }),
    ));
    // Values Kimai itself constrains, checked before they reach .env (Kimai would refuse them
    // at start, after the containers were created).
    let (min, max) = ADMIN_PASSWORD_LENGTH;
    if let Some(v) = &parts.admin_password_var {
        tasks.push(file_task(
            format!("Check {v} has {min} to {max} characters"),
            Action::Assert(Assert {
                that: vec![format!(
                    "{v} | string | length >= {min} and {v} | string | length <= {max}"
                )],
                fail_msg: format!(
                    "{v} (app.admin_password, the password of Kimai's admin user) must have {min} to {max} characters, as Kimai requires; it has {{{{ {v} | string | length }}}}"
                ),
                quiet: true,
            }),
        ));
    }
    tasks.push(Task {
        no_log: Some(true),
        diff: Some(false),
        ..file_task(
            "Write .env with the secrets from the vault".into(),
            Action::Template(CopyArgs {
                src: Some("env.j2".into()),
                content: None,
                dest: at(".env"),
                mode: "0600".into(),
            }),
        )
    });
    if parts.tls_files {
        let services = project
            .operator_dirs
            .get(CERTS_DIR)
            .cloned()
            .unwrap_or_default();
        for (file, mode, what) in [
            (CERT_CHAIN, "0644", "certificate chain"),
            (CERT_KEY, "0600", "private key"),
        ] {
            tasks.push(Task {
                diff: Some(false),
                ..file_task(
                    format!("Copy the TLS {what}"),
                    Action::Copy(CopyArgs {
                        src: Some(format!("{{{{ kimai_certs_dir }}}}/{file}")),
                        content: None,
                        dest: at(&format!("{CERTS_DIR}/{file}")),
                        mode: mode.into(),
                    }),
                )
                .when("kimai_certs_dir | length > 0")
                .notify(handlers_for(&services))
            });
        }
    }
    if parts.backup {
        tasks.push(file_task(
            format!("Write the backup script {BACKUP_SCRIPT}"),
            Action::Copy(CopyArgs {
                src: Some(BACKUP_SCRIPT.into()),
                content: None,
                dest: at(BACKUP_SCRIPT),
                mode: "0750".into(),
            }),
        ));
        tasks.push(file_task(
            "Write the backup's health-check ping URL".into(),
            Action::Copy(CopyArgs {
                src: None,
                content: Some("{{ kimai_backup_ping_url }}\n".into()),
                dest: at(BACKUP_PING_FILE),
                mode: "0600".into(),
            }),
        ));
    }
    tasks
}

/// The certificates are checked on the host unless check mode only pretended to copy them.
const CERTS_ARRIVE: &str = "not ansible_check_mode or kimai_certs_dir | length == 0";

fn start(parts: &Parts) -> Vec<Task> {
    let mut tasks = Vec::new();
    if parts.tls_files {
        tasks.push(Task {
            register: Some("kimai_certs".into()),
            loop_items: Some(Value::from(vec![CERT_CHAIN, CERT_KEY])),
            ..docker_task(
                "Look for the TLS certificate files on the host",
                Action::Stat(Stat {
                    path: at(&format!("{CERTS_DIR}/{{{{ item }}}}")),
                }),
            )
            .when(CERTS_ARRIVE)
        });
        tasks.push(
            docker_task(
                "Check the TLS certificate files are on the host",
                Action::Assert(Assert {
                    that: vec!["kimai_certs.results | map(attribute='stat.exists') | min".into()],
                    fail_msg: format!(
                    "put {CERT_CHAIN} and {CERT_KEY} in {DIR}/{CERTS_DIR}/ or set kimai_certs_dir"
                ),
                    quiet: true,
                }),
            )
            .when(CERTS_ARRIVE),
        );
    }
    tasks.push(
        docker_task(
            "Start Kimai with Docker Compose",
            Action::Compose(Compose {
                project_src: DIR.into(),
                state: "present".into(),
                services: Vec::new(),
                remove_orphans: Some(true),
                wait: Some(true),
                wait_timeout: Some("{{ kimai_compose_wait_timeout }}".into()),
            }),
        )
        .tag(START_TAG)
        .when(docker::unless_check_mode_lacks(&format!(
            "{ENGINE_VERSION} | length > 0"
        ))),
    );
    if parts.backup {
        // cron runs the job; curl pings the health-check URL. The host check at the start
        // (Debian or Ubuntu) holds for these apt tasks on every path.
        tasks.push(
            docker_task(
                "Install cron and curl for the backup",
                Action::Apt(Apt {
                    name: Value::from(vec!["cron", "curl"]),
                    state: "present".into(),
                    update_cache: true,
                    cache_valid_time: Some(3600),
                }),
            )
            .when(docker::unless_check_mode_lacks(docker::APT_READY)),
        );
        tasks.push(
            docker_task(
                "Schedule the database and volume backup",
                Action::Cron(Cron {
                    name: format!("{} backup", parts.project_name),
                    cron_file: format!("{}-backup", parts.project_name),
                    user: "root".into(),
                    minute: "{{ kimai_backup_minute }}".into(),
                    hour: "{{ kimai_backup_hour }}".into(),
                    day: "{{ kimai_backup_day }}".into(),
                    month: "{{ kimai_backup_month }}".into(),
                    weekday: "{{ kimai_backup_weekday }}".into(),
                    job: format!("{} >> /var/log/kimai-backup.log 2>&1", at(BACKUP_SCRIPT)),
                }),
            )
            .when(docker::unless_check_mode_lacks(&format!(
                "'cron' in {}",
                docker::INSTALLED_PACKAGES
            ))),
        );
    }
    tasks
}

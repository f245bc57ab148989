//! Docker on the host: every check before any change, then one of three install paths.
//!
//! The play first reads the host without changing it (release, architecture, installed
//! packages, the Docker Engine and Compose versions, existing definitions of Docker's apt
//! repository) and stops with a message naming the fix when the host cannot run the compose
//! project or when going on would break something that runs (a distribution `docker.io`, an
//! old engine, a second definition of Docker's repository). Only then does it change anything.
//!
//! `kimai_docker_source` picks the path: `docker` (Docker's apt repository at
//! `kimai_docker_apt_url`, or a mirror of it), `distribution` (the distribution's own packages,
//! `kimai_docker_distribution_packages`), `none` (Docker is already installed; only checked).
//!
//! Check mode on a fresh host: the apt and repository modules need python3-apt and
//! python3-debian, which a real run installs first. In check mode the play skips what it cannot
//! predict without them, and says so in a task that reports a change.

use serde_json::Value;

use crate::playbook::*;

/// The tag on every task that installs packages or talks to Docker.
pub const DOCKER_TAG: &str = "docker";
/// The tag on the tasks that start Docker or the compose project (and on the restart
/// handlers): `--skip-tags start` prepares a host completely without starting anything.
pub const START_TAG: &str = "start";
/// The oldest Docker Engine that runs the compose project (`healthcheck.start_interval`).
pub const ENGINE_MIN: &str = "25.0";
/// The oldest Docker Compose v2 that reads the compose project (`healthcheck.start_interval`).
pub const COMPOSE_MIN: &str = "2.20";
/// The `.sources` file `deb822_repository` writes for Docker's repository.
pub const DOCKER_SOURCES: &str = "/etc/apt/sources.list.d/docker.sources";
/// The file Docker's older install instructions wrote; the play replaces it with its own.
pub const DOCKER_LIST: &str = "/etc/apt/sources.list.d/docker.list";
/// Releases the playbook supports, as `distribution/codename` (the suite of Docker's repository).
pub const SUPPORTED_RELEASES: [&str; 4] = [
    "debian/bookworm",
    "debian/trixie",
    "ubuntu/jammy",
    "ubuntu/noble",
];
/// dpkg architectures the playbook supports: those the Kimai image is published for.
pub const SUPPORTED_ARCHITECTURES: [&str; 2] = ["amd64", "arm64"];
/// Packages of Docker Engine and the Compose v2 plugin from Docker's repository.
pub const DOCKER_PACKAGES: [&str; 5] = [
    "containerd.io",
    "docker-buildx-plugin",
    "docker-ce",
    "docker-ce-cli",
    "docker-compose-plugin",
];
/// Docker Engine and Compose v2 from the distribution (Ubuntu keeps both current on its LTS
/// releases; Debian 12 has no Compose v2 package).
pub const DISTRIBUTION_PACKAGES: [&str; 2] = ["docker.io", "docker-compose-v2"];
/// Packages the play asks dpkg about before changing anything.
const PROBED_PACKAGES: [&str; 6] = [
    "python3-apt",
    "python3-debian",
    "docker.io",
    "docker-ce",
    "cron",
    "curl",
];

/// Registered results.
const DPKG: &str = "kimai_dpkg";
const ARCH: &str = "kimai_dpkg_arch";
const VERSIONS: &str = "kimai_docker_versions";
const VERSIONS_INSTALLED: &str = "kimai_docker_versions_installed";
const REPO_DEFS: &str = "kimai_docker_repo_defs";
const REPO: &str = "kimai_docker_repo";
const INSTALLED: &str = "kimai_docker_installed";

/// Conditions shared by several tasks (play variables, evaluated when used).
pub const APT_READY: &str = "kimai_apt_ready";
/// The Docker Engine version found before any change ('' when there is none).
pub const ENGINE_VERSION: &str = "kimai_engine_version";
/// Packages installed before any change.
pub const INSTALLED_PACKAGES: &str = "kimai_installed_packages";

/// Runs in a real run always; in check mode only when `ready` holds on the host already.
pub fn unless_check_mode_lacks(ready: &str) -> String {
    format!("not ansible_check_mode or {ready}")
}

/// The version in the output of `dockerd --version` / `docker compose version --short`.
fn version_of(register: &str, index: usize) -> String {
    format!(
        "{{{{ {register}.results[{index}].stdout | default('') | regex_search('[0-9]+[.][0-9]+([.][0-9]+)?') | default('', true) }}}}"
    )
}

fn at_least(var: &str, min: &str) -> String {
    format!("({var} | length > 0 and {var} is version('{min}', '>='))")
}

/// The play variables the Docker tasks read: derived facts, evaluated lazily when a task uses
/// them (after the reads registered their results).
pub fn play_vars() -> Vec<(&'static str, String)> {
    let current = format!(
        "{} and {}",
        at_least(ENGINE_VERSION, ENGINE_MIN),
        at_least("kimai_compose_version", COMPOSE_MIN)
    );
    vec![
        (
            INSTALLED_PACKAGES,
            format!("{{{{ {DPKG}.stdout_lines | select('match', 'ii ') | map('split') | map(attribute=1) | list }}}}"),
        ),
        (
            APT_READY,
            format!("{{{{ 'python3-apt' in {INSTALLED_PACKAGES} and 'python3-debian' in {INSTALLED_PACKAGES} }}}}"),
        ),
        (ENGINE_VERSION, version_of(VERSIONS, 0)),
        ("kimai_compose_version", version_of(VERSIONS, 1)),
        ("kimai_engine_installed", version_of(VERSIONS_INSTALLED, 0)),
        ("kimai_compose_installed", version_of(VERSIONS_INSTALLED, 1)),
        ("kimai_docker_current", format!("{{{{ {current} }}}}")),
        (
            "kimai_docker_distribution_found",
            format!("{{{{ kimai_docker_source == 'docker' and 'docker.io' in {INSTALLED_PACKAGES} }}}}"),
        ),
        (
            "kimai_docker_keep",
            "{{ kimai_docker_distribution_found and kimai_docker_current }}".into(),
        ),
        (
            "kimai_docker_replacing",
            "{{ kimai_docker_distribution_found and not kimai_docker_current and kimai_docker_replace_distribution | bool }}".into(),
        ),
        (
            "kimai_docker_install",
            "{{ kimai_docker_source in ['docker', 'distribution'] and not kimai_docker_keep }}".into(),
        ),
        (
            "kimai_docker_repo_others",
            format!("{{{{ {REPO_DEFS}.files | default([]) | map(attribute='path') | reject('eq', '{DOCKER_SOURCES}') | list }}}}"),
        ),
    ]
}

fn docker_task(name: &str, action: Action) -> Task {
    Task::new(name, action).tag(DOCKER_TAG)
}

fn assert(name: &str, that: Vec<String>, fail_msg: &str) -> Task {
    docker_task(
        name,
        Action::Assert(Assert {
            that,
            fail_msg: fail_msg.into(),
            quiet: true,
        }),
    )
}

fn command(argv: Value) -> Action {
    Action::Command(Command { argv })
}

/// Reads `dockerd --version` and `docker compose version --short` into `register`.
fn read_versions(name: &str, register: &str) -> Task {
    Task {
        loop_items: Some(serde_json::json!([
            ["dockerd", "--version"],
            ["docker", "compose", "version", "--short"]
        ])),
        failed_when: Some("false".into()),
        ..docker_task(name, command(Value::from("{{ item }}")))
            .register(register)
            .read_only()
    }
}

const DOCKER_SOURCE: &str = "kimai_docker_source == 'docker'";
const INSTALL: &str = "kimai_docker_install | bool";
const UNCHANGED: &str = "Nothing was changed.";

/// The checks, then the installation.
pub fn tasks() -> Vec<Task> {
    // Docker's repository for this distribution, as a Jinja expression and as text.
    let repo_expr = "kimai_docker_apt_url ~ '/' ~ (ansible_facts['distribution'] | lower)";
    let repo_url = format!("{{{{ {repo_expr} }}}}");
    let mut probe = vec![
        "dpkg-query".to_string(),
        "--show".into(),
        "--showformat=${db:Status-Abbrev} ${Package}\\n".into(),
    ];
    probe.extend(PROBED_PACKAGES.iter().map(|p| p.to_string()));
    let versions_found = "Docker Engine {{ kimai_engine_version or 'none' }} and Docker Compose {{ kimai_compose_version or 'none' }}";
    vec![
        // Read the host; change nothing.
        assert(
            "Check the host runs a Debian or Ubuntu release the playbook supports",
            vec!["((ansible_facts['distribution'] | lower) ~ '/' ~ ansible_facts['distribution_release']) in kimai_supported_releases".into()],
            &format!("This host runs {{{{ ansible_facts['distribution'] }}}} {{{{ ansible_facts['distribution_version'] }}}} ({{{{ ansible_facts['distribution_release'] }}}}); site.yml supports {{{{ kimai_supported_releases | join(', ') }}}} (kimai_supported_releases). {UNCHANGED}"),
        ),
        docker_task(
            "Read the dpkg architecture",
            command(serde_json::json!(["dpkg", "--print-architecture"])),
        )
        .register(ARCH)
        .read_only(),
        Task {
            failed_when: Some(format!("{DPKG}.rc > 1")),
            ..docker_task(
                "Read which of the packages the play relies on are installed",
                command(Value::from(probe)),
            )
            .register(DPKG)
            .read_only()
        },
        read_versions("Read the Docker Engine and Compose versions on the host", VERSIONS),
        docker_task(
            "Find other definitions of Docker's apt repository",
            Action::Find(Find {
                paths: vec!["/etc/apt".into(), "/etc/apt/sources.list.d".into()],
                patterns: vec!["sources.list".into(), "*.list".into(), "*.sources".into()],
                contains: format!("[^#]*{{{{ ({repo_expr}) | regex_escape }}}}"),
            }),
        )
        .register(REPO_DEFS)
        .when(DOCKER_SOURCE),
        assert(
            "Check the architecture and the Docker source",
            vec![
                format!("{ARCH}.stdout in kimai_supported_architectures"),
                "kimai_docker_source in ['docker', 'distribution', 'none']".into(),
            ],
            &format!("site.yml supports the architectures {{{{ kimai_supported_architectures | join(', ') }}}} (this host: {{{{ {ARCH}.stdout }}}}) and kimai_docker_source docker, distribution or none (set: {{{{ kimai_docker_source }}}}). {UNCHANGED}"),
        ),
        assert(
            "Check a distribution docker.io is kept or replaced on purpose",
            vec!["not kimai_docker_distribution_found or kimai_docker_keep or kimai_docker_replace_distribution | bool".into()],
            &format!("This host runs the distribution's docker.io ({versions_found}); the compose project needs Docker Engine {ENGINE_MIN} or newer and Compose {COMPOSE_MIN} or newer. Docker's docker-ce conflicts with docker.io: installing it removes docker.io and stops the containers it runs. {UNCHANGED} Set kimai_docker_replace_distribution: true to switch to Docker's packages, or upgrade docker.io and its Compose v2 plugin and run again."),
        ),
        assert(
            "Check the Docker Engine and Compose versions before changing anything",
            vec![
                format!("kimai_docker_source != 'none' or ({ENGINE_VERSION} | length > 0 and kimai_compose_version | length > 0)"),
                format!("kimai_docker_replacing or {ENGINE_VERSION} | length == 0 or {ENGINE_VERSION} is version('{ENGINE_MIN}', '>=')"),
                format!("kimai_docker_replacing or kimai_compose_version | length == 0 or kimai_compose_version is version('{COMPOSE_MIN}', '>=')"),
            ],
            &format!("This host has {versions_found}; the compose project needs Docker Engine {ENGINE_MIN} or newer (healthcheck.start_interval) and Docker Compose v2 {COMPOSE_MIN} or newer{{{{ ', both installed, because kimai_docker_source is none' if kimai_docker_source == 'none' else '' }}}}. {UNCHANGED} Upgrade Docker (from Docker's repository: apt-get install --only-upgrade docker-ce docker-ce-cli containerd.io docker-compose-plugin) and run again."),
        ),
        assert(
            "Check no other file defines Docker's apt repository",
            vec![format!("kimai_docker_repo_others | reject('eq', '{DOCKER_LIST}') | list | length == 0")],
            &format!("{{{{ kimai_docker_repo_others | reject('eq', '{DOCKER_LIST}') | join(', ') }}}} also define Docker's apt repository ({repo_url}); apt refuses one repository defined twice with different keys, and site.yml replaces only {DOCKER_LIST} (as Docker's older instructions wrote it) with {DOCKER_SOURCES}. {UNCHANGED} Remove Docker's repository from those files and run again."),
        )
        .when(DOCKER_SOURCE)
        .when(INSTALL),
        // Change.
        Task {
            changed_when: Some(true),
            ..docker_task(
                "Report what check mode cannot predict on this host",
                Action::Debug(DebugArgs {
                    msg: "python3-apt or python3-debian is not installed yet: check mode skips the apt, repository and package tasks, which a real run performs after installing them".into(),
                }),
            )
            .when("ansible_check_mode")
            .when(format!("not {APT_READY}"))
        },
        docker_task(
            "Install the prerequisites of Docker's apt repository",
            Action::Apt(Apt {
                name: Value::from(vec!["ca-certificates", "python3-apt", "python3-debian"]),
                state: "present".into(),
                update_cache: true,
                cache_valid_time: Some(3600),
            }),
        )
        .when(DOCKER_SOURCE)
        .when(INSTALL)
        .when(unless_check_mode_lacks(APT_READY)),
        docker_task(
            "Remove the docker.list of Docker's older instructions",
            Action::File(FileArgs {
                path: DOCKER_LIST.into(),
                state: "absent".into(),
                mode: None,
            }),
        )
        .when(DOCKER_SOURCE)
        .when(INSTALL)
        .when(format!("'{DOCKER_LIST}' in kimai_docker_repo_others")),
        docker_task(
            "Add Docker's apt repository with its signing key",
            Action::Deb822Repository(Deb822Repository {
                name: "docker".into(),
                types: vec!["deb".into()],
                uris: repo_url.clone(),
                suites: "{{ ansible_facts['distribution_release'] }}".into(),
                components: vec!["stable".into()],
                architectures: vec![format!("{{{{ {ARCH}.stdout }}}}")],
                signed_by: format!("{repo_url}/gpg"),
            }),
        )
        .register(REPO)
        .when(DOCKER_SOURCE)
        .when(INSTALL)
        .when(unless_check_mode_lacks(APT_READY)),
        docker_task(
            "Install Docker Engine and the Compose plugin",
            Action::Apt(Apt {
                name: Value::from("{{ kimai_docker_distribution_packages if kimai_docker_source == 'distribution' else kimai_docker_packages }}"),
                state: "present".into(),
                update_cache: true,
                cache_valid_time: None,
            }),
        )
        .register(INSTALLED)
        .when(INSTALL)
        .when(unless_check_mode_lacks(&format!("({APT_READY} and {REPO} is not changed)"))),
        read_versions("Read the installed Docker Engine and Compose versions", VERSIONS_INSTALLED)
            .when(format!("{INSTALLED} is changed"))
            .when("not ansible_check_mode"),
        assert(
            "Check the installed Docker Engine and Compose versions",
            vec![
                at_least("kimai_engine_installed", ENGINE_MIN),
                at_least("kimai_compose_installed", COMPOSE_MIN),
            ],
            &format!("The packages installed Docker Engine {{{{ kimai_engine_installed or 'none' }}}} and Docker Compose {{{{ kimai_compose_installed or 'none' }}}}; the compose project needs Engine {ENGINE_MIN} or newer and Compose {COMPOSE_MIN} or newer. {{{{ 'This release has no new enough distribution packages: use kimai_docker_source: docker.' if kimai_docker_source == 'distribution' else 'The repository at kimai_docker_apt_url serves old packages.' }}}}"),
        )
        .when(format!("{INSTALLED} is changed"))
        .when("not ansible_check_mode"),
        docker_task(
            "Start Docker and enable it at boot",
            Action::Service(ServiceArgs {
                name: "docker".into(),
                state: "started".into(),
                enabled: true,
            }),
        )
        .tag(START_TAG)
        .when(unless_check_mode_lacks(&format!("{ENGINE_VERSION} | length > 0"))),
    ]
}

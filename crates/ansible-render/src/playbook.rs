//! The Ansible objects this crate writes, typed: plays, tasks and the module arguments it uses.
//!
//! Only the members the playbook needs, in the order a reader expects (`name` first, then the
//! module, then the task keywords), so ansible-lint's `key-order` and `fqcn` rules hold by
//! construction. Strings here are Ansible source: they may hold Jinja expressions this crate
//! writes itself, never text from the spec (that goes through group_vars, escaped).

use serde::Serialize;
use serde_json::Value;

/// One play of `site.yml`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Play {
    /// What the play does.
    pub name: String,
    /// Host pattern (`kimai`).
    pub hosts: String,
    /// Run tasks as root (the referee overrides it with `-e ansible_become=false`).
    pub r#become: bool,
    /// Gather facts (distribution and release pick Docker's apt repository).
    pub gather_facts: bool,
    /// Run notified handlers even when a later task fails, so a changed file always reaches
    /// its service (a failed run would otherwise lose the notification: the next run finds
    /// the file unchanged).
    pub force_handlers: bool,
    /// Play variables.
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub vars: serde_json::Map<String, serde_json::Value>,
    /// The tasks, in order.
    pub tasks: Vec<Task>,
    /// Handlers, notified by the file tasks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub handlers: Vec<Task>,
}

/// One task or handler.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    /// What the task does, capitalised (ansible-lint `name[casing]`).
    pub name: String,
    /// The module and its arguments.
    #[serde(flatten)]
    pub action: Action,
    /// Items to loop over (`item`): a list, or a Jinja expression naming one.
    #[serde(rename = "loop", skip_serializing_if = "Option::is_none")]
    pub loop_items: Option<Value>,
    /// Variable receiving the result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub register: Option<String>,
    /// `changed_when` for read-only commands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_when: Option<bool>,
    /// `failed_when`: a condition, for commands whose failure is an answer (a missing program).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_when: Option<String>,
    /// `check_mode: false` runs a read-only command even under `--check`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_mode: Option<bool>,
    /// Conditions, all of which must hold.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub when: Vec<String>,
    /// Handlers to notify on change.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<String>,
    /// Hide arguments and results (secrets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_log: Option<bool>,
    /// Show a diff with `--diff` (off where the content is secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<bool>,
    /// Tags (`docker` marks every task that installs packages or talks to Docker).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl Task {
    /// A task with `name` running `action` and no keywords.
    pub fn new(name: impl Into<String>, action: Action) -> Self {
        Task {
            name: name.into(),
            action,
            loop_items: None,
            register: None,
            changed_when: None,
            failed_when: None,
            check_mode: None,
            when: Vec::new(),
            notify: Vec::new(),
            no_log: None,
            diff: None,
            tags: Vec::new(),
        }
    }

    /// The same task with one more tag.
    pub fn tag(mut self, tag: &str) -> Self {
        self.tags.push(tag.to_string());
        self
    }

    /// The same task with one more condition.
    pub fn when(mut self, condition: impl Into<String>) -> Self {
        self.when.push(condition.into());
        self
    }

    /// The same task registering its result as `var`.
    pub fn register(mut self, var: &str) -> Self {
        self.register = Some(var.to_string());
        self
    }

    /// A read-only command: runs in check mode too and never reports a change.
    pub fn read_only(mut self) -> Self {
        self.changed_when = Some(false);
        self.check_mode = Some(false);
        self
    }

    /// The same task notifying `handlers`.
    pub fn notify(mut self, handlers: impl IntoIterator<Item = String>) -> Self {
        self.notify.extend(handlers);
        self
    }
}

/// A module with its arguments, written under its fully-qualified name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Action {
    /// `ansible.builtin.assert`.
    #[serde(rename = "ansible.builtin.assert")]
    Assert(Assert),
    /// `ansible.builtin.apt`.
    #[serde(rename = "ansible.builtin.apt")]
    Apt(Apt),
    /// `ansible.builtin.command` (read-only commands only).
    #[serde(rename = "ansible.builtin.command")]
    Command(Command),
    /// `ansible.builtin.deb822_repository`.
    #[serde(rename = "ansible.builtin.deb822_repository")]
    Deb822Repository(Deb822Repository),
    /// `ansible.builtin.service`.
    #[serde(rename = "ansible.builtin.service")]
    Service(ServiceArgs),
    /// `ansible.builtin.file`.
    #[serde(rename = "ansible.builtin.file")]
    File(FileArgs),
    /// `ansible.builtin.copy`.
    #[serde(rename = "ansible.builtin.copy")]
    Copy(CopyArgs),
    /// `ansible.builtin.template`.
    #[serde(rename = "ansible.builtin.template")]
    Template(CopyArgs),
    /// `ansible.builtin.stat`.
    #[serde(rename = "ansible.builtin.stat")]
    Stat(Stat),
    /// `ansible.builtin.cron`.
    #[serde(rename = "ansible.builtin.cron")]
    Cron(Cron),
    /// `ansible.builtin.find`.
    #[serde(rename = "ansible.builtin.find")]
    Find(Find),
    /// `ansible.builtin.debug`.
    #[serde(rename = "ansible.builtin.debug")]
    Debug(DebugArgs),
    /// `community.docker.docker_compose_v2`.
    #[serde(rename = "community.docker.docker_compose_v2")]
    Compose(Compose),
}

/// `ansible.builtin.assert` arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assert {
    /// Conditions.
    pub that: Vec<String>,
    /// Message when a condition fails.
    pub fail_msg: String,
    /// Print only failures.
    pub quiet: bool,
}

/// `ansible.builtin.apt` arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Apt {
    /// Packages (a list or a Jinja expression naming one).
    pub name: serde_json::Value,
    /// `present`: never `latest` (ansible-lint `package-latest`).
    pub state: String,
    /// Run `apt-get update` first.
    pub update_cache: bool,
    /// Skip the update when the cache is younger than this many seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_valid_time: Option<u32>,
}

/// `ansible.builtin.command` arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Command {
    /// The program and its arguments, not through a shell (a list, or `{{ item }}`).
    pub argv: Value,
}

/// `ansible.builtin.deb822_repository` arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deb822Repository {
    /// Name of the `.sources` file.
    pub name: String,
    /// `deb`.
    pub types: Vec<String>,
    /// Repository URL.
    pub uris: String,
    /// Release code name.
    pub suites: String,
    /// `stable`.
    pub components: Vec<String>,
    /// dpkg architectures.
    pub architectures: Vec<String>,
    /// URL of the signing key; the module stores it under /etc/apt/keyrings.
    pub signed_by: String,
}

/// `ansible.builtin.service` arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceArgs {
    /// Service name.
    pub name: String,
    /// `started`.
    pub state: String,
    /// Start at boot.
    pub enabled: bool,
}

/// `ansible.builtin.file` arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileArgs {
    /// Path on the host.
    pub path: String,
    /// `directory` or `absent`.
    pub state: String,
    /// Octal mode as a string (ansible-lint `risky-octal`); none for `absent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

/// `ansible.builtin.copy` / `ansible.builtin.template` arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopyArgs {
    /// Source on the controller (`files/` or `templates/` relative).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
    /// The file's contents instead of `src` (copy only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Destination on the host.
    pub dest: String,
    /// Octal mode as a string.
    pub mode: String,
}

/// `ansible.builtin.stat` arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stat {
    /// Path on the host.
    pub path: String,
}

/// `ansible.builtin.find` arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Find {
    /// Folders to search (not recursively).
    pub paths: Vec<String>,
    /// File name patterns.
    pub patterns: Vec<String>,
    /// Regular expression matched at the start of each line.
    pub contains: String,
}

/// `ansible.builtin.debug` arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DebugArgs {
    /// The message.
    pub msg: String,
}

/// `ansible.builtin.cron` arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cron {
    /// Job name (its marker comment).
    pub name: String,
    /// File under /etc/cron.d.
    pub cron_file: String,
    /// User the job runs as.
    pub user: String,
    /// Minute field.
    pub minute: String,
    /// Hour field.
    pub hour: String,
    /// Day-of-month field.
    pub day: String,
    /// Month field.
    pub month: String,
    /// Day-of-week field.
    pub weekday: String,
    /// The command.
    pub job: String,
}

/// `community.docker.docker_compose_v2` arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compose {
    /// Directory holding compose.yaml and .env.
    pub project_src: String,
    /// `present` or `restarted`.
    pub state: String,
    /// Only these services (handlers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// Remove containers of services no longer in compose.yaml.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove_orphans: Option<bool>,
    /// Wait for services to be running and healthy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait: Option<bool>,
    /// Seconds to wait at most.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_timeout: Option<String>,
}

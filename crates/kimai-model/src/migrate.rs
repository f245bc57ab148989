//! Migrations run once: the one-shot step every target runs in the Kimai image before Kimai
//! itself, holding a MySQL/MariaDB named lock (`GET_LOCK`) around `kimai:install -n`.
//!
//! Kimai's entrypoint runs `kimai:install -n` (Doctrine migrations) at every start, with no lock
//! and no switch to skip it; MySQL DDL is not transactional, so two replicas migrating at once
//! can leave a half-migrated schema. Every target therefore runs [`migration_command`] first —
//! a Kubernetes init container, an ECS container the Kimai container depends on with condition
//! `SUCCESS`, a Compose one-shot service Kimai waits for with `service_completed_successfully` —
//! and only one such step migrates at a time: the others wait for the lock, then find nothing
//! left to do. When Kimai's own entrypoint then runs `kimai:install -n`, the schema is already
//! at its version, so the replicas' installs only build their local caches.
//!
//! The step uses what the image has: PHP with `pdo_mysql` (there is no mysql client), reading
//! `DATABASE_URL` like Kimai does (user and password percent-decoded as Doctrine does).

use crate::validate::Validated;

/// Name of the one-shot step (Compose service, init container, ECS container).
pub const MIGRATE: &str = "migrate";
/// Kimai's console in the image.
pub const KIMAI_CONSOLE: &str = "/opt/kimai/bin/console";
/// Seconds a step waits for the lock (another replica's migration) before it fails.
pub const MIGRATION_LOCK_TIMEOUT_SECONDS: u32 = 1800;

/// The PHP program of the step: `php -r SCRIPT -- LOCK TIMEOUT COMMAND...` waits for the
/// database (every 3 s, up to TIMEOUT; at once on bad credentials), takes the named lock LOCK
/// (waiting up to TIMEOUT seconds), runs COMMAND with the container's stdio, releases the lock
/// and exits with COMMAND's status. It contains no `$(` (Kubernetes would expand it) and no
/// secret; it reads `DATABASE_URL` from the environment.
pub const MIGRATION_SCRIPT: &str = r#"[, $lock, $timeout] = $argv; $cmd = array_slice($argv, 3);
$url = parse_url((string) getenv('DATABASE_URL'));
if (!is_array($url) || !isset($url['host'])) { fwrite(STDERR, "migrate: DATABASE_URL is not a URL\n"); exit(2); }
$dsn = 'mysql:host=' . trim($url['host'], '[]') . ';port=' . ($url['port'] ?? 3306);
$user = rawurldecode($url['user'] ?? ''); $pass = rawurldecode($url['pass'] ?? '');
$deadline = time() + (int) $timeout;
while (true) {
    try { $db = new PDO($dsn, $user, $pass, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_TIMEOUT => 10]); break; }
    catch (PDOException $e) {
        if (strpos($e->getMessage(), '[1045]') !== false || time() >= $deadline) { fwrite(STDERR, 'migrate: cannot connect to the database: ' . $e->getMessage() . "\n"); exit(1); }
        fwrite(STDERR, "migrate: waiting for the database\n"); sleep(3);
    }
}
fwrite(STDERR, "migrate: waiting for lock $lock\n");
$got = $db->query('SELECT GET_LOCK(' . $db->quote($lock) . ', ' . (int) $timeout . ')')->fetchColumn();
if ((string) $got !== '1') { fwrite(STDERR, "migrate: lock $lock not acquired within $timeout s\n"); exit(1); }
fwrite(STDERR, 'migrate: holding ' . $lock . ', running ' . implode(' ', $cmd) . "\n");
$proc = proc_open($cmd, [STDIN, STDOUT, STDERR], $pipes);
$status = $proc === false ? 127 : proc_close($proc);
$db->query('SELECT RELEASE_LOCK(' . $db->quote($lock) . ')');
fwrite(STDERR, "migrate: released $lock, exit status $status\n");
exit($status);
"#;

/// Whether the step gets Kimai's variable `name`: all but the admin account's (only the web
/// container's entrypoint creates it) and the Datadog tracer's.
pub fn migration_needs_env(name: &str) -> bool {
    !matches!(name, "ADMINMAIL" | "ADMINPASS") && !name.starts_with("DD_")
}

impl Validated {
    /// The named lock of this deployment's migrations: `kimai-migrate:<database>` (at most 64
    /// characters, MySQL's limit; lock names are per server, so one per database).
    pub fn migration_lock(&self) -> String {
        let name = &self.spec().database.name;
        format!("kimai-migrate:{}", &name[..name.len().min(50)])
    }

    /// The step's command, as the container's arguments (the image's entrypoint execs them):
    /// `php -r SCRIPT -- LOCK TIMEOUT /opt/kimai/bin/console kimai:install -n`.
    pub fn migration_command(&self) -> Vec<String> {
        [
            "php",
            "-r",
            MIGRATION_SCRIPT,
            "--",
            &self.migration_lock(),
            &MIGRATION_LOCK_TIMEOUT_SECONDS.to_string(),
            KIMAI_CONSOLE,
            "kimai:install",
            "-n",
        ]
        .into_iter()
        .map(String::from)
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(db: &str) -> Validated {
        let yaml = format!(
            "name: kimai\ningress: {{ host: kimai.example.com }}\ndatabase: {{ name: {db} }}\n"
        );
        crate::load(yaml.as_bytes(), crate::Format::Yaml).unwrap()
    }

    #[test]
    fn lock_name_fits_mysql_limit() {
        assert_eq!(model("kimai").migration_lock(), "kimai-migrate:kimai");
        let long = "d".repeat(64);
        assert_eq!(model(&long).migration_lock().len(), 64);
    }

    #[test]
    fn command_runs_kimai_install_under_the_lock() {
        let c = model("kimai").migration_command();
        assert_eq!(&c[..2], ["php", "-r"]);
        assert_eq!(
            &c[3..],
            [
                "--",
                "kimai-migrate:kimai",
                "1800",
                KIMAI_CONSOLE,
                "kimai:install",
                "-n"
            ]
        );
        assert!(!MIGRATION_SCRIPT.contains("$("));
    }
}

//! Apache workers and PHP's `memory_limit`, sized to fit Kimai's container.
//!
//! The Apache image runs mod_php under the prefork MPM: one process per concurrent request,
//! each allowed up to `memory_limit`, beside opcache's shared memory. Its stock settings
//! (Debian's `MaxRequestWorkers 150`, `memory_limit` 512M from the entrypoint) ignore the
//! container's memory, so a burst of requests gets the container OOM-killed. Here:
//!
//! - `memory_limit` is `app.env.memory_limit` when set, else
//!   `min(512M, memory - FIXED - AVERAGE_WORKER)`; it must fit beside the fixed part and one
//!   average worker (validated, with the numbers in the message);
//! - workers = `(memory - FIXED - memory_limit) / AVERAGE_WORKER + 1`: one request at its
//!   ceiling plus every other worker at an average Kimai request's size still fit.
//!
//! The image reads no variable for Apache's limits (Debian's `mpm_prefork.conf` has literal
//! numbers), so Kimai's container command writes them into `conf-enabled/`, read after
//! `mods-enabled/` (the last value wins), and then runs the image's own `/entrypoint.sh`.

use crate::quantity::Bytes;
use crate::validate::Validated;

/// opcache's shared memory in the image (`opcache.memory_consumption=256`), in MiB.
pub const OPCACHE_MIB: u64 = 256;
/// Apache's parent, shared libraries and the entrypoint's tools, in MiB.
pub const BASE_MIB: u64 = 64;
/// What every container needs before any request: opcache plus the base, in MiB.
pub const FIXED_MIB: u64 = OPCACHE_MIB + BASE_MIB;
/// Budget of an average Kimai request's worker (process and PHP heap), in MiB.
pub const AVERAGE_WORKER_MIB: u64 = 64;
/// The image's default `memory_limit`, in MiB.
pub const DEFAULT_MEMORY_LIMIT_MIB: u64 = 512;
/// The file Kimai's command writes Apache's limits to.
pub const APACHE_WORKERS_CONF: &str = "/etc/apache2/conf-enabled/zz-kimai-workers.conf";

/// Parses PHP's shorthand byte notation (`768M`, `1G`, `524288K`, `536870912`) into MiB,
/// rounded down. `None` for `-1` (no limit) and anything PHP would not read as a size.
pub fn php_size_mib(s: &str) -> Option<u64> {
    let s = s.trim();
    let (digits, unit) = match s.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&s[..i], c.to_ascii_lowercase()),
        _ => (s, 'b'),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    let bytes = match unit {
        'b' => n,
        'k' => n.checked_mul(1 << 10)?,
        'm' => n.checked_mul(1 << 20)?,
        'g' => n.checked_mul(1 << 30)?,
        _ => return None,
    };
    Some(bytes >> 20)
}

/// The sizing of one Kimai container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workers {
    /// Apache's `MaxRequestWorkers` (and `ServerLimit`).
    pub max: u64,
    /// PHP's `memory_limit` in MiB.
    pub memory_limit_mib: u64,
    /// True when `memory_limit` comes from `app.env` (else it is derived and set here).
    pub memory_limit_from_spec: bool,
}

/// Why a container cannot hold one worker: `(path, message, hint)`.
pub(crate) fn check(
    env_limit: Option<&str>,
    memory: Bytes,
) -> Result<Workers, (&'static str, String, String)> {
    let memory_mib = memory.mebibytes();
    let (limit, from_spec) = match env_limit {
        Some(text) => match php_size_mib(text) {
            Some(mib) if mib > 0 => (mib, true),
            _ => {
                return Err((
                    "app.env.memory_limit",
                    format!("`{text}` is not a size Apache's workers can be counted with"),
                    "write PHP's notation with a unit, such as `256M` (no `-1`: every request must have a ceiling)".into(),
                ))
            }
        },
        None => (
            DEFAULT_MEMORY_LIMIT_MIB.min(memory_mib.saturating_sub(FIXED_MIB + AVERAGE_WORKER_MIB)),
            false,
        ),
    };
    let room = memory_mib.checked_sub(FIXED_MIB + limit);
    match room {
        Some(room) if limit > 0 => Ok(Workers {
            max: room / AVERAGE_WORKER_MIB + 1,
            memory_limit_mib: limit,
            memory_limit_from_spec: from_spec,
        }),
        _ => Err((
            if from_spec { "app.env.memory_limit" } else { "app.memory" },
            format!(
                "one request at memory_limit {limit}M does not fit a {memory_mib}Mi container beside opcache ({OPCACHE_MIB}Mi) and Apache ({BASE_MIB}Mi)"
            ),
            format!(
                "raise app.memory to at least {}Mi or lower memory_limit to at most {}M",
                FIXED_MIB + limit,
                memory_mib.saturating_sub(FIXED_MIB)
            ),
        )),
    }
}

impl Validated {
    /// Apache's workers and PHP's `memory_limit` for Kimai's container (validated to fit).
    pub fn workers(&self) -> Workers {
        check(
            self.spec()
                .app
                .env
                .get("memory_limit")
                .and_then(|v| v.plain()),
            self.app_memory(),
        )
        .unwrap_or(Workers {
            max: 1,
            memory_limit_mib: DEFAULT_MEMORY_LIMIT_MIB,
            memory_limit_from_spec: false,
        })
    }

    /// Kimai's container command: writes Apache's prefork limits, then runs the image's own
    /// entrypoint (`/entrypoint.sh`, which ends by exec'ing Apache, so Apache stays PID 1).
    pub fn kimai_command(&self) -> Vec<String> {
        let w = self.workers().max;
        let spare = w.min(5);
        let lines = [
            "<IfModule mpm_prefork_module>".to_string(),
            format!("    ServerLimit {w}"),
            format!("    MaxRequestWorkers {w}"),
            format!("    StartServers {spare}"),
            format!("    MinSpareServers {}", spare.min(2)),
            format!("    MaxSpareServers {spare}"),
            "</IfModule>".to_string(),
        ];
        let quoted: Vec<String> = lines.iter().map(|l| format!("'{l}'")).collect();
        vec![
            "/bin/sh".into(),
            "-c".into(),
            format!(
                "printf '%s\\n' {} > {APACHE_WORKERS_CONF} && exec /entrypoint.sh",
                quoted.join(" ")
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn php_sizes() {
        assert_eq!(php_size_mib("768M"), Some(768));
        assert_eq!(php_size_mib("768m"), Some(768));
        assert_eq!(php_size_mib("1G"), Some(1024));
        assert_eq!(php_size_mib("524288K"), Some(512));
        assert_eq!(php_size_mib("536870912"), Some(512));
        assert_eq!(php_size_mib("-1"), None);
        assert_eq!(php_size_mib("lots"), None);
        assert_eq!(php_size_mib("M"), None);
        assert_eq!(php_size_mib("99999999999999999G"), None);
    }

    fn mib(n: u64) -> Bytes {
        Bytes(n << 20)
    }

    #[test]
    fn workers_fit_one_ceiling_and_the_rest_at_the_average() {
        // Default 1Gi, image default 512M: (1024 - 320 - 512) / 64 + 1.
        let w = check(None, mib(1024)).unwrap();
        assert_eq!(
            (w.max, w.memory_limit_mib, w.memory_limit_from_spec),
            (4, 512, false)
        );
        // The smallest container validation admits: memory_limit derived down.
        let w = check(None, mib(512)).unwrap();
        assert_eq!((w.max, w.memory_limit_mib), (2, 128));
        assert!(FIXED_MIB + w.memory_limit_mib + (w.max - 1) * AVERAGE_WORKER_MIB <= 512);
        let w = check(Some("768M"), mib(1536)).unwrap();
        assert_eq!(
            (w.max, w.memory_limit_mib, w.memory_limit_from_spec),
            (8, 768, true)
        );
        let w = check(Some("256M"), mib(4096)).unwrap();
        assert_eq!(w.max, (4096 - 320 - 256) / 64 + 1);
    }

    #[test]
    fn too_big_a_limit_names_the_numbers() {
        let (path, message, hint) = check(Some("768M"), mib(1024)).unwrap_err();
        assert_eq!(path, "app.env.memory_limit");
        assert_eq!(message, "one request at memory_limit 768M does not fit a 1024Mi container beside opcache (256Mi) and Apache (64Mi)");
        assert_eq!(
            hint,
            "raise app.memory to at least 1088Mi or lower memory_limit to at most 704M"
        );
        assert_eq!(
            check(Some("-1"), mib(1024)).unwrap_err().0,
            "app.env.memory_limit"
        );
    }
}

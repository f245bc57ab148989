//! Masks for the secrets Kimai's entrypoint writes into the container log, and the Datadog log
//! configuration that applies them.
//!
//! The image's entrypoint runs under `bash -x`, so its trace (stderr, hence the container log)
//! shows the password it parses out of `DATABASE_URL` (the `DATABASE_PASS=` assignment and the
//! arguments of its `/dbtest.php` wait loop) and `ADMINPASS` (the `[ ! -z ... ]` test and the
//! arguments of `kimai:user:create`). Each mask replaces such a line's secret part; the same
//! list feeds the Datadog Autodiscovery annotation (Kubernetes) and label (Compose) and the
//! CloudWatch Logs data protection policy (ECS). Patterns use the syntax Go's regexp and
//! RE2 share (Datadog's agent is Go) and only the characters CloudWatch's custom data
//! identifiers accept (no `'`, `!`, `:` or parentheses); every match runs to the end of the line, so quoting in
//! the trace cannot leave part of a secret behind. Shippers mask line by line: a password with
//! a line break inside would continue on a line no mask matches (a trailing one is harmless).

use serde::Serialize;

/// One masking rule: text matching `pattern` is replaced by `replacement`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogMask {
    /// Rule name (letters, digits, `_`).
    pub name: &'static str,
    /// The secret-bearing sequence.
    pub pattern: &'static str,
    /// What it becomes.
    pub replacement: &'static str,
}

/// The masks, in the order they apply.
pub const LOG_MASKS: [LogMask; 5] = [
    LogMask {
        name: "kimai_trace_database_pass",
        pattern: r"DATABASE_PASS=.*",
        replacement: "DATABASE_PASS=[masked]",
    },
    LogMask {
        name: "kimai_trace_dbtest_arguments",
        pattern: r"/dbtest\.php .*",
        replacement: "/dbtest.php [masked]",
    },
    LogMask {
        // The `[ ! -z "$ADMINPASS" ]` test (any `-z` test: CloudWatch patterns cannot hold `'!'`).
        name: "kimai_trace_adminpass_test",
        pattern: r"-z .*",
        replacement: "-z [masked]",
    },
    LogMask {
        name: "kimai_trace_admin_create",
        pattern: r"ROLE_SUPER_ADMIN .*",
        replacement: "ROLE_SUPER_ADMIN [masked]",
    },
    LogMask {
        name: "kimai_database_url_credentials",
        pattern: r"mysql\S*@",
        replacement: "mysql://[masked]@",
    },
];

#[derive(Serialize)]
struct DatadogLogConfig<'a> {
    source: &'a str,
    service: &'a str,
    log_processing_rules: Vec<DatadogRule<'a>>,
}

#[derive(Serialize)]
struct DatadogRule<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    name: &'a str,
    pattern: &'a str,
    replace_placeholder: &'a str,
}

/// The Datadog Autodiscovery logs configuration of Kimai's container (the value of the
/// `ad.datadoghq.com/<container>.logs` annotation or the `com.datadoghq.ad.logs` label):
/// source `kimai`, `service`, and a `mask_sequences` rule per [`LOG_MASKS`] entry.
pub fn datadog_log_config(service: &str) -> String {
    let config = [DatadogLogConfig {
        source: "kimai",
        service,
        log_processing_rules: LOG_MASKS
            .iter()
            .map(|m| DatadogRule {
                kind: "mask_sequences",
                name: m.name,
                pattern: m.pattern,
                replace_placeholder: m.replacement,
            })
            .collect(),
    }];
    // Strings and vectors of strings always serialise. `serde_json::to_string`, into a buffer
    // of about the text's size (its own starts at 128 bytes and grows three times).
    let mut buf = Vec::with_capacity(1000);
    match serde_json::to_writer(&mut buf, &config) {
        Ok(()) => String::from_utf8(buf)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Err(_) => String::new(),
    }
}

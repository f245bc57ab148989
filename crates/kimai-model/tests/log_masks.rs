//! The log masks against the trace bash really writes: a script issuing the commands Kimai's
//! entrypoint traces with secrets (the `DATABASE_PASS` assignment parsed from `DATABASE_URL`,
//! the `/dbtest.php` wait, the `ADMINPASS` test, `kimai:user:create`) runs under `bash -x`
//! with hostile passwords; after the masks, neither password (raw or URL-encoded) is left.

use std::process::Command;

use kimai_model::{datadog_log_config, url_encode, LOG_MASKS};

/// Runs `script` under `bash -x` with the two secrets in the environment; returns the trace.
fn trace(db_password: &str, admin_password: &str) -> String {
    // The commands are shell functions so nothing runs; xtrace prints each call with its
    // arguments exactly as for the real programs (bash allows `/` in function names).
    let script = r#"
php() { :; }
function /opt/kimai/bin/console { :; }
DATABASE_PASS=$(awk -F '[/:@]' '{print $5}' <<< "$DATABASE_URL")
DATABASE_HOST=$(awk -F '[/:@]' '{print $6}' <<< "$DATABASE_URL")
php /dbtest.php "$DATABASE_HOST" kimai 3306 kimai "$DATABASE_PASS"
if [ ! -z "$ADMINPASS" ] && [ ! -a "$ADMINMAIL" ]; then
  /opt/kimai/bin/console kimai:user:create admin "$ADMINMAIL" ROLE_SUPER_ADMIN "$ADMINPASS"
fi
"#;
    let url = format!(
        "mysql://kimai:{}@db:3306/kimai?charset=utf8mb4&serverVersion=8.4.0",
        url_encode(db_password)
    );
    let out = Command::new("bash")
        .args(["-x", "-c", script])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &url)
        .env("ADMINPASS", admin_password)
        .env("ADMINMAIL", "admin@example.com")
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).expect("utf-8 trace")
}

fn masked(text: &str) -> String {
    text.lines()
        .map(|line| {
            LOG_MASKS.iter().fold(line.to_string(), |l, m| {
                let re = regex::Regex::new(m.pattern).expect("valid RE2 pattern");
                re.replace_all(&l, regex::NoExpand(m.replacement))
                    .into_owned()
            })
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_secret_survives_the_masks() {
    for (db, admin) in [
        ("S3cr3t/@:?#&%+ $x'\"!", "Adm1n pass/@:?#&%+ $'\"!"),
        ("plainpassword1", "plainadmin1"),
        // A trailing newline, as `kubectl create secret --from-file` keeps it. A line break
        // inside a password would split the trace line, and log shippers mask line by line.
        ("tab\there", "trailing newline ü\n"),
    ] {
        let raw = trace(db, admin);
        // The unmasked trace carries them: the masks have work to do.
        assert!(raw.contains(&url_encode(db)), "{raw}");
        assert!(raw.contains("ROLE_SUPER_ADMIN"), "{raw}");
        let out = masked(&raw);
        for secret in [db.to_string(), url_encode(db), admin.to_string()] {
            assert!(!out.contains(&secret), "`{secret}` left in:\n{out}");
        }
        // Distinctive pieces of each, in case the trace quoted them differently.
        for piece in [
            "S3cr3t",
            "Adm1n",
            "plainpassword1",
            "plainadmin1",
            "tab",
            "newline ü",
        ] {
            assert!(!out.contains(piece), "`{piece}` left in:\n{out}");
        }
        assert!(out.contains("DATABASE_PASS=[masked]"), "{out}");
        assert!(out.contains("ROLE_SUPER_ADMIN [masked]"), "{out}");
        // A DATABASE_URL printed anywhere (an exception, a dump of the environment).
        let url = format!(
            "connect failed: mysql://kimai:{}@db:3306/kimai?x",
            url_encode(db)
        );
        assert_eq!(
            masked(&url),
            "connect failed: mysql://[masked]@db:3306/kimai?x"
        );
        // What is not secret stays readable.
        assert!(out.contains("DATABASE_HOST=db"), "{out}");
    }
}

#[test]
fn datadog_config_carries_every_mask_as_json() {
    let v: serde_json::Value = serde_json::from_str(&datadog_log_config("kimai")).expect("json");
    assert_eq!(v[0]["source"], "kimai");
    assert_eq!(v[0]["service"], "kimai");
    let rules = v[0]["log_processing_rules"].as_array().expect("rules");
    assert_eq!(rules.len(), LOG_MASKS.len());
    for (r, m) in rules.iter().zip(LOG_MASKS) {
        assert_eq!(r["type"], "mask_sequences");
        assert_eq!(r["pattern"], m.pattern);
        assert_eq!(r["replace_placeholder"], m.replacement);
    }
}

/// CloudWatch Logs custom data identifiers (the ECS log group's data protection policy) accept
/// patterns of at most 200 characters from a small character set.
#[test]
fn masks_fit_cloudwatch_custom_data_identifiers() {
    assert!(LOG_MASKS.len() <= 10);
    for m in LOG_MASKS {
        assert!(m.pattern.len() <= 200, "{}", m.name);
        assert!(
            m.pattern
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_#=@/;,- ^$?[]{}|\\*+.".contains(c)),
            "{}: `{}` uses a character CloudWatch rejects",
            m.name,
            m.pattern
        );
    }
}

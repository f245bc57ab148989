//! No error, notice or summary line of the command ever contains a value written at a secret
//! path or under a secret-looking env name, whatever the value, the format or the mode.

use proptest::prelude::*;
use serde_json::{json, Value};

/// Runs the command in-process on `spec` (standard input) and returns (exit code, all output).
fn command(spec: &[u8], args: &[&str]) -> (u8, String) {
    let out_dir =
        std::env::temp_dir().join(format!("kimai-deploy-cli-secrets-{}", std::process::id()));
    let mut argv = vec![
        "kimai-deploy",
        "--spec",
        "-",
        "--out",
        out_dir.to_str().expect("utf8"),
    ];
    argv.extend_from_slice(args);
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = kimai_deploy::cli::run(argv, &mut &spec[..], &mut stdout, &mut stderr);
    (
        code,
        format!(
            "{}{}",
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        ),
    )
}

fn hostile() -> impl Strategy<Value = String> {
    "[A-Za-z0-9/@:?#&%+ $'\"!{}\\[\\],*|>-]{8,24}"
        .prop_filter("not blank, not a secret name", |s| {
            !s.trim().is_empty() && kimai_deploy::model::secret_name_problem(s).is_some()
        })
}

fn set(doc: &mut Value, path: &str, value: Value) {
    let parts: Vec<&str> = path.split('.').collect();
    let mut node = doc;
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            node[*part] = value.clone();
        } else {
            if node.get(*part).is_none() {
                node[*part] = json!({});
            }
            node = &mut node[*part];
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn secrets_never_reach_the_terminal(
        value in hostile(),
        path in prop::sample::select(vec![
            "database.password", "database.root_password", "app.app_secret", "app.admin_password",
            "app.mailer.url", "monitoring.datadog.api_key", "database.url_secret.secret",
            "app.env.SMTP_PASSWORD", "app.env.STRIPE_API_KEY", "app.env.OAUTH_CLIENT_SECRET",
        ]),
        json_format in any::<bool>(),
        multi in any::<bool>(),
        check in any::<bool>(),
    ) {
        let mut spec = json!({ "name": "kimai", "ingress": { "host": "kimai.example.com" } });
        if path.starts_with("app.mailer") {
            set(&mut spec, "app.mailer.from", json!("kimai@example.com"));
        }
        set(&mut spec, path, Value::String(value.clone()));
        let doc = if multi {
            json!({ "base": { "name": "kimai", "ingress": { "host": "kimai.example.com" } }, "environments": { "dev": {}, "prod": spec } })
        } else {
            spec
        };
        let bytes = if json_format {
            serde_json::to_vec(&doc).unwrap_or_default()
        } else {
            serde_yaml::to_string(&doc).unwrap_or_default().into_bytes()
        };
        let mode: &[&str] = if check { &["--check"] } else { &[] };
        let (code, text) = command(&bytes, mode);
        prop_assert_eq!(code, 1, "{}", text);
        prop_assert!(!text.contains(&value), "{} leaked:\n{}", path, text);
        if multi {
            prop_assert!(text.contains("environments.prod."), "{}", text);
        }
    }

    #[test]
    fn opted_out_values_under_secret_looking_names_stay_out_of_summaries(
        value in hostile(),
        name in prop::sample::select(vec!["PASSWORD_MIN_LENGTH", "TOKEN_TTL", "SECRET_SANTA"]),
    ) {
        let doc = json!({ "name": "kimai", "ingress": { "host": "kimai.example.com" }, "app": { "env": { name: { "plain": value.clone() } } } });
        let (code, text) = command(&serde_json::to_vec(&doc).unwrap_or_default(), &["--check"]);
        prop_assert!(code == 4 || code == 0, "{}", text);
        prop_assert!(!text.contains(&value), "{}", text);
    }
}

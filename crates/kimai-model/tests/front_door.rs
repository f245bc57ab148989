//! The spec's front door: every problem of both stages at once, plain words with lines and
//! hints, tabs, no secret in any message, `app.env` secret references and `local_yaml`.

use kimai_model::{load, load_all, parse, EnvVar, Format};
use proptest::prelude::*;

fn problems(yaml: &str) -> Vec<String> {
    match load(yaml.as_bytes(), Format::Yaml) {
        Ok(_) => panic!("expected problems in:\n{yaml}"),
        Err(d) => d.iter().map(|d| d.to_string()).collect(),
    }
}

const HOST: &str = "ingress: { host: kimai.example.com }\n";

#[test]
fn every_parse_problem_at_once_with_lines_and_hints() {
    let e = problems("name: kimai\napp:\n  replicass: 3\ndatabase:\n  mode: rds\ningress:\n  host: k.example.com\n  tsl: { mode: acm }\n");
    assert_eq!(e.len(), 3, "{e:#?}");
    assert!(
        e[0].starts_with(
            "app.replicass (line 3): unknown key `replicass`\n  hint: did you mean `replicas`?"
        ),
        "{}",
        e[0]
    );
    assert!(e[1].starts_with("database.mode (line 5): expected `bundled` or `external`, found the text `rds`\n  hint: allowed values: `bundled`, `external`"), "{}", e[1]);
    assert!(
        e[2].starts_with("ingress.tsl (line 8): unknown key `tsl`\n  hint: did you mean `tls`?"),
        "{}",
        e[2]
    );
}

#[test]
fn no_rust_type_names_in_any_message() {
    let inputs = [
        "name: 5\n",
        "name: kimai\napp: { replicas: many, cpu: [1], env: { A: { b: 1 } } }\n",
        "name: kimai\ndatabase: { port: 70000, password: 5 }\n",
        "name: kimai\nscaling: 3\nmonitoring: { datadog: { enabled: maybe } }\n",
        "name: kimai\ntargets: { ecs: { cpu: -1, subnets: subnet-1 } }\n",
        "- a list\n",
    ];
    for input in inputs {
        let text = match load(input.as_bytes(), Format::Yaml) {
            Ok(_) => panic!("{input}"),
            Err(d) => d.to_string(),
        };
        for word in [
            "u32",
            "u16",
            "struct",
            "SecretRef",
            "EnvVar",
            "enum ",
            "invalid type",
            "sequence",
            "BTreeMap",
            "Option",
        ] {
            assert!(!text.contains(word), "`{word}` in:\n{text}");
        }
    }
}

#[test]
fn a_tab_in_the_indentation_is_named_with_its_line() {
    let e = problems("name: kimai\ningress:\n\thost: kimai.example.com\n");
    assert_eq!(e, ["spec (line 3): a tab in the indentation\n  hint: YAML indents with spaces only: replace the tab with spaces"]);
}

#[test]
fn a_secret_value_is_never_printed() {
    let e = problems(&format!(
        "name: kimai\n{HOST}database:\n  password: \"S3cr3t!Passw0rd\"\n"
    ));
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with(
            "database.password (line 4): secrets are references, write `{ secret: db-password }`"
        ),
        "{}",
        e[0]
    );
    // A value where the secret's name belongs, and a plain value under a secret-looking name.
    let e = problems(&format!("name: kimai\n{HOST}app:\n  app_secret: {{ secret: \"S3cr3t!Passw0rd\" }}\n  env:\n    SMTP_PASSWORD: S3cr3t!Passw0rd\n    API_TOKEN: 12345678\n"));
    assert!(!e.concat().contains("S3cr3t"), "{e:#?}");
    assert!(!e.concat().contains("12345678"), "{e:#?}");
    assert_eq!(e.len(), 3, "{e:#?}");
}

#[test]
fn env_secrets_by_reference_and_the_plain_opt_out() {
    let e = problems(&format!(
        "name: kimai\n{HOST}app:\n  env:\n    SMTP_PASSWORD: hunter2\n"
    ));
    assert_eq!(e, ["app.env.SMTP_PASSWORD (line 5): `SMTP_PASSWORD` looks like a secret but its value is written in the spec\n  hint: secrets are references: write `SMTP_PASSWORD: { secret: smtp-password }` and keep the value in the secret store; if it is not a secret, write `SMTP_PASSWORD: { plain: ... }`"]);
    let m = load(format!("name: kimai\n{HOST}app:\n  env:\n    SMTP_PASSWORD: {{ secret: smtp-password }}\n    PASSWORD_MIN_LENGTH: {{ plain: \"12\" }}\n").as_bytes(), Format::Yaml).expect("valid");
    assert!(
        m.secrets().iter().any(|s| s.name() == "smtp-password"),
        "{:?}",
        m.secrets()
    );
    assert_eq!(m.spec().app.env["PASSWORD_MIN_LENGTH"].plain(), Some("12"));
    assert!(matches!(
        m.spec().app.env["SMTP_PASSWORD"],
        EnvVar::Secret(_)
    ));
    let refs = kimai_model::secret_refs(m.spec());
    assert!(refs
        .iter()
        .any(|(p, r)| p == "app.env.SMTP_PASSWORD" && r.name() == "smtp-password"));
}

#[test]
fn local_yaml_keeps_bind_passwords_out() {
    let e = problems(&format!("name: kimai\n{HOST}app:\n  local_yaml: |\n    kimai:\n      ldap:\n        connection:\n          host: ldap.example.com\n          password: Bind!Pass\n"));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(e[0].starts_with("app.local_yaml (line 4): local.yaml line 5 sets `password` in plain text\n  hint: keep it out of the spec: write `password: '%env(LDAP_PASSWORD)%'` and add `LDAP_PASSWORD: { secret: ldap-password }` under `app.env`"), "{}", e[0]);
    assert!(!e[0].contains("Bind!Pass"));
    // A SAML private key as a block, refused; Kimai's password-reset settings are not secrets.
    let e = problems(&format!("name: kimai\n{HOST}app:\n  local_yaml: |\n    kimai:\n      user: {{ password_reset: true, password_reset_retry_ttl: 3600 }}\n      saml:\n        provider:\n          sp:\n            privateKey: |\n              MIIEvQ\n"));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(
        e[0].contains("local.yaml line 6 sets `privateKey` in plain text"),
        "{}",
        e[0]
    );
    assert!(!e[0].contains("MIIEvQ"));
    // The placeholder must name a variable the deployment sets.
    let e = problems(&format!("name: kimai\n{HOST}app:\n  local_yaml: |\n    kimai: {{ ldap: {{ connection: {{ password: '%env(LDAP_PASSWORD)%' }} }} }}\n"));
    assert!(
        e[0].contains("`%env(LDAP_PASSWORD)%` reads `LDAP_PASSWORD`, which `app.env` does not set"),
        "{}",
        e[0]
    );
    load(format!("name: kimai\n{HOST}app:\n  env: {{ LDAP_PASSWORD: {{ secret: ldap-password }} }}\n  local_yaml: |\n    kimai: {{ ldap: {{ connection: {{ password: '%env(LDAP_PASSWORD)%' }} }} }}\n").as_bytes(), Format::Yaml).expect("placeholder from a secret");
}

#[test]
fn multi_environment_problems_carry_their_prefix_and_line() {
    let text = "base:\n  name: kimai\n  ingress: { host: k.example.com }\nenvironments:\n  dev:\n    app: { replicass: 2 }\n  prod:\n    database: { password: hunter2 }\n";
    let e: Vec<String> = load_all(text.as_bytes(), Format::Yaml)
        .unwrap_err()
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert!(
        e[0].starts_with("environments.dev.app.replicass (line 6): unknown key `replicass`"),
        "{e:#?}"
    );
    assert!(
        e[1].starts_with("environments.prod.database.password (line 8): secrets are references"),
        "{e:#?}"
    );
    assert!(!e.concat().contains("hunter2"));
}

#[test]
fn debug_prints_what_display_prints() {
    let d = load(b"name: kimai\nreplicas: 3\n", Format::Yaml).unwrap_err();
    assert_eq!(format!("{d:?}"), d.to_string());
    assert!(
        d.to_string()
            .starts_with("2 problems in the spec:\n- ingress.host: missing"),
        "{d}"
    );
}

#[test]
fn secret_names_reserved_for_derived_forms() {
    let e = problems(&format!(
        "name: kimai\n{HOST}app:\n  env:\n    X_TOKEN: {{ secret: db-password-urlencoded }}\n"
    ));
    assert_eq!(e, ["app.env.X_TOKEN (line 5): secret names ending in `-urlencoded` are kept for the URL-encoded form kimai-deploy derives\n  hint: name the secret like `db-password`; the value stays outside the spec"]);
}

#[test]
fn both_stages_in_one_report() {
    // Five problems: three structural, two of meaning; the snapshot is the command's text.
    let spec = "name: Kimai!\napp:\n  replicass: 3\n  memory: 1024\n  env:\n    SMTP_PASSWORD: hunter2\ndatabase:\n  mode: external\n  password: \"S3cr3t!Passw0rd\"\ningress:\n  host: k.example.com\n  tsl: { mode: acm }\nscaling: { min_replicas: 4, max_replicas: 2 }\n";
    let d = load(spec.as_bytes(), Format::Yaml).unwrap_err();
    assert!(d.len() >= 5);
    assert!(parse(spec.as_bytes(), Format::Yaml).is_err());
    let text = d.to_string();
    assert!(!text.contains("hunter2") && !text.contains("S3cr3t"));
    insta::assert_snapshot!(text);
}

/// Hostile values: the characters every format escapes, and text that looks like YAML.
fn hostile() -> impl Strategy<Value = String> {
    "[A-Za-z0-9/@:?#&%+ $'\"!{}\\[\\],*|>-]{8,24}"
        .prop_filter("not blank, not a secret name", |s| {
            !s.trim().is_empty() && kimai_model::secret_name_problem(s).is_some()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn no_message_contains_a_value_given_at_a_secret_path(
        value in hostile(),
        path in prop::sample::select(vec![
            "database.password", "database.root_password", "database.url_secret", "app.app_secret",
            "app.admin_password", "monitoring.datadog.api_key", "database.password.secret",
            "app.app_secret.secret", "app.env.SMTP_PASSWORD", "app.env.GITHUB_TOKEN",
            "app.env.AWS_SECRET_ACCESS_KEY", "app.env.LDAP_BIND_PASSWD",
        ]),
        json in any::<bool>(),
    ) {
        let mut doc = serde_json::json!({ "name": "kimai", "ingress": { "host": "kimai.example.com" } });
        let parts: Vec<&str> = path.split('.').collect();
        let mut node = &mut doc;
        for (i, part) in parts.iter().enumerate() {
            if i + 1 == parts.len() {
                node[*part] = serde_json::Value::String(value.clone());
            } else {
                if node.get(*part).is_none() {
                    node[*part] = serde_json::json!({});
                }
                node = &mut node[*part];
            }
        }
        let (bytes, format) = if json {
            (serde_json::to_vec(&doc).unwrap_or_default(), Format::Json)
        } else {
            (serde_yaml::to_string(&doc).unwrap_or_default().into_bytes(), Format::Yaml)
        };
        let text = match load(&bytes, format) {
            Ok(_) => String::new(),
            Err(d) => d.to_string(),
        };
        prop_assert!(!text.is_empty(), "a secret value at {} is an error", path);
        prop_assert!(!text.contains(&value), "{} leaked:\n{}", path, text);
    }
}

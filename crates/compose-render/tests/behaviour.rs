//! What the Compose project must do, checked on parsed output rather than on text.

use std::collections::BTreeMap;

use kimai_model::{load, Format, Validated};
use serde_yaml::Value;

fn model(yaml: &str) -> Validated {
    load(yaml.as_bytes(), Format::Yaml).unwrap_or_else(|e| panic!("{e}"))
}

fn render(m: &Validated) -> (Value, kimai_model::Rendered) {
    let r = compose_render::render(m, &compose_render::Options::default()).expect("renders");
    let y: Value = serde_yaml::from_str(&r.file("compose.yaml").expect("compose.yaml").contents)
        .expect("parses");
    (y, r)
}

/// Undoes Compose's `$$` escape, as Compose does when it reads a literal.
fn compose_literal(s: &str) -> String {
    s.replace("$$", "$")
}

const NASTY: &[(&str, &str)] = &[
    ("A_YES", "yes"),
    ("B_ON", "on"),
    ("C_OCTAL", "0755"),
    ("D_FLOAT", "1e3"),
    ("E_NULL", "null"),
    ("F_TILDE", "~"),
    ("G_DOLLAR", "$HOME ${X} $$ $"),
    ("H_HASH", "a #b"),
    ("I_QUOTES", "'\"\\"),
    ("J_NEWLINES", "a\nb\n"),
    ("K_UNICODE", "größer – ✓ 日本"),
    ("L_EMPTY", ""),
    ("M_LEADING", " x"),
    ("N_JINJA", "{{ x }} {% y %}"),
    ("O_COLON", "a: b"),
];

#[test]
fn env_values_arrive_byte_exact() {
    let mut yaml = String::from("name: kimai\ningress: { host: k.example.com }\napp:\n  env:\n");
    for (k, v) in NASTY {
        yaml.push_str(&format!(
            "    {k}: {}\n",
            serde_json::to_string(v).expect("json string")
        ));
    }
    let (y, _) = render(&model(&yaml));
    let env = &y["services"]["kimai"]["environment"];
    for (k, v) in NASTY {
        let got = env[*k]
            .as_str()
            .unwrap_or_else(|| panic!("{k} is a string"));
        assert_eq!(compose_literal(got), *v, "{k}");
    }
}

#[test]
fn every_interpolated_variable_is_in_env_example_and_no_more() {
    for spec in [
        "name: kimai\ningress: { host: k.example.com }\n",
        "name: kimai\ningress: { host: k.example.com }\napp: { admin_email: a@example.com, admin_password: { secret: adm }, mailer: { from: m@example.com } }\nmonitoring: { datadog: { enabled: true } }\n",
        "name: kimai\ningress: { host: k.example.com }\ndatabase: { mode: external, host: db.example.com }\n",
    ] {
        let (_, r) = render(&model(spec));
        let compose = &r.file("compose.yaml").expect("compose").contents;
        let mut used: Vec<&str> = compose
            .split("${")
            .skip(1)
            .filter_map(|s| s.split(':').next())
            .collect();
        used.sort();
        used.dedup();
        let example = &r.file(".env.example").expect(".env.example").contents;
        let mut listed: Vec<&str> = example
            .lines()
            .filter(|l| !l.starts_with('#') && l.ends_with('='))
            .map(|l| l.trim_end_matches('='))
            .collect();
        listed.sort();
        assert_eq!(used, listed, "{spec}");
        assert!(example.lines().all(|l| l.starts_with('#') || l.is_empty() || l.ends_with('=')), "no values in .env.example");
    }
}

#[test]
fn database_url_carries_the_encoded_password_variable() {
    let (y, _) = render(&model("name: kimai\ningress: { host: k.example.com }\ndatabase: { engine: mariadb, user: kimai_app, port: 3307 }\n"));
    let url = y["services"]["kimai"]["environment"]["DATABASE_URL"]
        .as_str()
        .expect("url");
    assert_eq!(
        url,
        "mysql://kimai_app:${DB_PASSWORD_URLENCODED:?set DB_PASSWORD_URLENCODED in .env}@db:3307/kimai?charset=utf8mb4&serverVersion=11.4.0-MariaDB"
    );
    assert_eq!(
        y["services"]["db"]["environment"]["MARIADB_PASSWORD"].as_str(),
        Some("${DB_PASSWORD:?set DB_PASSWORD in .env}")
    );
}

#[test]
fn health_checks_and_start_order() {
    let (y, _) = render(&model(
        "name: kimai\ningress: { host: k.example.com, tls: { mode: files } }\n",
    ));
    let s = &y["services"];
    for name in ["kimai", "db", "proxy"] {
        assert!(
            s[name]["healthcheck"]["test"]
                .as_sequence()
                .is_some_and(|t| !t.is_empty()),
            "{name}"
        );
        assert_eq!(s[name]["restart"].as_str(), Some("unless-stopped"));
        assert_eq!(
            s[name]["logging"]["options"]["max-size"].as_str(),
            Some("10m")
        );
    }
    assert_eq!(
        s["kimai"]["depends_on"]["db"]["condition"].as_str(),
        Some("service_healthy")
    );
    assert_eq!(
        s["proxy"]["depends_on"]["kimai"]["condition"].as_str(),
        Some("service_healthy")
    );
    let test: Vec<&str> = s["kimai"]["healthcheck"]["test"]
        .as_sequence()
        .expect("seq")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(test.contains(&"Host: localhost") && test.contains(&"http://127.0.0.1:8001/en/login"));
    let ports: Vec<&str> = s["proxy"]["ports"]
        .as_sequence()
        .expect("ports")
        .iter()
        .filter_map(|p| p["published"].as_str())
        .collect();
    assert_eq!(ports, ["80", "443"]);
    assert!(
        s["kimai"].get("ports").is_none(),
        "Kimai is reachable only through the proxy"
    );
    let vols: Vec<&str> = s["kimai"]["volumes"]
        .as_sequence()
        .expect("vols")
        .iter()
        .filter_map(|v| v["target"].as_str())
        .collect();
    assert_eq!(
        vols,
        [
            "/opt/kimai/var/data",
            "/opt/kimai/var/plugins",
            "/opt/kimai/var/invoices"
        ]
    );
    assert!(y.get("version").is_none());
}

#[test]
fn what_compose_cannot_express_is_a_notice() {
    let m = model(
        "name: kimai\ningress: { host: k.example.com, tls: { mode: acm, certificate_arn: \"arn:aws:acm:eu-west-1:123456789012:certificate/abc\" } }\nscaling: { min_replicas: 2, max_replicas: 5 }\nstorage: { class: efs, efs: { file_system_id: fs-01234567 } }\nbackup: { s3_bucket: my-bucket }\n",
    );
    let (y, r) = render(&m);
    let paths: Vec<&str> = r.notices.iter().map(|n| n.path.as_str()).collect();
    assert_eq!(
        paths,
        ["backup", "ingress.tls.mode", "scaling", "storage.class"]
    );
    assert_eq!(
        y["services"]["kimai"]["deploy"]["replicas"].as_u64(),
        Some(2)
    );
}

#[test]
fn env_file_encodes_and_quotes() {
    let m = model("name: kimai\ningress: { host: k.example.com }\n");
    let values: BTreeMap<String, String> = [
        ("app-secret", "s3cr$t"),
        ("db-password", "p/@:?#&%+ $'\"!"),
        ("db-root-password", "r\\oot\n"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let env = compose_render::env_file(&m, &values).expect("all values given");
    assert_eq!(
        env,
        "APP_SECRET=\"s3cr\\$t\"\nDB_PASSWORD=\"p/@:?#&%+ \\$'\\\"!\"\nDB_PASSWORD_URLENCODED=\"p%2F%40%3A%3F%23%26%25%2B%20%24%27%22%21\"\nDB_ROOT_PASSWORD=\"r\\\\oot\\n\"\n"
    );
    let mut missing = values.clone();
    missing.remove("app-secret");
    assert_eq!(
        compose_render::env_file(&m, &missing),
        Err(vec!["app-secret".to_string()])
    );
}

#[test]
fn rendering_is_byte_stable() {
    let spec = std::fs::read("../../examples/specs/single-host-tls.yaml").expect("spec");
    let m = load(&spec, Format::Yaml).expect("valid");
    let a = compose_render::render(&m, &compose_render::Options::default()).expect("renders");
    let b = compose_render::render(&m, &compose_render::Options::default()).expect("renders");
    assert_eq!(a, b);
}

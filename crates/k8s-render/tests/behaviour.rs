//! Behaviour tests: env values survive the kubelet's `$(VAR)` expansion byte-exact,
//! `DATABASE_URL` expands to the model's URL, target checks, ALB health checks, storage
//! variants, notices.

use std::collections::BTreeMap;

use kimai_model::{load, url_encode, Format, Validated};
use serde_yaml::Value;

fn model(yaml: &str) -> Validated {
    load(yaml.as_bytes(), Format::Yaml).expect("valid spec")
}

fn render(m: &Validated) -> kimai_model::Rendered {
    k8s_render::render(m, &k8s_render::Options::default()).expect("renders")
}

fn docs(r: &kimai_model::Rendered, file: &str) -> Vec<Value> {
    let text = &r.file(file).expect(file).contents;
    serde_yaml::Deserializer::from_str(text)
        .map(|d| serde::Deserialize::deserialize(d).expect("parses"))
        .collect()
}

/// The kubelet's expansion of `$(VAR)` references (k8s third_party/forked/golang/expansion).
fn expand(input: &str, vars: &BTreeMap<String, String>) -> String {
    let b = input.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() {
            match b[i + 1] {
                b'$' => {
                    out.push(b'$');
                    i += 2;
                }
                b'(' => match b[i + 2..].iter().position(|&c| c == b')') {
                    Some(end) => {
                        let name = &input[i + 2..i + 2 + end];
                        match vars.get(name) {
                            Some(v) => out.extend_from_slice(v.as_bytes()),
                            None => out.extend_from_slice(&b[i..i + 3 + end]),
                        }
                        i += 3 + end;
                    }
                    None => {
                        out.extend_from_slice(b"$(");
                        i += 2;
                    }
                },
                c => {
                    out.push(b'$');
                    out.push(c);
                    i += 2;
                }
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8")
}

/// Kimai's env as the container sees it, secrets given as `secret_values` by key.
fn effective_env(
    r: &kimai_model::Rendered,
    secret_values: &BTreeMap<&str, String>,
) -> BTreeMap<String, String> {
    let d = &docs(r, "deployment.yaml")[0];
    let mut env = BTreeMap::new();
    for e in d["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_sequence()
        .expect("env")
    {
        let name = e["name"].as_str().expect("name").to_string();
        let value = if let Some(v) = e["value"].as_str() {
            expand(v, &env)
        } else if let Some(k) = e["valueFrom"]["secretKeyRef"]["key"].as_str() {
            secret_values.get(k).cloned().unwrap_or_default()
        } else {
            continue;
        };
        env.insert(name, value);
    }
    env
}

const HOSTILE: &[(&str, &str)] = &[
    ("K_DOLLAR_PAREN", "$(HOME) and $(APP_ENV)"),
    ("K_DOUBLE", "pa$$word $$(X) $$$"),
    ("K_TRAILING", "ends with $"),
    ("K_BRACE", "${NOT_A_VAR} $HOME"),
    ("K_UNCLOSED", "$(never closed"),
    ("K_YES", "yes"),
    ("K_ON", "on"),
    ("K_OCTAL", "0755"),
    ("K_FLOAT", "1e3"),
    ("K_NULL", "~"),
    ("K_EMPTY", ""),
    ("K_QUOTES", "it's \"quoted\" \\ back"),
    ("K_NEWLINES", "first\nsecond\n"),
    ("K_HASH", "value # not a comment"),
    ("K_COLON", "a: b"),
    ("K_UNICODE", "größer ✓"),
];

fn hostile_spec() -> String {
    let mut s = String::from("name: kimai\ningress: { host: kimai.example.com }\napp:\n  env:\n");
    for (k, v) in HOSTILE {
        s.push_str(&format!(
            "    {k}: {}\n",
            serde_json::to_string(v).expect("json")
        ));
    }
    s
}

#[test]
fn plain_env_values_arrive_byte_exact() {
    let m = model(&hostile_spec());
    let r = render(&m);
    let env = effective_env(&r, &BTreeMap::new());
    for (k, v) in HOSTILE {
        assert_eq!(env.get(*k).map(String::as_str), Some(*v), "{k}");
    }
    let trusted = m
        .kimai_env(&[])
        .into_iter()
        .find(|(k, _)| k == "TRUSTED_HOSTS")
        .expect("trusted hosts");
    assert_eq!(
        trusted.1,
        kimai_model::EnvValue::Plain(env["TRUSTED_HOSTS"].clone())
    );
}

#[test]
fn database_url_expands_with_the_encoded_password() {
    let m = model(&hostile_spec());
    let r = render(&m);
    let password = "S3cr3t/@:?#&%+ $x'\"!$(HOME)";
    let secrets = BTreeMap::from([("db-password-urlencoded", url_encode(password))]);
    let env = effective_env(&r, &secrets);
    assert_eq!(
        env["DATABASE_URL"],
        m.database_url("kimai-db")
            .with_password(&url_encode(password))
    );
}

#[test]
fn several_replicas_on_local_storage_do_not_render() {
    let m = model("name: kimai\ningress: { host: kimai.example.com }\napp: { replicas: 3 }\n");
    let err = k8s_render::render(&m, &k8s_render::Options::default()).unwrap_err();
    match err {
        k8s_render::Error::Invalid(d) => {
            assert!(d.iter().any(|d| d.path == "storage.class"), "{d}");
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn alb_health_checks_pass_trusted_hosts_and_nginx_does_not_widen_them() {
    let alb = model("name: kimai\ningress: { host: kimai.example.com, tls: { mode: acm, certificate_arn: \"arn:aws:acm:eu-central-1:123456789012:certificate/x\" } }\ntargets: { kubernetes: { ingress_class: alb } }\n");
    let env = effective_env(&render(&alb), &BTreeMap::new());
    assert!(env["TRUSTED_HOSTS"].contains(r"10\.[0-9]+"));
    let ing = &docs(&render(&alb), "ingress.yaml")[0];
    let a = &ing["metadata"]["annotations"];
    assert_eq!(
        a["alb.ingress.kubernetes.io/healthcheck-path"].as_str(),
        Some("/en/login")
    );
    assert_eq!(
        a["alb.ingress.kubernetes.io/target-type"].as_str(),
        Some("ip")
    );
    assert!(a["alb.ingress.kubernetes.io/certificate-arn"].is_string());
    let nginx = model("name: kimai\ningress: { host: kimai.example.com }\n");
    let env = effective_env(&render(&nginx), &BTreeMap::new());
    assert_eq!(env["TRUSTED_HOSTS"], nginx.trusted_hosts(&[]));
}

#[test]
fn efs_without_access_point_and_with_a_storage_class() {
    let base = "name: kimai\ningress: { host: kimai.example.com }\nscaling: { min_replicas: 2, max_replicas: 4 }\n";
    let m = model(&format!(
        "{base}storage: {{ class: efs, efs: {{ file_system_id: fs-0123456789abcdef0 }} }}\n"
    ));
    let d = docs(&render(&m), "storage.yaml");
    assert_eq!(d[0]["kind"].as_str(), Some("PersistentVolume"));
    assert_eq!(
        d[0]["spec"]["csi"]["volumeHandle"].as_str(),
        Some("fs-0123456789abcdef0")
    );
    assert_eq!(
        d[1]["spec"]["accessModes"][0].as_str(),
        Some("ReadWriteMany")
    );
    let m = model(&format!("{base}storage: {{ class: efs, storage_class_name: efs-sc, efs: {{ file_system_id: fs-0123456789abcdef0 }} }}\n"));
    let d = docs(&render(&m), "storage.yaml");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["spec"]["storageClassName"].as_str(), Some("efs-sc"));
}

#[test]
fn bundled_mariadb_uses_its_own_variables_and_health_check() {
    let m = model("name: kimai\ningress: { host: kimai.example.com }\ndatabase: { engine: mariadb }\nbackup: { s3_bucket: example-backups }\n");
    let r = render(&m);
    let db = docs(&r, "database.yaml");
    let sts = db
        .iter()
        .find(|d| d["kind"].as_str() == Some("StatefulSet"))
        .expect("sts");
    let c = &sts["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["env"][0]["name"].as_str(), Some("MARIADB_DATABASE"));
    assert_eq!(
        c["readinessProbe"]["exec"]["command"][0].as_str(),
        Some("healthcheck.sh")
    );
    let backup = docs(&r, "backup.yaml");
    let cron = backup
        .iter()
        .find(|d| d["kind"].as_str() == Some("CronJob"))
        .expect("cron");
    assert_eq!(cron["spec"]["concurrencyPolicy"].as_str(), Some("Forbid"));
    let script = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["initContainers"][0]
        ["command"][2]
        .as_str()
        .expect("script");
    assert!(script.contains("mariadb-dump --single-transaction"));
    assert!(r
        .notices
        .iter()
        .any(|n| n.path == "targets.kubernetes.service_account_annotations"));
}

#[test]
fn tls_files_is_a_notice_not_a_silent_drop() {
    let m = model("name: kimai\ningress: { host: kimai.example.com, tls: { mode: files } }\n");
    let r = render(&m);
    assert!(r
        .notices
        .iter()
        .any(|n| n.target == "k8s" && n.path == "ingress.tls.mode"));
}

#[test]
fn external_secrets_compute_the_url_encoded_password() {
    let m = model("name: kimai\ningress: { host: kimai.example.com }\ntargets: { kubernetes: { external_secrets: { store: sm } } }\n");
    let es = &docs(&render(&m), "externalsecret.yaml")[0];
    assert_eq!(es["apiVersion"].as_str(), Some("external-secrets.io/v1"));
    assert_eq!(es["spec"]["target"]["name"].as_str(), Some("kimai-secrets"));
    let t = es["spec"]["target"]["template"]["data"]["db-password-urlencoded"]
        .as_str()
        .expect("template");
    assert_eq!(
        t,
        r#"{{ index . "db-password" | urlquery | replace "+" "%20" }}"#
    );
    let remote: Vec<&str> = es["spec"]["data"]
        .as_sequence()
        .expect("data")
        .iter()
        .filter_map(|d| d["remoteRef"]["key"].as_str())
        .collect();
    assert!(
        remote.contains(&"kimai/production/db_password"),
        "the same AWS names as ECS: {remote:?}"
    );
    assert!(remote.iter().all(|k| !k.ends_with("-urlencoded")));
}

#[test]
fn escape_env_doubles_every_dollar() {
    assert_eq!(k8s_render::escape_env("$(A)$$B$"), "$$(A)$$$$B$$");
    assert_eq!(k8s_render::escape_env("plain"), "plain");
}

#[test]
fn a_local_yaml_change_rolls_the_pods() {
    let base = "name: kimai\ningress: { host: kimai.example.com }\napp:\n  local_yaml: ";
    let hash = |local: &str| {
        let r = render(&model(&format!(
            "{base}{}\n",
            serde_json::to_string(local).expect("json")
        )));
        docs(&r, "deployment.yaml")[0]["spec"]["template"]["metadata"]["annotations"]
            [k8s_render::deployment::LOCAL_YAML_HASH]
            .as_str()
            .expect("hash")
            .to_string()
    };
    assert_eq!(hash("kimai: {}\n"), hash("kimai: {}\n"));
    assert_ne!(hash("kimai: {}\n"), hash("kimai: { ldap: {} }\n"));
    assert_eq!(k8s_render::deployment::fnv1a64(""), "cbf29ce484222325");
    assert_eq!(k8s_render::deployment::fnv1a64("a"), "af63dc4c8601ec8c");
}

#[test]
fn rolling_updates_only_on_shared_storage() {
    let strategy =
        |spec: &str| docs(&render(&model(spec)), "deployment.yaml")[0]["spec"]["strategy"].clone();
    let rwo = strategy("name: kimai\ningress: { host: kimai.example.com }\n");
    assert_eq!(rwo["type"].as_str(), Some("Recreate"));
    let rwx = strategy("name: kimai\ningress: { host: kimai.example.com }\nstorage: { class: shared, storage_class_name: nfs }\napp: { replicas: 2 }\n");
    assert_eq!(rwx["type"].as_str(), Some("RollingUpdate"));
    assert_eq!(rwx["rollingUpdate"]["maxSurge"].as_u64(), Some(1));
    assert_eq!(rwx["rollingUpdate"]["maxUnavailable"].as_u64(), Some(0));
}

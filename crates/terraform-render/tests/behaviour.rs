//! What the Terraform output means, read back with `hcl-rs`'s parser: production versus
//! smaller environments, retention, health checks, least-privilege secrets, no secret value.

use hcl::Value;
use kimai_model::{load, Format, Validated, DEREGISTRATION_DELAY_SECONDS, HEALTH_PATH};

fn model(path: &str) -> Validated {
    let path = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("spec");
    load(&bytes, Format::from_file_name(&path)).expect("valid spec")
}

/// Every `.tf` file merged into one value (`resource.TYPE.NAME.ATTR`, ...).
fn tf(model: &Validated) -> Value {
    let out =
        terraform_render::render(model, &terraform_render::Options::default()).expect("renders");
    let mut all = hcl::Map::new();
    for f in out.files.iter().filter(|f| f.path.ends_with(".tf")) {
        let v: Value = hcl::from_str(&f.contents).unwrap_or_else(|e| panic!("{}: {e}", f.path));
        for (k, v) in v.as_object().expect("object").clone() {
            match (all.get_mut(&k), v) {
                (Some(Value::Object(a)), Value::Object(b)) => {
                    for (t, x) in b {
                        match (a.get_mut(&t), x) {
                            (Some(Value::Object(a2)), Value::Object(b2)) => a2.extend(b2),
                            (_, x) => {
                                a.insert(t, x);
                            }
                        }
                    }
                }
                (_, v) => {
                    all.insert(k, v);
                }
            }
        }
    }
    Value::Object(all)
}

fn get<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| match v {
        Value::Object(m) => m.get(*k).unwrap_or_else(|| panic!("no `{k}` in {path:?}")),
        Value::Array(a) => &a[k.parse::<usize>().expect("index")],
        _ => panic!("`{k}` of a scalar in {path:?}"),
    })
}

const PRODUCTION: &str = "../../examples/specs/production.yaml";
const DEV: &str = "tests/fixtures/eks-created-network.yaml";
const STAGING: &str = "tests/fixtures/ecs-existing-network.yaml";

#[test]
fn production_is_multi_az_with_a_nat_per_zone_and_protected() {
    let v = tf(&model(PRODUCTION));
    let db = get(&v, &["resource", "aws_db_instance", "this"]);
    assert_eq!(get(db, &["multi_az"]), &Value::Bool(true));
    assert_eq!(get(db, &["deletion_protection"]), &Value::Bool(true));
    assert_eq!(get(db, &["storage_encrypted"]), &Value::Bool(true));
    assert_eq!(
        get(db, &["manage_master_user_password"]),
        &Value::Bool(true)
    );
    assert_eq!(get(db, &["skip_final_snapshot"]), &Value::Bool(false));
    assert_eq!(get(db, &["engine_version"]), &Value::from("8.4"));
    assert_eq!(
        get(
            &v,
            &["resource", "aws_db_parameter_group", "this", "family"]
        ),
        &Value::from("mysql8.4")
    );
    let zones = get(&v, &["resource", "aws_subnet", "private", "count"]);
    assert_eq!(
        get(&v, &["resource", "aws_nat_gateway", "this", "count"]),
        zones
    );
    assert_eq!(zones, &Value::from(3));
    assert_eq!(
        get(
            &v,
            &["resource", "aws_lb", "this", "enable_deletion_protection"]
        ),
        &Value::Bool(true)
    );
}

#[test]
fn smaller_environments_share_one_nat_and_run_single_az() {
    let v = tf(&model(DEV));
    assert_eq!(
        get(&v, &["resource", "aws_nat_gateway", "this", "count"]),
        &Value::from(1)
    );
    assert_eq!(
        get(&v, &["resource", "aws_db_instance", "this", "multi_az"]),
        &Value::Bool(false)
    );
    // Kubernetes only: no load balancer, cluster or ECS roles.
    let resources = get(&v, &["resource"]).as_object().expect("object");
    for absent in ["aws_lb", "aws_ecs_cluster", "aws_cloudwatch_log_group"] {
        assert!(!resources.contains_key(absent), "{absent}");
    }
    // MariaDB's parameter group family, from the model's engine and version.
    let v = tf(&model(STAGING));
    assert_eq!(
        get(
            &v,
            &["resource", "aws_db_parameter_group", "this", "family"]
        ),
        &Value::from("mariadb11.4")
    );
}

#[test]
fn retention_and_health_check_come_from_the_model() {
    let m = model(PRODUCTION);
    let v = tf(&m);
    let rule = get(
        &v,
        &[
            "resource",
            "aws_s3_bucket_lifecycle_configuration",
            "backup",
            "rule",
        ],
    );
    let backup = m.spec().backup.as_ref().expect("backup");
    assert_eq!(
        get(rule, &["expiration", "days"]),
        &Value::from(backup.retention_days)
    );
    assert_eq!(
        get(rule, &["filter", "prefix"]),
        &Value::from("kimai/production/")
    );
    assert_eq!(get(rule, &["id"]), &Value::from(m.names().lifecycle_rule));
    let plan = get(&v, &["resource", "aws_backup_plan", "this", "rule"]);
    assert_eq!(
        get(plan, &["lifecycle", "delete_after"]),
        &Value::from(backup.retention_days)
    );
    let tg = get(&v, &["resource", "aws_lb_target_group", "this"]);
    assert_eq!(
        get(tg, &["deregistration_delay"]),
        &Value::from(DEREGISTRATION_DELAY_SECONDS.to_string())
    );
    assert_eq!(
        get(tg, &["health_check", "path"]),
        &Value::from(HEALTH_PATH)
    );
    assert_eq!(
        get(tg, &["health_check", "matcher"]),
        &Value::from("200-399")
    );
    assert_eq!(get(tg, &["target_type"]), &Value::from("ip"));
    let logs = get(
        &v,
        &[
            "resource",
            "aws_cloudwatch_log_group",
            "kimai",
            "retention_in_days",
        ],
    );
    assert_eq!(
        logs,
        &Value::from(m.spec().monitoring.cloudwatch.retention_days)
    );
}

#[test]
fn the_execution_role_reads_exactly_the_secrets_the_task_reads() {
    let v = tf(&model(PRODUCTION));
    let statements = get(
        &v,
        &["data", "aws_iam_policy_document", "execution", "statement"],
    );
    let Value::Array(statements) = statements else {
        panic!("statements")
    };
    let secrets = statements
        .iter()
        .find(|s| get(s, &["sid"]) == &Value::from("Secrets"))
        .expect("Secrets statement");
    let got: Vec<String> = match get(secrets, &["resources"]) {
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().expect("string").to_string())
            .collect(),
        other => panic!("{other:?}"),
    };
    // db-password is not read on ECS (database-url carries it).
    let want: Vec<String> = [
        "admin_password",
        "app_secret",
        "database_url",
        "datadog_api_key",
        "mailer_url",
    ]
    .iter()
    .map(|s| format!("${{aws_secretsmanager_secret.{s}.arn}}"))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn no_secret_value_and_no_password_input() {
    for path in [PRODUCTION, DEV, STAGING] {
        let out = terraform_render::render(&model(path), &terraform_render::Options::default())
            .expect("renders");
        for f in out.files.iter().filter(|f| f.path.ends_with(".tf")) {
            // No argument that carries a secret value: only RDS's own management of its password.
            for line in f.contents.lines() {
                let Some((key, _)) = line.trim_start().split_once(" = ") else {
                    continue;
                };
                let key = key.trim_end();
                let secretish =
                    key.contains("password") || key.starts_with("secret_") || key.contains("token");
                // `automount_service_account_token` is a switch, not a token.
                let switch = matches!(
                    key,
                    "manage_master_user_password" | "automount_service_account_token"
                );
                assert!(!secretish || switch, "{path}: {}: `{line}`", f.path);
            }
        }
        let v = tf(&model(path));
        for (name, var) in get(&v, &["variable"]).as_object().expect("variables") {
            assert!(
                !name.contains("password") && !name.contains("secret"),
                "{name}"
            );
            assert!(
                var.as_object()
                    .is_some_and(|o| o.contains_key("description")),
                "{name}"
            );
        }
    }
}

//! Behaviour of the ECS renderer: diagnostics with field paths, byte-exact environment,
//! secrets only as `valueFrom`, the derived task size, launch-type differences and options.

use ecs_render::task_definition::{cpu_units, task_size};
use ecs_render::{render, Error, Options};
use kimai_model::{load, Format, Millicores, Rendered, Validated};
use serde_json::Value;

/// A valid Fargate spec; `extra` is appended as more top-level YAML (or overrides via keys
/// not present here).
const BASE: &str = r#"
name: kimai
ingress: { host: kimai.example.com }
database: { mode: external, host: db.example.internal }
storage: { class: efs, efs: { file_system_id: fs-0123456789abcdef0 } }
"#;

const ECS: &str = r#"
aws:
  region: eu-central-1
  account_id: "123456789012"
targets:
  ecs:
    cluster: main
    subnets: [subnet-0123456789abcdef0]
    security_groups: [sg-0123456789abcdef0]
"#;

fn model(yaml: &str) -> Validated {
    load(yaml.as_bytes(), Format::Yaml).unwrap_or_else(|d| panic!("valid spec expected:\n{d}"))
}

fn rendered(yaml: &str) -> Rendered {
    render(&model(yaml), &Options::default()).unwrap_or_else(|e| panic!("renders: {e}"))
}

fn json(out: &Rendered, path: &str) -> Value {
    let file = out.file(path).unwrap_or_else(|| panic!("{path} rendered"));
    assert!(file.contents.ends_with("}\n"), "{path} ends with a newline");
    serde_json::from_str(&file.contents).expect("valid JSON")
}

/// Field paths of the load diagnostics for `yaml`.
fn load_error_paths(yaml: &str) -> Vec<String> {
    match load(yaml.as_bytes(), Format::Yaml) {
        Ok(_) => panic!("spec should be invalid"),
        Err(d) => d.iter().map(|d| d.path.clone()).collect(),
    }
}

/// Field paths of the render diagnostics for `yaml`.
fn render_error_paths(yaml: &str, options: &Options) -> Vec<String> {
    match render(&model(yaml), options) {
        Err(Error::Invalid(d)) => d.iter().map(|d| d.path.clone()).collect(),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("render should fail"),
    }
}

fn kimai(td: &Value) -> &Value {
    &td["containerDefinitions"][0]
}

#[test]
fn invalid_fargate_pair_is_an_error_with_its_path_and_hint() {
    let yaml = format!("{BASE}{ECS}    cpu: 256\n    memory: 4096\n");
    let err = load(yaml.as_bytes(), Format::Yaml).expect_err("invalid");
    let d = err
        .iter()
        .find(|d| d.path == "targets.ecs.cpu")
        .expect("cpu");
    assert!(d.message.contains("`256`") && d.message.contains("`4096`"));
    assert!(d.hint.as_deref().is_some_and(|h| h.contains("512: 1024")));
}

#[test]
fn missing_ecs_settings_are_errors_with_paths() {
    let yaml = format!("{BASE}targets:\n  ecs:\n    launch_type: fargate\n");
    let paths = load_error_paths(&yaml);
    for p in [
        "aws",
        "targets.ecs.cluster",
        "targets.ecs.security_groups",
        "targets.ecs.subnets",
    ] {
        assert!(paths.iter().any(|x| x == p), "{p} in {paths:?}");
    }
}

#[test]
fn bundled_database_and_local_storage_cannot_render() {
    let yaml = format!("name: kimai\ningress: {{ host: kimai.example.com }}\n{ECS}");
    assert_eq!(
        render_error_paths(&yaml, &Options::default()),
        ["database.mode", "storage.class"]
    );
}

#[test]
fn a_spec_without_targets_ecs_is_invalid_for_ecs() {
    assert_eq!(
        render_error_paths(BASE, &Options::default()),
        ["targets.ecs"]
    );
}

#[test]
fn env_values_arrive_byte_exact() {
    let values = [
        ("DOLLARS", "$HOME ${HOME} $$ $(x)"),
        ("QUOTES", r#"it's "quoted" \ back\slash"#),
        ("UNICODE", "ü € 😀"),
        ("PERCENT", "100% %41 &a=b?c#d"),
        ("NEWLINE", "line one\nline two\t tab"),
        ("BRACES", "{{ jinja }} {% tag %}"),
        ("EMPTY", ""),
    ];
    let mut yaml = format!("{BASE}{ECS}app:\n  env:\n");
    for (k, v) in values {
        yaml.push_str(&format!(
            "    {k}: {}\n",
            serde_json::to_string(v).expect("json")
        ));
    }
    let td = json(&rendered(&yaml), "task-definition.json");
    let env = kimai(&td)["environment"].as_array().expect("environment");
    for (k, v) in values {
        let got = env
            .iter()
            .find(|e| e["name"] == k)
            .unwrap_or_else(|| panic!("{k} present"));
        assert_eq!(got["value"].as_str(), Some(v), "{k}");
    }
    let names: Vec<&str> = env.iter().filter_map(|e| e["name"].as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "environment sorted by name");
}

#[test]
fn secrets_appear_only_as_value_from() {
    let canary = "canary-zq7";
    let yaml = format!(
        "{BASE}{ECS}app:\n  admin_email: a@example.com\n  admin_password: {{ secret: {canary} }}\n  \
         app_secret: {{ secret: {canary}-app }}\nmonitoring:\n  datadog: {{ enabled: true, api_key: {{ secret: {canary}-dd }} }}\n"
    );
    let out = rendered(&yaml);
    let td = json(&out, "task-definition.json");
    let secret_vars = ["ADMINPASS", "APP_SECRET", "DATABASE_URL", "DD_API_KEY"];
    let mut seen = Vec::new();
    for c in td["containerDefinitions"].as_array().expect("containers") {
        for e in c["environment"].as_array().into_iter().flatten() {
            assert!(!secret_vars.contains(&e["name"].as_str().unwrap_or_default()));
            assert!(!e["value"].as_str().unwrap_or_default().contains(canary));
        }
        for s in c["secrets"].as_array().into_iter().flatten() {
            let from = s["valueFrom"].as_str().expect("valueFrom");
            assert!(from.starts_with(
                "arn:aws:secretsmanager:eu-central-1:123456789012:secret:kimai/production/"
            ));
            assert_eq!(
                s.as_object().map(|o| o.len()),
                Some(2),
                "only name and valueFrom"
            );
            seen.push(s["name"].as_str().unwrap_or_default().to_string());
        }
    }
    seen.sort();
    // Kimai and its migration step read the same secrets.
    seen.dedup();
    assert_eq!(seen, secret_vars);
    // The canary names appear in the JSON only inside `valueFrom` ARNs.
    let text = &out.file("task-definition.json").expect("file").contents;
    let in_value_from = text.lines().filter(|l| l.contains(canary)).all(|l| {
        l.trim_start()
            .starts_with("\"valueFrom\": \"arn:aws:secretsmanager:")
    });
    assert!(in_value_from);
    for f in &out.files {
        assert!(!f.contents.contains("secretString\""), "{}", f.path);
    }
}

#[test]
fn ssm_and_explicit_arns() {
    let yaml = format!(
        "{BASE}{ECS}    secrets_backend: ssm\n    secret_arns:\n      \
         database-url: arn:aws:secretsmanager:eu-central-1:123456789012:secret:shared/kimai-url-AbC123\n"
    )
    .replace("aws:\n", "aws:\n  secrets_prefix: /apps/kimai/\n");
    let out = rendered(&yaml);
    let td = json(&out, "task-definition.json");
    let secrets = kimai(&td)["secrets"].as_array().expect("secrets").clone();
    assert_eq!(secrets[0]["name"], "APP_SECRET");
    assert_eq!(
        secrets[0]["valueFrom"],
        "arn:aws:ssm:eu-central-1:123456789012:parameter/apps/kimai/app_secret"
    );
    assert_eq!(
        secrets[1]["valueFrom"],
        "arn:aws:secretsmanager:eu-central-1:123456789012:secret:shared/kimai-url-AbC123"
    );
}

#[test]
fn derived_secrets_manager_arns_never_look_complete() {
    // A partial ARN ending in `-` and six characters (`app-secret`) would be read as a complete
    // ARN with a random suffix; derived names use `_` so none can.
    let out = rendered(&format!("{BASE}{ECS}"));
    let td = json(&out, "task-definition.json");
    for s in kimai(&td)["secrets"].as_array().expect("secrets") {
        let arn = s["valueFrom"].as_str().expect("arn");
        let tail = arn.rsplit_once('-').map(|(_, t)| t).unwrap_or("");
        assert!(
            !(tail.len() == 6 && tail.bytes().all(|b| b.is_ascii_alphanumeric())),
            "{arn}"
        );
    }
    assert!(kimai(&td)["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .any(|s| {
            s["valueFrom"]
        == "arn:aws:secretsmanager:eu-central-1:123456789012:secret:kimai/production/app_secret"
        }));
}

#[test]
fn cpu_units_round_up() {
    for (m, units) in [
        (250, 256),
        (500, 512),
        (1000, 1024),
        (100, 103),
        (1500, 1536),
        (1, 2),
    ] {
        assert_eq!(cpu_units(Millicores(m)), units, "{m}m");
    }
}

#[test]
fn derived_task_size_table() {
    // (app.cpu, app.memory, datadog, launch type) -> task (cpu, memory)
    let cases = [
        ("250m", "512Mi", false, "fargate", (256, 512)),
        ("250m", "1Gi", false, "fargate", (256, 1024)),
        ("250m", "1536Mi", false, "fargate", (256, 2048)),
        ("500m", "1Gi", false, "fargate", (512, 1024)),
        ("500m", "1Gi", true, "fargate", (1024, 2048)),
        ("1", "2Gi", false, "fargate", (1024, 2048)),
        ("1", "3Gi", true, "fargate", (2048, 4096)),
        ("3", "1Gi", false, "fargate", (4096, 8192)),
        ("2", "16Gi", false, "fargate", (2048, 16384)),
        ("2", "17Gi", false, "fargate", (4096, 17408)),
        ("24", "8Gi", false, "ec2", (24576, 8192)),
    ];
    for (cpu, mem, dd, launch, want) in cases {
        let yaml = format!(
            "{BASE}{ECS}    launch_type: {launch}\napp: {{ cpu: \"{cpu}\", memory: {mem} }}\n\
             monitoring: {{ datadog: {{ enabled: {dd} }} }}\n"
        );
        let m = model(&yaml);
        let ecs = m.spec().targets.ecs.as_ref().expect("ecs");
        let size = task_size(&m, ecs).expect("size");
        assert_eq!(
            (size.cpu, size.memory),
            want,
            "{cpu} {mem} dd={dd} {launch}"
        );
        let td = json(&rendered(&yaml), "task-definition.json");
        assert_eq!(td["cpu"], want.0.to_string());
        assert_eq!(td["memory"], want.1.to_string());
    }
}

#[test]
fn too_big_for_fargate_is_an_error_at_app_cpu() {
    let yaml = format!("{BASE}{ECS}app: {{ cpu: \"24\" }}\n");
    assert_eq!(render_error_paths(&yaml, &Options::default()), ["app.cpu"]);
}

#[test]
fn explicit_size_wins_and_containers_fit_inside() {
    let yaml = format!(
        "{BASE}{ECS}    cpu: 256\n    memory: 512\napp: {{ cpu: \"1\", memory: 1Gi }}\n\
         monitoring: {{ datadog: {{ enabled: true }} }}\n"
    );
    let td = json(&rendered(&yaml), "task-definition.json");
    assert_eq!(
        (td["cpu"].as_str(), td["memory"].as_str()),
        (Some("256"), Some("512"))
    );
    let containers = td["containerDefinitions"].as_array().expect("containers");
    let cpu: u64 = containers.iter().filter_map(|c| c["cpu"].as_u64()).sum();
    let mem: u64 = containers
        .iter()
        .filter_map(|c| c["memoryReservation"].as_u64())
        .sum();
    assert!(cpu <= 256 && mem <= 512, "cpu {cpu}, memory {mem}");
}

#[test]
fn fargate_adds_no_capability_ec2_drops_all() {
    let fargate = json(&rendered(&format!("{BASE}{ECS}")), "task-definition.json");
    let caps = &kimai(&fargate)["linuxParameters"]["capabilities"];
    assert!(caps.get("add").is_none());
    let drop: Vec<&str> = caps["drop"]
        .as_array()
        .expect("drop")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for keep in kimai_model::CAPABILITIES {
        assert!(!drop.contains(&keep), "{keep} kept on Fargate");
    }
    assert!(drop.contains(&"NET_RAW") && drop.contains(&"MKNOD"));

    let ec2 = rendered(&format!(
        "{BASE}{ECS}    launch_type: ec2\n    capacity_provider: asg-1\n"
    ));
    let td = json(&ec2, "task-definition.json");
    let caps = &kimai(&td)["linuxParameters"]["capabilities"];
    assert_eq!(caps["drop"], serde_json::json!(["ALL"]));
    assert_eq!(caps["add"], serde_json::json!(kimai_model::CAPABILITIES));
    assert_eq!(td["requiresCompatibilities"], serde_json::json!(["EC2"]));
    let svc = json(&ec2, "service.json");
    assert!(svc.get("launchType").is_none() && svc.get("platformVersion").is_none());
    assert_eq!(
        svc["capacityProviderStrategy"][0]["capacityProvider"],
        "asg-1"
    );
}

#[test]
fn health_check_and_grace_period() {
    let out = rendered(&format!(
        "{BASE}{ECS}    target_group_arn: arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/k/0123456789abcdef\n"
    ));
    let td = json(&out, "task-definition.json");
    let hc = &kimai(&td)["healthCheck"];
    assert!(hc["startPeriod"]
        .as_u64()
        .is_some_and(|s| (60..=300).contains(&s)));
    let cmd = hc["command"][1].as_str().expect("command");
    assert!(cmd.contains("Host: localhost") && cmd.contains(":8001/en/login"));
    let svc = json(&out, "service.json");
    assert_eq!(svc["healthCheckGracePeriodSeconds"], 600);
    assert_eq!(svc["loadBalancers"][0]["containerName"], "kimai");
    assert_eq!(svc["loadBalancers"][0]["containerPort"], 8001);
    // Without a target group: no load balancer, no grace period.
    let svc = json(&rendered(&format!("{BASE}{ECS}")), "service.json");
    assert!(svc.get("loadBalancers").is_none());
    assert!(svc.get("healthCheckGracePeriodSeconds").is_none());
}

#[test]
fn trusted_hosts_admits_alb_health_checks() {
    let td = json(&rendered(&format!("{BASE}{ECS}")), "task-definition.json");
    let env = kimai(&td)["environment"].as_array().expect("env");
    let th = env
        .iter()
        .find(|e| e["name"] == "TRUSTED_HOSTS")
        .and_then(|e| e["value"].as_str())
        .expect("TRUSTED_HOSTS");
    assert!(th.starts_with("^(localhost|127\\.0\\.0\\.1|kimai\\.example\\.com|"));
    // No `aws.vpc_cidrs`: the RFC 1918 ranges.
    assert!(th.ends_with(
        r"|10\.[0-9]+\.[0-9]+\.[0-9]+|172\.(1[6-9]|2[0-9]|3[01])\.[0-9]+\.[0-9]+|192\.168\.[0-9]+\.[0-9]+)$"
    ));
    // With the VPC's ranges: exactly those, a secondary 100.64.0.0/10 range included.
    let yaml = format!("{BASE}{ECS}").replace(
        "  account_id: \"123456789012\"\n",
        "  account_id: \"123456789012\"\n  vpc_cidrs: [10.1.0.0/16, 100.64.0.0/10]\n",
    );
    let td = json(&rendered(&yaml), "task-definition.json");
    let th = kimai(&td)["environment"]
        .as_array()
        .expect("env")
        .iter()
        .find(|e| e["name"] == "TRUSTED_HOSTS")
        .and_then(|e| e["value"].as_str())
        .expect("TRUSTED_HOSTS")
        .to_string();
    assert!(
        th.ends_with(
            r"|10\.1\.[0-9]+\.[0-9]+|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.[0-9]+\.[0-9]+)$"
        ),
        "{th}"
    );
}

#[test]
fn scaling_files_follow_the_spec() {
    let tg = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/kimai-tg/0123456789abcdef";
    let yaml = format!(
        "{BASE}{ECS}    target_group_arn: {tg}\nscaling: {{ min_replicas: 2, max_replicas: 6, \
         requests_per_target: 400 }}\n"
    );
    let m = model(&yaml);
    let out = render(&m, &Options::default()).expect("renders");
    let paths: Vec<&str> = out.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "README.md",
            "log-data-protection-policy.json",
            "scalable-target.json",
            "scaling-policy-cpu.json",
            "service-update.json",
            "service.json",
            "task-definition.json"
        ]
    );
    assert!(out
        .notices
        .iter()
        .any(|n| n.path == "scaling.requests_per_target"));
    assert_eq!(json(&out, "service.json")["desiredCount"], 2);
    let st = json(&out, "scalable-target.json");
    assert_eq!(st["ResourceId"], "service/main/kimai-production");
    // Later changes go through UpdateService's own shape; the autoscaler owns the count.
    let update = json(&out, "service-update.json");
    assert_eq!(update["service"], "kimai-production");
    assert!(update.get("desiredCount").is_none());
    assert!(update.get("serviceName").is_none() && update.get("launchType").is_none());
    assert_eq!(
        (st["MinCapacity"].as_u64(), st["MaxCapacity"].as_u64()),
        (Some(2), Some(6))
    );

    let lb = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/kimai-alb/50dc6c495c0c9188";
    let with_lb = yaml.replace(
        &format!("    target_group_arn: {tg}\n"),
        &format!("    target_group_arn: {tg}\n    load_balancer_arn: {lb}\n"),
    );
    let out = rendered(&with_lb);
    let p = json(&out, "scaling-policy-requests.json");
    let spec = &p["TargetTrackingScalingPolicyConfiguration"];
    assert_eq!(spec["TargetValue"], 400.0);
    assert_eq!(
        spec["PredefinedMetricSpecification"]["ResourceLabel"],
        "app/kimai-alb/50dc6c495c0c9188/targetgroup/kimai-tg/0123456789abcdef"
    );
    assert!(!out
        .notices
        .iter()
        .any(|n| n.path == "scaling.requests_per_target"));

    let nlb = with_lb.replace("loadbalancer/app/kimai-alb", "loadbalancer/net/nlb");
    assert_eq!(load_error_paths(&nlb), ["targets.ecs.load_balancer_arn"]);
}

#[test]
fn efs_volumes_use_per_directory_access_points_from_the_spec() {
    let yaml = format!("{BASE}{ECS}");
    let td = json(&rendered(&yaml), "task-definition.json");
    for v in td["volumes"].as_array().expect("volumes") {
        let efs = &v["efsVolumeConfiguration"];
        assert_eq!(efs["transitEncryption"], "ENABLED");
        assert_eq!(efs["authorizationConfig"]["iam"], "ENABLED");
        assert!(efs["rootDirectory"].as_str().is_some_and(|r| r.len() > 1));
    }
    let with_ap = |aps: &str| {
        yaml.replace(
            "efs: { file_system_id: fs-0123456789abcdef0 }",
            &format!("efs: {{ file_system_id: fs-0123456789abcdef0, access_points: {{ {aps} }} }}"),
        )
    };
    let out = rendered(&with_ap("data: fsap-0123456789abcdef0"));
    let td = json(&out, "task-definition.json");
    let data = &td["volumes"][0]["efsVolumeConfiguration"];
    assert_eq!(td["volumes"][0]["name"], "kimai-data");
    assert_eq!(
        data["authorizationConfig"]["accessPointId"],
        "fsap-0123456789abcdef0"
    );
    assert!(data.get("rootDirectory").is_none());
    assert_eq!(
        td["volumes"][1]["efsVolumeConfiguration"]["rootDirectory"],
        "/plugins"
    );
    let readme = &out.file("README.md").expect("note").contents;
    assert!(readme.contains("`data`: access point `fsap-0123456789abcdef0`"));
    assert!(readme.contains("create `/plugins`, `/invoices` once"));

    assert_eq!(
        load_error_paths(&with_ap("cache: fsap-1")),
        [
            "storage.efs.access_points.cache",
            "storage.efs.access_points.cache"
        ]
    );
}

#[test]
fn datadog_sidecar_and_labels() {
    let yaml =
        format!("{BASE}{ECS}monitoring: {{ datadog: {{ enabled: true, site: datadoghq.eu }} }}\n");
    let td = json(&rendered(&yaml), "task-definition.json");
    let agent = td["containerDefinitions"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "datadog-agent"))
        .expect("the agent");
    assert_eq!(agent["essential"], false);
    assert_eq!(agent["image"], "public.ecr.aws/datadog/agent:7");
    let env = agent["environment"].as_array().expect("env");
    assert!(env
        .iter()
        .any(|e| e["name"] == "ECS_FARGATE" && e["value"] == "true"));
    assert!(env
        .iter()
        .any(|e| e["name"] == "DD_SITE" && e["value"] == "datadoghq.eu"));
    assert_eq!(agent["secrets"][0]["name"], "DD_API_KEY");
    let k = kimai(&td);
    assert_eq!(k["dockerLabels"]["com.datadoghq.tags.service"], "kimai");
    assert!(k["dependsOn"]
        .as_array()
        .expect("dependsOn")
        .contains(&serde_json::json!({ "containerName": "datadog-agent", "condition": "START" })));
}

#[test]
fn notices_name_what_ecs_cannot_express() {
    let base = BASE.replace(
        "ingress: { host: kimai.example.com }",
        "ingress: { host: kimai.example.com, tls: { mode: secret } }",
    );
    let yaml = format!(
        "{base}{ECS}app:\n  local_yaml: \"kimai: {{}}\"\nbackup: {{ s3_bucket: kimai-backups }}\n"
    );
    let out = rendered(&yaml);
    let paths: Vec<&str> = out.notices.iter().map(|n| n.path.as_str()).collect();
    for p in ["app.local_yaml", "backup", "ingress.tls.mode"] {
        assert!(paths.contains(&p), "{p} in {paths:?}");
    }
    assert!(out.notices.iter().all(|n| n.target == "ecs"));
    let readme = &out.file("README.md").expect("readme").contents;
    for n in &out.notices {
        assert!(readme.contains(&n.message), "README lists {}", n.path);
    }
}

#[test]
fn rendering_twice_is_byte_identical() {
    let yaml =
        format!("{BASE}{ECS}monitoring: {{ datadog: {{ enabled: true }} }}\nscaling: {{}}\n");
    assert_eq!(rendered(&yaml), rendered(&yaml));
}

#[test]
fn migrations_run_once_before_kimai() {
    let yaml = format!("{BASE}{ECS}app: {{ admin_email: admin@example.com, admin_password: {{ secret: admin-password }} }}\n");
    let td = json(&rendered(&yaml), "task-definition.json");
    let containers = td["containerDefinitions"].as_array().expect("containers");
    let by_name = |n: &str| {
        containers
            .iter()
            .find(|c| c["name"] == n)
            .unwrap_or_else(|| panic!("container {n}"))
    };
    let (kimai, migrate) = (by_name("kimai"), by_name("migrate"));
    assert_eq!(
        kimai["dependsOn"][0],
        serde_json::json!({ "containerName": "migrate", "condition": "SUCCESS" })
    );
    assert_eq!(migrate["essential"], false);
    assert_eq!(migrate["image"], kimai["image"]);
    assert_eq!(migrate["user"], "www-data");
    assert_eq!(
        migrate["linuxParameters"]["capabilities"],
        serde_json::json!({ "drop": ["ALL"] })
    );
    let model = kimai_model::load(yaml.as_bytes(), kimai_model::Format::Yaml).expect("valid");
    assert_eq!(
        migrate["command"],
        serde_json::json!(model.migration_command())
    );
    // Kimai's database settings, not the admin account's password.
    let names = |c: &serde_json::Value, key: &str| -> Vec<String> {
        c[key]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["name"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert!(names(migrate, "secrets").contains(&"DATABASE_URL".to_string()));
    assert!(names(kimai, "secrets").contains(&"ADMINPASS".to_string()));
    assert!(!names(migrate, "secrets").contains(&"ADMINPASS".to_string()));
    assert!(names(migrate, "environment").contains(&"TRUSTED_HOSTS".to_string()));
    // Only the plugins, read-only: the kernel the step boots is Kimai's.
    assert_eq!(
        migrate["mountPoints"],
        serde_json::json!([{ "sourceVolume": "kimai-plugins", "containerPath": "/opt/kimai/var/plugins", "readOnly": true }])
    );
}

#[test]
fn log_group_masks_what_the_entrypoint_traces() {
    let out = rendered(&format!("{BASE}{ECS}"));
    let input = json(&out, "log-data-protection-policy.json");
    let td = json(&out, "task-definition.json");
    // The group the containers log to.
    assert_eq!(
        input["logGroupIdentifier"],
        td["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-group"]
    );
    let policy: serde_json::Value =
        serde_json::from_str(input["policyDocument"].as_str().expect("a JSON string"))
            .expect("json");
    let identifiers = policy["Configuration"]["CustomDataIdentifier"]
        .as_array()
        .expect("identifiers");
    assert_eq!(identifiers.len(), kimai_model::LOG_MASKS.len());
    for (i, m) in identifiers.iter().zip(kimai_model::LOG_MASKS) {
        assert_eq!(i["Regex"], m.pattern);
    }
    let names: Vec<&serde_json::Value> = identifiers.iter().map(|i| &i["Name"]).collect();
    let statements = policy["Statement"].as_array().expect("statements");
    assert_eq!(statements.len(), 2, "one audit, one de-identify statement");
    for s in statements {
        assert_eq!(
            s["DataIdentifier"]
                .as_array()
                .expect("ids")
                .iter()
                .collect::<Vec<_>>(),
            names
        );
    }
    assert!(statements[0]["Operation"]["Audit"]["FindingsDestination"].is_object());
    assert!(statements[1]["Operation"]["Deidentify"]["MaskConfig"].is_object());
}

/// With `terraform/` beside it (the default spec), the README lists no resource to create by
/// hand: only the secret values and the apply order. Alone, it keeps the by-hand steps.
#[test]
fn with_terraform_nothing_is_created_by_hand() {
    let yaml = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/specs/production.yaml"
    ))
    .expect("default spec");
    let model = model(&yaml);
    let by_hand = [
        "create-secret",
        "create-log-group",
        "create-cluster",
        "create-service",
        "associate-web-acl",
        "mkdir",
        "Create the Application Load Balancer",
    ];
    let mut options = Options::default();
    options.terraform = true;
    let out = render(&model, &options).expect("renders");
    let readme = &out.file("README.md").expect("README").contents;
    for step in by_hand {
        assert!(
            !readme.contains(step),
            "README with terraform still says `{step}`"
        );
    }
    assert!(readme.contains("aws secretsmanager put-secret-value"));
    assert!(readme.contains("terraform apply"));
    assert!(out
        .notices
        .iter()
        .all(|n| n.path != "ingress.waf_acl_arn" && n.path != "ingress.tls"));
    let alone = render(&model, &Options::default()).expect("renders");
    let readme = &alone.file("README.md").expect("README").contents;
    for step in [
        "create-secret",
        "create-log-group",
        "create-cluster",
        "associate-web-acl",
    ] {
        assert!(readme.contains(step), "README alone lacks `{step}`");
    }
}

//! `README.md`: the deploy note — secrets to create, IAM, EFS, load balancer settings, the
//! health-check design and the AWS CLI commands in order.
//!
//! A minijinja template (`templates/README.md.j2`) fed by [`Facts`]. Every name it prints comes
//! from [`Identity`] (and through it from [`kimai_model::Names`]) or from the rendered files
//! themselves, so the note and the JSON cannot disagree.

use kimai_model::{EcsTarget, Notice, OutputFile, SecretsBackend, TlsMode, Validated};
use serde::Serialize;

use crate::identity::{Identity, KIMAI_CONTAINER};
use crate::secrets::{self, SecretUse};
use crate::service::HEALTH_CHECK_GRACE_PERIOD_SECONDS;
use crate::task_definition::{
    kimai_capabilities, kimai_health_check, kimai_image, required_size, TaskSize,
    STOP_TIMEOUT_SECONDS,
};

/// The template.
const TEMPLATE: &str = include_str!("../templates/README.md.j2");

/// The template compiled once per process (strict undefined, trailing newline kept). A syntax
/// error in it surfaces as "template not found" on first use, which every test would hit.
fn environment() -> &'static minijinja::Environment<'static> {
    static ENV: std::sync::OnceLock<minijinja::Environment<'static>> = std::sync::OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        let _ = env.add_template("README.md", TEMPLATE);
        env
    })
}

/// `s` escaped for a double-quoted shell string.
fn shell_dq(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '\\' | '"' | '$' | '`' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// Everything the note prints.
#[derive(Debug, Serialize)]
struct Facts {
    /// terraform/ creates the platform: nothing to create by hand.
    terraform: bool,
    /// terraform/ also owns the task definition and service.
    terraform_service: bool,
    /// terraform/ creates the file system and its access points.
    terraform_efs: bool,
    family: String,
    service: String,
    cluster: String,
    region: String,
    account_id: String,
    log_group: String,
    retention_days: u32,
    execution_role: String,
    execution_role_arn: String,
    task_role: String,
    task_role_arn: String,
    secrets_prefix: String,
    files: Vec<FileFacts>,
    store: &'static str,
    ssm: bool,
    uses: Vec<UseFacts>,
    create: Vec<CreateFacts>,
    url_secret: String,
    db_password_secret: String,
    url_before: String,
    url_after: String,
    read_action: &'static str,
    read_resources: Vec<String>,
    mirror: Option<String>,
    image: String,
    efs: Option<EfsFacts>,
    exec: bool,
    target_group_arn: Option<String>,
    target_group: String,
    load_balancer: String,
    load_balancer_arn: Option<String>,
    container: &'static str,
    port: u16,
    health_path: &'static str,
    deregistration_delay: u32,
    stop_timeout: u32,
    acm: bool,
    certificate_arn: String,
    hosts: Vec<String>,
    db_port: u16,
    waf: Option<String>,
    vpc_cidrs: Vec<String>,
    trusted_hosts: String,
    health_command: String,
    hc: HcFacts,
    grace_period: u32,
    autoscaled: bool,
    backup: Option<BackupFacts>,
    size: TaskSize,
    size_reason: String,
    capabilities: String,
    fargate_caps: bool,
    notices: Vec<NoticeFacts>,
}

/// The container health check's timing.
#[derive(Debug, Serialize)]
struct HcFacts {
    interval: u32,
    timeout: u32,
    retries: u32,
    start_period: u32,
}

/// A notice.
#[derive(Debug, Serialize)]
struct NoticeFacts {
    path: String,
    message: String,
}

/// One rendered file and the call that applies it.
#[derive(Debug, Serialize)]
struct FileFacts {
    path: String,
    call: &'static str,
    kind: &'static str,
    verb: &'static str,
}

/// One row of the secrets table.
#[derive(Debug, Serialize)]
struct UseFacts {
    secret: String,
    value_from: String,
    var: String,
    container: &'static str,
}

/// One secret to create.
#[derive(Debug, Serialize)]
struct CreateFacts {
    secret: String,
    var: String,
    name: String,
    is_url: bool,
    pinned: Option<String>,
}

/// The EFS volumes.
#[derive(Debug, Serialize)]
struct EfsFacts {
    file_system_id: String,
    arn: String,
    access_points: Vec<AccessPointFacts>,
    missing: Vec<&'static str>,
}

/// A directory's access point.
#[derive(Debug, Serialize)]
struct AccessPointFacts {
    dir: String,
    id: String,
}

/// Backups.
#[derive(Debug, Serialize)]
struct BackupFacts {
    retention_days: u32,
    bucket: String,
    prefix: String,
}

/// The deploy note.
#[allow(clippy::too_many_arguments)] // each is one input of the note; a struct would only rename them
pub(crate) fn readme(
    model: &Validated,
    ecs: &EcsTarget,
    id: &Identity,
    size: TaskSize,
    extra: &[&str],
    files: &[OutputFile],
    notices: &[Notice],
    terraform: bool,
) -> Result<String, minijinja::Error> {
    let spec = model.spec();
    let uses = secrets::uses(model, extra);
    let (before, after) = model.database_url("").around_password();
    let need = required_size(model);
    let hc = kimai_health_check();
    let caps = kimai_capabilities(ecs.launch_type);
    let mut created: Vec<&SecretUse> = Vec::new();
    for u in &uses {
        if !created.iter().any(|c| c.secret == u.secret) {
            created.push(u);
        }
    }
    let facts = Facts {
        terraform,
        terraform_service: terraform && model.terraform_owns_ecs_service(),
        terraform_efs: terraform && spec.aws.as_ref().is_some_and(|a| a.create_file_system),
        family: id.family.clone(),
        service: id.service.clone(),
        cluster: id.cluster.clone(),
        region: id.region.clone(),
        account_id: id.account_id.clone(),
        log_group: id.log_group.clone(),
        retention_days: spec.monitoring.cloudwatch.retention_days,
        execution_role: role_name(&id.execution_role_arn),
        execution_role_arn: id.execution_role_arn.clone(),
        task_role: role_name(&id.task_role_arn),
        task_role_arn: id.task_role_arn.clone(),
        secrets_prefix: id.secrets_prefix.clone(),
        files: files.iter().map(file_facts).collect(),
        store: match id.secrets_backend {
            SecretsBackend::SecretsManager => "AWS Secrets Manager",
            SecretsBackend::Ssm => "SSM Parameter Store (`SecureString`)",
        },
        ssm: id.secrets_backend == SecretsBackend::Ssm,
        uses: uses
            .iter()
            .map(|u| UseFacts {
                secret: u.secret.name().into(),
                value_from: secrets::value_from(model, id, &u.secret),
                var: u.var.clone(),
                container: u.container,
            })
            .collect(),
        create: created
            .iter()
            .map(|u| CreateFacts {
                secret: u.secret.name().into(),
                var: u.var.clone(),
                name: secrets::stored_name(id, &u.secret),
                is_url: u.secret == spec.database.url_secret && u.var == "DATABASE_URL",
                pinned: ecs.secret_arns.get(u.secret.name()).cloned(),
            })
            .collect(),
        url_secret: spec.database.url_secret.name().into(),
        db_password_secret: spec.database.password.name().into(),
        url_before: shell_dq(&before),
        url_after: shell_dq(&after),
        read_action: match id.secrets_backend {
            SecretsBackend::SecretsManager => "secretsmanager:GetSecretValue",
            SecretsBackend::Ssm => "ssm:GetParameters",
        },
        read_resources: secrets::read_resources(model, id, &uses),
        mirror: ecs
            .image_registry_mirror
            .as_ref()
            .map(|m| m.trim_end_matches('/').to_string()),
        image: kimai_image(model, ecs),
        efs: spec.storage.efs.as_ref().map(|efs| EfsFacts {
            file_system_id: efs.file_system_id.clone(),
            arn: format!(
                "arn:{}:elasticfilesystem:{}:{}:file-system/{}",
                id.partition, id.region, id.account_id, efs.file_system_id
            ),
            access_points: efs
                .access_points
                .iter()
                .map(|(dir, ap)| AccessPointFacts {
                    dir: dir.clone(),
                    id: ap.clone(),
                })
                .collect(),
            missing: kimai_model::PERSISTENT_DIRS
                .iter()
                .map(|(s, _)| *s)
                .filter(|s| !efs.access_points.contains_key(*s))
                .collect(),
        }),
        exec: ecs.enable_execute_command,
        target_group_arn: ecs.target_group_arn.clone(),
        target_group: id.names.target_group.clone(),
        load_balancer: id.names.load_balancer.clone(),
        load_balancer_arn: ecs.load_balancer_arn.clone(),
        container: KIMAI_CONTAINER,
        port: kimai_model::KIMAI_PORT,
        health_path: kimai_model::HEALTH_PATH,
        deregistration_delay: kimai_model::DEREGISTRATION_DELAY_SECONDS,
        stop_timeout: STOP_TIMEOUT_SECONDS,
        acm: spec.ingress.tls.mode == TlsMode::Acm,
        certificate_arn: spec.ingress.tls.certificate_arn.clone().unwrap_or_default(),
        hosts: model.hosts().into_iter().map(String::from).collect(),
        db_port: spec.database.port,
        waf: spec.ingress.waf_acl_arn.clone(),
        vpc_cidrs: model.vpc_cidrs(),
        trusted_hosts: model.trusted_hosts(extra),
        health_command: hc.command.get(1).cloned().unwrap_or_default(),
        hc: HcFacts {
            interval: hc.interval,
            timeout: hc.timeout,
            retries: hc.retries,
            start_period: hc.start_period,
        },
        grace_period: HEALTH_CHECK_GRACE_PERIOD_SECONDS,
        autoscaled: spec.scaling.is_some(),
        backup: spec.backup.as_ref().map(|b| BackupFacts {
            retention_days: b.retention_days,
            bucket: b.s3_bucket.clone(),
            prefix: id.names.backup_prefix.clone().unwrap_or_default(),
        }),
        size,
        size_reason: if ecs.cpu.is_some() {
            "set by `targets.ecs.cpu`/`memory`".to_string()
        } else {
            format!(
                "derived from `app.cpu`/`app.memory`{}, which need {} units and {} MiB, rounded \
                 up to the smallest Fargate size",
                if spec.monitoring.datadog.enabled {
                    " plus the Datadog agent"
                } else {
                    ""
                },
                need.cpu,
                need.memory
            )
        },
        capabilities: kimai_model::CAPABILITIES.join(", "),
        fargate_caps: caps.add.is_empty(),
        notices: notices
            .iter()
            .map(|n| NoticeFacts {
                path: n.path.clone(),
                message: n.message.clone(),
            })
            .collect(),
    };
    environment()
        .get_template("README.md")?
        .render(minijinja::Value::from_serialize(facts))
}

/// The name part of a role ARN (`arn:aws:iam::1:role/kimai-production-task` → the last part).
fn role_name(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_string()
}

/// The AWS CLI call that applies a rendered file.
fn file_facts(f: &OutputFile) -> FileFacts {
    let (call, kind, verb) = match f.path.as_str() {
        "task-definition.json" => ("`aws ecs register-task-definition`", "ecs", ""),
        "service.json" => ("`aws ecs create-service` (once)", "ecs", ""),
        "service-update.json" => ("`aws ecs update-service` (every later change)", "ecs", ""),
        "log-data-protection-policy.json" => (
            "`aws logs put-data-protection-policy` (after the log group exists)",
            "logs",
            "",
        ),
        "scalable-target.json" => (
            "`aws application-autoscaling register-scalable-target`",
            "scaling",
            "register-scalable-target",
        ),
        _ => (
            "`aws application-autoscaling put-scaling-policy`",
            "scaling",
            "put-scaling-policy",
        ),
    };
    FileFacts {
        path: f.path.clone(),
        call,
        kind,
        verb,
    }
}

//! `README.md`: what `terraform apply` creates, the backend to configure, the apply order and
//! the secret values to put afterwards. A template (`templates/README.md.j2`, strict undefined)
//! fed by [`Facts`], whose names all come from [`kimai_model::Names`].

use std::sync::OnceLock;

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::ctx::{Ctx, SecretItem};

const TEMPLATE: &str = include_str!("../templates/README.md.j2");

/// Everything the README says, derived from the model.
#[derive(Debug, Serialize)]
pub struct Facts {
    stem: String,
    region: String,
    account_id: String,
    state_bucket: String,
    state_key: String,
    owns_network: bool,
    owns_service: bool,
    ecs: bool,
    creates_alb: bool,
    https: bool,
    operator_supplied: Vec<String>,
    vpc_cidr: String,
    zones: u32,
    nat_gateways: u32,
    secrets: Vec<SecretItem>,
    secrets_manager: bool,
    ssm_parameters: Vec<String>,
    database_url_secret: Option<String>,
    database_url_host: String,
    database_user: String,
    database_name: String,
    database_port: u16,
    database_server_version: String,
    create_database: bool,
    master_user: &'static str,
    db_instance: String,
    create_file_system: bool,
    efs: bool,
    roles: Vec<(String, String)>,
    log_group: String,
    cluster: Option<String>,
    service: String,
    load_balancer: String,
    target_group: String,
    hosts: Vec<String>,
    hosted_zone: bool,
    backup: Option<(String, String, u32)>,
    ecr_cache_secret: Option<String>,
    shared_cluster: bool,
    scaling: bool,
}

/// The README text.
pub fn render(ctx: &Ctx<'_>) -> Result<String, minijinja::Error> {
    let n = &ctx.names;
    let db = &ctx.spec.database;
    let mut roles = Vec::new();
    if let Some(name) = ctx.execution_role() {
        roles.push((
            name,
            "ECS execution role: image pull, its log group, exactly the secrets the task reads"
                .into(),
        ));
    }
    if let Some(name) = ctx.task_role() {
        roles.push((
            name,
            "task role: this file system (mount, write, root), ECS Exec".into(),
        ));
    }
    if let Some(irsa) = ctx.irsa_role() {
        roles.push((
            irsa.name,
            format!(
                "IRSA role of ServiceAccount `{}/{}`{}",
                n.namespace,
                irsa.service_account,
                if irsa.backup {
                    ": `s3:PutObject` of the dumps under their prefix"
                } else {
                    " (grants nothing: Kimai calls no AWS API)"
                }
            ),
        ));
    }
    if crate::backup::plan_resources(ctx).is_some() {
        roles.push((
            n.aws_backup_role.clone(),
            "AWS Backup's role for the backup plan".into(),
        ));
    }
    if crate::ci::enabled(ctx) {
        roles.push((
            n.deploy_role.clone(),
            "CI deploy role, assumed through OIDC by this environment's pipeline jobs only (`ci.tf`; the first apply runs with an administrator's credentials, since it creates this role)".into(),
        ));
        if !kimai_model::delivery::plan_trust(ctx.model).is_empty() {
            roles.push((
                n.plan_role.clone(),
                "read-only role of pull-request `terraform plan` jobs".into(),
            ));
        }
    }
    let ecs_names = crate::iam::ecs_secret_names(ctx);
    let ssm = !ctx.secrets_manager();
    let facts = Facts {
        stem: n.stem.clone(),
        region: ctx.aws.region.clone(),
        account_id: ctx.aws.account_id.clone(),
        state_bucket: n.terraform_state_bucket.clone(),
        state_key: n.terraform_state_key.clone(),
        owns_network: ctx.owns_network(),
        owns_service: ctx.owns_service(),
        ecs: ctx.ecs.is_some(),
        creates_alb: ctx.creates_alb(),
        https: crate::alb::listener(ctx) == "https",
        operator_supplied: ctx.operator_supplied(),
        vpc_cidr: ctx.vpc_cidr(),
        zones: ctx.az_count(),
        nat_gateways: ctx.nat_count(),
        secrets: ctx.secrets(),
        secrets_manager: !ssm,
        ssm_parameters: if ssm {
            ecs_names
                .iter()
                .map(|s| {
                    n.aws_secret(
                        &kimai_model::SecretRef::new(s.clone()),
                        kimai_model::SecretsBackend::Ssm,
                    )
                })
                .collect()
        } else {
            Vec::new()
        },
        database_url_secret: ecs_names
            .contains(&db.url_secret.name().to_string())
            .then(|| n.aws_secret(&db.url_secret, kimai_model::SecretsBackend::SecretsManager)),
        database_url_host: db.host.clone().unwrap_or_default(),
        database_user: db.user.clone(),
        database_name: db.name.clone(),
        database_port: db.port,
        database_server_version: ctx.model.server_version(),
        create_database: ctx.aws.create_database,
        master_user: crate::rds::MASTER_USER,
        db_instance: n.db_instance.clone(),
        create_file_system: ctx.aws.create_file_system,
        efs: ctx.efs(),
        roles,
        log_group: n.log_group.clone(),
        cluster: ctx.ecs.map(|e| e.cluster.clone()),
        service: n.ecs_service.clone(),
        load_balancer: n.load_balancer.clone(),
        target_group: ctx.target_group(),
        hosts: crate::alb::hosts(ctx),
        hosted_zone: ctx.aws.hosted_zone_id.is_some(),
        backup: n
            .backup_bucket
            .clone()
            .zip(n.backup_prefix.clone())
            .zip(ctx.spec.backup.as_ref().map(|b| b.retention_days))
            .map(|((b, p), d)| (b, p, d)),
        ecr_cache_secret: n.ecr_cache_secret.clone(),
        shared_cluster: ctx.shared_cluster(),
        scaling: ctx.spec.scaling.is_some(),
    };
    environment()?.get_template("README.md")?.render(facts)
}

/// The template environment, compiled once per process (the template is a constant).
fn environment() -> Result<&'static Environment<'static>, minijinja::Error> {
    static ENV: OnceLock<Result<Environment<'static>, minijinja::Error>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.add_template("README.md", TEMPLATE)?;
        Ok(env)
    })
    .as_ref()
    .map_err(|e| minijinja::Error::new(e.kind(), e.to_string()))
}

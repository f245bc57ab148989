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
    eks: Option<EksFacts>,
}

/// The EKS platform of `eks.tf`.
#[derive(Debug, Serialize)]
struct EksFacts {
    cluster: String,
    version: String,
    create: bool,
    installs: bool,
    public_endpoint: Option<Vec<String>>,
    node_group: Option<String>,
    fargate_namespace: Option<String>,
    system_profile: bool,
    addons: Vec<(&'static str, &'static str)>,
    charts: Vec<(&'static str, &'static str, &'static str, &'static str)>,
    secret_store: String,
    storage_class: Option<String>,
    volume: String,
    namespace: String,
    datadog: bool,
}

fn eks_facts(ctx: &Ctx<'_>) -> Option<EksFacts> {
    let (e, n) = crate::eks::eks(ctx)?;
    let installs = e.installs_controllers();
    let mut addons = Vec::new();
    let mut charts = Vec::new();
    if let (true, Some(p)) = (installs, crate::pins::addons(&e.version)) {
        addons = vec![
            ("vpc-cni", p.vpc_cni),
            ("kube-proxy", p.kube_proxy),
            ("coredns", p.coredns),
        ];
        if e.node_group.is_some() {
            addons.push(("eks-pod-identity-agent", p.pod_identity_agent));
        }
        if e.node_group.is_some() {
            addons.push(("aws-efs-csi-driver", p.efs_csi));
        }
        addons.push(("metrics-server", p.metrics_server));
        let mut c = vec![crate::pins::LBC, crate::pins::ESO];
        if e.node_group.as_ref().is_some_and(crate::eks::autoscaled) {
            c.push(crate::pins::AUTOSCALER);
        }
        if ctx.spec.monitoring.datadog.enabled {
            c.push(crate::pins::DATADOG);
        }
        charts = c
            .into_iter()
            .map(|c| {
                // The autoscaler's image follows the cluster's minor, not the chart's default.
                let app = if c == crate::pins::AUTOSCALER {
                    p.autoscaler_image
                } else {
                    c.app_version
                };
                (c.release, c.chart, c.version, app)
            })
            .collect();
    }
    Some(EksFacts {
        cluster: n.cluster.clone(),
        version: e.version.clone(),
        create: e.create,
        installs,
        public_endpoint: e.endpoint_public_access.then(|| {
            if e.public_access_cidrs.is_empty() {
                vec!["0.0.0.0/0".to_string()]
            } else {
                e.public_access_cidrs.clone()
            }
        }),
        node_group: e.node_group.as_ref().map(|g| {
            format!(
                "managed node group `{}`: {} ({}), {} to {} nodes{}",
                n.node_group,
                g.instance_types.join(", "),
                if g.arm64() { "arm64" } else { "x86_64" },
                g.min_size,
                g.max_size,
                if crate::eks::autoscaled(g) {
                    ", sized by the Cluster Autoscaler"
                } else {
                    ""
                }
            )
        }),
        fargate_namespace: e.fargate.then(|| ctx.names.namespace.clone()),
        system_profile: e.create && crate::eks::system_profile(e),
        addons,
        charts,
        secret_store: n.secret_store.clone(),
        storage_class: n.storage_class.clone(),
        volume: ctx.names.var_volume.clone(),
        namespace: ctx.names.namespace.clone(),
        datadog: installs && ctx.spec.monitoring.datadog.enabled,
    })
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
    if let Some((e, en)) = crate::eks::eks(ctx) {
        if e.create {
            roles.push((en.cluster_role.clone(), "EKS control plane".into()));
            if e.node_group.is_some() {
                roles.push((en.node_role.clone(), "EKS nodes (join, pull images)".into()));
            }
        }
        if e.fargate || (e.create && crate::eks::system_profile(e)) {
            roles.push((
                en.fargate_role.clone(),
                "Fargate pod execution of this environment's profiles".into(),
            ));
        }
        if e.installs_controllers() {
            roles.push((
                en.vpc_cni_role.clone(),
                "IRSA role of the VPC CNI (`kube-system/aws-node`)".into(),
            ));
            if e.node_group.is_some() {
                roles.push((
                    en.efs_csi_role.clone(),
                    "IRSA role of the EFS CSI driver's controller".into(),
                ));
            }
            roles.push((
                en.lb_controller_role.clone(),
                "IRSA role of the AWS Load Balancer Controller (the project's published policy)"
                    .into(),
            ));
            if e.node_group.as_ref().is_some_and(crate::eks::autoscaled) {
                roles.push((
                    en.autoscaler_role.clone(),
                    "IRSA role of the Cluster Autoscaler: scales only this cluster's node groups"
                        .into(),
                ));
            }
        }
        roles.push((
            en.secret_store_role.clone(),
            format!("IRSA role of the secret store's ServiceAccount (`external-secrets/{}`): reads this environment's secrets only", en.secret_store_service_account),
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
        eks: eks_facts(ctx),
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

//! `ecs.tf`: the ECS cluster (Container Insights), the ECR pull-through cache rule, and — when
//! Terraform owns the network — the task definition and service, built from ecs-render's
//! `task-definition.json` (one source of the container definitions), with the deployment
//! circuit breaker and CloudWatch alarms that roll a failing deployment back.

use kimai_model::{LaunchType, KIMAI_PORT, PERSISTENT_DIRS};

use crate::ctx::Ctx;
use crate::tf::{block, call, list, r, resource, s, tmpl, File};

/// The container that receives the load balancer's traffic (ecs-render's name).
pub const KIMAI_CONTAINER: &str = "kimai";
/// Seconds the service ignores load-balancer health checks after a task starts: the first
/// start runs migrations.
pub const GRACE_SECONDS: u64 = 600;

/// The file (empty without ECS).
pub fn file(ctx: &Ctx<'_>) -> File {
    let mut f = File::default();
    let Some(ecs) = ctx.ecs else {
        return f;
    };
    let n = &ctx.names;
    f.note(
        "Container Insights with enhanced observability: per-task CPU, memory and restarts.",
        resource("aws_ecs_cluster", "this")
            .add_attribute(("name", s(&ecs.cluster)))
            .add_block(
                block("setting")
                    .add_attribute(("name", "containerInsights"))
                    .add_attribute(("value", "enhanced"))
                    .build(),
            )
            .build(),
    );
    if let Some(prefix) = &n.ecr_cache_prefix {
        f.note(
            "targets.ecs.image_registry_mirror: Docker Hub through ECR, so tasks behind one NAT\naddress do not share Docker Hub's anonymous pull limit.",
            resource("aws_ecr_pull_through_cache_rule", "docker_hub")
                .add_attribute(("ecr_repository_prefix", s(prefix)))
                .add_attribute(("upstream_registry_url", "registry-1.docker.io"))
                .add_attribute(("credential_arn", r("aws_secretsmanager_secret.ecr_pullthroughcache.arn")))
                .build(),
        );
    }
    if !ctx.owns_service() {
        return f;
    }
    f.note(
        "ecs-render's task definition is the one source of the containers (image, environment,\nsecrets, health check, logging); Terraform adds the roles and its own file system.",
        block("locals")
            .add_attribute((
                "task_definition",
                call(
                    "jsondecode",
                    vec![call("file", vec![tmpl("${path.module}/../ecs/task-definition.json")])],
                ),
            ))
            .build(),
    );
    let mut td = resource("aws_ecs_task_definition", "kimai")
        .add_attribute(("family", s(&n.ecs_family)))
        .add_attribute((
            "container_definitions",
            call(
                "jsonencode",
                vec![r("local.task_definition.containerDefinitions")],
            ),
        ))
        .add_attribute(("cpu", r("local.task_definition.cpu")))
        .add_attribute(("memory", r("local.task_definition.memory")))
        .add_attribute(("network_mode", "awsvpc"))
        .add_attribute((
            "requires_compatibilities",
            r("local.task_definition.requiresCompatibilities"),
        ))
        .add_attribute((
            "execution_role_arn",
            role_arn(
                ctx,
                ctx.execution_role(),
                "execution",
                ctx.ecs.and_then(|e| e.execution_role_arn.as_deref()),
            ),
        ))
        .add_attribute((
            "task_role_arn",
            role_arn(
                ctx,
                ctx.task_role(),
                "task",
                ctx.ecs.and_then(|e| e.task_role_arn.as_deref()),
            ),
        ));
    if ecs.launch_type == LaunchType::Fargate {
        td = td.add_block(
            block("runtime_platform")
                .add_attribute((
                    "cpu_architecture",
                    r("local.task_definition.runtimePlatform.cpuArchitecture"),
                ))
                .add_attribute(("operating_system_family", "LINUX"))
                .build(),
        );
    }
    if ctx.efs() {
        for (dir, _) in PERSISTENT_DIRS {
            td = td.add_block(
                block("volume")
                    .add_attribute(("name", s(kimai_model::names::efs_volume(dir))))
                    .add_block(efs_volume(ctx, dir))
                    .build(),
            );
        }
    }
    f.add(td.build());
    let alarms = [
        (
            "unhealthy_targets",
            "UnHealthyHostCount",
            "Maximum",
            "Kimai targets fail the load balancer's health check",
            0u64,
        ),
        (
            "target_5xx",
            "HTTPCode_Target_5XX_Count",
            "Sum",
            "Kimai answers with server errors",
            10u64,
        ),
    ];
    for (tf, metric, stat, what, threshold) in alarms {
        let name = format!("{}-{}", n.stem, tf.replace('_', "-"));
        f.note(
            &format!("Rolls a deployment back: {what}."),
            resource("aws_cloudwatch_metric_alarm", tf)
                .add_attribute(("alarm_name", s(&name)))
                .add_attribute(("alarm_description", s(format!("{what} ({})", n.stem))))
                .add_attribute(("namespace", "AWS/ApplicationELB"))
                .add_attribute(("metric_name", metric))
                .add_attribute(("statistic", stat))
                .add_attribute(("period", 60u64))
                .add_attribute(("evaluation_periods", 3u64))
                .add_attribute(("threshold", threshold))
                .add_attribute(("comparison_operator", "GreaterThanThreshold"))
                .add_attribute(("treat_missing_data", "notBreaching"))
                .add_attribute((
                    "dimensions",
                    crate::tf::object(vec![
                        ("LoadBalancer", r("aws_lb.this.arn_suffix")),
                        ("TargetGroup", r("aws_lb_target_group.this.arn_suffix")),
                    ]),
                ))
                .add_attribute(("alarm_actions", r("var.alarm_actions")))
                .build(),
        );
    }
    let mut svc = resource("aws_ecs_service", "kimai")
        .add_attribute(("name", s(&n.ecs_service)))
        .add_attribute(("cluster", r("aws_ecs_cluster.this.arn")))
        .add_attribute(("task_definition", r("aws_ecs_task_definition.kimai.arn")))
        .add_attribute(("desired_count", u64::from(ctx.model.min_replicas())));
    svc = match (&ecs.launch_type, &ecs.capacity_provider) {
        (LaunchType::Ec2, Some(cp)) => svc.add_block(
            block("capacity_provider_strategy")
                .add_attribute(("capacity_provider", s(cp)))
                .add_attribute(("weight", 1u64))
                .build(),
        ),
        (LaunchType::Ec2, None) => svc.add_attribute(("launch_type", "EC2")),
        (LaunchType::Fargate, _) => svc
            .add_attribute(("launch_type", "FARGATE"))
            .add_attribute(("platform_version", "LATEST")),
    };
    svc = svc
        .add_attribute(("enable_execute_command", ecs.enable_execute_command))
        .add_attribute(("enable_ecs_managed_tags", true))
        .add_attribute(("propagate_tags", "SERVICE"))
        .add_attribute(("health_check_grace_period_seconds", GRACE_SECONDS))
        .add_attribute(("deployment_maximum_percent", 200u64))
        .add_attribute(("deployment_minimum_healthy_percent", 100u64))
        .add_block(
            block("deployment_circuit_breaker")
                .add_attribute(("enable", true))
                .add_attribute(("rollback", true))
                .build(),
        )
        .add_block(
            block("alarms")
                .add_attribute((
                    "alarm_names",
                    list(vec![
                        r("aws_cloudwatch_metric_alarm.unhealthy_targets.alarm_name"),
                        r("aws_cloudwatch_metric_alarm.target_5xx.alarm_name"),
                    ]),
                ))
                .add_attribute(("enable", true))
                .add_attribute(("rollback", true))
                .build(),
        )
        .add_block(
            block("network_configuration")
                .add_attribute(("subnets", r("local.private_subnet_ids")))
                .add_attribute((
                    "security_groups",
                    list(vec![r("aws_security_group.app.id")]),
                ))
                .add_attribute(("assign_public_ip", false))
                .build(),
        )
        .add_block(
            block("load_balancer")
                .add_attribute(("target_group_arn", r("aws_lb_target_group.this.arn")))
                .add_attribute(("container_name", KIMAI_CONTAINER))
                .add_attribute(("container_port", u64::from(KIMAI_PORT)))
                .build(),
        );
    if ctx.spec.scaling.is_some() {
        svc = svc.add_block(
            block("lifecycle")
                .add_attribute(("ignore_changes", list(vec![r("desired_count")])))
                .build(),
        );
    }
    let mut deps = vec![r(&format!("aws_lb_listener.{}", crate::alb::listener(ctx)))];
    if ctx.aws.create_file_system {
        deps.push(r("aws_efs_mount_target.this"));
    }
    svc = svc.add_attribute(("depends_on", list(deps)));
    f.note(
        "Rolls out one new set of tasks beside the old ones (200/100) and rolls back on the circuit\nbreaker or an alarm. Under scaling the autoscaler owns the count (ecs/scaling-*.json).",
        svc.build(),
    );
    f
}

/// The role Terraform creates, or the other account's role the spec pins.
fn role_arn(
    _ctx: &Ctx<'_>,
    created: Option<String>,
    tf: &str,
    pinned: Option<&str>,
) -> hcl::Expression {
    match (created, pinned) {
        (Some(_), _) | (None, None) => r(&format!("aws_iam_role.{tf}.arn")),
        (None, Some(arn)) => s(arn),
    }
}

/// One directory's EFS volume: through its access point when there is one (Terraform's, or
/// `storage.efs.access_points`), else rooted at `/<directory>` of the file system, as
/// ecs-render's task definition mounts it.
fn efs_volume(ctx: &Ctx<'_>, dir: &str) -> hcl::Block {
    let access_point = ctx.aws.create_file_system
        || ctx
            .spec
            .storage
            .efs
            .as_ref()
            .is_some_and(|e| e.access_points.contains_key(dir));
    let mut auth = block("authorization_config").add_attribute(("iam", "ENABLED"));
    let mut b = block("efs_volume_configuration")
        .add_attribute(("file_system_id", r("local.efs_file_system_id")))
        .add_attribute(("transit_encryption", "ENABLED"));
    if access_point {
        auth = auth.add_attribute((
            "access_point_id",
            r(&format!("local.efs_access_point_ids.{dir}")),
        ));
    } else {
        b = b.add_attribute(("root_directory", s(format!("/{dir}"))));
    }
    b.add_block(auth.build()).build()
}

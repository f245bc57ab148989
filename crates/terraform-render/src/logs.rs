//! `logs.tf`: the CloudWatch log group the ECS task writes to, with the spec's retention
//! (created here rather than by the log driver, so the retention applies), and its data
//! protection policy masking the secrets Kimai's entrypoint traces.

use crate::ctx::Ctx;
use crate::tf::{call, r, resource, s, tmpl, traverse_attr, File};

/// The file (empty without ECS).
pub fn file(ctx: &Ctx<'_>) -> File {
    let mut f = File::default();
    if ctx.ecs.is_none() {
        return f;
    }
    f.note(
        "Kimai's entrypoint traces its commands, so the database password and ADMINPASS reach\nthis group (an upstream issue); the data protection policy below masks them.",
        resource("aws_cloudwatch_log_group", "kimai")
            .add_attribute(("name", s(&ctx.names.log_group)))
            .add_attribute((
                "retention_in_days",
                u64::from(ctx.spec.monitoring.cloudwatch.retention_days),
            ))
            .build(),
    );
    f.note(
        "Masks what the entrypoint traces at ingestion: ecs-render's\nlog-data-protection-policy.json is the one source of the policy (kimai_model::LOG_MASKS).",
        resource("aws_cloudwatch_log_data_protection_policy", "kimai")
            .add_attribute((
                "log_group_name",
                r("aws_cloudwatch_log_group.kimai.name"),
            ))
            .add_attribute((
                "policy_document",
                traverse_attr(
                    call(
                        "jsondecode",
                        vec![call(
                            "file",
                            vec![tmpl("${path.module}/../ecs/log-data-protection-policy.json")],
                        )],
                    ),
                    "policyDocument",
                ),
            ))
            .build(),
    );
    f
}

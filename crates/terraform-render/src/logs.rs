//! `logs.tf`: the CloudWatch log group the ECS task writes to, with the spec's retention
//! (created here rather than by the log driver, so the retention applies).

use crate::ctx::Ctx;
use crate::tf::{resource, s, File};

/// The file (empty without ECS).
pub fn file(ctx: &Ctx<'_>) -> File {
    let mut f = File::default();
    if ctx.ecs.is_none() {
        return f;
    }
    f.note(
        "Kimai's entrypoint traces its commands, so DATABASE_URL and ADMINPASS can appear here\n(an upstream issue): restrict who may read this group.",
        resource("aws_cloudwatch_log_group", "kimai")
            .add_attribute(("name", s(&ctx.names.log_group)))
            .add_attribute((
                "retention_in_days",
                u64::from(ctx.spec.monitoring.cloudwatch.retention_days),
            ))
            .build(),
    );
    f
}

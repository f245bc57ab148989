//! `secrets.tf`: one Secrets Manager secret per logical secret the targets read (the ECS task
//! definition's `valueFrom`, the Kubernetes ExternalSecret's `remoteRef.key`), named by
//! [`kimai_model::Names::aws_secret`] and created without a value: values are put afterwards
//! with `aws secretsmanager put-secret-value` (README), so none ever passes through Terraform
//! or its state.

use crate::ctx::Ctx;
use crate::tf::{resource, s, File};

/// Days a deleted secret can be restored: 30 in production, 7 elsewhere.
pub fn recovery_window(ctx: &Ctx<'_>) -> u64 {
    if ctx.production() {
        30
    } else {
        7
    }
}

/// The file.
pub fn file(ctx: &Ctx<'_>) -> File {
    let mut f = File::default();
    let mut first = true;
    for item in ctx.secrets() {
        let b = resource("aws_secretsmanager_secret", &item.resource)
            .add_attribute(("name", s(&item.aws_name)))
            .add_attribute((
                "description",
                s(format!(
                    "Kimai {}: {} ({})",
                    ctx.names.stem, item.logical, item.path
                )),
            ))
            .add_attribute(("recovery_window_in_days", recovery_window(ctx)))
            .build();
        if first {
            f.note(
                "No secret_string here on purpose: the value is put with the AWS CLI (README.md).",
                b,
            );
            first = false;
        } else {
            f.add(b);
        }
    }
    if let Some(name) = &ctx.names.ecr_cache_secret {
        f.note(
            "Docker Hub credentials of the ECR pull-through cache (JSON with username and\naccessToken; ECR requires the ecr-pullthroughcache/ prefix).",
            resource("aws_secretsmanager_secret", "ecr_pullthroughcache")
                .add_attribute(("name", s(name)))
                .add_attribute(("description", "Docker Hub credentials of the ECR pull-through cache"))
                .add_attribute(("recovery_window_in_days", recovery_window(ctx)))
                .build(),
        );
    }
    f
}

//! `backup.tf`: the bucket of the database dumps (encrypted, versioned, private, TLS only,
//! this environment's lifecycle rule expiring dumps at `backup.retention_days`), and an AWS
//! Backup plan protecting the EFS file system and the RDS database for the same retention.

use hcl::Expression;

use crate::ctx::Ctx;
use crate::tf::{block, list, r, resource, s, strings, tmpl, File};

/// What the AWS Backup plan protects: the file system and the database Terraform knows, when
/// backups are on.
pub fn plan_resources(ctx: &Ctx<'_>) -> Option<Vec<Expression>> {
    ctx.spec.backup.as_ref()?;
    let mut v = Vec::new();
    if ctx.efs() {
        v.push(r("local.efs_file_system_arn"));
    }
    if ctx.aws.create_database {
        v.push(r("aws_db_instance.this.arn"));
    }
    (!v.is_empty()).then_some(v)
}

/// A five-field cron schedule (UTC) as AWS's six-field `cron(...)`: day-of-week numbers move
/// from 0–6 (Sunday 0) to 1–7 (Sunday 1), and one of day-of-month and day-of-week is `?`.
pub fn aws_cron(schedule: &str) -> String {
    let f: Vec<&str> = schedule.split(' ').collect();
    let [min, hour, dom, month, dow] = f[..] else {
        return String::new();
    };
    let (dom, dow) = if dow == "*" {
        (dom.to_string(), "?".to_string())
    } else {
        let mut out = String::new();
        let mut num = String::new();
        for c in dow.chars().chain(std::iter::once('\0')) {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            if !num.is_empty() {
                let n: u32 = num.parse().unwrap_or(0);
                out.push_str(&((n % 7) + 1).to_string());
                num.clear();
            }
            if c != '\0' {
                out.push(c);
            }
        }
        ("?".to_string(), out)
    };
    format!("cron({min} {hour} {dom} {month} {dow} *)")
}

/// The file (empty without `backup`).
pub fn file(ctx: &Ctx<'_>) -> File {
    let mut f = File::default();
    let Some(backup) = &ctx.spec.backup else {
        return f;
    };
    let n = &ctx.names;
    let bucket = n.backup_bucket.clone().unwrap_or_default();
    let prefix = n.backup_prefix.clone().unwrap_or_default();
    f.add(
        resource("aws_s3_bucket", "backup")
            .add_attribute(("bucket", s(&bucket)))
            .build(),
    );
    f.note(
        "Objects belong to the bucket owner; ACLs are off.",
        resource("aws_s3_bucket_ownership_controls", "backup")
            .add_attribute(("bucket", r("aws_s3_bucket.backup.id")))
            .add_block(
                block("rule")
                    .add_attribute(("object_ownership", "BucketOwnerEnforced"))
                    .build(),
            )
            .build(),
    );
    f.add(
        resource("aws_s3_bucket_public_access_block", "backup")
            .add_attribute(("bucket", r("aws_s3_bucket.backup.id")))
            .add_attribute(("block_public_acls", true))
            .add_attribute(("block_public_policy", true))
            .add_attribute(("ignore_public_acls", true))
            .add_attribute(("restrict_public_buckets", true))
            .build(),
    );
    f.add(
        resource("aws_s3_bucket_versioning", "backup")
            .add_attribute(("bucket", r("aws_s3_bucket.backup.id")))
            .add_block(
                block("versioning_configuration")
                    .add_attribute(("status", "Enabled"))
                    .build(),
            )
            .build(),
    );
    f.note(
        "SSE-KMS with the AWS-managed key; the bucket key keeps KMS requests few.",
        resource(
            "aws_s3_bucket_server_side_encryption_configuration",
            "backup",
        )
        .add_attribute(("bucket", r("aws_s3_bucket.backup.id")))
        .add_block(
            block("rule")
                .add_attribute(("bucket_key_enabled", true))
                .add_block(
                    block("apply_server_side_encryption_by_default")
                        .add_attribute(("sse_algorithm", "aws:kms"))
                        .build(),
                )
                .build(),
        )
        .build(),
    );
    f.note(
        "Requests without TLS are refused.",
        crate::tf::data("aws_iam_policy_document", "backup_bucket")
            .add_block(
                block("statement")
                    .add_attribute(("sid", "DenyInsecureTransport"))
                    .add_attribute(("effect", "Deny"))
                    .add_attribute(("actions", strings(["s3:*"])))
                    .add_attribute((
                        "resources",
                        list(vec![
                            r("aws_s3_bucket.backup.arn"),
                            tmpl("${aws_s3_bucket.backup.arn}/*"),
                        ]),
                    ))
                    .add_block(
                        block("principals")
                            .add_attribute(("type", "*"))
                            .add_attribute(("identifiers", strings(["*"])))
                            .build(),
                    )
                    .add_block(
                        block("condition")
                            .add_attribute(("test", "Bool"))
                            .add_attribute(("variable", "aws:SecureTransport"))
                            .add_attribute(("values", strings(["false"])))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    f.add(
        resource("aws_s3_bucket_policy", "backup")
            .add_attribute(("bucket", r("aws_s3_bucket.backup.id")))
            .add_attribute((
                "policy",
                r("data.aws_iam_policy_document.backup_bucket.json"),
            ))
            .build(),
    );
    f.note(
        &format!(
            "Dumps under {prefix}/ expire after backup.retention_days ({} days); old versions 30 days\nlater; unfinished uploads after 7 days.",
            backup.retention_days
        ),
        resource("aws_s3_bucket_lifecycle_configuration", "backup")
            .add_attribute(("bucket", r("aws_s3_bucket.backup.id")))
            .add_block(
                block("rule")
                    .add_attribute(("id", s(&n.lifecycle_rule)))
                    .add_attribute(("status", "Enabled"))
                    .add_block(block("filter").add_attribute(("prefix", s(format!("{prefix}/")))).build())
                    .add_block(
                        block("expiration")
                            .add_attribute(("days", u64::from(backup.retention_days)))
                            .build(),
                    )
                    .add_block(
                        block("noncurrent_version_expiration")
                            .add_attribute(("noncurrent_days", 30u64))
                            .build(),
                    )
                    .add_block(
                        block("abort_incomplete_multipart_upload")
                            .add_attribute(("days_after_initiation", 7u64))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    let Some(resources) = plan_resources(ctx) else {
        return f;
    };
    f.add(
        resource("aws_backup_vault", "this")
            .add_attribute(("name", s(&n.backup_plan)))
            .build(),
    );
    f.note(
        &format!(
            "Daily at backup.schedule ({}, UTC), kept backup.retention_days.",
            backup.schedule
        ),
        resource("aws_backup_plan", "this")
            .add_attribute(("name", s(&n.backup_plan)))
            .add_block(
                block("rule")
                    .add_attribute(("rule_name", "daily"))
                    .add_attribute(("target_vault_name", r("aws_backup_vault.this.name")))
                    .add_attribute(("schedule", s(aws_cron(&backup.schedule))))
                    .add_block(
                        block("lifecycle")
                            .add_attribute(("delete_after", u64::from(backup.retention_days)))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    f.add(
        resource("aws_backup_selection", "this")
            .add_attribute(("name", s(&n.backup_plan)))
            .add_attribute(("plan_id", r("aws_backup_plan.this.id")))
            .add_attribute(("iam_role_arn", r("aws_iam_role.aws_backup.arn")))
            .add_attribute(("resources", list(resources)))
            .build(),
    );
    f
}

#[cfg(test)]
mod tests {
    use super::aws_cron;

    #[test]
    fn cron_becomes_aws_cron() {
        assert_eq!(aws_cron("30 2 * * *"), "cron(30 2 * * ? *)");
        assert_eq!(aws_cron("0 3 * * 0"), "cron(0 3 ? * 1 *)");
        assert_eq!(aws_cron("0 3 * * 1-5"), "cron(0 3 ? * 2-6 *)");
        assert_eq!(aws_cron("0 3 * * 6,0"), "cron(0 3 ? * 7,1 *)");
    }
}

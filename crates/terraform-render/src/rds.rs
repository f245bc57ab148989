//! `rds.tf`: the RDS database when `aws.create_database` (its engine and version from the
//! model), the read replica when `database.read_replica_host` is set, and a private hosted
//! zone giving both the host names of the spec, so no endpoint is copied by hand.

use kimai_model::DatabaseEngine;

use crate::ctx::Ctx;
use crate::tf::{block, list, r, resource, s, File};

/// RDS's master user; Kimai connects as `database.user` (README).
pub const MASTER_USER: &str = "admin";

/// The parameter group family (`mysql8.4`, `mariadb11.4`) of the model's engine and version.
pub fn family(ctx: &Ctx<'_>) -> String {
    let engine = engine(ctx);
    let version: Vec<&str> = ctx.model.db_version().split('.').take(2).collect();
    format!("{engine}{}", version.join("."))
}

fn engine(ctx: &Ctx<'_>) -> &'static str {
    match ctx.spec.database.engine {
        DatabaseEngine::Mysql => "mysql",
        DatabaseEngine::Mariadb => "mariadb",
    }
}

/// Days RDS keeps automated backups (its maximum, 35, in production).
pub fn backup_retention(ctx: &Ctx<'_>) -> u64 {
    if ctx.production() {
        35
    } else {
        7
    }
}

/// The file (empty unless Terraform creates the database).
pub fn file(ctx: &Ctx<'_>) -> File {
    let mut f = File::default();
    if !ctx.aws.create_database {
        return f;
    }
    let n = &ctx.names;
    let db = &ctx.spec.database;
    f.add(
        resource("aws_db_subnet_group", "this")
            .add_attribute(("name", s(&n.db_instance)))
            .add_attribute(("subnet_ids", r("local.database_subnet_ids")))
            .add_attribute(("tags", ctx.name_tag(&n.db_instance)))
            .build(),
    );
    f.note(
        "Kimai needs utf8mb4 with the utf8mb4_unicode_ci collation.",
        resource("aws_db_parameter_group", "this")
            .add_attribute(("name", s(&n.db_instance)))
            .add_attribute(("family", s(family(ctx))))
            .add_attribute(("description", s(format!("Kimai {}: utf8mb4", n.stem))))
            .add_block(
                block("parameter")
                    .add_attribute(("name", "character_set_server"))
                    .add_attribute(("value", "utf8mb4"))
                    .build(),
            )
            .add_block(
                block("parameter")
                    .add_attribute(("name", "collation_server"))
                    .add_attribute(("value", "utf8mb4_unicode_ci"))
                    .build(),
            )
            .build(),
    );
    f.note(
        &format!(
            "The master password is created and rotated by RDS in Secrets Manager (never a variable,\nnever in the state). Multi-AZ in production; deletion protection and a final snapshot\nguard against an accidental destroy; automated backups kept {} days.",
            backup_retention(ctx)
        ),
        resource("aws_db_instance", "this")
            .add_attribute(("identifier", s(&n.db_instance)))
            .add_attribute(("engine", engine(ctx)))
            .add_attribute(("engine_version", s(ctx.model.db_version())))
            .add_attribute(("instance_class", r("var.db_instance_class")))
            .add_attribute(("allocated_storage", r("var.db_allocated_storage")))
            .add_attribute((
                "max_allocated_storage",
                crate::tf::op(
                    r("var.db_allocated_storage"),
                    hcl::expr::BinaryOperator::Mul,
                    hcl::Expression::from(10u64),
                ),
            ))
            .add_attribute(("storage_type", "gp3"))
            .add_attribute(("storage_encrypted", true))
            .add_attribute(("db_name", s(&db.name)))
            .add_attribute(("username", MASTER_USER))
            .add_attribute(("manage_master_user_password", true))
            .add_attribute(("port", u64::from(db.port)))
            .add_attribute(("multi_az", ctx.production()))
            .add_attribute(("db_subnet_group_name", r("aws_db_subnet_group.this.name")))
            .add_attribute(("parameter_group_name", r("aws_db_parameter_group.this.name")))
            .add_attribute(("vpc_security_group_ids", list(vec![r("aws_security_group.db.id")])))
            .add_attribute(("publicly_accessible", false))
            .add_attribute(("backup_retention_period", backup_retention(ctx)))
            .add_attribute(("copy_tags_to_snapshot", true))
            .add_attribute(("deletion_protection", true))
            .add_attribute(("skip_final_snapshot", false))
            .add_attribute(("final_snapshot_identifier", s(format!("{}-final", n.db_instance))))
            .add_attribute(("auto_minor_version_upgrade", true))
            .add_attribute(("iam_database_authentication_enabled", true))
            .add_attribute(("enabled_cloudwatch_logs_exports", crate::tf::strings(["error", "slowquery"])))
            .add_attribute(("tags", ctx.name_tag(&n.db_instance)))
            .build(),
    );
    if db.read_replica_host.is_some() {
        f.note(
            "The read replica of database.read_replica_host, for reporting tools (Kimai writes\nthrough database.host). It inherits credentials and encryption from the primary.",
            resource("aws_db_instance", "replica")
                .add_attribute(("identifier", s(&n.db_replica)))
                .add_attribute(("replicate_source_db", r("aws_db_instance.this.identifier")))
                .add_attribute(("instance_class", r("var.db_instance_class")))
                .add_attribute(("storage_encrypted", true))
                .add_attribute(("parameter_group_name", r("aws_db_parameter_group.this.name")))
                .add_attribute(("vpc_security_group_ids", list(vec![r("aws_security_group.db.id")])))
                .add_attribute(("publicly_accessible", false))
                .add_attribute(("auto_minor_version_upgrade", true))
                .add_attribute(("copy_tags_to_snapshot", true))
                .add_attribute((
                    "enabled_cloudwatch_logs_exports",
                    crate::tf::strings(["error", "slowquery"]),
                ))
                .add_attribute(("skip_final_snapshot", true))
                .add_attribute(("deletion_protection", true))
                .add_attribute(("tags", ctx.name_tag(&n.db_replica)))
                .build(),
        );
    }
    if let Some(zone) = &n.db_zone {
        f.note(
            "A private zone in the VPC holds the host names the spec gives the database.",
            resource("aws_route53_zone", "private")
                .add_attribute(("name", s(zone)))
                .add_attribute(("comment", s(format!("Kimai {}: database names", n.stem))))
                .add_block(
                    block("vpc")
                        .add_attribute(("vpc_id", r("local.vpc_id")))
                        .build(),
                )
                .build(),
        );
        let records = [
            ("db", db.host.clone(), "aws_db_instance.this.address"),
            (
                "db_replica",
                db.read_replica_host.clone(),
                "aws_db_instance.replica.address",
            ),
        ];
        for (name, host, target) in records {
            let Some(host) = host else { continue };
            f.add(
                resource("aws_route53_record", name)
                    .add_attribute(("zone_id", r("aws_route53_zone.private.zone_id")))
                    .add_attribute(("name", s(host)))
                    .add_attribute(("type", "CNAME"))
                    .add_attribute(("ttl", 60u64))
                    .add_attribute(("records", list(vec![r(target)])))
                    .build(),
            );
        }
    }
    f
}

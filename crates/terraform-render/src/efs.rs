//! `efs.tf`: Kimai's file system. Created (`aws.create_file_system`): encrypted, a mount
//! target in every private subnet, one access point per persistent directory owned by
//! `www-data` (33:33, 0755, created on first mount, so no directory is made by hand). Existing:
//! read by id. Either way the locals `efs_file_system_id`, `efs_file_system_arn` and
//! `efs_access_point_ids` are what the task definition and the task role use.

use hcl::Expression;
use kimai_model::PERSISTENT_DIRS;

use crate::ctx::Ctx;
use crate::tf::{block, data, list, object, r, resource, s, strings, File};

/// `www-data` in the Kimai image: Apache's workers run as this user.
pub const WWW_DATA: u64 = 33;

/// Root of the access point the EKS volume mounts (`data`, `plugins` and `invoices` below
/// it, as Kubernetes' `subPath`s); ECS mounts one access point per directory instead, so
/// the two renderings of one spec keep their files apart.
pub const KUBERNETES_ROOT: &str = "/kubernetes";
/// Where the EKS StorageClass provisions further claims' directories.
pub const KUBERNETES_DYNAMIC_ROOT: &str = "/kubernetes-dynamic";

/// The file (empty unless storage is EFS).
pub fn file(ctx: &Ctx<'_>) -> File {
    let mut f = File::default();
    if !ctx.efs() {
        return f;
    }
    if ctx.aws.create_file_system {
        created(ctx, &mut f);
    } else {
        existing(ctx, &mut f);
    }
    f
}

fn created(ctx: &Ctx<'_>, f: &mut File) {
    let n = &ctx.names;
    f.note(
        "Elastic throughput follows Kimai's bursty file access; files unread for 30 days move to\nInfrequent Access and come back on first read.",
        resource("aws_efs_file_system", "this")
            .add_attribute(("encrypted", true))
            .add_attribute(("performance_mode", "generalPurpose"))
            .add_attribute(("throughput_mode", "elastic"))
            .add_block(
                block("lifecycle_policy")
                    .add_attribute(("transition_to_ia", "AFTER_30_DAYS"))
                    .build(),
            )
            .add_block(
                block("lifecycle_policy")
                    .add_attribute(("transition_to_primary_storage_class", "AFTER_1_ACCESS"))
                    .build(),
            )
            .add_attribute(("tags", ctx.name_tag(&n.file_system)))
            .build(),
    );
    let subnets = if ctx.owns_network() {
        u64::from(ctx.az_count())
    } else {
        ctx.aws.network.private_subnets.len() as u64
    };
    f.add(
        resource("aws_efs_mount_target", "this")
            .add_attribute(("count", subnets))
            .add_attribute(("file_system_id", r("aws_efs_file_system.this.id")))
            .add_attribute(("subnet_id", r("local.private_subnet_ids[count.index]")))
            .add_attribute((
                "security_groups",
                list(vec![r("aws_security_group.efs.id")]),
            ))
            .build(),
    );
    f.note(
        "Clients must use TLS; the task role's IAM authorisation decides the rest.",
        data("aws_iam_policy_document", "efs")
            .add_block(
                block("statement")
                    .add_attribute(("sid", "DenyInsecureTransport"))
                    .add_attribute(("effect", "Deny"))
                    .add_attribute(("actions", strings(["*"])))
                    .add_attribute(("resources", list(vec![r("aws_efs_file_system.this.arn")])))
                    .add_block(
                        block("principals")
                            .add_attribute(("type", "AWS"))
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
        resource("aws_efs_file_system_policy", "this")
            .add_attribute(("file_system_id", r("aws_efs_file_system.this.id")))
            .add_attribute(("policy", r("data.aws_iam_policy_document.efs.json")))
            .build(),
    );
    for (dir, path) in PERSISTENT_DIRS {
        f.note(
            &format!("{path}: every access runs as www-data ({WWW_DATA}:{WWW_DATA}); the directory is created 0755 on first use."),
            access_point(ctx, dir, &format!("/{dir}")),
        );
    }
    if ctx
        .names
        .eks
        .as_ref()
        .is_some_and(|e| e.storage_class.is_some())
    {
        f.note(
            &format!("{KUBERNETES_ROOT}: Kimai's volume on EKS (its three directories are sub-paths), as www-data."),
            access_point(ctx, "kubernetes", KUBERNETES_ROOT),
        );
    }
    f.add(
        block("locals")
            .add_attribute(("efs_file_system_id", r("aws_efs_file_system.this.id")))
            .add_attribute(("efs_file_system_arn", r("aws_efs_file_system.this.arn")))
            .add_attribute((
                "efs_access_point_ids",
                object(
                    PERSISTENT_DIRS
                        .iter()
                        .map(|(dir, _)| (*dir, r(&format!("aws_efs_access_point.{dir}.id"))))
                        .collect(),
                ),
            ))
            .build(),
    );
}

/// An access point `tf` rooted at `path`: every access as www-data, the directory created
/// 0755 and owned by www-data on first use.
fn access_point(ctx: &Ctx<'_>, tf: &str, path: &str) -> hcl::Block {
    resource("aws_efs_access_point", tf)
        .add_attribute(("file_system_id", r("aws_efs_file_system.this.id")))
        .add_block(
            block("posix_user")
                .add_attribute(("uid", WWW_DATA))
                .add_attribute(("gid", WWW_DATA))
                .build(),
        )
        .add_block(
            block("root_directory")
                .add_attribute(("path", s(path)))
                .add_block(
                    block("creation_info")
                        .add_attribute(("owner_uid", WWW_DATA))
                        .add_attribute(("owner_gid", WWW_DATA))
                        .add_attribute(("permissions", "0755"))
                        .build(),
                )
                .build(),
        )
        .add_attribute((
            "tags",
            ctx.name_tag(&format!("{}-{tf}", ctx.names.file_system)),
        ))
        .build()
}

fn existing(ctx: &Ctx<'_>, f: &mut File) {
    let efs = ctx
        .spec
        .storage
        .efs
        .clone()
        .unwrap_or_else(|| kimai_model::Efs {
            file_system_id: String::new(),
            access_point_id: None,
            access_points: Default::default(),
        });
    f.note(
        "The existing file system of storage.efs (its mount targets exist already).",
        data("aws_efs_file_system", "this")
            .add_attribute(("file_system_id", s(&efs.file_system_id)))
            .build(),
    );
    f.note(
        "Access points of storage.efs.access_points; a directory without one is mounted from\n/<directory> of the file system (null).",
        block("locals")
            .add_attribute(("efs_file_system_id", r("data.aws_efs_file_system.this.id")))
            .add_attribute(("efs_file_system_arn", r("data.aws_efs_file_system.this.arn")))
            .add_attribute((
                "efs_access_point_ids",
                object(
                    PERSISTENT_DIRS
                        .iter()
                        .map(|(dir, _)| {
                            let v = efs
                                .access_points
                                .get(*dir)
                                .map_or(Expression::Null, s);
                            (*dir, v)
                        })
                        .collect(),
                ),
            ))
            .build(),
    );
}

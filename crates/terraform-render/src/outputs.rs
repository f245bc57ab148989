//! `outputs.tf`: identifiers created here that the operator or other tools read (none is a
//! secret: the database's master password stays in the secret RDS manages).

use crate::ctx::Ctx;
use crate::tf::{r, File};

/// The file.
pub fn file(ctx: &Ctx<'_>) -> File {
    let mut f = File::default();
    let mut outputs: Vec<(&str, &str, String)> = vec![
        ("vpc_id", "The VPC.", "local.vpc_id".into()),
        (
            "private_subnet_ids",
            "Subnets of the tasks (targets.ecs.subnets).",
            "local.private_subnet_ids".into(),
        ),
        (
            "app_security_group_id",
            "Security group of the Kimai tasks (targets.ecs.security_groups).",
            "aws_security_group.app.id".into(),
        ),
    ];
    if ctx.ecs.is_some() {
        outputs.push((
            "load_balancer_dns_name",
            "DNS name of the load balancer (for a CNAME where Route 53 is not used).",
            "aws_lb.this.dns_name".into(),
        ));
        outputs.push((
            "load_balancer_arn",
            "The load balancer (targets.ecs.load_balancer_arn).",
            "aws_lb.this.arn".into(),
        ));
        outputs.push((
            "target_group_arn",
            "The target group (targets.ecs.target_group_arn).",
            "aws_lb_target_group.this.arn".into(),
        ));
        outputs.push((
            "cluster_arn",
            "The ECS cluster.",
            "aws_ecs_cluster.this.arn".into(),
        ));
    }
    if ctx.names.eks.is_some() {
        outputs.push((
            "eks_cluster_name",
            "The EKS cluster (aws eks update-kubeconfig --name).",
            "local.eks_cluster_name".into(),
        ));
        outputs.push((
            "eks_oidc_provider_arn",
            "The cluster's IAM OIDC provider, for further IRSA roles.",
            "local.eks_oidc_provider_arn".into(),
        ));
    }
    if ctx.efs() {
        outputs.push((
            "efs_file_system_id",
            "The file system (storage.efs.file_system_id).",
            "local.efs_file_system_id".into(),
        ));
        outputs.push((
            "efs_access_point_ids",
            "Access point per directory (storage.efs.access_points).",
            "local.efs_access_point_ids".into(),
        ));
    }
    if ctx.aws.create_database {
        outputs.push((
            "db_address",
            "The database's own endpoint (Kimai uses database.host, a record pointing here).",
            "aws_db_instance.this.address".into(),
        ));
        outputs.push((
            "db_master_user_secret_arn",
            "Secret holding RDS's master user and password (managed by RDS).",
            "aws_db_instance.this.master_user_secret[0].secret_arn".into(),
        ));
    }
    if ctx.irsa_role().is_some() {
        outputs.push((
            "backup_role_arn",
            "IRSA role of the Kubernetes ServiceAccount (the backup job's when backups are on).",
            "aws_iam_role.backup.arn".into(),
        ));
    }
    for (name, description, value) in outputs {
        f.add(
            hcl::Block::builder("output")
                .add_label(name)
                .add_attribute(("description", description))
                .add_attribute(("value", r(&value)))
                .build(),
        );
    }
    f
}

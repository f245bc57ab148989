//! `iam.rs`: this environment's IAM roles, each trusting one principal (with
//! `aws:SourceAccount`/`aws:SourceArn` where the principal is a service) and allowed only its
//! own resources:
//! - execution role (ECS, before Kimai starts): its log group, exactly the secrets the task
//!   definition reads, and the pull-through cache's repositories;
//! - task role (Kimai's processes): this file system (mount, write, root), ECS Exec when on;
//! - backup role (the Kubernetes backup job, through IRSA): `s3:PutObject` under its prefix;
//! - AWS Backup's role for the backup plan.

use hcl::Expression;
use kimai_model::{EnvValue, SecretsBackend};

use crate::ctx::Ctx;
use crate::tf::{block, list, r, resource, s, strings, tmpl, File};

/// One policy statement.
pub struct Statement {
    sid: &'static str,
    actions: Vec<&'static str>,
    resources: Vec<Expression>,
}

fn policy_document(name: &str, statements: Vec<Statement>) -> hcl::Block {
    let mut b = crate::tf::data("aws_iam_policy_document", name);
    for st in statements {
        b = b.add_block(
            block("statement")
                .add_attribute(("sid", st.sid))
                .add_attribute(("actions", strings(st.actions)))
                .add_attribute(("resources", list(st.resources)))
                .build(),
        );
    }
    b.build()
}

/// A trust policy for a service principal: `actions`, limited to this account where given
/// (`aws:SourceAccount`) and to source ARNs of that service where given (`aws:SourceArn`).
/// Shared with `eks.tf`, whose EKS and EC2 roles follow AWS's documented trust (no source
/// conditions).
pub(crate) fn service_trust(
    name: &str,
    service: &str,
    actions: &[&str],
    account: Option<&str>,
    source_arn: Option<String>,
) -> hcl::Block {
    let mut st = block("statement")
        .add_attribute(("actions", strings(actions.iter().copied())))
        .add_block(
            block("principals")
                .add_attribute(("type", "Service"))
                .add_attribute(("identifiers", strings([service])))
                .build(),
        );
    if let Some(account) = account {
        st = st.add_block(
            block("condition")
                .add_attribute(("test", "StringEquals"))
                .add_attribute(("variable", "aws:SourceAccount"))
                .add_attribute(("values", strings([account])))
                .build(),
        );
    }
    if let Some(arn) = source_arn {
        st = st.add_block(
            block("condition")
                .add_attribute(("test", "ArnLike"))
                .add_attribute(("variable", "aws:SourceArn"))
                .add_attribute(("values", strings([arn])))
                .build(),
        );
    }
    crate::tf::data("aws_iam_policy_document", name)
        .add_block(st.build())
        .build()
}

/// A web-identity (IRSA) trust: tokens of the OIDC `provider` whose issuer is `issuer` (a
/// template such as `${local.eks_oidc_issuer}`), for `subject` and the STS audience only.
pub(crate) fn web_identity_trust(
    name: &str,
    provider: Expression,
    issuer: &str,
    subject: &str,
) -> hcl::Block {
    let condition = |suffix: &str, value: &str| {
        block("condition")
            .add_attribute(("test", "StringEquals"))
            .add_attribute(("variable", tmpl(&format!("{issuer}:{suffix}"))))
            .add_attribute(("values", strings([value])))
            .build()
    };
    crate::tf::data("aws_iam_policy_document", name)
        .add_block(
            block("statement")
                .add_attribute(("actions", strings(["sts:AssumeRoleWithWebIdentity"])))
                .add_block(
                    block("principals")
                        .add_attribute(("type", "Federated"))
                        .add_attribute(("identifiers", list(vec![provider])))
                        .build(),
                )
                .add_block(condition("sub", subject))
                .add_block(condition("aud", "sts.amazonaws.com"))
                .build(),
        )
        .build()
}

/// A role trusting `trust`'s document; `after` names OIDC providers it must be created after
/// (IAM checks that a federated principal exists). Shared with `ci.tf`.
pub(crate) fn role(
    f: &mut File,
    tf: &str,
    name: &str,
    description: String,
    trust: &str,
    after: &[&str],
) {
    let mut b = resource("aws_iam_role", tf)
        .add_attribute(("name", s(name)))
        .add_attribute(("description", s(description)))
        .add_attribute((
            "assume_role_policy",
            r(&format!("data.aws_iam_policy_document.{trust}.json")),
        ));
    if !after.is_empty() {
        b = b.add_attribute((
            "depends_on",
            list(
                after
                    .iter()
                    .map(|p| r(&format!("aws_iam_openid_connect_provider.{p}")))
                    .collect(),
            ),
        ));
    }
    f.add(b.build());
}

fn inline(f: &mut File, tf: &str, role: &str, document: &str) {
    f.add(
        resource("aws_iam_role_policy", tf)
            .add_attribute(("name", s(tf.replace('_', "-"))))
            .add_attribute(("role", r(&format!("aws_iam_role.{role}.id"))))
            .add_attribute((
                "policy",
                r(&format!("data.aws_iam_policy_document.{document}.json")),
            ))
            .build(),
    );
}

/// The secrets ECS reads (the task definition's `valueFrom`): Kimai's secret variables,
/// `DATABASE_URL`'s secret and the Datadog agent's key, by logical name.
pub fn ecs_secret_names(ctx: &Ctx<'_>) -> Vec<String> {
    let mut v: Vec<String> = ctx
        .model
        .kimai_env(&[])
        .into_iter()
        .filter_map(|(_, value)| match value {
            EnvValue::Plain(_) => None,
            EnvValue::Secret(r) => Some(r.name().to_string()),
            EnvValue::DatabaseUrl => Some(ctx.spec.database.url_secret.name().to_string()),
        })
        .collect();
    if ctx.spec.monitoring.datadog.enabled {
        v.push(ctx.spec.monitoring.datadog.api_key.name().to_string());
    }
    v.sort();
    v.dedup();
    v
}

/// The file.
pub fn file(ctx: &Ctx<'_>) -> File {
    let mut f = File::default();
    let n = &ctx.names;
    let account = ctx.aws.account_id.as_str();
    if let Some(ecs) = ctx.ecs {
        f.note(
            "ECS tasks of this account, started by ECS in this region.",
            service_trust(
                "ecs_tasks_trust",
                "ecs-tasks.amazonaws.com",
                &["sts:AssumeRole"],
                Some(account),
                Some(ctx.arn("ecs", "*")),
            ),
        );
        let execution_name = ctx.execution_role();
        let execution = execution_name.is_some();
        if let Some(name) = &execution_name {
            role(
                &mut f,
                "execution",
                name,
                format!(
                    "ECS execution role of Kimai {}: image pull, logs, secrets",
                    n.stem
                ),
                "ecs_tasks_trust",
                &[],
            );
        }
        let mut st = vec![Statement {
            sid: "Logs",
            actions: vec!["logs:CreateLogStream", "logs:PutLogEvents"],
            resources: vec![tmpl("${aws_cloudwatch_log_group.kimai.arn}:*")],
        }];
        let secrets = ctx.secrets();
        let mut arns: Vec<Expression> = Vec::new();
        for name in ecs_secret_names(ctx) {
            if let Some(pinned) = ecs.secret_arns.get(&name) {
                arns.push(s(pinned));
            } else if ecs.secrets_backend == SecretsBackend::Ssm {
                let param = n.aws_secret(
                    &kimai_model::SecretRef::new(name.clone()),
                    SecretsBackend::Ssm,
                );
                arns.push(s(ctx.arn("ssm", &format!("parameter{param}"))));
            } else if let Some(item) = secrets.iter().find(|i| i.logical == name) {
                arns.push(r(&format!(
                    "aws_secretsmanager_secret.{}.arn",
                    item.resource
                )));
            }
        }
        let (sid, action) = match ecs.secrets_backend {
            SecretsBackend::SecretsManager => ("Secrets", "secretsmanager:GetSecretValue"),
            SecretsBackend::Ssm => ("Parameters", "ssm:GetParameters"),
        };
        st.push(Statement {
            sid,
            actions: vec![action],
            resources: arns,
        });
        if let Some(prefix) = &n.ecr_cache_prefix {
            st.push(Statement {
                sid: "EcrToken",
                actions: vec!["ecr:GetAuthorizationToken"],
                resources: vec![s("*")],
            });
            st.push(Statement {
                sid: "EcrPullThroughCache",
                actions: vec![
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:BatchImportUpstreamImage",
                    "ecr:CreateRepository",
                    "ecr:GetDownloadUrlForLayer",
                ],
                resources: vec![s(ctx.arn("ecr", &format!("repository/{prefix}/*")))],
            });
        }
        if execution {
            f.add(policy_document("execution", st));
            inline(&mut f, "execution", "execution", "execution");
        }
        let task_name = ctx.task_role();
        let task = task_name.is_some();
        if let Some(name) = &task_name {
            role(
                &mut f,
                "task",
                name,
                format!("Task role of Kimai {}: its file system", n.stem),
                "ecs_tasks_trust",
                &[],
            );
        }
        let mut st = Vec::new();
        if ctx.efs() {
            st.push(Statement {
                sid: "FileSystem",
                actions: vec![
                    "elasticfilesystem:ClientMount",
                    "elasticfilesystem:ClientRootAccess",
                    "elasticfilesystem:ClientWrite",
                ],
                resources: vec![r("local.efs_file_system_arn")],
            });
        }
        if ecs.enable_execute_command {
            st.push(Statement {
                sid: "EcsExec",
                actions: vec![
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel",
                ],
                resources: vec![s("*")],
            });
        }
        if task && !st.is_empty() {
            f.note(
                "The entrypoint runs as root and chowns var/: without ClientRootAccess EFS maps root to\nan anonymous user and that fails.",
                policy_document("task", st),
            );
            inline(&mut f, "task", "task", "task");
        }
    }
    if let Some(irsa) = ctx.irsa_role() {
        let issuer = "${var.eks_oidc_issuer}";
        let comment = if irsa.backup {
            "IRSA: only the backup job's ServiceAccount, through the cluster's OIDC provider."
        } else {
            "IRSA: the role targets.kubernetes.service_account_annotations gives Kimai's\nServiceAccount. Kimai calls no AWS API, so it grants nothing; attach what the annotation is for."
        };
        let trust = if ctx.names.eks.is_some() {
            // The cluster of eks.tf: its OIDC provider, no variable to fill in.
            crate::eks::irsa_trust("backup_trust", &n.namespace, &irsa.service_account)
        } else {
            web_identity_trust(
                "backup_trust",
                tmpl(&format!(
                    "arn:{}:iam::{account}:oidc-provider/{issuer}",
                    ctx.partition
                )),
                issuer,
                &format!(
                    "system:serviceaccount:{}:{}",
                    n.namespace, irsa.service_account
                ),
            )
        };
        f.note(comment, trust);
        let description = match (&n.backup_bucket, &n.backup_prefix) {
            (Some(bucket), Some(prefix)) if irsa.backup => {
                format!(
                    "Database dumps of Kimai {} into s3://{bucket}/{prefix}/",
                    n.stem
                )
            }
            _ => format!("Kimai {}'s ServiceAccount (IRSA)", n.stem),
        };
        role(
            &mut f,
            "backup",
            &irsa.name,
            description,
            "backup_trust",
            &[],
        );
    }
    let writes_dumps = ctx.irsa_role().is_some_and(|i| i.backup);
    if let (true, Some(bucket), Some(prefix)) = (writes_dumps, &n.backup_bucket, &n.backup_prefix) {
        f.add(policy_document(
            "backup",
            vec![Statement {
                sid: "PutDumps",
                actions: vec!["s3:PutObject"],
                resources: vec![s(format!("arn:{}:s3:::{bucket}/{prefix}/*", ctx.partition))],
            }],
        ));
        inline(&mut f, "backup", "backup", "backup");
    }
    if crate::backup::plan_resources(ctx).is_some() {
        f.note(
            "AWS Backup, for this account's backup jobs only.",
            service_trust(
                "aws_backup_trust",
                "backup.amazonaws.com",
                &["sts:AssumeRole"],
                Some(account),
                None,
            ),
        );
        role(
            &mut f,
            "aws_backup",
            &n.aws_backup_role,
            format!("AWS Backup of Kimai {}: EFS and RDS", n.stem),
            "aws_backup_trust",
            &[],
        );
        for (tf, policy) in [
            ("aws_backup_backup", "AWSBackupServiceRolePolicyForBackup"),
            (
                "aws_backup_restore",
                "AWSBackupServiceRolePolicyForRestores",
            ),
        ] {
            f.add(
                resource("aws_iam_role_policy_attachment", tf)
                    .add_attribute(("role", r("aws_iam_role.aws_backup.name")))
                    .add_attribute((
                        "policy_arn",
                        s(format!(
                            "arn:{}:iam::aws:policy/service-role/{policy}",
                            ctx.partition
                        )),
                    ))
                    .build(),
            );
        }
    }
    f
}

//! `ci.tf`: the IAM roles the generated pipelines assume through OIDC (`delivery`), so no CI
//! system ever holds an AWS key.
//!
//! - the OIDC identity providers of GitHub Actions and of the GitLab instance (account-wide:
//!   `create_ci_oidc_providers = false` when another state already created them);
//! - the deploy role (`Names::deploy_role`), trusted only by tokens whose `sub` is this
//!   repository's environment (GitHub) or this project's deploy branch (GitLab), as
//!   `kimai_model::delivery::deploy_trust` derives them, and allowed: this environment's
//!   Terraform state, the ECS deploy calls on this service (`delivery::deploy_actions`), and, for
//!   `terraform apply`, the managed `PowerUserAccess` plus IAM on this environment's own roles
//!   (`<name>-<environment>-*`) — PowerUserAccess grants no IAM;
//! - the plan role (`Names::plan_role`) for pull-request `terraform plan`: `ReadOnlyAccess`, the
//!   state and its lock file.
//!
//! The first apply runs with an administrator's credentials (it creates these roles); every
//! apply after it runs in CI.

use hcl::Expression;
use kimai_model::delivery::{deploy_actions, deploy_trust, plan_trust, OidcTrust};

use crate::ctx::Ctx;
use crate::iam::role;
use crate::tf::{block, data, list, r, resource, s, strings, File};

/// Terraform resource name of an OIDC provider (`github`, `gitlab`).
fn provider_resource(provider: &str) -> &'static str {
    if provider == kimai_model::delivery::GITHUB_OIDC_PROVIDER {
        "github"
    } else {
        "gitlab"
    }
}

/// True when CI deploys this environment with roles Terraform creates.
pub fn enabled(ctx: &Ctx<'_>) -> bool {
    !deploy_trust(ctx.model).is_empty()
}

/// A trust policy for web-identity tokens of `trust`'s providers, each limited to its subject.
fn trust_document(ctx: &Ctx<'_>, name: &str, trust: &[OidcTrust]) -> hcl::Block {
    let mut b = data("aws_iam_policy_document", name);
    for t in trust {
        b = b.add_block(
            block("statement")
                .add_attribute(("actions", strings(["sts:AssumeRoleWithWebIdentity"])))
                .add_block(
                    block("principals")
                        .add_attribute(("type", "Federated"))
                        .add_attribute((
                            "identifiers",
                            strings([format!(
                                "arn:{}:iam::{}:oidc-provider/{}",
                                ctx.partition, ctx.aws.account_id, t.provider
                            )]),
                        ))
                        .build(),
                )
                .add_block(
                    block("condition")
                        .add_attribute(("test", "StringEquals"))
                        .add_attribute(("variable", s(format!("{}:aud", t.provider))))
                        .add_attribute(("values", strings([t.audience])))
                        .build(),
                )
                .add_block(
                    block("condition")
                        .add_attribute(("test", "StringEquals"))
                        .add_attribute(("variable", s(format!("{}:sub", t.provider))))
                        .add_attribute(("values", strings([t.subject.clone()])))
                        .build(),
                )
                .build(),
        );
    }
    b.build()
}

/// One policy statement with literal resources.
fn statement(sid: &str, actions: &[&str], resources: Vec<Expression>) -> hcl::Block {
    block("statement")
        .add_attribute(("sid", sid))
        .add_attribute(("actions", strings(actions.iter().copied())))
        .add_attribute(("resources", list(resources)))
        .build()
}

fn attach(f: &mut File, tf: &str, role: &str, policy: &str, partition: &str) {
    f.add(
        resource("aws_iam_role_policy_attachment", tf)
            .add_attribute(("role", r(&format!("aws_iam_role.{role}.name"))))
            .add_attribute((
                "policy_arn",
                s(format!("arn:{partition}:iam::aws:policy/{policy}")),
            ))
            .build(),
    );
}

/// The file (empty without CI roles to create).
pub fn file(ctx: &Ctx<'_>) -> File {
    let mut f = File::default();
    let deploy = deploy_trust(ctx.model);
    if deploy.is_empty() {
        return f;
    }
    let n = &ctx.names;
    let p = ctx.partition;
    let account = ctx.aws.account_id.as_str();
    let mut providers: Vec<&str> = deploy.iter().map(|t| t.provider.as_str()).collect();
    providers.sort_unstable();
    providers.dedup();
    let resources: Vec<&str> = providers.iter().map(|p| provider_resource(p)).collect();
    for provider in providers {
        f.note(
            "One per account and issuer: set create_ci_oidc_providers = false in the states of\nfurther environments (or when it exists already); the roles name it by its ARN.",
            resource("aws_iam_openid_connect_provider", provider_resource(provider))
                .add_attribute((
                    "count",
                    Expression::Conditional(Box::new(hcl::expr::Conditional::new(
                        r("var.create_ci_oidc_providers"),
                        Expression::from(1u64),
                        Expression::from(0u64),
                    ))),
                ))
                .add_attribute(("url", s(format!("https://{provider}"))))
                .add_attribute((
                    "client_id_list",
                    strings([kimai_model::delivery::OIDC_AUDIENCE]),
                ))
                .build(),
        );
    }
    f.note(
        "Only tokens for this environment: GitHub jobs bound to its environment, GitLab jobs of\nthe protected deploy branch.",
        trust_document(ctx, "deploy_trust", &deploy),
    );
    role(
        &mut f,
        "deploy",
        &n.deploy_role,
        format!("CI deploys of Kimai {} (OIDC, no stored keys)", n.stem),
        "deploy_trust",
        &resources,
    );
    let state = format!("arn:{p}:s3:::{}", n.terraform_state_bucket);
    let key = format!("{state}/{}", n.terraform_state_key);
    let mut st = vec![
        statement(
            "TerraformState",
            &["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            vec![s(key.clone()), s(format!("{key}.tflock"))],
        ),
        statement("TerraformStateList", &["s3:ListBucket"], vec![s(state.clone())]),
        statement(
            "OwnRoles",
            &[
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:DeleteRolePolicy",
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListInstanceProfilesForRole",
                "iam:ListRolePolicies",
                "iam:PassRole",
                "iam:PutRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:UpdateRole",
            ],
            vec![s(format!("arn:{p}:iam::{account}:role/{}-*", n.stem))],
        ),
        // Managed policies only those this configuration attaches (AWS Backup's).
        block("statement")
            .add_attribute(("sid", "OwnRolesManagedPolicies"))
            .add_attribute((
                "actions",
                strings(["iam:AttachRolePolicy", "iam:DetachRolePolicy"]),
            ))
            .add_attribute((
                "resources",
                strings([format!("arn:{p}:iam::{account}:role/{}-*", n.stem)]),
            ))
            .add_block(
                block("condition")
                    .add_attribute(("test", "ArnEquals"))
                    .add_attribute(("variable", "iam:PolicyARN"))
                    .add_attribute((
                        "values",
                        strings([
                            format!("arn:{p}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"),
                            format!("arn:{p}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"),
                        ]),
                    ))
                    .build(),
            )
            .build(),
        // The CI roles never change themselves.
        block("statement")
            .add_attribute(("sid", "NotTheCiRoles"))
            .add_attribute(("effect", "Deny"))
            .add_attribute((
                "actions",
                strings([
                    "iam:AttachRolePolicy",
                    "iam:DeleteRole",
                    "iam:DeleteRolePolicy",
                    "iam:DetachRolePolicy",
                    "iam:PutRolePolicy",
                    "iam:UpdateAssumeRolePolicy",
                ]),
            ))
            .add_attribute((
                "resources",
                strings([
                    format!("arn:{p}:iam::{account}:role/{}", n.deploy_role),
                    format!("arn:{p}:iam::{account}:role/{}", n.plan_role),
                ]),
            ))
            .build(),
        statement(
            "ServiceLinkedRoles",
            &["iam:CreateServiceLinkedRole"],
            vec![s(format!(
                "arn:{p}:iam::{account}:role/aws-service-role/*"
            ))],
        ),
        statement(
            "OidcProviders",
            &["iam:GetOpenIDConnectProvider"],
            vec![s(format!("arn:{p}:iam::{account}:oidc-provider/*"))],
        ),
    ];
    let actions = deploy_actions(ctx.model);
    if let (true, Some(ecs)) = (actions.contains(&"ecs:UpdateService"), ctx.ecs) {
        st.push(statement(
            "EcsService",
            &["ecs:DescribeServices", "ecs:UpdateService"],
            vec![s(ctx.arn(
                "ecs",
                &format!("service/{}/{}", ecs.cluster, n.ecs_service),
            ))],
        ));
        st.push(statement(
            "EcsTaskDefinitions",
            &["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"],
            vec![s("*")],
        ));
    }
    if actions.contains(&"eks:DescribeCluster") {
        if let Some(cluster) = &n.eks_cluster {
            st.push(statement(
                "EksCluster",
                &["eks:DescribeCluster"],
                vec![s(ctx.arn("eks", &format!("cluster/{cluster}")))],
            ));
        }
    }
    let mut doc = data("aws_iam_policy_document", "deploy");
    for b in st {
        doc = doc.add_block(b);
    }
    f.note(
        "Its state, its ECS service, and IAM on this environment's own roles only.",
        doc.build(),
    );
    f.add(
        resource("aws_iam_role_policy", "deploy")
            .add_attribute(("name", s("deploy")))
            .add_attribute(("role", r("aws_iam_role.deploy.id")))
            .add_attribute(("policy", r("data.aws_iam_policy_document.deploy.json")))
            .build(),
    );
    attach(&mut f, "deploy_power_user", "deploy", "PowerUserAccess", p);
    let plan = plan_trust(ctx.model);
    if !plan.is_empty() {
        f.note(
            "Pull-request plans: GitHub jobs bound to the plan environment, which has no reviewers.",
            trust_document(ctx, "plan_trust", &plan),
        );
        role(
            &mut f,
            "plan",
            &n.plan_role,
            format!(
                "Pull-request terraform plan of Kimai {} (read only)",
                n.stem
            ),
            "plan_trust",
            &[provider_resource(
                kimai_model::delivery::GITHUB_OIDC_PROVIDER,
            )],
        );
        attach(&mut f, "plan_read_only", "plan", "ReadOnlyAccess", p);
        let mut doc = data("aws_iam_policy_document", "plan");
        for b in [
            statement("TerraformState", &["s3:GetObject"], vec![s(key.clone())]),
            statement(
                "TerraformLock",
                &["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                vec![s(format!("{key}.tflock"))],
            ),
            statement("TerraformStateList", &["s3:ListBucket"], vec![s(state)]),
        ] {
            doc = doc.add_block(b);
        }
        f.add(doc.build());
        f.add(
            resource("aws_iam_role_policy", "plan")
                .add_attribute(("name", s("plan")))
                .add_attribute(("role", r("aws_iam_role.plan.id")))
                .add_attribute(("policy", r("data.aws_iam_policy_document.plan.json")))
                .build(),
        );
    }
    f
}

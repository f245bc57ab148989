//! Renders a validated Kimai model as the AWS platform in Terraform: `OUT/terraform/*.tf`.
//!
//! `render(&Validated, &Options)` returns one `.tf` file per concern (`versions.tf`,
//! `network.tf`, `alb.tf`, `rds.tf`, `efs.tf`, `secrets.tf`, `iam.tf`, `logs.tf`,
//! `backup.tf`, `ecs.tf`, `eks.tf`, `outputs.tf`, `variables.tf`), `terraform.tfvars.example`,
//! a `README.md`, and with `aws.eks` the generated chart `charts/platform`. HCL is built with `hcl-rs`'s typed blocks and expressions and formatted by its
//! formatter (plus `terraform fmt`'s `=` alignment); nothing is `format!`-built HCL.
//!
//! Every name the platform keeps comes from [`kimai_model::Names`] and is written as a literal,
//! so the roles, secrets, log group, cluster and target group that `ecs/` and `k8s/` reference
//! are visibly the ones created here. No secret value passes through: secrets are created
//! empty and filled with `aws secretsmanager put-secret-value` (README), and RDS manages its
//! master password itself (`manage_master_user_password`).
//!
//! ```
//! let model = kimai_model::load(
//!     b"name: kimai\ningress: { host: kimai.example.com }\naws: { region: eu-central-1, account_id: \"123456789012\" }\n",
//!     kimai_model::Format::Yaml,
//! ).unwrap();
//! let out = terraform_render::render(&model, &terraform_render::Options::default()).unwrap();
//! assert!(out.file("versions.tf").unwrap().contents.contains("~> 6.0"));
//! ```
//!
//! # Decisions
//! - **Who owns the ECS service.** When Terraform creates the network it also owns the task
//!   definition and the service (`ecs.tf`): the container definitions are read from
//!   `../ecs/task-definition.json` (`jsondecode(file(...))`), ecs-render's output, so there is
//!   one source and no second hand-written copy; volumes point at Terraform's EFS access points.
//!   With an existing network the ECS CLI JSON flow stays in charge and Terraform creates
//!   everything it references.
//! - **Autoscaling** stays with the `ecs/` scaling files (their resource id is the service
//!   Terraform creates); the service ignores `desired_count` changes under scaling.
//! - **The database user.** RDS's master user is `admin`, its password managed by RDS in
//!   Secrets Manager (rotated by RDS). Kimai connects as `database.user` with its own password
//!   (`db-password`), created once with the SQL in the README, so rotation never breaks
//!   `DATABASE_URL`.
//! - **Shared names.** The ECS cluster (`targets.ecs.cluster`) and the backup bucket may be
//!   shared by environments; each environment's state creates them, so with several
//!   environments in one account import them into one state and remove them from the others
//!   (README). Every other name is per environment.
//! - **Backup role trust.** The Kubernetes backup job's role is assumed through IRSA
//!   (`sts:AssumeRoleWithWebIdentity` from the cluster's OIDC provider, limited to the job's
//!   ServiceAccount); `aws:SourceAccount`/`aws:SourceArn` apply to service principals only
//!   (ECS tasks, AWS Backup), where they are set.
//!
//! - **EKS** (`eks.tf`, see its module docs): IRSA rather than Pod Identity (Fargate), the
//!   ClusterSecretStore as a generated chart rather than `kubernetes_manifest` (no CRD at plan
//!   time on the first apply), a static volume (Fargate has no EFS dynamic provisioning), the
//!   Cluster Autoscaler rather than Karpenter. Cluster-wide parts come from the state that
//!   creates the cluster (`aws.eks.create`).
//!
//! # checkov findings kept on purpose
//! `../shared/conformance/check --checkov` on the default spec; each finding left is a choice:
//! - `CKV_AWS_149`, `CKV_AWS_158`, `CKV_AWS_184`, `CKV_AWS_166` (customer-managed KMS keys for
//!   secrets, logs, EFS and the backup vault): AWS-managed keys encrypt all of them; a customer
//!   key adds a key policy the spec does not describe.
//! - `CKV2_AWS_57` (secret rotation): the values are the operator's (Kimai's `APP_SECRET`, API
//!   keys); RDS rotates its own master password.
//! - `CKV_AWS_91`, `CKV2_AWS_11`, `CKV_AWS_18`, `CKV_AWS_144`, `CKV2_AWS_62` (ALB access logs,
//!   VPC flow logs, bucket access logs, cross-region replication, bucket event notifications):
//!   each needs a log bucket, a second region or a consumer the spec does not name.
//! - `CKV_AWS_338` (log retention of a year): the retention is
//!   `monitoring.cloudwatch.retention_days`.
//! - `CKV_AWS_353`, `CKV_AWS_118` (Performance Insights, enhanced monitoring): depend on the
//!   instance class (`db_instance_class`) and cost; turn on per deployment.
//! - `CKV2_AWS_69` (TLS to RDS required): Kimai's `DATABASE_URL` has no TLS options, so
//!   `require_secure_transport` would refuse its connections; traffic stays in the VPC,
//!   reachable only from the app's security group.
//! - `CKV_AWS_157` on the replica: a reporting replica; the primary is Multi-AZ in production.
//! - `CKV_AWS_378` (HTTP target group): TLS ends at the ALB; tasks listen on 8001 in private
//!   subnets, reachable only from the ALB's security group.
//! - `CKV_AWS_260` (port 80 open): the HTTP listener only redirects to HTTPS.
//! - `CKV2_AWS_76` (WAF rule for Log4j): the web ACL is the operator's (`ingress.waf_acl_arn`).
//! - `CKV2_AWS_18` (EFS in a backup plan) and `CKV_AWS_300` (abort incomplete uploads): false
//!   positives: the plan selects the file system through a local, and the lifecycle rule aborts
//!   uploads after 7 days.
//! - `CKV_AWS_394` (AZ data source): the VPC uses the first zones by name, fixed by `slice`.
//! - EKS: `CKV_AWS_39`, `CKV_AWS_38` (public API endpoint, open to any address): the default
//!   (`aws.eks.endpoint_public_access`, `public_access_cidrs`) lets hosted CI runners, whose
//!   addresses change, apply the folder; every request still needs an IAM identity with an
//!   access entry. Narrow or close it in the spec. `CKV_AWS_339` (supported version): checkov's
//!   list lags EKS; the versions accepted are those with pinned add-ons, in standard support.
//!   `CKV_AWS_158`, `CKV_AWS_338` on the control-plane log group: as for the ECS log group.
//!   `CKV2_AWS_64` (KMS key policy): the key keeps KMS's default policy (this account's IAM
//!   decides); writing that out as a document trades this finding for three on `kms:*`.
//!   `CKV_AWS_356` on the Cluster Autoscaler's policy: its `Describe*` actions have no
//!   resource-level permissions and its two writes are limited to this cluster's tagged groups.
//!   The AWS Load Balancer Controller's policy is its project's published document
//!   (`policies/aws-load-balancer-controller.json`, read with `file()`; writes limited by the
//!   `elbv2.k8s.aws/cluster` tag), which checkov does not read.

mod alb;
mod backup;
mod ci;
mod ctx;
mod ecs;
mod efs;
mod eks;
mod fmt;
mod iam;
mod logs;
mod network;
mod outputs;
mod pins;
mod platform;
mod rds;
mod readme;
mod secrets;
mod tf;
mod variables;
mod versions;

use kimai_model::{Diagnostics, OutputFile, Rendered, Target, Validated};

pub use ctx::{Ctx, SecretItem};

/// Renderer options (none yet; kept for API symmetry with the other renderers).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model cannot be expressed as Terraform (no `aws` section, ...).
    #[error("{0}")]
    Invalid(Diagnostics),
    /// Formatting HCL failed.
    #[error("formatting HCL: {0}")]
    Hcl(#[from] hcl::Error),
    /// The README template failed.
    #[error("README template: {0}")]
    Template(#[from] minijinja::Error),
}

/// Renders the Terraform folder for `model`.
pub fn render(model: &Validated, _options: &Options) -> Result<Rendered, Error> {
    model
        .check_target(Target::Terraform)
        .map_err(Error::Invalid)?;
    let Some(ctx) = Ctx::new(model) else {
        // check_target above reports a missing `aws` section.
        return Err(Error::Invalid(Diagnostics::default()));
    };
    let mut files = Vec::new();
    let parts: Vec<(&str, &str, tf::File)> = vec![
        (
            "versions.tf",
            "Terraform and provider versions, and the AWS provider.",
            versions::file(&ctx),
        ),
        (
            "variables.tf",
            "The few inputs the spec does not hold (terraform.tfvars.example).",
            variables::file(&ctx),
        ),
        (
            "network.tf",
            "The VPC, its subnets and routes, and the security groups.",
            network::file(&ctx),
        ),
        (
            "alb.tf",
            "The Application Load Balancer in front of the ECS service.",
            alb::file(&ctx),
        ),
        (
            "rds.tf",
            "The RDS database and its private DNS name.",
            rds::file(&ctx),
        ),
        (
            "efs.tf",
            "The EFS file system for var/data, var/plugins and var/invoices.",
            efs::file(&ctx),
        ),
        (
            "secrets.tf",
            "Secrets Manager secrets, created without a value (README: put-secret-value).",
            secrets::file(&ctx),
        ),
        (
            "iam.tf",
            "IAM roles of this environment, each limited to its own resources.",
            iam::file(&ctx),
        ),
        ("logs.tf", "CloudWatch Logs.", logs::file(&ctx)),
        (
            "ci.tf",
            "The roles CI pipelines assume through OIDC (delivery): no stored AWS keys.",
            ci::file(&ctx),
        ),
        (
            "backup.tf",
            "The dump bucket and the AWS Backup plan.",
            backup::file(&ctx),
        ),
        (
            "ecs.tf",
            "The ECS cluster, and the task definition and service when Terraform owns the network.",
            ecs::file(&ctx),
        ),
        (
            "eks.tf",
            "The EKS cluster under k8s/, its add-ons and controllers, and this environment's\nroles, secret store and volume there.",
            eks::file(&ctx),
        ),
        (
            "outputs.tf",
            "Identifiers created here that other tools read.",
            outputs::file(&ctx),
        ),
    ];
    for (path, header, file) in parts {
        if file.is_empty() {
            continue;
        }
        let header = format!(
            "Generated by kimai-deploy from the spec; change the spec and render again.\n{header}"
        );
        files.push(OutputFile::new(path, file.render(&header)?));
    }
    files.push(OutputFile::new(
        "terraform.tfvars.example",
        variables::tfvars_example(&ctx)?,
    ));
    files.extend(platform::files(&ctx));
    if ctx
        .aws
        .eks
        .as_ref()
        .is_some_and(|e| e.installs_controllers())
    {
        files.push(OutputFile::new(
            pins::LBC_POLICY_FILE,
            pins::lb_controller_policy_json(ctx.partition),
        ));
    }
    files.push(OutputFile::new("README.md", readme::render(&ctx)?));
    // Nothing of the spec is left out: what the operator does by hand (secret values, the
    // database user, copying created ids) is in the README, so there are no notices.
    Ok(Rendered {
        files,
        notices: Vec::new(),
    }
    .sorted())
}

//! `variables.tf` and `terraform.tfvars.example`: the few inputs the spec does not hold, each
//! typed and described, with a default where one is sensible.

use hcl::Expression;

use crate::ctx::Ctx;
use crate::tf::{call, s, File};

/// One input variable.
struct Var {
    name: &'static str,
    ty: &'static str,
    description: String,
    default: Option<Expression>,
    /// Value shown in `terraform.tfvars.example` for a variable without default.
    example: Option<&'static str>,
}

fn vars(ctx: &Ctx<'_>) -> Vec<Var> {
    let mut v = Vec::new();
    if ctx.aws.create_database {
        v.push(Var {
            name: "db_instance_class",
            ty: "string",
            description: "RDS instance class of the database (and its read replica).".into(),
            default: Some(s(if ctx.production() {
                "db.t4g.large"
            } else {
                "db.t4g.micro"
            })),
            example: None,
        });
        v.push(Var {
            name: "db_allocated_storage",
            ty: "number",
            description:
                "Initial RDS storage in GiB; storage autoscaling grows it up to ten times this."
                    .into(),
            default: Some(Expression::from(20u64)),
            example: None,
        });
    }
    if ctx.ecs.is_some() {
        v.push(Var {
            name: "alarm_actions",
            ty: "list(string)",
            description: "ARNs notified when a deployment alarm fires (SNS topics); empty notifies nobody, the alarms still roll a failing deployment back.".into(),
            default: Some(Expression::Array(Vec::new())),
            example: None,
        });
    }
    if crate::ci::enabled(ctx) {
        v.push(Var {
            name: "create_ci_oidc_providers",
            ty: "bool",
            description: "Create the account's OIDC identity providers of the CI systems (GitHub Actions, GitLab); false in every further environment's state, or when they exist already.".into(),
            default: Some(Expression::Bool(true)),
            example: None,
        });
    }
    if ctx.irsa_role().is_some() && ctx.names.eks.is_none() {
        v.push(Var {
            name: "eks_oidc_issuer",
            ty: "string",
            description: "OIDC issuer of the EKS cluster running the backup job, without https:// (aws eks describe-cluster --query cluster.identity.oidc.issuer); the backup role trusts its service account through this provider.".into(),
            default: None,
            example: Some("oidc.eks.REGION.amazonaws.com/id/CLUSTER_OIDC_ID"),
        });
    }
    v
}

fn type_expr(ty: &str) -> Expression {
    match ty.strip_prefix("list(").and_then(|t| t.strip_suffix(')')) {
        Some(inner) => call("list", vec![crate::tf::r(inner)]),
        None => crate::tf::r(ty),
    }
}

/// The file.
pub fn file(ctx: &Ctx<'_>) -> File {
    let mut f = File::default();
    for v in vars(ctx) {
        let mut b = hcl::Block::builder("variable")
            .add_label(v.name)
            .add_attribute(("type", type_expr(v.ty)))
            .add_attribute(("description", s(v.description)));
        if let Some(d) = v.default {
            b = b.add_attribute(("default", d));
        }
        f.add(b.build());
    }
    f
}

/// `terraform.tfvars.example`: every variable, the required ones with an example value to
/// replace, the others commented out at their default. No secret is an input.
pub fn tfvars_example(ctx: &Ctx<'_>) -> Result<String, hcl::Error> {
    let mut out = String::from(
        "# Copy to terraform.tfvars and fill in. No secret belongs here: secret values go to\n# Secrets Manager after the apply (README.md).\n",
    );
    for v in vars(ctx) {
        out.push('\n');
        out.push_str(&format!("# {}\n", v.description));
        let value = match (&v.default, v.example) {
            (_, Some(e)) => format!("{} = {}", v.name, hcl::format::to_string(&s(e))?),
            (Some(d), None) => format!("# {} = {}", v.name, hcl::format::to_string(d)?),
            (None, None) => continue,
        };
        out.push_str(&value);
        out.push('\n');
    }
    Ok(out)
}

//! `versions.tf`: the Terraform and provider versions, and the AWS provider itself.

use crate::ctx::Ctx;
use crate::tf::{block, object, s, strings, File};

/// Oldest Terraform that reads this folder: 1.10 brought the S3 backend's native locking
/// (`use_lockfile`), which the README's backend block uses.
pub const TERRAFORM_VERSION: &str = ">= 1.10";
/// The AWS provider major version whose schema the output is written and checked against.
pub const AWS_PROVIDER_VERSION: &str = "~> 6.0";

/// The file.
pub fn file(ctx: &Ctx<'_>) -> File {
    let mut f = File::default();
    f.add(
        block("terraform")
            .add_attribute(("required_version", TERRAFORM_VERSION))
            .add_block(
                block("required_providers")
                    .add_attribute((
                        "aws",
                        object(vec![
                            ("source", s("hashicorp/aws")),
                            ("version", s(AWS_PROVIDER_VERSION)),
                        ]),
                    ))
                    .build(),
            )
            .build(),
    );
    f.note(
        "The spec's region and account; allowed_account_ids stops an apply with credentials of\nanother account. default_tags label every resource with the spec's name and environment.",
        hcl::Block::builder("provider")
            .add_label("aws")
            .add_attribute(("region", s(&ctx.aws.region)))
            .add_attribute(("allowed_account_ids", strings([ctx.aws.account_id.as_str()])))
            .add_block(
                block("default_tags")
                    .add_attribute((
                        "tags",
                        object(vec![
                            ("application", s(&ctx.spec.name)),
                            ("environment", s(&ctx.spec.environment)),
                            ("managed-by", s("kimai-deploy")),
                        ]),
                    ))
                    .build(),
            )
            .build(),
    );
    f
}

//! `versions.tf`: the Terraform and provider versions, and the AWS provider itself.

use crate::ctx::Ctx;
use crate::tf::{block, call, list, object, r, s, strings, File};

/// Oldest Terraform that reads this folder: 1.10 brought the S3 backend's native locking
/// (`use_lockfile`), which the README's backend block uses.
pub const TERRAFORM_VERSION: &str = ">= 1.10";
/// The AWS provider major version whose schema the output is written and checked against.
pub const AWS_PROVIDER_VERSION: &str = "~> 6.0";
/// The Kubernetes provider (EKS platform: StorageClass, PersistentVolume, ServiceAccount).
pub const KUBERNETES_PROVIDER_VERSION: &str = "~> 2.38";
/// The Helm provider (EKS platform: controllers); 3.x writes `set` and `kubernetes` as
/// attributes, not blocks.
pub const HELM_PROVIDER_VERSION: &str = "~> 3.0";

/// The file.
pub fn file(ctx: &Ctx<'_>) -> File {
    let mut f = File::default();
    let mut providers = vec![("aws", AWS_PROVIDER_VERSION)];
    if ctx.names.eks.is_some() {
        providers.push(("helm", HELM_PROVIDER_VERSION));
        providers.push(("kubernetes", KUBERNETES_PROVIDER_VERSION));
    }
    f.add(
        block("terraform")
            .add_attribute(("required_version", TERRAFORM_VERSION))
            .add_block(
                providers
                    .iter()
                    .fold(block("required_providers"), |b, (name, version)| {
                        b.add_attribute((
                            *name,
                            object(vec![
                                ("source", s(format!("hashicorp/{name}"))),
                                ("version", s(*version)),
                            ]),
                        ))
                    })
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
    if ctx.names.eks.is_some() {
        kubernetes_providers(ctx, &mut f);
    }
    f
}

/// The Kubernetes and Helm providers talk to the cluster of `eks.tf` with a token from
/// `aws eks get-token` (the applier's own AWS identity, which needs an access entry).
fn kubernetes_providers(ctx: &Ctx<'_>, f: &mut File) {
    let args = || {
        list(vec![
            s("eks"),
            s("get-token"),
            s("--cluster-name"),
            r("local.eks_cluster_name"),
            s("--region"),
            s(&ctx.aws.region),
        ])
    };
    let exec = || {
        vec![
            ("api_version", s("client.authentication.k8s.io/v1beta1")),
            ("command", s("aws")),
            ("args", args()),
        ]
    };
    let ca = || call("base64decode", vec![r("local.eks_ca_certificate")]);
    let exec_block = exec()
        .into_iter()
        .fold(block("exec"), |b, kv| b.add_attribute(kv))
        .build();
    f.note(
        "The cluster of eks.tf, with a short-lived token of whoever applies.",
        hcl::Block::builder("provider")
            .add_label("kubernetes")
            .add_attribute(("host", r("local.eks_endpoint")))
            .add_attribute(("cluster_ca_certificate", ca()))
            .add_block(exec_block)
            .build(),
    );
    f.add(
        hcl::Block::builder("provider")
            .add_label("helm")
            .add_attribute((
                "kubernetes",
                object(vec![
                    ("host", r("local.eks_endpoint")),
                    ("cluster_ca_certificate", ca()),
                    ("exec", object(exec())),
                ]),
            ))
            .build(),
    );
}

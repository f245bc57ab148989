//! Every third-party action, image and tool version the pipelines use, pinned in one place.
//!
//! GitHub actions are pinned to the full commit SHA their release tag points to (a tag can be
//! moved, a commit cannot); the version is written next to each `uses:` as `# vX.Y.Z`, the
//! form Dependabot and Renovate update. Each pair was read from the action repository's tags
//! (`git show-ref --tags`, tag peeled to its commit).

/// A GitHub action pinned to a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    /// `owner/repo`.
    pub repo: &'static str,
    /// The full 40-hex commit SHA of `version`.
    pub sha: &'static str,
    /// The release tag that commit carries.
    pub version: &'static str,
}

impl Action {
    /// The `uses:` value: `owner/repo@sha`.
    pub fn uses(&self) -> String {
        format!("{}@{}", self.repo, self.sha)
    }
}

/// actions/checkout v7.0.1.
pub const CHECKOUT: Action = Action {
    repo: "actions/checkout",
    sha: "3d3c42e5aac5ba805825da76410c181273ba90b1",
    version: "v7.0.1",
};

/// aws-actions/configure-aws-credentials v6.2.3 (OIDC role assumption).
pub const CONFIGURE_AWS_CREDENTIALS: Action = Action {
    repo: "aws-actions/configure-aws-credentials",
    sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
    version: "v6.2.3",
};

/// hashicorp/setup-terraform v4.0.1.
pub const SETUP_TERRAFORM: Action = Action {
    repo: "hashicorp/setup-terraform",
    sha: "dfe3c3f87815947d99a8997f908cb6525fc44e9e",
    version: "v4.0.1",
};

/// azure/setup-kubectl v5.1.0.
pub const SETUP_KUBECTL: Action = Action {
    repo: "azure/setup-kubectl",
    sha: "829323503d1be3d00ca8346e5391ca0b07a9ab0d",
    version: "v5.1.0",
};

/// Every action the workflows may use.
pub const ACTIONS: [Action; 4] = [
    CHECKOUT,
    CONFIGURE_AWS_CREDENTIALS,
    SETUP_TERRAFORM,
    SETUP_KUBECTL,
];

/// The GitHub-hosted runner image. `ubuntu-latest` rather than a release label: a release label
/// stops working when GitHub retires it, and every tool the jobs need comes from a pinned
/// action or a pinned package, not from the image (which only provides `pipx` and a shell).
pub const RUNNER: &str = "ubuntu-latest";
/// kubectl the pipelines install.
pub const KUBECTL_VERSION: &str = "v1.32.4";
/// Terraform the pipelines install.
pub const TERRAFORM_VERSION: &str = "1.11.4";
/// The `ansible` package (Ansible 12, ansible-core 2.19, with community.docker).
pub const ANSIBLE_PACKAGE: &str = "ansible==12.3.0";
/// ansible-lint, with the profile the project's own CI uses.
pub const ANSIBLE_LINT_PACKAGE: &str = "ansible-lint==26.10.1";

/// GitLab job images, pinned by version tag (pin them by digest after review: `image@sha256:...`);
/// each tag was checked to be in public use.
pub mod images {
    /// Rust toolchain for `generate --check`: the newest 1.x, since the locked dependencies may
    /// need more than the workspace's minimum Rust version.
    pub const RUST: &str = "rust:1-bookworm";
    /// Terraform CLI.
    pub const TERRAFORM: &str = "hashicorp/terraform:1.11.4";
    /// AWS CLI v2.
    pub const AWS_CLI: &str = "amazon/aws-cli:2.22.0";
    /// kubectl with the AWS CLI (EKS credentials).
    pub const KUBECTL: &str = "alpine/k8s:1.32.9";
    /// Python for Ansible.
    pub const PYTHON: &str = "python:3.12-slim-bookworm";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_pinned_to_a_full_commit_sha_with_its_version() {
        for a in ACTIONS {
            assert_eq!(a.sha.len(), 40, "{a:?}");
            assert!(
                a.sha
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
                "{a:?}"
            );
            let v = a.version.strip_prefix('v').unwrap_or("");
            assert_eq!(v.split('.').count(), 3, "{a:?}: version not vX.Y.Z");
            assert!(v.split('.').all(|n| n.parse::<u32>().is_ok()), "{a:?}");
        }
    }
}

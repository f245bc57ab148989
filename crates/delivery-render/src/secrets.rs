//! The names of the CI secrets and variables the pipelines read. Values never pass through
//! kimai-deploy: the operator stores them in the CI system (commands in `ci/README.md`).

/// GitHub environment secret: the Ansible Vault password of the environment.
pub const ANSIBLE_VAULT_PASSWORD: &str = "ANSIBLE_VAULT_PASSWORD";
/// GitHub environment secret: the private SSH key Ansible logs in with.
pub const ANSIBLE_SSH_PRIVATE_KEY: &str = "ANSIBLE_SSH_PRIVATE_KEY";
/// GitHub environment secret / GitLab file variable: the hosts' SSH public keys
/// (`known_hosts` lines), so the first connection is verified, not trusted blindly. Not secret
/// in itself; a secret so that only the environment's deploy jobs read it.
pub const ANSIBLE_KNOWN_HOSTS: &str = "ANSIBLE_KNOWN_HOSTS";
/// GitHub environment secret: a kubeconfig, base64-encoded (clusters other than EKS).
pub const KUBECONFIG_DATA: &str = "KUBECONFIG_DATA";

/// GitLab file variable: the Ansible Vault password (`ANSIBLE_VAULT_PASSWORD_FILE` is also the
/// variable ansible-playbook reads by itself).
pub const GITLAB_VAULT_PASSWORD_FILE: &str = "ANSIBLE_VAULT_PASSWORD_FILE";
/// GitLab file variable: the private SSH key (`ANSIBLE_PRIVATE_KEY_FILE` is read by Ansible).
pub const GITLAB_PRIVATE_KEY_FILE: &str = "ANSIBLE_PRIVATE_KEY_FILE";
/// GitLab file variable: a kubeconfig (`KUBECONFIG` is read by kubectl).
pub const GITLAB_KUBECONFIG: &str = "KUBECONFIG";
/// GitLab CI/CD job variable holding the OIDC ID token for AWS (`id_tokens`).
pub const GITLAB_AWS_ID_TOKEN: &str = "AWS_ID_TOKEN";

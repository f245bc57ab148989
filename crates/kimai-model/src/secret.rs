//! Secrets by reference: a spec names a secret, it never holds its value.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A reference to a secret the operator keeps outside the spec: `{ secret: NAME }`.
///
/// The name is logical (`db-password`); each renderer lowers it natively: a Compose variable
/// (`DB_PASSWORD`), a Kubernetes Secret key, an ECS `valueFrom` ARN, an Ansible Vault variable
/// (`vault_db_password`).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    /// Logical secret name: lowercase letters, digits and `-`, starting with a letter.
    pub secret: String,
}

impl SecretRef {
    /// A reference to the secret called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        SecretRef {
            secret: name.into(),
        }
    }

    /// The logical name (`db-password`).
    pub fn name(&self) -> &str {
        &self.secret
    }

    /// The name as an environment variable (`DB_PASSWORD`).
    pub fn env_name(&self) -> String {
        self.secret.replace('-', "_").to_ascii_uppercase()
    }

    /// The name in an AWS secret store (Secrets Manager, SSM Parameter Store) under `prefix`:
    /// `<prefix>/<name with _ for ->` (`kimai/production/app_secret`). Underscores because
    /// Secrets Manager reads a partial ARN ending in `-` and six characters (`app-secret`) as a
    /// complete ARN with a random suffix, and would not find the secret.
    pub fn aws_name(&self, prefix: &str) -> String {
        format!(
            "{}/{}",
            prefix.trim_end_matches('/'),
            self.secret.replace('-', "_")
        )
    }

    /// The name as an Ansible Vault variable (`vault_db_password`).
    pub fn vault_var(&self) -> String {
        format!("vault_{}", self.secret.replace('-', "_"))
    }
}

/// Checks a logical secret name; `None` when valid, otherwise what is wrong. The name itself is
/// not repeated: someone who wrote the secret's value where its name belongs must not see it
/// printed back.
pub fn secret_name_problem(name: &str) -> Option<String> {
    let ok_chars = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if name.is_empty() {
        Some("secret name is empty".into())
    } else if name.len() > 63 {
        Some("the secret name is longer than 63 characters".into())
    } else if !ok_chars
        || !name.starts_with(|c: char| c.is_ascii_lowercase())
        || name.ends_with('-')
    {
        Some(
            "the secret name must be lowercase letters, digits and `-`, start with a letter and not end with `-`"
                .into(),
        )
    } else if name.ends_with("-urlencoded") {
        Some(
            "secret names ending in `-urlencoded` are kept for the URL-encoded form kimai-deploy derives"
                .into(),
        )
    } else {
        None
    }
}

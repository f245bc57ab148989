//! `app.env` values: plain text, a secret reference, or plain text explicitly marked not secret.
//!
//! ```yaml
//! app:
//!   env:
//!     memory_limit: 768M                           # plain, byte-exact
//!     SMTP_PASSWORD: { secret: smtp-password }     # lowered like every built-in secret
//!     PASSWORD_RESET_TOKEN_TTL: { plain: "3600" }  # looks secret, is not: the opt-out
//! ```
//!
//! A plain value under a name that looks secret ([`looks_secret`]) is an error; `{ plain: ... }`
//! is the per-variable opt-out for names that only look secret.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::secret::SecretRef;

/// One value of `app.env`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum EnvVar {
    /// Plain text, byte-exact on every target. Not allowed under a name that looks secret.
    Plain(String),
    /// The value of a secret, by reference (`{ secret: smtp-password }`).
    Secret(SecretRef),
    /// Plain text under a name that only looks secret (`{ plain: "3600" }`).
    NotSecret(NotSecret),
}

/// `{ plain: VALUE }`: a plain value whose name looks secret but is not.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotSecret {
    /// The value, byte-exact.
    pub plain: String,
}

impl EnvVar {
    /// The plain value, when the variable is not a secret.
    pub fn plain(&self) -> Option<&str> {
        match self {
            EnvVar::Plain(s) | EnvVar::NotSecret(NotSecret { plain: s }) => Some(s),
            EnvVar::Secret(_) => None,
        }
    }

    /// The secret reference, when the variable is one.
    pub fn secret(&self) -> Option<&SecretRef> {
        match self {
            EnvVar::Secret(r) => Some(r),
            _ => None,
        }
    }
}

impl From<String> for EnvVar {
    fn from(s: String) -> Self {
        EnvVar::Plain(s)
    }
}

impl From<&str> for EnvVar {
    fn from(s: &str) -> Self {
        EnvVar::Plain(s.to_string())
    }
}

impl From<SecretRef> for EnvVar {
    fn from(r: SecretRef) -> Self {
        EnvVar::Secret(r)
    }
}

/// Words that mark an environment variable name as secret-looking (matched on `_`-separated
/// parts of the upper-cased name, and as substrings for the longer ones).
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "CREDENTIAL",
    "CREDENTIALS",
    "PRIVATE_KEY",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "AUTH_KEY",
    "CLIENT_KEY",
    "SIGNING_KEY",
    "ENCRYPTION_KEY",
    "DSN",
];

/// True when an environment variable name looks like it carries a secret (`SMTP_PASSWORD`,
/// `GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY`, `SENTRY_DSN`, `DB_PASS`, `PWD`).
pub fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let parts: Vec<&str> = upper.split(['_', '-', '.']).collect();
    SECRET_WORDS.iter().any(|w| {
        if w.contains('_') || w.len() >= 6 {
            upper.contains(w)
        } else {
            parts.contains(w)
        }
    }) || parts.iter().any(|p| ["PASS", "PWD", "PW"].contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_looking_names() {
        for n in [
            "SMTP_PASSWORD",
            "LDAP_BIND_PASSWD",
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "STRIPE_API_KEY",
            "SENTRY_DSN",
            "DB_PASS",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "JWT_PRIVATE_KEY",
            "smtp_password",
            "MAILER_APIKEY",
        ] {
            assert!(looks_secret(n), "{n}");
        }
        for n in [
            "memory_limit",
            "PHP_MEMORY",
            "PASSENGER_X",
            "TOKENIZER",
            "LDAP_HOST",
        ] {
            assert!(!looks_secret(n), "{n}");
        }
    }
}

//! Kimai's environment lowered to Kubernetes `env`: plain values escaped against `$(VAR)`
//! expansion, secrets as `secretKeyRef`, `DATABASE_URL` by dependent expansion.

use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, ObjectFieldSelector, SecretKeySelector};
use kimai_model::{EnvValue, Validated};

use crate::labels::Identity;
use crate::monitoring;
use crate::secrets::URLENCODED_SUFFIX;

/// The variable carrying the URL-encoded database password, declared before `DATABASE_URL`.
pub const DB_PASSWORD_VAR: &str = "DB_PASSWORD_URLENCODED";

/// Escapes `value` so the kubelet's `$(VAR)` expansion gives back exactly `value`.
///
/// The kubelet turns `$$` into `$` and `$(NAME)` into a variable's value, so every `$` is
/// doubled: `$$(` stays `$(`, `$$$$` stays `$$`, a lone `$` stays `$`.
///
/// ```
/// assert_eq!(k8s_render::escape_env("pa$$word $(HOME)"), "pa$$$$word $$(HOME)");
/// ```
pub fn escape_env(value: &str) -> String {
    value.replace('$', "$$")
}

/// A plain variable with its value escaped.
pub fn plain(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(escape_env(value)),
        ..Default::default()
    }
}

/// A variable read from `key` of the deployment's Secret.
pub fn from_secret(id: &Identity<'_>, name: &str, key: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: id.secret(),
                key: key.into(),
                optional: Some(false),
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A variable read from the pod's own fields (downward API), such as `status.hostIP`.
pub fn from_field(name: &str, field_path: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                field_path: field_path.into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// `DATABASE_URL` with `$(DB_PASSWORD_URLENCODED)` in the password position; every other
/// part escaped, so only that one reference expands.
pub fn database_url(model: &Validated, id: &Identity<'_>) -> EnvVar {
    let (before, after) = model.database_url(&id.database()).around_password();
    let value = format!(
        "{}$({DB_PASSWORD_VAR}){}",
        escape_env(&before),
        escape_env(&after)
    );
    EnvVar {
        name: "DATABASE_URL".into(),
        value: Some(value),
        ..Default::default()
    }
}

/// Kimai's container environment, in the order Kubernetes needs (dependencies first).
pub fn kimai_env(
    model: &Validated,
    id: &Identity<'_>,
    extra_trusted_hosts: &[&str],
) -> Vec<EnvVar> {
    let mut env = Vec::new();
    for (name, value) in model.kimai_env(extra_trusted_hosts) {
        match value {
            EnvValue::Plain(v) => env.push(plain(&name, &v)),
            EnvValue::Secret(s) => env.push(from_secret(id, &name, s.name())),
            EnvValue::DatabaseUrl => {
                let key = format!(
                    "{}{URLENCODED_SUFFIX}",
                    model.spec().database.password.name()
                );
                env.push(from_secret(id, DB_PASSWORD_VAR, &key));
                env.push(database_url(model, id));
            }
        }
    }
    if model.spec().monitoring.datadog.enabled {
        env.extend(monitoring::datadog_env());
    }
    env
}

//! Secrets on ECS: which variables come from which secret, and the `valueFrom` ARN of each.
//!
//! ECS injects a secret's whole value into one variable and cannot assemble strings, so
//! `DATABASE_URL` comes from `database.url_secret`, which holds the complete URL with the
//! password already URL-encoded. `database.password` itself is never read on ECS.

use kimai_model::{secret_refs, EnvValue, SecretRef, SecretsBackend, Validated};

use crate::identity::{Identity, DATADOG_CONTAINER, KIMAI_CONTAINER};

/// One variable of one container whose value ECS reads from a secret.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SecretUse {
    /// Container that receives it.
    pub container: &'static str,
    /// Environment variable name (`APP_SECRET`).
    pub var: String,
    /// The logical secret.
    pub secret: SecretRef,
    /// The spec field that names the secret (`app.app_secret`).
    pub path: String,
}

/// Every secret the ECS task reads, sorted by container and variable.
pub fn uses(model: &Validated, extra_trusted_hosts: &[&str]) -> Vec<SecretUse> {
    let spec = model.spec();
    let refs = secret_refs(spec);
    let path_of = |r: &SecretRef| {
        refs.iter()
            .find(|(_, x)| *x == r)
            .map(|(p, _)| (*p).to_string())
            .unwrap_or_default()
    };
    let mut v = Vec::new();
    for (var, value) in model.kimai_env(extra_trusted_hosts) {
        let secret = match value {
            EnvValue::Plain(_) => continue,
            EnvValue::Secret(r) => r,
            EnvValue::DatabaseUrl => spec.database.url_secret.clone(),
        };
        v.push(SecretUse {
            container: KIMAI_CONTAINER,
            var,
            path: path_of(&secret),
            secret,
        });
    }
    let dd = &spec.monitoring.datadog;
    if dd.enabled {
        v.push(SecretUse {
            container: DATADOG_CONTAINER,
            var: "DD_API_KEY".into(),
            secret: dd.api_key.clone(),
            path: "monitoring.datadog.api_key".into(),
        });
    }
    v.sort();
    v
}

/// The secret's name in Secrets Manager, or the SSM parameter's full name (with its leading
/// `/`): [`kimai_model::Names::aws_secret`], so no derived partial ARN can look like a complete
/// one, and the note's `put-parameter --name` is the parameter the ARN names.
pub fn stored_name(id: &Identity, secret: &SecretRef) -> String {
    id.names.aws_secret(secret, id.secrets_backend)
}

/// The `valueFrom` of a secret: the explicit `targets.ecs.secret_arns` entry, else the ARN
/// derived from region, account, backend and prefix. Derived Secrets Manager ARNs are partial
/// (no random suffix), which Secrets Manager resolves by name.
pub fn value_from(model: &Validated, id: &Identity, secret: &SecretRef) -> String {
    if let Some(arn) = explicit_arn(model, secret) {
        return arn.clone();
    }
    let (p, r, a) = (&id.partition, &id.region, &id.account_id);
    let name = stored_name(id, secret);
    match id.secrets_backend {
        SecretsBackend::SecretsManager => format!("arn:{p}:secretsmanager:{r}:{a}:secret:{name}"),
        // A hierarchical parameter `/a/b` has the ARN `...:parameter/a/b`.
        SecretsBackend::Ssm => format!("arn:{p}:ssm:{r}:{a}:parameter{name}"),
    }
}

/// Resource patterns the execution role must be allowed to read (for the deploy note).
pub fn read_resources(model: &Validated, id: &Identity, uses: &[SecretUse]) -> Vec<String> {
    let mut v: Vec<String> = uses
        .iter()
        .map(|u| {
            let arn = value_from(model, id, &u.secret);
            let explicit = explicit_arn(model, &u.secret).is_some();
            match id.secrets_backend {
                // IAM matches the complete ARN, so a derived partial one needs the suffix.
                SecretsBackend::SecretsManager if !explicit => format!("{arn}-??????"),
                _ => arn,
            }
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

/// The `targets.ecs.secret_arns` entry for a secret, if any.
fn explicit_arn<'a>(model: &'a Validated, secret: &SecretRef) -> Option<&'a String> {
    model
        .spec()
        .targets
        .ecs
        .as_ref()
        .and_then(|e| e.secret_arns.get(secret.name()))
}

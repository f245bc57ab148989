//! The `.env` file: which variables compose.yaml reads, and how a value is written there.
//!
//! Secret values reach compose.yaml only as `${VAR}` references to a git-ignored `.env`.
//! `DATABASE_URL` needs the password URL-encoded inside it, and Compose cannot encode, so the
//! `.env` carries `DB_PASSWORD_URLENCODED` beside the raw `DB_PASSWORD` the database reads.

use std::collections::BTreeMap;

use kimai_model::{url_encode, DatabaseMode, SecretBinding, SecretEncoding, SecretRef, Validated};

/// Every `.env` variable compose.yaml reads, sorted by variable name.
pub fn secret_bindings(model: &Validated) -> Vec<SecretBinding> {
    let spec = model.spec();
    let bind = |secret: &SecretRef, encoding: SecretEncoding, purpose: &str| {
        let mut var = secret.env_name();
        if encoding == SecretEncoding::UrlEncoded {
            var.push_str("_URLENCODED");
        }
        SecretBinding {
            var,
            secret: secret.clone(),
            encoding,
            purpose: purpose.into(),
        }
    };
    let db = &spec.database;
    let mut v = vec![
        bind(
            &spec.app.app_secret,
            SecretEncoding::Raw,
            "Symfony APP_SECRET shared by every Kimai replica (e.g. `openssl rand -hex 32`)",
        ),
        bind(
            &db.password,
            SecretEncoding::UrlEncoded,
            "the database password, URL-encoded for DATABASE_URL (type the password, any character works): IFS= read -rs P; printf '%s' \"$P\" | python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read(), safe=\"\"))'",
        ),
    ];
    if db.mode == DatabaseMode::Bundled {
        v.push(bind(
            &db.password,
            SecretEncoding::Raw,
            "the database user's password, as it is",
        ));
        v.push(bind(
            &db.root_password,
            SecretEncoding::Raw,
            "the database root password",
        ));
    }
    if let Some(p) = &spec.app.admin_password {
        v.push(bind(
            p,
            SecretEncoding::Raw,
            "password of the Kimai user `admin` (8 to 60 characters)",
        ));
    }
    if let Some(m) = &spec.app.mailer {
        v.push(bind(
            &m.url,
            SecretEncoding::Raw,
            "Symfony Mailer DSN (smtp://user:pass@host:587)",
        ));
    }
    if spec.monitoring.datadog.enabled {
        v.push(bind(
            &spec.monitoring.datadog.api_key,
            SecretEncoding::Raw,
            "Datadog API key",
        ));
    }
    for (name, value) in &spec.app.env {
        if let Some(r) = value.secret() {
            v.push(bind(
                r,
                SecretEncoding::Raw,
                &format!("the value of Kimai's `{name}` (`app.env.{name}`)"),
            ));
        }
    }
    v.sort();
    v.dedup_by(|a, b| a.var == b.var);
    v
}

/// Writes one `.env` value so Docker Compose reads back exactly `value`: double quotes,
/// with `\`, `"`, `$` and newline escaped.
pub fn dotenv_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `.env.example` text: one `NAME=` line per variable, no values.
pub fn env_example(model: &Validated) -> String {
    let mut out = format!(
        "# Variables compose.yaml reads for {} ({}).\n\
         # Copy to .env, fill in every value, keep it out of git: chmod 600 .env\n\
         # Quote values with double quotes and escape \\ \" $ as \\\\ \\\" \\$ (or let Ansible write it).\n",
        model.name(),
        model.environment()
    );
    for b in secret_bindings(model) {
        out.push_str(&format!(
            "\n# {}: {}\n{}=\n",
            b.secret.name(),
            b.purpose,
            b.var
        ));
    }
    out
}

/// A complete `.env` for the given secret values (logical name → value), for tools that hold
/// the secrets. Fails with the names of the secrets missing from `values`.
pub fn env_file(
    model: &Validated,
    values: &BTreeMap<String, String>,
) -> Result<String, Vec<String>> {
    let bindings = secret_bindings(model);
    let missing: Vec<String> = bindings
        .iter()
        .filter(|b| !values.contains_key(b.secret.name()))
        .map(|b| b.secret.name().to_string())
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut out = String::new();
    for b in bindings {
        let raw = values
            .get(b.secret.name())
            .map(String::as_str)
            .unwrap_or_default();
        let v = match b.encoding {
            SecretEncoding::Raw => raw.to_string(),
            SecretEncoding::UrlEncoded => url_encode(raw),
        };
        out.push_str(&format!("{}={}\n", b.var, dotenv_quote(&v)));
    }
    Ok(out)
}

//! Jinja as Ansible reads it: literal text that must not be templated, and the `.env` template.
//!
//! Ansible templates every string it reads from YAML (group_vars, inventory, task arguments).
//! Text from the spec goes through [`literal`], so `{{ x }}` in a value stays `{{ x }}`. The
//! `.env` template ([`env_template`]) writes each vault value with the exact quoting Docker
//! Compose reads back (`"…"`, with `\` `"` `$` newline escaped) and the database password
//! percent-encoded like PHP's `rawurlencode`, using only filters both Jinja2 and minijinja have.

use kimai_model::{SecretBinding, SecretEncoding};

/// `s` as Ansible source that templates to exactly `s`: every `{` becomes `{{ '{' }}`, so no
/// `{{`, `{%` or `{#` survives to start a Jinja construct. Text without `{` is unchanged.
pub fn literal(s: &str) -> String {
    s.replace('{', "{{ '{' }}")
}

/// The filter chain that writes a string as one double-quoted `.env` value, byte-exact for
/// Docker Compose: `\` → `\\`, `"` → `\"`, `$` → `\$`, newline → `\n` (backslash first).
pub const DOTENV_ESCAPE: &str =
    r#"replace('\\', '\\\\') | replace('"', '\\"') | replace('$', '\\$') | replace('\n', '\\n')"#;

/// The filter chain that percent-encodes like PHP's `rawurlencode` (everything but
/// `A-Za-z0-9-._~`). Jinja2's `urlencode` leaves `/` alone and minijinja's also encodes `~`;
/// the two replacements make both agree with `kimai_model::url_encode`. Encoded output has a
/// `%` only at the start of an escape, so `%7E` can only be an encoded `~`.
pub const URL_ENCODE: &str = "urlencode | replace('/', '%2F') | replace('%7E', '~')";

/// The Jinja expression (without braces) for one `.env` value.
pub fn env_value_expr(binding: &SecretBinding) -> String {
    let var = binding.secret.vault_var();
    match binding.encoding {
        // Percent-encoded text holds none of the characters .env quoting escapes.
        SecretEncoding::UrlEncoded => format!("{var} | string | {URL_ENCODE}"),
        SecretEncoding::Raw => format!("{var} | string | {DOTENV_ESCAPE}"),
    }
}

/// `templates/env.j2`: one `VAR="value"` line per binding, in the given order, and nothing
/// else, so its output equals compose-render's `env_file` for the same values. Only `{{ }}`
/// expressions, no block tags: Ansible's `trim_blocks` cannot change the result.
pub fn env_template(header: &str, bindings: &[&SecretBinding]) -> String {
    let mut out = String::from("{#\n");
    for line in header.lines() {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("-#}\n");
    for b in bindings {
        out.push_str(&b.var);
        out.push_str("=\"{{ ");
        out.push_str(&env_value_expr(b));
        out.push_str(" }}\"\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str, ctx: minijinja::Value) -> String {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        env.set_trim_blocks(true);
        env.render_str(template, ctx).expect("renders")
    }

    #[test]
    fn literal_templates_back_to_itself() {
        for s in [
            "plain",
            "{{ not_a_variable }} {% raw %}",
            "{#",
            "{",
            "}}{{{",
            "a{b}c",
        ] {
            assert_eq!(render(&literal(s), minijinja::context! {}), s, "{s:?}");
        }
        assert_eq!(literal("/opt/kimai"), "/opt/kimai");
    }

    #[test]
    fn url_chain_matches_rawurlencode() {
        let tricky = "S3cr3t/@:?#&%+ $x'\"!~ü\n{{ x }}";
        let out = render(
            &format!("{{{{ v | string | {URL_ENCODE} }}}}"),
            minijinja::context! { v => tricky },
        );
        assert_eq!(out, kimai_model::url_encode(tricky));
        let every_ascii: String = (1u8..128).map(char::from).chain("ü✓€𝄞".chars()).collect();
        let out = render(
            &format!("{{{{ v | string | {URL_ENCODE} }}}}"),
            minijinja::context! { v => every_ascii },
        );
        assert_eq!(out, kimai_model::url_encode(&every_ascii));
    }
}

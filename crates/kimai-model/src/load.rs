//! Loading a spec from YAML or JSON text, with the field path and line of every parse error.

use crate::diag::{Diagnostic, Diagnostics};
use crate::spec::Spec;
use crate::validate::{validate, Validated};

/// The serialisation a spec is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// YAML 1.2 (also accepts JSON, which is YAML).
    Yaml,
    /// Strict JSON.
    Json,
}

impl Format {
    /// `Json` for a `.json` file name, `Yaml` for anything else.
    pub fn from_file_name(name: &str) -> Self {
        if name.to_ascii_lowercase().ends_with(".json") {
            Format::Json
        } else {
            Format::Yaml
        }
    }
}

/// Parses a spec without checking its meaning. Unknown keys and wrong types are errors.
pub fn parse(bytes: &[u8], format: Format) -> Result<Spec, Diagnostics> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let mut d = Diagnostics::default();
            d.error_hint(
                "",
                format!(
                    "the spec is not UTF-8 text (invalid byte at offset {})",
                    e.valid_up_to()
                ),
                "save the spec as UTF-8 YAML or JSON",
            );
            return Err(d);
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        let mut d = Diagnostics::default();
        d.error_hint(
            "",
            "the spec is empty",
            "a spec needs at least `name` and `ingress.host`",
        );
        return Err(d);
    }
    let result = match format {
        Format::Yaml => {
            let de = serde_yaml::Deserializer::from_str(text);
            serde_path_to_error::deserialize::<_, Spec>(de).map_err(|e| {
                let line = e.inner().location().map(|l| l.line());
                (e.path().to_string(), e.inner().to_string(), line)
            })
        }
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            serde_path_to_error::deserialize::<_, Spec>(&mut de).map_err(|e| {
                let line = Some(e.inner().line()).filter(|l| *l > 0);
                (e.path().to_string(), e.inner().to_string(), line)
            })
        }
    };
    result.map_err(|(path, message, line)| {
        let mut d = Diagnostics::default();
        d.push(parse_diagnostic(path, message, line));
        d
    })
}

fn parse_diagnostic(path: String, message: String, line: Option<usize>) -> Diagnostic {
    // serde_path_to_error reports `.` for the root.
    let mut path = if path == "." { String::new() } else { path };
    // Drop the location suffix serde_yaml/serde_json append; we report the line ourselves.
    let mut message = strip_location(&message);
    let mut hint = None;
    if let Some(field) = message
        .strip_prefix("unknown field `")
        .and_then(|r| r.split('`').next())
    {
        let field = field.to_string();
        if let Some(expected) = message
            .split_once(", expected ")
            .map(|(_, e)| e.to_string())
        {
            hint = Some(format!(
                "known keys here: {}",
                expected.replace("one of ", "")
            ));
        }
        // serde_path_to_error already ends the path with the unknown key.
        if path.is_empty() {
            path = field.clone();
        }
        message = format!("unknown key `{field}`");
    } else if message.starts_with("missing field") {
        hint = Some("see docs for the required keys of this section".into());
    } else if message.contains("invalid type") && path.is_empty() {
        hint = Some("a spec is a mapping with at least `name` and `ingress.host`".into());
    }
    Diagnostic {
        path,
        message,
        hint,
        line,
    }
}

fn strip_location(message: &str) -> String {
    let mut m = message;
    // serde_yaml prefixes its own path (`scaling.min_replicas: invalid type ...`).
    if let Some((head, rest)) = m.split_once(": ") {
        if !head.is_empty() && !head.contains(' ') && !head.contains('`') {
            m = rest;
        }
    }
    for marker in [" at line ", " at position "] {
        if let Some(i) = m.rfind(marker) {
            return m[..i].to_string();
        }
    }
    m.to_string()
}

/// Parses and validates a spec: every problem at once, or the [`Validated`] model.
pub fn load(bytes: &[u8], format: Format) -> Result<Validated, Diagnostics> {
    validate(parse(bytes, format)?)
}

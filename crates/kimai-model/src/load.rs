//! Loading a spec from YAML or JSON text, with the field path and line of every parse error.

use serde_json::Value as Json;

use crate::diag::{Diagnostic, Diagnostics};
use crate::lines::Lines;
use crate::spec::Spec;
use crate::structure;
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

/// Parses a spec without checking its meaning: every unknown key, wrong type, bad enum value
/// and missing key of the document at once, each with its path, line and a hint.
pub fn parse(bytes: &[u8], format: Format) -> Result<Spec, Diagnostics> {
    let parsed = parse_partial(bytes, format)?;
    match parsed.spec {
        Some(spec) if parsed.problems.is_empty() => Ok(spec),
        _ => parsed.problems.into_result(Spec::minimal("", "")),
    }
}

/// Parses and validates a spec: every problem at once, or the [`Validated`] model.
///
/// Structural problems and problems of meaning are reported together: the parts of the
/// document with a structural problem are left out, the rest is validated, and problems of
/// meaning inside (or caused by the default replacing) a left-out part are not repeated.
pub fn load(bytes: &[u8], format: Format) -> Result<Validated, Diagnostics> {
    let text = text_of(bytes)?;
    let doc = document(text, format)?;
    // Lines are read only when there is a problem to place.
    let lines = std::cell::OnceCell::new();
    let line_of = |p: &[String]| lines.get_or_init(|| Lines::new(text)).line(p);
    finish(parse_doc(doc, &line_of), &line_of)
}

/// The outcome of the parse stage: the spec (with every part that had a problem left out),
/// the problems, and what to leave to them.
pub(crate) struct Parsed {
    pub spec: Option<Spec>,
    pub problems: Diagnostics,
    /// Dotted path prefixes whose problems of meaning are not reported (a structural problem
    /// there, or in a sibling whose default now applies, says it already).
    pub suppress: Vec<String>,
    /// Values that may be secrets, scrubbed from every message as a last resort.
    pub sensitive: Vec<String>,
}

fn parse_partial(bytes: &[u8], format: Format) -> Result<Parsed, Diagnostics> {
    let text = text_of(bytes)?;
    let doc = document(text, format)?;
    let lines = std::cell::OnceCell::new();
    Ok(parse_doc(doc, &|p: &[String]| {
        lines.get_or_init(|| Lines::new(text)).line(p)
    }))
}

/// UTF-8 text without a byte-order mark, not empty.
pub(crate) fn text_of(bytes: &[u8]) -> Result<&str, Diagnostics> {
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
    Ok(text)
}

/// The document as JSON data. Syntax errors (tabs in the indentation first) with their line.
pub(crate) fn document(text: &str, format: Format) -> Result<Json, Diagnostics> {
    let mut d = Diagnostics::default();
    match format {
        Format::Yaml => match serde_yaml::from_str::<serde_yaml::Value>(text) {
            Ok(v) => {
                let mut path = Vec::new();
                match to_json(v, &mut path, &mut d) {
                    Some(j) if d.is_empty() => return Ok(j),
                    _ => {}
                }
            }
            Err(e) => {
                for (i, line) in text.lines().enumerate() {
                    let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
                    if indent.contains('\t') && !line.trim().is_empty() {
                        d.push(Diagnostic {
                            path: String::new(),
                            message: "a tab in the indentation".into(),
                            hint: Some(
                                "YAML indents with spaces only: replace the tab with spaces".into(),
                            ),
                            line: Some(i + 1),
                        });
                    }
                }
                if d.is_empty() {
                    d.push(Diagnostic {
                        path: String::new(),
                        message: format!("not valid YAML: {}", strip_location(&e.to_string())),
                        hint: None,
                        line: e.location().map(|l| l.line()),
                    });
                }
            }
        },
        Format::Json => match serde_json::from_str::<Json>(text) {
            Ok(j) => return Ok(j),
            Err(e) => d.push(Diagnostic {
                path: String::new(),
                message: format!("not valid JSON: {}", strip_location(&e.to_string())),
                hint: None,
                line: Some(e.line()).filter(|l| *l > 0),
            }),
        },
    }
    d.into_result(Json::Null)
}

/// serde_yaml's value as JSON data: keys become text, YAML tags and non-finite numbers are
/// problems at their path.
pub(crate) fn to_json(
    v: serde_yaml::Value,
    path: &mut Vec<String>,
    d: &mut Diagnostics,
) -> Option<Json> {
    use serde_yaml::Value as Y;
    Some(match v {
        Y::Null => Json::Null,
        Y::Bool(b) => Json::Bool(b),
        Y::Number(n) => {
            if let Some(u) = n.as_u64() {
                Json::from(u)
            } else if let Some(i) = n.as_i64() {
                Json::from(i)
            } else {
                match n.as_f64().and_then(serde_json::Number::from_f64) {
                    Some(f) => Json::Number(f),
                    None => {
                        d.error(dotted(path), "is not a finite number");
                        return None;
                    }
                }
            }
        }
        Y::String(s) => Json::String(s),
        Y::Sequence(xs) => {
            let mut out = Vec::with_capacity(xs.len());
            for (i, x) in xs.into_iter().enumerate() {
                path.push(i.to_string());
                out.push(to_json(x, path, d).unwrap_or(Json::Null));
                path.pop();
            }
            Json::Array(out)
        }
        Y::Mapping(m) => {
            let mut out = serde_json::Map::new();
            for (k, x) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_string(),
                    _ => {
                        d.error_hint(
                            dotted(path),
                            "has a key that is not text",
                            "keys are plain names (`name:`), not lists or mappings",
                        );
                        continue;
                    }
                };
                path.push(key.clone());
                let value = to_json(x, path, d).unwrap_or(Json::Null);
                path.pop();
                out.insert(key, value);
            }
            Json::Object(out)
        }
        Y::Tagged(t) => {
            d.error_hint(
                dotted(path),
                format!("has the YAML tag `{}`", t.tag),
                "write the value without a tag",
            );
            return None;
        }
    })
}

/// A path as the dotted text diagnostics use (`app.env.FOO`, `targets.ecs.subnets[0]`).
pub(crate) fn dotted(path: &[String]) -> String {
    let mut out = String::new();
    for (i, seg) in path.iter().enumerate() {
        let index = i > 0 && !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit());
        if index {
            out.push_str(&format!("[{seg}]"));
        } else {
            if i > 0 {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    out
}

/// The segments of a dotted path (`a.b[0]` -> `a`, `b`, `0`).
pub(crate) fn undotted(path: &str) -> Vec<String> {
    path.split('.')
        .filter(|s| !s.is_empty())
        .flat_map(|s| s.split(['[', ']']).filter(|x| !x.is_empty()))
        .map(str::to_string)
        .collect()
}

/// The structural check, then deserialization of what is left.
pub(crate) fn parse_doc(doc: Json, line_of: &dyn Fn(&[String]) -> Option<usize>) -> Parsed {
    let problems = structure::check(&doc);
    // The document's possibly secret values, for the scrub; a valid document's are found from
    // the spec only if validation fails (`finish`).
    let sensitive = if problems.is_empty() {
        Vec::new()
    } else {
        structure::sensitive_scalars(&doc)
    };
    let mut d = Diagnostics::default();
    let mut suppress = Vec::new();
    let mut pruned = if problems.is_empty() {
        Json::Null
    } else {
        doc.clone()
    };
    for p in &problems {
        d.push(Diagnostic {
            path: dotted(&p.path),
            message: p.message.clone(),
            hint: p.hint.clone(),
            line: match &p.missing_in {
                Some(obj) if obj.is_empty() => None,
                Some(obj) => line_of(obj),
                None => line_of(&p.path),
            },
        });
        if let Some(prune) = &p.prune {
            structure::prune(&mut pruned, prune);
        }
        suppress.push(dotted(&p.scope));
    }
    if problems.is_empty() {
        // The usual case: no copy of the document.
        return match serde_path_to_error::deserialize::<_, Spec>(doc) {
            Ok(spec) => Parsed {
                spec: Some(spec),
                problems: d,
                suppress,
                sensitive,
            },
            Err(e) => {
                // The schema accepted what the model does not: say where, never what.
                let path = e.path().to_string();
                let path = if path == "." { String::new() } else { path };
                d.error_hint(
                    path,
                    "cannot be read",
                    "check the value against docs/spec.md",
                );
                Parsed {
                    spec: None,
                    problems: d,
                    suppress,
                    sensitive,
                }
            }
        };
    }
    let mut spec = serde_json::from_value::<Spec>(pruned.clone()).ok();
    if spec.is_none() {
        // A missing required key: leave out the section that lacks it and try again.
        for p in &problems {
            if let Some(obj) = &p.missing_in {
                if !obj.is_empty() {
                    structure::prune(&mut pruned, obj);
                    suppress.push(dotted(obj));
                }
            }
        }
        spec = serde_json::from_value::<Spec>(pruned).ok();
    }
    Parsed {
        spec,
        problems: d,
        suppress,
        sensitive,
    }
}

/// Validates what the parse stage left, then reports both stages' problems together.
pub(crate) fn finish(
    parsed: Parsed,
    line_of: &dyn Fn(&[String]) -> Option<usize>,
) -> Result<Validated, Diagnostics> {
    let Parsed {
        spec,
        mut problems,
        suppress,
        mut sensitive,
    } = parsed;
    let Some(spec) = spec else {
        return Err(scrub(problems, &sensitive));
    };
    let copy = spec.clone();
    let mut sensitive_of_spec = || {
        if let Ok(doc) = serde_json::to_value(&copy) {
            // Defaults are in the spec too: a well-formed secret name (`db-password`) is a name.
            sensitive.extend(
                structure::sensitive_scalars(&doc)
                    .into_iter()
                    .filter(|v| crate::secret::secret_name_problem(v).is_some()),
            );
        }
        std::mem::take(&mut sensitive)
    };
    match validate(spec) {
        Ok(model) if problems.is_empty() => Ok(model),
        Ok(_) => Err(scrub(problems, &sensitive_of_spec())),
        Err(semantic) => {
            let covered = |path: &str| {
                suppress.iter().any(|s| {
                    s.is_empty()
                        || path == s
                        || path
                            .strip_prefix(s.as_str())
                            .is_some_and(|r| r.starts_with(['.', '[']))
                })
            };
            for mut diag in semantic.0 {
                if !covered(&diag.path) {
                    diag.line = diag.line.or_else(|| line_of(&undotted(&diag.path)));
                    problems.push(diag);
                }
            }
            Err(scrub(problems, &sensitive_of_spec()))
        }
    }
}

/// The last line of defence: a value that may be a secret never reaches a message, even one
/// a rule quoted by mistake.
pub(crate) fn scrub(d: Diagnostics, sensitive: &[String]) -> Diagnostics {
    let hide = |text: String| {
        sensitive
            .iter()
            .filter(|s| s.chars().count() >= 4)
            .fold(text, |t, s| t.replace(s.as_str(), "(value not shown)"))
    };
    let mut out = Diagnostics::default();
    for diag in d.0 {
        out.push(Diagnostic {
            message: hide(diag.message),
            hint: diag.hint.map(hide),
            ..diag
        });
    }
    out.into_result(()).err().unwrap_or_default()
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
        if let Some(i) = m.find(marker) {
            return m[..i].to_string();
        }
    }
    m.to_string()
}

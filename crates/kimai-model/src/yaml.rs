//! The one YAML writer every renderer uses: deterministic, YAML 1.1-safe, with comments.
//!
//! serde_yaml writes `yes`, `on`, `y`, `12:30` or `2001-12-14` as plain scalars, which YAML 1.1
//! readers (PyYAML, Ansible, older Go libraries) read back as booleans, numbers or dates. This
//! writer quotes every string unless it is unmistakably a string in both YAML 1.1 and 1.2:
//! a conservative allow-list, not a deny-list. Multi-line strings become block literals when
//! that round-trips exactly, otherwise double-quoted strings with escapes. Key order is the
//! value's order (struct field order, `BTreeMap` order): no hash maps reach this module.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

/// Comments to place above keys, by JSON-pointer-like path (`/services/kimai/healthcheck`).
/// A path ending in `#` (`/jobs/deploy/steps/0/uses#`) puts a one-line comment at the end of
/// that key's line instead, after a single-line scalar (`uses: owner/repo@sha # v1.2.3`).
pub type Comments = BTreeMap<String, String>;

/// Serialises `value` as YAML with `header` comment lines on top and `comments` above keys.
pub fn to_yaml<T: Serialize + ?Sized>(
    value: &T,
    header: &str,
    comments: &Comments,
) -> Result<String, serde_json::Error> {
    let v = serde_json::to_value(value)?;
    Ok(emit(&v, header, comments))
}

/// Writes an already-built JSON value as YAML.
pub fn emit(value: &Value, header: &str, comments: &Comments) -> String {
    let mut out = String::new();
    for line in header.lines() {
        push_comment(&mut out, 0, line);
    }
    let mut path = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => emit_map(&mut out, m, 0, &mut path, comments),
        Value::Array(a) if !a.is_empty() => emit_seq(&mut out, a, 0, &mut path, comments),
        other => {
            out.push_str(&scalar(other, 0));
            out.push('\n');
        }
    }
    out
}

fn push_comment(out: &mut String, indent: usize, line: &str) {
    out.push_str(&" ".repeat(indent));
    if line.is_empty() {
        out.push_str("#\n");
    } else {
        out.push_str("# ");
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

fn emit_map(
    out: &mut String,
    m: &serde_json::Map<String, Value>,
    indent: usize,
    path: &mut String,
    comments: &Comments,
) {
    let pad = " ".repeat(indent);
    for (k, v) in m {
        let len = path.len();
        path.push('/');
        path.push_str(k);
        if let Some(c) = (!comments.is_empty())
            .then(|| comments.get(path.as_str()))
            .flatten()
        {
            for line in c.lines() {
                push_comment(out, indent, line);
            }
        }
        let key = quote_if_needed(k);
        match v {
            Value::Object(inner) if !inner.is_empty() => {
                let _ = writeln!(out, "{pad}{key}:");
                emit_map(out, inner, indent + 2, path, comments);
            }
            Value::Array(inner) if !inner.is_empty() => {
                let _ = writeln!(out, "{pad}{key}:");
                emit_seq(out, inner, indent + 2, path, comments);
            }
            other => {
                let value = scalar(other, indent + 2);
                let trailing = (!comments.is_empty() && !value.contains('\n'))
                    .then(|| comments.get(&format!("{path}#")))
                    .flatten()
                    .and_then(|c| c.lines().next());
                match trailing {
                    Some(c) => {
                        let _ = writeln!(out, "{pad}{key}: {value} # {}", c.trim_end());
                    }
                    None => {
                        let _ = writeln!(out, "{pad}{key}: {value}");
                    }
                }
            }
        }
        path.truncate(len);
    }
}

fn emit_seq(out: &mut String, a: &[Value], indent: usize, path: &mut String, comments: &Comments) {
    let pad = " ".repeat(indent);
    for (i, v) in a.iter().enumerate() {
        let len = path.len();
        let _ = write!(path, "/{i}");
        match v {
            Value::Object(inner) if !inner.is_empty() => {
                let mut buf = String::new();
                emit_map(&mut buf, inner, indent + 2, path, comments);
                out.push_str(&pad);
                out.push_str("- ");
                out.push_str(&buf[indent + 2..]);
            }
            Value::Array(inner) if !inner.is_empty() => {
                let mut buf = String::new();
                emit_seq(&mut buf, inner, indent + 2, path, comments);
                out.push_str(&pad);
                out.push_str("- ");
                out.push_str(&buf[indent + 2..]);
            }
            other => {
                let _ = writeln!(out, "{pad}- {}", scalar(other, indent + 2));
            }
        }
        path.truncate(len);
    }
}

fn scalar(v: &Value, indent: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            if let Some(block) = block_literal(s, indent) {
                block
            } else {
                quote_if_needed(s)
            }
        }
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// Words YAML 1.1 resolves to booleans or null, compared case-insensitively.
const RESERVED_WORDS: &[&str] = &[
    "y", "n", "yes", "no", "true", "false", "on", "off", "null", "nan", "inf",
];

/// True when `s` reads back as the same string in YAML 1.1 and 1.2 without quotes.
pub fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_' || first == '/')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./-:@+=,".contains(&b))
        && !s.ends_with(':')
        && !s.contains("://") // keeps URLs visually unambiguous; also safe quoted
        && !RESERVED_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
}

/// `s` as a plain scalar when safe, else double-quoted with escapes.
pub fn quote_if_needed(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// `s` as a YAML double-quoted scalar; escapes what YAML 1.1 readers reject.
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let n = c as u32;
                if n <= 0xFFFF {
                    let _ = write!(out, "\\u{n:04X}");
                } else {
                    let _ = write!(out, "\\U{n:08X}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters outside YAML's printable set, plus the byte-order mark and line separators.
fn needs_escape(c: char) -> bool {
    let n = c as u32;
    n < 0x20
        || n == 0x7F
        || (0x80..=0x9F).contains(&n)
        || n == 0xFEFF
        || n == 0x2028
        || n == 0x2029
        || (0xFFFE..=0xFFFF).contains(&n)
}

/// A `|` or `|-` block literal when it reads back byte-exact, else `None`.
fn block_literal(s: &str, indent: usize) -> Option<String> {
    if !s.contains('\n') {
        return None;
    }
    let (body, indicator) = match s.strip_suffix('\n') {
        Some(b) if !b.ends_with('\n') => (b, "|"),
        Some(_) => return None,
        None => (s, "|-"),
    };
    let first = body.lines().next()?;
    if first.is_empty() || first.starts_with([' ', '\t']) {
        return None;
    }
    for line in body.split('\n') {
        if line.ends_with([' ', '\t']) || line.chars().any(|c| c != '\t' && needs_escape(c)) {
            return None;
        }
    }
    let pad = " ".repeat(indent);
    let mut out = String::from(indicator);
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn trailing_comments_follow_single_line_scalars_only() {
        let v = json!({"steps": [{"uses": "a/b@0123", "run": "one\ntwo\n"}]});
        let mut c = Comments::new();
        c.insert("/steps/0/uses#".into(), "v1.2.3".into());
        c.insert("/steps/0/run#".into(), "never on a block".into());
        let y = emit(&v, "", &c);
        assert!(y.contains("- uses: a/b@0123 # v1.2.3\n"), "{y}");
        assert!(!y.contains("never"), "{y}");
        let back: serde_json::Value = serde_yaml::from_str(&y).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn quotes_yaml_1_1_look_alikes() {
        for s in [
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "N",
            "true",
            "null",
            "~",
            "",
            "0755",
            "1e3",
            "1_000",
            "12:30",
            "2001-12-14",
            ".inf",
            "-1",
            "+1",
            "=",
            "<<",
            "#x",
            "a: b",
            "- x",
            "*a",
            "&a",
            "!t",
            "%p",
            "@a",
            "`b",
            "{a}",
            "[a]",
            "a b",
            "x:",
            "http://x",
        ] {
            assert!(!is_plain_safe(s), "{s:?} must be quoted");
        }
        for s in [
            "kimai",
            "kimai/kimai2:2.66.0",
            "app.kubernetes.io/name",
            "/opt/kimai",
            "a_b-c",
        ] {
            assert!(is_plain_safe(s), "{s:?} may be plain");
        }
    }

    #[test]
    fn escapes() {
        assert_eq!(double_quoted("a\"b\\c\nd\u{7f}"), r#""a\"b\\c\nd\u007F""#);
        assert_eq!(double_quoted("é"), "\"é\"");
    }

    #[test]
    fn layout() {
        let v = json!({"a": {"b": [1, {"c": "yes", "d": []}], "e": "line1\nline2\n"}, "f": {}});
        let mut c = Comments::new();
        c.insert("/a/b".into(), "explains b".into());
        let y = emit(&v, "header", &c);
        assert_eq!(
            y,
            "# header\na:\n  # explains b\n  b:\n    - 1\n    - c: \"yes\"\n      d: []\n  e: |\n    line1\n    line2\nf: {}\n"
        );
    }

    #[test]
    fn block_literal_only_when_exact() {
        assert!(block_literal("a\n b\n", 2).is_some());
        assert!(block_literal(" a\nb", 2).is_none());
        assert!(block_literal("a \nb", 2).is_none());
        assert!(block_literal("a\n\n", 2).is_none());
        assert!(block_literal("a\r\nb", 2).is_none());
    }
}

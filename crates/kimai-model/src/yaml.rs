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

mod stream;

/// Comments to place above keys, by JSON-pointer-like path (`/services/kimai/healthcheck`).
/// A path ending in `#` (`/jobs/deploy/steps/0/uses#`) puts a one-line comment at the end of
/// that key's line instead, after a single-line scalar (`uses: owner/repo@sha # v1.2.3`).
pub type Comments = BTreeMap<String, String>;

/// Serialises `value` as YAML with `header` comment lines on top and `comments` above keys.
///
/// The text is exactly `emit(&serde_json::to_value(value)?, header, comments)`, written
/// straight from `value`'s `Serialize` calls without building the value tree first
/// ([`stream`]). What that writer does not take on (a key that is not a string, a key written
/// twice in one map, bytes, enum variants with fields, an error) is written the long way, so
/// the result, or the error, is always the one of `to_value` and [`emit`].
pub fn to_yaml<T: Serialize + ?Sized>(
    value: &T,
    header: &str,
    comments: &Comments,
) -> Result<String, serde_json::Error> {
    if let Some(text) = stream::to_yaml(value, header, comments) {
        return Ok(text);
    }
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
    push_spaces(out, indent);
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
    let mut out = String::new();
    push_scalar(&mut out, v, indent);
    out
}

/// Appends what [`scalar`] returns.
fn push_scalar(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => push_str_scalar(out, s, indent),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// A string scalar: a block literal when exact, else plain when safe, else double-quoted.
/// (A plain-safe string has no line break, so it is never a block literal: it is checked
/// first.)
fn push_str_scalar(out: &mut String, s: &str, indent: usize) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else if !push_block_literal(out, s, indent) {
        push_double_quoted(out, s);
    }
}

/// Words YAML 1.1 resolves to booleans or null, compared case-insensitively.
const RESERVED_WORDS: &[&str] = &[
    "y", "n", "yes", "no", "true", "false", "on", "off", "null", "nan", "inf",
];

/// The longest of [`RESERVED_WORDS`]: a longer string is none of them.
const RESERVED_MAX_LEN: usize = 5;

/// The bytes a plain scalar may hold (ASCII letters, digits and `_./-:@+=,`).
const PLAIN_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'_' | b'.' | b'/' | b'-' | b':' | b'@' | b'+' | b'=' | b','
            );
        i += 1;
    }
    table
};

/// True when `s` reads back as the same string in YAML 1.1 and 1.2 without quotes.
pub fn is_plain_safe(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    // A non-ASCII first byte is a non-ASCII first character: not alphabetic, `_` or `/`.
    if !(first.is_ascii_alphabetic() || first == b'_' || first == b'/') {
        return false;
    }
    let mut colon = false;
    for &b in bytes {
        if !PLAIN_BYTES[b as usize] {
            return false;
        }
        colon |= b == b':';
    }
    // `://` keeps URLs visually unambiguous; also safe quoted.
    !(colon && (s.ends_with(':') || s.contains("://")))
        && (s.len() > RESERVED_MAX_LEN || !RESERVED_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)))
}

/// `s` as a plain scalar when safe, else double-quoted with escapes.
pub fn quote_if_needed(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_quoted_if_needed(&mut out, s);
    out
}

/// Appends what [`quote_if_needed`] returns.
fn push_quoted_if_needed(out: &mut String, s: &str) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else {
        push_double_quoted(out, s);
    }
}

/// `s` as a YAML double-quoted scalar; escapes what YAML 1.1 readers reject.
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_double_quoted(&mut out, s);
    out
}

/// Appends what [`double_quoted`] returns: runs of characters that need no escape are copied
/// whole; ASCII is classified by byte, other characters decoded.
fn push_double_quoted(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        let (c, len) = if b < 0x80 {
            if b >= 0x20 && b != b'"' && b != b'\\' && b != 0x7F {
                i += 1;
                continue;
            }
            (char::from(b), 1)
        } else {
            match s[i..].chars().next() {
                Some(c) if needs_escape(c) => (c, c.len_utf8()),
                Some(c) => {
                    i += c.len_utf8();
                    continue;
                }
                None => break,
            }
        };
        out.push_str(&s[start..i]);
        i += len;
        start = i;
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => {
                let n = c as u32;
                if n <= 0xFFFF {
                    let _ = write!(out, "\\u{n:04X}");
                } else {
                    let _ = write!(out, "\\U{n:08X}");
                }
            }
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
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
#[cfg(test)]
fn block_literal(s: &str, indent: usize) -> Option<String> {
    let mut out = String::new();
    push_block_literal(&mut out, s, indent).then_some(out)
}

/// Appends `s` as a `|` or `|-` block literal when it reads back byte-exact; false (nothing
/// appended) otherwise.
fn push_block_literal(out: &mut String, s: &str, indent: usize) -> bool {
    if !s.contains('\n') {
        return false;
    }
    let (body, indicator) = match s.strip_suffix('\n') {
        Some(b) if !b.ends_with('\n') => (b, "|"),
        Some(_) => return false,
        None => (s, "|-"),
    };
    let Some(first) = body.lines().next() else {
        return false;
    };
    if first.is_empty() || first.starts_with([' ', '\t']) {
        return false;
    }
    for line in body.split('\n') {
        if line.ends_with([' ', '\t']) || line.chars().any(|c| c != '\t' && needs_escape(c)) {
            return false;
        }
    }
    out.reserve(body.len() + body.len() / 16 * indent + 8);
    out.push_str(indicator);
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            push_spaces(out, indent);
            out.push_str(line);
        }
    }
    true
}

/// Appends `n` spaces.
fn push_spaces(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// `is_plain_safe` as first written, before it became a table lookup.
    fn plain_safe_reference(s: &str) -> bool {
        let Some(first) = s.chars().next() else {
            return false;
        };
        (first.is_ascii_alphabetic() || first == '_' || first == '/')
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_./-:@+=,".contains(&b))
            && !s.ends_with(':')
            && !s.contains("://")
            && !RESERVED_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
    }

    /// `double_quoted` as first written, one character at a time.
    fn double_quoted_reference(s: &str) -> String {
        let mut out = String::from("\"");
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]
        #[test]
        fn quoting_equals_the_reference(
            s in prop_oneof![
                "[a-zA-Z_/:.@+=,-]{0,8}",
                "(yes|No|ON|off|y|N|null|nan|Inf|true|x|http)[:/a-z]{0,4}",
                "[\u{0}-\u{7f}]{0,12}",
                "[\u{0}-\u{10ffff}]{0,12}",
                "[a\u{85}\u{9f}\u{a0}\u{feff}\u{fffe}\u{ffff}\u{2028}\u{2029}\u{1f600}\"\\\\]{0,8}",
            ]
        ) {
            prop_assert_eq!(is_plain_safe(&s), plain_safe_reference(&s), "{:?}", s);
            prop_assert_eq!(double_quoted(&s), double_quoted_reference(&s));
        }
    }

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

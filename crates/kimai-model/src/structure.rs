//! The parse stage's structural check: the raw document against the spec's own JSON Schema.
//!
//! [`crate::spec_schema`] is validated with the `jsonschema` crate, which reports every unknown
//! key, wrong type, bad enum value and missing key of the document at once. Each error is
//! translated into plain words (no Rust type names) with the known keys or allowed values as a
//! hint. A value at a secret-reference path, or under a secret-looking key, is never echoed.
//! The parts that failed are then pruned so the rest can still be deserialized and checked for
//! meaning in the same run.

use std::sync::OnceLock;

use serde_json::{Map, Value as Json};

use crate::env_var::looks_secret;
use crate::validate::suggested_secret_name;

/// A path into the document: mapping keys and list indices, as text.
pub(crate) type Path = Vec<String>;

/// One structural problem.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    /// Where the problem is.
    pub path: Path,
    /// What is wrong.
    pub message: String,
    /// The known keys, allowed values or the fix.
    pub hint: Option<String>,
    /// What to remove so the rest deserializes (`None` for a missing key).
    pub prune: Option<Path>,
    /// The object that lacks a required key.
    pub missing_in: Option<Path>,
    /// Where problems of meaning are left to this one: the value's own subtree, or its whole
    /// section when it is a switch (an enum or a flag) whose default changes what the section's
    /// other keys mean.
    pub scope: Path,
}

fn schema_and_validator() -> &'static (Json, Option<jsonschema::Validator>) {
    static CELL: OnceLock<(Json, Option<jsonschema::Validator>)> = OnceLock::new();
    CELL.get_or_init(|| {
        let schema = serde_json::to_value(crate::spec_schema()).unwrap_or(Json::Null);
        let validator = jsonschema::validator_for(&schema).ok();
        (schema, validator)
    })
}

/// Every structural problem of `doc` (a spec as JSON data), sorted by path.
pub(crate) fn check(doc: &Json) -> Vec<Problem> {
    let (root, validator) = schema_and_validator();
    let Some(validator) = validator else {
        return vec![Problem {
            path: Vec::new(),
            message: "internal error: the spec schema does not compile".into(),
            hint: None,
            prune: None,
            missing_in: None,
            scope: Vec::new(),
        }];
    };
    let mut out = Vec::new();
    let t = Translator { root, doc };
    for e in validator.iter_errors(doc) {
        t.translate(&e, &mut out);
    }
    out.sort_by(|a, b| a.path.cmp(&b.path).then(a.message.cmp(&b.message)));
    out.dedup_by(|a, b| a.path == b.path && a.message == b.message);
    out
}

/// True when a scalar at `path` must never be printed: it sits at (or inside) a secret
/// reference, or under a key that looks secret.
pub(crate) fn is_sensitive(path: &[String]) -> bool {
    let (root, _) = schema_and_validator();
    // `targets.ecs.secret_arns` is keyed by secret names and holds ARNs: references, not values.
    let arns = path.starts_with(&["targets".into(), "ecs".into(), "secret_arns".into()]);
    path.iter().any(|k| looks_secret(k)) && !arns
        || (0..=path.len()).any(|n| at(root, &path[..n]).is_some_and(|s| is_secret_ref(root, s)))
}

/// Every scalar of `doc` that [`is_sensitive`], as text (for a last scrub of messages). One walk
/// down the document and the schema together.
pub(crate) fn sensitive_scalars(doc: &Json) -> Vec<String> {
    fn walk(
        root: &Json,
        schema: Option<&Json>,
        v: &Json,
        hidden: bool,
        arns: bool,
        out: &mut Vec<String>,
    ) {
        let hidden = hidden || schema.is_some_and(|s| is_secret_ref(root, s));
        match v {
            Json::Object(m) => {
                for (k, child) in m {
                    let child_schema = schema.and_then(|s| child_of(root, s, k));
                    let arns = arns || (k == "secret_arns");
                    let hide = hidden || (!arns && looks_secret(k));
                    walk(root, child_schema, child, hide, arns, out);
                }
            }
            Json::Array(xs) => {
                let items = schema.and_then(|s| child_of(root, s, "0"));
                for child in xs {
                    walk(root, items, child, hidden, arns, out);
                }
            }
            Json::String(s) if hidden => out.push(s.clone()),
            Json::Number(n) if hidden => out.push(n.to_string()),
            _ => {}
        }
    }
    let (root, _) = schema_and_validator();
    let mut out = Vec::new();
    walk(root, Some(root), doc, false, false, &mut out);
    out
}

/// The schema of the child `seg` of a value described by `schema`.
fn child_of<'a>(root: &'a Json, schema: &'a Json, seg: &str) -> Option<&'a Json> {
    alternatives(root, schema).into_iter().find_map(|a| {
        a.get("properties")
            .and_then(|p| p.get(seg))
            .or_else(|| a.get("additionalProperties").filter(|x| x.is_object()))
            .or_else(|| a.get("items").filter(|_| seg.parse::<usize>().is_ok()))
    })
}

struct Translator<'a> {
    root: &'a Json,
    doc: &'a Json,
}

impl Translator<'_> {
    fn translate(&self, e: &jsonschema::ValidationError<'_>, out: &mut Vec<Problem>) {
        use jsonschema::error::ValidationErrorKind as K;
        let path: Path = e
            .instance_path()
            .segments()
            .map(|s| s.to_string())
            .collect();
        let schema = at(self.root, &path).unwrap_or(&Json::Null);
        let value = value_at(self.doc, &path);
        let problem = |message: String, hint: Option<String>| Problem {
            path: path.clone(),
            message,
            hint,
            prune: Some(path.clone()),
            missing_in: None,
            scope: scope_of(self.root, schema, &path),
        };
        if is_secret_ref(self.root, schema)
            && matches!(
                e.kind(),
                K::Required { .. } | K::AdditionalProperties { .. }
            )
        {
            // `password: { value: ... }`: one message, the shape to write.
            out.push(self.type_problem(&path, schema, Some(&Json::Null)));
            return;
        }
        match e.kind() {
            K::AdditionalProperties { unexpected } | K::UnevaluatedProperties { unexpected } => {
                for key in unexpected {
                    let mut p = path.clone();
                    p.push(key.clone());
                    out.push(Problem {
                        path: p.clone(),
                        message: format!("unknown key `{key}`"),
                        hint: Some(known_keys_hint(self.root, schema, key)),
                        prune: Some(p.clone()),
                        missing_in: None,
                        scope: p,
                    });
                }
            }
            K::Required { property } => {
                let mut key = property.as_str().unwrap_or_default().to_string();
                let mut p = path.clone();
                if p.is_empty() && key == "ingress" {
                    // The section is only required for its host.
                    p.push(key);
                    key = "host".into();
                }
                p.push(key.clone());
                let described = property_schema(self.root, schema, &key)
                    .and_then(|s| s.get("description"))
                    .and_then(Json::as_str)
                    .map(first_sentence);
                let message = if p == ["ingress", "host"] {
                    "missing: every target exposes Kimai on a host name"
                } else {
                    "missing: this key is required"
                };
                out.push(Problem {
                    path: p.clone(),
                    message: message.into(),
                    hint: described,
                    prune: None,
                    missing_in: Some(path.clone()),
                    scope: p,
                });
            }
            K::AnyOf { context } | K::OneOfNotValid { context } => {
                self.any_of(&path, schema, value, context, out);
            }
            K::Enum { options } => {
                let allowed: Vec<String> = options
                    .as_array()
                    .map(|xs| xs.iter().map(scalar_text).collect())
                    .unwrap_or_default();
                let shown = if is_sensitive(&path) {
                    "this value".to_string()
                } else {
                    found(value, false)
                };
                out.push(problem(
                    format!("{shown} is not allowed here"),
                    Some(format!("allowed values: {}", allowed.join(", "))),
                ));
            }
            K::Minimum { .. }
            | K::Maximum { .. }
            | K::ExclusiveMinimum { .. }
            | K::ExclusiveMaximum { .. } => {
                let shown = found(value, is_sensitive(&path));
                out.push(problem(
                    format!("{shown} is out of range"),
                    Some(format!("write {}", expected(self.root, schema))),
                ));
            }
            K::Type { .. } => out.push(self.type_problem(&path, schema, value)),
            other => {
                let shown = found(value, is_sensitive(&path));
                out.push(problem(
                    format!("{shown} is not valid here (`{}`)", other.keyword()),
                    Some(format!("write {}", expected(self.root, schema))),
                ));
            }
        }
    }

    /// A value matching none of a union's alternatives. `Option<T>` is `T` or null; `app.env`
    /// values are text, `{ secret: NAME }` or `{ plain: VALUE }`. When the value's shape fits
    /// one alternative, that alternative's own (deeper) problems are reported.
    fn any_of(
        &self,
        path: &[String],
        schema: &Json,
        value: Option<&Json>,
        context: &[Vec<jsonschema::ValidationError<'static>>],
        out: &mut Vec<Problem>,
    ) {
        use jsonschema::error::ValidationErrorKind as K;
        let raw: Vec<&Json> = deref(self.root, schema)
            .get("anyOf")
            .or_else(|| deref(self.root, schema).get("oneOf"))
            .and_then(Json::as_array)
            .map(|xs| xs.iter().map(|x| deref(self.root, x)).collect())
            .unwrap_or_default();
        // A mapping that shares no key with an alternative's properties is another shape.
        let fits = |i: usize| match (value, raw.get(i)) {
            (Some(Json::Object(m)), Some(alt)) => alt
                .get("properties")
                .and_then(Json::as_object)
                .is_some_and(|p| m.is_empty() || m.keys().any(|k| p.contains_key(k))),
            _ => false,
        };
        let best = context
            .iter()
            .enumerate()
            .filter(|(i, errs)| {
                !errs.is_empty()
                    && errs.iter().all(|e| {
                        e.instance_path().segments().count() > path.len()
                            || (matches!(
                                e.kind(),
                                K::Required { .. } | K::AdditionalProperties { .. }
                            ) && fits(*i))
                    })
            })
            .min_by_key(|(_, errs)| errs.len());
        match best {
            Some((_, errs)) => errs.iter().for_each(|e| self.translate(e, out)),
            None => out.push(self.type_problem(path, schema, value)),
        }
    }

    fn type_problem(&self, path: &[String], schema: &Json, value: Option<&Json>) -> Problem {
        let sensitive = is_sensitive(path);
        let want = expected(self.root, schema);
        let (message, hint) = if is_secret_ref(self.root, schema)
            && !matches!(value, Some(Json::Object(_)))
        {
            let name = default_secret_name(self.root, path);
            (
                format!("secrets are references, write `{{ secret: {name} }}`"),
                Some(
                    "the value goes into the secret store (a Compose `.env`, a Kubernetes Secret, AWS Secrets Manager, an Ansible vault), never into the spec"
                        .to_string(),
                ),
            )
        } else if is_env_value(self.root, schema) && matches!(value, Some(v) if !v.is_object()) {
            let key = path.last().cloned().unwrap_or_default();
            if sensitive {
                (
                    format!("`{key}` looks like a secret: secrets are references, write `{{ secret: {} }}`", suggested_secret_name(&key)),
                    None,
                )
            } else {
                (
                    format!("expected text, found {}", found(value, false)),
                    Some("environment values are text: quote it (`\"1\"`, `\"true\"`) so it arrives byte-exact".into()),
                )
            }
        } else {
            let hint = match value {
                Some(Json::Number(_) | Json::Bool(_))
                    if !sensitive && schema_type(self.root, schema) == Some("string") =>
                {
                    Some(format!(
                        "quote it (`\"{}\"`) if you mean the text",
                        scalar_text(value.unwrap_or(&Json::Null))
                    ))
                }
                _ => None,
            };
            (
                format!("expected {want}, found {}", found(value, sensitive)),
                hint,
            )
        };
        let hint = hint.or_else(|| {
            let values = enum_values(self.root, schema);
            (!values.is_empty()).then(|| format!("allowed values: {}", values.join(", ")))
        });
        Problem {
            path: path.to_vec(),
            message,
            hint,
            prune: Some(path.to_vec()),
            missing_in: None,
            scope: scope_of(self.root, schema, path),
        }
    }
}

/// The values an enum allows (`bundled`, `external`), empty for anything else.
fn enum_values(root: &Json, schema: &Json) -> Vec<String> {
    let mut out = Vec::new();
    for alt in alternatives(root, schema) {
        if let Some(c) = alt.get("const") {
            out.push(format!("`{}`", scalar_text(c)));
        }
        if let Some(xs) = alt.get("enum").and_then(Json::as_array) {
            out.extend(xs.iter().map(|x| format!("`{}`", scalar_text(x))));
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(xs) = alt.get(key).and_then(Json::as_array) {
                out.extend(
                    xs.iter()
                        .filter_map(|x| deref(root, x).get("const"))
                        .map(|c| format!("`{}`", scalar_text(c))),
                );
            }
        }
    }
    out
}

fn scope_of(root: &Json, schema: &Json, path: &[String]) -> Path {
    let switch =
        !enum_values(root, schema).is_empty() || schema_type(root, schema) == Some("boolean");
    if switch && path.len() >= 2 {
        path[..path.len() - 1].to_vec()
    } else {
        path.to_vec()
    }
}

fn first_sentence(s: &str) -> String {
    let s = s.split("\n\n").next().unwrap_or(s).replace('\n', " ");
    match s.find(". ") {
        Some(i) => s[..i].to_string(),
        None => s.trim_end_matches('.').to_string(),
    }
}

fn value_at<'a>(doc: &'a Json, path: &[String]) -> Option<&'a Json> {
    let mut v = doc;
    for seg in path {
        v = match v {
            Json::Object(m) => m.get(seg)?,
            Json::Array(xs) => xs.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(v)
}

/// Follows a local `$ref` (`#/$defs/Name`).
fn deref<'a>(root: &'a Json, schema: &'a Json) -> &'a Json {
    let mut s = schema;
    for _ in 0..8 {
        match s.get("$ref").and_then(Json::as_str) {
            Some(r) => match r.strip_prefix('#').and_then(|p| root.pointer(p)) {
                Some(t) => s = t,
                None => return s,
            },
            None => return s,
        }
    }
    s
}

/// The alternatives of a union that are not `null`.
fn alternatives<'a>(root: &'a Json, schema: &'a Json) -> Vec<&'a Json> {
    let s = deref(root, schema);
    match s
        .get("anyOf")
        .or_else(|| s.get("oneOf"))
        .and_then(Json::as_array)
    {
        Some(xs) => xs
            .iter()
            .map(|x| deref(root, x))
            .filter(|x| x.get("type").and_then(Json::as_str) != Some("null"))
            .collect(),
        None => vec![s],
    }
}

fn property_schema<'a>(root: &'a Json, schema: &'a Json, key: &str) -> Option<&'a Json> {
    alternatives(root, schema)
        .into_iter()
        .find_map(|s| s.get("properties").and_then(|p| p.get(key)))
}

/// The schema of the value at `path`, if the schema describes one there.
fn at<'a>(root: &'a Json, path: &[String]) -> Option<&'a Json> {
    let mut s = root;
    for seg in path {
        s = child_of(root, s, seg)?;
    }
    Some(s)
}

fn def_name(schema: &Json) -> Option<&str> {
    schema
        .get("$ref")
        .and_then(Json::as_str)
        .and_then(|r| r.rsplit('/').next())
}

/// A `{ secret: NAME }` (or an optional one), and nothing else.
fn is_secret_ref(root: &Json, schema: &Json) -> bool {
    let direct = |s: &Json| def_name(s) == Some("SecretRef");
    direct(schema)
        || deref(root, schema)
            .get("anyOf")
            .and_then(Json::as_array)
            .is_some_and(|xs| {
                xs.iter().any(direct)
                    && xs
                        .iter()
                        .all(|x| direct(x) || x.get("type").and_then(Json::as_str) == Some("null"))
            })
}

fn is_env_value(root: &Json, schema: &Json) -> bool {
    def_name(schema) == Some("EnvVar")
        || deref(root, schema).get("anyOf").is_some_and(|a| {
            a.as_array().is_some_and(|xs| {
                xs.iter().any(|x| def_name(x) == Some("SecretRef"))
                    && xs
                        .iter()
                        .any(|x| x.get("type").and_then(Json::as_str) == Some("string"))
            })
        })
}

fn schema_type<'a>(root: &'a Json, schema: &'a Json) -> Option<&'a str> {
    let alts = alternatives(root, schema);
    match alts.as_slice() {
        [one] => one.get("type").and_then(Json::as_str),
        _ => None,
    }
}

/// The logical secret name a secret field defaults to, else one derived from the key.
fn default_secret_name(root: &Json, path: &[String]) -> String {
    let parent = at(root, &path[..path.len().saturating_sub(1)]);
    let key = path.last().map(String::as_str).unwrap_or("secret");
    parent
        .and_then(|p| property_schema(root, p, key))
        .and_then(|p| p.get("default"))
        .and_then(|d| d.get("secret"))
        .and_then(Json::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| {
            let base = match path {
                [.., section, k] if k == "password" || k == "url" => format!("{section}-{k}"),
                _ => key.to_string(),
            };
            suggested_secret_name(&base)
        })
}

/// What the schema wants, in plain words.
fn expected(root: &Json, schema: &Json) -> String {
    if is_secret_ref(root, schema) {
        return "a secret reference `{ secret: NAME }`".into();
    }
    if is_env_value(root, schema) {
        return "text, `{ secret: NAME }` or `{ plain: VALUE }`".into();
    }
    let alts = alternatives(root, schema);
    let words: Vec<String> = alts.iter().map(|s| expected_one(root, s)).collect();
    let mut words = words;
    words.dedup();
    match words.len() {
        0 => "a value".into(),
        1 => words.remove(0),
        _ => words.join(" or "),
    }
}

fn expected_one(root: &Json, s: &Json) -> String {
    let s = deref(root, s);
    if let Some(values) = s.get("enum").and_then(Json::as_array) {
        let v: Vec<String> = values.iter().map(scalar_text).collect();
        return format!("one of {}", v.join(", "));
    }
    if let Some(alts) = s
        .get("oneOf")
        .or_else(|| s.get("anyOf"))
        .and_then(Json::as_array)
    {
        let v: Vec<String> = alts.iter().map(|a| expected_one(root, a)).collect();
        return v.join(" or ");
    }
    if let Some(c) = s.get("const") {
        return format!("`{}`", scalar_text(c));
    }
    match s.get("type").and_then(Json::as_str) {
        Some("string") => "text".into(),
        Some("boolean") => "`true` or `false`".into(),
        Some("integer") => {
            let min = s.get("minimum").and_then(Json::as_i64);
            let max = s.get("maximum").and_then(Json::as_i64);
            match (min, max) {
                // The bound of a 32-bit count says nothing a user needs.
                (Some(0), Some(b)) if b >= i64::from(u32::MAX) => {
                    "a whole number (0 or more)".into()
                }
                (Some(a), Some(b)) => format!("a whole number from {a} to {b}"),
                (Some(a), None) => format!("a whole number of at least {a}"),
                _ => "a whole number".into(),
            }
        }
        Some("number") => "a number".into(),
        Some("array") => match s.get("items") {
            Some(items) => format!("a list of {}", plural(&expected(root, items))),
            None => "a list".into(),
        },
        Some("object") => {
            if let Some(Json::Object(props)) = s.get("properties") {
                let keys: Vec<&str> = props.keys().map(String::as_str).collect();
                format!("a mapping with the keys {}", keys.join(", "))
            } else if let Some(v @ Json::Object(_)) = s.get("additionalProperties") {
                format!("a mapping of names to {}", plural(&expected(root, v)))
            } else {
                "a mapping".into()
            }
        }
        _ => "a value".into(),
    }
}

fn plural(s: &str) -> String {
    match s {
        "text" => "text values".into(),
        s => s
            .strip_prefix("a ")
            .map_or(s.to_string(), |r| format!("{r}s")),
    }
}

fn scalar_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What was found, in plain words; the value itself only when it is not sensitive.
fn found(value: Option<&Json>, sensitive: bool) -> String {
    let short = |s: &str| {
        let cut: String = s.chars().take(60).collect();
        if cut.len() < s.len() {
            format!("{cut}…")
        } else {
            cut
        }
    };
    match value {
        None | Some(Json::Null) => "nothing".into(),
        Some(Json::Object(_)) => "a mapping".into(),
        Some(Json::Array(_)) => "a list".into(),
        Some(_) if sensitive => "a plain value (not shown)".into(),
        Some(Json::String(s)) => format!("the text `{}`", short(s)),
        Some(Json::Number(n)) => format!("the number `{n}`"),
        Some(Json::Bool(b)) => format!("`{b}`"),
    }
}

/// `known keys here: ...`, with a suggestion when one is close to the unknown key.
fn known_keys_hint(root: &Json, schema: &Json, key: &str) -> String {
    let mut keys: Vec<&str> = alternatives(root, schema)
        .iter()
        .filter_map(|s| s.get("properties").and_then(Json::as_object))
        .flat_map(Map::keys)
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let close = keys
        .iter()
        .map(|k| (edit_distance(&key.to_ascii_lowercase(), k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min();
    let list = keys
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match close {
        Some((_, k)) => format!("did you mean `{k}`? known keys here: {list}"),
        None => format!("known keys here: {list}"),
    }
}

/// Levenshtein distance, with a transposition counting as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// Removes the value at `path` from `doc` (a mapping entry or a list item).
pub(crate) fn prune(doc: &mut Json, path: &[String]) {
    let Some((last, parent)) = path.split_last() else {
        *doc = Json::Object(Map::new());
        return;
    };
    let mut v = doc;
    for seg in parent {
        v = match v {
            Json::Object(m) => match m.get_mut(seg) {
                Some(x) => x,
                None => return,
            },
            Json::Array(xs) => match seg.parse::<usize>().ok().and_then(|i| xs.get_mut(i)) {
                Some(x) => x,
                None => return,
            },
            _ => return,
        };
    }
    match v {
        Json::Object(m) => {
            m.remove(last);
        }
        // Keep indices stable for the other problems: a list item becomes null only if the list
        // allows it; otherwise the whole list goes.
        Json::Array(xs) => xs.clear(),
        _ => {}
    }
}

//! Small constructors over `hcl-rs` so the concern modules read like the HCL they build.
//!
//! Every expression is typed (`hcl::Expression`); nothing is spliced into HCL text. Literal
//! strings stay `Expression::String`, which the formatter escapes (a `${` in a spec value
//! becomes `$${`), and interpolation exists only where [`tmpl`] is used on our own constants.

use hcl::expr::{
    Expression, FuncCall, Object, ObjectKey, TemplateExpr, Traversal, TraversalOperator, Variable,
};
use hcl::structure::{Attribute, BlockLabel, Structure};
use hcl::{Block, Identifier};

/// A reference such as `aws_vpc.this.id`, `aws_subnet.private[*].id`,
/// `local.azs[count.index]` or `aws_nat_gateway.this[0].id`.
pub fn r(path: &str) -> Expression {
    let mut parts = split_path(path);
    let root = parts.next().unwrap_or_default();
    let (root, root_index) = match root.split_once('[') {
        Some((name, rest)) => (name, Some(rest.trim_end_matches(']'))),
        None => (root, None),
    };
    let mut all: Vec<TraversalOperator> = Vec::new();
    if let Some(i) = root_index {
        all.push(index_op(i));
    }
    for part in parts {
        push_ops(part, &mut all);
    }
    if all.is_empty() {
        return Expression::Variable(Variable::unchecked(root));
    }
    Expression::Traversal(Box::new(Traversal::new(Variable::unchecked(root), all)))
}

/// The parts of `path` between dots; dots inside `[...]` (as in `[count.index]`) do not split.
/// Always at least one part (which may be empty).
fn split_path(path: &str) -> impl Iterator<Item = &str> {
    let bytes = path.as_bytes();
    let (mut start, mut i, mut depth, mut done) = (0, 0, 0i32, false);
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        while i < bytes.len() {
            match bytes[i] {
                b'[' => depth += 1,
                b']' => depth -= 1,
                b'.' if depth == 0 => {
                    let part = &path[start..i];
                    i += 1;
                    start = i;
                    return Some(part);
                }
                _ => {}
            }
            i += 1;
        }
        done = true;
        Some(&path[start..])
    })
}

fn push_ops(part: &str, ops: &mut Vec<TraversalOperator>) {
    match part.split_once('[') {
        Some((name, rest)) => {
            if !name.is_empty() {
                ops.push(TraversalOperator::GetAttr(Identifier::unchecked(name)));
            }
            ops.push(index_op(rest.trim_end_matches(']')));
        }
        None => ops.push(TraversalOperator::GetAttr(Identifier::unchecked(part))),
    }
}

fn index_op(index: &str) -> TraversalOperator {
    if index == "*" {
        TraversalOperator::FullSplat
    } else if let Ok(n) = index.parse::<u64>() {
        TraversalOperator::Index(Expression::from(n))
    } else if let Some(s) = index.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        TraversalOperator::Index(Expression::String(s.to_string()))
    } else {
        TraversalOperator::Index(r(index))
    }
}

/// A quoted template with interpolations (`"${path.module}/x"`). Only for our own constants.
pub fn tmpl(template: &str) -> Expression {
    Expression::TemplateExpr(Box::new(TemplateExpr::QuotedString(template.to_string())))
}

/// A literal string (escaped by the formatter).
pub fn s(value: impl Into<String>) -> Expression {
    Expression::String(value.into())
}

/// A list of literal strings.
pub fn strings<I, S>(values: I) -> Expression
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    Expression::Array(values.into_iter().map(|v| s(v)).collect())
}

/// A list of expressions.
pub fn list(values: Vec<Expression>) -> Expression {
    Expression::Array(values)
}

/// A function call `name(args...)`.
pub fn call(name: &str, args: Vec<Expression>) -> Expression {
    let mut b = FuncCall::builder(Identifier::unchecked(name));
    for a in args {
        b = b.arg(a);
    }
    Expression::FuncCall(Box::new(b.build()))
}

/// An object with identifier keys (`{ Name = "x" }`), in the given order.
pub fn object<K: Into<String>>(entries: Vec<(K, Expression)>) -> Expression {
    let mut o = Object::new();
    for (k, v) in entries {
        let k: String = k.into();
        let key = if k
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && k.starts_with(|c: char| c.is_ascii_alphabetic())
        {
            ObjectKey::Identifier(Identifier::unchecked(k))
        } else {
            ObjectKey::Expression(Expression::String(k))
        };
        o.insert(key, v);
    }
    Expression::Object(o)
}

/// A binary operation written as a raw condition (`a == b`), from typed operands.
pub fn op(lhs: Expression, operator: hcl::expr::BinaryOperator, rhs: Expression) -> Expression {
    Expression::Operation(Box::new(hcl::expr::Operation::Binary(
        hcl::expr::BinaryOp::new(lhs, operator, rhs),
    )))
}

/// `resource "kind" "name" { ... }`.
pub fn resource(kind: &str, name: &str) -> BlockBuilder {
    block("resource").add_label(kind).add_label(name)
}

/// `data "kind" "name" { ... }`.
pub fn data(kind: &str, name: &str) -> BlockBuilder {
    block("data").add_label(kind).add_label(name)
}

/// A nested block without labels.
pub fn block(ident: &str) -> BlockBuilder {
    BlockBuilder {
        identifier: identifier(ident),
        labels: Vec::new(),
        body: Vec::with_capacity(8),
    }
}

/// `key` as an identifier, exactly as `hcl-rs` makes one from a string
/// (`Identifier::sanitized`, which rewrites it character by character), without that pass
/// when it is already a plain ASCII identifier: a letter or `_`, then letters, digits, `_`
/// and `-` (what `sanitized` keeps as it is).
fn identifier(key: &str) -> Identifier {
    let bytes = key.as_bytes();
    let plain = bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-');
    if plain {
        Identifier::unchecked(key)
    } else {
        Identifier::sanitized(key)
    }
}

/// `hcl::BlockBuilder`'s methods, building the same block: attribute keys are made by
/// [`identifier`] (most of the time `hcl-rs` spent building blocks went to sanitising keys
/// that were already identifiers), and the body is collected in a vector sized for a typical
/// block rather than grown from empty.
#[derive(Debug)]
pub struct BlockBuilder {
    identifier: Identifier,
    labels: Vec<BlockLabel>,
    body: Vec<Structure>,
}

/// What [`BlockBuilder::add_attribute`] takes: a `(key, value)` pair or an `Attribute`.
pub trait IntoAttribute {
    /// The attribute.
    fn into_attribute(self) -> Attribute;
}

impl<K: AsRef<str>, V: Into<Expression>> IntoAttribute for (K, V) {
    fn into_attribute(self) -> Attribute {
        Attribute::new(identifier(self.0.as_ref()), self.1)
    }
}

impl IntoAttribute for Attribute {
    fn into_attribute(self) -> Attribute {
        self
    }
}

impl BlockBuilder {
    /// Adds a label.
    pub fn add_label(mut self, label: impl Into<BlockLabel>) -> Self {
        self.labels.push(label.into());
        self
    }

    /// Adds labels.
    pub fn add_labels<I>(mut self, iter: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<BlockLabel>,
    {
        self.labels.extend(iter.into_iter().map(Into::into));
        self
    }

    /// Adds an attribute: `("key", value)` or an `Attribute`.
    pub fn add_attribute(mut self, attr: impl IntoAttribute) -> Self {
        self.body.push(Structure::Attribute(attr.into_attribute()));
        self
    }

    /// Adds attributes.
    pub fn add_attributes<I>(mut self, iter: I) -> Self
    where
        I: IntoIterator,
        I::Item: IntoAttribute,
    {
        self.body.extend(
            iter.into_iter()
                .map(|a| Structure::Attribute(a.into_attribute())),
        );
        self
    }

    /// Adds a nested block.
    pub fn add_block(mut self, block: impl Into<Block>) -> Self {
        self.body.push(Structure::Block(block.into()));
        self
    }

    /// Adds nested blocks.
    pub fn add_blocks<I>(mut self, iter: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Block>,
    {
        self.body
            .extend(iter.into_iter().map(|b| Structure::Block(b.into())));
        self
    }

    /// Adds a structure (attribute or block).
    pub fn add_structure(mut self, structure: impl Into<Structure>) -> Self {
        self.body.push(structure.into());
        self
    }

    /// Adds structures.
    pub fn add_structures<I>(mut self, iter: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Structure>,
    {
        self.body.extend(iter.into_iter().map(Into::into));
        self
    }

    /// The block.
    pub fn build(self) -> Block {
        Block::from((self.identifier, self.labels, self.body))
    }
}

impl From<BlockBuilder> for Block {
    fn from(b: BlockBuilder) -> Block {
        b.build()
    }
}

/// One `.tf` file: top-level blocks, each with an optional comment written above it.
#[derive(Debug, Default)]
pub struct File {
    items: Vec<(String, Block)>,
}

impl File {
    /// Adds a block with no comment.
    pub fn add(&mut self, block: Block) {
        self.items.push((String::new(), block));
    }

    /// Adds a block with a comment (one `#` line per line of `comment`).
    pub fn note(&mut self, comment: &str, block: Block) {
        self.items.push((comment.to_string(), block));
    }

    /// True when the file has no block.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The file's text: each block formatted by `hcl-rs` and aligned as `terraform fmt` does,
    /// blocks separated by one blank line.
    pub fn render(self, header: &str) -> Result<String, hcl::Error> {
        let mut out = String::with_capacity(4096);
        // One buffer for every block's formatted text, reused.
        let mut buf = Vec::with_capacity(4096);
        comment_lines(header, &mut out);
        for (comment, block) in self.items {
            out.push('\n');
            comment_lines(&comment, &mut out);
            buf.clear();
            format(&block, &mut buf)?;
            // The formatter writes UTF-8; the lossy conversion is only the fallback it never
            // takes.
            match std::str::from_utf8(&buf) {
                Ok(text) => crate::fmt::align_into(text, &mut out),
                Err(_) => crate::fmt::align_into(&String::from_utf8_lossy(&buf), &mut out),
            }
        }
        Ok(out)
    }
}

/// `hcl-rs`'s formatter with lists on one line, as they are usually written by hand, writing
/// to `buf`.
/// A block on its own, as `hcl-rs` formats a body holding only that block.
fn format(block: &Block, buf: &mut Vec<u8>) -> Result<(), hcl::Error> {
    use hcl::format::{Format, Formatter};
    let mut f = Formatter::builder().compact_arrays(true).build(buf);
    block.format(&mut f)
}

/// `text` as `#` comment lines (an empty line is a bare `#`).
fn comment_lines(text: &str, out: &mut String) {
    for line in text.lines() {
        out.push('#');
        if !line.is_empty() {
            out.push(' ');
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// `expr.name`: an attribute of any expression (`jsondecode(...).policyDocument`).
pub fn traverse_attr(expr: Expression, name: &str) -> Expression {
    Expression::Traversal(Box::new(Traversal::new(
        expr,
        [TraversalOperator::GetAttr(Identifier::sanitized(name))],
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `r` as first written: parts collected as owned strings.
    fn r_reference(path: &str) -> Expression {
        let mut parts = split_path_reference(path).into_iter();
        let root = parts.next().unwrap_or_default();
        let mut ops: Vec<TraversalOperator> = Vec::new();
        for part in parts {
            push_ops(&part, &mut ops);
        }
        let (root, root_index) = match root.split_once('[') {
            Some((name, rest)) => (
                name.to_string(),
                Some(rest.trim_end_matches(']').to_string()),
            ),
            None => (root, None),
        };
        let mut all = Vec::new();
        if let Some(i) = root_index {
            all.push(index_op(&i));
        }
        all.extend(ops);
        if all.is_empty() {
            return Expression::Variable(Variable::unchecked(root));
        }
        Expression::Traversal(Box::new(Traversal::new(Variable::unchecked(root), all)))
    }

    fn split_path_reference(path: &str) -> Vec<String> {
        let mut out = Vec::new();
        let (mut cur, mut depth) = (String::new(), 0);
        for c in path.chars() {
            match c {
                '[' => {
                    depth += 1;
                    cur.push(c);
                }
                ']' => {
                    depth -= 1;
                    cur.push(c);
                }
                '.' if depth == 0 => out.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            }
        }
        out.push(cur);
        out
    }

    /// The same block as `hcl-rs`'s builder, whatever the order of the calls.
    #[test]
    fn builds_what_hcl_builds() {
        let ours = resource("aws_x", "this")
            .add_attribute(("name", s("a")))
            .add_block(block("inner").add_attribute(("k-1", r("var.x"))))
            .add_attributes([("b", s("b")), ("with space", s("c"))])
            .add_labels(["extra"])
            .add_structure(Attribute::new("z", 1))
            .add_blocks([block("n").build()])
            .add_structures([Structure::from(Attribute::new("y", true))])
            .add_attribute(Attribute::new("w", s("w")))
            .build();
        let hcl = Block::builder("resource")
            .add_label("aws_x")
            .add_label("this")
            .add_attribute(("name", s("a")))
            .add_block(
                Block::builder("inner")
                    .add_attribute(("k-1", r("var.x")))
                    .build(),
            )
            .add_attributes([("b", s("b")), ("with space", s("c"))])
            .add_labels(["extra"])
            .add_structure(Attribute::new("z", 1))
            .add_blocks([Block::builder("n").build()])
            .add_structures([Structure::from(Attribute::new("y", true))])
            .add_attribute(Attribute::new("w", s("w")))
            .build();
        assert_eq!(ours, hcl);
    }

    /// Every key of up to four characters over letters, digits, `_`, `-`, a space, a dot and
    /// non-ASCII identifier and non-identifier characters: the same identifier as
    /// `hcl-rs`'s `Identifier::sanitized`.
    #[test]
    fn identifiers_equal_sanitized() {
        let alphabet = ['a', 'Z', '0', '_', '-', ' ', '.', 'é', '\u{2028}', '\u{e9}'];
        let mut keys = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..4 {
            last = last
                .iter()
                .flat_map(|k| alphabet.iter().map(move |c| format!("{k}{c}")))
                .collect();
            keys.extend(last.iter().cloned());
        }
        keys.extend(["aws_vpc", "cidr_block", "Name", "for_each", "x-y", "1a"].map(String::from));
        for k in &keys {
            assert_eq!(identifier(k), Identifier::sanitized(k), "{k:?}");
        }
    }

    /// Every path of up to five characters over the characters that matter, and the shapes
    /// the modules write: the same expression as the first implementation.
    #[test]
    fn references_equal_the_first_implementation() {
        let alphabet = ['a', '.', '[', ']', '*', '0', '"', 'é'];
        let mut paths = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..5 {
            last = last
                .iter()
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            paths.extend(last.iter().cloned());
        }
        paths.extend(
            [
                "aws_vpc.this.id",
                "aws_subnet.private[*].id",
                "local.azs[count.index]",
                "aws_nat_gateway.this[0].id",
                "aws_secretsmanager_secret.this[\"db\"].arn",
                "each.value",
                "var.x[local.y[0]].z[*]",
            ]
            .map(String::from),
        );
        for p in &paths {
            assert_eq!(r(p), r_reference(p), "{p:?}");
        }
    }
}

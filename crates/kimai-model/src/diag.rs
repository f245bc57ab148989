//! Diagnostics: every problem of a spec, each with its field path, the offending value and a hint.

use std::fmt;

/// One problem found in a spec.
///
/// `path` is the dotted field path (`scaling.min_replicas`, `app.env.FOO`), empty for the
/// document as a whole. Messages are lowercase, name the offending value in backticks and carry
/// no trailing period.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Dotted path of the offending field.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when the fix is known.
    pub hint: Option<String>,
    /// 1-based line in the source file, when known (parse errors).
    pub line: Option<usize>,
}

impl Diagnostic {
    /// A diagnostic at `path` with `message` and no hint.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            message: message.into(),
            hint: None,
            line: None,
        }
    }

    /// The same diagnostic with a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "spec"
        } else {
            &self.path
        };
        write!(f, "{path}")?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Every problem of one spec, in field-path order. Never empty when returned as an error.
///
/// `Display` is the command's exact text (`N problems in the spec:` then one `- path (line N):
/// message` line per problem, each hint on its own line). `Debug` prints the same text, so
/// `fn main() -> Result<(), Box<dyn Error>>` with `?` shows the problems, not the structure.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Debug for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Diagnostics {
    /// Adds one problem.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Shorthand for `push(Diagnostic::new(path, message))`.
    pub fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.push(Diagnostic::new(path, message));
    }

    /// Shorthand for a problem with a hint.
    pub fn error_hint(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(Diagnostic::new(path, message).hint(hint));
    }

    /// True when no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The problems.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// `Ok(value)` when there is no problem, otherwise every problem sorted by path.
    pub fn into_result<T>(mut self, value: T) -> Result<T, Diagnostics> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            self.0.sort();
            self.0.dedup();
            Err(self)
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(
            f,
            "{n} problem{} in the spec:",
            if n == 1 { "" } else { "s" }
        )?;
        for d in &self.0 {
            writeln!(f, "- {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Something the target cannot express, said plainly instead of silently dropped.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Notice {
    /// The target that cannot express the setting (`compose`, `k8s`, `ecs`, `ansible`).
    pub target: &'static str,
    /// The spec field the notice is about.
    pub path: String,
    /// What the target does instead.
    pub message: String,
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.target, self.path, self.message)
    }
}

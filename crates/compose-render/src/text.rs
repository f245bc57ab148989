//! Strings as Compose reads them: literal text with `$` escaped, and `${VAR}` references.
//!
//! Compose interpolates `$` in every value of compose.yaml. A [`Text`] keeps the two kinds of
//! part apart until serialisation, so a literal `$` can never turn into a variable reference.

use serde::{Serialize, Serializer};

/// One part of a [`Text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text; every `$` is written as `$$`.
    Lit(String),
    /// A required variable from `.env`: `${NAME:?message}`.
    Var(String),
}

/// A compose.yaml string value built from literal text and variable references.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub Vec<Part>);

impl Text {
    /// Literal text only.
    pub fn lit(s: impl Into<String>) -> Self {
        Text(vec![Part::Lit(s.into())])
    }

    /// One required variable.
    pub fn var(name: impl Into<String>) -> Self {
        Text(vec![Part::Var(name.into())])
    }

    /// The string as written in compose.yaml.
    pub fn to_compose(&self) -> String {
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Part::Lit(s) => out.push_str(&s.replace('$', "$$")),
                Part::Var(v) => {
                    out.push_str("${");
                    out.push_str(v);
                    out.push_str(":?set ");
                    out.push_str(v);
                    out.push_str(" in .env}");
                }
            }
        }
        out
    }

    /// Names of the variables this text reads.
    pub fn vars(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|p| match p {
            Part::Var(v) => Some(v.as_str()),
            Part::Lit(_) => None,
        })
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text::lit(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text::lit(s)
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_compose())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_dollars_are_escaped_and_vars_are_required() {
        let t = Text(vec![
            Part::Lit("mysql://u:".into()),
            Part::Var("DB_PASSWORD_URLENCODED".into()),
            Part::Lit("@db/x?$".into()),
        ]);
        assert_eq!(
            t.to_compose(),
            "mysql://u:${DB_PASSWORD_URLENCODED:?set DB_PASSWORD_URLENCODED in .env}@db/x?$$"
        );
        assert_eq!(t.vars().collect::<Vec<_>>(), ["DB_PASSWORD_URLENCODED"]);
    }
}

//! The one layout rule `terraform fmt` adds to `hcl-rs`'s formatter: the `=` of consecutive
//! single-line attributes at one indentation line up.

/// Aligns the `=` of each run of consecutive single-line attributes with the same
/// indentation. A line that opens a multi-line value, a block, a blank line or a change of
/// indentation ends the run, as in `terraform fmt`.
pub fn align(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut run: Vec<(usize, &str, &str, &str)> = Vec::new(); // (indent, indent str, key, value)
    let flush = |run: &mut Vec<(usize, &str, &str, &str)>, out: &mut Vec<String>| {
        let width = run.iter().map(|(_, _, k, _)| k.len()).max().unwrap_or(0);
        for (_, ind, k, v) in run.drain(..) {
            out.push(format!("{ind}{k:<width$} = {v}"));
        }
    };
    for line in lines {
        match single_line_attribute(line) {
            Some((ind, key, value)) => {
                if run.first().is_some_and(|(n, ..)| *n != ind.len()) {
                    flush(&mut run, &mut out);
                }
                run.push((ind.len(), ind, key, value));
            }
            None => {
                flush(&mut run, &mut out);
                out.push(line.to_string());
            }
        }
    }
    flush(&mut run, &mut out);
    let mut s = out.join("\n");
    s.push('\n');
    s
}

/// `(indentation, key, value)` of `  key = value` when the value ends on this line.
fn single_line_attribute(line: &str) -> Option<(&str, &str, &str)> {
    let trimmed = line.trim_start();
    let ind = &line[..line.len() - trimmed.len()];
    let (key, value) = trimmed.split_once(" = ")?;
    let is_key = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        || (key.starts_with('"') && key.ends_with('"') && key.len() > 1);
    let opens = value.ends_with('{') || value.ends_with('[') || value.ends_with('(');
    (is_key && !opens).then_some((ind, key, value))
}

#[cfg(test)]
mod tests {
    use super::align;

    #[test]
    fn aligns_runs_and_leaves_blocks_alone() {
        let text = "resource \"a\" \"b\" {\n  name = \"x\"\n  description = \"y\"\n\n  tags = {\n    A = 1\n    Long = 2\n  }\n}\n";
        let want = "resource \"a\" \"b\" {\n  name        = \"x\"\n  description = \"y\"\n\n  tags = {\n    A    = 1\n    Long = 2\n  }\n}\n";
        assert_eq!(align(text), want);
    }
}

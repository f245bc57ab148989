//! The one layout rule `terraform fmt` adds to `hcl-rs`'s formatter: the `=` of consecutive
//! single-line attributes at one indentation line up.

/// Aligns the `=` of each run of consecutive single-line attributes with the same
/// indentation, appending the result to `out`. A line that opens a multi-line value, a block,
/// a blank line or a change of indentation ends the run, as in `terraform fmt`.
pub fn align_into(text: &str, out: &mut String) {
    // (indentation, key, value) of the current run.
    let mut run: Vec<(&str, &str, &str)> = Vec::new();
    fn flush(run: &mut Vec<(&str, &str, &str)>, out: &mut String) {
        let width = run.iter().map(|(_, k, _)| k.len()).max().unwrap_or(0);
        for (ind, k, v) in run.drain(..) {
            out.push_str(ind);
            out.push_str(k);
            for _ in k.len()..width {
                out.push(' ');
            }
            out.push_str(" = ");
            out.push_str(v);
            out.push('\n');
        }
    }
    for line in text.lines() {
        match single_line_attribute(line) {
            Some((ind, key, value)) => {
                if run.first().is_some_and(|(i, ..)| i.len() != ind.len()) {
                    flush(&mut run, out);
                }
                run.push((ind, key, value));
            }
            None => {
                flush(&mut run, out);
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    flush(&mut run, out);
}

/// `(indentation, key, value)` of `  key = value` when the value ends on this line. A byte scan,
/// not a substring search: this runs for every line of every file.
fn single_line_attribute(line: &str) -> Option<(&str, &str, &str)> {
    let trimmed = line.trim_start_matches(' ');
    let ind = &line[..line.len() - trimmed.len()];
    let bytes = trimmed.as_bytes();
    let key_len = if bytes.first() == Some(&b'"') {
        trimmed[1..].find('"')? + 2
    } else {
        bytes
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-')
            .count()
    };
    let value = trimmed.get(key_len..)?.strip_prefix(" = ")?;
    let opens = value.ends_with(['{', '[', '(']);
    (key_len > 0 && !opens).then_some((ind, &trimmed[..key_len], value))
}

#[cfg(test)]
mod tests {
    use super::align_into;

    fn align(text: &str) -> String {
        let mut out = String::new();
        align_into(text, &mut out);
        out
    }

    #[test]
    fn aligns_runs_and_leaves_blocks_alone() {
        let text = "resource \"a\" \"b\" {\n  name = \"x\"\n  description = \"y\"\n\n  tags = {\n    A = 1\n    Long = 2\n  }\n}\n";
        let want = "resource \"a\" \"b\" {\n  name        = \"x\"\n  description = \"y\"\n\n  tags = {\n    A    = 1\n    Long = 2\n  }\n}\n";
        assert_eq!(align(text), want);
    }
}

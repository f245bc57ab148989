//! The one layout rule `terraform fmt` adds to `hcl-rs`'s formatter: the `=` of consecutive
//! single-line attributes at one indentation line up.

/// Aligns the `=` of each run of consecutive single-line attributes with the same
/// indentation, appending the result to `out`. A line that opens a multi-line value, a block,
/// a blank line or a change of indentation ends the run, as in `terraform fmt`.
pub fn align_into(text: &str, out: &mut String) {
    out.reserve(text.len() + text.len() / 4);
    // (indentation, key, value) of the current run.
    let mut run: Vec<(&str, &str, &str)> = Vec::with_capacity(16);
    fn flush(run: &mut Vec<(&str, &str, &str)>, out: &mut String) {
        const SPACES: &str = "                                                                ";
        let width = run.iter().map(|(_, k, _)| k.len()).max().unwrap_or(0);
        for (ind, k, v) in run.drain(..) {
            out.push_str(ind);
            out.push_str(k);
            let mut pad = width - k.len();
            while pad > 0 {
                let n = pad.min(SPACES.len());
                out.push_str(&SPACES[..n]);
                pad -= n;
            }
            out.push_str(" = ");
            out.push_str(v);
            out.push('\n');
        }
    }
    for line in lines(text) {
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

/// `text.lines()` (a line ends at `\n` or `\r\n`; a last line needs no ending) by a byte scan:
/// lines are short, so a plain loop beats a `memchr` call per line.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let rest = &bytes[start..];
        let line = match rest.iter().position(|&b| b == b'\n') {
            Some(n) => {
                let line = &text[start..start + n];
                start += n + 1;
                line.strip_suffix('\r').unwrap_or(line)
            }
            None => {
                start = bytes.len();
                &text[text.len() - rest.len()..]
            }
        };
        Some(line)
    })
}

/// `(indentation, key, value)` of `  key = value` when the value ends on this line. A byte scan,
/// not a substring search: this runs for every line of every file.
fn single_line_attribute(line: &str) -> Option<(&str, &str, &str)> {
    let spaces = line.bytes().take_while(|&b| b == b' ').count();
    let (ind, trimmed) = line.split_at(spaces);
    let bytes = trimmed.as_bytes();
    let key_len = if bytes.first() == Some(&b'"') {
        bytes[1..].iter().position(|&b| b == b'"')? + 2
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

    /// `align_into` as first written (`str::lines`, `trim_start_matches`, `find`).
    fn align_reference(text: &str) -> String {
        fn attribute(line: &str) -> Option<(&str, &str, &str)> {
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
        let mut out = String::new();
        let mut run: Vec<(&str, &str, &str)> = Vec::new();
        for line in text.lines() {
            match attribute(line) {
                Some((ind, key, value)) => {
                    if run.first().is_some_and(|(i, ..)| i.len() != ind.len()) {
                        flush(&mut run, &mut out);
                    }
                    run.push((ind, key, value));
                }
                None => {
                    flush(&mut run, &mut out);
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        flush(&mut run, &mut out);
        out
    }

    /// Texts from a fixed pseudo-random sequence over the pieces that matter: the same result
    /// as the first implementation.
    #[test]
    fn equals_the_first_implementation() {
        let pieces = [
            " ",
            "  ",
            "key",
            "\"q k\"",
            "\"",
            " = ",
            "=",
            "{",
            "}",
            "[",
            "(",
            "\n",
            "\r\n",
            "\r",
            "a-b_1",
            "é",
            "x = 1",
            "long_name = \"v\"",
            "${a}",
            "\n\n",
        ];
        let mut seed = 0x2545_F491_4F6C_DD1D_u64;
        for _ in 0..20_000 {
            let mut text = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = (seed % 24) as usize;
            for _ in 0..n {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            assert_eq!(align(&text), align_reference(&text), "{text:?}");
        }
    }

    #[test]
    fn aligns_runs_and_leaves_blocks_alone() {
        let text = "resource \"a\" \"b\" {\n  name = \"x\"\n  description = \"y\"\n\n  tags = {\n    A = 1\n    Long = 2\n  }\n}\n";
        let want = "resource \"a\" \"b\" {\n  name        = \"x\"\n  description = \"y\"\n\n  tags = {\n    A    = 1\n    Long = 2\n  }\n}\n";
        assert_eq!(align(text), want);
    }
}

//! The one layout rule `terraform fmt` adds to `hcl-rs`'s formatter: the `=` of consecutive
//! single-line attributes at one indentation line up.

/// Spaces to pad keys with.
const SPACES: &str = "                                                                ";

/// Aligns the `=` of each run of consecutive single-line attributes with the same
/// indentation, appending the result to `out`. A line that opens a multi-line value, a block,
/// a blank line or a change of indentation ends the run, as in `terraform fmt`.
///
/// Formatter output (every line ends in `\n`, no `\r`) is copied in long stretches, with
/// the padding inserted after short keys; other text goes line by line ([`align_lines`]),
/// where a `\r\n` ending becomes `\n` and a last line gains one.
pub fn align_into(text: &str, out: &mut String) {
    if !text.ends_with('\n') || text.as_bytes().contains(&b'\r') {
        return align_lines(text, out);
    }
    out.reserve(text.len() + text.len() / 4);
    let bytes = text.as_bytes();
    // The text up to `copied` is in `out`.
    let mut copied = 0;
    // (where the key ends, its length) for each attribute of the current run.
    let mut run: Vec<(usize, usize)> = Vec::with_capacity(16);
    let mut run_indent = 0;
    let flush = |run: &mut Vec<(usize, usize)>, copied: &mut usize, out: &mut String| {
        let width = run.iter().map(|&(_, k)| k).max().unwrap_or(0);
        for (key_end, key_len) in run.drain(..) {
            let mut pad = width - key_len;
            if pad > 0 {
                out.push_str(&text[*copied..key_end]);
                *copied = key_end;
            }
            while pad > 0 {
                let n = pad.min(SPACES.len());
                out.push_str(&SPACES[..n]);
                pad -= n;
            }
        }
    };
    let mut start = 0;
    while start < bytes.len() {
        let end = newline(bytes, start);
        match single_line_attribute(&text[start..end]) {
            Some((ind, key, _)) => {
                if !run.is_empty() && run_indent != ind.len() {
                    flush(&mut run, &mut copied, out);
                }
                run_indent = ind.len();
                run.push((start + ind.len() + key.len(), key.len()));
            }
            None => flush(&mut run, &mut copied, out),
        }
        start = end + 1;
    }
    flush(&mut run, &mut copied, out);
    out.push_str(&text[copied..]);
}

/// The index of the first `\n` at or after `from` (`bytes.len()` when none), eight bytes at a
/// time.
fn newline(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(word) ^ (ONES * u64::from(b'\n'));
        // The lowest set high bit marks the first zero byte (the first `\n`).
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| i + p)
}

/// [`align_into`] line by line, for any text.
fn align_lines(text: &str, out: &mut String) {
    // (indentation, key, value) of the current run.
    let mut run: Vec<(&str, &str, &str)> = Vec::new();
    fn flush(run: &mut Vec<(&str, &str, &str)>, out: &mut String) {
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
    let bytes = line.as_bytes();
    let key_start = bytes.iter().position(|&b| b != b' ')?;
    let rest = &bytes[key_start..];
    let key_len = if rest[0] == b'"' {
        // A quoted key, quotes included.
        rest[1..].iter().position(|&b| b == b'"')? + 2
    } else {
        rest.iter()
            .position(|&b| !KEY_BYTES[usize::from(b)])
            .unwrap_or(rest.len())
    };
    let i = key_start + key_len;
    if key_len == 0 || bytes.get(i..i + 3) != Some(b" = ") {
        return None;
    }
    // The value opens a multi-line one when the line ends in `{`, `[` or `(`.
    if matches!(bytes.last(), Some(b'{' | b'[' | b'(')) && line.len() > i + 3 {
        return None;
    }
    Some((&line[..key_start], &line[key_start..i], &line[i + 3..]))
}

/// The bytes of an unquoted key: ASCII letters, digits, `_` and `-`.
const KEY_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::align_into;

    fn align(text: &str) -> String {
        let mut out = String::new();
        align_into(text, &mut out);
        out
    }

    /// The attribute split as first written: `(indent, key, value)` of a one-line attribute.
    fn reference_attribute(line: &str) -> Option<(&str, &str, &str)> {
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

    /// `align_into` as first written (`str::lines`, `trim_start_matches`, `find`).
    fn align_reference(text: &str) -> String {
        use reference_attribute as attribute;
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
            text.push('\n');
            assert_eq!(align(&text), align_reference(&text), "{text:?}");
        }
    }

    /// Lines from the same pieces: the attribute split equals the first implementation's.
    #[test]
    fn attributes_equal_the_first_implementation() {
        use reference_attribute as reference;
        let pieces = [
            " ", "k", "\"", " = ", "=", "{", "[", "(", ")", "é", "-", "_", "1", "x y", " =",
        ];
        let mut lines = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..5 {
            last = last
                .iter()
                .flat_map(|l| pieces.iter().map(move |p| format!("{l}{p}")))
                .collect();
            lines.extend(last.iter().cloned());
        }
        for line in &lines {
            assert_eq!(
                super::single_line_attribute(line),
                reference(line),
                "{line:?}"
            );
        }
    }

    #[test]
    fn finds_newlines_word_by_word() {
        let text = "abcdefgh\nijklmnopqrstuvwxyz0123456789\n\nx";
        let bytes = text.as_bytes();
        for from in 0..=bytes.len() {
            let want = bytes[from..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |p| from + p);
            assert_eq!(super::newline(bytes, from), want, "{from}");
        }
        let high = "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\n\u{8a}";
        assert_eq!(super::newline(high.as_bytes(), 0), 10);
    }

    #[test]
    fn aligns_runs_and_leaves_blocks_alone() {
        let text = "resource \"a\" \"b\" {\n  name = \"x\"\n  description = \"y\"\n\n  tags = {\n    A = 1\n    Long = 2\n  }\n}\n";
        let want = "resource \"a\" \"b\" {\n  name        = \"x\"\n  description = \"y\"\n\n  tags = {\n    A    = 1\n    Long = 2\n  }\n}\n";
        assert_eq!(align(text), want);
    }
}

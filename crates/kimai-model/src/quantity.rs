//! Kubernetes quantity notation (`500m`, `1.5`, `1Gi`, `512Mi`) parsed into exact integers.

/// CPU in millicores (`500m` = 500, `2` = 2000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Millicores(pub u64);

/// Memory in bytes (`1Gi` = 1073741824).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Bytes(pub u64);

impl Millicores {
    /// Parses `500m`, `1`, `0.5`, `2.25`. At most millicore precision.
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || {
            format!("`{s}` is not a CPU quantity (write millicores like `500m` or cores like `1` or `0.5`)")
        };
        if let Some(m) = s.strip_suffix('m') {
            return digits(m).map(Millicores).ok_or_else(bad);
        }
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        if frac.len() > 3 || (int.is_empty() && frac.is_empty()) {
            return Err(bad());
        }
        let i = if int.is_empty() { Some(0) } else { digits(int) };
        let f = if frac.is_empty() {
            Some(0)
        } else {
            digits(frac).map(|v| v * 10u64.pow(3 - frac.len() as u32))
        };
        match (i, f) {
            (Some(i), Some(f)) => i
                .checked_mul(1000)
                .and_then(|v| v.checked_add(f))
                .map(Millicores)
                .ok_or_else(bad),
            _ => Err(bad()),
        }
    }

    /// Cores as a decimal string without trailing zeros (`0.5`, `2`).
    pub fn as_cores(self) -> String {
        let (i, f) = (self.0 / 1000, self.0 % 1000);
        if f == 0 {
            i.to_string()
        } else {
            format!("{i}.{f:03}").trim_end_matches('0').to_string()
        }
    }
}

impl Bytes {
    /// Parses `1Gi`, `512Mi`, `1G`, `500M`, `1048576`. Suffixes: Ki Mi Gi Ti, k M G T.
    pub fn parse(s: &str) -> Result<Self, String> {
        const UNITS: [(&str, u64); 8] = [
            ("Ki", 1 << 10),
            ("Mi", 1 << 20),
            ("Gi", 1 << 30),
            ("Ti", 1 << 40),
            ("k", 1_000),
            ("M", 1_000_000),
            ("G", 1_000_000_000),
            ("T", 1_000_000_000_000),
        ];
        let bad =
            || format!("`{s}` is not a memory quantity (write it like `512Mi`, `1Gi` or `2G`)");
        for (suffix, mult) in UNITS {
            if let Some(n) = s.strip_suffix(suffix) {
                return digits(n)
                    .and_then(|n| n.checked_mul(mult))
                    .map(Bytes)
                    .ok_or_else(bad);
            }
        }
        digits(s).map(Bytes).ok_or_else(bad)
    }

    /// Whole mebibytes, rounded up.
    pub fn mebibytes(self) -> u64 {
        self.0.div_ceil(1 << 20)
    }
}

fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 18 {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu() {
        assert_eq!(Millicores::parse("500m"), Ok(Millicores(500)));
        assert_eq!(Millicores::parse("1"), Ok(Millicores(1000)));
        assert_eq!(Millicores::parse("0.25"), Ok(Millicores(250)));
        assert_eq!(Millicores::parse("2.5"), Ok(Millicores(2500)));
        assert_eq!(Millicores::parse(".5"), Ok(Millicores(500)));
        for bad in [
            "",
            "m",
            "1.2345",
            "-1",
            "1 ",
            "abc",
            "1e3",
            "99999999999999999999",
        ] {
            assert!(Millicores::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Millicores(500).as_cores(), "0.5");
        assert_eq!(Millicores(2000).as_cores(), "2");
        assert_eq!(Millicores(1250).as_cores(), "1.25");
    }

    #[test]
    fn memory() {
        assert_eq!(Bytes::parse("1Gi"), Ok(Bytes(1 << 30)));
        assert_eq!(Bytes::parse("512Mi").map(Bytes::mebibytes), Ok(512));
        assert_eq!(Bytes::parse("1G").map(Bytes::mebibytes), Ok(954));
        assert_eq!(Bytes::parse("1024"), Ok(Bytes(1024)));
        for bad in ["", "Gi", "1.5Gi", "1gi", "-1Gi", "1 Gi"] {
            assert!(Bytes::parse(bad).is_err(), "{bad}");
        }
    }
}

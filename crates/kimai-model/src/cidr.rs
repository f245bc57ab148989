//! CIDR blocks: parsing for validation, and the `TRUSTED_HOSTS` regex alternatives that admit
//! exactly a VPC's IPv4 addresses as `Host` (load-balancer health checks send one).

use std::net::{Ipv4Addr, Ipv6Addr};

/// A parsed CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cidr {
    /// IPv4 network address and prefix length.
    V4(Ipv4Addr, u8),
    /// IPv6 network address and prefix length.
    V6(Ipv6Addr, u8),
}

/// Parses `a.b.c.d/n` or `x:y::/n`; `None` when it is not a CIDR block, or when host bits
/// are set (`10.0.0.1/8` is a typo for a network more often than not).
pub fn parse(s: &str) -> Option<Cidr> {
    let (addr, len) = s.split_once('/')?;
    let len: u8 = len.parse().ok()?;
    if let Ok(a) = addr.parse::<Ipv4Addr>() {
        if len > 32 {
            return None;
        }
        let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
        (u32::from(a) & !mask == 0).then_some(Cidr::V4(a, len))
    } else if let Ok(a) = addr.parse::<Ipv6Addr>() {
        if len > 128 {
            return None;
        }
        let mask = if len == 0 {
            0
        } else {
            u128::MAX << (128 - len)
        };
        (u128::from(a) & !mask == 0).then_some(Cidr::V6(a, len))
    } else {
        None
    }
}

/// Regex alternatives (joined with `|`, no anchors) admitting the addresses of `cidrs` as a
/// host name: exact octet ranges for IPv4; for IPv6 any bracketed address (`[fd00::1]`),
/// since a textual IPv6 prefix cannot be matched exactly once zeros are compressed. Strings
/// that are not CIDR blocks are skipped (validation reports them).
pub fn host_patterns(cidrs: &[String]) -> String {
    let mut alts: Vec<String> = Vec::new();
    let mut v6 = false;
    for c in cidrs {
        match parse(c) {
            Some(Cidr::V4(a, len)) => alts.push(v4_pattern(a, len)),
            Some(Cidr::V6(..)) => v6 = true,
            None => {}
        }
    }
    if v6 {
        alts.push(r"\[[0-9a-f:.]+\]".into());
    }
    alts.dedup();
    alts.join("|")
}

/// One IPv4 block as a regex: fixed octets literally, the partly fixed octet as a number
/// range, the free octets as any number.
fn v4_pattern(a: Ipv4Addr, len: u8) -> String {
    let o = a.octets();
    let mut parts = Vec::with_capacity(4);
    for (i, octet) in o.iter().enumerate() {
        let fixed_bits = (u32::from(len)).saturating_sub(8 * i as u32).min(8);
        let part = match fixed_bits {
            8 => octet.to_string(),
            0 => "[0-9]+".to_string(),
            bits => {
                let lo = u32::from(*octet);
                let hi = lo + (1 << (8 - bits)) - 1;
                let r = range(lo, hi);
                if r.contains('|') {
                    format!("({r})")
                } else {
                    r
                }
            }
        };
        parts.push(part);
    }
    parts.join(r"\.")
}

/// A regex matching exactly the decimal numbers `lo..=hi` (no leading zeros).
fn range(lo: u32, hi: u32) -> String {
    let mut alts = Vec::new();
    // Split by number of digits, then build each same-length range.
    let mut start = lo;
    while start <= hi {
        let digits = start.to_string().len() as u32;
        let top = 10u32.pow(digits) - 1;
        let end = hi.min(top);
        same_length(&start.to_string(), &end.to_string(), &mut alts);
        start = end + 1;
    }
    alts.join("|")
}

/// Alternatives matching the numbers between `lo` and `hi`, written with equally many digits.
fn same_length(lo: &str, hi: &str, out: &mut Vec<String>) {
    if lo.len() == 1 {
        out.push(class(lo.as_bytes()[0], hi.as_bytes()[0]));
        return;
    }
    let (l0, lrest) = (lo.as_bytes()[0], &lo[1..]);
    let (h0, hrest) = (hi.as_bytes()[0], &hi[1..]);
    if l0 == h0 {
        let mut inner = Vec::new();
        same_length(lrest, hrest, &mut inner);
        for i in inner {
            out.push(format!("{}{i}", l0 as char));
        }
        return;
    }
    let n = lrest.len();
    let all_zero = lrest.bytes().all(|b| b == b'0');
    let all_nine = hrest.bytes().all(|b| b == b'9');
    let mut first = l0;
    let mut last = h0;
    if !all_zero {
        let mut inner = Vec::new();
        same_length(lrest, &"9".repeat(n), &mut inner);
        for i in inner {
            out.push(format!("{}{i}", l0 as char));
        }
        first = l0 + 1;
    }
    if !all_nine {
        last = h0 - 1;
    }
    if first <= last {
        out.push(format!("{}{}", class(first, last), "[0-9]".repeat(n)));
    }
    if !all_nine {
        let mut inner = Vec::new();
        same_length(&"0".repeat(n), hrest, &mut inner);
        for i in inner {
            out.push(format!("{}{i}", h0 as char));
        }
    }
}

/// `d`, or a character class `[a-b]`.
fn class(a: u8, b: u8) -> String {
    if a == b {
        (a as char).to_string()
    } else if a + 1 == b {
        format!("[{}{}]", a as char, b as char)
    } else {
        format!("[{}-{}]", a as char, b as char)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1918_defaults_give_the_established_patterns() {
        let p = host_patterns(&[
            "10.0.0.0/8".into(),
            "172.16.0.0/12".into(),
            "192.168.0.0/16".into(),
        ]);
        assert_eq!(
            p,
            r"10\.[0-9]+\.[0-9]+\.[0-9]+|172\.(1[6-9]|2[0-9]|3[01])\.[0-9]+\.[0-9]+|192\.168\.[0-9]+\.[0-9]+"
        );
    }

    #[test]
    fn carrier_grade_nat_range() {
        assert_eq!(
            host_patterns(&["100.64.0.0/10".into()]),
            r"100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.[0-9]+\.[0-9]+"
        );
    }

    #[test]
    fn ranges_are_exact() {
        for (lo, hi) in [
            (0, 255),
            (64, 127),
            (16, 31),
            (128, 255),
            (8, 15),
            (0, 63),
            (5, 5),
        ] {
            let alts = range(lo, hi);
            for n in 0..=300u32 {
                let hit = alts.split('|').any(|a| alt_matches(a, &n.to_string()));
                assert_eq!(hit, (lo..=hi).contains(&n), "{lo}..={hi} on {n}: {alts}");
            }
        }
    }

    /// Matches one alternative made of literal digits, `[a-b]` classes and `[0-9]`.
    fn alt_matches(alt: &str, s: &str) -> bool {
        let mut tokens: Vec<(u8, u8)> = Vec::new();
        let b = alt.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'[' && b[i + 2] == b'-' {
                tokens.push((b[i + 1], b[i + 3]));
                i += 5;
            } else if b[i] == b'[' {
                tokens.push((b[i + 1], b[i + 2]));
                i += 4;
            } else {
                tokens.push((b[i], b[i]));
                i += 1;
            }
        }
        tokens.len() == s.len()
            && tokens
                .iter()
                .zip(s.bytes())
                .all(|((lo, hi), c)| (*lo..=*hi).contains(&c))
    }

    #[test]
    fn ipv6_admits_bracketed_addresses_and_parse_rejects_host_bits() {
        assert_eq!(
            host_patterns(&["2600:1f18:abc::/56".into()]),
            r"\[[0-9a-f:.]+\]"
        );
        assert!(parse("10.0.0.1/8").is_none());
        assert!(parse("10.0.0.0/33").is_none());
        assert!(parse("fd00::/8").is_some());
        assert!(parse("kimai").is_none());
    }
}

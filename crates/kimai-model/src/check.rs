//! Small syntactic checks shared by the validation rules. Each returns `true` when valid.

use std::net::{IpAddr, Ipv4Addr};

/// DNS-1123 label starting with a letter (also a valid DNS-1035 name): `[a-z]([-a-z0-9]*[a-z0-9])?`.
pub fn dns_label(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// DNS-1123 subdomain: dot-separated labels of `[a-z0-9-]`, at most 253 characters.
pub fn dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// A host name (DNS subdomain) or an IP address.
pub fn host_or_ip(s: &str) -> bool {
    dns_subdomain(s) || s.parse::<IpAddr>().is_ok()
}

/// An environment variable name: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn env_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// An IP address or CIDR block (v4 or v6).
pub fn ip_or_cidr(s: &str) -> bool {
    match s.split_once('/') {
        None => s.parse::<IpAddr>().is_ok(),
        Some((ip, bits)) => match (ip.parse::<IpAddr>(), bits.parse::<u8>()) {
            (Ok(IpAddr::V4(_)), Ok(b)) => b <= 32 && !bits.starts_with('+'),
            (Ok(IpAddr::V6(_)), Ok(b)) => b <= 128 && !bits.starts_with('+'),
            _ => false,
        },
    }
}

/// An IPv4 network in CIDR notation with host bits zero and a prefix length in `prefixes`:
/// the network address and the prefix length.
pub fn ipv4_network(s: &str, prefixes: std::ops::RangeInclusive<u8>) -> Option<(Ipv4Addr, u8)> {
    let (ip, bits) = s.split_once('/')?;
    let ip: Ipv4Addr = ip.parse().ok()?;
    if bits.starts_with('+') {
        return None;
    }
    let bits: u8 = bits.parse().ok()?;
    if !prefixes.contains(&bits) || bits > 32 {
        return None;
    }
    let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
    (u32::from(ip) & !mask == 0).then_some((ip, bits))
}

/// An image tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
pub fn image_tag(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && !s.starts_with(['.', '-'])
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
}

/// An image repository with optional registry host and port, without tag or digest:
/// lowercase path components separated by `/`.
pub fn image_repository(s: &str) -> bool {
    if s.is_empty() || s.len() > 255 {
        return false;
    }
    let mut parts = s.split('/').peekable();
    let mut first = true;
    while let Some(part) = parts.next() {
        let is_registry = first
            && parts.peek().is_some()
            && (part.contains('.') || part.contains(':') || part == "localhost");
        first = false;
        let ok = if is_registry {
            part.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':')
        } else {
            !part.is_empty()
                && part.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && part.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && part.bytes().all(|b| {
                    b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || b == b'.'
                        || b == b'_'
                        || b == b'-'
                })
        };
        if !ok {
            return false;
        }
    }
    true
}

/// An image reference `repository:tag` (both parts as above).
pub fn image_reference(s: &str) -> bool {
    match s.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => image_repository(repo) && image_tag(tag),
        _ => false,
    }
}

/// An e-mail address, checked loosely: `local@domain.tld` without spaces or quotes.
pub fn email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !s
                    .chars()
                    .any(|c| c.is_whitespace() || c == '"' || c == '\'' || c.is_control())
                && !domain.contains('@')
        }
        None => false,
    }
}

/// `arn:<partition>:<service>:<region>:<account>:<resource>` with the given service.
pub fn arn(s: &str, service: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == service
        && !parts[5].is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// An AWS region name (`eu-central-1`, `us-gov-west-1`).
pub fn aws_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// `prefix` followed by lowercase hex digits (`subnet-0abc`, `sg-1234`), of one of `lens`.
pub fn aws_id(s: &str, prefix: &str, lens: &[usize]) -> bool {
    s.strip_prefix(prefix).is_some_and(|hex| {
        lens.contains(&hex.len())
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// An S3 bucket name (3–63 characters, lowercase letters, digits, `.` and `-`).
pub fn s3_bucket(s: &str) -> bool {
    (3..=63).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && !s.contains("..")
}

/// A five-field cron schedule using digits, `*`, `/`, `,` and `-`.
pub fn cron(s: &str) -> bool {
    let fields: Vec<&str> = s.split(' ').collect();
    fields.len() == 5
        && fields.iter().all(|f| {
            !f.is_empty()
                && f.bytes()
                    .all(|b| b.is_ascii_digit() || b"*/,-".contains(&b))
        })
}

/// A plain path or name segment safe in shell, YAML and URLs: `[A-Za-z0-9._/-]`.
pub fn safe_path(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._/-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks() {
        assert!(dns_label("kimai-prod", 40));
        assert!(!dns_label("Kimai", 40));
        assert!(!dns_label("1kimai", 40));
        assert!(!dns_label("kimai-", 40));
        assert!(dns_subdomain("kimai.example.com"));
        assert!(!dns_subdomain("kimai..example.com"));
        assert!(!dns_subdomain("-a.example.com"));
        assert!(env_name("memory_limit"));
        assert!(!env_name("1A"));
        assert!(!env_name("A-B"));
        assert!(ip_or_cidr("10.0.0.0/8"));
        assert!(ip_or_cidr("fd00::/8"));
        assert!(!ip_or_cidr("10.0.0.0/33"));
        assert_eq!(
            ipv4_network("172.16.9.0/24", 16..=26),
            Some(("172.16.9.0".parse().unwrap(), 24))
        );
        assert_eq!(ipv4_network("172.16.9.1/24", 16..=26), None);
        assert_eq!(ipv4_network("172.16.0.0/12", 16..=26), None);
        assert_eq!(ipv4_network("172.16.9.0/27", 16..=26), None);
        assert_eq!(ipv4_network("fd00::/64", 16..=26), None);
        assert_eq!(ipv4_network("172.16.9.0/+24", 16..=26), None);
        assert!(image_repository("kimai/kimai2"));
        assert!(image_repository("registry.example.com:5000/team/kimai"));
        assert!(!image_repository("Kimai/kimai2"));
        assert!(image_reference("nginx:1.28-alpine"));
        assert!(!image_reference("nginx"));
        assert!(arn(
            "arn:aws:acm:eu-central-1:123456789012:certificate/abc",
            "acm"
        ));
        assert!(!arn("arn:aws:iam::123:role/x", "acm"));
        assert!(aws_region("eu-central-1"));
        assert!(aws_region("us-gov-west-1"));
        assert!(!aws_region("eu-central"));
        assert!(aws_id("subnet-0123abcd", "subnet-", &[8, 17]));
        assert!(!aws_id("subnet-0123ABCD", "subnet-", &[8, 17]));
        assert!(s3_bucket("kimai-backups"));
        assert!(!s3_bucket("Kimai"));
        assert!(cron("30 2 * * *"));
        assert!(!cron("@daily"));
        assert!(email("admin@example.com"));
        assert!(!email("admin"));
    }
}

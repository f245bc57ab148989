//! The proxy network's addresses, derived once: its subnet, the range Docker assigns from, and
//! the proxy's fixed address, which is exactly what Kimai trusts in `TRUSTED_PROXIES`.

use std::net::Ipv4Addr;

use kimai_model::{ipv4_network, Validated};

/// The `frontend` network's addressing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyNetwork {
    /// The subnet (`172.16.N.0/24`).
    pub subnet: String,
    /// The gateway: the subnet's first address.
    pub gateway: String,
    /// The upper half of the subnet, where Docker assigns the other containers' addresses,
    /// so they never take the proxy's.
    pub ip_range: String,
    /// The proxy's fixed address: the subnet's second address.
    pub proxy_address: String,
}

/// FNV-1a: a hash whose value is fixed by its definition (std's hashers may change between
/// Rust releases, and the subnet must not).
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

/// The default subnet of a project: `172.16.N.0/24`, N from the project name. 172.16.0.0/16
/// lies outside Docker's default address pools (172.17–31.0.0/16, 192.168.0.0/16), so no
/// network Docker creates on its own takes it; projects of different names (the environments
/// of one spec on one host) get different /24s unless their hashes meet (1 in 256, then set
/// `targets.compose.proxy_subnet`).
pub fn default_subnet(project: &str) -> String {
    format!("172.16.{}.0/24", fnv1a(project.as_bytes()) % 256)
}

/// The proxy network of `model`'s Compose project named `project`.
pub fn proxy_network(model: &Validated, project: &str) -> ProxyNetwork {
    let subnet = model
        .spec()
        .targets
        .compose
        .proxy_subnet
        .clone()
        .unwrap_or_else(|| default_subnet(project));
    // Validation admitted only IPv4 networks from /16 to /26; the default is a /24.
    let (base, bits) = ipv4_network(&subnet, 16..=26).unwrap_or((Ipv4Addr::new(172, 16, 0, 0), 24));
    let base = u32::from(base);
    let half = 1u32 << (31 - u32::from(bits));
    ProxyNetwork {
        gateway: Ipv4Addr::from(base + 1).to_string(),
        proxy_address: Ipv4Addr::from(base + 2).to_string(),
        ip_range: format!("{}/{}", Ipv4Addr::from(base + half), bits + 1),
        subnet,
    }
}

/// The addresses a load balancer in front of the proxy connects from, whose `X-Forwarded-*`
/// headers the proxy believes: `app.trusted_proxies` (`REMOTE_ADDR`, any peer, becomes
/// `0.0.0.0/0` and `::/0`), else the VPC's ranges (`aws.vpc_cidrs`, RFC 1918 when unset).
pub fn balancer_cidrs(model: &Validated) -> Vec<String> {
    let listed = &model.spec().app.trusted_proxies;
    if listed.is_empty() {
        return model.vpc_cidrs();
    }
    let mut out: Vec<String> = Vec::new();
    for p in listed {
        let add: Vec<String> = if p == "REMOTE_ADDR" {
            vec!["0.0.0.0/0".into(), "::/0".into()]
        } else {
            vec![p.clone()]
        };
        for a in add {
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(extra: &str) -> Validated {
        let yaml = format!("name: kimai\ningress: {{ host: kimai.example.com }}\n{extra}");
        kimai_model::load(yaml.as_bytes(), kimai_model::Format::Yaml).unwrap()
    }

    #[test]
    fn default_is_a_slash_24_in_172_16_outside_dockers_pools() {
        let n = proxy_network(&model(""), "kimai-production");
        let third: u32 = n.subnet.split('.').nth(2).unwrap().parse().unwrap();
        assert_eq!(n.subnet, format!("172.16.{third}.0/24"));
        assert_eq!(n.gateway, format!("172.16.{third}.1"));
        assert_eq!(n.proxy_address, format!("172.16.{third}.2"));
        assert_eq!(n.ip_range, format!("172.16.{third}.128/25"));
        // Same name, same subnet; the environments of one spec differ.
        assert_eq!(default_subnet("kimai-production"), n.subnet);
        assert_ne!(default_subnet("kimai-staging"), n.subnet);
    }

    #[test]
    fn balancer_addresses_come_from_trusted_proxies_or_the_private_ranges() {
        assert_eq!(balancer_cidrs(&model("")), kimai_model::DEFAULT_VPC_CIDRS);
        assert_eq!(
            balancer_cidrs(&model(
                "app: { trusted_proxies: [10.0.0.0/16, REMOTE_ADDR, 10.0.0.0/16] }\n"
            )),
            ["10.0.0.0/16", "0.0.0.0/0", "::/0"]
        );
    }

    #[test]
    fn override_keeps_the_proxy_below_the_dynamic_range() {
        let n = proxy_network(
            &model("targets: { compose: { proxy_subnet: 10.99.0.0/16 } }\n"),
            "kimai-production",
        );
        assert_eq!(n.subnet, "10.99.0.0/16");
        assert_eq!(n.gateway, "10.99.0.1");
        assert_eq!(n.proxy_address, "10.99.0.2");
        assert_eq!(n.ip_range, "10.99.128.0/17");
        let n = proxy_network(
            &model("targets: { compose: { proxy_subnet: 192.0.2.64/26 } }\n"),
            "x",
        );
        assert_eq!(
            (
                n.gateway.as_str(),
                n.proxy_address.as_str(),
                n.ip_range.as_str()
            ),
            ("192.0.2.65", "192.0.2.66", "192.0.2.96/27")
        );
    }
}

//! `network.tf`: the VPC (created, or the existing one by id), its subnets, NAT and routes,
//! the S3 gateway endpoint, and the security groups with one described rule per flow.
//!
//! Every later module reads the network through four locals (`vpc_id`, `public_subnet_ids`,
//! `private_subnet_ids`, `database_subnet_ids`), so they do not care who made it.

use hcl::Expression;
use kimai_model::cidr::{parse, Cidr};
use kimai_model::KIMAI_PORT;

use crate::ctx::Ctx;
use crate::tf::{block, data, list, object, r, resource, s, strings, File};

/// The EKS cluster's security group: managed nodes and Fargate pods carry it.
const EKS_GROUP: &str = "local.eks_cluster_security_group_id";

/// Subnet tiers of a created VPC, in the order their ranges are carved.
const TIERS: [&str; 3] = ["public", "private", "database"];

/// The subnet ranges of a created VPC: the range is cut into 16 equal parts; tier `t` of zone
/// `z` takes part `t * 5 + z` (room for five zones per tier, a sixth uses part 15).
pub fn subnet_cidrs(vpc: &str, zones: u32) -> Vec<Vec<String>> {
    let Some(Cidr::V4(addr, len)) = parse(vpc) else {
        return vec![Vec::new(); TIERS.len()];
    };
    let new_len = len + 4;
    let size = 1u32 << (32 - u32::from(new_len));
    let base = u32::from(addr);
    TIERS
        .iter()
        .enumerate()
        .map(|(t, _)| {
            (0..zones)
                .map(|z| {
                    let part = (t as u32 * 5 + z).min(15);
                    let a = std::net::Ipv4Addr::from(base + part * size);
                    format!("{a}/{new_len}")
                })
                .collect()
        })
        .collect()
}

/// The file.
pub fn file(ctx: &Ctx<'_>) -> File {
    let mut f = File::default();
    if ctx.owns_network() {
        created(ctx, &mut f);
    } else {
        existing(ctx, &mut f);
    }
    security_groups(ctx, &mut f);
    f
}

fn count(n: u32) -> (&'static str, Expression) {
    ("count", Expression::from(u64::from(n)))
}

fn created(ctx: &Ctx<'_>, f: &mut File) {
    let n = &ctx.names;
    let zones = ctx.az_count();
    let cidrs = subnet_cidrs(&ctx.vpc_cidr(), zones);
    f.note(
        "Zones that need no opt-in, the first of which the subnets use.",
        data("aws_availability_zones", "available")
            .add_attribute(("state", "available"))
            .add_block(
                block("filter")
                    .add_attribute(("name", "opt-in-status"))
                    .add_attribute(("values", strings(["opt-in-not-required"])))
                    .build(),
            )
            .build(),
    );
    let mut locals = block("locals").add_attribute((
        "azs",
        crate::tf::call(
            "slice",
            vec![
                r("data.aws_availability_zones.available.names"),
                Expression::from(0u64),
                Expression::from(u64::from(zones)),
            ],
        ),
    ));
    for (tier, c) in TIERS.iter().zip(&cidrs) {
        locals = locals.add_attribute((format!("{tier}_subnet_cidrs"), strings(c.clone())));
    }
    f.note(
        &format!(
            "The VPC's range {} cut into /{} subnets: public (load balancer, NAT), private (tasks,\nEFS) and database, one of each per zone.",
            ctx.vpc_cidr(),
            cidrs.first().and_then(|c| c.first()).and_then(|c| c.split('/').nth(1)).unwrap_or("")
        ),
        locals
            .add_attribute(("vpc_id", r("aws_vpc.this.id")))
            .add_attribute(("vpc_cidr", r("aws_vpc.this.cidr_block")))
            .add_attribute(("public_subnet_ids", r("aws_subnet.public[*].id")))
            .add_attribute(("private_subnet_ids", r("aws_subnet.private[*].id")))
            .add_attribute(("database_subnet_ids", r("aws_subnet.database[*].id")))
            .build(),
    );
    f.add(
        resource("aws_vpc", "this")
            .add_attribute(("cidr_block", s(ctx.vpc_cidr())))
            .add_attribute(("enable_dns_support", true))
            .add_attribute(("enable_dns_hostnames", true))
            .add_attribute(("tags", ctx.name_tag(&n.stem)))
            .build(),
    );
    f.note(
        "The default security group admits nothing: every group here is explicit.",
        resource("aws_default_security_group", "this")
            .add_attribute(("vpc_id", r("aws_vpc.this.id")))
            .build(),
    );
    f.add(
        resource("aws_internet_gateway", "this")
            .add_attribute(("vpc_id", r("aws_vpc.this.id")))
            .add_attribute(("tags", ctx.name_tag(&n.stem)))
            .build(),
    );
    for tier in TIERS {
        f.add(
            resource("aws_subnet", tier)
                .add_attribute(count(zones))
                .add_attribute(("vpc_id", r("aws_vpc.this.id")))
                .add_attribute((
                    "cidr_block",
                    r(&format!("local.{tier}_subnet_cidrs[count.index]")),
                ))
                .add_attribute(("availability_zone", r("local.azs[count.index]")))
                .add_attribute((
                    "tags",
                    object(
                        std::iter::once((
                            "Name",
                            crate::tf::tmpl(&format!(
                                "{}-{tier}-${{local.azs[count.index]}}",
                                n.stem
                            )),
                        ))
                        .chain(elb_role(ctx, tier).map(|k| (k, s("1"))))
                        .collect(),
                    ),
                ))
                .build(),
        );
    }
    let nats = ctx.nat_count();
    let nat_note = if nats == 1 {
        "One NAT gateway shared by every zone (allowed outside production: cheaper, but a zone\noutage cuts the others off; aws.network.single_nat_gateway)."
    } else {
        "One NAT gateway per zone, so a zone outage leaves the others their way out."
    };
    f.note(
        nat_note,
        resource("aws_eip", "nat")
            .add_attribute(count(nats))
            .add_attribute(("domain", "vpc"))
            .add_attribute((
                "tags",
                object(vec![(
                    "Name",
                    crate::tf::tmpl(&format!("{}-nat-${{count.index}}", n.stem)),
                )]),
            ))
            .build(),
    );
    f.add(
        resource("aws_nat_gateway", "this")
            .add_attribute(count(nats))
            .add_attribute(("allocation_id", r("aws_eip.nat[count.index].id")))
            .add_attribute(("subnet_id", r("aws_subnet.public[count.index].id")))
            .add_attribute((
                "tags",
                object(vec![(
                    "Name",
                    crate::tf::tmpl(&format!("{}-nat-${{count.index}}", n.stem)),
                )]),
            ))
            .add_attribute(("depends_on", list(vec![r("aws_internet_gateway.this")])))
            .build(),
    );
    f.add(
        resource("aws_route_table", "public")
            .add_attribute(("vpc_id", r("aws_vpc.this.id")))
            .add_attribute(("tags", ctx.name_tag(&format!("{}-public", n.stem))))
            .build(),
    );
    f.add(
        resource("aws_route", "public_internet")
            .add_attribute(("route_table_id", r("aws_route_table.public.id")))
            .add_attribute(("destination_cidr_block", "0.0.0.0/0"))
            .add_attribute(("gateway_id", r("aws_internet_gateway.this.id")))
            .build(),
    );
    f.add(
        resource("aws_route_table_association", "public")
            .add_attribute(count(zones))
            .add_attribute(("subnet_id", r("aws_subnet.public[count.index].id")))
            .add_attribute(("route_table_id", r("aws_route_table.public.id")))
            .build(),
    );
    f.add(
        resource("aws_route_table", "private")
            .add_attribute(count(zones))
            .add_attribute(("vpc_id", r("aws_vpc.this.id")))
            .add_attribute((
                "tags",
                object(vec![(
                    "Name",
                    crate::tf::tmpl(&format!("{}-private-${{local.azs[count.index]}}", n.stem)),
                )]),
            ))
            .build(),
    );
    let nat_index = if nats == 1 {
        "aws_nat_gateway.this[0].id".to_string()
    } else {
        "aws_nat_gateway.this[count.index].id".to_string()
    };
    f.add(
        resource("aws_route", "private_nat")
            .add_attribute(count(zones))
            .add_attribute((
                "route_table_id",
                r("aws_route_table.private[count.index].id"),
            ))
            .add_attribute(("destination_cidr_block", "0.0.0.0/0"))
            .add_attribute(("nat_gateway_id", r(&nat_index)))
            .build(),
    );
    f.add(
        resource("aws_route_table_association", "private")
            .add_attribute(count(zones))
            .add_attribute(("subnet_id", r("aws_subnet.private[count.index].id")))
            .add_attribute((
                "route_table_id",
                r("aws_route_table.private[count.index].id"),
            ))
            .build(),
    );
    f.note(
        "Database subnets have no route out of the VPC.",
        resource("aws_route_table", "database")
            .add_attribute(("vpc_id", r("aws_vpc.this.id")))
            .add_attribute(("tags", ctx.name_tag(&format!("{}-database", n.stem))))
            .build(),
    );
    f.add(
        resource("aws_route_table_association", "database")
            .add_attribute(count(zones))
            .add_attribute(("subnet_id", r("aws_subnet.database[count.index].id")))
            .add_attribute(("route_table_id", r("aws_route_table.database.id")))
            .build(),
    );
    f.note(
        "S3 traffic (image layers from ECR, backups) stays off the NAT gateways.",
        resource("aws_vpc_endpoint", "s3")
            .add_attribute(("vpc_id", r("aws_vpc.this.id")))
            .add_attribute((
                "service_name",
                s(format!("com.amazonaws.{}.s3", ctx.aws.region)),
            ))
            .add_attribute(("vpc_endpoint_type", "Gateway"))
            .add_attribute(("route_table_ids", r("aws_route_table.private[*].id")))
            .add_attribute(("tags", ctx.name_tag(&format!("{}-s3", n.stem))))
            .build(),
    );
}

fn existing(ctx: &Ctx<'_>, f: &mut File) {
    let net = &ctx.aws.network;
    let database = if net.database_subnets.is_empty() {
        &net.private_subnets
    } else {
        &net.database_subnets
    };
    f.add(
        data("aws_vpc", "this")
            .add_attribute(("id", s(net.vpc_id.clone().unwrap_or_default())))
            .build(),
    );
    f.note(
        "The existing network of aws.network (the database uses the private subnets unless\naws.network.database_subnets names others).",
        block("locals")
            .add_attribute(("vpc_id", r("data.aws_vpc.this.id")))
            .add_attribute(("vpc_cidr", r("data.aws_vpc.this.cidr_block")))
            .add_attribute(("public_subnet_ids", strings(net.public_subnets.clone())))
            .add_attribute(("private_subnet_ids", strings(net.private_subnets.clone())))
            .add_attribute(("database_subnet_ids", strings(database.clone())))
            .build(),
    );
    for (tier, ids) in [
        ("public", &net.public_subnets),
        ("private", &net.private_subnets),
    ] {
        let Some(key) = elb_role(ctx, tier) else {
            continue;
        };
        for (i, id) in ids.iter().enumerate() {
            let b = resource("aws_ec2_tag", &format!("{tier}_elb_{i}"))
                .add_attribute(("resource_id", s(id)))
                .add_attribute(("key", key))
                .add_attribute(("value", "1"))
                .build();
            if i == 0 {
                f.note(
                    &format!("The AWS Load Balancer Controller places {} load balancers in subnets tagged so.", if tier == "public" { "internet-facing" } else { "internal" }),
                    b,
                );
            } else {
                f.add(b);
            }
        }
    }
}

/// The tag by which the AWS Load Balancer Controller finds the subnets of a tier: set by the
/// state that installs the controller (one state per cluster, so tags have one owner).
fn elb_role(ctx: &Ctx<'_>, tier: &str) -> Option<&'static str> {
    if !ctx.aws.eks.as_ref()?.installs_controllers() {
        return None;
    }
    match tier {
        "public" => Some("kubernetes.io/role/elb"),
        "private" => Some("kubernetes.io/role/internal-elb"),
        _ => None,
    }
}

/// A described ingress or egress rule.
struct Rule<'a> {
    name: &'a str,
    group: &'a str,
    ingress: bool,
    description: String,
    port: u16,
    /// Another group of this folder, or a CIDR.
    peer: Peer<'a>,
}

enum Peer<'a> {
    Group(&'a str),
    /// A security group by expression (`local.eks_cluster_security_group_id`).
    Expr(&'a str),
    Cidr(&'a str),
    /// The VPC's own range (`local.vpc_cidr`).
    Vpc,
}

fn rule(f: &mut File, rule: Rule<'_>) {
    let kind = if rule.ingress {
        "aws_vpc_security_group_ingress_rule"
    } else {
        "aws_vpc_security_group_egress_rule"
    };
    let mut b = resource(kind, rule.name)
        .add_attribute((
            "security_group_id",
            r(&format!("aws_security_group.{}.id", rule.group)),
        ))
        .add_attribute(("description", s(rule.description)))
        .add_attribute(("ip_protocol", "tcp"))
        .add_attribute(("from_port", u64::from(rule.port)))
        .add_attribute(("to_port", u64::from(rule.port)));
    b = match rule.peer {
        Peer::Group(g) => b.add_attribute((
            "referenced_security_group_id",
            r(&format!("aws_security_group.{g}.id")),
        )),
        Peer::Expr(e) => b.add_attribute(("referenced_security_group_id", r(e))),
        Peer::Cidr(c) => b.add_attribute(("cidr_ipv4", c)),
        Peer::Vpc => b.add_attribute(("cidr_ipv4", r("local.vpc_cidr"))),
    };
    f.add(b.build());
}

fn group(ctx: &Ctx<'_>, f: &mut File, part: &str, description: &str) {
    f.add(
        resource("aws_security_group", part)
            .add_attribute(("name", s(ctx.names.security_group(part))))
            .add_attribute(("description", description))
            .add_attribute(("vpc_id", r("local.vpc_id")))
            .add_attribute(("tags", ctx.name_tag(&ctx.names.security_group(part))))
            .build(),
    );
}

fn security_groups(ctx: &Ctx<'_>, f: &mut File) {
    let db = ctx.aws.create_database;
    let efs = ctx.aws.create_file_system;
    let alb = ctx.creates_alb();
    group(
        ctx,
        f,
        "app",
        "Kimai tasks: load balancer in on 8001; database, EFS and HTTPS out",
    );
    if alb {
        group(
            ctx,
            f,
            "alb",
            "Kimai load balancer: web traffic from anywhere, Kimai out",
        );
        let https = crate::alb::listener(ctx) == "https";
        if https {
            rule(
                f,
                Rule {
                    name: "alb_https",
                    group: "alb",
                    ingress: true,
                    description: "HTTPS from anywhere".into(),
                    port: 443,
                    peer: Peer::Cidr("0.0.0.0/0"),
                },
            );
        }
        rule(
            f,
            Rule {
                name: "alb_http",
                group: "alb",
                ingress: true,
                description: if https {
                    "HTTP from anywhere, redirected to HTTPS".into()
                } else {
                    "HTTP from anywhere (TLS terminates in front of the load balancer)".into()
                },
                port: 80,
                peer: Peer::Cidr("0.0.0.0/0"),
            },
        );
        rule(
            f,
            Rule {
                name: "alb_to_app",
                group: "alb",
                ingress: false,
                description: format!("to Kimai on {KIMAI_PORT}"),
                port: KIMAI_PORT,
                peer: Peer::Group("app"),
            },
        );
        rule(
            f,
            Rule {
                name: "app_from_alb",
                group: "app",
                ingress: true,
                description: format!("Kimai on {KIMAI_PORT} from the load balancer"),
                port: KIMAI_PORT,
                peer: Peer::Group("alb"),
            },
        );
    }
    let port = ctx.spec.database.port;
    if db {
        group(
            ctx,
            f,
            "db",
            "Kimai database: MySQL from the Kimai tasks only",
        );
        rule(
            f,
            Rule {
                name: "db_from_app",
                group: "db",
                ingress: true,
                description: format!("MySQL on {port} from Kimai"),
                port,
                peer: Peer::Group("app"),
            },
        );
        rule(
            f,
            Rule {
                name: "app_to_db",
                group: "app",
                ingress: false,
                description: format!("to the database on {port}"),
                port,
                peer: Peer::Group("db"),
            },
        );
        if ctx.names.eks.is_some() {
            rule(
                f,
                Rule {
                    name: "db_from_eks",
                    group: "db",
                    ingress: true,
                    description: format!(
                        "MySQL on {port} from the EKS cluster (nodes and Fargate pods)"
                    ),
                    port,
                    peer: Peer::Expr(EKS_GROUP),
                },
            );
        }
    } else if ctx.spec.database.mode == kimai_model::DatabaseMode::External {
        rule(
            f,
            Rule {
                name: "app_to_db",
                group: "app",
                ingress: false,
                description: format!("to the existing database on {port} inside the VPC"),
                port,
                peer: Peer::Vpc,
            },
        );
    }
    if efs {
        group(
            ctx,
            f,
            "efs",
            "Kimai file system: NFS from the Kimai tasks only",
        );
        rule(
            f,
            Rule {
                name: "efs_from_app",
                group: "efs",
                ingress: true,
                description: "NFS on 2049 from Kimai".into(),
                port: 2049,
                peer: Peer::Group("app"),
            },
        );
        if ctx.names.eks.is_some() {
            rule(
                f,
                Rule {
                    name: "efs_from_eks",
                    group: "efs",
                    ingress: true,
                    description: "NFS on 2049 from the EKS cluster (nodes and Fargate pods)".into(),
                    port: 2049,
                    peer: Peer::Expr(EKS_GROUP),
                },
            );
        }
    }
    if ctx.efs() {
        let peer = if efs { Peer::Group("efs") } else { Peer::Vpc };
        rule(
            f,
            Rule {
                name: "app_to_efs",
                group: "app",
                ingress: false,
                description: "to EFS on 2049".into(),
                port: 2049,
                peer,
            },
        );
    }
    rule(f, Rule {
        name: "app_https",
        group: "app",
        ingress: false,
        description: "HTTPS to AWS APIs (ECR, Secrets Manager, CloudWatch Logs), the image registry and the mailer".into(),
        port: 443,
        peer: Peer::Cidr("0.0.0.0/0"),
    });
    if ctx.spec.app.mailer.is_some() {
        rule(
            f,
            Rule {
                name: "app_smtp",
                group: "app",
                ingress: false,
                description: "mail submission (SMTP 587) for app.mailer".into(),
                port: 587,
                peer: Peer::Cidr("0.0.0.0/0"),
            },
        );
    }
}

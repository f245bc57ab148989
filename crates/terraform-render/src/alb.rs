//! `alb.tf`: the Application Load Balancer in front of the ECS service (ECS specs only; on
//! Kubernetes the AWS Load Balancer Controller makes its own from the Ingress).

use kimai_model::{DEREGISTRATION_DELAY_SECONDS, HEALTH_PATH, KIMAI_PORT};

use crate::ctx::Ctx;
use crate::tf::{block, list, r, resource, s, strings, File};

/// The TLS policy of the HTTPS listener: TLS 1.3 with TLS 1.2 fallback (AWS's current
/// recommended policy).
pub const TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/// Host names one listener rule condition may list (an ALB limit).
const HOSTS_PER_RULE: usize = 5;

/// Every public host name: `ingress.host` and its aliases.
pub fn hosts(ctx: &Ctx<'_>) -> Vec<String> {
    let mut v: Vec<String> = ctx.spec.ingress.host.iter().cloned().collect();
    v.extend(ctx.spec.ingress.aliases.iter().cloned());
    v
}

/// The file (empty without ECS).
pub fn file(ctx: &Ctx<'_>) -> File {
    let mut f = File::default();
    if !ctx.creates_alb() {
        return f;
    }
    let n = &ctx.names;
    f.note(
        "Invalid headers are dropped before they reach Kimai; deletion protection in production.",
        resource("aws_lb", "this")
            .add_attribute(("name", s(&n.load_balancer)))
            .add_attribute(("load_balancer_type", "application"))
            .add_attribute(("internal", false))
            .add_attribute((
                "security_groups",
                list(vec![r("aws_security_group.alb.id")]),
            ))
            .add_attribute(("subnets", r("local.public_subnet_ids")))
            .add_attribute(("drop_invalid_header_fields", true))
            .add_attribute(("enable_deletion_protection", ctx.production()))
            .add_attribute(("tags", ctx.name_tag(&n.load_balancer)))
            .build(),
    );
    f.note(
        &format!(
            "Kimai has no unauthenticated health endpoint: the login page answers 200 (redirects\ncount as healthy). The deregistration delay ({DEREGISTRATION_DELAY_SECONDS} s) is the drain ECS waits before it\nsignals a task to stop, matching the task's stop timeout."
        ),
        resource("aws_lb_target_group", "this")
            .add_attribute(("name", s(ctx.target_group())))
            .add_attribute(("target_type", "ip"))
            .add_attribute(("protocol", "HTTP"))
            .add_attribute(("port", u64::from(KIMAI_PORT)))
            .add_attribute(("vpc_id", r("local.vpc_id")))
            .add_attribute(("deregistration_delay", s(DEREGISTRATION_DELAY_SECONDS.to_string())))
            .add_block(
                block("health_check")
                    .add_attribute(("path", HEALTH_PATH))
                    .add_attribute(("protocol", "HTTP"))
                    .add_attribute(("port", "traffic-port"))
                    .add_attribute(("matcher", "200-399"))
                    .add_attribute(("interval", 30u64))
                    .add_attribute(("timeout", 10u64))
                    .add_attribute(("healthy_threshold", 2u64))
                    .add_attribute(("unhealthy_threshold", 3u64))
                    .build(),
            )
            .add_attribute(("tags", ctx.name_tag(&ctx.target_group())))
            .build(),
    );
    let not_found = block("default_action")
        .add_attribute(("type", "fixed-response"))
        .add_block(
            block("fixed_response")
                .add_attribute(("content_type", "text/plain"))
                .add_attribute(("message_body", "Not Found"))
                .add_attribute(("status_code", "404"))
                .build(),
        )
        .build();
    let listener = if let Some(cert) = &ctx.spec.ingress.tls.certificate_arn {
        f.note(
            "Only requests for Kimai's hosts reach it (listener rules below); anything else gets 404.",
            resource("aws_lb_listener", "https")
                .add_attribute(("load_balancer_arn", r("aws_lb.this.arn")))
                .add_attribute(("port", 443u64))
                .add_attribute(("protocol", "HTTPS"))
                .add_attribute(("ssl_policy", TLS_POLICY))
                .add_attribute(("certificate_arn", s(cert)))
                .add_block(not_found)
                .build(),
        );
        f.add(
            resource("aws_lb_listener", "http")
                .add_attribute(("load_balancer_arn", r("aws_lb.this.arn")))
                .add_attribute(("port", 80u64))
                .add_attribute(("protocol", "HTTP"))
                .add_block(
                    block("default_action")
                        .add_attribute(("type", "redirect"))
                        .add_block(
                            block("redirect")
                                .add_attribute(("port", "443"))
                                .add_attribute(("protocol", "HTTPS"))
                                .add_attribute(("status_code", "HTTP_301"))
                                .build(),
                        )
                        .build(),
                )
                .build(),
        );
        "https"
    } else {
        f.note(
            "ingress.tls.mode is not acm: plain HTTP, for a TLS-terminating proxy or CDN in front.\nOnly requests for Kimai's hosts reach it (listener rules below); anything else gets 404.",
            resource("aws_lb_listener", "http")
                .add_attribute(("load_balancer_arn", r("aws_lb.this.arn")))
                .add_attribute(("port", 80u64))
                .add_attribute(("protocol", "HTTP"))
                .add_block(not_found)
                .build(),
        );
        "http"
    };
    for (i, chunk) in hosts(ctx).chunks(HOSTS_PER_RULE).enumerate() {
        let name = if i == 0 {
            "kimai".to_string()
        } else {
            format!("kimai_{i}")
        };
        f.add(
            resource("aws_lb_listener_rule", &name)
                .add_attribute((
                    "listener_arn",
                    r(&format!("aws_lb_listener.{listener}.arn")),
                ))
                .add_attribute(("priority", 100 + i as u64))
                .add_block(
                    block("action")
                        .add_attribute(("type", "forward"))
                        .add_attribute(("target_group_arn", r("aws_lb_target_group.this.arn")))
                        .build(),
                )
                .add_block(
                    block("condition")
                        .add_block(
                            block("host_header")
                                .add_attribute(("values", strings(chunk.to_vec())))
                                .build(),
                        )
                        .build(),
                )
                .build(),
        );
    }
    if let Some(acl) = &ctx.spec.ingress.waf_acl_arn {
        f.note(
            "The web ACL of ingress.waf_acl_arn.",
            resource("aws_wafv2_web_acl_association", "this")
                .add_attribute(("resource_arn", r("aws_lb.this.arn")))
                .add_attribute(("web_acl_arn", s(acl)))
                .build(),
        );
    }
    if let Some(zone) = &ctx.aws.hosted_zone_id {
        for (i, host) in hosts(ctx).iter().enumerate() {
            let name = if i == 0 {
                "kimai".to_string()
            } else {
                format!("alias_{i}")
            };
            f.add(
                resource("aws_route53_record", &name)
                    .add_attribute(("zone_id", s(zone)))
                    .add_attribute(("name", s(host)))
                    .add_attribute(("type", "A"))
                    .add_block(
                        block("alias")
                            .add_attribute(("name", r("aws_lb.this.dns_name")))
                            .add_attribute(("zone_id", r("aws_lb.this.zone_id")))
                            .add_attribute(("evaluate_target_health", true))
                            .build(),
                    )
                    .build(),
            );
        }
    }
    f
}

/// The listener Kimai's host rules hang on: `https` with an ACM certificate, else `http`.
pub fn listener(ctx: &Ctx<'_>) -> &'static str {
    if ctx.spec.ingress.tls.certificate_arn.is_some() {
        "https"
    } else {
        "http"
    }
}

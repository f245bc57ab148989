//! `eks.tf`: the EKS platform under the Kubernetes output (`aws.eks`).
//!
//! - **The cluster** (created, or an existing one read by name): private subnets, a public
//!   endpoint only when asked and then limited to `public_access_cidrs`, Secrets encrypted with
//!   a customer-managed KMS key, every control-plane log type into a log group created first
//!   (so its retention applies), API authentication (access entries) and no implicit admin: the
//!   admins are `aws.eks.admin_role_arns`, and the CI deploy role when pipelines deploy.
//! - **Compute**: a managed node group across the private subnets (AL2023, the AMI type from the
//!   instance types' architecture) and/or a Fargate profile for this environment's namespace.
//! - **Workload identity is IRSA** (the cluster's OIDC provider), not Pod Identity: Fargate
//!   pods cannot use Pod Identity, and the backup job may run there. Each role trusts exactly
//!   one ServiceAccount.
//! - **Add-ons** by the EKS API with versions pinned per Kubernetes minor ([`crate::pins`]);
//!   **controllers** by Helm with pinned chart versions. The cluster-wide part is installed by
//!   the state that creates the cluster (`aws.eks.create`).
//! - **Per environment**: the secret store's role and ServiceAccount, this environment's
//!   `ClusterSecretStore` (a small generated chart, `charts/platform`, so one apply installs
//!   the operator and then the store without a second plan), the EFS StorageClass and the
//!   static PersistentVolume Kimai's claim binds.

use hcl::Expression;
use kimai_model::names::{
    EksNames, AUTOSCALER_SERVICE_ACCOUNT, DATADOG_NAMESPACE, DATADOG_RELEASE,
    EFS_CSI_SERVICE_ACCOUNT, EXTERNAL_SECRETS_NAMESPACE, KUBE_SYSTEM,
    LB_CONTROLLER_SERVICE_ACCOUNT, VPC_CNI_SERVICE_ACCOUNT,
};
use kimai_model::{Eks, NodeGroup};

use crate::ctx::Ctx;
use crate::pins::{self, Chart};
use crate::tf::{block, call, data, list, object, r, resource, s, strings, tmpl, File};

/// Control-plane log types sent to CloudWatch (all of them).
pub const CONTROL_PLANE_LOGS: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

/// The EFS CSI driver's name (StorageClass provisioner, PV driver).
pub const EFS_DRIVER: &str = "efs.csi.aws.com";

/// Where the generated platform chart lives, relative to the Terraform folder.
pub const PLATFORM_CHART_DIR: &str = "charts/platform";

/// The spec's EKS section and names, when it has one.
pub fn eks<'a>(ctx: &'a Ctx<'_>) -> Option<(&'a Eks, &'a EksNames)> {
    Some((ctx.aws.eks.as_ref()?, ctx.names.eks.as_ref()?))
}

/// The cluster's node group needs the Cluster Autoscaler (it may grow).
pub fn autoscaled(group: &NodeGroup) -> bool {
    group.max_size > group.min_size
}

/// The file (empty without `aws.eks`).
pub fn file(ctx: &Ctx<'_>) -> File {
    let mut f = File::default();
    let Some((eks, n)) = eks(ctx) else {
        return f;
    };
    if eks.create {
        cluster(ctx, eks, n, &mut f);
    } else {
        existing(n, &mut f);
    }
    access(ctx, eks, n, &mut f);
    if eks.create {
        if let Some(g) = &eks.node_group {
            node_group(ctx, eks, g, n, &mut f);
        }
    }
    fargate(ctx, eks, n, &mut f);
    if eks.installs_controllers() {
        addons(ctx, eks, n, &mut f);
        controllers(ctx, eks, n, &mut f);
    }
    environment(ctx, eks, n, &mut f);
    f
}

fn managed_policy(ctx: &Ctx<'_>, path: &str) -> Expression {
    s(format!("arn:{}:iam::aws:policy/{path}", ctx.partition))
}

fn attach(f: &mut File, tf: &str, role: &str, policy: Expression) {
    f.add(
        resource("aws_iam_role_policy_attachment", tf)
            .add_attribute(("role", r(&format!("aws_iam_role.{role}.name"))))
            .add_attribute(("policy_arn", policy))
            .build(),
    );
}

/// A service principal's trust as AWS documents it for the role: `actions`, and for Fargate
/// the profile ARNs it may start pods for (`aws:SourceArn`). EKS's cluster role and EC2's
/// node role get no source conditions: AWS's documented trust policies have none.
fn service_trust(
    name: &str,
    service: &str,
    actions: &[&str],
    source_arn: Option<String>,
) -> hcl::Block {
    crate::iam::service_trust(name, service, actions, None, source_arn)
}

fn role(f: &mut File, tf: &str, name: &str, description: String, trust: &str) {
    crate::iam::role(f, tf, name, description, trust, &[]);
}

/// An IRSA trust: exactly `namespace/service_account`, through the cluster's OIDC provider.
pub fn irsa_trust(name: &str, namespace: &str, service_account: &str) -> hcl::Block {
    crate::iam::web_identity_trust(
        name,
        r("local.eks_oidc_provider_arn"),
        "${local.eks_oidc_issuer}",
        &format!("system:serviceaccount:{namespace}:{service_account}"),
    )
}

fn irsa_role(
    f: &mut File,
    tf: &str,
    name: &str,
    (namespace, service_account): (&str, &str),
    description: String,
) {
    let trust = format!("{tf}_trust");
    f.note(
        &format!("IRSA: only ServiceAccount {namespace}/{service_account}."),
        irsa_trust(&trust, namespace, service_account),
    );
    role(f, tf, name, description, &trust);
}

fn cluster(ctx: &Ctx<'_>, eks: &Eks, n: &EksNames, f: &mut File) {
    f.note(
        "Envelope encryption of Kubernetes Secrets; rotated yearly by KMS.",
        resource("aws_kms_key", "eks")
            .add_attribute((
                "description",
                s(format!("Kubernetes Secrets of EKS cluster {}", n.cluster)),
            ))
            .add_attribute(("enable_key_rotation", true))
            .add_attribute(("deletion_window_in_days", 30u64))
            .build(),
    );
    f.add(
        resource("aws_kms_alias", "eks")
            .add_attribute(("name", s(&n.kms_alias)))
            .add_attribute(("target_key_id", r("aws_kms_key.eks.key_id")))
            .build(),
    );
    f.note(
        "Created before the cluster so EKS writes into it with the spec's retention instead of\ncreating one that never expires.",
        resource("aws_cloudwatch_log_group", "eks")
            .add_attribute(("name", s(&n.log_group)))
            .add_attribute((
                "retention_in_days",
                u64::from(ctx.spec.monitoring.cloudwatch.retention_days),
            ))
            .build(),
    );
    f.add(service_trust(
        "eks_cluster_trust",
        "eks.amazonaws.com",
        &["sts:AssumeRole", "sts:TagSession"],
        None,
    ));
    role(
        f,
        "eks_cluster",
        &n.cluster_role,
        format!("Control plane of EKS cluster {}", n.cluster),
        "eks_cluster_trust",
    );
    attach(
        f,
        "eks_cluster",
        "eks_cluster",
        managed_policy(ctx, "AmazonEKSClusterPolicy"),
    );
    let mut vpc = block("vpc_config")
        .add_attribute(("subnet_ids", r("local.private_subnet_ids")))
        .add_attribute(("endpoint_private_access", true))
        .add_attribute(("endpoint_public_access", eks.endpoint_public_access));
    if eks.endpoint_public_access {
        let cidrs: Vec<&str> = if eks.public_access_cidrs.is_empty() {
            vec!["0.0.0.0/0"]
        } else {
            eks.public_access_cidrs.iter().map(String::as_str).collect()
        };
        vpc = vpc.add_attribute(("public_access_cidrs", strings(cidrs)));
    }
    f.note(
        "API authentication only (access entries, no aws-auth ConfigMap); whoever creates it is\nadmin (the Kubernetes and Helm providers below need that on the first apply). The add-ons\nare EKS add-ons below, not self-managed copies.",
        resource("aws_eks_cluster", "this")
            .add_attribute(("name", s(&n.cluster)))
            .add_attribute(("version", s(&eks.version)))
            .add_attribute(("role_arn", r("aws_iam_role.eks_cluster.arn")))
            .add_attribute(("enabled_cluster_log_types", strings(CONTROL_PLANE_LOGS)))
            .add_attribute(("bootstrap_self_managed_addons", false))
            .add_attribute(("deletion_protection", ctx.production()))
            .add_block(vpc.build())
            .add_block(
                block("access_config")
                    .add_attribute(("authentication_mode", "API"))
                    .add_attribute(("bootstrap_cluster_creator_admin_permissions", true))
                    .build(),
            )
            .add_block(
                block("encryption_config")
                    .add_attribute(("resources", strings(["secrets"])))
                    .add_block(
                        block("provider")
                            .add_attribute(("key_arn", r("aws_kms_key.eks.arn")))
                            .build(),
                    )
                    .build(),
            )
            .add_block(
                block("upgrade_policy")
                    .add_attribute(("support_type", "STANDARD"))
                    .build(),
            )
            .add_attribute((
                "depends_on",
                list(vec![
                    r("aws_iam_role_policy_attachment.eks_cluster"),
                    r("aws_cloudwatch_log_group.eks"),
                ]),
            ))
            .add_attribute(("tags", ctx.name_tag(&n.cluster)))
            .build(),
    );
    f.note(
        "IRSA: the cluster's OIDC issuer as an IAM identity provider.",
        resource("aws_iam_openid_connect_provider", "eks")
            .add_attribute(("url", r("aws_eks_cluster.this.identity[0].oidc[0].issuer")))
            .add_attribute(("client_id_list", strings(["sts.amazonaws.com"])))
            .build(),
    );
    f.note(
        "What the rest of this folder and the Kubernetes and Helm providers read.",
        block("locals")
            .add_attribute(("eks_cluster_name", r("aws_eks_cluster.this.name")))
            .add_attribute(("eks_endpoint", r("aws_eks_cluster.this.endpoint")))
            .add_attribute((
                "eks_ca_certificate",
                r("aws_eks_cluster.this.certificate_authority[0].data"),
            ))
            .add_attribute((
                "eks_cluster_security_group_id",
                r("aws_eks_cluster.this.vpc_config[0].cluster_security_group_id"),
            ))
            .add_attribute((
                "eks_oidc_issuer",
                call(
                    "trimprefix",
                    vec![
                        r("aws_eks_cluster.this.identity[0].oidc[0].issuer"),
                        s("https://"),
                    ],
                ),
            ))
            .add_attribute((
                "eks_oidc_provider_arn",
                r("aws_iam_openid_connect_provider.eks.arn"),
            ))
            .build(),
    );
}

fn existing(n: &EksNames, f: &mut File) {
    f.note(
        "The existing cluster (aws.eks.cluster) and its OIDC provider (IRSA needs one; create it\nwith `eksctl utils associate-iam-oidc-provider` if the cluster has none).",
        data("aws_eks_cluster", "this")
            .add_attribute(("name", s(&n.cluster)))
            .build(),
    );
    f.add(
        data("aws_iam_openid_connect_provider", "eks")
            .add_attribute((
                "url",
                r("data.aws_eks_cluster.this.identity[0].oidc[0].issuer"),
            ))
            .build(),
    );
    f.add(
        block("locals")
            .add_attribute(("eks_cluster_name", r("data.aws_eks_cluster.this.name")))
            .add_attribute(("eks_endpoint", r("data.aws_eks_cluster.this.endpoint")))
            .add_attribute((
                "eks_ca_certificate",
                r("data.aws_eks_cluster.this.certificate_authority[0].data"),
            ))
            .add_attribute((
                "eks_cluster_security_group_id",
                r("data.aws_eks_cluster.this.vpc_config[0].cluster_security_group_id"),
            ))
            .add_attribute((
                "eks_oidc_issuer",
                call(
                    "trimprefix",
                    vec![
                        r("data.aws_eks_cluster.this.identity[0].oidc[0].issuer"),
                        s("https://"),
                    ],
                ),
            ))
            .add_attribute((
                "eks_oidc_provider_arn",
                r("data.aws_iam_openid_connect_provider.eks.arn"),
            ))
            .build(),
    );
}

fn access_entry(ctx: &Ctx<'_>, f: &mut File, tf: &str, principal: Expression, comment: &str) {
    f.note(
        comment,
        resource("aws_eks_access_entry", tf)
            .add_attribute(("cluster_name", r("local.eks_cluster_name")))
            .add_attribute(("principal_arn", principal.clone()))
            .add_attribute(("type", "STANDARD"))
            .build(),
    );
    f.add(
        resource("aws_eks_access_policy_association", tf)
            .add_attribute(("cluster_name", r("local.eks_cluster_name")))
            .add_attribute(("principal_arn", principal))
            .add_attribute((
                "policy_arn",
                s(format!(
                    "arn:{}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                    ctx.partition
                )),
            ))
            .add_block(
                block("access_scope")
                    .add_attribute(("type", "cluster"))
                    .build(),
            )
            .add_attribute((
                "depends_on",
                list(vec![r(&format!("aws_eks_access_entry.{tf}"))]),
            ))
            .build(),
    );
}

fn access(ctx: &Ctx<'_>, eks: &Eks, _n: &EksNames, f: &mut File) {
    if eks.create {
        for (i, arn) in eks.admin_role_arns.iter().enumerate() {
            access_entry(
                ctx,
                f,
                &format!("admin_{i}"),
                s(arn),
                "Cluster admin (aws.eks.admin_role_arns).",
            );
        }
    }
    if crate::ci::enabled(ctx) {
        access_entry(
            ctx,
            f,
            "deploy",
            r("aws_iam_role.deploy.arn"),
            "The pipelines' deploy role applies this folder (Helm releases, volumes) and\n`kubectl apply -k`, which creates the namespace (a cluster-scoped object): cluster admin, as\nits AWS rights are.",
        );
    }
}

fn node_group(ctx: &Ctx<'_>, eks: &Eks, g: &NodeGroup, n: &EksNames, f: &mut File) {
    f.add(service_trust(
        "eks_node_trust",
        "ec2.amazonaws.com",
        &["sts:AssumeRole"],
        None,
    ));
    role(
        f,
        "eks_node",
        &n.node_role,
        format!("Nodes of EKS cluster {}", n.cluster),
        "eks_node_trust",
    );
    for (tf, policy) in [
        ("eks_node_worker", "AmazonEKSWorkerNodePolicy"),
        ("eks_node_ecr", "AmazonEC2ContainerRegistryPullOnly"),
    ] {
        attach(f, tf, "eks_node", managed_policy(ctx, policy));
    }
    let ami = if g.arm64() {
        "AL2023_ARM_64_STANDARD"
    } else {
        "AL2023_x86_64_STANDARD"
    };
    let desired = g.desired_size.unwrap_or(g.min_size);
    let mut b = resource("aws_eks_node_group", "this")
        .add_attribute(("cluster_name", r("aws_eks_cluster.this.name")))
        .add_attribute(("node_group_name", s(&n.node_group)))
        .add_attribute(("node_role_arn", r("aws_iam_role.eks_node.arn")))
        .add_attribute(("subnet_ids", r("local.private_subnet_ids")))
        .add_attribute(("version", s(&eks.version)))
        .add_attribute(("ami_type", ami))
        .add_attribute((
            "instance_types",
            strings(g.instance_types.iter().map(String::as_str)),
        ))
        .add_attribute(("capacity_type", s(&g.capacity_type)))
        .add_attribute(("disk_size", u64::from(g.disk_size_gib)))
        .add_block(
            block("scaling_config")
                .add_attribute(("min_size", u64::from(g.min_size)))
                .add_attribute(("max_size", u64::from(g.max_size)))
                .add_attribute(("desired_size", u64::from(desired)))
                .build(),
        )
        .add_block(
            block("update_config")
                .add_attribute(("max_unavailable", 1u64))
                .build(),
        );
    if autoscaled(g) {
        b = b.add_block(
            block("lifecycle")
                .add_attribute((
                    "ignore_changes",
                    list(vec![r("scaling_config[0].desired_size")]),
                ))
                .build(),
        );
    }
    let mut after = vec![
        r("aws_iam_role_policy_attachment.eks_node_worker"),
        r("aws_iam_role_policy_attachment.eks_node_ecr"),
    ];
    if eks.installs_controllers() {
        after.push(r("aws_eks_addon.vpc_cni"));
    }
    f.note(
        if autoscaled(g) {
            "Nodes in the private subnets; the Cluster Autoscaler changes the desired size, so\nTerraform ignores it after creation."
        } else {
            "Nodes in the private subnets; a fixed size (max_size = min_size), so no autoscaler."
        },
        b.add_attribute(("depends_on", list(after)))
            .add_attribute(("tags", ctx.name_tag(&n.node_group)))
            .build(),
    );
}

fn fargate(ctx: &Ctx<'_>, eks: &Eks, n: &EksNames, f: &mut File) {
    let system = system_profile(eks);
    if !eks.fargate && !system {
        return;
    }
    f.note(
        "Fargate starts pods of this environment's profiles only, in this account and cluster.",
        service_trust(
            "eks_fargate_trust",
            "eks-fargate-pods.amazonaws.com",
            &["sts:AssumeRole"],
            Some(ctx.arn("eks", &format!("fargateprofile/{}/*", n.cluster))),
        ),
    );
    role(
        f,
        "eks_fargate",
        &n.fargate_role,
        format!("Fargate pod execution of Kimai {}", ctx.names.stem),
        "eks_fargate_trust",
    );
    attach(
        f,
        "eks_fargate",
        "eks_fargate",
        managed_policy(ctx, "AmazonEKSFargatePodExecutionRolePolicy"),
    );
    let profile = |tf: &str, name: &str, namespaces: &[&str]| {
        let mut b = resource("aws_eks_fargate_profile", tf)
            .add_attribute(("cluster_name", r("local.eks_cluster_name")))
            .add_attribute(("fargate_profile_name", s(name)))
            .add_attribute(("pod_execution_role_arn", r("aws_iam_role.eks_fargate.arn")))
            .add_attribute(("subnet_ids", r("local.private_subnet_ids")));
        for ns in namespaces {
            b = b.add_block(
                block("selector")
                    .add_attribute(("namespace", s(*ns)))
                    .build(),
            );
        }
        b.add_attribute((
            "depends_on",
            list(vec![r("aws_iam_role_policy_attachment.eks_fargate")]),
        ))
        .build()
    };
    if eks.fargate {
        f.note(
            &format!(
                "Every pod of namespace {} runs on Fargate.",
                ctx.names.namespace
            ),
            profile("app", &n.fargate_profile, &[ctx.names.namespace.as_str()]),
        );
    }
    if system {
        f.note(
            "No node group: CoreDNS and the controllers run on Fargate too.",
            profile(
                "system",
                &n.fargate_system_profile,
                &[KUBE_SYSTEM, EXTERNAL_SECRETS_NAMESPACE],
            ),
        );
    }
}

/// A cluster without nodes whose controllers this state installs runs them on Fargate.
pub fn system_profile(eks: &Eks) -> bool {
    eks.node_group.is_none() && eks.installs_controllers()
}

/// What pods need before they can be scheduled: the node group or the system profile.
fn compute(eks: &Eks) -> Vec<Expression> {
    let mut v = Vec::new();
    if eks.create && eks.node_group.is_some() {
        v.push(r("aws_eks_node_group.this"));
    }
    if system_profile(eks) {
        v.push(r("aws_eks_fargate_profile.system"));
    }
    v
}

fn addon(
    f: &mut File,
    comment: &str,
    tf: &str,
    name: &str,
    version: &str,
    extra: Vec<(&str, Expression)>,
) {
    let mut b = resource("aws_eks_addon", tf)
        .add_attribute(("cluster_name", r("local.eks_cluster_name")))
        .add_attribute(("addon_name", s(name)))
        .add_attribute(("addon_version", s(version)))
        .add_attribute(("resolve_conflicts_on_create", "OVERWRITE"))
        .add_attribute(("resolve_conflicts_on_update", "OVERWRITE"));
    for (k, v) in extra {
        b = b.add_attribute((k, v));
    }
    f.note(comment, b.build());
}

fn addons(ctx: &Ctx<'_>, eks: &Eks, n: &EksNames, f: &mut File) {
    let Some(p) = pins::addons(&eks.version) else {
        return;
    };
    irsa_role(
        f,
        "vpc_cni",
        &n.vpc_cni_role,
        (KUBE_SYSTEM, VPC_CNI_SERVICE_ACCOUNT),
        format!("VPC CNI of EKS cluster {}: pod networking", n.cluster),
    );
    attach(
        f,
        "vpc_cni",
        "vpc_cni",
        managed_policy(ctx, "AmazonEKS_CNI_Policy"),
    );
    addon(
        f,
        "Pod networking, before any node joins (nodes stay NotReady without it); its rights are\nits own role's, not the nodes'.",
        "vpc_cni",
        "vpc-cni",
        p.vpc_cni,
        vec![
            // The manifests' NetworkPolicies are enforced by the VPC CNI's network policy
            // agent, which is off unless asked for (on nodes; Fargate pods have no agent).
            (
                "configuration_values",
                call(
                    "jsonencode",
                    vec![object(vec![("enableNetworkPolicy", s("true"))])],
                ),
            ),
            ("service_account_role_arn", r("aws_iam_role.vpc_cni.arn")),
            (
                "depends_on",
                list(vec![r("aws_iam_role_policy_attachment.vpc_cni")]),
            ),
        ],
    );
    addon(f, "", "kube_proxy", "kube-proxy", p.kube_proxy, Vec::new());
    let after = compute(eks);
    let mut coredns = vec![("depends_on", list(after.clone()))];
    if eks.node_group.is_none() {
        coredns.insert(
            0,
            (
                "configuration_values",
                call(
                    "jsonencode",
                    vec![object(vec![("computeType", s("Fargate"))])],
                ),
            ),
        );
    }
    addon(
        f,
        "Cluster DNS: needs somewhere to run first.",
        "coredns",
        "coredns",
        p.coredns,
        coredns,
    );
    if eks.node_group.is_some() {
        addon(
            f,
            "EKS Pod Identity's node agent, for workloads that prefer it; Kimai's roles use IRSA\nbecause Fargate pods cannot use Pod Identity.",
            "pod_identity_agent",
            "eks-pod-identity-agent",
            p.pod_identity_agent,
            vec![("depends_on", list(after.clone()))],
        );
    }
    // Fargate mounts EFS itself (static volumes); the driver's node DaemonSet and its
    // host-network controller need nodes.
    if eks.node_group.is_some() {
        irsa_role(
            f,
            "efs_csi",
            &n.efs_csi_role,
            (KUBE_SYSTEM, EFS_CSI_SERVICE_ACCOUNT),
            format!("EFS CSI driver of EKS cluster {}: access points", n.cluster),
        );
        attach(
            f,
            "efs_csi",
            "efs_csi",
            managed_policy(ctx, "service-role/AmazonEFSCSIDriverPolicy"),
        );
        let mut efs_after = after.clone();
        efs_after.push(r("aws_iam_role_policy_attachment.efs_csi"));
        addon(
            f,
            "EFS volumes (Kimai's var/ directories).",
            "efs_csi",
            "aws-efs-csi-driver",
            p.efs_csi,
            vec![
                ("service_account_role_arn", r("aws_iam_role.efs_csi.arn")),
                ("depends_on", list(efs_after)),
            ],
        );
    }
    addon(
        f,
        "CPU and memory metrics for the HorizontalPodAutoscaler.",
        "metrics_server",
        "metrics-server",
        p.metrics_server,
        vec![("depends_on", list(after))],
    );
}

fn helm_release(chart: &Chart, namespace: &str) -> crate::tf::BlockBuilder {
    resource("helm_release", chart.resource)
        .add_attribute(("name", s(chart.release)))
        .add_attribute(("repository", s(chart.repository)))
        .add_attribute(("chart", s(chart.chart)))
        .add_attribute(("version", s(chart.version)))
        .add_attribute(("namespace", s(namespace)))
}

fn yaml_values(entries: Vec<(&str, Expression)>) -> (&'static str, Expression) {
    (
        "values",
        list(vec![call("yamlencode", vec![object(entries)])]),
    )
}

fn irsa_annotation(role_tf: &str) -> Expression {
    object(vec![(
        crate::ctx::IRSA_ANNOTATION,
        r(&format!("aws_iam_role.{role_tf}.arn")),
    )])
}

fn controllers(ctx: &Ctx<'_>, eks: &Eks, n: &EksNames, f: &mut File) {
    let mut after = compute(eks);
    after.push(r("aws_eks_addon.coredns"));
    irsa_role(
        f,
        "lb_controller",
        &n.lb_controller_role,
        (KUBE_SYSTEM, LB_CONTROLLER_SERVICE_ACCOUNT),
        format!("AWS Load Balancer Controller of EKS cluster {}", n.cluster),
    );
    f.note(
        &format!(
            "The controller's own policy, as its project publishes it\n(kubernetes-sigs/aws-load-balancer-controller {} docs/install/iam_policy.json).",
            pins::LBC.app_version
        ),
        resource("aws_iam_role_policy", "lb_controller")
            .add_attribute(("name", s("aws-load-balancer-controller")))
            .add_attribute(("role", r("aws_iam_role.lb_controller.id")))
            .add_attribute((
                "policy",
                call(
                    "file",
                    vec![tmpl(&format!("${{path.module}}/{}", pins::LBC_POLICY_FILE))],
                ),
            ))
            .build(),
    );
    let mut lbc_after = after.clone();
    lbc_after.push(r("aws_iam_role_policy.lb_controller"));
    f.note(
        "Ingress class `alb`: makes the ALB of k8s/ingress.yaml, registers pod IPs and injects\nthe readiness gates the namespace asks for.",
        helm_release(&pins::LBC, KUBE_SYSTEM)
            .add_attribute(yaml_values(vec![
                ("clusterName", r("local.eks_cluster_name")),
                ("region", s(&ctx.aws.region)),
                ("vpcId", r("local.vpc_id")),
                (
                    "serviceAccount",
                    object(vec![
                        ("create", Expression::Bool(true)),
                        ("name", s(LB_CONTROLLER_SERVICE_ACCOUNT)),
                        ("annotations", irsa_annotation("lb_controller")),
                    ]),
                ),
            ]))
            .add_attribute(("depends_on", list(lbc_after)))
            .build(),
    );
    // The controller's webhooks intercept Services and pods as soon as they are registered:
    // later releases wait for it to be ready (Helm waits for its pods) so none meets a webhook
    // without a server.
    after.push(r("helm_release.aws_load_balancer_controller"));
    f.note(
        "External Secrets Operator with its CRDs (API external-secrets.io/v1).",
        helm_release(&pins::ESO, EXTERNAL_SECRETS_NAMESPACE)
            .add_attribute(("create_namespace", true))
            .add_attribute(yaml_values(vec![("installCRDs", Expression::Bool(true))]))
            .add_attribute(("depends_on", list(after.clone())))
            .build(),
    );
    if let Some(g) = eks.node_group.as_ref().filter(|g| autoscaled(g)) {
        irsa_role(
            f,
            "cluster_autoscaler",
            &n.autoscaler_role,
            (KUBE_SYSTEM, AUTOSCALER_SERVICE_ACCOUNT),
            format!("Cluster Autoscaler of EKS cluster {}", n.cluster),
        );
        f.note(
            "Reads every Auto Scaling group; changes only those of this cluster (the tag EKS puts\non its managed node groups).",
            pins::autoscaler_policy("cluster_autoscaler", &n.cluster),
        );
        f.add(
            resource("aws_iam_role_policy", "cluster_autoscaler")
                .add_attribute(("name", s("cluster-autoscaler")))
                .add_attribute(("role", r("aws_iam_role.cluster_autoscaler.id")))
                .add_attribute((
                    "policy",
                    r("data.aws_iam_policy_document.cluster_autoscaler.json"),
                ))
                .build(),
        );
        let mut ca_after = after.clone();
        ca_after.push(r("aws_iam_role_policy.cluster_autoscaler"));
        f.note(
            &format!(
                "Grows the node group up to {} nodes when pods do not fit and shrinks it to {}.",
                g.max_size, g.min_size
            ),
            helm_release(&pins::AUTOSCALER, KUBE_SYSTEM)
                .add_attribute(yaml_values(vec![
                    (
                        "autoDiscovery",
                        object(vec![("clusterName", r("local.eks_cluster_name"))]),
                    ),
                    ("awsRegion", s(&ctx.aws.region)),
                    (
                        "image",
                        object(vec![(
                            "tag",
                            s(pins::addons(&eks.version).map_or("", |p| p.autoscaler_image)),
                        )]),
                    ),
                    (
                        "rbac",
                        object(vec![(
                            "serviceAccount",
                            object(vec![
                                ("create", Expression::Bool(true)),
                                ("name", s(AUTOSCALER_SERVICE_ACCOUNT)),
                                ("annotations", irsa_annotation("cluster_autoscaler")),
                            ]),
                        )]),
                    ),
                ]))
                .add_attribute(("depends_on", list(ca_after)))
                .build(),
        );
    }
    if ctx.spec.monitoring.datadog.enabled {
        f.note(
            "The Datadog agent's namespace: its API key Secret arrives here (charts/platform).",
            resource("kubernetes_namespace_v1", "datadog")
                .add_block(
                    block("metadata")
                        .add_attribute(("name", s(DATADOG_NAMESPACE)))
                        .build(),
                )
                .build(),
        );
        f.note(
            "One agent per cluster, with k8s/datadog/values.yaml (one source); its API key comes\nfrom Secrets Manager through this environment's secret store, never from here.",
            helm_release(&pins::DATADOG, DATADOG_NAMESPACE)
                .add_attribute((
                    "values",
                    list(vec![call(
                        "file",
                        vec![tmpl("${path.module}/../k8s/datadog/values.yaml")],
                    )]),
                ))
                .add_attribute((
                    "set",
                    list(vec![object(vec![
                        ("name", s("datadog.clusterName")),
                        ("value", r("local.eks_cluster_name")),
                    ])]),
                ))
                .add_attribute((
                    "depends_on",
                    list(vec![
                        r("helm_release.platform"),
                        r("helm_release.aws_load_balancer_controller"),
                    ]),
                ))
                .build(),
        );
        debug_assert_eq!(pins::DATADOG.release, DATADOG_RELEASE);
    }
}

fn environment(ctx: &Ctx<'_>, eks: &Eks, n: &EksNames, f: &mut File) {
    irsa_role(
        f,
        "secret_store",
        &n.secret_store_role,
        (EXTERNAL_SECRETS_NAMESPACE, &n.secret_store_service_account),
        format!(
            "Secret store of Kimai {}: reads its secrets only",
            ctx.names.stem
        ),
    );
    let arns: Vec<Expression> = ctx
        .secrets()
        .iter()
        .map(|i| r(&format!("aws_secretsmanager_secret.{}.arn", i.resource)))
        .collect();
    f.add(
        data("aws_iam_policy_document", "secret_store")
            .add_block(
                block("statement")
                    .add_attribute(("sid", "ReadThisEnvironmentsSecrets"))
                    .add_attribute((
                        "actions",
                        strings([
                            "secretsmanager:DescribeSecret",
                            "secretsmanager:GetSecretValue",
                        ]),
                    ))
                    .add_attribute(("resources", list(arns)))
                    .build(),
            )
            .build(),
    );
    f.add(
        resource("aws_iam_role_policy", "secret_store")
            .add_attribute(("name", s("secret-store")))
            .add_attribute(("role", r("aws_iam_role.secret_store.id")))
            .add_attribute((
                "policy",
                r("data.aws_iam_policy_document.secret_store.json"),
            ))
            .build(),
    );
    let mut sa_after = Vec::new();
    if eks.installs_controllers() {
        sa_after.push(r("helm_release.external_secrets"));
    }
    let mut sa = resource("kubernetes_service_account_v1", "secret_store")
        .add_block(
            block("metadata")
                .add_attribute(("name", s(&n.secret_store_service_account)))
                .add_attribute(("namespace", s(EXTERNAL_SECRETS_NAMESPACE)))
                .add_attribute(("annotations", irsa_annotation("secret_store")))
                .build(),
        )
        .add_attribute(("automount_service_account_token", false));
    if !sa_after.is_empty() {
        sa = sa.add_attribute(("depends_on", list(sa_after.clone())));
    }
    f.note(
        "The identity ClusterSecretStore uses (a token requested for it, never mounted).",
        sa.build(),
    );
    let mut after = vec![r("kubernetes_service_account_v1.secret_store")];
    after.extend(sa_after);
    if eks.installs_controllers() && ctx.spec.monitoring.datadog.enabled {
        after.push(r("kubernetes_namespace_v1.datadog"));
    }
    f.note(
        &format!(
            "ClusterSecretStore {}{} (charts/platform, generated with this folder).",
            n.secret_store,
            if datadog_secret(ctx, eks) {
                " and the Datadog agent's API key Secret"
            } else {
                ""
            }
        ),
        resource("helm_release", "platform")
            .add_attribute(("name", s(&n.platform_release)))
            .add_attribute((
                "chart",
                tmpl(&format!("${{path.module}}/{PLATFORM_CHART_DIR}")),
            ))
            .add_attribute(("namespace", s(EXTERNAL_SECRETS_NAMESPACE)))
            .add_attribute(("depends_on", list(after)))
            .build(),
    );
    let Some(class) = &n.storage_class else {
        return;
    };
    f.note(
        "The class Kimai's claim and volume name; further claims get an access point each.",
        resource("kubernetes_storage_class_v1", "efs")
            .add_block(block("metadata").add_attribute(("name", s(class))).build())
            .add_attribute(("storage_provisioner", EFS_DRIVER))
            .add_attribute(("reclaim_policy", "Retain"))
            .add_attribute(("volume_binding_mode", "Immediate"))
            .add_attribute((
                "parameters",
                object(vec![
                    ("provisioningMode", s("efs-ap")),
                    ("fileSystemId", r("local.efs_file_system_id")),
                    ("directoryPerms", s("755")),
                    ("uid", s(crate::efs::WWW_DATA.to_string())),
                    ("gid", s(crate::efs::WWW_DATA.to_string())),
                    ("basePath", s(crate::efs::KUBERNETES_DYNAMIC_ROOT)),
                ]),
            ))
            .build(),
    );
    let spec = ctx.spec;
    f.note(
        "Kimai's volume, bound to its claim only: the access point's directory, as www-data.\nA static volume works on nodes and on Fargate alike.",
        resource("kubernetes_persistent_volume_v1", "var")
            .add_block(
                block("metadata")
                    .add_attribute(("name", s(&ctx.names.var_volume)))
                    .build(),
            )
            .add_block(
                block("spec")
                    .add_attribute((
                        "capacity",
                        object(vec![("storage", s(&spec.storage.size))]),
                    ))
                    .add_attribute(("access_modes", strings(["ReadWriteMany"])))
                    .add_attribute(("persistent_volume_reclaim_policy", "Retain"))
                    .add_attribute(("storage_class_name", r("kubernetes_storage_class_v1.efs.metadata[0].name")))
                    .add_attribute(("volume_mode", "Filesystem"))
                    .add_block(
                        block("claim_ref")
                            .add_attribute(("namespace", s(&ctx.names.namespace)))
                            .add_attribute(("name", s(&ctx.names.var_claim)))
                            .build(),
                    )
                    .add_block(
                        block("persistent_volume_source")
                            .add_block(
                                block("csi")
                                    .add_attribute(("driver", EFS_DRIVER))
                                    .add_attribute((
                                        "volume_handle",
                                        tmpl("${local.efs_file_system_id}::${aws_efs_access_point.kubernetes.id}"),
                                    ))
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .add_attribute(("depends_on", list(vec![r("aws_efs_mount_target.this")])))
            .build(),
    );
}

/// This state puts the Datadog agent's API key Secret into the cluster.
pub fn datadog_secret(ctx: &Ctx<'_>, eks: &Eks) -> bool {
    eks.installs_controllers() && ctx.spec.monitoring.datadog.enabled
}

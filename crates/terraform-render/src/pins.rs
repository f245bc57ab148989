//! Pinned versions of what the EKS platform installs, and the IAM policies of the
//! controllers, as their projects publish them.
//!
//! Add-on versions are pinned per Kubernetes minor ([`kimai_model::EKS_VERSIONS`]); an
//! upgrade of `aws.eks.version` moves every add-on with it. Chart versions are pinned once;
//! each line says where the version was taken from.

use crate::tf::{block, data, strings};

/// EKS add-on versions for one Kubernetes minor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addons {
    /// Kubernetes `major.minor`.
    pub kubernetes: &'static str,
    /// `vpc-cni`.
    pub vpc_cni: &'static str,
    /// `kube-proxy` (follows the Kubernetes minor).
    pub kube_proxy: &'static str,
    /// `coredns`.
    pub coredns: &'static str,
    /// `eks-pod-identity-agent`.
    pub pod_identity_agent: &'static str,
    /// `aws-efs-csi-driver`.
    pub efs_csi: &'static str,
    /// `metrics-server` (an EKS community add-on).
    pub metrics_server: &'static str,
    /// Cluster Autoscaler image tag of this minor (the autoscaler follows the Kubernetes
    /// minor it runs on).
    pub autoscaler_image: &'static str,
}

/// The add-on versions of every supported minor ([`kimai_model::EKS_VERSIONS`]).
///
/// 1.36: the versions a new 1.36 cluster resolved to by default on 2026-09-16 (vpc-cni,
/// kube-proxy, coredns, eks-pod-identity-agent); `aws-efs-csi-driver` v3.4.1 (driver release
/// 2026-07-23) and `metrics-server` v0.8.1-eksbuild.10 are evidenced on 1.35 clusters and are
/// the newest builds found. 1.35: kube-proxy and coredns from AWS's add-on tables
/// (`managing-kube-proxy`, `managing-coredns`), the others as deployed on 1.35 clusters.
/// Check a minor with `aws eks describe-addon-versions --kubernetes-version 1.36 --addon-name
/// NAME` before adding it.
pub const ADDONS: &[Addons] = &[
    Addons {
        kubernetes: "1.35",
        vpc_cni: "v1.22.1-eksbuild.2",
        kube_proxy: "v1.35.3-eksbuild.13",
        coredns: "v1.14.2-eksbuild.4",
        pod_identity_agent: "v1.3.10-eksbuild.3",
        efs_csi: "v3.4.1-eksbuild.1",
        metrics_server: "v0.8.1-eksbuild.10",
        autoscaler_image: "v1.35.0",
    },
    Addons {
        kubernetes: "1.36",
        vpc_cni: "v1.22.4-eksbuild.3",
        kube_proxy: "v1.36.0-eksbuild.21",
        coredns: "v1.14.3-eksbuild.16",
        pod_identity_agent: "v1.3.10-eksbuild.3",
        efs_csi: "v3.4.1-eksbuild.1",
        metrics_server: "v0.8.1-eksbuild.10",
        autoscaler_image: "v1.36.1",
    },
];

/// The add-on versions of `kubernetes` (`1.35`), if it is supported.
pub fn addons(kubernetes: &str) -> Option<&'static Addons> {
    ADDONS.iter().find(|a| a.kubernetes == kubernetes)
}

/// A Helm chart and its release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chart {
    /// Terraform resource name.
    pub resource: &'static str,
    /// Release name.
    pub release: &'static str,
    /// Chart repository URL.
    pub repository: &'static str,
    /// Chart name.
    pub chart: &'static str,
    /// Chart version.
    pub version: &'static str,
    /// The application version the chart installs.
    pub app_version: &'static str,
}

/// The Cluster Autoscaler's policy (kubernetes/autoscaler
/// `cluster-autoscaler/cloudprovider/aws/README.md` at chart 9.59.0, "Full Cluster Autoscaler
/// Features Policy"), with the tag condition that README recommends on the second statement:
/// it reads every Auto Scaling group and changes only those carrying this cluster's
/// auto-discovery tag (`k8s.io/cluster-autoscaler/<cluster>`, which EKS puts on the groups of
/// its managed node groups; only the tag's presence is tested, as discovery does).
pub fn autoscaler_policy(name: &str, cluster: &str) -> hcl::Block {
    data("aws_iam_policy_document", name)
        .add_block(
            block("statement")
                .add_attribute(("sid", "Describe"))
                .add_attribute((
                    "actions",
                    strings([
                        "autoscaling:DescribeAutoScalingGroups",
                        "autoscaling:DescribeAutoScalingInstances",
                        "autoscaling:DescribeLaunchConfigurations",
                        "autoscaling:DescribeScalingActivities",
                        "ec2:DescribeImages",
                        "ec2:DescribeInstanceTypes",
                        "ec2:DescribeLaunchTemplateVersions",
                        "ec2:GetInstanceTypesFromInstanceRequirements",
                        "eks:DescribeNodegroup",
                    ]),
                ))
                .add_attribute(("resources", strings(["*"])))
                .build(),
        )
        .add_block(
            block("statement")
                .add_attribute(("sid", "ScaleThisClustersGroups"))
                .add_attribute((
                    "actions",
                    strings([
                        "autoscaling:SetDesiredCapacity",
                        "autoscaling:TerminateInstanceInAutoScalingGroup",
                    ]),
                ))
                .add_attribute(("resources", strings(["*"])))
                .add_block(
                    block("condition")
                        .add_attribute(("test", "Null"))
                        .add_attribute((
                            "variable",
                            format!("aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster}"),
                        ))
                        .add_attribute(("values", strings(["false"])))
                        .build(),
                )
                .build(),
        )
        .build()
}

/// One statement of a published policy: actions, resources, and conditions as
/// `(test, variable, values)`.
pub struct PolicyStatement {
    /// Actions.
    pub actions: &'static [&'static str],
    /// Resources.
    pub resources: &'static [&'static str],
    /// Conditions.
    pub conditions: &'static [(&'static str, &'static str, &'static [&'static str])],
}

/// The AWS Load Balancer Controller's policy, statement by statement as published in
/// kubernetes-sigs/aws-load-balancer-controller `docs/install/iam_policy.json` at the
/// release [`LBC`] installs (v3.5.0; the file last changed 2025-03-27). ARNs carry `aws`: the
/// partition is replaced when written ([`lb_controller_policy`]).
pub const LBC_POLICY: &[PolicyStatement] = &[
    PolicyStatement {
        actions: &["iam:CreateServiceLinkedRole"],
        resources: &["*"],
        conditions: &[(
            "StringEquals",
            "iam:AWSServiceName",
            &["elasticloadbalancing.amazonaws.com"],
        )],
    },
    PolicyStatement {
        actions: &[
            "ec2:DescribeAccountAttributes",
            "ec2:DescribeAddresses",
            "ec2:DescribeAvailabilityZones",
            "ec2:DescribeInternetGateways",
            "ec2:DescribeVpcs",
            "ec2:DescribeVpcPeeringConnections",
            "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeInstances",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeTags",
            "ec2:GetCoipPoolUsage",
            "ec2:DescribeCoipPools",
            "ec2:GetSecurityGroupsForVpc",
            "ec2:DescribeIpamPools",
            "ec2:DescribeRouteTables",
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeListenerCertificates",
            "elasticloadbalancing:DescribeSSLPolicies",
            "elasticloadbalancing:DescribeRules",
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetGroupAttributes",
            "elasticloadbalancing:DescribeTargetHealth",
            "elasticloadbalancing:DescribeTags",
            "elasticloadbalancing:DescribeTrustStores",
            "elasticloadbalancing:DescribeListenerAttributes",
            "elasticloadbalancing:DescribeCapacityReservation",
        ],
        resources: &["*"],
        conditions: &[],
    },
    PolicyStatement {
        actions: &[
            "cognito-idp:DescribeUserPoolClient",
            "acm:ListCertificates",
            "acm:DescribeCertificate",
            "iam:ListServerCertificates",
            "iam:GetServerCertificate",
            "waf-regional:GetWebACL",
            "waf-regional:GetWebACLForResource",
            "waf-regional:AssociateWebACL",
            "waf-regional:DisassociateWebACL",
            "wafv2:GetWebACL",
            "wafv2:GetWebACLForResource",
            "wafv2:AssociateWebACL",
            "wafv2:DisassociateWebACL",
            "shield:GetSubscriptionState",
            "shield:DescribeProtection",
            "shield:CreateProtection",
            "shield:DeleteProtection",
        ],
        resources: &["*"],
        conditions: &[],
    },
    PolicyStatement {
        actions: &[
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupIngress",
        ],
        resources: &["*"],
        conditions: &[],
    },
    PolicyStatement {
        actions: &["ec2:CreateSecurityGroup"],
        resources: &["*"],
        conditions: &[],
    },
    PolicyStatement {
        actions: &["ec2:CreateTags"],
        resources: &["arn:aws:ec2:*:*:security-group/*"],
        conditions: &[
            ("StringEquals", "ec2:CreateAction", &["CreateSecurityGroup"]),
            ("Null", "aws:RequestTag/elbv2.k8s.aws/cluster", &["false"]),
        ],
    },
    PolicyStatement {
        actions: &["ec2:CreateTags", "ec2:DeleteTags"],
        resources: &["arn:aws:ec2:*:*:security-group/*"],
        conditions: &[
            ("Null", "aws:RequestTag/elbv2.k8s.aws/cluster", &["true"]),
            ("Null", "aws:ResourceTag/elbv2.k8s.aws/cluster", &["false"]),
        ],
    },
    PolicyStatement {
        actions: &[
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:DeleteSecurityGroup",
        ],
        resources: &["*"],
        conditions: &[("Null", "aws:ResourceTag/elbv2.k8s.aws/cluster", &["false"])],
    },
    PolicyStatement {
        actions: &[
            "elasticloadbalancing:CreateLoadBalancer",
            "elasticloadbalancing:CreateTargetGroup",
        ],
        resources: &["*"],
        conditions: &[("Null", "aws:RequestTag/elbv2.k8s.aws/cluster", &["false"])],
    },
    PolicyStatement {
        actions: &[
            "elasticloadbalancing:CreateListener",
            "elasticloadbalancing:DeleteListener",
            "elasticloadbalancing:CreateRule",
            "elasticloadbalancing:DeleteRule",
        ],
        resources: &["*"],
        conditions: &[],
    },
    PolicyStatement {
        actions: &[
            "elasticloadbalancing:AddTags",
            "elasticloadbalancing:RemoveTags",
        ],
        resources: &[
            "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
            "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
            "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*",
        ],
        conditions: &[
            ("Null", "aws:RequestTag/elbv2.k8s.aws/cluster", &["true"]),
            ("Null", "aws:ResourceTag/elbv2.k8s.aws/cluster", &["false"]),
        ],
    },
    PolicyStatement {
        actions: &[
            "elasticloadbalancing:AddTags",
            "elasticloadbalancing:RemoveTags",
        ],
        resources: &[
            "arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*",
            "arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*",
            "arn:aws:elasticloadbalancing:*:*:listener-rule/net/*/*/*",
            "arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*",
        ],
        conditions: &[],
    },
    PolicyStatement {
        actions: &[
            "elasticloadbalancing:ModifyLoadBalancerAttributes",
            "elasticloadbalancing:SetIpAddressType",
            "elasticloadbalancing:SetSecurityGroups",
            "elasticloadbalancing:SetSubnets",
            "elasticloadbalancing:DeleteLoadBalancer",
            "elasticloadbalancing:ModifyTargetGroup",
            "elasticloadbalancing:ModifyTargetGroupAttributes",
            "elasticloadbalancing:DeleteTargetGroup",
            "elasticloadbalancing:ModifyListenerAttributes",
            "elasticloadbalancing:ModifyCapacityReservation",
            "elasticloadbalancing:ModifyIpPools",
        ],
        resources: &["*"],
        conditions: &[("Null", "aws:ResourceTag/elbv2.k8s.aws/cluster", &["false"])],
    },
    PolicyStatement {
        actions: &["elasticloadbalancing:AddTags"],
        resources: &[
            "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
            "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
            "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*",
        ],
        conditions: &[
            (
                "StringEquals",
                "elasticloadbalancing:CreateAction",
                &["CreateTargetGroup", "CreateLoadBalancer"],
            ),
            ("Null", "aws:RequestTag/elbv2.k8s.aws/cluster", &["false"]),
        ],
    },
    PolicyStatement {
        actions: &[
            "elasticloadbalancing:RegisterTargets",
            "elasticloadbalancing:DeregisterTargets",
        ],
        resources: &["arn:aws:elasticloadbalancing:*:*:targetgroup/*/*"],
        conditions: &[],
    },
    PolicyStatement {
        actions: &[
            "elasticloadbalancing:SetWebAcl",
            "elasticloadbalancing:ModifyListener",
            "elasticloadbalancing:AddListenerCertificates",
            "elasticloadbalancing:RemoveListenerCertificates",
            "elasticloadbalancing:ModifyRule",
            "elasticloadbalancing:SetRulePriorities",
        ],
        resources: &["*"],
        conditions: &[],
    },
];

/// Where the controller's policy is written, relative to the Terraform folder.
pub const LBC_POLICY_FILE: &str = "policies/aws-load-balancer-controller.json";

/// [`LBC_POLICY`] as an IAM policy document (JSON, as AWS and the controller's project write
/// it) in `partition`. The text depends on the partition only, so it is built once per
/// partition and process.
pub fn lb_controller_policy_json(partition: &'static str) -> &'static str {
    static AWS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static CN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static GOV: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let cell = match partition {
        "aws-cn" => &CN,
        "aws-us-gov" => &GOV,
        _ => &AWS,
    };
    cell.get_or_init(|| policy_json(LBC_POLICY, partition))
}

fn policy_json(statements: &[PolicyStatement], partition: &str) -> String {
    use serde_json::{json, Map, Value};
    let one_or_many = |v: Vec<String>| match v.len() {
        1 => Value::String(v.into_iter().next().unwrap_or_default()),
        _ => Value::from(v),
    };
    let statements: Vec<Value> = statements
        .iter()
        .map(|st| {
            let mut o = Map::new();
            o.insert("Effect".into(), json!("Allow"));
            o.insert(
                "Action".into(),
                Value::from(st.actions.iter().map(|a| a.to_string()).collect::<Vec<_>>()),
            );
            o.insert(
                "Resource".into(),
                one_or_many(
                    st.resources
                        .iter()
                        .map(|r| r.replacen("arn:aws:", &format!("arn:{partition}:"), 1))
                        .collect(),
                ),
            );
            if !st.conditions.is_empty() {
                let mut by_test = Map::new();
                for (test, variable, values) in st.conditions {
                    let entry = by_test
                        .entry(test.to_string())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(m) = entry {
                        m.insert(
                            variable.to_string(),
                            one_or_many(values.iter().map(|v| v.to_string()).collect()),
                        );
                    }
                }
                o.insert("Condition".into(), Value::Object(by_test));
            }
            Value::Object(o)
        })
        .collect();
    let doc = json!({ "Version": "2012-10-17", "Statement": statements });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// AWS Load Balancer Controller (aws/eks-charts `stable/aws-load-balancer-controller`
/// 3.5.0, 2026-08-03).
pub const LBC: Chart = Chart {
    resource: "aws_load_balancer_controller",
    release: "aws-load-balancer-controller",
    repository: "https://aws.github.io/eks-charts",
    chart: "aws-load-balancer-controller",
    version: "3.5.0",
    app_version: "v3.5.0",
};

/// External Secrets Operator (external-secrets/external-secrets tag `helm-chart-2.9.0`,
/// 2026-08-08; serves `external-secrets.io/v1`, tested by its project on Kubernetes 1.36).
pub const ESO: Chart = Chart {
    resource: "external_secrets",
    release: "external-secrets",
    repository: "https://charts.external-secrets.io",
    chart: "external-secrets",
    version: "2.9.0",
    app_version: "v2.9.0",
};

/// Cluster Autoscaler (kubernetes/autoscaler tag `cluster-autoscaler-chart-9.59.0`,
/// 2026-07-21); its image follows the Kubernetes minor ([`Addons::autoscaler_image`]).
pub const AUTOSCALER: Chart = Chart {
    resource: "cluster_autoscaler",
    release: "cluster-autoscaler",
    repository: "https://kubernetes.github.io/autoscaler",
    chart: "cluster-autoscaler",
    version: "9.59.0",
    app_version: "1.35.0",
};

/// The Datadog agent (DataDog/helm-charts tag `datadog-3.240.0`, 2026-08-20); one release per
/// cluster ([`kimai_model::names::DATADOG_RELEASE`]).
pub const DATADOG: Chart = Chart {
    resource: "datadog",
    release: kimai_model::names::DATADOG_RELEASE,
    repository: "https://helm.datadoghq.com",
    chart: "datadog",
    version: "3.240.0",
    app_version: "7",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_minor_has_its_addons() {
        for v in kimai_model::EKS_VERSIONS {
            let a = addons(v).unwrap_or_else(|| panic!("no add-on pins for {v}"));
            // kube-proxy and the autoscaler follow the Kubernetes minor.
            assert!(
                a.kube_proxy.starts_with(&format!("v{v}.")),
                "{v}: {}",
                a.kube_proxy
            );
            assert!(a.autoscaler_image.starts_with(&format!("v{v}.")), "{v}");
            for pin in [
                a.vpc_cni,
                a.coredns,
                a.pod_identity_agent,
                a.efs_csi,
                a.metrics_server,
            ] {
                assert!(
                    pin.starts_with('v') && pin.contains("-eksbuild."),
                    "{v}: {pin}"
                );
            }
        }
        assert_eq!(ADDONS.len(), kimai_model::EKS_VERSIONS.len());
    }

    #[test]
    fn the_published_policies_keep_their_shape() {
        // The controller's policy as published: creating load balancers only with the
        // cluster tag, and every ARN in the partition it is written for.
        let doc: serde_json::Value =
            serde_json::from_str(lb_controller_policy_json("aws-cn")).expect("JSON");
        let text = doc.to_string();
        assert!(text.contains("arn:aws-cn:elasticloadbalancing:*:*:targetgroup/*/*"));
        assert!(!text.contains("\"arn:aws:"));
        let statements = doc["Statement"].as_array().expect("statements");
        assert_eq!(statements.len(), LBC_POLICY.len());
        let create = statements
            .iter()
            .find(|s| {
                s["Action"]
                    .to_string()
                    .contains("elasticloadbalancing:CreateLoadBalancer")
            })
            .expect("create statement");
        assert_eq!(
            create["Condition"],
            serde_json::json!({ "Null": { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" } })
        );
        // Two conditions of one test share its object, as IAM's grammar has it.
        let tag_moves = statements
            .iter()
            .find(|s| s["Action"] == serde_json::json!(["ec2:CreateTags", "ec2:DeleteTags"]))
            .expect("tag statement");
        assert_eq!(
            tag_moves["Condition"]["Null"].as_object().map(|m| m.len()),
            Some(2)
        );
        assert!(std::ptr::eq(
            lb_controller_policy_json("aws"),
            lb_controller_policy_json("aws")
        ));
    }
}

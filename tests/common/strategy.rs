//! A proptest strategy for valid specs, shared by the property tests and the seeded
//! `random_specs` example. Covers every target: about a third of the specs are AWS-shaped
//! (external database, EFS, `targets.ecs`) so ECS renders too.

use kimai_deploy::model::{
    Architecture, Backup, DatabaseEngine, DatabaseMode, EcsTarget, Efs, EnvVar, IngressClass,
    LaunchType, Mailer, NotSecret, Scaling, SecretRef, SecretsBackend, Spec, StorageClass, TlsMode,
    RESERVED_ENV,
};
use proptest::prelude::*;

/// Env values that stress every format's escaping, plus arbitrary Unicode.
pub fn env_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>().prop_map(|s| s.replace('\0', "")),
        prop::sample::select(vec![
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "~",
            "null",
            "0755",
            "1e3",
            "12:30",
            "2001-12-14",
            "-",
            "=",
            "<<",
            "$HOME",
            "${X}",
            "$(X)",
            "$$",
            "$",
            "{{ x }}",
            "{% raw %}",
            "{#",
            "#",
            "a: b",
            "'",
            "\"",
            "\\",
            "\n",
            " ",
            "",
            "ü ✓ 日本",
            "%2F",
            "!unsafe",
        ])
        .prop_map(str::to_string),
    ]
}

/// Env names that are not reserved by kimai-deploy.
pub fn env_name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,12}".prop_filter("not reserved", |n| {
        !RESERVED_ENV.iter().any(|(r, _)| r == n) && !n.starts_with("DD_")
    })
}

/// The shape of the deployment.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// One host: bundled database, local storage.
    SingleHost,
    /// Kubernetes with RWX storage and NGINX ingress.
    Cluster,
    /// AWS: RDS, EFS, ALB, ECS.
    Aws,
}

prop_compose! {
    /// A valid spec (validation passes); most shapes render on every target.
    pub fn spec()(
        shape in prop::sample::select(vec![Shape::SingleHost, Shape::Cluster, Shape::Aws]),
        name in "[a-z][a-z0-9-]{0,10}[a-z0-9]",
        environment in prop::sample::select(vec!["dev", "staging", "production"]),
        host in "[a-z][a-z0-9]{0,8}\\.example\\.(com|org)",
        env in prop::collection::btree_map(env_name(), env_value(), 0..8),
        mariadb in any::<bool>(),
        datadog in any::<bool>(),
        admin in any::<bool>(),
        mailer in any::<bool>(),
        backup in any::<bool>(),
        scaling in prop::option::of((1u32..4, 0u32..4, prop::option::of(50u32..90))),
        replicas in 1u32..4,
        cpu in prop::sample::select(vec!["250m", "500m", "1", "1.5", "2"]),
        memory in prop::sample::select(vec!["512Mi", "768Mi", "1Gi", "2Gi", "3Gi"]),
        arm in any::<bool>(),
        local_yaml in any::<bool>(),
        pod_watcher in any::<bool>(),
        secret_env in prop::collection::btree_map(
            "[A-Z][A-Z0-9]{0,6}_(PASSWORD|TOKEN|API_KEY)".prop_filter("not reserved", |n| !n.starts_with("DD_")),
            "[a-z][a-z0-9]{0,8}",
            0..3,
        ),
        eks in prop::option::of((any::<bool>(), any::<bool>(), prop::sample::select(kimai_deploy::model::EKS_VERSIONS.to_vec()))),
    ) -> Spec {
        let mut s = Spec::minimal(name, host);
        s.environment = environment.to_string();
        // Names that look secret carry the documented opt-out; a few variables are secrets.
        s.app.env = env
            .into_iter()
            .map(|(k, v)| {
                let v = if kimai_deploy::model::looks_secret(&k) {
                    EnvVar::NotSecret(NotSecret { plain: v })
                } else {
                    EnvVar::Plain(v)
                };
                (k, v)
            })
            .collect();
        for (k, name) in secret_env {
            s.app.env.insert(k, EnvVar::Secret(SecretRef::new(format!("env-{name}"))));
        }
        s.app.cpu = cpu.to_string();
        s.app.memory = memory.to_string();
        if mariadb {
            s.database.engine = DatabaseEngine::Mariadb;
        }
        if local_yaml {
            s.app.local_yaml = Some("kimai:\n  ldap:\n    activate: true\n".into());
        }
        s.monitoring.datadog.enabled = datadog;
        // A Kubernetes setting: only on shapes that run on Kubernetes (a written section that
        // cannot render is an error, not a skip).
        s.targets.kubernetes.pod_watcher.enabled = pod_watcher && !matches!(shape, Shape::SingleHost);
        if admin {
            s.app.admin_email = Some("admin@example.com".into());
            s.app.admin_password = Some(SecretRef::new("admin-password"));
        }
        if mailer {
            s.app.mailer = Some(Mailer { from: "kimai@example.com".into(), url: SecretRef::new("mailer-url") });
        }
        if backup {
            s.backup = Some(Backup {
                schedule: "30 2 * * *".into(),
                s3_bucket: "kimai-backups".into(),
                s3_prefix: String::new(),
                region: "eu-west-1".into(),
                retention_days: 1095,
            });
        }
        match scaling {
            Some((min, extra, memory)) => {
                s.scaling = Some(Scaling {
                    min_replicas: min,
                    max_replicas: min + extra,
                    target_memory_percent: memory,
                    ..Scaling::default()
                })
            }
            None => s.app.replicas = replicas,
        }
        match shape {
            Shape::SingleHost => {
                s.ingress.tls.mode = if replicas % 2 == 0 { TlsMode::Files } else { TlsMode::None };
                s.targets.ansible.hosts.insert("kimai-1".into(), "192.0.2.10".into());
            }
            Shape::Cluster => {
                s.storage.class = StorageClass::Shared;
                s.storage.storage_class_name = Some("nfs-client".into());
                s.ingress.tls.mode = TlsMode::Secret;
                s.ingress.tls.cluster_issuer = Some("letsencrypt".into());
            }
            Shape::Aws => {
                s.database.mode = DatabaseMode::External;
                s.database.host = Some("kimai.cluster-abc.eu-west-1.rds.amazonaws.com".into());
                s.storage.class = StorageClass::Efs;
                s.storage.efs = Some(Efs {
                    file_system_id: "fs-0123456789abcdef0".into(),
                    access_point_id: (!arm).then(|| "fsap-0123456789abcdef0".into()),
                    access_points: if arm { [("data".to_string(), "fsap-0123456789abcdef1".to_string())].into() } else { Default::default() },
                });
                s.ingress.tls.mode = TlsMode::Acm;
                s.ingress.tls.certificate_arn = Some("arn:aws:acm:eu-west-1:123456789012:certificate/abc".into());
                if mailer {
                    // Settings EFS and an ALB cannot apply: notices only when written.
                    s.storage.size = "20Gi".into();
                    s.ingress.max_body_mib = 64;
                }
                s.targets.kubernetes.ingress_class = Some(IngressClass::Alb);
                s.targets.kubernetes.pod_watcher.api_server_cidrs = vec!["10.0.0.0/16".into()];
                s.targets.kubernetes.pod_watcher.api_server_ports = vec![443];
                s.targets.kubernetes.service_account_annotations.insert(
                    "eks.amazonaws.com/role-arn".into(),
                    "arn:aws:iam::123456789012:role/kimai".into(),
                );
                s.aws = Some(kimai_deploy::model::Aws {
                    region: "eu-west-1".into(),
                    account_id: "123456789012".into(),
                    vpc_cidrs: if arm { vec!["10.0.0.0/16".into(), "100.64.0.0/10".into()] } else { Vec::new() },
                    secrets_prefix: String::new(),
                    // The EKS platform: Fargate only (without Datadog's DaemonSet) or nodes,
                    // on a file system Terraform creates or the spec's.
                    eks: eks.map(|(fargate, _, version)| kimai_deploy::model::Eks {
                        version: version.to_string(),
                        fargate,
                        node_group: (!fargate || datadog).then(Default::default),
                        ..Default::default()
                    }),
                    create_file_system: eks.is_some_and(|(_, created, _)| created),
                    ..Default::default()
                });
                s.targets.ecs = Some(EcsTarget {
                    cluster: "kimai".into(),
                    launch_type: if arm { LaunchType::Fargate } else { LaunchType::Ec2 },
                    capacity_provider: None,
                    architecture: if arm { Architecture::Arm64 } else { Architecture::X86_64 },
                    subnets: vec!["subnet-0123456789abcdef0".into(), "subnet-0123456789abcdef1".into()],
                    security_groups: vec!["sg-0123456789abcdef0".into()],
                    target_group_arn: Some(
                        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/kimai/0123456789abcdef".into(),
                    ),
                    execution_role_arn: None,
                    task_role_arn: None,
                    cpu: None,
                    memory: None,
                    secrets_backend: if mailer { SecretsBackend::Ssm } else { SecretsBackend::SecretsManager },
                    load_balancer_arn: None,
                    image_registry_mirror: None,
                    secret_arns: Default::default(),
                    enable_execute_command: datadog,
                });
            }
        }
        s
    }
}

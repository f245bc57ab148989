//! A deterministic fleet of valid specs for benchmarks: spec `i` varies every dimension a real
//! fleet varies (database mode and engine, TLS, scaling, Datadog, backups, env size) by index.

use kimai_deploy::model::{
    Backup, DatabaseEngine, DatabaseMode, EcsTarget, Efs, Scaling, SecretRef, Spec, StorageClass,
    TlsMode,
};

/// The `i`-th spec of the fleet.
pub fn fleet_spec(i: u32) -> Spec {
    let mut s = Spec::minimal(format!("kimai-{i}"), format!("kimai-{i}.example.com"));
    s.environment = ["dev", "staging", "production"][(i % 3) as usize].into();
    for k in 0..(i % 12) {
        s.app.env.insert(
            format!("KIMAI_SETTING_{k}"),
            format!("value {k} with $ and # and yes").into(),
        );
    }
    if i % 2 == 0 {
        s.database.engine = DatabaseEngine::Mariadb;
    }
    s.monitoring.datadog.enabled = i % 5 == 0;
    if i % 4 == 0 {
        s.backup = Some(Backup {
            schedule: "30 2 * * *".into(),
            s3_bucket: "fleet-backups".into(),
            s3_prefix: String::new(),
            region: "eu-west-1".into(),
            retention_days: 1095,
        });
    }
    if i % 3 == 2 {
        // Production-like: external DB, EFS, autoscaling, ALB certificate, ECS.
        s.database.mode = DatabaseMode::External;
        s.database.host = Some(format!("kimai-{i}.cluster-abc.eu-west-1.rds.amazonaws.com"));
        s.storage.class = StorageClass::Efs;
        s.storage.efs = Some(Efs {
            file_system_id: "fs-0123456789abcdef0".into(),
            access_point_id: None,
            access_points: Default::default(),
        });
        s.scaling = Some(Scaling {
            min_replicas: 2,
            max_replicas: 6,
            ..Scaling::default()
        });
        s.ingress.tls.mode = TlsMode::Acm;
        s.ingress.tls.certificate_arn =
            Some("arn:aws:acm:eu-west-1:123456789012:certificate/abc".into());
        s.targets.kubernetes.ingress_class = Some(kimai_deploy::model::IngressClass::Alb);
        s.aws = Some(kimai_deploy::model::Aws {
            region: "eu-west-1".into(),
            account_id: "123456789012".into(),
            vpc_cidrs: Vec::new(),
            secrets_prefix: String::new(),
            ..Default::default()
        });
        s.targets.ecs = Some(EcsTarget {
            cluster: "fleet".into(),
            launch_type: Default::default(),
            capacity_provider: None,
            architecture: Default::default(),
            subnets: vec!["subnet-0123456789abcdef0".into()],
            security_groups: vec!["sg-0123456789abcdef0".into()],
            target_group_arn: None,
            execution_role_arn: None,
            task_role_arn: None,
            cpu: None,
            memory: None,
            secrets_backend: Default::default(),
            load_balancer_arn: None,
            image_registry_mirror: None,
            secret_arns: Default::default(),
            enable_execute_command: false,
        });
    } else if i % 3 == 1 {
        s.ingress.tls.mode = TlsMode::Files;
        s.app.admin_email = Some("admin@example.com".into());
        s.app.admin_password = Some(SecretRef::new("admin-password"));
    }
    s
}

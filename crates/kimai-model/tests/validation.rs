//! Validation rules one by one: each input spec and the exact problems it must produce.

use kimai_model::{load, Format, Target};

const BASE: &str = "name: kimai\ningress: { host: kimai.example.com }\n";

/// Loads `yaml` and asserts the problems, each written `path: message`.
#[track_caller]
fn check(yaml: &str, expect: &[&str]) {
    let got: Vec<String> = match load(yaml.as_bytes(), Format::Yaml) {
        Ok(_) => Vec::new(),
        Err(d) => d
            .iter()
            .map(|d| format!("{}: {}", d.path, d.message))
            .collect(),
    };
    assert_eq!(got, expect, "for spec:\n{yaml}");
}

/// BASE plus `extra` YAML lines.
fn with(extra: &str) -> String {
    format!("{BASE}{extra}")
}

#[test]
fn valid_minimal_spec() {
    check(BASE, &[]);
}

#[test]
fn names() {
    check(
        "name: Kimai_1\ningress: { host: kimai.example.com }\n",
        &["name: `Kimai_1` is not a DNS-1123 label of at most 40 characters"],
    );
    check(
        &format!(
            "name: {}\ningress: {{ host: a.example.com }}\n",
            "k".repeat(41)
        ),
        &[&format!(
            "name: `{}` is not a DNS-1123 label of at most 40 characters",
            "k".repeat(41)
        )],
    );
    check(
        &with("environment: Prod\n"),
        &["environment: `Prod` is not a lowercase label of at most 32 characters"],
    );
}

#[test]
fn host_is_required_and_a_dns_name() {
    check(
        "name: kimai\n",
        &["ingress.host: missing: every target exposes Kimai on a host name"],
    );
    check(
        "name: kimai\ningress: { host: Kimai.Example.com/x }\n",
        &["ingress.host: `Kimai.Example.com/x` is not a lowercase DNS name"],
    );
    check(
        &with("ingress: { host: a.example.com, aliases: [a.example.com, b_x] }\n")
            .replace("ingress: { host: kimai.example.com }\n", ""),
        &[
            "ingress.aliases[0]: `a.example.com` is listed twice",
            "ingress.aliases[1]: `b_x` is not a lowercase DNS name",
        ],
    );
}

#[test]
fn quantities() {
    check(&with("app: { cpu: lots, memory: 256Mi }\n"), &[
        "app.cpu: `lots` is not a CPU quantity (write millicores like `500m` or cores like `1` or `0.5`)",
        "app.memory: must be at least `512Mi`",
    ]);
    check(
        &with("storage: { size: 1.5Gi }\n"),
        &["storage.size: `1.5Gi` is not a memory quantity (write it like `512Mi`, `1Gi` or `2G`)"],
    );
}

#[test]
fn replicas_and_scaling() {
    check(
        &with("scaling: { min_replicas: 5, max_replicas: 2 }\n"),
        &["scaling.min_replicas: `5` is above `scaling.max_replicas` (`2`)"],
    );
    check(
        &with("scaling: { min_replicas: 0, target_cpu_percent: 150, target_memory_percent: 0 }\n"),
        &[
            "scaling.min_replicas: `0` is below 1",
            "scaling.target_cpu_percent: `150` is not a percentage between 1 and 100",
            "scaling.target_memory_percent: `0` is not a percentage between 1 and 100",
        ],
    );
    check(
        &with("app: { replicas: 3 }\nscaling: { min_replicas: 2 }\n"),
        &["app.replicas: `3` conflicts with `scaling`: the autoscaler owns the replica count"],
    );
    check(
        &with("app: { replicas: 0 }\n"),
        &["app.replicas: `0` is out of range"],
    );
}

#[test]
fn database() {
    check(
        &with("database: { mode: external }\n"),
        &["database.host: missing: an external database needs its host"],
    );
    check(
        &with("database: { host: db.internal }\n"),
        &["database.host: `db.internal` is set but the database is bundled"],
    );
    check(
        &with("database: { engine: mysql, version: \"8.0\" }\n"),
        &["database.version: MySQL `8.0` is older than Kimai supports"],
    );
    check(
        &with("database: { engine: mariadb, version: \"10.5\" }\n"),
        &["database.version: MariaDB `10.5` is older than Kimai supports"],
    );
    check(
        &with("database: { user: \"kimai user\", name: \"a-b\" }\n"),
        &[
            "database.name: `a-b` is not a database name",
            "database.user: `kimai user` is not a database user name",
        ],
    );
}

#[test]
fn tls_needs_its_inputs() {
    check(
        &with("ingress: { host: k.example.com, tls: { mode: acm } }\n")
            .replace("ingress: { host: kimai.example.com }\n", ""),
        &["ingress.tls.certificate_arn: missing: TLS mode `acm` needs the certificate"],
    );
    check(
        "name: kimai\ningress: { host: k.example.com, tls: { mode: files, certificate_arn: \"arn:aws:acm:eu-west-1:123456789012:certificate/x\", secret_name: s } }\n",
        &[
            "ingress.tls.certificate_arn: is set but `ingress.tls.mode` is not `acm`",
            "ingress.tls.secret_name: is set but `ingress.tls.mode` is not `secret`",
        ],
    );
}

#[test]
fn env_names_values_and_reserved() {
    check(
        &with("app: { env: { \"1BAD\": x, DATABASE_URL: y, DD_ENV: z, OK: \"a\\0b\" } }\n"),
        &[
            "app.env.1BAD: `1BAD` is not a valid environment variable name",
            "app.env.DATABASE_URL: `DATABASE_URL` is set by kimai-deploy",
            "app.env.DD_ENV: `DD_ENV` is set by kimai-deploy",
            "app.env.OK: the value contains a NUL byte, which no environment can carry",
        ],
    );
}

#[test]
fn secret_names() {
    check(&with("app: { app_secret: { secret: App_Secret } }\n"), &[
        "app.app_secret: the secret name must be lowercase letters, digits and `-`, start with a letter and not end with `-`",
    ]);
    check(&with("app: { admin_password: { secret: admin-password } }\n"), &[
        "app.admin_email: missing: `app.admin_password` creates the user `admin`, which needs an e-mail",
    ]);
}

#[test]
fn kimai_versions() {
    check(
        &with("app: { version: latest }\n"),
        &["app.version: `latest` is a floating tag"],
    );
    check(
        &with("app: { version: \"2.57.0\" }\n"),
        &["app.version: `2.57.0` has no bare version tag"],
    );
    check(
        &with("app: { version: \"2.66\" }\n"),
        &["app.version: `2.66` is not a full release number"],
    );
    check(&with("app: { version: apache-2.57.0 }\n"), &[]);
}

#[test]
fn storage() {
    check(
        &with("storage: { class: efs }\n"),
        &["storage.efs: missing: storage class `efs` needs the file system"],
    );
    check(&with("storage: { class: efs, efs: { file_system_id: fs-xyz } }\n"), &[
        "storage.efs.file_system_id: `fs-xyz` is not an EFS file system id (`fs-` and 8 or 17 hex digits)",
    ]);
    check(&with("storage: { class: shared }\n"), &[
        "storage.storage_class_name: missing: storage class `shared` needs a ReadWriteMany StorageClass name",
    ]);
}

#[test]
fn ecs_settings_are_all_reported() {
    check(
        &with("targets: { ecs: { cpu: 256, memory: 4096 } }\n"),
        &[
            "aws: missing: `targets.ecs` needs the AWS region and account",
            "targets.ecs.cluster: missing",
            "targets.ecs.cpu: `256` CPU units with `4096` MiB is not a Fargate task size",
            "targets.ecs.security_groups: missing: the service needs security groups",
            "targets.ecs.subnets: missing: the service needs subnets",
        ],
    );
    check(
        &with("aws: { region: mars-1, account_id: \"12\", vpc_cidrs: [10.0.0.1/16, 100.64.0.0/10], secrets_prefix: \"a b\" }\n"),
        &[
            "aws.account_id: `12` is not a 12-digit AWS account id",
            "aws.region: `mars-1` is not an AWS region",
            "aws.secrets_prefix: `a b` is not a plain name prefix",
            "aws.vpc_cidrs[0]: `10.0.0.1/16` is not a CIDR block",
        ],
    );
}

#[test]
fn ingress_class_follows_acm_and_waf_unless_set() {
    let acm = "ingress: { host: kimai.example.com, tls: { mode: acm, certificate_arn: \"arn:aws:acm:eu-west-1:123456789012:certificate/x\" } }\n";
    let spec = format!("name: kimai\n{acm}");
    let model = load(spec.as_bytes(), Format::Yaml).unwrap();
    assert_eq!(model.names().ingress_class, kimai_model::IngressClass::Alb);
    assert!(model.check_target(Target::Kubernetes).is_ok());
    let nginx = format!("{spec}targets: {{ kubernetes: {{ ingress_class: nginx }} }}\n");
    let model = load(nginx.as_bytes(), Format::Yaml).unwrap();
    let err = model.check_target(Target::Kubernetes).unwrap_err();
    assert_eq!(
        err.iter().map(|d| d.path.as_str()).collect::<Vec<_>>(),
        ["targets.kubernetes.ingress_class"]
    );
    let plain = load(
        b"name: kimai\ningress: { host: kimai.example.com }\n",
        Format::Yaml,
    )
    .unwrap();
    assert_eq!(
        plain.names().ingress_class,
        kimai_model::IngressClass::Nginx
    );
}

#[test]
fn monitoring_and_backup() {
    check(
        &with(
            "monitoring: { datadog: { site: example.com }, cloudwatch: { retention_days: 42 } }\n",
        ),
        &[
            "monitoring.cloudwatch.retention_days: `42` is not a CloudWatch Logs retention",
            "monitoring.datadog.site: `example.com` is not a Datadog site",
        ],
    );
    check(
        &with("backup: { s3_bucket: Bad_Bucket, schedule: \"@daily\", retention_days: 0 }\n"),
        &[
            "backup.retention_days: `0` keeps no backup",
            "backup.s3_bucket: `Bad_Bucket` is not an S3 bucket name",
            "backup.schedule: `@daily` is not a five-field cron schedule",
        ],
    );
}

#[test]
fn pod_watcher() {
    check(
        &with("targets: { kubernetes: { pod_watcher: { enabled: true } } }\n"),
        &[],
    );
    check(
        &with(concat!(
            "targets: { kubernetes: { pod_watcher: { enabled: true, image: \"alpine/kubectl:latest\", ",
            "cpu: lots, memory: 16Mi, api_server_cidrs: [10.0.0.0/33, 10.0.0.1], api_server_ports: [443, 0] } } }\n"
        )),
        &[
            "targets.kubernetes.pod_watcher.api_server_cidrs[0]: `10.0.0.0/33` is not an IP address or CIDR block",
            "targets.kubernetes.pod_watcher.api_server_ports[1]: `0` is not a TCP port",
            "targets.kubernetes.pod_watcher.cpu: `lots` is not a CPU quantity (write millicores like `500m` or cores like `1` or `0.5`)",
            "targets.kubernetes.pod_watcher.image: `alpine/kubectl:latest` is not a pinned image reference",
            "targets.kubernetes.pod_watcher.memory: must be at least `64Mi`",
        ],
    );
    check(
        &with("targets: { kubernetes: { pod_watcher: { image: kubectl, api_server_ports: [] } } }\n"),
        &[
            "targets.kubernetes.pod_watcher.api_server_ports: empty: the watcher could not reach the API server",
            "targets.kubernetes.pod_watcher.image: `kubectl` is not a pinned image reference",
        ],
    );
}

#[test]
fn all_problems_at_once() {
    let yaml = "name: Bad\napp: { cpu: x }\ndatabase: { mode: external }\nscaling: { min_replicas: 3, max_replicas: 1 }\n";
    let err = load(yaml.as_bytes(), Format::Yaml).unwrap_err();
    let paths: Vec<&str> = err.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "app.cpu",
            "database.host",
            "ingress.host",
            "name",
            "scaling.min_replicas"
        ]
    );
    assert!(err.iter().all(|d| !d.message.ends_with('.')));
}

#[test]
fn per_target_requirements() {
    let model = load(
        with("scaling: { min_replicas: 2, max_replicas: 4 }\n").as_bytes(),
        Format::Yaml,
    )
    .unwrap();
    assert!(model.check_target(Target::Compose).is_ok());
    let err = model.check_target(Target::Kubernetes).unwrap_err();
    assert_eq!(
        err.iter().map(|d| d.path.as_str()).collect::<Vec<_>>(),
        ["storage.class"]
    );
    assert!(err.to_string().contains("up to 4 replicas"));
    let err = model.check_target(Target::Ecs).unwrap_err();
    assert_eq!(
        err.iter().map(|d| d.path.as_str()).collect::<Vec<_>>(),
        ["storage.class", "targets.ecs"]
    );
    let ecs = "aws: { region: eu-west-1, account_id: \"123456789012\" }\ntargets: { ecs: { cluster: c, subnets: [subnet-01234567], security_groups: [sg-01234567] } }\n";
    let model = load(with(ecs).as_bytes(), Format::Yaml).unwrap();
    let err = model.check_target(Target::Ecs).unwrap_err();
    assert_eq!(
        err.iter().map(|d| d.path.as_str()).collect::<Vec<_>>(),
        ["database.mode", "storage.class"]
    );
}

#[test]
fn compose_proxy_subnet() {
    check(
        &with("targets: { compose: { proxy_subnet: 172.16.40.0/24 } }\n"),
        &[],
    );
    check(
        &with("targets: { compose: { proxy_subnet: 10.20.0.0/16 } }\n"),
        &[],
    );
    for bad in [
        "172.16.40.1/24",
        "172.16.0.0/12",
        "172.16.40.0/27",
        "fd00::/64",
        "x",
    ] {
        check(
            &with(&format!("targets: {{ compose: {{ proxy_subnet: \"{bad}\" }} }}\n")),
            &[&format!(
                "targets.compose.proxy_subnet: `{bad}` is not an IPv4 network from /16 to /26 with its host bits zero"
            )],
        );
    }
}

#[test]
fn memory_limit_must_fit_the_container() {
    check(
        &with("app: { memory: 1Gi, env: { memory_limit: 704M } }\n"),
        &[],
    );
    check(
        &with("app: { memory: 1Gi, env: { memory_limit: 768M } }\n"),
        &["app.env.memory_limit: one request at memory_limit 768M does not fit a 1024Mi container beside opcache (256Mi) and Apache (64Mi)"],
    );
    check(
        &with("app: { env: { memory_limit: \"-1\" } }\n"),
        &["app.env.memory_limit: `-1` is not a size Apache's workers can be counted with"],
    );
}

#[test]
fn aws_platform_for_terraform() {
    let aws = "aws:\n  region: eu-west-1\n  account_id: \"123456789012\"\n";
    // A created network: zone count and shared NAT are checked; subnet ids need a VPC id.
    check(
        &with(&format!(
            "{aws}  vpc_cidrs: [10.0.0.0/12]\n  network: {{ availability_zones: 7, single_nat_gateway: true, private_subnets: [subnet-01234567] }}\n  hosted_zone_id: z123\n  terraform_state_bucket: Bad_Bucket\n"
        )),
        &[
            "aws.hosted_zone_id: `z123` is not a Route 53 hosted zone id",
            "aws.network.availability_zones: 7 is not between 2 and 6",
            "aws.network.private_subnets: subnet ids need `aws.network.vpc_id`; without it Terraform creates the VPC and its subnets",
            "aws.network.single_nat_gateway: production needs a NAT gateway per zone: one shared gateway is a single point of failure",
            "aws.terraform_state_bucket: `Bad_Bucket` is not an S3 bucket name",
            "aws.vpc_cidrs[0]: a /12 network cannot hold the created VPC's subnets",
        ],
    );
    // An existing network: subnets in two zones, no settings of a created one.
    check(
        &with(&format!(
            "{aws}  network: {{ vpc_id: vpc-1, public_subnets: [subnet-01234567], availability_zones: 2 }}\n"
        )),
        &[
            "aws.network.availability_zones: only a VPC that Terraform creates has this setting",
            "aws.network.private_subnets: 0 given, at least 2 needed",
            "aws.network.public_subnets: 1 given, at least 2 needed",
            "aws.network.vpc_id: `vpc-1` is not a VPC id",
        ],
    );
    // Creating the database and the file system needs what they are for.
    check(
        &with(&format!("{aws}  create_database: true\n  create_file_system: true\n")),
        &[
            "aws.create_database: Terraform creates an RDS database, but `database.mode` is `bundled`",
            "aws.create_file_system: Terraform creates an EFS file system, but `storage.class` is not `efs`",
        ],
    );
    check(
        &with(&format!(
            "{aws}  create_database: true\ndatabase: {{ mode: external, host: localhost, read_replica_host: r.other.internal }}\n"
        )),
        &["database.host: Terraform names the database in a private hosted zone: the host needs a parent domain"],
    );
    check(
        &with(&format!(
            "{aws}  create_database: true\ndatabase: {{ mode: external, host: db.kimai.internal, read_replica_host: r.other.internal }}\n"
        )),
        &["database.read_replica_host: `r.other.internal` is not in zone `kimai.internal` of `database.host`"],
    );
    // Terraform renders only with the aws section.
    let model = load(BASE.as_bytes(), Format::Yaml).expect("valid");
    let err = model.check_target(Target::Terraform).expect_err("no aws");
    assert_eq!(err.iter().next().map(|d| d.path.as_str()), Some("aws"));
    let model = load(with(aws).as_bytes(), Format::Yaml).expect("valid");
    assert!(model.check_target(Target::Terraform).is_ok());
}

#[test]
fn eks_platform() {
    let aws = "aws:\n  region: eu-west-1\n  account_id: \"123456789012\"\n";
    let ok = "database: { mode: external, host: db.kimai.internal }\nstorage: { class: efs, efs: { file_system_id: fs-0123456789abcdef0 } }\n";
    // Somewhere to run, a known version, a plain name, CIDRs only for a public endpoint.
    check_any_order(
        &with(&format!(
            "{ok}{aws}  eks: {{ cluster: \"-bad\", version: \"1.20\", endpoint_public_access: false, public_access_cidrs: [nope], admin_role_arns: [arn:aws:iam::123456789012:user/x] }}\n"
        )),
        &[
            "aws.eks.cluster: `-bad` is not an EKS cluster name",
            "aws.eks.version: `1.20` is not a version whose add-ons are pinned here",
            "aws.eks.public_access_cidrs[0]: `nope` is not a CIDR block",
            "aws.eks.public_access_cidrs: the endpoint is private (`endpoint_public_access: false`)",
            "aws.eks.admin_role_arns[0]: `arn:aws:iam::123456789012:user/x` is not an IAM role ARN",
            "aws.eks.node_group: pods need somewhere to run: neither a node group nor Fargate",
        ],
    );
    // A node group runs one architecture, its sizes in order.
    check_any_order(
        &with(&format!(
            "{ok}{aws}  eks:\n    node_group: {{ instance_types: [m7g.large, m7i.large, \"bad type\"], min_size: 3, max_size: 2, desired_size: 5, capacity_type: RESERVED, disk_size_gib: 10 }}\n"
        )),
        &[
            "aws.eks.node_group.instance_types[2]: `bad type` is not an EC2 instance type",
            "aws.eks.node_group.instance_types: mixes Graviton (arm64) and x86 types: one node group runs one AMI type",
            "aws.eks.node_group.max_size: 2 is below min_size 3 or zero",
            "aws.eks.node_group.desired_size: 5 is not between min_size 3 and max_size 2",
            "aws.eks.node_group.capacity_type: `RESERVED` is not a capacity type",
            "aws.eks.node_group.disk_size_gib: 10 GiB is not between 20 and 16384",
        ],
    );
    // EKS gets EFS and RDS here: no block storage, no bundled database, no ingress-nginx; an
    // existing cluster is found by name; Datadog needs nodes; one cluster for the pipelines.
    check_any_order(
        &with(&format!(
            "monitoring: {{ datadog: {{ enabled: true }} }}\ntargets: {{ kubernetes: {{ ingress_class: nginx, external_secrets: {{ store: s, store_kind: SecretStore }} }} }}\ndelivery: {{ repository: https://example.com/x.git, eks_cluster: other }}\n{aws}  eks: {{ create: false, fargate: true }}\n"
        )),
        &[
            "aws.eks.cluster: missing: an existing cluster (`create: false`) is found by name",
            "aws.network.vpc_id: missing: an existing EKS cluster runs in its own VPC, where the database and file system must be too",
            "storage.class: EKS gets its storage from EFS here (no block-storage driver is installed)",
            "database.mode: a bundled database needs block storage, which EKS does not get here",
            "targets.kubernetes.external_secrets.store_kind: on EKS, Terraform creates the store, cluster-scoped",
            "targets.kubernetes.ingress_class: Terraform installs the AWS Load Balancer Controller on EKS, not ingress-nginx",
        ],
    );
    check_any_order(
        &with(&format!(
            "{ok}monitoring: {{ datadog: {{ enabled: true }} }}\ndelivery: {{ repository: https://example.com/x.git, eks_cluster: other }}\n{aws}  eks: {{ cluster: kimai, fargate: true }}\n"
        )),
        &[
            "monitoring.datadog.enabled: the Datadog agent runs as a DaemonSet on nodes, and this cluster has none (Fargate only)",
            "delivery.eks_cluster: `other` is not `aws.eks.cluster` (`kimai`)",
        ],
    );
    check(
        &with(&format!(
            "{ok}monitoring: {{ datadog: {{ enabled: true }} }}\n{aws}  eks: {{ cluster: Kimai_Prod, node_group: {{}} }}\n"
        )),
        &["aws.eks.cluster: `Kimai_Prod` is not a cluster name the Datadog agent accepts"],
    );
    // Valid: the defaults derive the cluster and pick the ALB.
    let model = load(
        with(&format!("{ok}{aws}  eks: {{ node_group: {{}} }}\n")).as_bytes(),
        Format::Yaml,
    )
    .expect("valid");
    let names = model.names();
    let eks = names.eks.as_ref().expect("eks names");
    assert_eq!(eks.cluster, "kimai-production");
    assert_eq!(names.eks_cluster.as_deref(), Some("kimai-production"));
    assert_eq!(names.ingress_class, kimai_model::IngressClass::Alb);
    assert_eq!(eks.secret_store, "kimai-production");
    assert_eq!(
        eks.storage_class, None,
        "the file system exists: the spec's PV"
    );
    assert!(kimai_model::graviton("m7g.large") && kimai_model::graviton("c7gn.xlarge"));
    assert!(!kimai_model::graviton("m7i.large") && !kimai_model::graviton("g5.xlarge"));
}

/// [`check`] with the expected problems in any order (they are reported sorted by path).
#[track_caller]
fn check_any_order(yaml: &str, expect: &[&str]) {
    let mut sorted = expect.to_vec();
    sorted.sort_unstable();
    check(yaml, &sorted);
}

#[test]
fn eks_existing_cluster() {
    let base = "database: { mode: external, host: db.kimai.internal }\nstorage: { class: efs, efs: { file_system_id: fs-0123456789abcdef0 } }\naws:\n  region: eu-west-1\n  account_id: \"123456789012\"\n";
    // An existing cluster: its VPC, no node group of ours; a Fargate profile is fine.
    check_any_order(
        &with(&format!(
            "{base}  eks: {{ cluster: platform, create: false, node_group: {{}} }}\n"
        )),
        &[
            "aws.network.vpc_id: missing: an existing EKS cluster runs in its own VPC, where the database and file system must be too",
            "aws.eks.node_group: only a cluster Terraform creates gets its node group here",
        ],
    );
    let model = load(
        with(&format!(
            "{base}  network: {{ vpc_id: vpc-0123456789abcdef0, public_subnets: [subnet-01234567, subnet-01234568], private_subnets: [subnet-01234569, subnet-0123456a] }}\n  eks: {{ cluster: platform, create: false }}\n"
        ))
        .as_bytes(),
        Format::Yaml,
    )
    .expect("an existing cluster needs neither nodes nor Fargate here");
    let eks = model
        .spec()
        .aws
        .as_ref()
        .and_then(|a| a.eks.as_ref())
        .expect("eks");
    assert!(
        !eks.installs_controllers(),
        "the cluster's creator installed them"
    );
}

//! The capability matrix: for every spec setting, what each target does with it.
//!
//! `docs/capabilities.md` is generated from [`CAPABILITIES`] ([`markdown`]) and a test keeps it
//! current; another test checks that every notice a renderer emits belongs to a setting the
//! matrix marks as approximated or not expressible on that target, so the table cannot drift
//! from what the renderers do.

use kimai_model::Target;

/// How a target handles a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Expressed natively, with the same meaning as on the other targets.
    Native,
    /// Expressed in part; a notice says what differs.
    Approximated,
    /// Not expressible; a notice says so and what happens instead.
    Notice,
    /// Rejected by validation for this target, with a hint (the deployment would not work).
    Rejected,
    /// Does not apply to this target (documented here, no notice).
    NotApplicable,
}

impl Support {
    fn label(self) -> &'static str {
        match self {
            Support::Native => "native",
            Support::Approximated => "approximated (notice)",
            Support::Notice => "not expressible (notice)",
            Support::Rejected => "rejected (error)",
            Support::NotApplicable => "n/a",
        }
    }

    /// True when the target may emit a notice about the setting.
    pub fn may_notice(self) -> bool {
        matches!(self, Support::Approximated | Support::Notice)
    }
}

/// Terraform creates the AWS platform under ECS and EKS: it uses only the settings that name
/// platform resources, and emits no notice (what the operator does is in terraform/README.md).
fn terraform_cell(setting: &str) -> (Support, &'static str) {
    match setting {
        "aws" => (Native, "provider region and account, the network (created or existing), RDS and EFS when `create_*`, state backend"),
        "database" => (Native, "with `aws.create_database`: RDS of the engine and version, utf8mb4 parameter group, private DNS name `database.host`"),
        "database.read_replica_host" => (Native, "with `aws.create_database`: an RDS read replica behind this name"),
        "storage.class" => (Native, "`efs`: the file system (created or existing) for the task definition and task role"),
        "ingress.host" | "ingress.aliases" => (Native, "ALB listener host rule; Route 53 alias with `aws.hosted_zone_id` (ECS)"),
        "ingress.tls" => (Native, "`acm` (required with ECS): the HTTPS listener's certificate"),
        "ingress.waf_acl_arn" => (Native, "WAF association with the ALB (ECS)"),
        "monitoring.cloudwatch" => (Native, "the log group with its retention (ECS)"),
        "backup" => (Native, "bucket with TLS-only policy and this environment's lifecycle rule, IRSA backup role, AWS Backup plan"),
        "targets.ecs" => (Native, "cluster, roles, log group, ALB; task definition and service when Terraform creates the network"),
        _ => (NotApplicable, ""),
    }
}

/// One row: a setting and what each target does with it.
#[derive(Debug, Clone, Copy)]
pub struct Capability {
    /// Spec path (`scaling`, `ingress.tls`); notices about sub-paths belong to it.
    pub setting: &'static str,
    /// Docker Compose.
    pub compose: (Support, &'static str),
    /// Kubernetes.
    pub k8s: (Support, &'static str),
    /// AWS ECS.
    pub ecs: (Support, &'static str),
    /// Ansible.
    pub ansible: (Support, &'static str),
}

impl Capability {
    /// The cell of one target.
    pub fn of(&self, target: Target) -> (Support, &'static str) {
        match target {
            Target::Compose => self.compose,
            Target::Kubernetes => self.k8s,
            Target::Ecs => self.ecs,
            Target::Ansible => self.ansible,
            Target::Terraform => terraform_cell(self.setting),
        }
    }

    /// True when `path` is this setting or below it.
    pub fn covers(&self, path: &str) -> bool {
        path == self.setting
            || path
                .strip_prefix(self.setting)
                .is_some_and(|rest| rest.starts_with('.'))
    }
}

use Support::*;

const SAME_AS_COMPOSE: &str = "as Compose: the playbook deploys the Compose project";

/// The matrix, in spec order. The most specific setting comes first where rows nest.
pub const CAPABILITIES: &[Capability] = &[
    Capability {
        setting: "app.image",
        compose: (Native, "service image `image:version`"),
        k8s: (Native, "container image, `IfNotPresent`"),
        ecs: (Native, "container image"),
        ansible: (Native, SAME_AS_COMPOSE),
    },
    Capability {
        setting: "app.version",
        compose: (Native, "image tag; Datadog version tag"),
        k8s: (Native, "image tag; `app.kubernetes.io/version` and Datadog labels"),
        ecs: (Native, "image tag; Datadog docker labels"),
        ansible: (Native, SAME_AS_COMPOSE),
    },
    Capability {
        setting: "app.replicas",
        compose: (Native, "`deploy.replicas`"),
        k8s: (Native, "Deployment `replicas` (absent when an HPA owns the count)"),
        ecs: (Native, "service `desiredCount`"),
        ansible: (Native, "per host, as Compose"),
    },
    Capability {
        setting: "app.cpu",
        compose: (Native, "`deploy.resources.reservations.cpus`"),
        k8s: (Native, "CPU request; no CPU limit (throttling only slows PHP)"),
        ecs: (Native, "task CPU units, rounded up to a valid Fargate size"),
        ansible: (Native, SAME_AS_COMPOSE),
    },
    Capability {
        setting: "app.memory",
        compose: (Native, "memory reservation and limit"),
        k8s: (Native, "memory request and limit"),
        ecs: (Native, "task memory (Fargate size) and container reservation"),
        ansible: (Native, SAME_AS_COMPOSE),
    },
    Capability {
        setting: "app.env",
        compose: (Native, "environment, `$` escaped as `$$`, YAML 1.1 look-alikes quoted"),
        k8s: (Native, "container env, every `$` doubled against `$(VAR)` expansion"),
        ecs: (Native, "container `environment`, sorted"),
        ansible: (Native, "compose.yaml copied verbatim: no Jinja templating of values"),
    },
    Capability {
        setting: "app.admin_email",
        compose: (Native, "`ADMINMAIL`"),
        k8s: (Native, "`ADMINMAIL`"),
        ecs: (Native, "`ADMINMAIL`"),
        ansible: (Native, SAME_AS_COMPOSE),
    },
    Capability {
        setting: "app.admin_password",
        compose: (Native, "`ADMINPASS` from `.env`"),
        k8s: (Native, "`ADMINPASS` from `secretKeyRef`"),
        ecs: (Native, "`ADMINPASS` from `secrets.valueFrom`"),
        ansible: (Native, "`.env` from Ansible Vault, `no_log`"),
    },
    Capability {
        setting: "app.app_secret",
        compose: (Native, "`APP_SECRET` from `.env`"),
        k8s: (Native, "`APP_SECRET` from `secretKeyRef`"),
        ecs: (Native, "`APP_SECRET` from `secrets.valueFrom`"),
        ansible: (Native, "`.env` from Ansible Vault, `no_log`"),
    },
    Capability {
        setting: "app.timezone",
        compose: (Native, "`TZ`"),
        k8s: (Native, "`TZ`"),
        ecs: (Native, "`TZ`"),
        ansible: (Native, SAME_AS_COMPOSE),
    },
    Capability {
        setting: "app.trusted_proxies",
        compose: (Native, "Kimai trusts only NGINX's fixed address; these are the balancer addresses NGINX believes `X-Forwarded-*` from (TLS `acm`)"),
        k8s: (Native, "`TRUSTED_PROXIES` (NetworkPolicy admits only the ingress)"),
        ecs: (Native, "`TRUSTED_PROXIES` (security groups admit only the ALB)"),
        ansible: (Native, SAME_AS_COMPOSE),
    },
    Capability {
        setting: "app.mailer",
        compose: (Native, "`MAILER_FROM`, `MAILER_URL` from `.env`"),
        k8s: (Native, "`MAILER_FROM`, `MAILER_URL` from `secretKeyRef`"),
        ecs: (Native, "`MAILER_FROM`, `MAILER_URL` from `secrets.valueFrom`"),
        ansible: (Native, SAME_AS_COMPOSE),
    },
    Capability {
        setting: "app.local_yaml",
        compose: (Native, "generated file, bind-mounted read-only"),
        k8s: (Native, "ConfigMap mounted read-only; pods roll when it changes"),
        ecs: (Notice, "ECS cannot mount a file from the task definition"),
        ansible: (Native, "copied to the host with the Compose project"),
    },
    Capability {
        setting: "database.mode",
        compose: (Native, "bundled: a `db` service with a volume; external: `DATABASE_URL` to the host"),
        k8s: (Native, "bundled: StatefulSet + headless Service; external: `DATABASE_URL`"),
        ecs: (Rejected, "a bundled database cannot run on ECS sensibly: use `external` (RDS)"),
        ansible: (Native, SAME_AS_COMPOSE),
    },
    Capability {
        setting: "database.read_replica_host",
        compose: (Notice, "Kimai reads and writes through `database.host`"),
        k8s: (Notice, "Kimai uses the primary; the replica is listed for reporting tools"),
        ecs: (Notice, "Kimai reads and writes through `database.host`"),
        ansible: (Notice, "Kimai reads and writes through `database.host`"),
    },
    Capability {
        setting: "database",
        compose: (Native, "engine image, utf8mb4, `serverVersion`, port, name, user; passwords from `.env`"),
        k8s: (Native, "as Compose, passwords from the Secret"),
        ecs: (Native, "`DATABASE_URL` as a whole secret (`database.url_secret`)"),
        ansible: (Native, SAME_AS_COMPOSE),
    },
    Capability {
        setting: "storage.class",
        compose: (Approximated, "local named volumes; `efs`/`shared` become local volumes with a notice"),
        k8s: (Native, "RWO PVC (one replica), EFS static PV (RWX), or a named RWX StorageClass"),
        ecs: (Approximated, "EFS volumes only (other classes are rejected: tasks keep no local data)"),
        ansible: (Approximated, "local Docker volumes per host; `efs`/`shared` with a notice"),
    },
    Capability {
        setting: "storage.efs.access_point_id",
        compose: (NotApplicable, "see storage.class"),
        k8s: (Native, "`volumeHandle` `fs-id::fsap-id`"),
        ecs: (Notice, "one access point cannot root three directories; set `storage.efs.access_points` instead"),
        ansible: (NotApplicable, "see storage.class"),
    },
    Capability {
        setting: "storage.efs.access_points",
        compose: (NotApplicable, "see storage.class"),
        k8s: (NotApplicable, "one volume with sub-paths under `access_point_id`"),
        ecs: (Native, "one EFS volume per directory, each through its access point"),
        ansible: (NotApplicable, "see storage.class"),
    },
    Capability {
        setting: "storage.size",
        compose: (NotApplicable, "Docker volumes are not sized; they grow with their contents"),
        k8s: (Native, "PVC request"),
        ecs: (Notice, "EFS grows and shrinks with its contents"),
        ansible: (NotApplicable, "Docker volumes are not sized"),
    },
    Capability {
        setting: "storage.database_size",
        compose: (NotApplicable, "Docker volumes are not sized"),
        k8s: (Native, "StatefulSet volume claim template"),
        ecs: (NotApplicable, "no bundled database on ECS"),
        ansible: (NotApplicable, "Docker volumes are not sized"),
    },
    Capability {
        setting: "ingress.host",
        compose: (Native, "NGINX `server_name`, `TRUSTED_HOSTS`, `DEFAULT_URI`"),
        k8s: (Native, "Ingress rules, `TRUSTED_HOSTS`, `DEFAULT_URI`"),
        ecs: (Native, "`TRUSTED_HOSTS`, `DEFAULT_URI` (host rules live on the operator's ALB listener)"),
        ansible: (Native, SAME_AS_COMPOSE),
    },
    Capability {
        setting: "ingress.aliases",
        compose: (Native, "NGINX `server_name`, `TRUSTED_HOSTS`"),
        k8s: (Native, "Ingress rules and TLS hosts, `TRUSTED_HOSTS`"),
        ecs: (Native, "`TRUSTED_HOSTS`"),
        ansible: (Native, SAME_AS_COMPOSE),
    },
    Capability {
        setting: "ingress.tls",
        compose: (Approximated, "`files`: NGINX terminates TLS; `acm`/`secret`: plain HTTP with a notice"),
        k8s: (Approximated, "`secret`: Ingress TLS (cert-manager issuer annotation); `acm`: ALB listener; `files`: notice"),
        ecs: (Notice, "the certificate belongs on the ALB listener, outside these files; README lists it"),
        ansible: (Approximated, "as Compose; certificates copied from `kimai_certs_dir`"),
    },
    Capability {
        setting: "ingress.max_body_mib",
        compose: (Native, "NGINX `client_max_body_size`"),
        k8s: (Approximated, "nginx: `proxy-body-size`; an ALB has no body limit (notice)"),
        ecs: (Notice, "an ALB has no body limit"),
        ansible: (Native, SAME_AS_COMPOSE),
    },
    Capability {
        setting: "ingress.waf_acl_arn",
        compose: (Notice, "a WAF attaches to an AWS load balancer"),
        k8s: (Native, "ALB `wafv2-acl-arn` annotation"),
        ecs: (Notice, "associate with the operator's ALB; README has the command"),
        ansible: (Notice, "a WAF attaches to an AWS load balancer"),
    },
    Capability {
        setting: "scaling",
        compose: (Notice, "no autoscaler: runs `min_replicas`"),
        k8s: (Approximated, "HorizontalPodAutoscaler (CPU, memory) + PDB; request-count scaling needs an adapter (notice)"),
        ecs: (Approximated, "Application Auto Scaling target tracking (CPU, memory, ALB requests with the ALB's ARN)"),
        ansible: (Notice, "no autoscaler: each host runs `min_replicas`"),
    },
    Capability {
        setting: "monitoring.datadog",
        compose: (Native, "agent service (Docker socket via `DOCKER_HOST`), unified service tag labels, log label"),
        k8s: (Native, "unified service tag labels, log annotation, `DD_AGENT_HOST` from the downward API, agent Helm values"),
        ecs: (Approximated, "agent sidecar and docker labels; logs stay in CloudWatch (notice)"),
        ansible: (Native, SAME_AS_COMPOSE),
    },
    Capability {
        setting: "monitoring.cloudwatch",
        compose: (NotApplicable, "logs go to the `json-file` driver, rotated"),
        k8s: (NotApplicable, "logs go to the cluster's log pipeline"),
        ecs: (Native, "`awslogs` driver: group, region, stream prefix; retention in README"),
        ansible: (NotApplicable, "logs go to the `json-file` driver, rotated"),
    },
    Capability {
        setting: "backup",
        compose: (Notice, "no scheduler; the deploy note shows the dump command"),
        k8s: (Native, "CronJob: `mysqldump --single-transaction` to S3 on the schedule"),
        ecs: (Notice, "no scheduled task: AWS Backup / RDS snapshots, README says how"),
        ansible: (Approximated, "host cron job for a bundled database; external databases: notice"),
    },
    Capability {
        setting: "targets.compose",
        compose: (Native, "proxy ports and image"),
        k8s: (NotApplicable, ""),
        ecs: (NotApplicable, ""),
        ansible: (Native, SAME_AS_COMPOSE),
    },
    Capability {
        setting: "targets.kubernetes.service_account_annotations",
        compose: (NotApplicable, ""),
        k8s: (Approximated, "IRSA role for the backup upload (derived from `aws` when unset); a notice when backups have neither"),
        ecs: (NotApplicable, ""),
        ansible: (NotApplicable, ""),
    },
    Capability {
        setting: "aws",
        compose: (NotApplicable, ""),
        k8s: (Native, "backup role ARN, Secrets Manager names, VPC ranges for TRUSTED_HOSTS and the NetworkPolicy behind an ALB"),
        ecs: (Native, "region, account, secret names, role ARNs; VPC ranges for TRUSTED_HOSTS"),
        ansible: (NotApplicable, ""),
    },
    Capability {
        setting: "targets.kubernetes.pod_watcher",
        compose: (NotApplicable, ""),
        k8s: (Native, "one-replica `kubectl get pods --watch` loop logging each pod event with its UTC time; Role get/list/watch on pods; egress to the API server and DNS only"),
        ecs: (NotApplicable, ""),
        ansible: (NotApplicable, ""),
    },
    Capability {
        setting: "targets.kubernetes",
        compose: (NotApplicable, ""),
        k8s: (Native, "namespace, ingress class, ALB scheme, external-secrets"),
        ecs: (NotApplicable, ""),
        ansible: (NotApplicable, ""),
    },
    Capability {
        setting: "targets.ecs",
        compose: (NotApplicable, ""),
        k8s: (NotApplicable, ""),
        ecs: (Native, "launch type, architecture, network, roles, size override, secrets backend, ECS Exec"),
        ansible: (NotApplicable, ""),
    },
    Capability {
        setting: "targets.ansible.hosts",
        compose: (NotApplicable, ""),
        k8s: (NotApplicable, ""),
        ecs: (NotApplicable, ""),
        ansible: (Approximated, "inventory group `kimai`; several hosts each run a whole project (notice)"),
    },
    Capability {
        setting: "targets.ansible",
        compose: (NotApplicable, ""),
        k8s: (NotApplicable, ""),
        ecs: (NotApplicable, ""),
        ansible: (Native, "SSH user, `kimai_deploy_dir`"),
    },
];

/// The row that covers `path` (the most specific one listed first).
pub fn capability_for(path: &str) -> Option<&'static Capability> {
    CAPABILITIES.iter().find(|c| c.covers(path))
}

/// `docs/capabilities.md`.
pub fn markdown() -> String {
    let mut out = String::from(
        "# What each target does with each setting\n\n\
         Generated from `src/capabilities.rs` (`KIMAI_UPDATE_DOCS=1 cargo test --test capabilities` rewrites it).\n\
         *approximated* and *not expressible* settings produce a notice in the `generate` summary and\n\
         the target's README; *rejected* settings are validation errors for that target.\n\n\
         | setting | Compose | Kubernetes | ECS | Ansible | Terraform |\n|---|---|---|---|---|---|\n",
    );
    for c in CAPABILITIES {
        out.push_str(&format!("| `{}` |", c.setting));
        for t in Target::ALL {
            let (support, how) = c.of(t);
            if how.is_empty() {
                out.push_str(&format!(" {} |", support.label()));
            } else {
                out.push_str(&format!(" **{}**: {} |", support.label(), how));
            }
        }
        out.push('\n');
    }
    out
}

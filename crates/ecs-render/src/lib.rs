//! Renders a validated Kimai deployment model as the inputs of the AWS CLI calls that deploy
//! it on ECS (Fargate or EC2) — no CloudFormation.
//!
//! One free function, [`render`], checks that the model can run on ECS
//! ([`Validated::check_target`]) and returns these files, relative to the `ecs` folder:
//!
//! | file | AWS CLI call |
//! |---|---|
//! | `task-definition.json` | `aws ecs register-task-definition --cli-input-json` |
//! | `service.json` | `aws ecs create-service --cli-input-json` (once) |
//! | `service-update.json` | `aws ecs update-service --cli-input-json` (every later change) |
//! | `scalable-target.json` | `aws application-autoscaling register-scalable-target` (with `scaling`) |
//! | `scaling-policy-{cpu,memory,requests}.json` | `aws application-autoscaling put-scaling-policy` |
//! | `README.md` | deploy note: secrets to create, IAM, ALB settings, the commands in order |
//!
//! Every JSON file is a typed serde struct mirroring the API's input shape, written pretty
//! with a trailing newline; environment and secrets are sorted by name, nothing depends on
//! the clock. Secrets appear only as `valueFrom` ARNs.
//!
//! ```
//! let spec = br#"
//! name: kimai
//! ingress: { host: kimai.example.com }
//! database: { mode: external, host: db.example.internal }
//! storage: { class: efs, efs: { file_system_id: fs-0123456789abcdef0 } }
//! aws: { region: eu-central-1, account_id: "123456789012" }
//! targets:
//!   ecs:
//!     cluster: main
//!     subnets: [subnet-0123456789abcdef0]
//!     security_groups: [sg-0123456789abcdef0]
//! "#;
//! let model = kimai_model::load(spec, kimai_model::Format::Yaml).unwrap();
//! let out = ecs_render::render(&model, &ecs_render::Options::default()).unwrap();
//! let td: serde_json::Value =
//!     serde_json::from_str(&out.file("task-definition.json").unwrap().contents).unwrap();
//! assert_eq!(td["cpu"], "512");
//! assert_eq!(td["memory"], "1024");
//! assert_eq!(
//!     td["containerDefinitions"][0]["secrets"][1]["valueFrom"],
//!     "arn:aws:secretsmanager:eu-central-1:123456789012:secret:kimai/production/database_url"
//! );
//! assert!(out.file("service.json").is_some());
//!
//! // A spec without `targets.ecs` cannot render ECS: the caller skips the target.
//! let minimal = kimai_model::load(b"name: kimai\ningress: { host: kimai.example.com }\n",
//!     kimai_model::Format::Yaml).unwrap();
//! assert!(matches!(
//!     ecs_render::render(&minimal, &ecs_render::Options::default()),
//!     Err(ecs_render::Error::Invalid(_))
//! ));
//! ```
//!
//! # Decisions
//!
//! - **Task size.** `app.cpu` in CPU units (1000m = 1024, rounded up) and `app.memory` in MiB,
//!   plus the Datadog sidecar (128 units, 256 MiB) when enabled, rounded up to the smallest
//!   Fargate pair ([`task_definition::task_size`]); `targets.ecs.cpu`/`memory` win.
//! - **EFS layout.** ECS mounts a whole volume (no sub-path), and an access point can only be
//!   mounted at its root, so one access point cannot serve three directories. Each persistent
//!   directory is its own EFS volume: `rootDirectory` `/data`, `/plugins`, `/invoices` of the
//!   file system (the layout the Kubernetes renderer uses without an access point), or the
//!   access point given for it in `storage.efs.access_points`. Always TLS and IAM
//!   authorisation. The spec's single `storage.efs.access_point_id` is reported as a notice.
//! - **Capabilities.** The root entrypoint needs CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID.
//!   Fargate accepts no `add` but `SYS_PTRACE`, so on Fargate the rest of Docker's default
//!   set is dropped instead; on EC2 `drop: [ALL]` plus those five. The same effective set.
//! - **`DATABASE_URL`** comes whole from `database.url_secret`: ECS cannot assemble a string
//!   from a secret. The deploy note shows how to compute it with the URL-encoded password.
//! - **ALB health checks** send the target's IP as `Host`; `TRUSTED_HOSTS` also admits
//!   the VPC's addresses (`aws.vpc_cidrs`, RFC 1918 by default); the note explains why that is safe.
//! - **Requests per target** needs the load balancer's ARN, which the target group ARN does
//!   not contain: `targets.ecs.load_balancer_arn`, otherwise a notice and no policy.
//! - **Names** (service, family, roles, log group, secret names) come from
//!   [`kimai_model::Names`]: per environment, so environments share an account and a cluster.
//! - **Stop timing.** The target group drains a task for
//!   [`kimai_model::DEREGISTRATION_DELAY_SECONDS`] before ECS signals it; `stopTimeout` is
//!   [`kimai_model::STOP_GRACE_SECONDS`] after that.
//! - **Updates** go through `service-update.json` (UpdateService's own shape; without a
//!   desired count under an autoscaler).
//!
//! Architecture invariant: this crate depends only on `kimai-model` and serde; it does no I/O
//! and reads no clock. Names and ARNs come from [`identity`] only.

pub mod autoscaling;
pub mod identity;
pub mod log_protection;
mod note;
pub mod secrets;
pub mod service;
pub mod task_definition;

use kimai_model::{
    Diagnostics, EcsTarget, LaunchType, Notice, OutputFile, Rendered, Target, TlsMode, Validated,
};
use serde::Serialize;

pub use identity::Identity;

/// The notice target name.
const TARGET: &str = "ecs";

/// Options of the ECS renderer. Nothing is required: the spec carries the deployment, including
/// everything an operator may need to set (a notice never points at an option the spec lacks).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Options {
    /// The `terraform` target renders beside these files and creates the AWS platform they
    /// reference (secrets without values, roles, log group, cluster, load balancer, file system
    /// access points, WAF association, backups; the service itself when it creates the
    /// network): the README then lists no resource to create by hand, only the secret values
    /// and the apply order, and no notice says a file does not create them.
    pub terraform: bool,
}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model (or an option) cannot be expressed on ECS.
    #[error(transparent)]
    Invalid(#[from] kimai_model::Diagnostics),
    /// A value could not be serialised.
    #[error("cannot serialise ecs output: {0}")]
    Serialize(#[from] serde_json::Error),
    /// The deploy note's template failed (a bug: the facts are typed).
    #[error("cannot render the ecs deploy note: {0}")]
    Template(#[from] minijinja::Error),
}

/// Renders the ECS files for `model`, or every reason it cannot run on ECS.
pub fn render(model: &Validated, options: &Options) -> Result<Rendered, Error> {
    model.check_target(Target::Ecs)?;
    let Some(ecs) = model.spec().targets.ecs.as_ref() else {
        // check_target rejects a missing `targets.ecs`; stay total anyway.
        let mut d = Diagnostics::default();
        d.error("targets.ecs", "missing");
        return Err(Error::Invalid(d));
    };
    let size = task_definition::task_size(model, ecs)?;
    let id = Identity::new(model, ecs);
    let balancer_hosts = model.balancer_host_patterns();
    let extra = [balancer_hosts.as_str()];

    let service = service::service(model, ecs, &id);
    let mut files = vec![
        json(
            "task-definition.json",
            &task_definition::task_definition(model, ecs, &id, size, &extra),
        )?,
        json("service.json", &service)?,
        json(
            "service-update.json",
            &service::service_update(model, &service),
        )?,
        json(
            "log-data-protection-policy.json",
            &log_protection::put_data_protection_policy(&id)?,
        )?,
    ];
    let label = requests_label(ecs);
    if let Some(scaling) = &model.spec().scaling {
        files.push(json(
            "scalable-target.json",
            &autoscaling::scalable_target(&id, scaling),
        )?);
        for (suffix, policy) in autoscaling::policies(&id, scaling, label.as_deref()) {
            files.push(json(&format!("scaling-policy-{suffix}.json"), &policy)?);
        }
    }
    let mut notices = notices(model, ecs, label.is_some(), options.terraform);
    notices.sort();
    notices.dedup();
    let readme = note::readme(
        model,
        ecs,
        &id,
        size,
        &extra,
        &files,
        &notices,
        options.terraform,
    )?;
    files.push(OutputFile::new("README.md", readme));
    Ok(Rendered { files, notices }.sorted())
}

/// One JSON file: pretty, with a trailing newline.
fn json<T: Serialize>(path: &str, value: &T) -> Result<OutputFile, serde_json::Error> {
    // `serde_json::to_string_pretty`, into a buffer that starts at what most of these files
    // take (its own starts at 128 bytes), below 1 KiB: a glibc small-bin request.
    let mut buf = Vec::with_capacity(1000);
    serde_json::to_writer_pretty(&mut buf, value)?;
    let mut text = String::from_utf8(buf)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    text.push('\n');
    Ok(OutputFile::new(path, text))
}

/// The ALB request-count resource label, when the load balancer and target group are known.
fn requests_label(ecs: &EcsTarget) -> Option<String> {
    autoscaling::resource_label(
        ecs.load_balancer_arn.as_deref()?,
        ecs.target_group_arn.as_deref()?,
    )
}

/// What the spec says that these files cannot express, and what happens instead.
fn notices(
    model: &Validated,
    ecs: &EcsTarget,
    has_requests_label: bool,
    terraform: bool,
) -> Vec<Notice> {
    let spec = model.spec();
    let mut v = Vec::new();
    let mut add = |path: &str, message: String| {
        v.push(Notice {
            target: TARGET,
            path: path.into(),
            message,
        })
    };
    if spec.database.read_replica_host.is_some() {
        add(
            "database.read_replica_host",
            "Kimai reads and writes through database.host; the replica is not used".into(),
        );
    }
    match spec.ingress.tls.mode {
        TlsMode::None => {}
        TlsMode::Acm if terraform => {}
        TlsMode::Acm => add(
            "ingress.tls",
            "the ACM certificate belongs on the ALB's HTTPS listener, which these files do not \
             create; README.md lists the listener settings"
                .into(),
        ),
        TlsMode::Secret | TlsMode::Files => add(
            "ingress.tls.mode",
            "ECS has no Kubernetes TLS Secret or proxy certificate files; terminate TLS on the \
             ALB with an ACM certificate (`ingress.tls.mode: acm`)"
                .into(),
        ),
    }
    if spec.ingress.waf_acl_arn.is_some() && !terraform {
        add(
            "ingress.waf_acl_arn",
            "the web ACL is associated with the ALB, which these files do not create; \
             README.md has the `aws wafv2 associate-web-acl` command"
                .into(),
        );
    }
    // Notices only for what the spec sets: defaults the user never wrote are not news.
    if spec.ingress.max_body_mib != kimai_model::Ingress::default().max_body_mib {
        add(
            "ingress.max_body_mib",
            "not enforced: an ALB has no request-body limit; PHP's upload limits in the image apply"
                .into(),
        );
    }
    if ecs.target_group_arn.is_none() && !(terraform && model.terraform_owns_ecs_service()) {
        add(
            "targets.ecs.target_group_arn",
            "no target group: the service is not registered with a load balancer and nothing \
             routes `ingress.host` to it"
                .into(),
        );
    }
    if let Some(b) = spec.backup.as_ref().filter(|_| !terraform) {
        add(
            "backup",
            format!(
                "no scheduled backup task is rendered for ECS; use AWS Backup (or RDS automated \
                 snapshots) for the database and AWS Backup for the EFS file system, kept {} \
                 days; README.md says how",
                b.retention_days
            ),
        );
    }
    if spec.app.local_yaml.is_some() {
        add(
            "app.local_yaml",
            "ECS cannot mount a file from the spec; build an image `FROM` Kimai's that copies \
             local.yaml to /opt/kimai/config/packages/local.yaml"
                .into(),
        );
    }
    if spec.storage.size != kimai_model::Storage::default().size {
        add(
            "storage.size",
            "not applied: EFS grows and shrinks with its contents".into(),
        );
    }
    if let Some(efs) = &spec.storage.efs {
        if efs.access_point_id.is_some() && efs.access_points.is_empty() {
            add(
                "storage.efs.access_point_id",
                "not used: ECS mounts an access point only at its root and has no sub-path \
                 mounts, so one access point cannot hold data, plugins and invoices; they are \
                 mounted from /data, /plugins, /invoices of the file system (create them first, \
                 see README.md), or set one access point per directory in \
                 `storage.efs.access_points`"
                    .into(),
            );
        }
    }
    if let Some(s) = &spec.scaling {
        if s.requests_per_target.is_some() && !has_requests_label {
            add(
                "scaling.requests_per_target",
                if ecs.target_group_arn.is_none() {
                    "no policy rendered: requests per target needs `targets.ecs.target_group_arn`"
                        .to_string()
                } else {
                    "no policy rendered: the ALBRequestCountPerTarget metric names the load \
                     balancer, which the target group ARN does not contain; set \
                     `targets.ecs.load_balancer_arn`"
                        .to_string()
                },
            );
        }
    }
    let dd = &spec.monitoring.datadog;
    if dd.enabled {
        add(
            "monitoring.datadog",
            "the agent runs as a sidecar collecting metrics and traces; container logs go to \
             CloudWatch (shipping them to Datadog needs FireLens), and traces need an image with \
             the dd-trace-php extension, which the stock image lacks"
                .into(),
        );
        if ecs.launch_type == LaunchType::Ec2 {
            add(
                "monitoring.datadog.enabled",
                "on EC2 the agent is rendered as a sidecar per task; the usual EC2 layout is one \
                 agent per instance (a DAEMON service), which these files do not create"
                    .into(),
            );
        }
    }
    v
}

//! Scheduled database backups: a CronJob whose init container dumps the database with
//! `mysqldump --single-transaction` into an emptyDir and whose container uploads the dump
//! to S3 with the AWS CLI, credentials from the ServiceAccount (IRSA).

use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, JobSpec, JobTemplateSpec};
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, EmptyDirVolumeSource, KeyToPath, PodSecurityContext, PodSpec, PodTemplateSpec,
    ResourceRequirements, SecretVolumeSource, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kimai_model::yaml::Comments;
use kimai_model::DatabaseEngine;

use crate::deployment::{container_security, pod_spec};
use crate::env::plain;
use crate::labels::{Component, Identity};

/// Where the database password is mounted (a file, not an environment variable).
const PASSWORD_DIR: &str = "/run/secrets/db";
/// File name of the password.
const PASSWORD_FILE: &str = "password";

/// Unprivileged user both backup containers run as (`nobody`).
const NOBODY: i64 = 65534;

/// Bash script of the dump container; every value comes from the environment.
fn dump_script(engine: DatabaseEngine) -> String {
    let tool = match engine {
        DatabaseEngine::Mysql => "mysqldump",
        DatabaseEngine::Mariadb => "mariadb-dump",
    };
    format!(
        "set -euo pipefail\n\
         MYSQL_PWD=\"$(cat {PASSWORD_DIR}/{PASSWORD_FILE})\"\n\
         export MYSQL_PWD\n\
         {tool} --single-transaction --quick --triggers --hex-blob \\\n  \
         --no-tablespaces --default-character-set=utf8mb4 \\\n  \
         --host=\"$DB_HOST\" --port=\"$DB_PORT\" --user=\"$DB_USER\" \\\n  \
         --databases \"$DB_NAME\" | gzip -c > /backup/dump.sql.gz\n"
    )
}

/// Shell script of the upload container.
const UPLOAD_SCRIPT: &str = "set -eu\n\
key=\"$S3_PREFIX/$(date -u +%Y-%m-%dT%H%M%SZ).sql.gz\"\n\
aws s3 cp /backup/dump.sql.gz \"s3://$S3_BUCKET/$key\" --only-show-errors\n\
echo \"uploaded s3://$S3_BUCKET/$key\"\n";

fn mounts(password: bool) -> Vec<VolumeMount> {
    let mut v = vec![
        VolumeMount {
            name: "backup".into(),
            mount_path: "/backup".into(),
            ..Default::default()
        },
        VolumeMount {
            name: "tmp".into(),
            mount_path: "/tmp".into(),
            ..Default::default()
        },
    ];
    if password {
        v.push(VolumeMount {
            name: "db-password".into(),
            mount_path: PASSWORD_DIR.into(),
            read_only: Some(true),
            ..Default::default()
        });
    }
    v
}

/// Requests and limits of a backup container: short-lived, so CPU is capped too.
fn job_resources() -> ResourceRequirements {
    let q = |cpu: &str, mem: &str| {
        BTreeMap::from([
            ("cpu".to_string(), Quantity(cpu.into())),
            ("memory".to_string(), Quantity(mem.into())),
        ])
    };
    ResourceRequirements {
        requests: Some(q("100m", "256Mi")),
        limits: Some(q("1", "256Mi")),
        ..Default::default()
    }
}

fn hardened() -> k8s_openapi::api::core::v1::SecurityContext {
    k8s_openapi::api::core::v1::SecurityContext {
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        ..container_security(&[])
    }
}

/// The backup CronJob, when `backup` is set.
pub fn cron_job(id: &Identity<'_>, aws_cli_image: &str) -> Option<CronJob> {
    let model = id.model();
    let backup = model.spec().backup.as_ref()?;
    let db = &model.spec().database;
    let prefix = model.backup_prefix().unwrap_or_default();
    let dump = Container {
        name: "dump".into(),
        image: Some(model.db_image()),
        image_pull_policy: Some("IfNotPresent".into()),
        command: Some(vec!["bash".into(), "-c".into(), dump_script(db.engine)]),
        env: Some(vec![
            plain("DB_HOST", model.database_host(&id.database())),
            plain("DB_PORT", &db.port.to_string()),
            plain("DB_USER", &db.user),
            plain("DB_NAME", &db.name),
        ]),
        resources: Some(job_resources()),
        security_context: Some(hardened()),
        volume_mounts: Some(mounts(true)),
        ..Default::default()
    };
    let upload = Container {
        name: "upload".into(),
        image: Some(aws_cli_image.into()),
        image_pull_policy: Some("IfNotPresent".into()),
        command: Some(vec!["/bin/sh".into(), "-c".into(), UPLOAD_SCRIPT.into()]),
        env: Some(vec![
            plain("S3_BUCKET", &backup.s3_bucket),
            plain("S3_PREFIX", &prefix),
            plain("AWS_REGION", &backup.region),
            plain("HOME", "/tmp"),
        ]),
        resources: Some(job_resources()),
        security_context: Some(hardened()),
        volume_mounts: Some(mounts(false)),
        ..Default::default()
    };
    let empty = |name: &str| Volume {
        name: name.into(),
        empty_dir: Some(EmptyDirVolumeSource::default()),
        ..Default::default()
    };
    Some(CronJob {
        metadata: id.meta(id.backup(), Component::Backup),
        spec: Some(CronJobSpec {
            schedule: backup.schedule.clone(),
            time_zone: Some("Etc/UTC".into()),
            concurrency_policy: Some("Forbid".into()),
            starting_deadline_seconds: Some(3600),
            successful_jobs_history_limit: Some(3),
            failed_jobs_history_limit: Some(3),
            job_template: JobTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(id.labels(Component::Backup)),
                    ..Default::default()
                }),
                spec: Some(JobSpec {
                    backoff_limit: Some(2),
                    active_deadline_seconds: Some(6 * 3600),
                    template: PodTemplateSpec {
                        metadata: Some(ObjectMeta {
                            labels: Some(id.labels(Component::Backup)),
                            ..Default::default()
                        }),
                        spec: Some(PodSpec {
                            service_account_name: Some(id.backup()),
                            restart_policy: Some("Never".into()),
                            init_containers: Some(vec![dump]),
                            volumes: Some(vec![
                                empty("backup"),
                                empty("tmp"),
                                Volume {
                                    name: "db-password".into(),
                                    secret: Some(SecretVolumeSource {
                                        secret_name: Some(id.secret()),
                                        items: Some(vec![KeyToPath {
                                            key: db.password.name().into(),
                                            path: PASSWORD_FILE.into(),
                                            ..Default::default()
                                        }]),
                                        default_mode: Some(0o440),
                                        optional: Some(false),
                                    }),
                                    ..Default::default()
                                },
                            ]),
                            ..pod_spec(
                                vec![upload],
                                PodSecurityContext {
                                    run_as_non_root: Some(true),
                                    run_as_user: Some(NOBODY),
                                    run_as_group: Some(NOBODY),
                                    fs_group: Some(NOBODY),
                                    ..Default::default()
                                },
                            )
                        }),
                    },
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// Comments on the CronJob.
pub fn comments(id: &Identity<'_>) -> Comments {
    let retention = id
        .model()
        .spec()
        .backup
        .as_ref()
        .map_or(0, |b| b.retention_days);
    let p = "/spec/jobTemplate/spec/template/spec";
    Comments::from([
        ("/spec/schedule".into(), format!("UTC. Dumps are kept {retention} days by an S3 lifecycle rule on the bucket\n(the operator's; see README.md): nothing here deletes old dumps.")),
        ("/spec/concurrencyPolicy".into(), "Never two dumps at once.".into()),
        (format!("{p}/serviceAccountName"), "S3 access comes from this ServiceAccount's IAM role (IRSA annotation),\nnever from keys in the cluster.".into()),
        (format!("{p}/initContainers"), "A consistent InnoDB snapshot without locking Kimai out (--single-transaction).\nThe password is read from a mounted file into MYSQL_PWD: never on a command line.".into()),
    ])
}

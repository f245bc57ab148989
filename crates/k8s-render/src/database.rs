//! The bundled MySQL/MariaDB: a one-replica StatefulSet with its volume claim template,
//! a headless Service for a stable DNS name, and exec probes.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec,
};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EnvVar, ExecAction, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PodSpec, PodTemplateSpec, Probe, Service, ServicePort, ServiceSpec, VolumeMount,
    VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kimai_model::yaml::Comments;
use kimai_model::{DatabaseEngine, DatabaseMode, StorageClass, ROOT_ENTRYPOINT_CAPABILITIES};

use crate::deployment::{container_security, pod_spec, resources};
use crate::env::{from_secret, plain};
use crate::labels::{Component, Identity, DB_PORT_NAME};

/// Name of the database container.
pub const DB_CONTAINER: &str = "database";
/// Name of the volume claim template.
pub const DATA_VOLUME: &str = "data";

/// The image's environment prefix (`MYSQL` or `MARIADB`).
pub fn env_prefix(engine: DatabaseEngine) -> &'static str {
    match engine {
        DatabaseEngine::Mysql => "MYSQL",
        DatabaseEngine::Mariadb => "MARIADB",
    }
}

fn exec_probe(command: &[String], period: i32, timeout: i32, failures: i32) -> Probe {
    Probe {
        exec: Some(ExecAction {
            command: Some(command.to_vec()),
        }),
        period_seconds: Some(period),
        timeout_seconds: Some(timeout),
        failure_threshold: Some(failures),
        success_threshold: Some(1),
        ..Default::default()
    }
}

/// The health command: `mysqladmin ping` over TCP (red while the init server runs on the
/// socket only; needs no credentials) or MariaDB's `healthcheck.sh`.
pub fn health_command(id: &Identity<'_>) -> Vec<String> {
    let db = &id.model().spec().database;
    match db.engine {
        DatabaseEngine::Mysql => vec![
            "mysqladmin".into(),
            "ping".into(),
            "--host=127.0.0.1".into(),
            format!("--port={}", db.port),
            "--silent".into(),
        ],
        DatabaseEngine::Mariadb => vec![
            "healthcheck.sh".into(),
            "--connect".into(),
            "--innodb_initialized".into(),
        ],
    }
}

fn container(id: &Identity<'_>) -> Container {
    let model = id.model();
    let db = &model.spec().database;
    let prefix = env_prefix(db.engine);
    let env: Vec<EnvVar> = vec![
        plain(&format!("{prefix}_DATABASE"), &db.name),
        plain(&format!("{prefix}_USER"), &db.user),
        from_secret(id, &format!("{prefix}_PASSWORD"), db.password.name()),
        from_secret(
            id,
            &format!("{prefix}_ROOT_PASSWORD"),
            db.root_password.name(),
        ),
    ];
    let mut args = vec![
        "--character-set-server=utf8mb4".to_string(),
        "--collation-server=utf8mb4_unicode_ci".to_string(),
    ];
    if db.port != 3306 {
        args.push(format!("--port={}", db.port));
    }
    let health = health_command(id);
    Container {
        name: DB_CONTAINER.into(),
        image: Some(model.db_image()),
        image_pull_policy: Some("IfNotPresent".into()),
        args: Some(args),
        ports: Some(vec![ContainerPort {
            name: Some(DB_PORT_NAME.into()),
            container_port: id.db_port(),
            protocol: Some("TCP".into()),
            ..Default::default()
        }]),
        env: Some(env),
        resources: Some(resources(&db.cpu, &db.memory)),
        startup_probe: Some(exec_probe(&health, 10, 5, 30)),
        readiness_probe: Some(exec_probe(&health, 10, 5, 3)),
        liveness_probe: Some(exec_probe(&health, 30, 10, 5)),
        security_context: Some(container_security(&ROOT_ENTRYPOINT_CAPABILITIES)),
        volume_mounts: Some(vec![VolumeMount {
            name: DATA_VOLUME.into(),
            mount_path: "/var/lib/mysql".into(),
            sub_path: Some("mysql".into()),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

fn claim_template(id: &Identity<'_>) -> PersistentVolumeClaim {
    let storage = &id.model().spec().storage;
    // Shared (NFS-like) and EFS classes are wrong for a database: use the cluster default
    // block storage unless `local` names a class.
    let class = match storage.class {
        StorageClass::Local => storage.storage_class_name.clone(),
        StorageClass::Efs | StorageClass::Shared => None,
    };
    PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: Some(DATA_VOLUME.into()),
            labels: Some(id.selector_labels(Component::Database)),
            ..Default::default()
        },
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: class,
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([(
                    "storage".into(),
                    Quantity(storage.database_size.clone()),
                )])),
                ..Default::default()
            }),
            volume_mode: Some("Filesystem".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The StatefulSet, when the database is bundled.
pub fn stateful_set(id: &Identity<'_>) -> Option<StatefulSet> {
    if id.model().spec().database.mode != DatabaseMode::Bundled {
        return None;
    }
    Some(StatefulSet {
        metadata: id.meta(id.database(), Component::Database),
        spec: Some(StatefulSetSpec {
            replicas: Some(1),
            service_name: Some(id.database()),
            selector: id.selector(Component::Database),
            revision_history_limit: Some(5),
            persistent_volume_claim_retention_policy: Some(
                StatefulSetPersistentVolumeClaimRetentionPolicy {
                    when_deleted: Some("Retain".into()),
                    when_scaled: Some("Retain".into()),
                },
            ),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(id.labels(Component::Database)),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    termination_grace_period_seconds: Some(60),
                    ..pod_spec(vec![container(id)], Default::default())
                }),
            },
            volume_claim_templates: Some(vec![claim_template(id)]),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// The headless Service giving the database a stable DNS name (`<name>-db`).
pub fn service(id: &Identity<'_>) -> Option<Service> {
    if id.model().spec().database.mode != DatabaseMode::Bundled {
        return None;
    }
    Some(Service {
        metadata: id.meta(id.database(), Component::Database),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            selector: Some(id.selector_labels(Component::Database)),
            ports: Some(vec![ServicePort {
                name: Some(DB_PORT_NAME.into()),
                port: id.db_port(),
                target_port: Some(IntOrString::String(DB_PORT_NAME.into())),
                protocol: Some("TCP".into()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// Comments on the StatefulSet.
pub fn comments() -> Comments {
    let c0 = "/spec/template/spec/containers/0";
    Comments::from([
        (format!("{c0}/securityContext"), "The image's entrypoint runs as root to chown the data directory, then drops to\nthe mysql user: only these capabilities are kept.".into()),
        (format!("{c0}/volumeMounts"), "A sub-directory: a fresh ext4 volume holds lost+found, which the server's\ninitialisation refuses.".into()),
        ("/spec/persistentVolumeClaimRetentionPolicy".into(), "The data outlives the StatefulSet: deleting it never deletes the volume.".into()),
    ])
}

//! The init container that runs Kimai's migrations once per version: `kimai:install -n` under
//! a MySQL named lock (kimai-model's migration step), before Kimai's container starts in
//! every pod. The first pod of a new version migrates; pods starting beside it wait for the
//! lock, then find nothing to do, so Kimai's own `kimai:install` at start never migrates.

use k8s_openapi::api::core::v1::{Container, SecurityContext, VolumeMount};
use kimai_model::{migration_needs_env, LOCAL_YAML_PATH, MIGRATE, PERSISTENT_DIRS};

use crate::deployment::{
    container_security, extra_trusted_hosts, resources, LOCAL_YAML_KEY, LOCAL_YAML_VOLUME,
    VAR_VOLUME,
};
use crate::env;
use crate::labels::Identity;

/// `www-data` in the image: the step needs no root (the image's files are www-data's).
pub const WWW_DATA: i64 = 33;

/// The init container.
pub fn container(id: &Identity<'_>) -> Container {
    let model = id.model();
    let app = &model.spec().app;
    let extra = extra_trusted_hosts(model);
    // The kernel the step boots must be Kimai's: same plugins, same local.yaml (read-only).
    let mut mounts: Vec<VolumeMount> = PERSISTENT_DIRS
        .iter()
        .filter(|(suffix, _)| *suffix == "plugins")
        .map(|(suffix, path)| VolumeMount {
            name: VAR_VOLUME.into(),
            mount_path: (*path).into(),
            sub_path: Some((*suffix).into()),
            read_only: Some(true),
            ..Default::default()
        })
        .collect();
    if app.local_yaml.is_some() {
        mounts.push(VolumeMount {
            name: LOCAL_YAML_VOLUME.into(),
            mount_path: LOCAL_YAML_PATH.into(),
            sub_path: Some(LOCAL_YAML_KEY.into()),
            read_only: Some(true),
            ..Default::default()
        });
    }
    Container {
        name: MIGRATE.into(),
        image: Some(model.image()),
        image_pull_policy: Some("IfNotPresent".into()),
        // Arguments to the image's entrypoint, which execs them; `$` doubled like env values.
        args: Some(
            model
                .migration_command()
                .iter()
                .map(|a| env::escape_env(a))
                .collect(),
        ),
        env: Some(
            env::kimai_env(
                model,
                id,
                &extra.iter().map(String::as_str).collect::<Vec<_>>(),
            )
            .into_iter()
            .filter(|e| migration_needs_env(&e.name))
            .collect(),
        ),
        resources: Some(resources(&app.cpu, &app.memory)),
        security_context: Some(SecurityContext {
            run_as_user: Some(WWW_DATA),
            run_as_group: Some(WWW_DATA),
            run_as_non_root: Some(true),
            ..container_security(&[])
        }),
        volume_mounts: Some(mounts),
        ..Default::default()
    }
}

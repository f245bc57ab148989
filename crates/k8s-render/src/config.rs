//! The ConfigMap carrying `local.yaml` (LDAP, SAML, ...), mounted read-only.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;

use crate::deployment::LOCAL_YAML_KEY;
use crate::labels::{Component, Identity};

/// The ConfigMap, when the spec has `app.local_yaml`.
pub fn config_map(id: &Identity<'_>) -> Option<ConfigMap> {
    let local = id.model().spec().app.local_yaml.as_ref()?;
    Some(ConfigMap {
        metadata: id.meta(id.config(), Component::Web),
        data: Some(BTreeMap::from([(LOCAL_YAML_KEY.into(), local.clone())])),
        ..Default::default()
    })
}

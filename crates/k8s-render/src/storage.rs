//! Kimai's persistent storage: one claim mounted three times with `subPath`
//! (`var/data`, `var/plugins`, `var/invoices`), on EFS (static PV), a shared RWX class or RWO.
//! On the EKS platform with a file system Terraform creates, Terraform also creates the
//! volume and its StorageClass (their ids are known only there); the claim names both.
//!
//! One claim instead of three: an EFS file system needs one static PersistentVolume per claim,
//! and one volume keeps the three directories together for backups and restores. The kubelet
//! creates the sub-directories; Kimai's entrypoint fixes their ownership.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    CSIPersistentVolumeSource, ObjectReference, PersistentVolume, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PersistentVolumeSpec, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kimai_model::StorageClass;

use crate::labels::{Component, Identity};

/// The EFS CSI driver.
pub const EFS_DRIVER: &str = "efs.csi.aws.com";

/// Access mode of the claim: RWX for shared storage, RWO for `local`.
pub fn access_mode(class: StorageClass) -> &'static str {
    match class {
        StorageClass::Local => "ReadWriteOnce",
        StorageClass::Efs | StorageClass::Shared => "ReadWriteMany",
    }
}

/// True when the claim binds a static EFS PersistentVolume rendered here.
pub fn static_efs(id: &Identity<'_>) -> bool {
    let s = &id.model().spec().storage;
    s.class == StorageClass::Efs
        && s.storage_class_name.is_none()
        && s.efs.is_some()
        && terraform_volume(id).is_none()
}

/// The StorageClass of the volume Terraform creates on the EKS platform (`aws.eks` with
/// `aws.create_file_system`): the claim binds that volume by name and class.
pub fn terraform_volume(id: &Identity<'_>) -> Option<String> {
    id.names().eks.as_ref()?.storage_class.clone()
}

/// The static EFS PersistentVolume (`fs-id` or `fs-id::fsap-id`), when one is needed.
pub fn efs_volume(id: &Identity<'_>) -> Option<PersistentVolume> {
    if !static_efs(id) {
        return None;
    }
    let storage = &id.model().spec().storage;
    let efs = storage.efs.as_ref()?;
    let handle = match &efs.access_point_id {
        Some(ap) => format!("{}::{ap}", efs.file_system_id),
        None => efs.file_system_id.clone(),
    };
    Some(PersistentVolume {
        metadata: ObjectMeta {
            name: Some(id.var_volume()),
            labels: Some(id.labels(Component::Web)),
            ..Default::default()
        },
        spec: Some(PersistentVolumeSpec {
            access_modes: Some(vec![access_mode(StorageClass::Efs).into()]),
            capacity: Some(BTreeMap::from([(
                "storage".into(),
                Quantity(storage.size.clone()),
            )])),
            csi: Some(CSIPersistentVolumeSource {
                driver: EFS_DRIVER.into(),
                volume_handle: handle,
                ..Default::default()
            }),
            // Reserve the volume for this claim only.
            claim_ref: Some(ObjectReference {
                namespace: Some(id.namespace().into()),
                name: Some(id.var_claim()),
                ..Default::default()
            }),
            persistent_volume_reclaim_policy: Some("Retain".into()),
            storage_class_name: Some(String::new()),
            volume_mode: Some("Filesystem".into()),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// The claim for Kimai's three persistent directories.
pub fn var_claim(id: &Identity<'_>) -> PersistentVolumeClaim {
    let storage = &id.model().spec().storage;
    let terraform = terraform_volume(id);
    let storage_class_name = if static_efs(id) {
        Some(String::new())
    } else {
        terraform
            .clone()
            .or_else(|| storage.storage_class_name.clone())
    };
    PersistentVolumeClaim {
        metadata: id.meta(id.var_claim(), Component::Web),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec![access_mode(storage.class).into()]),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([(
                    "storage".into(),
                    Quantity(storage.size.clone()),
                )])),
                ..Default::default()
            }),
            storage_class_name,
            volume_name: (static_efs(id) || terraform.is_some()).then(|| id.var_volume()),
            volume_mode: Some("Filesystem".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

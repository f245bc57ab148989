//! `log-data-protection-policy.json`: the input of `aws logs put-data-protection-policy
//! --cli-input-json`, masking in CloudWatch Logs what Kimai's entrypoint traces with secrets
//! (kimai-model's `LOG_MASKS`, one custom data identifier each). CloudWatch masks matches at
//! ingestion; only principals with `logs:Unmask` can read them back.

use kimai_model::LOG_MASKS;
use serde::Serialize;

use crate::identity::Identity;

/// `PutDataProtectionPolicy`'s input.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PutDataProtectionPolicy {
    /// The task's log group.
    pub log_group_identifier: String,
    /// The policy document, as the JSON text the API takes.
    pub policy_document: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Policy {
    name: String,
    description: &'static str,
    version: &'static str,
    configuration: Configuration,
    statement: Vec<Statement>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Configuration {
    custom_data_identifier: Vec<CustomDataIdentifier>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CustomDataIdentifier {
    name: String,
    regex: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Statement {
    sid: &'static str,
    data_identifier: Vec<String>,
    operation: Operation,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
enum Operation {
    Audit {
        #[serde(rename = "FindingsDestination")]
        findings_destination: Empty,
    },
    Deidentify {
        #[serde(rename = "MaskConfig")]
        mask_config: Empty,
    },
}

#[derive(Serialize)]
struct Empty {}

/// The data identifier name of a mask: its name in CamelCase (`KimaiTraceDatabasePass`).
pub fn identifier_name(mask_name: &str) -> String {
    mask_name
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The policy of the task's log group.
pub fn put_data_protection_policy(
    id: &Identity,
) -> Result<PutDataProtectionPolicy, serde_json::Error> {
    let names: Vec<String> = LOG_MASKS.iter().map(|m| identifier_name(m.name)).collect();
    let policy = Policy {
        name: format!("{}-entrypoint-trace", id.family),
        description: "Masks the database password and ADMINPASS that Kimai's entrypoint traces",
        version: "2021-06-01",
        configuration: Configuration {
            custom_data_identifier: LOG_MASKS
                .iter()
                .zip(&names)
                .map(|(m, name)| CustomDataIdentifier {
                    name: name.clone(),
                    regex: m.pattern,
                })
                .collect(),
        },
        statement: vec![
            Statement {
                sid: "audit",
                data_identifier: names.clone(),
                operation: Operation::Audit {
                    findings_destination: Empty {},
                },
            },
            Statement {
                sid: "mask",
                data_identifier: names,
                operation: Operation::Deidentify {
                    mask_config: Empty {},
                },
            },
        ],
    };
    Ok(PutDataProtectionPolicy {
        log_group_identifier: id.log_group.clone(),
        policy_document: serde_json::to_string(&policy)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_names() {
        assert_eq!(
            identifier_name("kimai_trace_database_pass"),
            "KimaiTraceDatabasePass"
        );
    }
}

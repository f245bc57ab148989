//! Migrations run once, on every target: over generated valid specs, each target runs the same
//! migration step (kimai-model's `migration_command`, after each format's own unescaping) in
//! Kimai's image, before Kimai, with Kimai's values for the variables it gets; and the Compose
//! proxy is exactly what `TRUSTED_PROXIES` names.

use kimai_deploy::model::{validate, Target};
use kimai_deploy::render;
use proptest::prelude::*;
use serde_json::Value as Json;
use serde_yaml::Value as Yaml;

#[path = "common/strategy.rs"]
mod strategy;

fn strings(v: &Yaml) -> Vec<String> {
    v.as_sequence()
        .map(|s| {
            s.iter()
                .map(|a| a.as_str().unwrap_or_default().replace("$$", "$"))
                .collect()
        })
        .unwrap_or_default()
}

/// `name: value` of a Kubernetes container's plain env.
fn k8s_env(c: &Yaml) -> Vec<(String, String)> {
    c["env"]
        .as_sequence()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["name"].as_str().unwrap_or_default().to_string(),
                e["value"].as_str().unwrap_or("<from a secret>").to_string(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn every_target_migrates_once_before_kimai(spec in strategy::spec()) {
        let model = validate(spec).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let command = model.migration_command();
        let image = model.image();

        let compose = render(&model, Target::Compose).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let y: Yaml = serde_yaml::from_str(&compose.file("compose.yaml").expect("compose.yaml").contents).expect("yaml");
        let (kimai, migrate) = (&y["services"]["kimai"], &y["services"]["migrate"]);
        prop_assert_eq!(strings(&migrate["command"]), command.clone());
        prop_assert_eq!(migrate["image"].as_str(), Some(image.as_str()));
        prop_assert_eq!(migrate["restart"].as_str(), Some("no"));
        prop_assert_eq!(kimai["depends_on"]["migrate"]["condition"].as_str(), Some("service_completed_successfully"));
        for (k, v) in migrate["environment"].as_mapping().expect("env") {
            prop_assert_eq!(Some(v), kimai["environment"].get(k), "compose {:?}", k);
        }
        prop_assert!(migrate["environment"].get("ADMINPASS").is_none());
        // TRUSTED_PROXIES is the proxy's fixed address, inside the frontend subnet.
        let proxy_ip = y["services"]["proxy"]["networks"]["frontend"]["ipv4_address"].as_str().expect("fixed address");
        prop_assert_eq!(kimai["environment"]["TRUSTED_PROXIES"].as_str(), Some(proxy_ip));
        let pool = &y["networks"]["frontend"]["ipam"]["config"][0];
        let subnet = pool["subnet"].as_str().expect("subnet");
        let (net, bits) = kimai_deploy::model::ipv4_network(subnet, 16..=26).expect("valid subnet");
        let ip: std::net::Ipv4Addr = proxy_ip.parse().expect("ip");
        prop_assert_eq!(u32::from(ip) >> (32 - bits), u32::from(net) >> (32 - bits), "proxy inside {}", subnet);
        let range = pool["ip_range"].as_str().expect("ip_range");
        let (start, _) = kimai_deploy::model::ipv4_network(range, 17..=27).expect("valid range");
        prop_assert!(u32::from(ip) < u32::from(start), "the proxy's address is outside the dynamic range {}", range);

        if model.check_target(Target::Kubernetes).is_ok() {
            let k8s = render(&model, Target::Kubernetes).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let d: Yaml = serde_yaml::from_str(&k8s.file("deployment.yaml").expect("deployment").contents).expect("yaml");
            let pod = &d["spec"]["template"]["spec"];
            let init = &pod["initContainers"][0];
            prop_assert_eq!(init["name"].as_str(), Some("migrate"));
            prop_assert_eq!(strings(&init["args"]), command.clone());
            prop_assert_eq!(init["image"].as_str(), Some(image.as_str()));
            prop_assert_eq!(init["securityContext"]["runAsNonRoot"].as_bool(), Some(true));
            let kimai_env = k8s_env(&pod["containers"][0]);
            for e in k8s_env(init) {
                prop_assert!(kimai_env.contains(&e), "k8s {:?}", e);
            }
        }

        if model.check_target(Target::Ecs).is_ok() {
            let ecs = render(&model, Target::Ecs).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let td: Json = serde_json::from_str(&ecs.file("task-definition.json").expect("td").contents).expect("json");
            let containers = td["containerDefinitions"].as_array().expect("containers");
            let find = |n: &str| containers.iter().find(|c| c["name"] == n).cloned().unwrap_or_default();
            let (kimai, migrate) = (find("kimai"), find("migrate"));
            prop_assert_eq!(&migrate["command"], &serde_json::json!(command));
            prop_assert_eq!(migrate["image"].as_str(), Some(image.as_str()));
            prop_assert_eq!(migrate["essential"].as_bool(), Some(false));
            let after_migrate = serde_json::json!({ "containerName": "migrate", "condition": "SUCCESS" });
            prop_assert!(kimai["dependsOn"].as_array().expect("dependsOn").contains(&after_migrate), "kimai waits for migrate");
            for key in ["environment", "secrets"] {
                for e in migrate[key].as_array().into_iter().flatten() {
                    prop_assert!(kimai[key].as_array().expect("kimai's").contains(e), "ecs {}", e);
                }
            }
        }
    }
}

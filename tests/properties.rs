//! Properties over generated valid specs: they validate, render without error, render the same
//! bytes twice, and every env value survives exactly into the parsed output.

use std::collections::BTreeMap;

use kimai_deploy::model::validate;
use proptest::prelude::*;

#[path = "common/strategy.rs"]
mod strategy;
use strategy::spec;

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn generated_specs_render_deterministically_and_keep_env_exact(spec in spec()) {
        let env: BTreeMap<String, String> = spec
            .app
            .env
            .iter()
            .filter_map(|(k, v)| v.plain().map(|p| (k.clone(), p.to_string())))
            .collect();
        let model = validate(spec).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let a = kimai_deploy::render(&model, kimai_deploy::Target::Compose).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let b = kimai_deploy::render(&model, kimai_deploy::Target::Compose).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&a, &b);
        let text = &a.file("compose.yaml").expect("compose.yaml").contents;
        let parsed: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let got: BTreeMap<String, String> = serde_yaml::from_value(parsed["services"]["kimai"]["environment"].clone())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (k, v) in &env {
            prop_assert_eq!(got.get(k).map(|s| s.replace("$$", "$")), Some(v.clone()), "env {}", k);
        }
    }

    #[test]
    fn loading_arbitrary_text_never_panics(text in any::<String>()) {
        let _ = kimai_deploy::load(text.as_bytes(), kimai_deploy::Format::Yaml);
        let _ = kimai_deploy::load(text.as_bytes(), kimai_deploy::Format::Json);
    }

    #[test]
    fn loading_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = kimai_deploy::load(&bytes, kimai_deploy::Format::Yaml);
    }
}

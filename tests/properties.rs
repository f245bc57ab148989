//! Properties over generated valid specs: they validate, render without error, render the same
//! bytes twice, and every env value survives exactly into the parsed output.

use std::collections::BTreeMap;

use kimai_deploy::model::{
    validate, DatabaseEngine, DatabaseMode, Scaling, Spec, TlsMode, RESERVED_ENV,
};
use proptest::prelude::*;

fn env_value() -> impl Strategy<Value = String> {
    prop_oneof![
        // Arbitrary Unicode, control characters included (NUL cannot be carried by any environment).
        any::<String>().prop_map(|s| s.replace('\0', "")),
        // Text YAML 1.1 readers, Compose and Jinja would misread.
        prop::sample::select(vec![
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "~",
            "null",
            "0755",
            "1e3",
            "12:30",
            "2001-12-14",
            "-",
            "=",
            "<<",
            "$HOME",
            "${X}",
            "$$",
            "{{ x }}",
            "{% raw %}",
            "#",
            "a: b",
            "'",
            "\"",
            "\\",
            "\n",
            " ",
            "",
        ])
        .prop_map(str::to_string),
    ]
}

fn env_name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,12}".prop_filter("not reserved", |n| {
        !RESERVED_ENV.iter().any(|(r, _)| r == n) && !n.starts_with("DD_")
    })
}

prop_compose! {
    fn spec()(
        name in "[a-z][a-z0-9-]{0,10}[a-z0-9]",
        environment in prop::sample::select(vec!["dev", "staging", "production"]),
        host in "[a-z][a-z0-9]{0,8}\\.example\\.(com|org)",
        env in prop::collection::btree_map(env_name(), env_value(), 0..8),
        external in any::<bool>(),
        mariadb in any::<bool>(),
        tls_files in any::<bool>(),
        datadog in any::<bool>(),
        admin in any::<bool>(),
        scaling in prop::option::of((1u32..4, 0u32..4)),
        replicas in 1u32..4,
    ) -> Spec {
        let mut s = Spec::minimal(name, host);
        s.environment = environment.to_string();
        s.app.env = env;
        if external {
            s.database.mode = DatabaseMode::External;
            s.database.host = Some("db.example.internal".into());
        }
        if mariadb {
            s.database.engine = DatabaseEngine::Mariadb;
        }
        if tls_files {
            s.ingress.tls.mode = TlsMode::Files;
        }
        s.monitoring.datadog.enabled = datadog;
        if admin {
            s.app.admin_email = Some("admin@example.com".into());
            s.app.admin_password = Some(kimai_deploy::model::SecretRef::new("admin-password"));
        }
        match scaling {
            Some((min, extra)) => s.scaling = Some(Scaling { min_replicas: min, max_replicas: min + extra, ..Scaling::default() }),
            None => s.app.replicas = replicas,
        }
        s
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn generated_specs_render_deterministically_and_keep_env_exact(spec in spec()) {
        let env = spec.app.env.clone();
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

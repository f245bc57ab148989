//! `docs/spec.md` lists every model field and is current.

#[test]
fn spec_reference_is_current_and_complete() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/spec.md");
    let text = kimai_deploy::spec_doc::markdown();
    if std::env::var_os("KIMAI_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &text).expect("write");
    }
    assert!(
        std::fs::read_to_string(&path).unwrap_or_default() == text,
        "docs/spec.md is stale: KIMAI_UPDATE_DOCS=1 cargo test --test spec_doc"
    );
    // Every field of a fully populated spec appears as a row.
    let spec: serde_json::Value = serde_json::to_value(
        kimai_deploy::load(
            kimai_deploy::DEFAULT_SPEC.as_bytes(),
            kimai_deploy::Format::Yaml,
        )
        .expect("valid")
        .spec(),
    )
    .expect("json");
    fn paths(v: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
        if let Some(m) = v.as_object() {
            if m.contains_key("secret") {
                return;
            }
            for (k, child) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                // Free-form maps (env, secret ARNs, annotations, hosts) are one row.
                if ![
                    "app.env",
                    "targets.ecs.secret_arns",
                    "storage.efs.access_points",
                    "targets.kubernetes.service_account_annotations",
                    "targets.ansible.hosts",
                ]
                .contains(&p.as_str())
                {
                    paths(child, &p, out);
                }
                out.push(p);
            }
        }
    }
    let mut all = Vec::new();
    paths(&spec, "", &mut all);
    for p in all {
        assert!(
            text.contains(&format!("| `{p}` |")),
            "docs/spec.md lacks `{p}`"
        );
    }
}

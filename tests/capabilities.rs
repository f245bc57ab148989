//! The capability matrix agrees with the renderers and with `docs/capabilities.md`.

use kimai_deploy::capabilities::{capability_for, markdown, CAPABILITIES};
use kimai_deploy::{render, Format, Target};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

#[path = "common/strategy.rs"]
mod strategy;

#[test]
fn docs_are_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/capabilities.md");
    let text = markdown();
    if std::env::var_os("KIMAI_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &text).expect("write");
    }
    assert!(
        std::fs::read_to_string(&path).unwrap_or_default() == text,
        "docs/capabilities.md is stale: KIMAI_UPDATE_DOCS=1 cargo test --test capabilities"
    );
}

fn models() -> Vec<kimai_deploy::Validated> {
    let mut v = Vec::new();
    for entry in
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/specs")).expect("specs")
    {
        let p = entry.expect("entry").path();
        let bytes = std::fs::read(&p).expect("read");
        v.push(
            kimai_deploy::load(&bytes, Format::from_file_name(&p.to_string_lossy()))
                .expect("valid"),
        );
    }
    let mut runner = TestRunner::deterministic();
    for _ in 0..300 {
        let spec = strategy::spec()
            .new_tree(&mut runner)
            .expect("tree")
            .current();
        v.push(kimai_deploy::validate(spec).expect("strategy specs are valid"));
    }
    v
}

#[test]
fn every_notice_is_a_setting_the_matrix_marks_as_not_native() {
    let mut seen = std::collections::BTreeSet::new();
    for model in models() {
        for target in Target::ALL {
            let Ok(r) = render(&model, target) else {
                continue;
            };
            for n in r.notices {
                assert_eq!(n.target, target.as_str());
                let row = capability_for(&n.path)
                    .unwrap_or_else(|| panic!("no matrix row covers `{}`", n.path));
                let (support, _) = row.of(target);
                assert!(
                    support.may_notice(),
                    "{}: `{}` is {support:?} in the matrix but emitted: {}",
                    n.target,
                    n.path,
                    n.message
                );
                seen.insert((target, row.setting));
            }
        }
    }
    // And every row that promises a notice is seen doing so on some spec.
    for row in CAPABILITIES {
        for target in Target::ALL {
            if row.of(target).0 == kimai_deploy::capabilities::Support::Notice {
                assert!(
                    seen.contains(&(target, row.setting)),
                    "{}: `{}` promises a notice that no spec produced",
                    target.as_str(),
                    row.setting
                );
            }
        }
    }
}

#[test]
fn rejected_settings_are_validation_errors_for_that_target() {
    for row in CAPABILITIES {
        for target in Target::ALL {
            if row.of(target).0 == kimai_deploy::capabilities::Support::Rejected {
                // The only rejection today: a bundled database on ECS.
                assert_eq!((row.setting, target), ("database.mode", Target::Ecs));
            }
        }
    }
    let spec = "name: kimai\ningress: { host: k.example.com }\nstorage: { class: efs, efs: { file_system_id: fs-01234567 } }\naws: { region: eu-west-1, account_id: \"123456789012\" }\ntargets: { ecs: { cluster: c, subnets: [subnet-01234567], security_groups: [sg-01234567] } }\n";
    let model = kimai_deploy::load(spec.as_bytes(), Format::Yaml).expect("valid");
    let err = model
        .check_target(Target::Ecs)
        .expect_err("bundled database on ECS");
    assert!(err.iter().any(|d| d.path == "database.mode"));
}

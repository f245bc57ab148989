//! Insta snapshots of every file terraform-render writes, for every spec under
//! `examples/specs/` (specs without `aws` snapshot their diagnostics instead) and every fixture
//! under `tests/fixtures/`, and a check that rendering twice gives byte-identical output.

use kimai_model::{load, Format};

fn render(path: &std::path::Path) -> Result<kimai_model::Rendered, terraform_render::Error> {
    let bytes = std::fs::read(path).expect("readable spec");
    let name = path.to_string_lossy();
    let model = load(&bytes, Format::from_file_name(&name)).expect("spec files are valid");
    terraform_render::render(&model, &terraform_render::Options::default())
}

fn snapshot(path: &std::path::Path) {
    match render(path) {
        Ok(rendered) => {
            for file in &rendered.files {
                insta::assert_snapshot!(file.path.replace(['/', '.'], "_"), &file.contents);
            }
            assert!(rendered.notices.is_empty(), "{:?}", rendered.notices);
        }
        Err(e) => insta::assert_snapshot!("error", e.to_string()),
    }
}

#[test]
fn every_example_spec() {
    insta::glob!("../../../examples/specs", "*.{yaml,json}", snapshot);
}

#[test]
fn every_fixture() {
    insta::glob!("fixtures", "*.yaml", snapshot);
}

#[test]
fn rendering_is_byte_identical() {
    insta::glob!("../../../examples/specs", "*.{yaml,json}", |path| {
        assert_eq!(render(path).ok(), render(path).ok());
    });
    insta::glob!("fixtures", "*.yaml", |path| {
        let first = render(path).expect("fixtures render");
        assert_eq!(first, render(path).expect("fixtures render"));
    });
}

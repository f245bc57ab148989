//! Insta snapshots of every file k8s-render writes, for every spec under `examples/specs/`,
//! and a check that rendering twice gives byte-identical output.

use kimai_model::{load, Format};

fn render(path: &std::path::Path) -> kimai_model::Rendered {
    let bytes = std::fs::read(path).expect("readable spec");
    let name = path.to_string_lossy();
    let model = load(&bytes, Format::from_file_name(&name)).expect("example specs are valid");
    k8s_render::render(&model, &k8s_render::Options::default()).expect("renders")
}

#[test]
fn every_example_spec() {
    insta::glob!("../../../examples/specs", "*.{yaml,json}", |path| {
        let rendered = render(path);
        for file in &rendered.files {
            insta::assert_snapshot!(file.path.replace(['/', '.'], "_"), &file.contents);
        }
        let notices: Vec<String> = rendered.notices.iter().map(|n| n.to_string()).collect();
        insta::assert_snapshot!("notices", notices.join("\n"));
    });
}

#[test]
fn rendering_is_byte_identical() {
    insta::glob!("../../../examples/specs", "*.{yaml,json}", |path| {
        assert_eq!(render(path), render(path));
    });
}

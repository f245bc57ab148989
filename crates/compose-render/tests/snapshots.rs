//! Insta snapshots of every file compose-render writes, for every spec under `examples/specs/`.

use kimai_model::{load, Format};

#[test]
fn every_example_spec() {
    insta::glob!("../../../examples/specs", "*.{yaml,json}", |path| {
        let bytes = std::fs::read(path).expect("readable spec");
        let name = path.to_string_lossy();
        let model = load(&bytes, Format::from_file_name(&name)).expect("example specs are valid");
        let rendered =
            compose_render::render(&model, &compose_render::Options::default()).expect("renders");
        for file in &rendered.files {
            insta::assert_snapshot!(file.path.replace(['/', '.'], "_"), &file.contents);
        }
        let notices: Vec<String> = rendered.notices.iter().map(|n| n.to_string()).collect();
        insta::assert_snapshot!("notices", notices.join("\n"));
    });
}

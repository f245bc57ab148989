//! Insta snapshots of every file ansible-render writes, for every spec under `examples/specs/`.

mod common;

#[test]
fn every_example_spec() {
    insta::glob!("../../../examples/specs", "*.{yaml,json}", |path| {
        let (_, rendered) = common::render_spec(path);
        for file in &rendered.files {
            insta::assert_snapshot!(file.path.replace(['/', '.'], "_"), &file.contents);
        }
        let notices: Vec<String> = rendered.notices.iter().map(|n| n.to_string()).collect();
        insta::assert_snapshot!("notices", notices.join("\n"));
    });
}

//! Shared test helpers: load an example spec and render it through compose-render and ansible-render.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use kimai_model::{load, Format, Rendered, Validated};

/// Every example spec, sorted.
pub fn example_specs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/specs");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("examples/specs exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        })
        .collect();
    v.sort();
    assert!(!v.is_empty());
    v
}

/// Loads a spec file.
pub fn model(path: &Path) -> Validated {
    let bytes = std::fs::read(path).expect("readable spec");
    load(&bytes, Format::from_file_name(&path.to_string_lossy())).expect("example specs are valid")
}

/// The compose output and its bindings for a model.
pub fn compose(model: &Validated) -> (Rendered, Vec<kimai_model::SecretBinding>) {
    let rendered = compose_render::render(model, &compose_render::Options::default())
        .expect("compose renders");
    (rendered, compose_render::secret_bindings(model))
}

/// The Ansible output for a model.
pub fn render(model: &Validated) -> Rendered {
    let (compose, bindings) = compose(model);
    let project = ansible_render::ComposeProject {
        files: &compose.files,
        bindings: &bindings,
        notices: &compose.notices,
    };
    ansible_render::render(model, &project, &ansible_render::Options::default())
        .expect("ansible renders")
}

/// Loads and renders a spec file.
pub fn render_spec(path: &Path) -> (Validated, Rendered) {
    let m = model(path);
    let r = render(&m);
    (m, r)
}

//! Every spec under `examples/specs/` loads and validates.

use std::path::Path;

use kimai_model::{load, Format};

#[test]
fn example_specs_are_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/specs");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("examples/specs exists") {
        let path = entry.expect("readable entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let bytes = std::fs::read(&path).expect("readable spec");
        if let Err(e) = load(&bytes, Format::from_file_name(&name)) {
            panic!("{name}: {e}");
        }
        n += 1;
    }
    assert!(n >= 3, "expected the example specs, found {n}");
}

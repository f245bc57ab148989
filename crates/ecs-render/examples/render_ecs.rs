//! Renders one spec's ECS output: `cargo run -p ecs-render --example render_ecs -- SPEC OUT`
//! writes `OUT/ecs/...` and prints the notices.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [spec, out] = args.as_slice() else {
        eprintln!("usage: render_ecs SPEC OUT_DIR");
        return ExitCode::from(2);
    };
    let format = kimai_model::Format::from_file_name(spec);
    let bytes = match std::fs::read(spec) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {spec}: {e}");
            return ExitCode::from(2);
        }
    };
    let model = match kimai_model::load(&bytes, format) {
        Ok(m) => m,
        Err(d) => {
            eprintln!("{d}");
            return ExitCode::from(1);
        }
    };
    let rendered = match ecs_render::render(&model, &ecs_render::Options::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let dir = Path::new(out).join("ecs");
    for f in &rendered.files {
        let path = dir.join(&f.path);
        if let Some(parent) = path.parent() {
            if let Err(e) = std::fs::create_dir_all(parent) {
                eprintln!("cannot create {}: {e}", parent.display());
                return ExitCode::from(1);
            }
        }
        if let Err(e) = std::fs::write(&path, &f.contents) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    println!("wrote {} files to {}", rendered.files.len(), dir.display());
    for n in &rendered.notices {
        println!("notice: {n}");
    }
    ExitCode::SUCCESS
}

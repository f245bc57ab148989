//! `cargo run -p ansible-render --example render_ansible -- SPEC OUT`: renders the compose
//! project for SPEC, then the Ansible project around it, and writes `OUT/ansible/...`.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [spec, out] = args.as_slice() else {
        eprintln!("usage: render_ansible SPEC OUT");
        return ExitCode::from(2);
    };
    match run(Path::new(spec), Path::new(out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(spec: &Path, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let bytes = std::fs::read(spec)?;
    let format = kimai_model::Format::from_file_name(&spec.to_string_lossy());
    let model = kimai_model::load(&bytes, format)?;
    let compose = compose_render::render(&model, &compose_render::Options::default())?;
    let bindings = compose_render::secret_bindings(&model);
    let project = ansible_render::ComposeProject {
        files: &compose.files,
        bindings: &bindings,
        notices: &compose.notices,
    };
    let rendered = ansible_render::render(&model, &project, &ansible_render::Options::default())?;
    let dir = out.join("ansible");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    for f in &rendered.files {
        let path = dir.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &f.contents)?;
    }
    println!(
        "ansible: {} files in {}",
        rendered.files.len(),
        dir.display()
    );
    for n in &rendered.notices {
        println!("notice: {n}");
    }
    Ok(())
}

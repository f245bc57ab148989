//! Embedding: a local Docker Compose setup from a spec file, rendered in memory.
//!
//! `cargo run --example compose_local` prints the files and notices for
//! `examples/specs/single-host-tls.yaml`, and the `.env` a tool that holds the secrets would
//! write (here with obviously fake values, shown masked).

use std::collections::BTreeMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bytes = include_bytes!("specs/single-host-tls.yaml");
    let model = kimai_deploy::load(bytes, kimai_deploy::Format::Yaml)?;
    let project =
        kimai_deploy::compose::render(&model, &kimai_deploy::compose::Options::default())?;
    for f in &project.files {
        println!("{:<24} {:>6} bytes", f.path, f.contents.len());
    }
    for n in &project.notices {
        println!("notice: {n}");
    }
    // A platform tool that holds the secret values can write a correct `.env` itself.
    let values: BTreeMap<String, String> = kimai_deploy::compose::secret_bindings(&model)
        .into_iter()
        .map(|b| {
            (
                b.secret.name().to_string(),
                format!("example/{}@value", b.secret.name()),
            )
        })
        .collect();
    let env =
        kimai_deploy::compose::env_file(&model, &values).map_err(|missing| missing.join(", "))?;
    for line in env.lines() {
        let (name, _) = line.split_once('=').unwrap_or((line, ""));
        println!(".env: {name}=<{} bytes>", line.len() - name.len() - 1);
    }
    Ok(())
}

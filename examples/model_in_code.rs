//! Embedding: build the model in code (no file), validate it, render one target.
//!
//! `cargo run --example model_in_code` prints compose.yaml for a MariaDB deployment with
//! TLS certificates, and shows a validation error reported with its field path.

use kimai_deploy::model::{DatabaseEngine, Scaling, Spec, TlsMode};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut spec = Spec::minimal("timesheets", "time.example.net");
    spec.environment = "staging".into();
    spec.database.engine = DatabaseEngine::Mariadb;
    spec.ingress.tls.mode = TlsMode::Files;
    spec.app.env.insert("memory_limit".into(), "512M".into());
    let model = kimai_deploy::validate(spec.clone())?;
    let compose = kimai_deploy::render(&model, kimai_deploy::Target::Compose)?;
    print!(
        "{}",
        compose
            .file("compose.yaml")
            .ok_or("no compose.yaml")?
            .contents
    );

    // Impossible settings never render: every problem comes back with its field path.
    spec.scaling = Some(Scaling {
        min_replicas: 5,
        max_replicas: 2,
        ..Scaling::default()
    });
    spec.app.cpu = "a lot".into();
    if let Err(problems) = kimai_deploy::validate(spec) {
        eprint!("{problems}");
    }
    Ok(())
}

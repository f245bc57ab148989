//! Embedding: ECS on Fargate with RDS and EFS — the task size and secrets the renderer derives.
//!
//! `cargo run --example ecs_fargate`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = kimai_deploy::load(
        kimai_deploy::DEFAULT_SPEC.as_bytes(),
        kimai_deploy::Format::Yaml,
    )?;
    let out = kimai_deploy::ecs::render(&model, &kimai_deploy::ecs::Options::default())?;
    let td: serde_json::Value = serde_json::from_str(
        &out.file("task-definition.json")
            .ok_or("no task definition")?
            .contents,
    )?;
    println!(
        "family {} on {} with {} CPU units / {} MiB",
        td["family"], td["requiresCompatibilities"], td["cpu"], td["memory"]
    );
    for c in td["containerDefinitions"].as_array().into_iter().flatten() {
        println!("container {}: {}", c["name"], c["image"]);
        for s in c["secrets"].as_array().into_iter().flatten() {
            println!("  secret {} <- {}", s["name"], s["valueFrom"]);
        }
    }
    for f in &out.files {
        println!("file {}", f.path);
    }
    for n in &out.notices {
        println!("notice: {n}");
    }
    Ok(())
}

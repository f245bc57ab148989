//! Embedding: EKS production (ALB, EFS, HPA, Datadog, external secrets) — list the objects.
//!
//! `cargo run --example eks_production`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = kimai_deploy::load(
        kimai_deploy::DEFAULT_SPEC.as_bytes(),
        kimai_deploy::Format::Yaml,
    )?;
    let out = kimai_deploy::k8s::render(&model, &kimai_deploy::k8s::Options::default())?;
    for f in out
        .files
        .iter()
        .filter(|f| f.path.ends_with(".yaml") && !f.path.contains('/'))
    {
        for doc in f.contents.split("\n---\n") {
            let v: serde_yaml::Value = serde_yaml::from_str(doc)?;
            if let (Some(kind), Some(name)) = (v["kind"].as_str(), v["metadata"]["name"].as_str()) {
                println!("{:<22} {kind}/{name}", f.path);
            }
        }
    }
    for n in &out.notices {
        println!("notice: {n}");
    }
    Ok(())
}

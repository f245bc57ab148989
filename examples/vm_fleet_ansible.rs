//! Embedding: a fleet of VMs deployed with Ansible; the playbook deploys the Compose project
//! of the same model, secrets from Ansible Vault.
//!
//! `cargo run --example vm_fleet_ansible`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut spec = kimai_deploy::parse(
        include_bytes!("specs/single-host-tls.yaml"),
        kimai_deploy::Format::Yaml,
    )?;
    for (i, ip) in ["192.0.2.11", "192.0.2.12", "192.0.2.13"]
        .into_iter()
        .enumerate()
    {
        spec.targets
            .ansible
            .hosts
            .insert(format!("kimai-vm-{}", i + 2), ip.to_string());
    }
    let model = kimai_deploy::validate(spec)?;
    let out = kimai_deploy::render(&model, kimai_deploy::Target::Ansible)?;
    print!(
        "{}",
        out.file("inventory.yml").ok_or("no inventory")?.contents
    );
    print!(
        "{}",
        out.file("group_vars/all/vault.yml.example")
            .ok_or("no vault example")?
            .contents
    );
    for n in &out.notices {
        println!("notice: {n}");
    }
    Ok(())
}

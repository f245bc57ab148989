//! `cargo run --example generate -- [--spec FILE] [--out DIR] [--target all|compose|k8s|ecs|ansible|terraform|ci|gitops]`
//!
//! A multi-environment file (`base` + `environments`) renders to `OUT/<environment>/<target>/`,
//! plus `OUT/kustomize/{base,overlays/<environment>}` for Kubernetes.
//! Loads and validates a spec (the embedded production spec without `--spec`), renders the
//! targets, and writes `OUT/<target>/...`. Exit 0 on success, 1 on an invalid spec or a target
//! that cannot render (nothing written), 2 on bad usage. Files are written atomically (temporary
//! file, then rename); unchanged files are left alone; files a previous run generated and this
//! run does not are removed (tracked in `OUT/<target>/.kimai-deploy-files`); files it did not
//! generate (`.env`, `certs/`, `secrets/`) are never touched.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use kimai_deploy::{render_all, Format, Selection, Target};

const MANIFEST: &str = ".kimai-deploy-files";

#[derive(Parser)]
#[command(about = "Render Kimai deployment artifacts from a spec")]
struct Args {
    /// Spec file (YAML or JSON); the embedded production spec when absent.
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Output directory.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Target to render.
    #[arg(long, value_enum, default_value_t = TargetArg::All)]
    target: TargetArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum TargetArg {
    All,
    Compose,
    K8s,
    Ecs,
    Ansible,
    Terraform,
    Ci,
    Gitops,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let (bytes, label, format) = match &args.spec {
        None => (
            kimai_deploy::DEFAULT_SPEC.as_bytes().to_vec(),
            "the embedded production spec".to_string(),
            Format::Yaml,
        ),
        Some(p) => match fs::read(p) {
            Ok(b) => (
                b,
                p.display().to_string(),
                Format::from_file_name(&p.to_string_lossy()),
            ),
            Err(e) => {
                eprintln!("error: cannot read spec {}: {e}", p.display());
                return ExitCode::from(1);
            }
        },
    };
    let multi = kimai_deploy::model::is_multi_environment(&bytes, format);
    let models = match kimai_deploy::model::load_all(&bytes, format) {
        Ok(m) => m,
        Err(d) => {
            eprint!("error: {label} is invalid; nothing was written.\n{d}");
            return ExitCode::from(1);
        }
    };
    let selection = match args.target {
        TargetArg::All => Selection::All,
        TargetArg::Compose => Selection::Only(vec![Target::Compose]),
        TargetArg::K8s => Selection::Only(vec![Target::Kubernetes]),
        TargetArg::Ecs => Selection::Only(vec![Target::Ecs]),
        TargetArg::Ansible => Selection::Only(vec![Target::Ansible]),
        TargetArg::Terraform => Selection::Only(vec![Target::Terraform]),
        TargetArg::Ci | TargetArg::Gitops => Selection::Only(Vec::new()),
    };
    // Delivery spans every environment: OUT/ci and OUT/gitops (src/delivery.rs).
    use kimai_deploy::delivery::{render_delivery, DeliveryTarget};
    let (delivery_targets, explicit) = match args.target {
        TargetArg::All => (DeliveryTarget::ALL.to_vec(), false),
        TargetArg::Ci => (vec![DeliveryTarget::Ci], true),
        TargetArg::Gitops => (vec![DeliveryTarget::Gitops], true),
        _ => (Vec::new(), false),
    };
    let delivery = match render_delivery(&models, multi, &delivery_targets, explicit) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: nothing was written.\n{e}");
            return ExitCode::from(1);
        }
    };
    // Render every environment before writing anything.
    let mut outcomes = Vec::new();
    for model in &models {
        match render_all(model, selection.clone()) {
            Ok(o) => {
                let base = if multi {
                    args.out.join(model.environment())
                } else {
                    args.out.clone()
                };
                outcomes.push((base, o));
            }
            Err(e) => {
                let env = if multi {
                    format!(" ({})", model.environment())
                } else {
                    String::new()
                };
                eprintln!("error{env}: nothing was written.\n{e}");
                return ExitCode::from(1);
            }
        }
    }
    // Several environments on Kubernetes: also one kustomize base with an overlay each.
    let k8s: Vec<(String, &kimai_deploy::Rendered)> = models
        .iter()
        .zip(&outcomes)
        .filter_map(|(m, (_, o))| {
            o.rendered
                .iter()
                .find(|(t, _)| *t == Target::Kubernetes)
                .map(|(_, r)| (m.environment().to_string(), r))
        })
        .collect();
    let overlays = if multi && k8s.len() > 1 {
        match kimai_deploy::overlays::kustomize_overlays(&k8s) {
            Ok(files) => Some(kimai_deploy::Rendered {
                files,
                notices: Vec::new(),
            }),
            Err(e) => {
                eprintln!("error: kustomize overlays: {e}; nothing was written");
                return ExitCode::from(1);
            }
        }
    } else {
        None
    };
    let mut out = std::io::stdout().lock();
    for (base, outcome) in &outcomes {
        if write_outcome(&mut out, base, outcome).is_err() {
            return ExitCode::from(1);
        }
    }
    for (target, rendered) in &delivery.rendered {
        let dir = args.out.join(target.as_str());
        match write_target(&dir, rendered) {
            Ok(changed) => {
                let _ = writeln!(
                    out,
                    "{}: {} files in {} ({changed} changed)",
                    target.as_str(),
                    rendered.files.len(),
                    dir.display()
                );
            }
            Err(e) => {
                eprintln!("error: writing {}: {e}", dir.display());
                return ExitCode::from(1);
            }
        }
    }
    for (target, reason) in &delivery.skipped {
        let _ = writeln!(out, "{}: skipped ({reason})", target.as_str());
    }
    if let Some(overlays) = overlays {
        let dir = args.out.join("kustomize");
        match write_target(&dir, &overlays) {
            Ok(changed) => {
                let _ = writeln!(
                    out,
                    "kustomize: base + {} overlays in {} ({changed} changed)",
                    k8s.len(),
                    dir.display()
                );
            }
            Err(e) => {
                eprintln!("error: writing {}: {e}", dir.display());
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::SUCCESS
}

fn write_outcome(
    out: &mut impl std::io::Write,
    base: &Path,
    outcome: &kimai_deploy::Outcome,
) -> Result<(), ()> {
    for (target, rendered) in &outcome.rendered {
        let dir = base.join(target.as_str());
        match write_target(&dir, rendered) {
            Ok(changed) => {
                let _ = writeln!(
                    out,
                    "{}: {} files in {} ({changed} changed)",
                    target.as_str(),
                    rendered.files.len(),
                    dir.display()
                );
            }
            Err(e) => {
                eprintln!("error: writing {}: {e}", dir.display());
                return Err(());
            }
        }
    }
    for (target, reason) in &outcome.skipped {
        let _ = writeln!(out, "{}: skipped ({reason})", target.as_str());
    }
    for (_, rendered) in &outcome.rendered {
        for n in &rendered.notices {
            let _ = writeln!(out, "notice: {n}");
        }
    }
    Ok(())
}

/// Writes one target's files; returns how many changed.
fn write_target(dir: &Path, rendered: &kimai_deploy::Rendered) -> std::io::Result<usize> {
    fs::create_dir_all(dir)?;
    let mut changed = 0;
    for f in &rendered.files {
        let path = dir.join(&f.path);
        if fs::read(&path).is_ok_and(|old| old == f.contents.as_bytes()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        write_atomic(&path, f.contents.as_bytes(), f.private)?;
        changed += 1;
    }
    // Remove what a previous run generated and this one does not.
    let manifest = dir.join(MANIFEST);
    let current: Vec<&str> = rendered.files.iter().map(|f| f.path.as_str()).collect();
    if let Ok(old) = fs::read_to_string(&manifest) {
        for stale in old
            .lines()
            .filter(|l| !l.is_empty() && !current.contains(l))
        {
            if !stale.contains("..") && fs::remove_file(dir.join(stale)).is_ok() {
                changed += 1;
            }
        }
    }
    let listing: String = current.iter().map(|p| format!("{p}\n")).collect();
    if fs::read_to_string(&manifest).ok().as_deref() != Some(listing.as_str()) {
        write_atomic(&manifest, listing.as_bytes(), false)?;
    }
    Ok(changed)
}

fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".kimai-deploy-tmp");
    let tmp = PathBuf::from(tmp);
    {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(if private { 0o600 } else { 0o644 });
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)
}

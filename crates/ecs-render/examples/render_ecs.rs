//! Renders one spec's ECS output:
//! `cargo run -p ecs-render --example render_ecs -- SPEC OUT [--load-balancer-arn ARN]
//! [--efs-access-point DIR=fsap-...]...` writes `OUT/ecs/...` and prints the notices.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let usage =
        "usage: render_ecs SPEC OUT_DIR [--load-balancer-arn ARN] [--efs-access-point DIR=ID]...";
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (spec, out) = match args.as_slice() {
        [spec, out, ..] => (spec, out),
        _ => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    let mut options = ecs_render::Options::default();
    let mut rest = args[2..].iter();
    while let Some(flag) = rest.next() {
        match (flag.as_str(), rest.next()) {
            ("--load-balancer-arn", Some(arn)) => options.load_balancer_arn = Some(arn.clone()),
            ("--efs-access-point", Some(pair)) => match pair.split_once('=') {
                Some((dir, ap)) => {
                    options.efs_access_points.insert(dir.into(), ap.into());
                }
                None => {
                    eprintln!("{usage}");
                    return ExitCode::from(2);
                }
            },
            _ => {
                eprintln!("{usage}");
                return ExitCode::from(2);
            }
        }
    }
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
    let rendered = match ecs_render::render(&model, &options) {
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

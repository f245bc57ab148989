//! `cargo run --release --example fleet -- [--count 1000]`
//!
//! Validates and renders a deterministic fleet of specs on every target, one spec at a time:
//! each result is measured and dropped before the next, so memory grows with the largest
//! spec, not with the fleet. Prints specs, files and bytes. Measure with
//! `/usr/bin/time -v target/release/examples/fleet --count 1000` (peak RSS, wall time).

use std::process::ExitCode;

use clap::Parser;
use kimai_deploy::{render_all, validate, Selection};

#[path = "../benches/fleet_spec.rs"]
mod fleet_spec;

#[derive(Parser)]
#[command(about = "Render a generated fleet of Kimai specs, streaming")]
struct Args {
    /// How many specs.
    #[arg(long, default_value_t = 1000)]
    count: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let (mut files, mut bytes, mut skipped) = (0usize, 0usize, 0usize);
    for i in 0..args.count {
        let model = match validate(fleet_spec::fleet_spec(i)) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("spec {i} is invalid: {e}");
                return ExitCode::from(1);
            }
        };
        match render_all(&model, Selection::All) {
            Ok(outcome) => {
                for (_, r) in &outcome.rendered {
                    files += r.files.len();
                    bytes += r.files.iter().map(|f| f.contents.len()).sum::<usize>();
                }
                skipped += outcome.skipped.len();
            }
            Err(e) => {
                eprintln!("spec {i}: {e}");
                return ExitCode::from(1);
            }
        }
    }
    println!("{} specs: {files} files, {bytes} bytes; {skipped} target renders skipped (target not supported by the spec)", args.count);
    ExitCode::SUCCESS
}

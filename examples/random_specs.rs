//! `cargo run --example random_specs -- --seed N [--count 20] --out DIR`
//!
//! Writes `count` valid random specs (`DIR/random-<i>.yaml`) drawn from the property tests'
//! strategy with a seeded generator: the same seed writes the same specs, so a CI failure can be
//! replayed. CI renders them and runs the real validators over every output tree.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

#[path = "../tests/common/strategy.rs"]
#[allow(dead_code)]
mod strategy;

#[derive(Parser)]
#[command(about = "Write seeded random valid Kimai specs")]
struct Args {
    /// Seed of the generator.
    #[arg(long)]
    seed: u64,
    /// How many specs.
    #[arg(long, default_value_t = 20)]
    count: u32,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&args.seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
    );
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("error: {}: {e}", args.out.display());
        return ExitCode::from(1);
    }
    for i in 0..args.count {
        let spec = match strategy::spec().new_tree(&mut runner) {
            Ok(tree) => tree.current(),
            Err(e) => {
                eprintln!("error: cannot draw a spec: {e}");
                return ExitCode::from(1);
            }
        };
        let header = format!(
            "Random spec {i} of seed {}; replay with --seed {} --count {}",
            args.seed, args.seed, args.count
        );
        let text = match kimai_deploy::model::yaml::to_yaml(&spec, &header, &Default::default()) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        };
        let path = args.out.join(format!("random-{i:02}.yaml"));
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    println!(
        "wrote {} specs with seed {} to {}",
        args.count,
        args.seed,
        args.out.display()
    );
    ExitCode::SUCCESS
}

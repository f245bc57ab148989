//! `cargo run --release --example render_loop -- [WHAT] [--count N]`
//!
//! Runs one piece of work `N` times, for instruction counts that do not depend on machine load
//! (`valgrind --tool=callgrind target/release/examples/render_loop all --count 20`; the work
//! of one iteration is the difference between two counts divided by their difference in `N`)
//! and a rough time per iteration. `WHAT`: `load` (load + validate the default spec), one
//! target (`compose`, `k8s`, `ecs`, `ansible` (its Compose project included), `terraform`),
//! `all` (`render_all` of the default spec, as the benchmark), `fleet` (validate + render all
//! of the 1,000 benchmark specs), or `digest` (a hash of every file, notice and skip of the
//! fleet and the default spec, to show that a change leaves all output as it was).

use std::hash::{Hash, Hasher};
use std::hint::black_box;
use std::time::Instant;

use clap::Parser;
use kimai_deploy::{load, render, render_all, validate, Format, Outcome, Selection, Target};

#[path = "../benches/fleet_spec.rs"]
mod fleet_spec;

#[derive(Parser)]
#[command(about = "Run one piece of rendering work N times")]
struct Args {
    /// load | compose | k8s | ecs | ansible | terraform | all | fleet | digest
    #[arg(default_value = "all")]
    what: String,
    /// How many times.
    #[arg(long, default_value_t = 100)]
    count: u32,
}

fn bytes(outcome: &Outcome) -> usize {
    outcome
        .rendered
        .iter()
        .flat_map(|(_, r)| &r.files)
        .map(|f| f.contents.len())
        .sum()
}

fn hash_outcome(outcome: &Outcome, h: &mut impl Hasher) {
    for (target, r) in &outcome.rendered {
        target.as_str().hash(h);
        for f in &r.files {
            (&f.path, &f.contents, f.private).hash(h);
        }
        format!("{:?}", r.notices).hash(h);
    }
    format!("{:?}", outcome.skipped).hash(h);
}

fn main() {
    let args = Args::parse();
    let spec = kimai_deploy::DEFAULT_SPEC.as_bytes();
    let model = load(spec, Format::Yaml).expect("the default spec is valid");
    let target = Target::parse(&args.what);
    let mut total = 0usize;
    let start = Instant::now();
    for _ in 0..args.count {
        total += match (args.what.as_str(), target) {
            (_, Some(t)) => render(black_box(&model), t)
                .expect("renders")
                .files
                .iter()
                .map(|f| f.contents.len())
                .sum(),
            ("load", _) => load(black_box(spec), Format::Yaml)
                .map(|m| m.spec().name.len())
                .expect("the default spec is valid"),
            ("all", _) => bytes(&render_all(black_box(&model), Selection::All).expect("renders")),
            ("fleet", _) => (0..1000)
                .map(|i| {
                    let m = validate(fleet_spec::fleet_spec(i)).expect("fleet specs are valid");
                    bytes(&render_all(&m, Selection::All).expect("renders"))
                })
                .sum(),
            ("digest", _) => {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                hash_outcome(
                    &render_all(&model, Selection::All).expect("renders"),
                    &mut h,
                );
                for i in 0..1000 {
                    let m = validate(fleet_spec::fleet_spec(i)).expect("fleet specs are valid");
                    hash_outcome(&render_all(&m, Selection::All).expect("renders"), &mut h);
                }
                println!("digest {:016x}", h.finish());
                0
            }
            (other, None) => {
                eprintln!("unknown work `{other}`");
                std::process::exit(2);
            }
        };
    }
    let per = start.elapsed().as_secs_f64() * 1e6 / f64::from(args.count.max(1));
    println!(
        "{} x{}: {total} bytes, {per:.1} us per iteration",
        args.what, args.count
    );
}

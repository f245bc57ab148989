//! Criterion benchmarks: load + validate, each target, all targets serialised, a 1,000-spec fleet.
//! Run with `cargo bench`; CI only compiles them (`cargo bench --no-run`).
#![allow(missing_docs)] // criterion_group! generates an undocumented function

mod fleet_spec;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use kimai_deploy::{load, render, render_all, validate, Format, Selection, Target};

fn bench(c: &mut Criterion) {
    let spec = kimai_deploy::DEFAULT_SPEC.as_bytes();
    c.bench_function("load+validate default spec", |b| {
        b.iter(|| load(std::hint::black_box(spec), Format::Yaml))
    });
    let model = load(spec, Format::Yaml).expect("default spec is valid");
    for target in Target::ALL {
        if render(&model, target).is_ok() {
            c.bench_function(&format!("render {}", target.as_str()), |b| {
                b.iter(|| render(std::hint::black_box(&model), target))
            });
        }
    }
    c.bench_function("render all targets, default spec", |b| {
        b.iter(|| {
            let outcome =
                render_all(std::hint::black_box(&model), Selection::All).expect("renders");
            outcome
                .rendered
                .iter()
                .flat_map(|(_, r)| &r.files)
                .map(|f| f.contents.len())
                .sum::<usize>()
        })
    });
    let fleet: Vec<_> = (0..1000).map(fleet_spec::fleet_spec).collect();
    let mut group = c.benchmark_group("fleet");
    group.sample_size(10);
    group.bench_function("validate + render all targets, 1,000 specs", |b| {
        b.iter_batched(
            || fleet.clone(),
            |specs| {
                let mut bytes = 0;
                for spec in specs {
                    let model = validate(spec).expect("fleet specs are valid");
                    let outcome = render_all(&model, Selection::All).expect("renders");
                    bytes += outcome
                        .rendered
                        .iter()
                        .flat_map(|(_, r)| &r.files)
                        .map(|f| f.contents.len())
                        .sum::<usize>();
                }
                bytes
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! The programs of `benches/programs/` (issue 3), each compiled and run
//! in-process: a fresh [`Engine`], then `run_file` as `ember run` does
//! (parse, check, Cranelift compile, run, wait for threads), output captured.
//! Process start-up and the peers are measured by `benches/compare.py`.
//!
//! Run: `cargo bench --bench programs` (all, a few minutes), or with a
//! filter: `cargo bench --bench programs -- fib`. `-- --test` runs each
//! program once and checks its output.
//!
//! Every program's output is checked against `NAME.out` once before it is
//! timed; a wrong output or an error panics instead of being timed.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use ember::Engine;

const PROGRAMS: &[&str] = &[
    "fib",
    "loop",
    "calls",
    "mandelbrot",
    "nbody",
    "binary_trees",
    "strings",
];

fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/programs")
}

/// Compile and run `text` in a fresh engine; the captured output, or the
/// error reports as `ember run` would print them.
fn run(name: &str, text: &str) -> Result<String, String> {
    let mut engine = Engine::new().map_err(|e| e.to_string())?;
    engine.capture_output(true);
    let reports = ember::run_file(&mut engine, name, text);
    let out = engine.take_output();
    if reports.is_empty() {
        Ok(out)
    } else {
        Err(reports.concat())
    }
}

fn programs(c: &mut Criterion) {
    let dir = programs_dir();
    let mut group = c.benchmark_group("programs");
    // Each iteration takes from a few ms (fib) to a few hundred (strings,
    // binary_trees): flat sampling, few samples.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));
    for &p in PROGRAMS {
        let name = format!("{p}.em");
        let text = std::fs::read_to_string(dir.join(&name))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.join(&name).display()));
        let want = std::fs::read_to_string(dir.join(format!("{p}.out")))
            .unwrap_or_else(|e| panic!("{p}.out: {e}"));
        match run(&name, &text) {
            Ok(out) => assert_eq!(out, want, "{name}: wrong output"),
            Err(e) => panic!("{name} failed:\n{e}"),
        }
        group.bench_function(p, |b| {
            b.iter(|| {
                let out = run(&name, black_box(&text));
                assert!(out.is_ok(), "{name} failed while timed");
                black_box(out)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, programs);
criterion_main!(benches);

//! Times `benches/programs/*.em` in-process (compile + run) and checks
//! their output. Ignored by default; run in release:
//! `cargo test --release --test bench_programs -- --ignored --nocapture`

use std::path::Path;
use std::time::Instant;

use ember::Engine;

#[test]
#[ignore]
fn bench_programs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/programs");
    let filter = std::env::var("EMBER_FILTER").unwrap_or_default();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "em"))
        .filter(|p| p.to_string_lossy().contains(&filter))
        .collect();
    files.sort();
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap();
        let want = std::fs::read_to_string(p.with_extension("out")).unwrap_or_default();
        let mut best = f64::MAX;
        for _ in 0..3 {
            let mut e = Engine::new().unwrap();
            e.capture_output(true);
            let t = Instant::now();
            e.run_source("b.em", &text).unwrap();
            let dt = t.elapsed().as_secs_f64();
            best = best.min(dt);
            assert_eq!(e.take_output(), want, "{}", p.display());
        }
        println!(
            "{:<16} {:>8.1} ms",
            p.file_stem().unwrap().to_string_lossy(),
            best * 1e3
        );
    }
}

#[test]
#[ignore]
fn empty_program_startup() {
    let mut best = f64::MAX;
    for _ in 0..20 {
        let t = Instant::now();
        let mut e = Engine::new().unwrap();
        e.run_source("empty.em", "").unwrap();
        drop(e);
        best = best.min(t.elapsed().as_secs_f64());
    }
    let t = Instant::now();
    let mut e = Engine::new().unwrap();
    e.capture_output(true);
    e.run_source("hello.em", "println(\"hi\");").unwrap();
    let hello = t.elapsed().as_secs_f64();
    println!(
        "engine + empty program: {:.3} ms; hello: {:.3} ms",
        best * 1e3,
        hello * 1e3
    );
}

#[test]
#[ignore]
fn redefinition_cost() {
    let mut e = Engine::new().unwrap();
    let n = 2000;
    let t = Instant::now();
    for i in 0..n {
        let src = format!("fn f(x: int) -> int {{ x + {} }}", i % 2);
        e.run_source("f.em", &src).unwrap();
    }
    let per = t.elapsed().as_secs_f64() / n as f64;
    println!("one-line function, whole run_source: {:.1} µs", per * 1e6);
}

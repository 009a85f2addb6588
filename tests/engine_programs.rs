//! Runs every `tests/programs/NAME.em` (and `examples/NAME.em`) that has a
//! `NAME.out` in a fresh engine and compares the printed output exactly.
//! Also compiles each for aarch64 with the verifier on.

use std::path::{Path, PathBuf};

use ember::{Engine, Error};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn programs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["tests/programs", "examples"] {
        let Ok(rd) = std::fs::read_dir(root().join(dir)) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "em") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Run a file; its output, with a runtime error appended as `!! error`.
fn run_file(path: &Path) -> String {
    run_file_with(path, Engine::new().expect("engine"))
}

fn run_file_with(path: &Path, mut e: Engine) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    e.capture_output(true);
    let r = e.run_source(&name, &text);
    let errors = e.wait_threads();
    let mut out = e.take_output();
    match r {
        Ok(_) => {}
        Err(Error::Runtime(err)) => out.push_str(&format!("!! {err}\n")),
        Err(other) => out.push_str(&format!("!! {other}\n")),
    }
    for err in errors {
        out.push_str(&format!("!! thread: {err}\n"));
    }
    out
}

#[test]
fn programs_print_expected_output() {
    check_all(&|p| run_file(p));
}

/// The same with a collection requested every 16 KiB of allocation, so
/// that stack maps are exercised at many call sites.
#[test]
fn programs_survive_frequent_collections() {
    check_all(&|p| {
        let config = ember_jit::runtime::heap::HeapConfig {
            min_threshold: 16 << 10,
            growth: 0.0,
            ..Default::default()
        };
        run_file_with(
            p,
            Engine::builder()
                .heap_config(config)
                .build()
                .expect("engine"),
        )
    });
}

fn check_all(run: &(dyn Fn(&Path) -> String + std::panic::RefUnwindSafe)) {
    let filter = std::env::var("EMBER_FILTER").unwrap_or_default();
    let mut failures = Vec::new();
    let mut ran = 0;
    for p in programs() {
        let expected = p.with_extension("out");
        let Ok(want) = std::fs::read_to_string(&expected) else {
            continue;
        };
        if !p.to_string_lossy().contains(&filter) {
            continue;
        }
        ran += 1;
        let got =
            std::panic::catch_unwind(|| run(&p)).unwrap_or_else(|_| "!! panicked\n".to_string());
        if got != want {
            // First differing line, to keep the report short.
            let (w, g): (Vec<_>, Vec<_>) = (want.lines().collect(), got.lines().collect());
            let i = (0..w.len().max(g.len()))
                .find(|&i| w.get(i) != g.get(i))
                .unwrap_or(0);
            failures.push(format!(
                "{} line {}: expected {:?}, got {:?}",
                p.display(),
                i + 1,
                w.get(i).copied().unwrap_or("<end>"),
                g[i.min(g.len().saturating_sub(1))..g.len().min(i + 3)].join("\n"),
            ));
        }
    }
    assert!(ran > 0, "no programs found");
    assert!(
        failures.is_empty(),
        "{} of {ran} programs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

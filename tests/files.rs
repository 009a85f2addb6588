//! The file-driven test runner: one trial per file.
//!
//! - `tests/errors/NAME.em`: its rendered diagnostics (exactly what
//!   `ember check tests/errors/NAME.em` prints on standard error, without
//!   colour) must equal `tests/errors/NAME.err`. A missing `.err` fails.
//!   A file that checks clean is a runtime-error case: it is run as
//!   `ember run` would, its error report compared with `NAME.err` and its
//!   output with `NAME.out` when present.
//! - `tests/programs/NAME.em` and `examples/NAME.em`: must check clean.
//!   A program is run and its standard output compared with `NAME.out`
//!   (see [`run_program`]); it must not report any error.
//!
//! - `tests/reload/NAME.em`: a live-redefinition scenario (steps on one
//!   engine: files, runs, reloads, REPL entries, rollbacks; see
//!   `tests/scenario/mod.rs`); its transcript must equal `NAME.out`.
//!
//! Bless mode: `BLESS=1 cargo test --test files` rewrites the expectation
//! files from the actual output instead of comparing.
//!
//! Run a subset with a filter, e.g. `cargo test --test files -- errors/`.

use std::fs;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Completion, Failed, Trial};

mod scenario;

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut trials = Vec::new();
    for em in sources(&root.join("tests/errors")) {
        let name = format!("errors/{}", stem(&em));
        trials.push(Trial::ignorable_test(name, move || error_case(&em)));
    }
    for orphan in orphans(&root.join("tests/errors"), "err") {
        let name = format!("errors/{}", file_name(&orphan));
        trials.push(Trial::test(name, move || {
            Err(format!("{} has no matching .em file", rel(&orphan)).into())
        }));
    }
    for dir in ["tests/programs", "examples"] {
        for em in sources(&root.join(dir)) {
            let name = format!("{}/{}", dir.trim_start_matches("tests/"), stem(&em));
            trials.push(Trial::test(name, move || program_case(&em)));
        }
    }
    for em in sources(&root.join("tests/reload")) {
        let name = format!("reload/{}", stem(&em));
        trials.push(Trial::test(name, move || reload_case(&em)));
    }
    libtest_mimic::run(&args, trials).exit();
}

/// `tests/errors/NAME.em`: compare the diagnostics with `NAME.err`. A file
/// that checks clean is a runtime-error case: its standard error is compared
/// with `NAME.err` (and its standard output with `NAME.out`, if present) once
/// programs can run; until then the trial reports itself ignored.
fn error_case(em: &Path) -> Result<Completion, Failed> {
    let text = read(em)?;
    match ember::check_source_rendered(&rel(em), &text) {
        Err(rendered) => compare(&em.with_extension("err"), &rendered)?,
        Ok(()) => match run_program(em) {
            Some(run) => {
                compare(&em.with_extension("err"), &run.stderr)?;
                compare_if_present(&em.with_extension("out"), &run.stdout)?;
            }
            None => {
                return Ok(Completion::ignored_with(
                    "checks clean: a runtime-error case, compared once `ember run` exists",
                ))
            }
        },
    }
    Ok(Completion::Completed)
}

/// `tests/programs/NAME.em`, `examples/NAME.em`: must check clean; once
/// programs can run, standard output is also compared with `NAME.out`.
fn program_case(em: &Path) -> Result<(), Failed> {
    let text = read(em)?;
    if let Err(rendered) = ember::check_source_rendered(&rel(em), &text) {
        return Err(format!("{} should check clean, but:\n{rendered}", rel(em)).into());
    }
    if let Some(run) = run_program(em) {
        if !run.stderr.is_empty() {
            return Err(format!("{} wrote to standard error:\n{}", rel(em), run.stderr).into());
        }
        compare_if_present(&em.with_extension("out"), &run.stdout)?;
    }
    Ok(())
}

/// `tests/reload/NAME.em`: a multi-step live-redefinition scenario
/// ([`scenario`]); its transcript must equal `NAME.out`.
fn reload_case(em: &Path) -> Result<(), Failed> {
    let text = read(em)?;
    let transcript = scenario::run(&text);
    compare(&em.with_extension("out"), &transcript)
}

/// What running a program printed.
struct Run {
    stdout: String,
    stderr: String,
}

/// Run the program in-process exactly as `ember run` does
/// ([`ember::run_file`]) and capture what it writes: the program's output
/// and the error reports `ember run` would print on standard error.
fn run_program(em: &Path) -> Option<Run> {
    let text = fs::read_to_string(em).ok()?;
    let mut engine = ember::Engine::new().expect("engine");
    engine.capture_output(true);
    let reports = ember::run_file(&mut engine, &rel(em), &text);
    Some(Run {
        stdout: engine.take_output(),
        stderr: mask_omitted_frames(&reports.concat()),
    })
}

/// A stack overflow's trace leaves out the middle of a very deep stack
/// (`  ... N more frames`). N depends on the thread's stack size, which
/// differs between the test harness and the command line, so it is masked
/// as `N`; every frame that is printed is still compared exactly.
fn mask_omitted_frames(stderr: &str) -> String {
    stderr
        .lines()
        .map(|line| match line.trim_start().strip_prefix("... ") {
            Some(rest) if rest.ends_with(" more frames") => "  ... N more frames".to_string(),
            _ => line.to_string(),
        })
        .map(|line| line + "\n")
        .collect()
}

/// Like [`compare`], but a missing expectation file is fine outside bless
/// mode (a program may print nothing; `examples/` have no `.out`).
fn compare_if_present(expected_path: &Path, actual: &str) -> Result<(), Failed> {
    if expected_path.exists() || (bless() && !actual.is_empty()) {
        compare(expected_path, actual)
    } else if actual.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "missing expectation file {} (create it with `BLESS=1 cargo test --test files`); actual output:\n{actual}",
            rel(expected_path)
        )
        .into())
    }
}

/// Compare `actual` with the expectation file, or rewrite it under `BLESS`.
fn compare(expected_path: &Path, actual: &str) -> Result<(), Failed> {
    if bless() {
        fs::write(expected_path, actual)
            .map_err(|e| format!("cannot write {}: {e}", rel(expected_path)))?;
        return Ok(());
    }
    let expected = match fs::read_to_string(expected_path) {
        Ok(text) => text,
        Err(_) => {
            return Err(format!(
                "missing expectation file {} (create it with `BLESS=1 cargo test --test files`); actual output:\n{actual}",
                rel(expected_path)
            )
            .into())
        }
    };
    if expected == actual {
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(&expected, actual)
        .unified_diff()
        .context_radius(3)
        .header(&rel(expected_path), "actual")
        .to_string();
    Err(format!(
        "output differs from {} (- expected, + actual; `BLESS=1 cargo test --test files` accepts the actual output):\n{diff}",
        rel(expected_path)
    )
    .into())
}

fn bless() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The `.em` files of a folder, sorted by name (none if it does not exist).
fn sources(dir: &Path) -> Vec<PathBuf> {
    with_extension(dir, "em")
}

/// Expectation files (`ext`) in `dir` without a matching `.em`.
fn orphans(dir: &Path, ext: &str) -> Vec<PathBuf> {
    with_extension(dir, ext)
        .into_iter()
        .filter(|p| !p.with_extension("em").exists())
        .collect()
}

fn with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == ext))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

fn read(path: &Path) -> Result<String, Failed> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", rel(path)).into())
}

/// The path relative to the repository root, with `/` separators: how
/// diagnostics name the file (`tests/errors/NAME.em`).
fn rel(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

//! REPL transcripts: one trial per `tests/repl/NAME.txt`.
//!
//! The real `ember` binary runs with `NAME.txt` piped on standard input (so
//! the REPL is in its non-terminal mode: no banner, no prompt). It must exit
//! with status 0, its standard output must equal `NAME.out` exactly, and its
//! standard error must equal `NAME.err` (or be empty when there is no
//! `NAME.err`). In both, timings such as `14 µs` or `2.5 ms` are compared
//! as `N µs` (`:time` prints them on standard output). The binary runs in
//! `tests/repl/`, so a transcript can `:load files/NAME.em`.
//!
//! Bless mode: `BLESS=1 cargo test -p ember-repl --test transcripts`
//! rewrites `NAME.out` and `NAME.err` from what the binary printed (and
//! removes a `NAME.err` when nothing was printed). Review every rewritten
//! file by hand against LANGUAGE.md.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Failed, Trial};

/// A transcript that runs longer than this has hung (a thread that never
/// ends, a prompt waiting for input).
const TIMEOUT: Duration = Duration::from_secs(60);

fn main() {
    let args = Arguments::from_args();
    let dir = transcripts_dir();
    let mut trials = Vec::new();
    for txt in with_extension(&dir, "txt") {
        trials.push(Trial::test(stem(&txt), move || transcript(&txt)));
    }
    for ext in ["out", "err"] {
        for orphan in with_extension(&dir, ext) {
            if !orphan.with_extension("txt").exists() {
                let name = file_name(&orphan);
                trials.push(Trial::test(name.clone(), move || {
                    Err(format!("tests/repl/{name} has no matching .txt transcript").into())
                }));
            }
        }
    }
    trials.push(Trial::test("runner/mask_timings", mask_timings_works));
    libtest_mimic::run(&args, trials).exit();
}

fn transcripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/repl")
}

fn transcript(txt: &Path) -> Result<(), Failed> {
    let input = fs::read(txt).map_err(|e| format!("cannot read {}: {e}", show(txt)))?;
    let run = run_ember(&input)?;
    if run.status != Some(0) {
        return Err(format!(
            "exit status {:?}, expected 0\nstdout:\n{}\nstderr:\n{}",
            run.status, run.stdout, run.stderr
        )
        .into());
    }
    let mut problems = Vec::new();
    if let Err(e) = compare(&txt.with_extension("out"), &mask_timings(&run.stdout), true) {
        problems.push(e);
    }
    if let Err(e) = compare(
        &txt.with_extension("err"),
        &mask_timings(&run.stderr),
        false,
    ) {
        problems.push(e);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Run `ember` with `input` on standard input (a pipe, not a terminal).
fn run_ember(input: &[u8]) -> Result<Run, Failed> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ember"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("NO_COLOR", "1")
        .current_dir(transcripts_dir())
        .spawn()
        .map_err(|e| format!("cannot run ember: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_vec();
    // Write from a thread: the REPL may print more than a pipe holds
    // before it has read all of its input.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let stdout = reader(child.stdout.take().expect("piped stdout"));
    let stderr = reader(child.stderr.take().expect("piped stderr"));
    let start = Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| format!("wait: {e}"))? {
            Some(status) => break status,
            None if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("ember did not exit within {TIMEOUT:?}").into());
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    let _ = writer.join();
    Ok(Run {
        status: status.code(),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

fn reader(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// `14 µs`, `2.5 ms`, `800 ns` → `N µs`: timings differ from run to run.
fn mask_timings(text: &str) -> String {
    const UNITS: [&str; 3] = [" µs", " ms", " ns"];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(|c: char| c.is_ascii_digit()) {
        // A number starts here only if no word character comes just before.
        let before = rest[..i].chars().next_back();
        let mut end = i;
        let bytes = rest.as_bytes();
        while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
            end += 1;
        }
        let unit = UNITS.iter().find(|u| rest[end..].starts_with(*u));
        let starts_word = before.is_some_and(|c| c.is_alphanumeric() || c == '_');
        match unit {
            Some(unit) if !starts_word => {
                out.push_str(&rest[..i]);
                out.push_str("N µs");
                rest = &rest[end + unit.len()..];
            }
            _ => {
                out.push_str(&rest[..end]);
                rest = &rest[end..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Compare `actual` with the expectation file (or rewrite it under
/// `BLESS`). A missing file expects nothing, unless it is `required`.
fn compare(path: &Path, actual: &str, required: bool) -> Result<(), String> {
    if bless() {
        let result = if actual.is_empty() && !required {
            match fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            }
        } else {
            fs::write(path, actual)
        };
        return result.map_err(|e| format!("cannot write {}: {e}", show(path)));
    }
    let expected = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(_) if !required && actual.is_empty() => return Ok(()),
        Err(_) => {
            return Err(format!(
                "missing expectation file {} (create it with `BLESS=1 cargo test -p ember-repl --test transcripts`); actual:\n{actual}",
                show(path)
            ))
        }
    };
    if expected == actual {
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(&expected, actual)
        .unified_diff()
        .context_radius(3)
        .header(&show(path), "actual")
        .to_string();
    Err(format!(
        "output differs from {} (- expected, + actual; `BLESS=1` accepts the actual output):\n{diff}",
        show(path)
    ))
}

fn bless() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The files of `dir` ending in `.ext`, sorted by name.
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

/// `tests/repl/NAME.ext`, as the repository names it.
fn show(path: &Path) -> String {
    format!("tests/repl/{}", file_name(path))
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

/// The runner's own check of [`mask_timings`].
fn mask_timings_works() -> Result<(), Failed> {
    let cases = [
        (
            "fn f redefined (v3): compile 14 µs, pause 2 µs\n",
            "fn f redefined (v3): compile N µs, pause N µs\n",
        ),
        ("took 2.5 ms and 800 ns", "took N µs and N µs"),
        ("index 7, length 3 at x1 µs", "index 7, length 3 at x1 µs"),
        ("<repl>:1:14", "<repl>:1:14"),
        ("12 µ", "12 µ"),
    ];
    for (input, expected) in cases {
        let actual = mask_timings(input);
        if actual != expected {
            return Err(
                format!("mask_timings({input:?}) = {actual:?}, expected {expected:?}").into(),
            );
        }
    }
    Ok(())
}

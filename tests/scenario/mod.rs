//! Live-redefinition scenarios (`tests/reload/NAME.em`): several steps run
//! on one engine, the transcript compared with `NAME.out`.
//!
//! A scenario is a list of steps, each starting with a line `-- STEP`:
//!
//! - `-- file NAME` then the file's text: write (or overwrite) a virtual
//!   file (nothing runs);
//! - `-- run NAME`: run the file as `ember run` would (first load);
//! - `-- reload NAME`: reload the file (`Engine::reload_source`), print its
//!   report;
//! - `-- entry` then text: one REPL entry (`Engine::run_entry`), echoing a
//!   final value;
//! - `-- rollback KIND NAME [VERSION]`: roll back (`fn`, `struct`, `let`);
//! - `-- versions KIND NAME`: list the versions (number and text).
//!
//! The transcript shows each step as `>> STEP`, then program output,
//! echoed values, definition notices (`notice: ...`), reports and errors.
//! Timings and byte counts are masked (`N µs`, `N code bytes`) because
//! they vary from run to run.

use std::collections::HashMap;

use ember::Engine;

/// Run a scenario; its transcript.
pub fn run(text: &str) -> String {
    let mut engine = Engine::new().expect("engine");
    engine.capture_output(true);
    let mut files: HashMap<String, String> = HashMap::new();
    let mut out = String::new();
    for (head, body) in steps(text) {
        let words: Vec<&str> = head.split_whitespace().collect();
        if words.first() != Some(&"file") {
            out.push_str(&format!(">> {head}\n"));
        }
        match words.as_slice() {
            ["file", name] => {
                files.insert(name.to_string(), body);
            }
            ["run", name] => {
                let text = files.get(*name).cloned().unwrap_or_default();
                let reports = ember::run_file(&mut engine, name, &text);
                flush(&mut engine, &mut out);
                for r in reports {
                    out.push_str(&r);
                }
            }
            ["reload", name] => {
                let text = files.get(*name).cloned().unwrap_or_default();
                match engine.reload_source(name, &text) {
                    Ok(report) => {
                        flush(&mut engine, &mut out);
                        out.push_str(&report.to_string());
                    }
                    Err(e) => {
                        flush(&mut engine, &mut out);
                        out.push_str(&ember::report_error(&e));
                    }
                }
            }
            ["entry"] => match engine.run_entry("<repl>", &body) {
                Ok(value) => {
                    flush(&mut engine, &mut out);
                    if let Some((w, ty)) = value {
                        if ty != ember::lang::Type::Unit {
                            out.push_str(&engine.format_value(w, &ty, true));
                            out.push('\n');
                        }
                    }
                }
                Err(e) => {
                    flush(&mut engine, &mut out);
                    out.push_str(&ember::report_error(&e));
                }
            },
            ["rollback", kind, name, rest @ ..] => {
                let version = rest.first().map(|v| v.parse().expect("version number"));
                match engine.rollback(item_kind(kind), name, version) {
                    Ok(_) => flush(&mut engine, &mut out),
                    Err(e) => {
                        flush(&mut engine, &mut out);
                        out.push_str(&ember::report_error(&e));
                    }
                }
            }
            ["versions", kind, name] => match engine.versions(item_kind(kind), name) {
                Some(h) => {
                    for v in h.versions() {
                        out.push_str(&format!("v{} ({}): {}\n", v.number, v.source(), v.text()));
                    }
                }
                None => out.push_str("no versions\n"),
            },
            _ => panic!("unknown scenario step `-- {head}`"),
        }
    }
    for e in engine.wait_threads() {
        out.push_str(&ember::report_thread_error(&e));
    }
    mask(&out)
}

fn item_kind(word: &str) -> ember::ItemKind {
    match word {
        "fn" => ember::ItemKind::Fn,
        "struct" => ember::ItemKind::Struct,
        "let" => ember::ItemKind::Global,
        other => panic!("unknown item kind `{other}`"),
    }
}

/// Program output and notices produced by the last step.
fn flush(engine: &mut Engine, out: &mut String) {
    out.push_str(&engine.take_output());
    for n in engine.take_notices() {
        out.push_str(&format!("notice: {n}\n"));
    }
}

/// Split a scenario into `(directive, body)` steps.
fn steps(text: &str) -> Vec<(String, String)> {
    let mut steps: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(head) = line.strip_prefix("-- ") {
            steps.push((head.trim().to_string(), String::new()));
        } else if let Some((_, body)) = steps.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    steps
}

/// Replace timings and byte counts, which vary between runs.
fn mask(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let words: Vec<&str> = s.split(' ').collect();
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).copied().unwrap_or("");
        let is_number = !w.is_empty() && w.chars().all(|c| c.is_ascii_digit() || c == '.');
        if is_number && (next.starts_with("µs") || next.starts_with("code")) {
            out.push('N');
        } else {
            out.push_str(w);
        }
        if i + 1 < words.len() {
            out.push(' ');
        }
    }
    out
}

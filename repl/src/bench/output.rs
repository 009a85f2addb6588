//! What `ember bench` prints: the whole result as one JSON document
//! (`--json`), or a table with a legend.

use std::fmt::Write;

use serde::Serialize;

use super::measure::Phase;
use super::row::Row;

/// A row that could not be measured.
#[derive(Debug, Serialize)]
pub struct RowError {
    pub key: String,
    pub operation: String,
    pub threads: u32,
    pub message: String,
}

/// The whole result (the `--json` document).
#[derive(Debug, Serialize)]
pub struct Report {
    pub ember_version: &'static str,
    /// `standard` (the built-in suite) or `file` (`ember bench FILE`).
    pub suite: &'static str,
    pub file: Option<String>,
    pub rounds: u32,
    /// `release` or `debug`: how the `ember` binary was built.
    pub build: &'static str,
    /// 1, 5 and 15 minute load averages when the run started.
    pub load_average: Option<[f64; 3]>,
    pub operations: Vec<Row>,
    pub errors: Vec<RowError>,
    /// Every operation measured, applied and everything preserved.
    pub ok: bool,
}

impl Report {
    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("the report serializes");
        s.push('\n');
        s
    }

    pub fn table(&self) -> String {
        let mut out = String::new();
        let what = match &self.file {
            Some(f) => format!("the functions of {f}"),
            None => "the standard suite".to_string(),
        };
        let load = self
            .load_average
            .map(|l| format!(", load average {:.2} {:.2} {:.2}", l[0], l[1], l[2]))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "ember bench: {what}, {} rounds per operation ({} build{load})",
            self.rounds, self.build
        );
        let _ = writeln!(
            out,
            "times per redefinition in µs, median / p99; memory in bytes per redefinition\n"
        );
        let width = self
            .operations
            .iter()
            .map(|r| r.operation.chars().count())
            .chain(self.errors.iter().map(|e| e.operation.chars().count()))
            .max()
            .unwrap_or(0)
            .max("operation".len());
        let _ = writeln!(
            out,
            "{:<width$} {:>3}  {:>15}  {:>15}  {:>15}  {:>15}  {:>8}  {:>8}  preserved",
            "operation", "thr", "check", "compile", "pause", "total", "code", "RSS"
        );
        for r in &self.operations {
            let m = &r.memory;
            let rss = m
                .rss_growth_per_round
                .map(|b| format!("{b:.0}"))
                .unwrap_or_else(|| "-".to_string());
            let mut verdict = if r.preserved.all() {
                "yes".to_string()
            } else {
                format!("NO: {}", r.preserved.failed().join(", "))
            };
            if !r.applied {
                verdict.push_str(" (NOT APPLIED)");
            }
            let _ = writeln!(
                out,
                "{:<width$} {:>3}  {:>15}  {:>15}  {:>15}  {:>15}  {:>8.0}  {:>8}  {verdict}",
                r.operation,
                r.threads,
                pair(r.phases.check),
                pair(r.phases.compile),
                pair(r.phases.pause),
                pair(r.phases.total),
                m.code_bytes_written_per_round,
                rss,
            );
        }
        for e in &self.errors {
            let _ = writeln!(
                out,
                "{:<width$} {:>3}  error: {}",
                e.operation, e.threads, e.message
            );
        }
        out.push('\n');
        out.push_str(if self.file.is_some() {
            "thr: Ember threads running during the rounds (none: FILE's code is not run).\n"
        } else {
            "thr: Ember threads running during the rounds (a worker spinning in a loop).\n"
        });
        out.push_str(LEGEND);
        out
    }
}

/// The legend after the `thr:` line.
const LEGEND: &str = "code: machine code written (old versions are freed once no frame runs them);
RSS: growth of the resident set over the rounds. --json has every figure.
preserved: checked with Ember code after the rounds and a collection: a
global's value, messages queued on a channel, a 1,000-node list and a map of
arrays; with a thread, that it still runs, and that its own data and the
message queued for it before the rounds are intact.
";

/// `median / p99` in microseconds.
fn pair(p: Phase) -> String {
    format!("{} / {}", micros(p.median_ns), micros(p.p99_ns))
}

/// Microseconds, one decimal below 100 µs.
fn micros(ns: u64) -> String {
    let us = ns as f64 / 1000.0;
    if us < 100.0 {
        format!("{us:.1}")
    } else {
        format!("{us:.0}")
    }
}

//! One row of the table: a fresh engine, the state to preserve, the
//! workload's set-up, then the timed rounds and the checks.

use serde::Serialize;

use ember::{Change, ItemKind, TransactionReport};

use super::engine_io::{engine_error, eval_int, exec, BenchError};
use super::measure::{Memory, MemoryPoint, Phases, Samples};
use super::state::{self, Category, Preserved, ThreadProgress};
use super::workloads::{Apply, Expect, Workload};

/// Everything measured and checked for one operation (JSON, one element
/// of `operations`).
#[derive(Debug, Serialize)]
pub struct Row {
    pub key: String,
    pub operation: String,
    /// Ember threads running during the rounds (besides the one
    /// redefining).
    pub threads: u32,
    pub rounds: u32,
    pub phases: Phases,
    pub memory: Memory,
    /// Struct instances migrated per round.
    pub migrated_per_round: f64,
    /// Every round reported the expected change, and (where the operation
    /// has a probe) the last version applied is the one that runs.
    pub applied: bool,
    pub preserved: Preserved,
    /// A collection ran after the rounds, before the checks read anything.
    pub collected_before_checks: bool,
    /// The worker's progress (rows with a running thread).
    pub thread: Option<ThreadProgress>,
}

/// Measure `w` over `rounds` rounds with `threads` (0 or 1) worker threads.
pub fn run(w: &Workload, threads: u32, rounds: u32) -> Result<Row, BenchError> {
    let mut engine = ember::Engine::new().map_err(|e| engine_error("(new engine)", &e))?;
    // A user's file may print from its functions' callers; nothing the
    // bench runs should reach the table.
    engine.capture_output(true);
    let result = measure(&mut engine, w, threads, rounds);
    if result.is_err() && threads > 0 {
        // Do not leave the worker spinning through the next rows.
        let _ = exec(&mut engine, "__bench_stop = true;");
    }
    result
}

fn measure(
    engine: &mut ember::Engine,
    w: &Workload,
    threads: u32,
    rounds: u32,
) -> Result<Row, BenchError> {
    let sentinels = state::set_up(engine, threads > 0)?;
    for step in &w.setup {
        apply(engine, step)?;
    }
    // Each version once before the timed rounds (a warm-up), with the
    // probe's value under each.
    let mut probes = [0i64; 2];
    for (i, probe) in probes.iter_mut().enumerate() {
        if let Some(p) = &w.probe {
            *probe = eval_int(engine, p)?;
        }
        apply(engine, &w.versions[1 - i])?;
    }
    engine.take_notices();

    let before = MemoryPoint::now(engine);
    let mut samples = Samples::default();
    let (mut applied, mut migrated) = (true, 0usize);
    for round in 0..rounds {
        let report = apply(engine, &w.versions[((round + 1) % 2) as usize])?;
        applied &= meets(&report, &w.expect);
        migrated += report.migrated;
        samples.record(&report);
        // As the REPL does: notices do not pile up in the engine.
        engine.take_notices();
    }
    let after = MemoryPoint::now(engine);
    let progress = sentinels.progress_now(engine)?;

    if let Some(p) = &w.probe {
        let last = probes[(rounds % 2) as usize];
        applied &= probes[0] != probes[1] && eval_int(engine, p)? == last;
    }
    let checks: Vec<(Category, &str)> = w.checks.iter().map(|(c, e)| (*c, e.as_str())).collect();
    let (mut preserved, thread, collected) = sentinels.check(engine, &checks, progress)?;
    // A runtime error in a thread nobody joined would be a thread lost.
    if !engine.wait_threads().is_empty() {
        preserved.thread = Some(false);
    }
    Ok(Row {
        key: w.key.clone(),
        operation: w.label.clone(),
        threads,
        rounds,
        phases: samples.summary(),
        memory: before.per_round(&after, rounds),
        migrated_per_round: migrated as f64 / f64::from(rounds),
        applied,
        preserved,
        collected_before_checks: collected,
        thread,
    })
}

/// Apply one version or set-up step; its transaction's report.
fn apply(engine: &mut ember::Engine, step: &Apply) -> Result<TransactionReport, BenchError> {
    match step {
        Apply::Entry(text) => {
            exec(engine, text)?;
            engine
                .last_report()
                .cloned()
                .ok_or_else(|| BenchError::Setup(format!("no report for `{text}`")))
        }
        Apply::Load { name, text } => {
            engine
                .run_source(name, text)
                .map_err(|e| engine_error(name, &e))?;
            engine
                .last_report()
                .cloned()
                .ok_or_else(|| BenchError::Setup(format!("no report for loading {name}")))
        }
        Apply::Define { name, text } => engine
            .prepare_file(name, text)
            // The top-level code is not run (and its `MainRun` dropped).
            .map(|(report, _main)| report)
            .map_err(|e| engine_error(name, &e)),
        Apply::Reload { name, text } => engine
            .reload_source(name, text)
            .map_err(|e| engine_error(name, &e)),
    }
}

/// Whether a round's report shows the change the workload makes.
fn meets(r: &TransactionReport, expect: &Expect) -> bool {
    let changed = |kind: ItemKind, name: &str| {
        r.items
            .iter()
            .any(|i| i.kind == kind && i.name == name && i.change == Change::Changed)
    };
    match expect {
        Expect::Changed(names) => names.iter().all(|n| changed(ItemKind::Fn, n)),
        Expect::OnlyChanged(name) => {
            changed(ItemKind::Fn, name)
                && r.with_change(Change::Unchanged).count() + 1 == r.items.len()
        }
        Expect::Migrated(name, n) => changed(ItemKind::Struct, name) && r.migrated == *n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workload(versions: [&str; 2], probe: Option<&str>) -> Workload {
        Workload {
            key: "k".to_string(),
            label: "k".to_string(),
            setup: vec![Apply::Entry(versions[0].to_string())],
            versions: versions.map(|v| Apply::Entry(v.to_string())),
            expect: Expect::Changed(vec!["f".to_string()]),
            probe: probe.map(str::to_string),
            checks: Vec::new(),
        }
    }

    #[test]
    fn real_changes_are_applied() {
        let w = workload(
            [
                "fn f(x: int) -> int { x + 1 }",
                "fn f(x: int) -> int { x + 2 }",
            ],
            Some("f(1)"),
        );
        for rounds in [1, 2] {
            let row = run(&w, 0, rounds).unwrap();
            assert!(row.applied && row.preserved.all());
            assert!(row.phases.compile.median_ns > 0);
        }
    }

    #[test]
    fn rounds_that_change_nothing_are_not_applied() {
        // The same text twice: every round is reported unchanged.
        let same = "fn f(x: int) -> int { x + 1 }";
        assert!(!run(&workload([same, same], None), 0, 2).unwrap().applied);
        // Different texts, same behaviour: the probe cannot tell them apart.
        let w = workload([same, "fn f(x: int) -> int { 1 + x }"], Some("f(1)"));
        assert!(!run(&w, 0, 2).unwrap().applied);
    }
}

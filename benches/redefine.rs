//! Live redefinition (issue 4, performance): source text → callable
//! through the public API. Every measured iteration is one transaction —
//! `engine.run_entry("<repl>", text)` (parse, check, compile, pause,
//! commit) or `engine.reload_source(..)` — and the texts alternate between
//! two versions, so every iteration is a real change (an identical text is
//! reported "unchanged" and compiles nothing).
//!
//! Groups:
//!
//! - `one_line`: `fn f(x: int) -> int { x + K }`, K alternating 1 / 2;
//! - `twenty_lines`: a 20-line function (locals, `for`, `while`, `if` /
//!   `else if`, a call of a helper defined once), alternating a constant;
//! - `three_functions`: three one-line functions (calling each other) in
//!   one entry, alternating;
//! - `reload_100`: `reload_source("big.em", ..)` of a 100-function file of
//!   which exactly one function differs between the two texts (the whole
//!   file is parsed and checked, one function compiled);
//! - `pause_idle`: only the pause (`last_report().timings.pause`, the time
//!   the world is stopped) of one-line redefinitions, no other thread;
//! - `pause_spinning`: the same while an Ember thread spins in a loop
//!   without calls (`fn spin() { while !stop {} }`), so every pause must
//!   ask it to park at its next back-edge poll and wait for it.
//!   **On this 2-core machine** the bench thread and the spinner already
//!   fill both cores: any third runnable thread (a build, another bench)
//!   can leave the spinner descheduled, still "running" Ember code, when a
//!   pause starts, and then the pause lasts until the scheduler runs it
//!   again (up to a time slice, milliseconds). Its median measures the
//!   safe-point hand-off; its tail measures the machine's load. Back to
//!   back, a pause often finds the spinner still parked from the previous
//!   one (its wake-up takes longer than the next transaction's compile),
//!   and then waits for nobody;
//! - `pause_spinning_1ms`: the same with a 1 ms sleep (not timed) after
//!   each redefinition, so the spinner is running when every pause starts
//!   (closer to a person typing at a REPL).
//!
//! The pause groups use `iter_custom` and report the sum of the pauses, so
//! criterion's "time" is the pause per redefinition. After each group the
//! engine's own statistics (`engine.stats()`: median and p99 per phase,
//! over every transaction of the group, warm-up and set-up included) are
//! printed on standard error: they give the p99 and the phase breakdown that
//! criterion's per-sample means do not.
//!
//! Run: `cargo bench --bench redefine` (about a minute), one group:
//! `cargo bench --bench redefine -- one_line`; `-- --test` runs each once.
//!
//! Memory: `cargo bench --bench redefine -- memory` runs no criterion
//! group but 100,000 one-line redefinitions after a warm-up of 1,000 and
//! prints the resident set's growth per redefinition (`VmRSS` from
//! `/proc/self/status`: the allocator is mimalloc, as in the `ember`
//! binary, so RSS is the practical measure), the code bytes written and
//! reclaimed (`engine.stats()`) and the code memory's figures. Three
//! runs: the definition notices taken after every entry (as the REPL
//! does: `take_notices`), never taken (an embedder that ignores them: they
//! accumulate in the engine), and 100,000 entries that define nothing
//! (`0;`), which separates the cost of an entry from the cost of a new
//! version.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkGroup, Criterion};
use ember::Engine;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The one-line function, version `k` (1 or 2).
fn one_line(k: usize) -> String {
    format!("fn f(x: int) -> int {{ x + {k} }}")
}

/// Defined once, called by the twenty-line function.
const HELPER: &str = "fn helper(a: int, b: int) -> int { if a > b { a - b } else { b - a } }";

/// The twenty-line function, version `k`.
fn twenty_lines(k: usize) -> String {
    format!(
        "fn work(n: int, xs: [int]) -> int {{
    let mut acc = {k};
    let mut halvings = 0;
    for j in 0..n {{
        let x = xs[j % len(xs)];
        if x > j {{
            acc += helper(x, j);
        }} else if j % 3 == 0 {{
            acc -= j * 2;
        }} else {{
            acc = acc ^ (j << 1);
        }}
    }}
    while acc > 1000 {{
        acc = acc / 2;
        halvings += 1;
    }}
    if halvings > 10 {{
        return -1;
    }}
    acc + halvings
}}"
    )
}

/// Three functions in one entry, version `k`.
fn three_functions(k: usize) -> String {
    format!(
        "fn a(x: int) -> int {{ x + {k} }}
fn b(x: int) -> int {{ a(x) * {k} }}
fn c(x: int) -> int {{ b(x) - a(x) + {k} }}"
    )
}

/// A file of 100 five-line functions; `g50`'s constant is `k`, the other
/// 99 are the same in both versions.
fn big_file(k: usize) -> String {
    let mut s = String::new();
    for i in 0..100 {
        let c = if i == 50 { 1000 + k } else { i };
        s.push_str(&format!(
            "fn g{i}(x: int) -> int {{
    let y = x * {c};
    if y > 100 {{ return y - {c}; }}
    y + {c}
}}
"
        ));
    }
    s
}

/// `name(arg)` evaluated as an entry.
fn call(engine: &mut Engine, name: &str, arg: i64) -> i64 {
    let (word, _) = engine
        .run_entry("<repl>", &format!("{name}({arg})"))
        .unwrap_or_else(|e| panic!("{name}({arg}): {e}"))
        .expect("a value");
    word as i64
}

fn entry(engine: &mut Engine, text: &str) {
    if let Err(e) = engine.run_entry("<repl>", text) {
        panic!("{text}: {e}");
    }
}

/// An engine with `f` defined, checked to work in both versions.
fn engine_with_f() -> Engine {
    let mut engine = Engine::new().expect("engine");
    entry(&mut engine, &one_line(2));
    assert_eq!(call(&mut engine, "f", 40), 42);
    entry(&mut engine, &one_line(1));
    assert_eq!(call(&mut engine, "f", 40), 41);
    engine
}

/// The engine's statistics on standard error.
fn print_stats(group: &str, engine: &Engine) {
    let s = engine.stats();
    let mut line = format!("{group}: {} transactions;", s.transactions);
    for (phase, p) in s.phases() {
        line.push_str(&format!(
            " {phase} {:.1}/{:.1}",
            p.median.as_secs_f64() * 1e6,
            p.p99.as_secs_f64() * 1e6
        ));
    }
    let code = engine.shared().code.lock().stats();
    eprintln!(
        "{line} µs (median/p99); code bytes written {}, reclaimed {}; code memory live {} B in {} blocks, free {} B in {} blocks, mapped {} B",
        s.code_bytes_written,
        s.code_bytes_reclaimed,
        code.live,
        code.live_blocks,
        code.free,
        code.free_blocks,
        code.mapped
    );
}

fn configure(group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));
    group.sample_size(50);
}

/// A criterion group timing `run_entry` of texts alternating between
/// `v1` and `v2`.
fn alternating(c: &mut Criterion, name: &str, mut engine: Engine, v1: &str, v2: &str) {
    let mut group = c.benchmark_group(name);
    configure(&mut group);
    let (mut flip, mut ran) = (false, false);
    group.bench_function("run_entry", |b| {
        ran = true;
        b.iter(|| {
            flip = !flip;
            let text = if flip { v2 } else { v1 };
            black_box(engine.run_entry("<repl>", black_box(text)).unwrap());
        })
    });
    group.finish();
    if ran {
        print_stats(name, &engine);
    }
}

fn bench_one_line(c: &mut Criterion) {
    let engine = engine_with_f();
    alternating(c, "one_line", engine, &one_line(1), &one_line(2));
}

fn bench_twenty_lines(c: &mut Criterion) {
    let mut engine = Engine::new().expect("engine");
    entry(&mut engine, HELPER);
    let (v1, v2) = (twenty_lines(1), twenty_lines(2));
    entry(&mut engine, &v2);
    entry(&mut engine, &v1);
    let r = engine
        .run_entry("<repl>", "work(50, [3, 70, 5, 90])")
        .unwrap()
        .expect("a value");
    black_box(r);
    alternating(c, "twenty_lines", engine, &v1, &v2);
}

fn bench_three_functions(c: &mut Criterion) {
    let mut engine = Engine::new().expect("engine");
    let (v1, v2) = (three_functions(1), three_functions(2));
    // c(10) = (10 + k) * k - (10 + k) + k
    entry(&mut engine, &v2);
    assert_eq!(call(&mut engine, "c", 10), 14);
    entry(&mut engine, &v1);
    assert_eq!(call(&mut engine, "c", 10), 1);
    alternating(c, "three_functions", engine, &v1, &v2);
}

fn bench_reload_100(c: &mut Criterion) {
    let mut engine = Engine::new().expect("engine");
    let (v1, v2) = (big_file(1), big_file(2));
    engine.run_source("big.em", &v1).expect("load");
    let r = engine.reload_source("big.em", &v2).expect("reload");
    assert_eq!(r.with_change(ember::Change::Changed).count(), 1, "{r}");
    assert_eq!(r.with_change(ember::Change::Unchanged).count(), 99, "{r}");
    assert_eq!(call(&mut engine, "g50", 0), 1002);
    let mut group = c.benchmark_group("reload_100");
    configure(&mut group);
    let (mut flip, mut ran) = (false, false);
    group.bench_function("reload_source", |b| {
        ran = true;
        b.iter(|| {
            flip = !flip;
            let text = if flip { &v1 } else { &v2 };
            black_box(engine.reload_source("big.em", black_box(text)).unwrap());
        })
    });
    group.finish();
    if ran {
        print_stats("reload_100", &engine);
    }
}

/// A group reporting the pauses of alternating one-line redefinitions,
/// with `gap` of sleep (not timed) after each.
fn pauses(c: &mut Criterion, name: &str, engine: &mut Engine, gap: Option<Duration>) {
    let (v1, v2) = (one_line(1), one_line(2));
    let mut group = c.benchmark_group(name);
    configure(&mut group);
    let (mut flip, mut ran) = (false, false);
    group.bench_function("pause", |b| {
        ran = true;
        b.iter_custom(|iters| {
            let mut sum = Duration::ZERO;
            for _ in 0..iters {
                flip = !flip;
                let text = if flip { &v2 } else { &v1 };
                engine.run_entry("<repl>", text).unwrap();
                sum += engine.last_report().unwrap().timings.pause;
                if let Some(gap) = gap {
                    std::thread::sleep(gap);
                }
            }
            sum
        })
    });
    group.finish();
    if ran {
        print_stats(name, engine);
    }
}

fn bench_pause_idle(c: &mut Criterion) {
    let mut engine = engine_with_f();
    pauses(c, "pause_idle", &mut engine, None);
}

/// A pause group with an Ember thread spinning in `spin()` (a fresh engine,
/// so that its statistics are the group's own).
fn spinning(c: &mut Criterion, name: &str, gap: Option<Duration>) {
    let mut engine = engine_with_f();
    entry(&mut engine, "let mut stop = false;");
    entry(&mut engine, "fn spin() { while !stop {} }");
    entry(&mut engine, "let t = spawn spin();");
    // Let the thread start and enter its loop.
    std::thread::sleep(Duration::from_millis(20));
    pauses(c, name, &mut engine, gap);
    entry(&mut engine, "stop = true;\njoin(t);");
    assert!(engine.wait_threads().is_empty());
}

fn bench_pause_spinning(c: &mut Criterion) {
    spinning(c, "pause_spinning", None);
    spinning(c, "pause_spinning_1ms", Some(Duration::from_millis(1)));
}

/// Resident set size in bytes (`VmRSS`).
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .expect("VmRSS");
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("VmRSS value");
    kb * 1024
}

/// `n` entries from `text(i)` after `warm` of them; prints the resident
/// set's growth per entry (and along the way), and the least-squares slope
/// over 20 checkpoints (RSS grows in steps as the allocator maps memory
/// and large vectors double, so the end-to-end figure alone is noisy).
/// With `drain`, the definition notices are taken after every entry, as
/// the REPL does; without, they pile up in the engine.
fn grow(
    label: &str,
    engine: &mut Engine,
    (warm, n, drain): (usize, usize, bool),
    text: impl Fn(usize) -> String,
) {
    let entry = |engine: &mut Engine, text: &str| {
        entry(engine, text);
        if drain {
            black_box(engine.take_notices());
        }
    };
    for i in 0..warm {
        entry(engine, &text(i));
    }
    let (rss0, written0, reclaimed0) = (
        rss(),
        engine.stats().code_bytes_written,
        engine.stats().code_bytes_reclaimed,
    );
    let started = Instant::now();
    let step = n / 5;
    let mut points = Vec::new();
    for i in 0..n {
        entry(engine, &text(warm + i));
        if (i + 1) % (n / 20) == 0 {
            points.push(((i + 1) as f64, rss() as f64));
        }
        if (i + 1) % step == 0 {
            let grown = rss() as i64 - rss0 as i64;
            eprintln!(
                "  {label}: after {:>7}: RSS {:>6} KiB (+{:>6} KiB, {:>6.1} B/entry)",
                i + 1,
                rss() / 1024,
                grown / 1024,
                grown as f64 / (i + 1) as f64
            );
        }
    }
    let elapsed = started.elapsed();
    let grown = rss() as i64 - rss0 as i64;
    let k = points.len() as f64;
    let (mx, my) = (
        points.iter().map(|p| p.0).sum::<f64>() / k,
        points.iter().map(|p| p.1).sum::<f64>() / k,
    );
    let slope = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>()
        / points.iter().map(|p| (p.0 - mx).powi(2)).sum::<f64>();
    let s = engine.stats();
    let code = engine.shared().code.lock().stats();
    eprintln!(
        "{label}: {n} entries after {warm} warm-up: RSS {} KiB → {} KiB, {:.1} bytes per entry (slope {slope:.1}); {:.1} µs per entry (wall); code bytes written {} (+{}), reclaimed {} (+{}); code memory live {} B in {} blocks, free {} B in {} blocks, mapped {} B",
        rss0 / 1024,
        rss() / 1024,
        grown as f64 / n as f64,
        elapsed.as_secs_f64() * 1e6 / n as f64,
        s.code_bytes_written,
        s.code_bytes_written - written0,
        s.code_bytes_reclaimed,
        s.code_bytes_reclaimed - reclaimed0,
        code.live,
        code.live_blocks,
        code.free,
        code.free_blocks,
        code.mapped
    );
}

/// The memory measurement (`-- memory`): each kind in a process of its own
/// (this executable again, `memory-child KIND`), so that memory one
/// engine freed does not hide or inflate the other's growth.
fn memory() {
    let exe = std::env::current_exe().expect("current_exe");
    for kind in ["redefine", "redefine-keep-notices", "nothing"] {
        let status = std::process::Command::new(&exe)
            .args(["memory-child", kind])
            .status()
            .expect("spawn memory-child");
        assert!(status.success(), "memory-child {kind}: {status}");
    }
}

fn memory_child(kind: &str) {
    let n = 100_000;
    let mut engine = engine_with_f();
    let redefine = |i: usize| one_line(1 + i % 2);
    match kind {
        "redefine" | "redefine-keep-notices" => {
            let (label, drain) = match kind {
                "redefine" => ("one-line redefinitions, notices taken", true),
                _ => ("one-line redefinitions, notices never taken", false),
            };
            grow(label, &mut engine, (1_000, n, drain), redefine);
            let last = call(&mut engine, "f", 40);
            assert!(last == 41 || last == 42);
            print_stats(label, &engine);
        }
        _ => grow(
            "entries defining nothing (`0;`), notices taken",
            &mut engine,
            (1_000, n, true),
            |_| "0;".to_string(),
        ),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "memory-child") {
        memory_child(args.get(i + 1).map_or("redefine", String::as_str));
        return;
    }
    if args.iter().any(|a| a == "memory") {
        memory();
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    bench_one_line(&mut c);
    bench_twenty_lines(&mut c);
    bench_three_functions(&mut c);
    bench_reload_100(&mut c);
    bench_pause_idle(&mut c);
    bench_pause_spinning(&mut c);
    c.final_summary();
}

//! Generated well-typed programs, compiled and run under a time limit
//! (issue 6): the bounded, deterministic version of the fuzz target
//! `fuzz/fuzz_targets/programs.rs`, with the same generator and oracle
//! (`tests/gen/`). Bytes come from fixed seeds instead of libFuzzer.
//!
//! A generated program that does not compile is a generator bug; an error
//! LANGUAGE.md §6 does not list, a panic or a crash is an Ember bug; a run
//! that outlives its time limit by the grace period aborts the test (the
//! oracle prints the program).
//!
//! `EMBER_GEN_SEEDS=N` runs N seeds instead of the default (from
//! `EMBER_GEN_FIRST`, default 0); `EMBER_GEN_SAME=1` runs the first seed's
//! program N times; `EMBER_GEN_TIME_MS` sets the time limit;
//! `EMBER_GEN_SHOW=K` prints the program of seed K and what it did;
//! `EMBER_GEN_VERBOSE=1` prints every program before it runs.

mod gen;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use arbitrary::Unstructured;
use gen::run::{self, Finding, Limits, Outcome};
use gen::{Config, Program};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Seeds run by default (each a fresh engine and program).
const SEEDS: u64 = 150;

/// The program of one seed: up to 4 KiB of seeded bytes for the generator.
fn program(seed: u64) -> Program {
    let mut rng = StdRng::seed_from_u64(seed);
    let len = rng.random_range(64..4096);
    let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
    gen::generate(&mut Unstructured::new(&bytes), &Config::default())
}

fn limits() -> Limits {
    Limits {
        time: Duration::from_millis(env_u64("EMBER_GEN_TIME_MS").unwrap_or(100)),
        grace: Duration::from_secs(20),
        heap: 32 << 20,
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// What the seeds' programs did, for the coverage checks.
#[derive(Default, Debug)]
struct Tally {
    outcomes: BTreeMap<Outcome, usize>,
    /// Programs whose file ran to its end.
    ok: usize,
    /// Programs that spawned threads / were redefined / printed.
    threads: usize,
    redefined: usize,
    printed: usize,
    /// The longest run and its seed.
    slowest: (Duration, u64),
}

#[test]
fn generated_programs_run() {
    if let Some(k) = env_u64("EMBER_GEN_SHOW") {
        let p = program(k);
        println!("{p}");
        println!("=> {:?}", run::run(&p, &limits()));
        return;
    }
    let seeds = env_u64("EMBER_GEN_SEEDS").unwrap_or(SEEDS);
    let verbose = std::env::var_os("EMBER_GEN_VERBOSE").is_some();
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut failures: Vec<(u64, Finding, Program)> = Vec::new();
    let first = env_u64("EMBER_GEN_FIRST").unwrap_or(0);
    // The same program every time: to watch the process's memory across
    // many engines.
    let same = std::env::var_os("EMBER_GEN_SAME").is_some();
    for n in first..first + seeds {
        let seed = if same { first } else { n };
        let p = program(seed);
        if verbose {
            eprintln!("seed {seed}:\n{p}");
        }
        match run::run(&p, &limits()) {
            Ok(report) => {
                for o in report.outcomes() {
                    *tally.outcomes.entry(o).or_default() += 1;
                }
                tally.ok += usize::from(report.main == Outcome::Ok);
                tally.threads += usize::from(p.threads);
                tally.redefined += usize::from(report.redefinition.is_some());
                tally.printed += usize::from(report.output_len > 0);
                tally.slowest = tally.slowest.max((report.elapsed, seed));
            }
            Err(f) => failures.push((seed, f, p)),
        }
    }
    eprintln!("{seeds} programs in {:?}: {tally:?}", started.elapsed());
    if let Some((seed, finding, p)) = failures.first() {
        panic!(
            "{} of {seeds} programs failed; the first, seed {seed}:\n{finding}\nprogram:\n{p}",
            failures.len()
        );
    }
    if seeds < SEEDS || same || first > 0 {
        return;
    }
    // The generator must not degrade into trivial programs: a good share
    // runs to its end, others stop in many different ways.
    assert!(
        tally.ok * 4 >= seeds as usize,
        "too few programs end Ok: {tally:?}"
    );
    for cause in [
        "interrupted",
        "stack overflow",
        "index out of bounds",
        "key not found",
        "unwrap of none",
        "assertion failed",
    ] {
        assert!(
            tally.outcomes.contains_key(&Outcome::Error(cause)),
            "no program ended with `{cause}`: {tally:?}"
        );
    }
    let causes = tally.outcomes.keys().filter(|o| **o != Outcome::Ok).count();
    assert!(
        causes >= 8,
        "only {causes} kinds of runtime error: {tally:?}"
    );
    assert!(
        tally.threads >= 5,
        "too few programs spawn threads: {tally:?}"
    );
    assert!(
        tally.redefined >= 20,
        "too few programs are redefined: {tally:?}"
    );
    assert!(
        tally.printed * 3 >= seeds as usize,
        "too few programs print: {tally:?}"
    );
}

/// Every generated program type-checks: many more seeds than the run
/// above, through the checker only (cheap).
#[test]
fn generated_programs_check() {
    let seeds = env_u64("EMBER_GEN_SEEDS").unwrap_or(SEEDS) * 10;
    for seed in 0..seeds {
        let p = program(seed);
        if let Err(d) = ember::check_source("gen.em", &p.source) {
            panic!(
                "seed {seed} does not compile:\n{}\nprogram:\n{p}",
                d.report(false)
            );
        }
    }
}

/// Found by this generator (issue 6): a block that cannot complete but has
/// a tail expression (`{ break; e }`, `{ return x; e }`, `{ while true {}
/// e }`) is typed `!` by the checker, and the JIT refused a `!` operand of
/// `??`, `if let`, an arithmetic operator or an array literal with an
/// internal error — a well-typed program that did not compile. Fixed in
/// `codegen/expr.rs` (operands up to the diverging one are evaluated, the
/// rest is unreachable); `a && { break; b }` is now `bool` (the checker
/// typed it `!`, though `a` can decide it). Each program must run to its
/// end or, for the one that loops, be stopped by the time limit.
#[test]
fn diverging_block_operands_compile() {
    let programs = [
        ("while true { let x = ({ break; get([1: 2], 1) }) ?? 3; }", "ok"),
        (
            "fn f() -> int { ({ return 1; get([1: 2], 1) }) ?? 3 }\nprintln(f());",
            "1\n",
        ),
        (
            "while true { if let v = ({ break; get([1: 2], 1) }) { println(v); } }",
            "ok",
        ),
        ("while true { let x = ({ break; 1 }); println(x + 1); }", "ok"),
        ("while true { let x = { while true { } 1 } + 2; }", "interrupted"),
        ("while true { let x = { break; 1 }; let y = [x]; println(y); }", "ok"),
        (
            "fn g(a: bool) -> str { let mut s = \"\"; while true { let b: bool = a && { break; true }; s = str(b); break; } s }\nprintln(g(false));\nprintln(g(true));",
            "false\n\n",
        ),
    ];
    let mut failed = Vec::new();
    for (src, want) in programs {
        let mut engine = ember::Engine::new().expect("engine");
        engine.capture_output(true);
        engine.set_time_limit(Some(std::time::Duration::from_millis(200)));
        let got = match engine.run_source("t.em", src) {
            Ok(_) if want == "ok" && engine.take_output().is_empty() => continue,
            Ok(_) => engine.take_output(),
            Err(ember::Error::Runtime(e)) if e.message == "interrupted" => "interrupted".into(),
            Err(e) => format!("{e}"),
        };
        if got != want {
            failed.push(format!("{src}\n  => {got:?}, expected {want:?}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// Found by this generator (issue 6, seed 372 with `EMBER_GEN_SEEDS=600`):
/// when the heap was full of live data, compiling a definition with a new
/// string literal panicked in the engine (`literal allocation: out of
/// memory`). Literals are now immortal strings outside the collected heap
/// (`Heap::static_str`).
#[test]
fn literal_allocation_with_a_full_heap() {
    let config = ember::HeapConfig {
        limit: 8 << 20,
        min_threshold: 1 << 20,
        ..ember::HeapConfig::default()
    };
    let mut engine = ember::Engine::builder()
        .heap_config(config)
        .build()
        .expect("engine");
    engine.capture_output(true);
    let fill = "let mut keep: [str] = [];\nwhile true { keep.push(str(len(keep)) + \"-some-padding-text\"); }";
    match engine.run_source("fill.em", fill) {
        Err(ember::Error::Runtime(e)) => assert_eq!(e.message, "out of memory"),
        other => panic!("expected out of memory, got {other:?}"),
    }
    // The heap is still full (`keep` holds it). A new definition with a
    // new literal must compile, or fail with an error — never panic.
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        engine.run_entry("<repl>", "fn f() -> str { \"a literal not seen before\" }")
    }));
    let r = r.expect("the engine panicked");
    r.expect("the definition compiles");
    // Calling it allocates nothing: the literal comes back.
    engine.capture_output(true);
    engine
        .run_entry("<repl>", "println(f());")
        .expect("runs with a full heap");
    assert_eq!(engine.take_output(), "a literal not seen before\n");
}

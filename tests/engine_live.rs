//! Top-level code running outside the engine (`prepare_file` +
//! `MainRun`, as `ember run --watch` does) while the engine applies
//! reloads: changes that would break the running code are refused, items
//! it uses are kept, state is shared.

use std::time::{Duration, Instant};

const V1: &str = "
let mut stop = false;
let mut n = 0;
fn step() -> int { 1 }
fn helper() -> int { 0 }
while !stop { n += step() + helper(); }
";

/// The signature of `step` changes (and the loop's call with it): the
/// running loop is old code calling the old signature.
const V2_SIGNATURE: &str = "
let mut stop = false;
let mut n = 0;
fn step(k: int) -> int { k }
fn helper() -> int { 0 }
while !stop { n += step(1) + helper(); }
";

/// `helper` is gone from the file, but the running loop still calls it.
const V3_REMOVED: &str = "
let mut stop = false;
let mut n = 0;
fn step() -> int { 2 }
while !stop { n += step(); }
";

#[test]
fn reloads_do_not_break_running_top_level_code() {
    let mut engine = ember::Engine::new().expect("engine");
    let (_, main) = engine.prepare_file("live.em", V1).expect("prepare");
    let main = main.expect("top-level code");
    let runner = std::thread::spawn(move || main.run().map(|_| ()));
    // Wait until the loop runs (until then, reading `n` may fail: the
    // top-level code has not initialized it yet).
    let started = Instant::now();
    loop {
        if let Ok(Some((n, _))) = engine.run_entry("<repl>", "n") {
            if n > 0 {
                break;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "loop never ran"
        );
        std::thread::sleep(Duration::from_millis(5));
    }

    let e = engine
        .reload_source("live.em", V2_SIGNATURE)
        .expect_err("refused");
    let text = ember::report_error(&e);
    assert!(text.contains("error[E0406]: cannot change the signature of `step`: the top-level code of live.em is running and calls it"), "{text}");

    let report = engine.reload_source("live.em", V3_REMOVED).expect("reload");
    let kept: Vec<_> = report.with_change(ember::Change::Kept).collect();
    assert_eq!(kept.len(), 1, "{report}");
    assert_eq!(kept[0].name, "helper");
    assert!(
        report
            .to_string()
            .contains("still used by the running top-level code of live.em"),
        "{report}"
    );
    // The loop now adds 2 per step: n keeps growing, by the new body.
    let before = engine.run_entry("<repl>", "n").unwrap().unwrap().0;
    std::thread::sleep(Duration::from_millis(20));
    let after = engine.run_entry("<repl>", "n").unwrap().unwrap().0;
    assert!(after > before, "{before} -> {after}");

    engine.run_entry("<repl>", "stop = true;").expect("stop");
    runner.join().expect("no panic").expect("no runtime error");
    // Once it has ended, the same change is accepted.
    engine
        .reload_source("live.em", V2_SIGNATURE)
        .expect("accepted once the top-level code has ended");
}

/// A redefinition is installed at the quick tier and replaced by optimized
/// code in the background; calls give the same results before and after,
/// and the quick body is reclaimed by a later transaction.
#[test]
fn redefinitions_tier_up_in_the_background() {
    let mut engine = ember::Engine::new().expect("engine");
    let tiered = |e: &ember::Engine| {
        e.shared()
            .tiered_up
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    engine
        .run_entry(
            "<repl>",
            "fn fib(n: int) -> int { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }",
        )
        .expect("define");
    let quick = engine.run_entry("<repl>", "fib(20)").unwrap().unwrap().0;
    let started = Instant::now();
    while tiered(&engine) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never tiered up"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let optimized = engine.run_entry("<repl>", "fib(20)").unwrap().unwrap().0;
    assert_eq!((quick, optimized), (6765, 6765));
    // The next transaction's pause frees the retired quick body: one body
    // of `fib` is left.
    engine.run_entry("<repl>", "fn other() {}").expect("define");
    let bodies = engine
        .shared()
        .registry
        .read()
        .functions()
        .filter(|f| f.name == "fib")
        .count();
    assert_eq!(bodies, 1);
}

static CALLBACK: std::sync::OnceLock<ember_jit::FnHandle> = std::sync::OnceLock::new();

/// A host function that calls back into Ember (a nested entry).
extern "C" fn host_twice(_ctx: *mut ember_jit::runtime::ctx::ThreadCtx, x: i64) -> i64 {
    let f = CALLBACK.get().expect("callback set");
    f.call_words(&[x as u64]).map_or(-1, |w| w as i64)
}

/// Ember → host → Ember on one thread, with collections running inside
/// the inner entry: references held only by the outer Ember frames must
/// survive (stack walks cover every segment), and the nested call uses
/// the running context (a second one would deadlock a stop of the world).
#[test]
fn host_function_calling_back_into_ember_under_gc() {
    let config = ember::HeapConfig {
        min_threshold: 64 << 10,
        growth: 0.25,
        ..ember::HeapConfig::default()
    };
    let mut engine = ember::Engine::builder()
        .heap_config(config)
        .build()
        .expect("engine");
    let ty = ember::lang::FnType {
        params: vec![ember::lang::Type::Int],
        ret: ember::lang::Type::Int,
    };
    // SAFETY: `host_twice` has the signature RUNTIME.md gives for
    // `fn(int) -> int`.
    unsafe { engine.register_host("twice", ty, host_twice as *const () as usize) }
        .expect("register");
    engine
        .run_entry(
            "<repl>",
            r#"
fn inner(x: int) -> int {
    let mut junk: [str] = [];
    for i in 0..200 { junk.push("junk " + str(i)); }
    x * 2
}
fn outer(n: int) -> int {
    let keep = ["kept " + str(n), "also " + str(n * 3)];
    let r = twice(n);
    assert(keep[0] == "kept " + str(n) && keep[1] == "also " + str(n * 3), "lost a reference");
    r
}
"#,
        )
        .expect("define");
    let _ = CALLBACK.set(engine.function_handle("inner").expect("handle"));
    let (w, _) = engine
        .run_entry(
            "<repl>",
            "let mut total = 0;\nfor n in 0..300 { total += outer(n); }\ntotal",
        )
        .expect("no error")
        .expect("value");
    assert_eq!(w as i64, (0..300).map(|n| 2 * n).sum::<i64>());
    assert!(engine.shared().heap.stats().collections > 5);
}

/// The optimizer swaps a function's optimized body in only if the slot
/// still holds the quick body it was compiled from — the same body, not
/// just the same address (code memory is reused, so a newer version's
/// quick body can sit where an older one was; `live/tierup.rs`). Busy
/// threads compete with the optimizer, versions settle long enough for it
/// to take them, then come in bursts: every call must run the newest
/// version, and so must the last one once the optimizer is done. (The
/// address reuse it guards against is rare; this checks the property, it
/// does not force the reuse.)
#[test]
fn tier_up_never_installs_an_older_version() {
    let mut engine = ember::Engine::new().expect("engine");
    engine
        .run_entry("<repl>", "fn v() -> int { 0 }")
        .expect("define");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let busy: Vec<_> = (0..2)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            })
        })
        .collect();
    let mut i = 0u64;
    for round in 0..120u64 {
        std::thread::sleep(Duration::from_micros(2000 + (round % 5) * 500));
        for _ in 0..12 {
            i += 1;
            engine
                .run_entry("<repl>", &format!("fn v() -> int {{ {i} }}"))
                .expect("redefine");
            let got = engine.call("v", &[]).expect("call");
            assert_eq!(got, i, "an older version of `v` is running");
        }
    }
    // Once the optimizer has had its time, the newest version still runs.
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(engine.call("v", &[]).expect("call"), i);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for b in busy {
        b.join().unwrap();
    }
}

//! Redefinition under concurrent calls: two host threads call `f` in tight
//! loops (through `FnHandle`, each with its own thread context) while the
//! main thread redefines `f` again and again, alternating two bodies.
//! Every result must be one of the two versions' answers; nothing may
//! crash; the callers must see both versions; it must finish.
//!
//! `EMBER_STRESS_REDEFINITIONS` sets the number of redefinitions (default
//! 100,000, the figure).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;

fn redefinitions() -> u64 {
    std::env::var("EMBER_STRESS_REDEFINITIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

#[test]
fn two_callers_while_f_is_redefined_alternately() {
    let mut engine = ember::Engine::new().expect("engine");
    // Allocation in the bodies keeps the collector busy too.
    let v1 = "fn f(x: int) -> int { let s = str(x); len(s) * 0 + x + 1 }";
    let v2 = "fn f(x: int) -> int { let a = [x, x]; a[0] + 2 }";
    engine.run_entry("<stress>", v1).expect("define f");
    let f = engine.function_handle("f").expect("handle");
    let stop = Arc::new(AtomicBool::new(false));
    let mut callers = Vec::new();
    for t in 0..2u64 {
        let (f, stop) = (f.clone(), stop.clone());
        callers.push(thread::spawn(move || {
            let (mut calls, mut saw1, mut saw2) = (0u64, 0u64, 0u64);
            let mut x = t * 1_000_000;
            while !stop.load(Ordering::Relaxed) {
                let r = f.call_words(&[x]).expect("call f") as i64;
                match r - x as i64 {
                    1 => saw1 += 1,
                    2 => saw2 += 1,
                    d => panic!("f({x}) = {r}: not a result of either version (diff {d})"),
                }
                calls += 1;
                x += 1;
            }
            (calls, saw1, saw2)
        }));
    }
    let n = redefinitions();
    let done = AtomicU64::new(0);
    for i in 0..n {
        let body = if i % 2 == 0 { v2 } else { v1 };
        engine.run_entry("<stress>", body).expect("redefine f");
        done.fetch_add(1, Ordering::Relaxed);
    }
    stop.store(true, Ordering::Relaxed);
    let mut total = 0;
    for c in callers {
        let (calls, saw1, saw2) = c.join().expect("caller thread");
        assert!(calls > 0 && saw1 > 0 && saw2 > 0, "{calls} {saw1} {saw2}");
        total += calls;
    }
    assert_eq!(done.load(Ordering::Relaxed), n);
    let stats = engine.stats();
    assert_eq!(stats.transactions, n + 1);
    eprintln!(
        "{n} redefinitions, {total} calls; code written {} B, reclaimed {} B",
        stats.code_bytes_written, stats.code_bytes_reclaimed
    );
    // Old bodies (quick and optimized tiers alike) are reclaimed: the code
    // left is the helpers plus at most a few versions of `f`.
    let code = engine.code_stats();
    assert!(code.live < 64 * 1024, "{code:?}");
}

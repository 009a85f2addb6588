//! Two Ember threads run `work` in allocation-heavy loops while the main
//! thread redefines `work` 10,000 times (alternating two bodies) and
//! collections run all the while: every result must come from one of the
//! two versions (checked in Ember with `assert`; a failure would end the
//! thread with an error that `join` raises), both threads must see both
//! versions, the collector must have run, and nothing may crash.
//!
//! `EMBER_STRESS_REDEFINITIONS` sets the number of redefinitions (default
//! 10,000, the issue's figure).

use ember::HeapConfig;

const SETUP: &str = r#"
let mut stop = false;
let counts: chan[int] = chan();
fn work(x: int) -> int { x + 1 }
fn worker(id: int) {
    let mut n = 0;
    let mut saw1 = 0;
    let mut saw2 = 0;
    let mut keep: [str] = [];
    while !stop {
        let r = work(n);
        let d = r - n;
        assert(d == 1 || d == 2, "work(" + str(n) + ") = " + str(r));
        if d == 1 { saw1 += 1; } else { saw2 += 1; }
        keep.push("item " + str(r) + " of worker " + str(id));
        if len(keep) > 200 { keep = []; }
        n += 1;
    }
    send(counts, n);
    send(counts, saw1);
    send(counts, saw2);
}
let t1 = spawn worker(1);
let t2 = spawn worker(2);
"#;

fn redefinitions() -> usize {
    std::env::var("EMBER_STRESS_REDEFINITIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

#[test]
fn two_ember_threads_while_work_is_redefined_under_gc_pressure() {
    // Collect often: after every 256 KiB allocated.
    let config = HeapConfig {
        min_threshold: 256 << 10,
        growth: 0.5,
        ..HeapConfig::default()
    };
    let mut engine = ember::Engine::builder()
        .heap_config(config)
        .build()
        .expect("engine");
    engine.run_entry("<stress>", SETUP).expect("setup");
    let bodies = [
        "fn work(x: int) -> int { let s = str(x); len(s) * 0 + x + 2 }",
        "fn work(x: int) -> int { x + 1 }",
    ];
    let n = redefinitions();
    for i in 0..n {
        engine
            .run_entry("<stress>", bodies[i % 2])
            .expect("redefine work");
        if i % 1000 == 999 {
            // Allocation on this thread too.
            engine
                .run_entry("<stress>", "let junk = [str(1), str(2), str(3)];")
                .expect("allocate");
        }
    }
    engine.run_entry("<stress>", "stop = true;").expect("stop");
    let mut seen = Vec::new();
    for _ in 0..6 {
        let (w, _) = engine
            .run_entry("<stress>", "recv(counts)")
            .expect("recv")
            .expect("value");
        seen.push(w as i64);
    }
    // Joining raises a worker's failed `assert`, if any.
    engine
        .run_entry("<stress>", "join(t1); join(t2);")
        .expect("both workers ran without error");
    for w in seen.chunks(3) {
        let (calls, saw1, saw2) = (w[0], w[1], w[2]);
        assert_eq!(calls, saw1 + saw2, "{seen:?}");
        assert!(
            saw1 > 0 && saw2 > 0,
            "each worker saw both versions: {seen:?}"
        );
    }
    let heap = engine.shared().heap.stats();
    assert!(heap.collections > 10, "{heap:?}");
    eprintln!(
        "{n} redefinitions; worker results {seen:?}; {} collections, max pause {:?}",
        heap.collections, heap.max_pause
    );
}

/// A collection requested while the only running thread then blocks (here:
/// in `join`) must be carried out by a thread spawned afterwards: before
/// the fix the new thread never heard of the request, never collected,
/// and ran out of memory with almost nothing live.
#[test]
fn a_thread_spawned_while_a_collection_is_pending_collects() {
    let config = HeapConfig {
        limit: 64 << 20,
        min_threshold: 1 << 20,
        ..HeapConfig::default()
    };
    let mut engine = ember::Engine::builder()
        .heap_config(config)
        .build()
        .expect("engine");
    let lit = "k".repeat(66);
    let program = format!(
        r#"
fn churn(n: int) -> int {{
    let mut total = 0;
    for i in 0..n {{
        let s = "{lit}" + str(i);
        total += len(s);
    }}
    total
}}
let filler = [0; 200000];
let out: chan[int] = chan();
fn run(n: int) {{ send(out, churn(n)); }}
let t = spawn run(600000);
join(t);
recv(out)
"#
    );
    let (w, _) = engine
        .run_entry("<repl>", &program)
        .expect("no out of memory")
        .expect("value");
    let expected: i64 = (0..600000i64)
        .map(|i| (lit.len() + i.to_string().len()) as i64)
        .sum();
    assert_eq!(w as i64, expected);
    assert!(engine.shared().heap.stats().collections > 0);
}

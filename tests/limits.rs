//! Per-call time limits (`Engine::set_time_limit`): every way Ember code
//! can keep a call busy — a call-free loop, deep call chains, blocking in
//! `recv`, `join` or `sleep` — ends with `interrupted` soon after the
//! limit, and the engine (and the same thread) runs Ember code again.

use std::time::{Duration, Instant};

use ember::{Engine, Error};

const LIMIT: Duration = Duration::from_millis(100);
/// Generous: the machines are shared and noisy; the point is that the
/// call ends, not how promptly.
const GRACE: Duration = Duration::from_secs(5);

fn limited() -> Engine {
    let mut e = Engine::new().expect("engine");
    e.capture_output(true);
    e.set_time_limit(Some(LIMIT));
    e
}

/// Run `src` as a file; assert it ends with `interrupted` between the
/// limit and the limit plus grace, with a stack naming `at`.
fn assert_times_out(e: &mut Engine, name: &str, src: &str, at: &str) {
    let t = Instant::now();
    let r = e.run_source(name, src);
    let took = t.elapsed();
    match r {
        Err(Error::Runtime(err)) => {
            assert_eq!(err.message, "interrupted", "{err}");
            let text = err.to_string();
            assert!(text.contains(at), "stack should name {at}:\n{text}");
        }
        other => panic!("expected `interrupted`, got {other:?}"),
    }
    assert!(took >= LIMIT, "stopped before the limit: {took:?}");
    assert!(took < LIMIT + GRACE, "stopped too late: {took:?}");
}

#[test]
fn call_free_loop_is_stopped() {
    let mut e = limited();
    assert_times_out(
        &mut e,
        "spin.em",
        "fn spin() { let mut i = 0; while true { i += 1; } }\nspin();",
        "at spin (spin.em:1:",
    );
    // The same engine and thread go on.
    e.run_source("after.em", "println(\"still here\");")
        .unwrap();
    assert_eq!(e.take_output(), "still here\n");
}

#[test]
fn recursion_heavy_code_is_stopped() {
    let mut e = limited();
    assert_times_out(
        &mut e,
        "fib.em",
        "fn fib(n: int) -> int { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }\nprintln(fib(60));",
        "at fib (fib.em:1:",
    );
}

#[test]
fn blocking_calls_are_stopped() {
    let mut e = limited();
    assert_times_out(
        &mut e,
        "recv.em",
        "let ch: chan[int] = chan();\nfn wait() -> int { recv(ch) }\nwait();",
        "at wait (recv.em:2:",
    );
    assert_times_out(
        &mut e,
        "join.em",
        "fn forever() { while true { sleep(1); } }\nfn wait() { let t = spawn forever(); join(t); }\nwait();",
        "at wait (join.em:2:",
    );
    assert_times_out(
        &mut e,
        "sleep.em",
        "fn nap() { sleep(60000); }\nnap();",
        "at nap (sleep.em:1:",
    );
    // The thread `join` waited for still runs: stop it.
    e.interrupt_handle().interrupt();
    e.wait_threads();
}

#[test]
fn fast_calls_are_unaffected_and_the_limit_can_be_lifted() {
    let mut e = limited();
    e.run_source(
        "quick.em",
        "fn sum(n: int) -> int { let mut s = 0; for i in 0..n { s += i; } s }",
    )
    .unwrap();
    for _ in 0..200 {
        assert_eq!(e.call("sum", &[1000]).unwrap(), 499500);
    }
    assert_eq!(e.time_limit(), Some(LIMIT));
    e.set_time_limit(None);
    assert_eq!(e.time_limit(), None);
    // Longer than the old limit, and fine now.
    e.run_source("slow.em", "sleep(300);").unwrap();
}

#[test]
fn handles_called_from_other_threads_are_limited() {
    let mut e = limited();
    e.run_source(
        "h.em",
        "fn spin(n: int) -> int { let mut i = 0; while i >= 0 { i += n; } i }",
    )
    .unwrap();
    let h = e.function_handle("spin").unwrap();
    let t = Instant::now();
    let r = std::thread::spawn(move || h.call_words(&[0]))
        .join()
        .unwrap();
    let err = r.expect_err("spin never ends");
    assert_eq!(err.message, "interrupted");
    assert!(t.elapsed() < LIMIT + GRACE);
}

#[test]
fn a_limit_fires_on_the_right_call_only() {
    // Many short limited calls in a row: a deadline armed for one call
    // must never interrupt a later one.
    let mut e = Engine::new().unwrap();
    e.set_time_limit(Some(Duration::from_millis(20)));
    e.run_source(
        "w.em",
        "fn work() -> int { let mut s = 0; for i in 0..20000 { s += i % 7; } s }",
    )
    .unwrap();
    let want = e.call("work", &[]).unwrap();
    for _ in 0..2000 {
        assert_eq!(e.call("work", &[]).unwrap(), want);
    }
}

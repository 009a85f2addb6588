//! The embedding API's call costs (issue 7), criterion:
//!
//! * `host_to_ember/trivial`: a typed [`ember::Function`] call of
//!   `fn id(x: int) -> int { x }` from Rust (goal: ≤ 20 ns);
//! * `host_to_ember/str_arg`: the same with a `&str` argument (a string
//!   allocated on the Ember heap per call) and an `int` result;
//! * `ember_to_host/registered_fn`: one iteration of an Ember loop calling
//!   a registered closure `|x: i64| x + 1` (per call: the loop's time / N);
//! * `ember_to_host/ember_fn`: the same loop calling an Ember function
//!   instead, the baseline for `register_fn`'s overhead;
//! * `ember_to_host/registered_str`: a closure taking `&str` (copied to a
//!   Rust `String` per call) returning its length.
//!
//! `cargo bench --bench embed`

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

const LOOP: i64 = 100_000;

fn host_to_ember(c: &mut Criterion) {
    let mut engine = ember::Engine::new().expect("engine");
    engine
        .run_source(
            "b.em",
            "fn id(x: int) -> int { x }\nfn slen(s: str) -> int { len(s) }",
        )
        .expect("program");
    let id = engine.function::<(i64,), i64>("id").expect("id");
    let slen = engine.function::<(&str,), i64>("slen").expect("slen");
    let mut g = c.benchmark_group("host_to_ember");
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("trivial", |b| {
        let mut i = 0;
        b.iter(|| {
            i += 1;
            id.call((std::hint::black_box(i),)).unwrap()
        })
    });
    g.bench_function("str_arg", |b| {
        b.iter(|| slen.call((std::hint::black_box("hello, ember"),)).unwrap())
    });
    g.finish();
}

fn ember_to_host(c: &mut Criterion) {
    let mut engine = ember::Engine::new().expect("engine");
    engine
        .register_fn("inc_host", |x: i64| x + 1)
        .expect("inc_host");
    engine
        .register_fn("len_host", |s: &str| s.len() as i64)
        .expect("len_host");
    engine
        .run_source(
            "b.em",
            "fn inc_ember(x: int) -> int { x + 1 }\n\
             fn loop_host(n: int) -> int { let mut s = 0; for i in 0..n { s = inc_host(s); } s }\n\
             fn loop_ember(n: int) -> int { let mut s = 0; for i in 0..n { s = inc_ember(s); } s }\n\
             fn loop_str(n: int) -> int { let mut s = 0; for i in 0..n { s += len_host(\"hello, ember\"); } s }",
        )
        .expect("program");
    let loops = [
        ("registered_fn", "loop_host"),
        ("ember_fn", "loop_ember"),
        ("registered_str", "loop_str"),
    ];
    let mut g = c.benchmark_group("ember_to_host");
    g.measurement_time(Duration::from_secs(3));
    for (label, name) in loops {
        let f = engine.function::<(i64,), i64>(name).expect(name);
        // Per call: criterion's time per iteration / LOOP.
        g.bench_function(format!("{label} (x{LOOP})"), |b| {
            b.iter_batched(|| LOOP, |n| f.call((n,)).unwrap(), BatchSize::SmallInput)
        });
    }
    g.finish();
}

criterion_group!(benches, host_to_ember, ember_to_host);
criterion_main!(benches);

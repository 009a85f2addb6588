//! Threads (issue 5, performance): what `spawn`/`join`, channels, a
//! redefinition's pause and the collector cost when Ember threads run.
//! Every Ember figure is taken through the public API
//! (`engine.run_entry("<repl>", ..)`, `engine.last_report()`,
//! `engine.shared().heap.stats()`); every group with a Rust baseline runs
//! it in the same process, right after the Ember figure, for a ratio.
//!
//! Groups:
//!
//! - `spawn_join`: one `let t = spawn noop(); join(t);` of an empty Ember
//!   function. A criterion iteration is one spawn + join; `iter_custom`
//!   runs them in entries `spawn_join(1000);` (a loop in an Ember function
//!   defined once) plus one entry for the remainder, and the time includes
//!   those entries (parse, check, compile and run of a one-call `<main>`:
//!   its cost, measured on an entry `spawn_join(0);`, is printed on
//!   standard error and is ~0.1 % of a batch). Baselines:
//!   `std::thread::spawn(|| {}).join()` (`rust_std`, 2 MiB stacks) and
//!   the same with the 64 MiB stack Ember gives every spawned thread
//!   (`rust_64mib`, `std::thread::Builder::stack_size`). A stack over
//!   glibc's stack cache (40 MiB by default) is never reused: every such
//!   spawn maps a fresh stack and faults its pages in, and that, not
//!   Ember's own work, is most of the difference from `rust_std`
//!   (`GLIBC_TUNABLES=glibc.pthread.stack_cache_size=1073741824` makes
//!   `rust_64mib` as fast as `rust_std`; BENCHMARKS.md, Threads).
//! - `channel_round_trip`: ping-pong over two `chan[int]` between the
//!   entry's thread and an Ember thread spawned once (`pong`: `recv` from
//!   `a`, `send` to `b`, until a negative value). A criterion iteration is
//!   one round trip; entries `ping(1000);` as above. Baselines in Rust, a
//!   thread spawned per sample (outside the timed part): `rust_mpsc`
//!   (`std::sync::mpsc`, which spins briefly before it sleeps) and
//!   `rust_mutex_condvar` (a `Mutex<VecDeque>` + `Condvar` queue that
//!   sleeps at once: the design of Ember's channels, without the parking
//!   protocol). The figure depends on where the scheduler puts the two
//!   threads: on one core a round trip is two context switches; on two, a
//!   receiver that went to sleep is woken on the other (virtual) CPU,
//!   which costs about ten times more on this VM. Criterion's samples are
//!   then bimodal and its median says which case won; the spread of the
//!   per-entry figures printed on standard error shows both.
//!   Under `taskset -c 0` only the one-core case is measured.
//! - `pause_with_threads`: the pause of alternating one-line redefinitions
//!   (`engine.last_report().unwrap().timings.pause`, the time the world is
//!   stopped) with 0, 1 and 2 Ember threads spinning in a call-free loop
//!   (`fn spin() { while !stop {} }`, `stop` a global), back to back
//!   (`spinN`) and with a 1 ms sleep (not timed) after each redefinition
//!   (`spinN_1ms`, like `pause_spinning_1ms` of `benches/redefine.rs`).
//!   Criterion's time is the pause per redefinition (sum of pauses /
//!   iterations); every pause of a group (warm-up included) is also kept
//!   and its median, p90, p99 and maximum printed on standard error,
//!   because the tail is the point here.
//!   **Oversubscription.** This machine has 2 cores. With 2 spinners and
//!   the redefining thread, 3 threads want 2 cores, so at any moment one
//!   of them is on a run queue and not on a CPU. When the redefining
//!   thread starts a pause, a spinner that is on a CPU reaches its next
//!   back-edge poll within nanoseconds, but one that is waiting for a CPU
//!   cannot park before the scheduler runs it again. With the 1 ms sleep
//!   both spinners own both cores when the redefining thread wakes, so it
//!   preempts one of them and every pause starts with a spinner off the
//!   CPU, most likely queued on the redefining thread's own CPU. That
//!   thread first spins (`Shared::wait_all_stopped`: 2,000 checks, about
//!   50–60 µs here) and only then sleeps and lets the spinner run, so the
//!   median pause of `spin2_1ms` is about that spin plus a wake-up (about
//!   0.1 ms, against a few µs with one spinner), and the pauses whose
//!   spinner waits for a scheduler tick (4 ms here) or for another
//!   process make the p99. Back to back, the spinners are often still
//!   parked (or waking) from the previous pause and the pause waits for
//!   nobody, which flatters `spin1` and `spin2`.
//! - `gc_pause_binary_trees`: `benches/programs/binary_trees.em`
//!   (binary-trees, depth 16) in a fresh engine, output captured: on the
//!   entry's thread (`main_thread`), and as two Ember threads running it
//!   at depth 15 each at the same time (`two_threads`; both allocate, each
//!   collection stops both). Criterion's time is the wall time of one run.
//!   The collector's figures come from `HeapStats` (`engine.shared().heap
//!   .stats()`: number of collections, total, maximum and last pause):
//!   a host thread samples `last_pause` every 200 µs (it blocks on the
//!   heap lock while a collection runs, so it sees each one; missed ones
//!   are counted and reported) to give the per-collection median and p99,
//!   printed on standard error with collections per run and the share of
//!   the run spent collecting. **What it does not include:** `HeapStats`
//!   times mark + sweep inside `Heap::collect`; bringing the other threads
//!   to their safe points, reading the root slots and waking them again
//!   (`Shared::safepoint`) are outside it, so the world is stopped
//!   somewhat longer than these figures say.
//!
//! Run: `cargo bench --bench threads` (about three minutes); one group:
//! `cargo bench --bench threads -- spawn_join`; `-- --test` runs each once.

use std::collections::VecDeque;
use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode};
use ember::Engine;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Spawns + joins (or round trips) per entry.
const BATCH: u64 = 1000;

fn entry(engine: &mut Engine, text: &str) {
    if let Err(e) = engine.run_entry("<repl>", text) {
        panic!("{text}: {e}");
    }
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>, measure: u64, samples: usize) {
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(measure));
    group.sample_size(samples);
}

/// Run `iters` calls' worth of `name(k)` in entries of at most `BATCH`;
/// the wall time of all of them. The time per operation of every full
/// batch goes to `per_op` (the distribution criterion's per-sample means
/// hide).
fn batched(engine: &mut Engine, name: &str, iters: u64, per_op: &mut Vec<Duration>) -> Duration {
    let start = Instant::now();
    let mut left = iters;
    while left > 0 {
        let k = left.min(BATCH);
        let t = Instant::now();
        entry(engine, &format!("{name}({k});"));
        if k == BATCH {
            per_op.push(t.elapsed() / BATCH as u32);
        }
        left -= k;
    }
    start.elapsed()
}

/// Median wall time of `n` entries `name(0);` (the per-entry overhead in
/// the batched groups).
fn entry_overhead(engine: &mut Engine, name: &str, n: usize) -> Duration {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let start = Instant::now();
            entry(engine, &format!("{name}(0);"));
            start.elapsed()
        })
        .collect();
    times.sort();
    times[n / 2]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// `q`-quantile (nearest rank) of sorted `v`.
fn quantile(v: &[Duration], q: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    let i = ((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1;
    v[i]
}

fn summary(v: &mut [Duration]) -> String {
    v.sort();
    format!(
        "n {}, median {:.1}, p90 {:.1}, p99 {:.1}, max {:.1} µs",
        v.len(),
        micros(quantile(v, 0.5)),
        micros(quantile(v, 0.9)),
        micros(quantile(v, 0.99)),
        micros(v.last().copied().unwrap_or_default())
    )
}

// ---- spawn_join -------------------------------------------------------------------------

fn bench_spawn_join(c: &mut Criterion) {
    let mut engine = Engine::new().expect("engine");
    entry(&mut engine, "fn noop() {}");
    entry(
        &mut engine,
        "fn spawn_join(k: int) { for i in 0..k { let t = spawn noop(); join(t); } }",
    );
    entry(&mut engine, "spawn_join(10);");
    assert!(engine.wait_threads().is_empty());
    let overhead = entry_overhead(&mut engine, "spawn_join", 201);

    let mut group = c.benchmark_group("spawn_join");
    configure(&mut group, 4, 30);
    let mut per_op = Vec::new();
    group.bench_function("ember", |b| {
        b.iter_custom(|iters| {
            let t = batched(&mut engine, "spawn_join", iters, &mut per_op);
            // Joined tasks stay in the engine's task list until
            // `wait_threads` (not timed).
            assert!(engine.wait_threads().is_empty());
            t
        })
    });
    group.bench_function("rust_std", |b| {
        b.iter(|| std::thread::spawn(|| {}).join().unwrap())
    });
    group.bench_function("rust_64mib", |b| {
        b.iter(|| {
            std::thread::Builder::new()
                .stack_size(64 << 20)
                .spawn(|| {})
                .unwrap()
                .join()
                .unwrap()
        })
    });
    group.finish();
    if !per_op.is_empty() {
        eprintln!(
            "spawn_join/ember: per spawn + join, by entry of {BATCH}: {}; entry `spawn_join(0);` takes {:.1} µs (median of 201)",
            summary(&mut per_op),
            micros(overhead)
        );
    }
}

// ---- channel_round_trip -----------------------------------------------------------------

fn rust_mpsc(iters: u64) -> Duration {
    let (to_pong, from_ping) = mpsc::channel::<i64>();
    let (to_ping, from_pong) = mpsc::channel::<i64>();
    let pong = std::thread::spawn(move || {
        while let Ok(v) = from_ping.recv() {
            if v < 0 {
                return;
            }
            to_ping.send(v).unwrap();
        }
    });
    let start = Instant::now();
    for i in 0..iters as i64 {
        to_pong.send(i).unwrap();
        black_box(from_pong.recv().unwrap());
    }
    let t = start.elapsed();
    to_pong.send(-1).unwrap();
    pong.join().unwrap();
    t
}

/// A queue as Ember's channels are made: a locked `VecDeque` and a
/// condition variable, the receiver sleeping as soon as it finds it empty.
#[derive(Default)]
struct Queue {
    items: Mutex<VecDeque<i64>>,
    ready: Condvar,
}

impl Queue {
    fn send(&self, v: i64) {
        self.items.lock().unwrap().push_back(v);
        self.ready.notify_one();
    }

    fn recv(&self) -> i64 {
        let mut q = self.items.lock().unwrap();
        loop {
            if let Some(v) = q.pop_front() {
                return v;
            }
            q = self.ready.wait(q).unwrap();
        }
    }
}

fn rust_mutex_condvar(iters: u64) -> Duration {
    let (a, b) = (Arc::new(Queue::default()), Arc::new(Queue::default()));
    let (a2, b2) = (a.clone(), b.clone());
    let pong = std::thread::spawn(move || loop {
        let v = a2.recv();
        if v < 0 {
            return;
        }
        b2.send(v);
    });
    let start = Instant::now();
    for i in 0..iters as i64 {
        a.send(i);
        black_box(b.recv());
    }
    let t = start.elapsed();
    a.send(-1);
    pong.join().unwrap();
    t
}

fn bench_channel_round_trip(c: &mut Criterion) {
    let mut engine = Engine::new().expect("engine");
    entry(&mut engine, "let a: chan[int] = chan();");
    entry(&mut engine, "let b: chan[int] = chan();");
    entry(
        &mut engine,
        "fn pong() { while true { let v = recv(a); if v < 0 { return; } send(b, v); } }",
    );
    entry(
        &mut engine,
        "fn ping(n: int) { for i in 0..n { send(a, i); if recv(b) != i { panic(\"ping: wrong reply\"); } } }",
    );
    entry(&mut engine, "let p = spawn pong();");
    entry(&mut engine, "ping(10);");
    let overhead = entry_overhead(&mut engine, "ping", 201);

    let mut group = c.benchmark_group("channel_round_trip");
    configure(&mut group, 4, 30);
    let mut per_op = Vec::new();
    group.bench_function("ember", |b| {
        b.iter_custom(|iters| batched(&mut engine, "ping", iters, &mut per_op))
    });
    group.bench_function("rust_mpsc", |b| b.iter_custom(rust_mpsc));
    group.bench_function("rust_mutex_condvar", |b| b.iter_custom(rust_mutex_condvar));
    group.finish();
    entry(&mut engine, "send(a, -1);\njoin(p);");
    assert!(engine.wait_threads().is_empty());
    if !per_op.is_empty() {
        eprintln!(
            "channel_round_trip/ember: per round trip, by entry of {BATCH}: {}; entry `ping(0);` takes {:.1} µs (median of 201)",
            summary(&mut per_op),
            micros(overhead)
        );
    }
}

// ---- pause_with_threads -----------------------------------------------------------------

/// The one-line function, version `k` (1 or 2).
fn one_line(k: usize) -> String {
    format!("fn f(x: int) -> int {{ x + {k} }}")
}

/// A fresh engine with `f` defined and `spinners` threads spinning in
/// `spin()`.
fn spinning_engine(spinners: usize) -> Engine {
    let mut engine = Engine::new().expect("engine");
    entry(&mut engine, &one_line(2));
    entry(&mut engine, &one_line(1));
    entry(&mut engine, "let mut stop = false;");
    entry(&mut engine, "fn spin() { while !stop {} }");
    entry(&mut engine, "let spinners: [task] = [];");
    for _ in 0..spinners {
        entry(&mut engine, "spinners.push(spawn spin());");
    }
    // Let the threads start and enter their loops.
    std::thread::sleep(Duration::from_millis(20));
    engine
}

fn stop_spinners(engine: &mut Engine) {
    entry(engine, "stop = true;\nfor t in spinners { join(t); }");
    assert!(engine.wait_threads().is_empty());
}

fn bench_pause_with_threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("pause_with_threads");
    configure(&mut group, 4, 50);
    let (v1, v2) = (one_line(1), one_line(2));
    let mut lines = Vec::new();
    for gap in [None, Some(Duration::from_millis(1))] {
        for spinners in 0..=2 {
            let name = match gap {
                None => format!("spin{spinners}"),
                Some(_) => format!("spin{spinners}_1ms"),
            };
            let mut engine = spinning_engine(spinners);
            let mut all = Vec::new();
            let mut flip = false;
            group.bench_function(name.as_str(), |b| {
                b.iter_custom(|iters| {
                    let mut sum = Duration::ZERO;
                    for _ in 0..iters {
                        flip = !flip;
                        let text = if flip { &v2 } else { &v1 };
                        engine.run_entry("<repl>", text).unwrap();
                        let pause = engine.last_report().unwrap().timings.pause;
                        sum += pause;
                        all.push(pause);
                        if let Some(gap) = gap {
                            std::thread::sleep(gap);
                        }
                    }
                    sum
                })
            });
            stop_spinners(&mut engine);
            if !all.is_empty() {
                lines.push(format!("pause_with_threads/{name}: {}", summary(&mut all)));
            }
        }
    }
    group.finish();
    for l in lines {
        eprintln!("{l}");
    }
}

// ---- gc_pause_binary_trees --------------------------------------------------------------

/// What one run of binary-trees left in the collector's statistics, and
/// the pauses the sampler saw.
#[derive(Default)]
struct GcRuns {
    runs: u64,
    collections: u64,
    missed: u64,
    total_pause: Duration,
    max_pause: Duration,
    wall: Duration,
    pauses: Vec<Duration>,
}

/// Run `program` (definitions; `start` runs it) in a fresh engine while a
/// host thread samples the heap's statistics; adds to `acc`.
fn gc_run(program: &str, start: &str, acc: &mut GcRuns) -> Duration {
    let mut engine = Engine::new().expect("engine");
    engine.capture_output(true);
    engine
        .run_source("binary_trees.em", program)
        .expect("binary_trees.em");
    let heap = engine.shared().heap.clone();
    let before = heap.stats();
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (heap, done) = (heap.clone(), done.clone());
        let seen0 = before.collections;
        std::thread::spawn(move || {
            let (mut seen, mut missed, mut pauses) = (seen0, 0, Vec::new());
            while !done.load(Ordering::Acquire) {
                let s = heap.stats();
                if s.collections > seen {
                    missed += s.collections - seen - 1;
                    pauses.push(s.last_pause);
                    seen = s.collections;
                }
                std::thread::sleep(Duration::from_micros(200));
            }
            let s = heap.stats();
            if s.collections > seen {
                missed += s.collections - seen - 1;
                pauses.push(s.last_pause);
            }
            (missed, pauses)
        })
    };
    let t0 = Instant::now();
    entry(&mut engine, start);
    assert!(engine.wait_threads().is_empty());
    let wall = t0.elapsed();
    done.store(true, Ordering::Release);
    let (missed, pauses) = sampler.join().unwrap();
    let after = heap.stats();
    let out = engine.take_output();
    assert!(out.contains("long lived tree of depth"), "{out}");
    acc.runs += 1;
    acc.collections += after.collections - before.collections;
    acc.missed += missed;
    acc.total_pause += after.total_pause - before.total_pause;
    acc.max_pause = acc.max_pause.max(after.max_pause);
    acc.wall += wall;
    acc.pauses.extend(pauses);
    wall
}

fn bench_gc_pause(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/programs/binary_trees.em");
    let text = std::fs::read_to_string(&path).expect("binary_trees.em");
    // The definitions only; the run is an entry, so that its statistics
    // exclude loading.
    let defs = text.replace("\nrun(16);", "\n");
    assert_ne!(defs, text, "binary_trees.em no longer ends with `run(16);`");
    let variants = [
        ("main_thread", "run(16);"),
        (
            "two_threads",
            "let t1 = spawn run(15);\nlet t2 = spawn run(15);\njoin(t1);\njoin(t2);",
        ),
    ];
    let mut group = c.benchmark_group("gc_pause_binary_trees");
    group.sampling_mode(SamplingMode::Flat);
    configure(&mut group, 6, 10);
    let mut lines = Vec::new();
    for (name, start) in variants {
        let mut acc = GcRuns::default();
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| gc_run(&defs, start, &mut acc))
                    .sum::<Duration>()
            })
        });
        if acc.runs > 0 {
            let runs = acc.runs as f64;
            let mean = acc.total_pause.as_secs_f64() / acc.collections.max(1) as f64;
            lines.push(format!(
                "gc_pause_binary_trees/{name}: {} runs, {:.1} collections/run ({} not sampled); \
                 HeapStats pause per collection: mean {:.2} ms, max {:.2} ms; sampled {}; \
                 GC time {:.2} ms/run = {:.1} % of the run ({:.1} ms wall)",
                acc.runs,
                acc.collections as f64 / runs,
                acc.missed,
                mean * 1e3,
                acc.max_pause.as_secs_f64() * 1e3,
                summary(&mut acc.pauses),
                acc.total_pause.as_secs_f64() * 1e3 / runs,
                100.0 * acc.total_pause.as_secs_f64() / acc.wall.as_secs_f64(),
                acc.wall.as_secs_f64() * 1e3 / runs,
            ));
        }
    }
    group.finish();
    for l in lines {
        eprintln!("{l}");
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench_spawn_join(&mut c);
    bench_channel_round_trip(&mut c);
    bench_pause_with_threads(&mut c);
    bench_gc_pause(&mut c);
    c.final_summary();
}

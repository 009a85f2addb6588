//! What must survive the rounds, and the checks that it did.
//!
//! Before the rounds an engine gets a global set by Ember code, a channel
//! with three messages queued, and heap data reachable only from globals
//! (a linked list of 1,000 nodes and a map of 100 arrays). In the rows with
//! a running thread, a worker builds heap data of its own (held only by its
//! frame), gets a message queued on its inbox, and spins counting its
//! progress in a global. After the rounds a collection is requested, and
//! Ember code reads everything back: the values must be the ones set
//! before, the worker must still be making progress, and when told to
//! stop it must find its own data intact and answer on its outbox.
//!
//! Every name starts with `__bench` so that it does not clash with the
//! functions of a user's file (`ember bench FILE`).

use std::time::{Duration, Instant};

use serde::Serialize;

use super::engine_io::{eval_bool, eval_int, exec, BenchError};

/// What a workload's own check is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Globals,
    Heap,
}

/// Definitions and values every row starts from.
const STATE: &str = r#"
struct __BenchNode { value: int, next: __BenchNode? }
let mut __bench_counter = 0;
let __bench_name = "ember";
let __bench_chan: chan[int] = chan();
let mut __bench_list: __BenchNode? = none;
let __bench_table: map[str, [int]] = map();
fn __bench_heap_sum() -> int {
    let mut sum = 0;
    let mut nodes = 0;
    let mut cur = __bench_list;
    let mut more = true;
    while more {
        if let n = cur {
            sum += n.value;
            nodes += 1;
            cur = n.next;
        } else {
            more = false;
        }
    }
    for k in keys(__bench_table) {
        for x in __bench_table[k] { sum += x; }
    }
    sum * 10000 + nodes
}
__bench_counter = 41;
__bench_counter += 1;
send(__bench_chan, 7);
send(__bench_chan, 8);
send(__bench_chan, 9);
for i in 0..1000 { __bench_list = __BenchNode { value: i * i, next: __bench_list }; }
for i in 0..100 { __bench_table["k" + str(i)] = [i, i + 1, i + 2]; }
"#;

/// `__bench_heap_sum()` as the construction above implies it, computed
/// here independently of the engine.
fn expected_heap_sum() -> i64 {
    let list: i64 = (0..1000i64).map(|i| i * i).sum();
    let table: i64 = (0..100i64).map(|i| 3 * i + 3).sum();
    (list + table) * 10000 + 1000
}

/// Nodes of the worker's own data.
const WORKER_ITEMS: i64 = 1000;
/// The message queued on the worker's inbox before the rounds.
const TOKEN: i64 = 4242;

const WORKER: &str = r#"
let mut __bench_progress = 0;
let mut __bench_stop = false;
let __bench_inbox: chan[int] = chan();
let __bench_outbox: chan[int] = chan();
fn __bench_worker(inbox: chan[int], outbox: chan[int]) {
    let own: [int] = [];
    let names: map[int, str] = map();
    for i in 0..1000 {
        own.push(i * 3);
        names[i] = str(i);
    }
    send(outbox, -1);
    while !__bench_stop { __bench_progress += 1; }
    let token = recv(inbox);
    let mut intact = 0;
    for i in 0..1000 {
        if own[i] == i * 3 && names[i] == str(i) { intact += 1; }
    }
    send(outbox, token + intact);
}
let __bench_task = spawn __bench_worker(__bench_inbox, __bench_outbox);
"#;

/// The outcome of the checks (JSON `preserved`): `thread` is `None` in
/// rows without a running thread.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Preserved {
    pub globals: bool,
    pub channels: bool,
    pub heap: bool,
    pub thread: Option<bool>,
}

impl Preserved {
    pub fn all(&self) -> bool {
        self.globals && self.channels && self.heap && self.thread != Some(false)
    }

    /// The names of the failed checks.
    pub fn failed(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        for (ok, name) in [
            (self.globals, "globals"),
            (self.channels, "channels"),
            (self.heap, "heap"),
            (self.thread != Some(false), "thread"),
        ] {
            if !ok {
                v.push(name);
            }
        }
        v
    }
}

/// The worker's progress counter around the rounds (JSON `thread`).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ThreadProgress {
    /// Loop iterations the worker made while the rounds ran.
    pub during_rounds: i64,
    /// True if it went on counting after the rounds.
    pub still_running: bool,
}

/// The state of one row.
pub struct Sentinels {
    heap_sum_before: i64,
    worker: Option<i64>,
}

/// Set up the state every row checks, and start the worker if asked.
pub fn set_up(engine: &mut ember::Engine, worker: bool) -> Result<Sentinels, BenchError> {
    exec(engine, STATE)?;
    let heap_sum_before = eval_int(engine, "__bench_heap_sum()")?;
    let worker = if worker {
        exec(engine, WORKER)?;
        // The worker has built its data once it says so.
        let ready = eval_int(engine, "recv(__bench_outbox)")?;
        if ready != -1 {
            return Err(BenchError::Setup(format!(
                "the worker said {ready} instead of -1"
            )));
        }
        exec(engine, &format!("send(__bench_inbox, {TOKEN});"))?;
        Some(eval_int(engine, "__bench_progress")?)
    } else {
        None
    };
    Ok(Sentinels {
        heap_sum_before,
        worker,
    })
}

/// Poll `__bench_progress` until it passes `from` (or `limit` elapses).
fn progresses(engine: &mut ember::Engine, from: i64, limit: Duration) -> Result<bool, BenchError> {
    let started = Instant::now();
    loop {
        if eval_int(engine, "__bench_progress")? > from {
            return Ok(true);
        }
        if started.elapsed() > limit {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

impl Sentinels {
    /// Read the progress counter right after the rounds.
    pub fn progress_now(&self, engine: &mut ember::Engine) -> Result<Option<i64>, BenchError> {
        match self.worker {
            Some(_) => Ok(Some(eval_int(engine, "__bench_progress")?)),
            None => Ok(None),
        }
    }

    /// Check everything after the rounds (and stop the worker). `extra`
    /// are the workload's own checks; `after_rounds` the progress read
    /// right after the rounds.
    pub fn check(
        self,
        engine: &mut ember::Engine,
        extra: &[(Category, &str)],
        after_rounds: Option<i64>,
    ) -> Result<(Preserved, Option<ThreadProgress>, bool), BenchError> {
        // A collection before reading anything back: what survived the
        // rounds must also survive being traced (globals, the worker's
        // parked frame). It runs at the next safe point (the first call
        // below, or the worker's loop).
        let collections = engine.shared().heap.stats().collections;
        engine.shared().heap.request_gc();
        let heap_sum = eval_int(engine, "__bench_heap_sum()")?;
        let collected = engine.shared().heap.stats().collections > collections;
        let mut heap = heap_sum == self.heap_sum_before && heap_sum == expected_heap_sum();
        let mut globals = eval_bool(engine, "__bench_counter == 42 && __bench_name == \"ember\"")?;
        let mut channels = eval_bool(
            engine,
            "let a = recv(__bench_chan);
             let b = recv(__bench_chan);
             let c = recv(__bench_chan);
             send(__bench_chan, 10);
             a == 7 && b == 8 && c == 9 && recv(__bench_chan) == 10",
        )?;
        let mut thread_ok = None;
        let mut progress = None;
        if let (Some(before), Some(after)) = (self.worker, after_rounds) {
            let still_running = progresses(engine, after, Duration::from_secs(5))?;
            progress = Some(ThreadProgress {
                during_rounds: after - before,
                still_running,
            });
            // Stopped, it reads the message queued before the rounds and
            // checks the data only its frame holds.
            let answer = eval_int(
                engine,
                "__bench_stop = true;
                 let answer = recv(__bench_outbox);
                 join(__bench_task);
                 answer",
            )?;
            let finished = answer == TOKEN + WORKER_ITEMS;
            channels &= finished;
            thread_ok = Some(still_running && after >= before && finished);
        }
        for (category, expr) in extra {
            let ok = eval_bool(engine, expr)?;
            match category {
                Category::Globals => globals &= ok,
                Category::Heap => heap &= ok,
            }
        }
        let preserved = Preserved {
            globals,
            channels,
            heap,
            thread: thread_ok,
        };
        Ok((preserved, progress, collected))
    }
}

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
    let mut token = 0;
    let mut v = recv(inbox);
    while v != -1 {
        token = token * 10000 + v;
        v = recv(inbox);
    }
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

/// How long the worker may take to show progress after the rounds (it
/// may be waiting for a CPU).
const PATIENCE: Duration = if cfg!(test) {
    Duration::from_millis(300)
} else {
    Duration::from_secs(5)
};

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
        // An end marker first, so that lost messages fail the check
        // instead of blocking it.
        let mut channels = eval_bool(
            engine,
            "send(__bench_chan, -1);
             let got: [int] = [];
             let mut v = recv(__bench_chan);
             while v != -1 { got.push(v); v = recv(__bench_chan); }
             str(got) == \"[7, 8, 9]\"",
        )?;
        let mut thread_ok = None;
        let mut progress = None;
        if let (Some(before), Some(after)) = (self.worker, after_rounds) {
            let still_running = progresses(engine, after, PATIENCE)?;
            progress = Some(ThreadProgress {
                during_rounds: after - before,
                still_running,
            });
            // Stopped, it reads its inbox up to the end marker (the
            // message queued before the rounds) and checks the data only
            // its frame holds; `join` raises its error if it failed.
            let answer = eval_int(
                engine,
                "send(__bench_inbox, -1);
                 __bench_stop = true;
                 join(__bench_task);
                 recv(__bench_outbox)",
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The checks pass on an untouched state and fail, each in its own
    /// category only, when the state is changed behind their back.
    #[test]
    fn each_check_fails_when_its_state_is_lost() {
        for (damage, failed) in [
            ("", vec![]),
            ("__bench_counter = 1;", vec!["globals"]),
            ("recv(__bench_chan);", vec!["channels"]),
            ("send(__bench_chan, 10);", vec!["channels"]),
            ("__bench_list = __bench_list!.next;", vec!["heap"]),
            ("__bench_table[\"k1\"][0] = 99;", vec!["heap"]),
        ] {
            let mut engine = ember::Engine::new().unwrap();
            let sentinels = set_up(&mut engine, false).unwrap();
            exec(&mut engine, damage).unwrap();
            let (p, thread, _) = sentinels.check(&mut engine, &[], None).unwrap();
            assert_eq!(p.failed(), failed, "{damage}");
            assert!(p.thread.is_none() && thread.is_none());
        }
    }

    #[test]
    fn thread_checks_pass_with_a_running_worker() {
        let mut engine = ember::Engine::new().unwrap();
        let sentinels = set_up(&mut engine, true).unwrap();
        let after = sentinels.progress_now(&mut engine).unwrap();
        let (p, progress, collected) = sentinels.check(&mut engine, &[], after).unwrap();
        assert!(p.all(), "{:?}", p.failed());
        assert_eq!(p.thread, Some(true));
        assert!(progress.unwrap().still_running);
        assert!(collected);
        assert!(engine.wait_threads().is_empty());
    }

    #[test]
    fn thread_checks_fail_when_the_worker_stopped_or_lost_its_message() {
        for (damage, failed) in [
            // Its loop ends: it no longer makes progress.
            ("__bench_stop = true;", vec!["thread"]),
            // Another message on its inbox: it answers something else.
            ("send(__bench_inbox, 1);", vec!["channels", "thread"]),
        ] {
            let mut engine = ember::Engine::new().unwrap();
            let sentinels = set_up(&mut engine, true).unwrap();
            exec(&mut engine, damage).unwrap();
            // Give a stopped worker time to leave its loop.
            std::thread::sleep(Duration::from_millis(50));
            let after = sentinels.progress_now(&mut engine).unwrap();
            let (p, _, _) = sentinels.check(&mut engine, &[], after).unwrap();
            assert_eq!(p.failed(), failed, "{damage}");
        }
    }
}

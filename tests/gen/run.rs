//! The oracle: run a generated program in a fresh engine under a time
//! limit and a small heap, and check that it ends the ways LANGUAGE.md
//! allows — `Ok`, or a runtime error with a message of §6 — and that it
//! ends at all: a run that outlives its time limit by more than the grace
//! period is reported and the process aborted (libFuzzer records the
//! input; a test run fails loudly).

use std::fmt;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use ember::{EmberError, Engine, Error, HeapConfig, InterruptHandle};

use super::program::{Apply, Program};
use super::stmt::PANIC_PREFIX;

/// Limits of one run.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Per call into Ember (`Engine::set_time_limit`); a phase (the file
    /// with its threads; the redefinition and call) gets twice as long,
    /// then every thread of the engine is interrupted.
    pub time: Duration,
    /// How long after the time limit a phase may still take to end
    /// (interrupts are taken at safe points; a collection or a
    /// compilation may be under way).
    pub grace: Duration,
    /// The engine's heap limit in bytes.
    pub heap: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            time: Duration::from_millis(200),
            grace: Duration::from_secs(10),
            heap: 64 << 20,
        }
    }
}

/// How a run ended that LANGUAGE.md allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Ok,
    /// A runtime error; the §6 cause (e.g. `division by zero`,
    /// `interrupted` for the time limit).
    Error(&'static str),
}

/// What one program did.
#[derive(Clone, Debug)]
pub struct Report {
    /// The file's run.
    pub main: Outcome,
    /// Errors of spawned threads nobody joined.
    pub threads: Vec<Outcome>,
    /// The call after the redefinition, if there was one.
    pub redefinition: Option<Outcome>,
    /// Bytes of program output.
    pub output_len: usize,
    pub elapsed: Duration,
}

impl Report {
    /// Every outcome of the run.
    pub fn outcomes(&self) -> impl Iterator<Item = Outcome> + '_ {
        std::iter::once(self.main)
            .chain(self.threads.iter().copied())
            .chain(self.redefinition)
    }
}

/// A bug: in the generator (a compile error) or in Ember (anything else).
#[derive(Clone, Debug)]
pub enum Finding {
    /// The generated program did not compile: a generator bug.
    Compile {
        phase: &'static str,
        rendered: String,
    },
    /// An error LANGUAGE.md does not allow here.
    Unexpected { phase: &'static str, error: String },
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Compile { phase, rendered } => {
                write!(
                    f,
                    "generated program does not compile ({phase}):\n{rendered}"
                )
            }
            Finding::Unexpected { phase, error } => {
                write!(f, "unexpected error ({phase}): {error}")
            }
        }
    }
}

/// The causes of LANGUAGE.md §6 (and docs/language-notes.md), by how their
/// messages start.
const CAUSES: &[&str] = &[
    "division by zero",
    "integer overflow",
    "index out of bounds",
    "pop from empty array",
    "key not found",
    "unwrap of none",
    "global ",
    "invalid cast",
    "cannot parse",
    "assertion failed",
    "stack overflow",
    "out of memory",
    "interrupted",
    "substr ",
    "invalid repeat count",
    "rand_int: empty range",
    PANIC_PREFIX,
];

/// The §6 cause of a runtime error message, if it is one.
pub fn cause(message: &str) -> Option<&'static str> {
    CAUSES.iter().copied().find(|c| message.starts_with(c))
}

/// Run `program` (see the module docs).
pub fn run(program: &Program, limits: &Limits) -> Result<Report, Finding> {
    let started = Instant::now();
    let heap = HeapConfig {
        limit: limits.heap,
        min_threshold: limits.heap / 8,
        ..HeapConfig::default()
    };
    let mut engine = Engine::builder()
        .heap_config(heap)
        .build()
        .map_err(|e| unexpected("engine", &e))?;
    engine.capture_output(true);
    // The engine's own per-call limit stops the file's code and the
    // redefinition's; the watchdog, at twice the limit, stops the threads
    // they spawned (the per-call limit does not cover them).
    engine.set_time_limit(Some(limits.time));
    let watchdog = Watchdog::start(engine.interrupt_handle(), limits, program.to_string());

    // Phase 1: the file, then its threads.
    watchdog.arm();
    let result = engine.run_source("gen.em", &program.source);
    let unjoined = engine.wait_threads();
    watchdog.disarm();
    let main = outcome("run", result.map(|_| ()))?;
    let threads = unjoined
        .iter()
        .map(|e| runtime("thread", e))
        .collect::<Result<Vec<_>, _>>()?;

    // Phase 2: redefine a function while the engine keeps its state
    // (globals, other definitions), then call it again.
    let redefinition = match &program.redefinition {
        None => None,
        Some(r) => {
            watchdog.arm();
            let applied = match &r.apply {
                Apply::Reload(text) => engine.reload_source("gen.em", text).map(|_| ()),
                Apply::Entry(text) => engine.run_entry("<repl>", text).map(|_| ()),
            };
            let applied = outcome("redefinition", applied)?;
            let call = engine.run_entry("<repl>", &r.call).map(|_| ());
            let unjoined = engine.wait_threads();
            watchdog.disarm();
            let called = outcome("call after redefinition", call)?;
            for e in &unjoined {
                runtime("thread after redefinition", e)?;
            }
            Some(if applied == Outcome::Ok {
                called
            } else {
                applied
            })
        }
    };
    let output_len = engine.take_output().len();
    drop(watchdog);
    drop(engine);
    Ok(Report {
        main,
        threads,
        redefinition,
        output_len,
        elapsed: started.elapsed(),
    })
}

fn outcome(phase: &'static str, r: Result<(), Error>) -> Result<Outcome, Finding> {
    match r {
        Ok(()) => Ok(Outcome::Ok),
        Err(Error::Runtime(e)) => runtime(phase, &e),
        Err(Error::Compile { rendered, .. }) => Err(Finding::Compile { phase, rendered }),
        Err(other) => Err(unexpected(phase, &other)),
    }
}

fn runtime(phase: &'static str, e: &EmberError) -> Result<Outcome, Finding> {
    match cause(&e.message) {
        Some(c) => Ok(Outcome::Error(c)),
        None => Err(Finding::Unexpected {
            phase,
            error: e.to_string(),
        }),
    }
}

fn unexpected(phase: &'static str, e: &Error) -> Finding {
    Finding::Unexpected {
        phase,
        error: format!("{e:?}"),
    }
}

/// Interrupts every thread of the engine once a phase passes twice its
/// time limit (again every few milliseconds, so threads that start or
/// reach Ember code later stop too), and aborts the process when a phase
/// outlives that + grace: a hang.
struct Watchdog {
    time: Duration,
    state: Arc<(Mutex<Armed>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[derive(Clone, Copy, PartialEq)]
enum Armed {
    Idle,
    Until(Instant),
    Quit,
}

impl Watchdog {
    fn start(handle: InterruptHandle, limits: &Limits, program: String) -> Watchdog {
        let state = Arc::new((Mutex::new(Armed::Idle), Condvar::new()));
        let shared = Arc::clone(&state);
        let grace = limits.grace;
        let time = limits.time;
        let thread = std::thread::spawn(move || {
            let (lock, cv) = &*shared;
            let mut st = lock.lock().unwrap();
            loop {
                match *st {
                    Armed::Quit => return,
                    Armed::Idle => st = cv.wait(st).unwrap(),
                    Armed::Until(deadline) => {
                        let now = Instant::now();
                        if now < deadline {
                            st = cv.wait_timeout(st, deadline - now).unwrap().0;
                        } else if now > deadline + grace {
                            eprintln!(
                                "HANG: a phase still runs {:?} after the interrupts began (time limit {time:?}); program:\n{program}",
                                now - deadline
                            );
                            std::process::abort();
                        } else {
                            drop(st);
                            handle.interrupt();
                            std::thread::sleep(Duration::from_millis(5));
                            st = lock.lock().unwrap();
                        }
                    }
                }
            }
        });
        Watchdog {
            time,
            state,
            thread: Some(thread),
        }
    }

    fn set(&self, to: Armed) {
        let (lock, cv) = &*self.state;
        *lock.lock().unwrap() = to;
        cv.notify_all();
    }

    /// Start a phase: interrupts from twice its time limit on.
    fn arm(&self) {
        self.set(Armed::Until(Instant::now() + 2 * self.time));
    }

    fn disarm(&self) {
        self.set(Armed::Idle);
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.set(Armed::Quit);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

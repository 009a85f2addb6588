//! Tier-up: a redefinition installs its bodies compiled at
//! [`Tier::Quick`] (about half of Cranelift's time, so the new definition
//! is callable sooner), and hands the same Cranelift function to this
//! background thread, which compiles it at [`Tier::Optimized`] and swaps it
//! in — if the slot still holds the quick body it was made for.
//!
//! A body is optimized only once it has stayed current for a short while
//! ([`SETTLE`]), so a burst of redefinitions does not keep the optimizer
//! (and the second core) busy with bodies about to be replaced.
//!
//! The swap is a compare-and-exchange on the slot word: both bodies are
//! the same function (same CLIF, same slots, literals and layouts), so any
//! thread may run either, and no pause is needed. If a transaction has
//! replaced the body meanwhile (the exchange fails), the optimized code
//! was never reachable and is freed at once. If it succeeds, the quick
//! body is retired and reclaimed like any old version, at a later pause
//! when no frame runs it. Transactions swap slots with an exchange too
//! and retire whatever they replaced, so a body is retired exactly once.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cranelift_codegen::ir::Function;
use cranelift_codegen::Context;
use parking_lot::{Condvar, Mutex};

use crate::code::SlotId;
use crate::codegen::srcloc::FuncInfo;
use crate::codegen::{self, Tier};
use crate::engine::Shared;

/// How long a quick body must stay current before it is optimized: a
/// function redefined again within this time (typing at the REPL, a burst
/// of reloads, a benchmark) is not optimized in between, so the optimizer
/// stays out of the way of a series of redefinitions.
const SETTLE: Duration = Duration::from_millis(2);

/// One body to optimize.
pub(crate) struct Job {
    /// The function as translated (what the quick body was compiled from).
    pub func: Function,
    pub slot: SlotId,
    /// Entry address of the quick body the slot must still hold.
    pub quick: usize,
    /// That body's registration. Code memory is reused: by the time the
    /// job runs, the quick body may have been replaced, freed, and a newer
    /// version installed at the same address — comparing addresses alone
    /// would then put this older body's optimized code over the newer one.
    /// Holding the `Arc` keeps its address unique, so "is the body at
    /// `quick` still this one" is a pointer comparison.
    pub quick_info: Arc<FuncInfo>,
    pub name: String,
    pub file: ember_lang::FileId,
    pub uses_structs: Box<[String]>,
    /// When it was queued.
    pub queued: Instant,
}

/// Jobs waiting, newest per slot.
#[derive(Default)]
struct Queue {
    jobs: HashMap<SlotId, Job>,
    /// The thread waits with nothing to do: the next job wakes it (only
    /// then does queueing cost a wake-up).
    idle: bool,
    closed: bool,
}

/// The queue and the condition variable the optimizer waits on.
type Jobs = Arc<(Mutex<Queue>, Condvar)>;

/// The background optimizer of one engine. Its thread starts with the
/// first job: programs loaded from a file are compiled optimized straight
/// away and never queue one, so `ember run` does not pay for a thread (and
/// its first allocations) it would not use.
pub(crate) struct TierUp {
    queue: Jobs,
    shared: Weak<Shared>,
    thread: Mutex<Worker>,
}

/// The optimizer thread's state.
enum Worker {
    NotStarted,
    Running(JoinHandle<()>),
    /// The optimizing ISA or the thread could not be made: jobs are
    /// dropped and quick bodies stay (they run the same function).
    Unavailable,
}

impl TierUp {
    /// The optimizer of `shared` (its thread is started on demand).
    pub fn new(shared: &Arc<Shared>) -> TierUp {
        TierUp {
            queue: Arc::default(),
            shared: Arc::downgrade(shared),
            thread: Mutex::new(Worker::NotStarted),
        }
    }

    /// Queue `job`, replacing an older job for the same slot.
    pub fn submit(&self, job: Job) {
        if !self.ensure_running() {
            return;
        }
        let (lock, cv) = &*self.queue;
        let mut q = lock.lock();
        q.jobs.insert(job.slot, job);
        if q.idle {
            q.idle = false;
            cv.notify_one();
        }
    }

    /// Start the thread if it is not running; whether it runs.
    fn ensure_running(&self) -> bool {
        let mut worker = self.thread.lock();
        if let Worker::NotStarted = *worker {
            *worker = self.spawn().map_or(Worker::Unavailable, Worker::Running);
        }
        matches!(*worker, Worker::Running(_))
    }

    fn spawn(&self) -> Option<JoinHandle<()>> {
        let isa = codegen::host_isa_for(Tier::Optimized).ok()?;
        let q = self.queue.clone();
        let weak = self.shared.clone();
        std::thread::Builder::new()
            .name("ember-tierup".into())
            .spawn(move || run(isa, q, weak))
            .ok()
    }
}

impl Drop for TierUp {
    fn drop(&mut self) {
        {
            let (lock, cv) = &*self.queue;
            lock.lock().closed = true;
            cv.notify_one();
        }
        if let Worker::Running(t) = std::mem::replace(self.thread.get_mut(), Worker::Unavailable) {
            let _ = t.join();
        }
    }
}

fn run(isa: cranelift_codegen::isa::OwnedTargetIsa, queue: Jobs, shared: Weak<Shared>) {
    let mut cctx = Context::new();
    let (lock, cv) = &*queue;
    loop {
        let ready: Vec<Job> = {
            let mut q = lock.lock();
            loop {
                if q.closed {
                    return;
                }
                let now = Instant::now();
                let settled: Vec<SlotId> = q
                    .jobs
                    .iter()
                    .filter(|(_, j)| now.duration_since(j.queued) >= SETTLE)
                    .map(|(s, _)| *s)
                    .collect();
                if !settled.is_empty() {
                    break settled.iter().filter_map(|s| q.jobs.remove(s)).collect();
                }
                match q.jobs.values().map(|j| j.queued).min() {
                    Some(oldest) => {
                        let wait = (oldest + SETTLE).saturating_duration_since(now);
                        cv.wait_for(&mut q, wait);
                    }
                    None => {
                        q.idle = true;
                        cv.wait(&mut q);
                    }
                }
            }
        };
        let Some(sh) = shared.upgrade() else { return };
        for job in ready {
            optimize(&*isa, &mut cctx, &sh, job);
        }
    }
}
/// Compile `job` optimized and swap it in if its quick body is still
/// current.
fn optimize(
    isa: &dyn cranelift_codegen::isa::TargetIsa,
    cctx: &mut Context,
    sh: &Shared,
    job: Job,
) {
    if sh.slots.get(job.slot) != job.quick {
        return; // replaced meanwhile
    }
    cctx.clear();
    cctx.func = job.func;
    let Ok(compiled) = codegen::compile(isa, cctx) else {
        return; // the quick body stays (it compiled the same function)
    };
    let Ok(ptr) = sh
        .code
        .lock()
        .alloc_and_write(&compiled.code, crate::code::memory::FUNCTION_ALIGN)
    else {
        return;
    };
    sh.registry.write().insert(FuncInfo {
        name: job.name,
        file: job.file,
        start: ptr.addr(),
        len: compiled.code.len(),
        srclocs: compiled.srclocs,
        stack_maps: compiled.stack_maps,
        uses_structs: job.uses_structs,
    });
    sh.code.lock().sync_other_threads();
    // Under the registry's read lock the quick body can be neither freed
    // nor replaced by another at its address (both take the write lock).
    let swapped = {
        let registry = sh.registry.read();
        let same_body = registry
            .lookup(job.quick)
            .is_some_and(|(info, off)| off == 0 && Arc::ptr_eq(info, &job.quick_info));
        same_body && sh.slots.compare_exchange(job.slot, job.quick, ptr.addr())
    };
    if swapped {
        sh.retire_code_at(job.quick);
        sh.tiered_up.fetch_add(1, Ordering::Relaxed);
    } else {
        sh.registry.write().remove(ptr.addr());
        let _ = sh.code.lock().free(ptr);
    }
}

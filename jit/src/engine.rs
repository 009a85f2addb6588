//! The [`Engine`]: owns the Cranelift ISA, the slot table, code memory, the
//! function registry (PC → function, source locations, stack maps), struct
//! layouts, global cells, the heap and the main thread's context, and ties
//! the type checker, code generation and the runtime together.
//!
//! ```no_run
//! // Library functions (`println`, ...) come from `ember_stdlib::install`.
//! let mut engine = ember_jit::Engine::new().unwrap();
//! engine.run_source("sq.em", "fn sq(x: int) -> int { x * x }").unwrap();
//! ```

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use cranelift_codegen::isa::{OwnedTargetIsa, TargetIsa};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use ember_lang::deps::DepGraph;
use ember_lang::tir::Program;
use ember_lang::tir::{Builtin, FnDef, GlobalDef, StructDef};
use ember_lang::types::{FnType, Type};
use ember_lang::{Diagnostic, Env, FileId, SourceMap};
use parking_lot::{Mutex, RwLock};

use crate::code::{CodeMemory, CodePtr, SlotId, SlotTable};
use crate::codegen::function::runtime_signature;
use crate::codegen::srcloc::{FuncInfo, Registry};
use crate::codegen::trampolines::{
    build_entry_wrapper, build_exit_trampoline, build_stale_stub, build_undefined_stub,
};
use crate::codegen::Tier;
use crate::codegen::{
    self, is_gc_ref, translate_function, CodegenError, CompiledFunction, GlobalRef, Resolver,
    StructLayout,
};
use crate::handle::{FnHandle, MainRun};
use crate::live::tierup::TierUp;
use crate::live::transaction::{Input, LiveMain, MainCode};
use crate::live::versions::Versions;
use crate::live::{History, ItemKind, Origin, Stats, TransactionReport};
use crate::runtime::builtins::{self, RtFn};
use crate::runtime::ctx::{ThreadCtx, STATE_OUTSIDE, STATE_PARKED, STATE_RUNNING};
use crate::runtime::errors::EmberError;
use crate::runtime::heap::{self, Heap};
use crate::runtime::host::{self, HostFn};
use crate::runtime::unwind;

/// Why running source text failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Syntax or type errors; `rendered` is what `ember check` prints.
    Compile {
        diagnostics: Vec<Diagnostic>,
        rendered: String,
    },
    /// A runtime error (message and Ember stack).
    Runtime(EmberError),
    /// A request that cannot be met (e.g. rolling back to a version that
    /// does not exist).
    Invalid(String),
    /// The back end failed (a bug), or the file could not be read.
    Internal(String),
    /// The embedding API refused a request of the host program: a
    /// function handle whose Rust types do not match the Ember signature,
    /// a host function that cannot be registered, a value that cannot be
    /// converted (`embed/`).
    Host(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Compile { rendered, .. } => f.write_str(rendered),
            Error::Runtime(e) => write!(f, "{e}"),
            Error::Invalid(m) | Error::Internal(m) | Error::Host(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl From<CodegenError> for Error {
    fn from(e: CodegenError) -> Self {
        Error::Internal(e.0)
    }
}

/// A global's cell: value word, initialized flag. Boxed: stable address.
struct GlobalCell {
    name: String,
    ty: Type,
    cell: Box<[AtomicU64; 2]>,
}

/// Engine state the runtime functions reach through `ThreadCtx::runtime`.
pub struct Shared {
    pub registry: RwLock<Registry>,
    pub sources: RwLock<SourceMap>,
    pub heap: Arc<Heap>,
    pub slots: SlotTable,
    pub code: Mutex<CodeMemory>,
    globals: RwLock<Vec<GlobalCell>>,
    /// `clock()` counts from here.
    pub epoch: Instant,
    /// True while a stop-the-world collection runs.
    stw: Mutex<bool>,
    stw_cv: parking_lot::Condvar,
    /// Mirrors `stw` (written under its lock): entering and leaving the
    /// running state read it without the lock (see [`Shared::resume`]).
    stopping: AtomicBool,
    tasks: Mutex<Vec<Arc<TaskState>>>,
    this: OnceLock<Weak<Shared>>,
    /// When set, `print`/`println` append here instead of writing to
    /// standard output.
    output: Mutex<Option<Vec<u8>>>,
    /// Addresses of the live thread contexts (for safe-point requests).
    pub contexts: Mutex<Vec<usize>>,
    /// Reference arguments of spawned threads still running: roots.
    task_args: Mutex<TaskArgs>,
    /// Function bodies no slot reaches any more, freed at a pause once no
    /// frame runs them (`live/reclaim.rs`).
    pub(crate) retired: Mutex<Vec<CodePtr>>,
    /// Bodies replaced by their optimized version (`live/tierup.rs`).
    pub tiered_up: AtomicU64,
    /// Time limit of every outermost entry, in nanoseconds (0: none),
    /// enforced by `watchdog`.
    time_limit: AtomicU64,
    pub(crate) watchdog: crate::runtime::watchdog::Watchdog,
    /// Faults in this engine's code are claimed by the trap handler
    /// (`runtime/traps.rs`) while this registration lives.
    _trap_range: Option<crate::runtime::traps::CodeRange>,
    /// Host closures registered through the embedding API (`embed/`):
    /// their trampolines hold their addresses, and code compiled against
    /// them may run as long as this state lives (also after the `Engine`).
    // Boxed: the addresses must not move when the vector grows.
    #[allow(clippy::vec_box)]
    pub(crate) host_closures: Mutex<Vec<Box<host::Registered>>>,
}

/// Reference arguments of running spawned threads, by key. Boxed slices:
/// their words have stable addresses (root slots a migration rewrites).
#[derive(Default)]
struct TaskArgs {
    next: u64,
    live: HashMap<u64, Box<[u64]>>,
}

impl TaskArgs {
    fn insert(&mut self, refs: Box<[u64]>) -> u64 {
        self.next += 1;
        self.live.insert(self.next, refs);
        self.next
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

/// What a `task` handle's payload holds.
#[derive(Debug, Default)]
pub struct TaskState {
    handle: Mutex<Option<std::thread::JoinHandle<Result<(), EmberError>>>>,
    joined: std::sync::atomic::AtomicBool,
    /// Set when the thread's Ember code has ended, so that `join` can
    /// wait in slices and stay interruptible.
    finished: Mutex<bool>,
    finished_cv: parking_lot::Condvar,
}

/// How long `join` waits before it looks for an interrupt request.
const JOIN_SLICE: std::time::Duration = std::time::Duration::from_millis(50);

impl TaskState {
    fn finish(&self) {
        *self.finished.lock() = true;
        self.finished_cv.notify_all();
    }

    /// Wait at most `d` for the thread to end; whether it has.
    fn wait_finished(&self, d: std::time::Duration) -> bool {
        let mut f = self.finished.lock();
        if !*f {
            self.finished_cv.wait_for(&mut f, d);
        }
        *f
    }
}

impl Shared {
    /// The time limit of outermost entries ([`Engine::set_time_limit`]).
    #[inline]
    pub fn time_limit(&self) -> Option<Duration> {
        match self.time_limit.load(Ordering::Relaxed) {
            0 => None,
            n => Some(Duration::from_nanos(n)),
        }
    }

    /// Name of global `id` (for `global NAME used before initialization`).
    pub fn global_name(&self, id: u32) -> String {
        self.globals
            .read()
            .get(id as usize)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| "?".to_string())
    }

    /// Retire the function body whose entry is `addr` (what a slot held),
    /// if it is one: stubs and trampolines are never retired.
    pub fn retire_code_at(&self, addr: usize) {
        let is_body = self
            .registry
            .read()
            .lookup(addr)
            .is_some_and(|(info, off)| off == 0 && info.start == addr);
        if !is_body {
            return;
        }
        // One lock at a time: a pause holds `retired` while it takes the
        // code lock.
        let block = self.code.lock().block_containing(addr);
        if let Some(ptr) = block {
            self.retired.lock().push(ptr);
        }
    }

    /// Add the addresses of every running task's reference arguments.
    pub fn task_arg_slots(&self, out: &mut Vec<*mut u64>) {
        let mut args = self.task_args.lock();
        for refs in args.live.values_mut() {
            out.extend(refs.iter_mut().map(|w| w as *mut u64));
        }
    }

    /// A spawned thread has finished: its arguments are no longer roots.
    /// Waits out a stop of the world in progress (a collection may be
    /// reading them).
    fn release_task_args(&self, key: u64) {
        let mut g = self.stw.lock();
        while *g {
            self.stw_cv.wait(&mut g);
        }
        self.task_args.lock().live.remove(&key);
    }

    /// Forget global `id`'s value (a reload removed it): it is no longer a
    /// root.
    pub fn retire_global(&self, id: u32) {
        if let Some(g) = self.globals.read().get(id as usize) {
            g.cell[1].store(0, Ordering::Release);
        }
    }

    /// Addresses of the value words of every initialized global holding a
    /// heap reference (roots a migration rewrites).
    pub fn global_root_slots(&self) -> Vec<*mut u64> {
        self.globals
            .read()
            .iter()
            .filter(|g| is_gc_ref(&g.ty) && g.cell[1].load(Ordering::Acquire) != 0)
            .map(|g| g.cell[0].as_ptr())
            .collect()
    }

    /// Enter the running state (waiting out a stop of the world in
    /// progress).
    ///
    /// From `STATE_OUTSIDE` (a host thread entering Ember code) without a
    /// lock when no stop is under way: the thread publishes
    /// `STATE_RUNNING`, then reads `stopping`; a stopper sets `stopping`,
    /// then reads every state. One of the two sees the other's write
    /// (Dekker; the fences are asymmetric, [`barrier`]: only a compiler
    /// fence here, a process-wide barrier on the rare stopping side):
    /// either the thread sees no stop and the stopper sees it running (and
    /// asks it to park at its next poll, as any running thread), or the
    /// thread sees the stop, steps back to outside (it has no frames, so a
    /// stopper that saw it running for that moment only waited for it)
    /// and waits. A parked thread (back from a blocking call) takes the
    /// lock: its frames are being scanned while it is parked, so it must
    /// never look running during a stop.
    #[inline]
    pub fn resume(&self, t: &ThreadCtx) {
        if t.state.load(Ordering::Relaxed) == STATE_OUTSIDE {
            t.state.store(STATE_RUNNING, Ordering::Release);
            barrier::light();
            if !self.stopping.load(Ordering::Acquire) {
                return;
            }
            self.resume_slow(t, true);
        } else {
            self.resume_slow(t, false);
        }
    }

    /// [`Self::resume`] when a stop is under way (`stepped_in`: the thread
    /// came from outside and already looks running) or the thread is
    /// parked.
    #[cold]
    #[inline(never)]
    fn resume_slow(&self, t: &ThreadCtx, stepped_in: bool) {
        if stepped_in {
            let _g = self.stw.lock();
            t.state.store(STATE_OUTSIDE, Ordering::SeqCst);
            self.stw_cv.notify_all();
        }
        let mut g = self.stw.lock();
        while *g {
            self.stw_cv.wait(&mut g);
        }
        t.state.store(STATE_RUNNING, Ordering::SeqCst);
    }

    /// Leave the running state (`STATE_PARKED` or `STATE_OUTSIDE`); a
    /// stopper waiting for this thread is woken.
    #[inline]
    pub fn pause(&self, t: &ThreadCtx, state: usize) {
        // Dekker as in `resume`: a stopper either sees this state or is
        // woken here.
        t.state.store(state, Ordering::Release);
        barrier::light();
        if self.stopping.load(Ordering::Acquire) {
            // Under the lock: the stopper checks the states and waits
            // under it, so the wake-up cannot fall between the two.
            let _g = self.stw.lock();
            self.stw_cv.notify_all();
        }
    }

    /// Mark a stop of the world begun or ended (with `stw` locked). A
    /// begun stop is visible to every thread before the caller reads
    /// their states ([`barrier::heavy`]).
    fn set_stopping(&self, g: &mut bool, on: bool) {
        *g = on;
        self.stopping.store(on, Ordering::SeqCst);
        if on {
            barrier::heavy();
        }
    }

    /// A safe point was requested on thread `t` (poll slow path). If
    /// another thread is stopping the world (a transaction's pause, a
    /// collection), park until it is done. If the heap asked for a
    /// collection, stop the world and collect: the first thread here
    /// requests a safe point from every other thread, waits until none is
    /// running Ember code, collects with every stopped thread's frames as
    /// roots, and lets them all go on.
    pub fn safepoint(&self, t: &mut ThreadCtx) {
        let mut g = self.stw.lock();
        if !*g && !self.heap.gc_requested() {
            return;
        }
        t.state.store(STATE_PARKED, Ordering::SeqCst);
        self.stw_cv.notify_all();
        if *g || !self.heap.gc_requested() {
            // Another thread stops the world (or just collected).
            while *g {
                self.stw_cv.wait(&mut g);
            }
            t.state.store(STATE_RUNNING, Ordering::SeqCst);
            return;
        }
        self.set_stopping(&mut g, true);
        drop(g);
        builtins::request_all(self, crate::runtime::ctx::REQUEST_SAFEPOINT);
        let me = t as *const ThreadCtx as usize;
        self.wait_all_stopped(me);
        builtins::collect_garbage(self);
        let mut g = self.stw.lock();
        self.set_stopping(&mut g, false);
        t.state.store(STATE_RUNNING, Ordering::SeqCst);
        self.stw_cv.notify_all();
    }

    /// Wait until no registered thread but `me` runs Ember code (every
    /// other one is parked at a safe point, blocked, or outside). Spins
    /// briefly first: a thread running on another core reaches its next
    /// poll within nanoseconds, far sooner than a condition-variable
    /// wake-up. Only briefly (~100 checks, a few µs): a thread that is off
    /// its CPU (more threads than cores) stops only once it runs again,
    /// and spinning longer would keep it off.
    fn wait_all_stopped(&self, me: usize) {
        for _ in 0..100 {
            if builtins::all_stopped(self, me) {
                return;
            }
            std::hint::spin_loop();
        }
        let mut g = self.stw.lock();
        while !builtins::all_stopped(self, me) {
            self.stw_cv
                .wait_for(&mut g, std::time::Duration::from_millis(1));
        }
    }

    /// Stop the world for a transaction's pause: wait out any other stop
    /// in progress, ask every thread running Ember code to park at its
    /// next safe point, and wait until all have. Threads outside Ember
    /// code (and parked ones) wait in [`Shared::resume`] until the guard is
    /// dropped. The caller must not be running Ember code itself.
    pub fn stop_world(&self, me: &ThreadCtx) -> WorldStopped<'_> {
        let mut g = self.stw.lock();
        while *g {
            self.stw_cv.wait(&mut g);
        }
        self.set_stopping(&mut g, true);
        drop(g);
        let me = me as *const ThreadCtx as usize;
        let contexts = self.contexts.lock();
        let others_running = contexts.iter().any(|&c| {
            c != me
                // SAFETY: registered contexts are live (they unregister
                // under this lock before being dropped); only an atomic is
                // read.
                && unsafe { &*(c as *const ThreadCtx) }.state.load(Ordering::SeqCst)
                    == STATE_RUNNING
        });
        drop(contexts);
        if others_running {
            builtins::request_running(self, crate::runtime::ctx::REQUEST_SAFEPOINT);
            self.wait_all_stopped(me);
        }
        WorldStopped { shared: self }
    }

    pub(crate) fn register_ctx(&self, ctx: &ThreadCtx) {
        let mut contexts = self.contexts.lock();
        contexts.push(ctx as *const ThreadCtx as usize);
        // A collection requested before this thread existed asked only the
        // threads registered then (the heap calls its hook once per
        // request): if they are all blocked, this thread must collect.
        // Checked under the lock, so a request made after this point
        // reaches this thread through the hook.
        if self.heap.gc_requested() {
            ctx.request(crate::runtime::ctx::REQUEST_SAFEPOINT);
        }
    }

    pub(crate) fn unregister_ctx(&self, ctx: &ThreadCtx) {
        let a = ctx as *const ThreadCtx as usize;
        self.contexts.lock().retain(|&c| c != a);
    }

    /// Run `f` while the thread is parked in a blocking call (collections
    /// may run meanwhile; `f` must not touch the heap).
    pub fn parked<R>(&self, t: &mut ThreadCtx, f: impl FnOnce() -> R) -> R {
        self.pause(t, STATE_PARKED);
        let r = f();
        self.resume(t);
        r
    }

    /// Like [`Shared::parked`] with `root` kept alive; returns whether the
    /// thread was interrupted meanwhile.
    pub fn parked_with_root(&self, t: &mut ThreadCtx, root: u64, f: impl FnOnce()) -> bool {
        self.heap.pin(root);
        self.parked(t, f);
        self.heap.unpin(root);
        t.requests.load(Ordering::SeqCst) & crate::runtime::ctx::REQUEST_INTERRUPT != 0
    }

    /// Write program output (standard output, or the capture buffer).
    pub fn write_output(&self, bytes: &[u8]) {
        use std::io::Write;
        let mut cap = self.output.lock();
        match cap.as_mut() {
            Some(buf) => buf.extend_from_slice(bytes),
            None => {
                drop(cap);
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(bytes);
                let _ = out.flush();
            }
        }
    }

    /// Text form of a value (`print`, `str`).
    pub fn format_value(&self, w: u64, ty: &Type) -> String {
        builtins::format_word(self, w, ty, false)
    }

    /// `fn name` of a function value.
    pub fn fn_name(&self, slot_addr: u64) -> String {
        self.slots
            .lookup_by_address(slot_addr as usize)
            .map(|(_, n)| n.to_string())
            .unwrap_or_else(|| "?".to_string())
    }

    /// `spawn`: run the function in slot `slot` with `args` on a new
    /// thread; returns the `task` word.
    pub fn spawn(
        &self,
        t: &mut ThreadCtx,
        slot: usize,
        wrapper: usize,
        args: Vec<u64>,
        ref_args: &[bool],
        _ret_ref: bool,
    ) -> Result<u64, heap::RuntimeError> {
        let Some(me) = self.this.get().and_then(|w| w.upgrade()) else {
            return Err(heap::RuntimeError::new("spawn: engine is shutting down"));
        };
        // Reference arguments are roots until the thread has finished
        // (the callee may not have reached its first safe point yet).
        let refs: Box<[u64]> = args
            .iter()
            .enumerate()
            .filter(|(i, _)| ref_args.get(*i).copied().unwrap_or(false))
            .map(|(_, w)| *w)
            .collect();
        let key = self.task_args.lock().insert(refs);
        let state = Arc::new(TaskState::default());
        let st2 = state.clone();
        let st3 = state.clone();
        let handle = std::thread::Builder::new()
            .name("ember-task".into())
            .stack_size(64 << 20)
            .spawn(move || {
                let mut ctx = new_thread_ctx(&me);
                let r = enter(&mut ctx, slot, wrapper, &args).map(|_| ());
                me.unregister_ctx(&ctx);
                drop(ctx);
                me.release_task_args(key);
                st3.finish();
                r
            })
            .map_err(|e| {
                self.release_task_args(key);
                heap::RuntimeError::new(format!("spawn failed: {e}"))
            })?;
        *st2.handle.lock() = Some(handle);
        let mut tasks = self.tasks.lock();
        // Forget threads already joined (a long session keeps spawning).
        tasks.retain(|t| !t.joined.load(Ordering::SeqCst));
        tasks.push(state.clone());
        drop(tasks);
        let payload: heap::TaskPayload = Box::new(state);
        let task = heap::task_new(t.mutator.as_mut().expect("mutator"), payload)?;
        Ok(task.word())
    }

    /// `join(task)`: wait for the thread; its runtime error, if any.
    pub fn join(&self, t: &mut ThreadCtx, task: u64) -> Result<(), EmberError> {
        let state = builtins::task_state(task);
        // Wait in slices: an interrupt (Ctrl-C, a time limit) stops the
        // wait, and the thread stays joinable.
        loop {
            let done = self.parked(t, || state.wait_finished(JOIN_SLICE));
            if done {
                break;
            }
            if t.requests.load(Ordering::SeqCst) & crate::runtime::ctx::REQUEST_INTERRUPT != 0 {
                return Err(EmberError::new("interrupted"));
            }
        }
        state.joined.store(true, Ordering::SeqCst);
        let handle = state.handle.lock().take();
        match handle {
            Some(h) => match self.parked(t, || h.join()) {
                Ok(r) => r,
                Err(_) => Err(EmberError::new("thread panicked")),
            },
            None => Ok(()),
        }
    }

    /// Wait for every spawned thread; the errors of those nobody joined.
    pub fn wait_threads(&self) -> Vec<EmberError> {
        let mut errors = Vec::new();
        loop {
            let tasks: Vec<_> = std::mem::take(&mut *self.tasks.lock());
            if tasks.is_empty() {
                break;
            }
            for st in tasks {
                let h = st.handle.lock().take();
                if let Some(h) = h {
                    let r = h.join();
                    if !st.joined.load(Ordering::SeqCst) {
                        match r {
                            Ok(Err(e)) => errors.push(e),
                            Err(_) => errors.push(EmberError::new("thread panicked")),
                            Ok(Ok(())) => {}
                        }
                    }
                }
            }
        }
        errors
    }
}

/// The fences of the entry handshake ([`Shared::resume`]), asymmetric:
/// entering and leaving Ember code (every call from the host) need only a
/// compiler fence, and stopping the world (rare) pays for a process-wide
/// barrier instead, Linux's `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`:
/// when it returns, every thread of the process has run a full memory
/// barrier (or was not running), so a thread's store of its state before
/// its load of `stopping` cannot be reordered across it unseen — as if
/// both sides had fenced. Where the call is refused, both sides use a
/// `SeqCst` fence.
mod barrier {
    use std::sync::atomic::{compiler_fence, fence, AtomicBool, Ordering};
    use std::sync::OnceLock;

    /// Set once (before any engine exists: [`init`]) when the process is
    /// registered for expedited membarriers.
    static ASYMMETRIC: AtomicBool = AtomicBool::new(false);
    static INIT: OnceLock<()> = OnceLock::new();

    /// Register the process (once). Called when an engine is made, so
    /// every thread that later enters an engine's code, or stops its
    /// world, happens after it and reads the same `ASYMMETRIC`.
    pub(super) fn init() {
        INIT.get_or_init(|| {
            if register() {
                ASYMMETRIC.store(true, Ordering::Relaxed);
            }
        });
    }

    #[cfg(target_os = "linux")]
    fn register() -> bool {
        membarrier(libc::MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED)
            && membarrier(libc::MEMBARRIER_CMD_PRIVATE_EXPEDITED)
    }

    #[cfg(not(target_os = "linux"))]
    fn register() -> bool {
        false
    }

    /// The membarrier system call with `cmd`; whether it succeeded.
    #[cfg(target_os = "linux")]
    fn membarrier(cmd: libc::c_int) -> bool {
        // SAFETY: the membarrier system call with a command and zero
        // flags reads no memory of ours: it registers the process or runs
        // the barrier.
        unsafe { libc::syscall(libc::SYS_membarrier, cmd, 0, 0) == 0 }
    }

    /// The entering/leaving side, between its store of the state and its
    /// load of `stopping`.
    #[inline(always)]
    pub(super) fn light() {
        if ASYMMETRIC.load(Ordering::Relaxed) {
            compiler_fence(Ordering::SeqCst);
        } else {
            fence(Ordering::SeqCst);
        }
    }

    /// The stopping side, between its store of `stopping` and its loads
    /// of the states.
    pub(super) fn heavy() {
        fence(Ordering::SeqCst);
        #[cfg(target_os = "linux")]
        if ASYMMETRIC.load(Ordering::Relaxed) {
            // Once registered, the call can fail only for want of kernel
            // memory (ENOMEM, for a CPU mask): transient. Going on
            // without the barrier would make the handshake unsound, and
            // aborting would take the host down, so wait and try again.
            let mut wait = std::time::Duration::from_micros(50);
            while !membarrier(libc::MEMBARRIER_CMD_PRIVATE_EXPEDITED) {
                std::thread::sleep(wait);
                wait = (wait * 2).min(std::time::Duration::from_millis(10));
            }
        }
    }
}

/// While alive, no other thread runs Ember code ([`Shared::stop_world`]).
pub struct WorldStopped<'a> {
    shared: &'a Shared,
}

impl Drop for WorldStopped<'_> {
    fn drop(&mut self) {
        let mut g = self.shared.stw.lock();
        self.shared.set_stopping(&mut g, false);
        self.shared.stw_cv.notify_all();
    }
}

/// Interrupts the Ember code of one engine; see
/// [`Engine::interrupt_handle`] and [`Engine::entry_interrupt_handle`].
#[derive(Clone, Debug)]
pub struct InterruptHandle {
    shared: Weak<Shared>,
    /// Only this context (the engine's own), if set.
    only: Option<usize>,
}

impl InterruptHandle {
    /// Make the Ember code this handle covers stop with `interrupted` at
    /// its next safe point (function entry, loop back-edge, or a blocking
    /// `recv` or `sleep`). Threads not running Ember code are not affected.
    pub fn interrupt(&self) {
        let Some(sh) = self.shared.upgrade() else {
            return;
        };
        match self.only {
            None => builtins::request_running(&sh, crate::runtime::ctx::REQUEST_INTERRUPT),
            Some(target) => {
                let contexts = sh.contexts.lock();
                if contexts.contains(&target) {
                    // SAFETY: the context is registered, so alive (it
                    // unregisters under this lock before it is dropped);
                    // only its atomics are touched.
                    let ctx = unsafe { &*(target as *const ThreadCtx) };
                    if ctx.state.load(Ordering::SeqCst) != STATE_OUTSIDE {
                        ctx.request(crate::runtime::ctx::REQUEST_INTERRUPT);
                    }
                }
            }
        }
    }
}

/// A fresh context for the current thread.
pub(crate) fn new_thread_ctx(shared: &Arc<Shared>) -> Box<ThreadCtx> {
    let limit = builtins::current_stack_limit();
    let mut ctx = ThreadCtx::new(limit, Arc::as_ptr(shared) as usize);
    let m = shared.heap.mutator();
    ctx.alloc_cache = m.cache_ptr() as usize;
    ctx.mutator = Some(m);
    shared.register_ctx(&ctx);
    ctx
}

/// Call the function in slot `slot` through entry wrapper `wrapper` with
/// argument words `args`; its result word.
pub(crate) fn enter(
    ctx: &mut ThreadCtx,
    slot: usize,
    wrapper: usize,
    args: &[u64],
) -> Result<u64, EmberError> {
    enter_with(ctx, slot, wrapper, |_| Ok(args), |_, w| Ok(w))
}

/// [`enter`], with the argument words made by `args` and the result word
/// read by `finish` (which may fail too) while the thread counts as
/// running: no collection can run between allocating heap arguments and
/// the call reading them, nor between the call's result and `finish`
/// reading it (the embedding API's typed calls, `embed/`).
#[inline]
pub(crate) fn enter_with<A: AsRef<[u64]>, R>(
    ctx: &mut ThreadCtx,
    slot: usize,
    wrapper: usize,
    args: impl FnOnce(&mut ThreadCtx) -> Result<A, EmberError>,
    finish: impl FnOnce(&mut ThreadCtx, u64) -> Result<R, EmberError>,
) -> Result<R, EmberError> {
    let sh = builtins::shared(ctx);
    let outer = ctx.state.load(Ordering::SeqCst);
    if outer != STATE_RUNNING {
        // The engine (and its context) may have moved to another thread.
        ctx.bind_to_current_thread(builtins::current_stack_limit);
        ctx.clear_interrupt();
        sh.resume(ctx);
    }
    // An outermost entry under a time limit is interrupted at its deadline.
    let _deadline = match sh.time_limit() {
        Some(limit) if outer != STATE_RUNNING => Some(sh.watchdog.arm(ctx, limit)),
        _ => None,
    };
    // A fault in compiled code on this thread ends this entry
    // (`runtime/traps.rs`); a nested call into this engine from a host
    // function finds this context.
    let _active = crate::handle::activate(ctx);
    let nested = outer == STATE_RUNNING;
    if nested {
        // The frames below this entry (the host call's caller and the rest
        // of the outer entry) stay visible to stack walks.
        let outer_segment = crate::runtime::ctx::Segment {
            exit_fp: ctx.exit_fp,
            exit_pc: ctx.exit_pc,
            exit_sp: ctx.exit_sp,
            entry_fp: ctx.entry_frame_fp(),
        };
        ctx.outer_segments.push(outer_segment);
    }
    // Only an entry on a context already in an entry (nested, or from a
    // parked host call) must keep the outer entry's jump buffer.
    let fresh = outer == STATE_OUTSIDE;
    let r = args(ctx).and_then(|a| {
        let w = enter_running(ctx, slot, wrapper, a.as_ref(), fresh)?;
        finish(ctx, w)
    });
    if nested {
        ctx.outer_segments.pop();
    }
    if outer != STATE_RUNNING {
        sh.pause(ctx, outer);
    }
    r
}

/// Run the entry; `fresh` when no other entry uses `ctx` (its jump buffer
/// holds nothing to keep).
#[inline(always)]
fn enter_running(
    ctx: &mut ThreadCtx,
    slot: usize,
    wrapper: usize,
    args: &[u64],
    fresh: bool,
) -> Result<u64, EmberError> {
    ctx.entry_target = slot;
    let saved_exit = (ctx.exit_fp, ctx.exit_pc, ctx.exit_sp);
    let mut ret: u64 = 0;
    let ctx_ptr: *mut ThreadCtx = ctx;
    // SAFETY: `wrapper` is a Cranelift-compiled entry wrapper with the
    // `EntryWrapper` signature in the default C convention, for the
    // signature of the function in `slot`, and `args` holds one word per
    // parameter; the jump buffer lives in the context (8-byte aligned,
    // large enough) and only this entry and its trampolines use it;
    // unwinding only discards frames of compiled code and trampolines. A
    // fresh entry calls `ember_enter` itself, under the same contract
    // minus keeping the buffer's contents: no entry on this context is
    // running, so nothing will unwind to what the buffer held.
    let r = unsafe {
        let jmp = std::ptr::addr_of_mut!((*ctx_ptr).jmp_buf) as *mut unwind::JmpBuf;
        if fresh {
            match unwind::ember_enter(ctx_ptr as *mut u8, jmp, wrapper, args.as_ptr(), &mut ret) {
                0 => Ok(()),
                _ => Err(unwind::Unwound),
            }
        } else {
            unwind::enter(ctx_ptr as *mut u8, jmp, wrapper, args.as_ptr(), &mut ret)
        }
    };
    let ctx = {
        // SAFETY: the entry has ended; `ctx_ptr` is the `&mut` we were
        // given.
        unsafe { &mut *ctx_ptr }
    };
    (ctx.exit_fp, ctx.exit_pc, ctx.exit_sp) = saved_exit;
    match r {
        Ok(()) => Ok(ret),
        Err(_) => Err(ctx
            .take_error()
            .unwrap_or_else(|| EmberError::new("internal error: unwound without an error"))),
    }
}

/// A defined function.
pub(crate) struct FnEntry {
    pub slot: SlotId,
    pub slot_addr: u64,
    pub sig: Arc<FnType>,
    /// Its declaration, to re-check it when something it uses changes.
    pub decl: Arc<ember_lang::ast::FnDecl>,
}

/// A struct's layouts: the codegen view and the heap's (boxed for a stable
/// address passed to `struct_new`).
pub(crate) struct StructEntry {
    pub layout: Arc<StructLayout>,
    // Boxed so that the `Arc` itself has a stable address: compiled code
    // passes that address to `struct_new`.
    #[allow(clippy::redundant_allocation)]
    pub heap_layout: Box<Arc<heap::StructLayout>>,
}

/// A transaction listener ([`Engine::on_transaction`]).
pub(crate) type Listener = Box<dyn FnMut(&TransactionReport) + Send>;

/// Definitions and helper code (everything [`Resolver`] answers from).
#[derive(Default)]
pub(crate) struct Defs {
    pub(crate) functions: HashMap<String, FnEntry>,
    pub(crate) structs: HashMap<String, StructEntry>,
    /// Replaced struct entries: code compiled against them may still run
    /// and embeds their addresses, so they live as long as the engine.
    pub(crate) retired_structs: Vec<StructEntry>,
    pub(crate) globals: HashMap<String, GlobalRef>,
    pub(crate) rt_slots: HashMap<RtFn, u64>,
    pub(crate) hosts: HashMap<String, (u64, Arc<FnType>)>,
    /// Registered library functions.
    pub(crate) builtins: HashMap<Builtin, LibraryEntry>,
    pub(crate) wrappers: HashMap<FnType, usize>,
    pub(crate) literals: HashMap<String, u64>,
    pub(crate) type_descs: HashMap<Type, Box<Type>>,
    /// Stubs standing in old slots of functions whose signature changed,
    /// by slot address.
    pub(crate) stale_stubs: HashMap<u64, usize>,
}

/// A registered library function; its trampoline and slot are made when
/// code first calls it (engine start-up compiles nothing for the library).
pub(crate) struct LibraryEntry {
    f: HostFn,
    sig: Arc<FnType>,
    /// Slot and its address, once made.
    slot: Option<(SlotId, u64)>,
}

/// Builder state for trampolines and wrappers (separate from the one a
/// function body is being built in).
struct Helper {
    fctx: FunctionBuilderContext,
    cctx: Context,
}

/// The Ember engine: compile and run programs.
pub struct Engine {
    pub(crate) isa: OwnedTargetIsa,
    pub(crate) shared: Arc<Shared>,
    pub(crate) ctx: OwnCtx,
    fctx: FunctionBuilderContext,
    cctx: Context,
    helper: Helper,
    pub(crate) defs: Defs,
    pub(crate) env: Env,
    /// The last `<main>` value returned (pinned until the next run).
    pub(crate) last_value: Option<u64>,
    /// Definition notices not yet taken ([`Engine::take_notices`]).
    pub(crate) notices: Vec<String>,
    /// Who uses what, to find the dependents of a change.
    pub(crate) graph: DepGraph,
    /// Every definition's version history.
    pub(crate) versions: Versions,
    /// Functions top-level code took as values (name → where): their
    /// signature can no longer change.
    pub(crate) escaped: HashMap<String, String>,
    /// Where each current item was defined (file name or `<repl>`).
    pub(crate) item_sources: HashMap<(ItemKind, String), String>,
    /// Cranelift at [`Tier::Quick`] for redefinitions.
    quick_isa: OwnedTargetIsa,
    /// The background optimizer (its thread starts with its first job).
    pub(crate) tierup: TierUp,
    /// How redefined bodies are compiled (`EMBER_TIER`).
    pub(crate) tier_policy: TierPolicy,
    pub(crate) stats: Stats,
    pub(crate) last_report: Option<TransactionReport>,
    pub(crate) listeners: Mutex<Vec<Listener>>,
    /// Top-level code running outside the engine ([`MainRun`]).
    pub(crate) live_mains: Vec<LiveMain>,
}

/// The engine's own thread context (the one its entries, `call`s and
/// transactions run on).
pub(crate) struct OwnCtx(Box<ThreadCtx>);

// SAFETY: an `Engine` shared between threads (`&Engine`) never reaches
// into its own context: every method that runs code on it, stops the
// world with it or changes it takes `&mut Engine`; through `&Engine` only
// its address is read (`entry_interrupt_handle`). What keeps `ThreadCtx`
// from being `Sync` (its heap cache pointers) is used by the thread that
// holds `&mut Engine`, alone.
unsafe impl Sync for OwnCtx {}

impl std::ops::Deref for OwnCtx {
    type Target = ThreadCtx;
    fn deref(&self) -> &ThreadCtx {
        &self.0
    }
}

impl std::ops::DerefMut for OwnCtx {
    fn deref_mut(&mut self) -> &mut ThreadCtx {
        &mut self.0
    }
}

// `Send + Sync`: it may move to another thread, and `&Engine` may be read
// from several (every method that runs or changes code takes `&mut self`).
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
};

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

/// The resolver codegen talks to while a function is built.
struct Res<'e> {
    isa: &'e dyn TargetIsa,
    shared: &'e Shared,
    defs: &'e mut Defs,
    helper: &'e mut Helper,
}

impl Res<'_> {
    /// Build the exit trampoline calling `f` with call signature `ty` and
    /// point a slot at it (a new slot named `name`, or `reuse`); the slot
    /// and its address.
    fn host_slot(
        &mut self,
        name: &str,
        ty: &FnType,
        f: usize,
        reuse: Option<SlotId>,
    ) -> Result<(SlotId, u64), Error> {
        let sig = host_signature(self.isa.default_call_conv(), ty);
        self.helper.cctx.clear();
        build_exit_trampoline(
            self.isa,
            name,
            sig,
            f,
            unwind::ember_unwind_addr(),
            &mut self.helper.cctx.func,
            &mut self.helper.fctx,
        );
        let entry = self.install_helper(name);
        let slot = match reuse {
            Some(s) => s,
            None => self
                .shared
                .slots
                .alloc(name, &ty.to_string())
                .map_err(|e| Error::Internal(e.to_string()))?,
        };
        self.shared.slots.set(slot, entry);
        Ok((slot, self.shared.slots.address(slot) as u64))
    }

    fn install_helper(&mut self, name: &str) -> usize {
        let compiled = codegen::compile(self.isa, &mut self.helper.cctx)
            .unwrap_or_else(|e| panic!("helper {name} does not compile: {e}"));
        self.helper.cctx.clear();
        let ptr = self
            .shared
            .code
            .lock()
            .alloc_and_write(&compiled.code, 16)
            .expect("code memory");
        ptr.addr()
    }
}

impl Resolver for Res<'_> {
    fn function(&mut self, name: &str) -> Option<(u64, Arc<FnType>)> {
        self.defs
            .functions
            .get(name)
            .map(|f| (f.slot_addr, f.sig.clone()))
    }

    fn host(&mut self, name: &str) -> Option<(u64, Arc<FnType>)> {
        self.defs.hosts.get(name).cloned()
    }

    fn builtin(&mut self, b: Builtin) -> Option<(u64, Arc<FnType>)> {
        let e = self.defs.builtins.get(&b)?;
        if let Some((_, addr)) = e.slot {
            return Some((addr, e.sig.clone()));
        }
        let (f, sig) = (e.f, e.sig.clone());
        let (slot, addr) = self
            .host_slot(&format!("builtin {}", b.name()), &sig, f.address(), None)
            .expect("slot table");
        self.defs.builtins.get_mut(&b)?.slot = Some((slot, addr));
        Some((addr, sig))
    }

    fn runtime(&mut self, f: RtFn) -> u64 {
        if let Some(&a) = self.defs.rt_slots.get(&f) {
            return a;
        }
        let sig = runtime_signature(self.isa.default_call_conv(), f);
        self.helper.cctx.clear();
        build_exit_trampoline(
            self.isa,
            f.name(),
            sig,
            f.address(),
            unwind::ember_unwind_addr(),
            &mut self.helper.cctx.func,
            &mut self.helper.fctx,
        );
        let entry = self.install_helper(f.name());
        let slot = self
            .shared
            .slots
            .alloc(f.name(), "runtime")
            .expect("slot table");
        self.shared.slots.set(slot, entry);
        let addr = self.shared.slots.address(slot) as u64;
        self.defs.rt_slots.insert(f, addr);
        addr
    }

    fn global(&mut self, name: &str) -> Option<GlobalRef> {
        self.defs.globals.get(name).cloned()
    }

    fn struct_layout(&mut self, name: &str) -> Option<Arc<StructLayout>> {
        self.defs.structs.get(name).map(|s| s.layout.clone())
    }

    fn string_literal(&mut self, text: &str) -> u64 {
        if let Some(&w) = self.defs.literals.get(text) {
            return w;
        }
        // Immortal and outside the collected heap: a literal never fails
        // to allocate, even when the program has filled the heap.
        let s = self.shared.heap.static_str(text);
        self.defs.literals.insert(text.to_string(), s.word());
        s.word()
    }

    fn type_desc(&mut self, ty: &Type) -> u64 {
        let b = self
            .defs
            .type_descs
            .entry(ty.clone())
            .or_insert_with(|| Box::new(ty.clone()));
        &**b as *const Type as u64
    }

    fn entry_wrapper(&mut self, ft: &FnType) -> u64 {
        if let Some(&a) = self.defs.wrappers.get(ft) {
            return a as u64;
        }
        self.helper.cctx.clear();
        build_entry_wrapper(
            self.isa,
            ft,
            &mut self.helper.cctx.func,
            &mut self.helper.fctx,
        );
        let addr = self.install_helper("entry wrapper");
        self.defs.wrappers.insert(ft.clone(), addr);
        addr as u64
    }
}

impl Engine {
    /// An engine for the host machine.
    pub fn new() -> Result<Engine, Error> {
        Engine::with_heap_config(heap::HeapConfig::default())
    }

    /// An engine whose heap uses `config` (limit, collection threshold).
    pub fn with_heap_config(config: heap::HeapConfig) -> Result<Engine, Error> {
        barrier::init();
        let isa = codegen::host_isa()?;
        let quick_isa = codegen::host_isa_for(Tier::Quick)?;
        let code = CodeMemory::new().map_err(|e| Error::Internal(e.to_string()))?;
        let trap_range = crate::runtime::traps::register_code(code.rx_reservation());
        let shared = Arc::new(Shared {
            registry: RwLock::new(Registry::default()),
            sources: RwLock::new(SourceMap::new()),
            heap: Heap::with_config(config),
            slots: SlotTable::new(),
            code: Mutex::new(code),
            globals: RwLock::new(Vec::new()),
            epoch: Instant::now(),
            stw: Mutex::new(false),
            stw_cv: parking_lot::Condvar::new(),
            stopping: AtomicBool::new(false),
            tasks: Mutex::new(Vec::new()),
            this: OnceLock::new(),
            output: Mutex::new(None),
            contexts: Mutex::new(Vec::new()),
            task_args: Mutex::new(TaskArgs::default()),
            retired: Mutex::new(Vec::new()),
            tiered_up: AtomicU64::new(0),
            time_limit: AtomicU64::new(0),
            watchdog: Default::default(),
            _trap_range: trap_range,
            host_closures: Mutex::new(Vec::new()),
        });
        let _ = shared.this.set(Arc::downgrade(&shared));
        let weak = Arc::downgrade(&shared);
        shared.heap.set_gc_request_hook(Arc::new(move || {
            if let Some(sh) = weak.upgrade() {
                builtins::request_all(&sh, crate::runtime::ctx::REQUEST_SAFEPOINT);
            }
        }));
        let ctx = new_thread_ctx(&shared);
        let tierup = TierUp::new(&shared);
        let mut engine = Engine {
            isa,
            shared,
            ctx: OwnCtx(ctx),
            fctx: FunctionBuilderContext::new(),
            cctx: Context::new(),
            helper: Helper {
                fctx: FunctionBuilderContext::new(),
                cctx: Context::new(),
            },
            defs: Defs::default(),
            env: Env::default(),
            last_value: None,
            notices: Vec::new(),
            graph: DepGraph::new(),
            versions: Versions::default(),
            escaped: HashMap::new(),
            item_sources: HashMap::new(),
            quick_isa,
            tierup,
            tier_policy: tier_policy(),
            stats: Stats::default(),
            last_report: None,
            listeners: Mutex::new(Vec::new()),
            live_mains: Vec::new(),
        };
        // Slots without a body raise `function not defined`.
        let mut res = engine.res();
        let rt_slot = res.runtime(RtFn::Undefined);
        res.helper.cctx.clear();
        build_undefined_stub(
            res.isa,
            rt_slot,
            &mut res.helper.cctx.func,
            &mut res.helper.fctx,
        );
        let stub = res.install_helper("undefined");
        engine.shared.slots.set_default_entry(stub);
        // Library functions exist once registered (`ember_stdlib::install`).
        for &b in host::LIBRARY {
            engine.env.builtins.remove(
                b,
                "this engine has no standard library installed \
                 (`ember::Engine::new()` or `ember_stdlib::install` provides it)",
            );
        }
        Ok(engine)
    }

    /// The state runtime functions see.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// The definitions programs are checked against.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// Register source text for diagnostics and stack traces.
    pub fn add_source(&mut self, name: &str, text: &str) -> FileId {
        self.shared.sources.write().add(name, text)
    }

    /// Read, check and run a file (items first, then globals and
    /// top-level statements in source order) as one transaction. Does not
    /// wait for spawned threads (see [`Engine::wait_threads`]).
    pub fn load_file(&mut self, path: impl AsRef<Path>) -> Result<Option<(u64, Type)>, Error> {
        let (name, text) = read_file(path.as_ref())?;
        self.run_source(&name, &text)
    }

    /// Check and run `text` as a file called `name` (one transaction: its
    /// definitions take effect, then its top-level code runs). Returns the
    /// value of a final expression, if any (a word and its type; see
    /// [`Engine::format_value`]).
    pub fn run_source(&mut self, name: &str, text: &str) -> Result<Option<(u64, Type)>, Error> {
        self.run_text(name, text, ember_lang::parser::Mode::File, Origin::Load)
    }

    /// Check and run one REPL entry (items and statements, and a final
    /// expression whose value is returned for echoing) as one transaction.
    /// Stack traces name the file `name` (`<repl>` in the REPL).
    pub fn run_entry(&mut self, name: &str, text: &str) -> Result<Option<(u64, Type)>, Error> {
        self.run_text(name, text, ember_lang::parser::Mode::Entry, Origin::Entry)
    }

    /// Reload file `name` with new contents `text` (LANGUAGE.md §7): its
    /// items are diffed against the current definitions and only what
    /// changed is compiled; globals whose type is unchanged keep their
    /// values, new ones (and retyped ones) are initialized; other top-level
    /// statements do not run again; items no longer in the file are
    /// removed, or kept with a warning while other definitions use them.
    /// Returns the reload report.
    pub fn reload_source(&mut self, name: &str, text: &str) -> Result<TransactionReport, Error> {
        let input = self.parse_input(name, text, ember_lang::parser::Mode::File, Origin::Reload)?;
        let (report, _) = self.apply_and_run(input)?;
        Ok(report)
    }

    /// [`Engine::reload_source`] with the file's current contents.
    pub fn reload_file(&mut self, path: impl AsRef<Path>) -> Result<TransactionReport, Error> {
        let (name, text) = read_file(path.as_ref())?;
        self.reload_source(&name, &text)
    }

    /// Roll definition `name` (a function, struct or global) back to
    /// version `version`, or to the one before the current version when
    /// `None`. This is a transaction like any redefinition (it is checked,
    /// dependents are recompiled, and it makes a new version).
    pub fn rollback(
        &mut self,
        kind: ItemKind,
        name: &str,
        version: Option<u32>,
    ) -> Result<TransactionReport, Error> {
        let Some(history) = self.versions.history(kind, name) else {
            return Err(Error::Invalid(format!(
                "no {kind} `{name}` was ever defined"
            )));
        };
        let current = history.current().map_or(0, |v| v.number);
        let target = match version {
            Some(v) => v,
            None if current > 1 => current - 1,
            None => {
                return Err(Error::Invalid(format!(
                    "{kind} `{name}` has only one version"
                )))
            }
        };
        let Some(v) = history.get(target) else {
            return Err(Error::Invalid(format!(
                "{kind} `{name}` has no version {target} (versions 1 to {current})"
            )));
        };
        let (text, source) = (v.text().to_string(), format!("{} (v{target})", v.source()));
        let input = self.parse_input(
            &source,
            &text,
            ember_lang::parser::Mode::Entry,
            Origin::Rollback,
        )?;
        let (report, _) = self.apply_and_run(input)?;
        Ok(report)
    }

    /// The version history of a definition.
    pub fn versions(&self, kind: ItemKind, name: &str) -> Option<&History> {
        self.versions.history(kind, name)
    }

    /// Statistics over every accepted transaction.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Code memory figures (live bytes include helpers and trampolines).
    pub fn code_stats(&self) -> crate::code::CodeStats {
        self.shared.code.lock().stats()
    }

    /// The report of the last accepted transaction.
    pub fn last_report(&self) -> Option<&TransactionReport> {
        self.last_report.as_ref()
    }

    /// Call `listener` after every accepted transaction (REPL entry, file
    /// load or reload, rollback) with its report.
    pub fn on_transaction(&mut self, listener: impl FnMut(&TransactionReport) + Send + 'static) {
        self.listeners.get_mut().push(Box::new(listener));
    }

    fn run_text(
        &mut self,
        name: &str,
        text: &str,
        mode: ember_lang::parser::Mode,
        origin: Origin,
    ) -> Result<Option<(u64, Type)>, Error> {
        let input = self.parse_input(name, text, mode, origin)?;
        self.apply_and_run(input).map(|(_, v)| v)
    }

    /// Register and parse `text` (called `name`) as the input of a
    /// transaction; its syntax errors (with the type errors of what could
    /// be parsed) are the error.
    fn parse_input<'a>(
        &mut self,
        name: &'a str,
        text: &str,
        mode: ember_lang::parser::Mode,
        origin: Origin,
    ) -> Result<Input<'a>, Error> {
        let started = Instant::now();
        let file = self.add_source(name, text);
        let (module, errors) = ember_lang::parser::parse(file, text, mode);
        self.syntax_errors(&module, errors)?;
        Ok(Input {
            file,
            source: name,
            module,
            origin,
            started,
            parse: started.elapsed(),
        })
    }

    /// Fail if parsing found errors, reporting the type errors of what
    /// could be parsed with them (as `ember check` does).
    fn syntax_errors(
        &self,
        module: &ember_lang::ast::Module,
        errors: Vec<Diagnostic>,
    ) -> Result<(), Error> {
        if errors.is_empty() {
            return Ok(());
        }
        let mut all = errors;
        if let Err(more) = ember_lang::check_module(module, &self.env) {
            all.extend(more);
        }
        all.sort_by_key(|d| (d.primary.file, d.primary.lo, d.primary.hi));
        Err(self.compile_error(all))
    }

    /// Apply a transaction, then run its top-level code.
    fn apply_and_run(
        &mut self,
        input: Input<'_>,
    ) -> Result<(TransactionReport, Option<(u64, Type)>), Error> {
        let applied = self.transact(input)?;
        if applied.pending.is_none() {
            self.last_report = Some(applied.report.clone());
        }
        let value = match applied.main {
            Some(main) => match self.run_main(main) {
                Ok(v) => v,
                Err(e) => {
                    // No half state: the definitions go back as they were.
                    if let Some(p) = applied.pending {
                        self.revert(p);
                    }
                    return Err(e);
                }
            },
            None => None,
        };
        if let Some(p) = applied.pending {
            self.settle(p);
            self.last_report = Some(applied.report.clone());
        }
        Ok((applied.report, value))
    }

    /// Run an installed `<main>` once on the engine's own thread context,
    /// then free it.
    fn run_main(&mut self, main: MainCode) -> Result<Option<(u64, Type)>, Error> {
        let run = self.main_run(main);
        // The echoed value is pinned as the entry returns (before any
        // collection can run) and stays alive until the next transaction.
        let value = run.run_with(&mut self.ctx, true).map_err(Error::Runtime)?;
        if let Some((word, ty)) = &value {
            if is_gc_ref(ty) && *word != 0 {
                self.last_value = Some(*word);
            }
        }
        Ok(value)
    }

    fn main_run(&mut self, main: MainCode) -> MainRun {
        let wrapper = self.res().entry_wrapper(&main.sig) as usize;
        MainRun {
            shared: self.shared.clone(),
            code: main.code,
            sig: main.sig,
            wrapper,
            slot: Box::new(std::sync::atomic::AtomicUsize::new(0)),
            live: None,
        }
    }

    /// Check and define file `name` (one transaction, like
    /// [`Engine::run_source`]) without running its top-level code: that
    /// comes back as a [`MainRun`] to run on any thread, e.g. while this
    /// engine applies reloads on another (`ember run --watch`).
    pub fn prepare_file(
        &mut self,
        name: &str,
        text: &str,
    ) -> Result<(TransactionReport, Option<MainRun>), Error> {
        let input = self.parse_input(name, text, ember_lang::parser::Mode::File, Origin::Load)?;
        let applied = self.transact(input)?;
        self.last_report = Some(applied.report.clone());
        let run = applied.main.map(|m| {
            // Until it has run, later transactions must not break it.
            let token = Arc::new(());
            self.live_mains.push(LiveMain {
                token: Arc::downgrade(&token),
                deps: m.deps.clone(),
                source: name.to_string(),
            });
            let mut run = self.main_run(m);
            run.live = Some(token);
            run
        });
        Ok((applied.report, run))
    }

    /// A handle to call function `name` from any thread; it follows
    /// redefinitions with the same signature.
    pub fn function_handle(&mut self, name: &str) -> Result<FnHandle, Error> {
        let Some(f) = self.defs.functions.get(name) else {
            return Err(Error::Invalid(format!("no function `{name}` is defined")));
        };
        let (slot_addr, sig) = (f.slot_addr as usize, f.sig.clone());
        let wrapper = self.res().entry_wrapper(&sig) as usize;
        Ok(FnHandle {
            shared: self.shared.clone(),
            name: name.into(),
            slot_addr,
            wrapper,
            sig,
        })
    }

    /// Call function `name` with argument words (one per parameter, in the
    /// RUNTIME.md representation); its result word.
    pub fn call(&mut self, name: &str, args: &[u64]) -> Result<u64, Error> {
        let Some(f) = self.defs.functions.get(name) else {
            return Err(Error::Internal(format!("no function `{name}`")));
        };
        if f.sig.params.len() != args.len() {
            return Err(Error::Internal(format!(
                "`{name}` takes {} arguments",
                f.sig.params.len()
            )));
        }
        let (slot, sig) = (f.slot_addr as usize, f.sig.clone());
        let wrapper = self.res().entry_wrapper(&sig) as usize;
        enter(&mut self.ctx, slot, wrapper, args).map_err(Error::Runtime)
    }

    /// Register a host function callable from Ember code as `name` with
    /// Ember type `ty` (checked like any call, reached through a slot and
    /// an exit trampoline, RUNTIME.md).
    ///
    /// # Safety
    /// `f` must be the address of an
    /// `extern "C" fn(ctx: *mut ThreadCtx, args..) -> ret` whose parameters
    /// after `ctx` and result follow RUNTIME.md's representation of `ty`
    /// (`int`/references/fn values: `i64`; `float`: `f64`; `bool`: `u8`;
    /// `()` parameters: `u8` 0; a `()` result: no result). To fail, it calls
    /// [`crate::runtime::builtins::fail`] and returns any value.
    pub unsafe fn register_host(&mut self, name: &str, ty: FnType, f: usize) -> Result<(), Error> {
        let (_, addr) = self
            .res()
            .host_slot(&format!("host {name}"), &ty, f, None)?;
        self.defs
            .hosts
            .insert(name.to_string(), (addr, Arc::new(ty.clone())));
        self.env.hosts.insert(name.to_string(), ty);
        Ok(())
    }

    /// Install library function `f` as the implementation of standard
    /// function `b` (the host-function interface `ember-stdlib` uses; see
    /// [`crate::runtime::host`]). Calls go through a slot and an exit
    /// trampoline like every host call (made when code first calls `b`).
    /// Programs checked afterwards may call `b`; registering again replaces
    /// the implementation (same slot).
    ///
    /// Fails if `b` is a language intrinsic (lowered by the JIT itself, not
    /// in [`host::LIBRARY`]) or if `f`'s signature is not the one `b`'s
    /// lowering passes ([`host::library_signature`]).
    pub fn register_builtin(&mut self, b: Builtin, f: HostFn) -> Result<(), Error> {
        let Some(expected) = host::library_signature(b) else {
            return Err(Error::Internal(format!(
                "`{}` ({b:?}) is a language intrinsic, not a library function",
                b.name()
            )));
        };
        if f.signature() != expected {
            return Err(Error::Internal(format!(
                "`{}` ({b:?}) takes {expected:?}, not {:?}",
                b.name(),
                f.signature()
            )));
        }
        let sig = Arc::new(f.ember_type());
        // Code already calling `b` goes through its slot: re-point it now.
        let slot = match self.defs.builtins.get(&b).and_then(|e| e.slot) {
            Some((slot, _)) => Some(self.res().host_slot(
                &format!("builtin {}", b.name()),
                &sig,
                f.address(),
                Some(slot),
            )?),
            None => None,
        };
        self.defs.builtins.insert(b, LibraryEntry { f, sig, slot });
        self.env.builtins.insert(b);
        Ok(())
    }

    /// Make standard function `b` unavailable to programs checked from now
    /// on (calls are refused at check time with `why` as a note). Code
    /// already compiled keeps its calls.
    pub fn remove_builtin(&mut self, b: Builtin, why: impl Into<String>) {
        self.env.builtins.remove(b, why);
    }

    /// Which standard functions programs may call.
    pub fn builtins(&self) -> &ember_lang::Builtins {
        &self.env.builtins
    }

    /// The definition notices of the transactions run since the last call
    /// (one line each, e.g. `fn f redefined (v3): compile 14 µs, pause
    /// 2 µs`), oldest first; at most the last 1,000 are kept. The REPL
    /// prints them.
    pub fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }

    /// Text form of a value word of type `ty` (`quoted`: strings quoted,
    /// as the REPL echoes).
    pub fn format_value(&self, word: u64, ty: &Type, quoted: bool) -> String {
        builtins::format_word(&self.shared, word, ty, quoted)
    }

    /// Wait for every spawned thread; returns the runtime errors of
    /// threads nobody joined.
    pub fn wait_threads(&self) -> Vec<EmberError> {
        self.shared.wait_threads()
    }

    /// Limit every call into Ember code — [`Engine::run_source`],
    /// [`Engine::run_entry`], [`Engine::call`], a reload's initializers,
    /// [`FnHandle`] calls from any thread — to `limit` of wall time (`None`:
    /// no limit, the default). A call that runs longer stops at its next
    /// safe point with the runtime error `interrupted` (LANGUAGE.md §6),
    /// also while blocked in `recv`, `join` or `sleep`. Threads the call
    /// spawned are not limited: stop them with [`Engine::interrupt_handle`].
    /// A host function that calls back into Ember is covered by the limit
    /// of the outermost call.
    pub fn set_time_limit(&mut self, limit: Option<Duration>) {
        let nanos = limit.map_or(0, |d| d.as_nanos().clamp(1, u64::MAX as u128) as u64);
        self.shared.time_limit.store(nanos, Ordering::Relaxed);
    }

    /// The limit set by [`Engine::set_time_limit`].
    pub fn time_limit(&self) -> Option<Duration> {
        self.shared.time_limit()
    }

    /// A handle that interrupts the Ember code running in this engine (on
    /// any thread) from any thread: it stops at its next safe point with
    /// the runtime error `interrupted`.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle {
            shared: Arc::downgrade(&self.shared),
            only: None,
        }
    }

    /// A handle that interrupts only what the engine runs itself (a REPL
    /// entry, [`Engine::run_source`], [`Engine::call`]), not spawned
    /// threads nor other host threads' calls: the REPL's Ctrl-C.
    pub fn entry_interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle {
            shared: Arc::downgrade(&self.shared),
            only: Some(&*self.ctx as *const ThreadCtx as usize),
        }
    }

    /// Capture program output (`print`, `println`) in a buffer instead of
    /// writing it to standard output (`false` stops capturing).
    pub fn capture_output(&self, on: bool) {
        *self.shared.output.lock() = on.then(Vec::new);
    }

    /// The output captured so far (and clear the buffer).
    pub fn take_output(&self) -> String {
        let mut cap = self.shared.output.lock();
        let bytes = cap.as_mut().map(std::mem::take).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn res(&mut self) -> Res<'_> {
        Res {
            isa: &*self.isa,
            shared: &self.shared,
            defs: &mut self.defs,
            helper: &mut self.helper,
        }
    }

    /// Stage struct `s`'s new layouts (the codegen view and the heap's);
    /// returns the entry it replaces.
    pub(crate) fn stage_struct(&mut self, s: &StructDef) -> Option<StructEntry> {
        let heap_layout = heap::StructLayout::new(&s.name, s.fields.clone());
        self.shared.heap.register_layout(&heap_layout);
        let boxed = Box::new(heap_layout);
        let fields = s
            .fields
            .iter()
            .enumerate()
            .map(|(i, (n, t))| (n.clone(), t.clone(), boxed.field_offset(i)))
            .collect();
        let layout = Arc::new(StructLayout {
            name: s.name.clone(),
            fields,
            desc: &*boxed as *const Arc<heap::StructLayout> as u64,
            layout_ptr: Arc::as_ptr(&boxed) as u64,
        });
        self.defs.structs.insert(
            s.name.clone(),
            StructEntry {
                layout,
                heap_layout: boxed,
            },
        )
    }

    /// Stage global `g`: the same cell if its type is unchanged (the
    /// initializer writes it again), a new uninitialized cell otherwise;
    /// returns the reference it replaces.
    pub(crate) fn stage_global(&mut self, g: &GlobalDef) -> Option<GlobalRef> {
        if let Some(r) = self.defs.globals.get(&g.name) {
            if r.ty == g.ty {
                return Some(r.clone());
            }
        }
        let mut globals = self.shared.globals.write();
        let cell = Box::new([AtomicU64::new(0), AtomicU64::new(0)]);
        let addr = cell.as_ptr() as u64;
        let id = globals.len() as u32;
        globals.push(GlobalCell {
            name: g.name.clone(),
            ty: g.ty.clone(),
            cell,
        });
        drop(globals);
        self.defs.globals.insert(
            g.name.clone(),
            GlobalRef {
                addr,
                id,
                ty: g.ty.clone(),
            },
        )
    }

    /// Stage function `f`: its slot for `(name, signature)` (the same slot
    /// as before when the signature is unchanged); returns the entry it
    /// replaces.
    pub(crate) fn stage_fn(
        &mut self,
        f: &FnDef,
        decl: Arc<ember_lang::ast::FnDecl>,
    ) -> Result<Option<FnEntry>, Error> {
        let sig = Arc::new(f.sig.clone());
        let slot = self
            .shared
            .slots
            .alloc(&f.name, &sig.to_string())
            .map_err(|e| Error::Internal(e.to_string()))?;
        let slot_addr = self.shared.slots.address(slot) as u64;
        Ok(self.defs.functions.insert(
            f.name.clone(),
            FnEntry {
                slot,
                slot_addr,
                sig,
                decl,
            },
        ))
    }

    /// Free installed code no slot and no frame can reach any more.
    pub(crate) fn free_code(&mut self, ptr: CodePtr) {
        self.shared.registry.write().remove(ptr.addr());
        let _ = self.shared.code.lock().free(ptr);
    }

    /// A stub for the old slot (at `slot_addr`) of a function whose
    /// signature changed: calls from code compiled against the old
    /// signature raise a runtime error naming the function.
    pub(crate) fn stale_stub(&mut self, slot_addr: u64) -> usize {
        if let Some(&stub) = self.defs.stale_stubs.get(&slot_addr) {
            return stub;
        }
        let mut res = self.res();
        let rt_slot = res.runtime(RtFn::Stale);
        res.helper.cctx.clear();
        build_stale_stub(
            res.isa,
            rt_slot,
            slot_addr,
            &mut res.helper.cctx.func,
            &mut res.helper.fctx,
        );
        let stub = res.install_helper("stale");
        self.defs.stale_stubs.insert(slot_addr, stub);
        stub
    }

    /// Migrate the live instances of `names` (structs whose staged layout
    /// differs from the one in `undo`) with the world stopped; the number
    /// of instances migrated.
    pub(crate) fn migrate_structs(
        &mut self,
        names: &std::collections::BTreeSet<String>,
        old_entries: &[(String, Option<StructEntry>)],
    ) -> Result<usize, Error> {
        let mut migrations = Vec::new();
        for name in names {
            let Some((_, Some(old))) = old_entries.iter().find(|(n, _)| n == name) else {
                continue;
            };
            let Some(new) = self.defs.structs.get(name) else {
                continue;
            };
            migrations.push(heap::StructMigration::by_name_and_type(
                (*old.heap_layout).clone(),
                (*new.heap_layout).clone(),
            ));
        }
        if migrations.is_empty() {
            return Ok(0);
        }
        let roots = builtins::root_slots(&self.shared);
        let m = self.ctx.mutator.as_mut().expect("mutator");
        // SAFETY: the world is stopped (the caller holds `stop_world`), the
        // root slots are the exact reference words of the globals and of
        // every parked thread's frames (stack maps), and no running frame
        // uses the old layouts (checked by the caller).
        let stats = unsafe { heap::migrate_structs(&self.shared.heap, m, &migrations, &roots) }
            .map_err(|e| Error::Runtime(EmberError::new(e.message)))?;
        Ok(stats.objects)
    }

    pub(crate) fn compile_fn(&mut self, def: &FnDef) -> Result<CompiledFunction, Error> {
        Ok(self.compile_fn_at(def, Tier::Optimized)?.0)
    }

    /// Translate and compile `def` at `tier`; at [`Tier::Quick`] also the
    /// translated Cranelift function, for the optimizer.
    pub(crate) fn compile_fn_at(
        &mut self,
        def: &FnDef,
        tier: Tier,
    ) -> Result<(CompiledFunction, Option<cranelift_codegen::ir::Function>), Error> {
        self.cctx.clear();
        let mut res = Res {
            isa: &*self.isa,
            shared: &self.shared,
            defs: &mut self.defs,
            helper: &mut self.helper,
        };
        translate_function(
            &*self.isa,
            &mut res,
            def,
            &mut self.cctx.func,
            &mut self.fctx,
        )?;
        match tier {
            Tier::Optimized => Ok((codegen::compile(&*self.isa, &mut self.cctx)?, None)),
            Tier::Quick => {
                let func = self.cctx.func.clone();
                Ok((
                    codegen::compile(&*self.quick_isa, &mut self.cctx)?,
                    Some(func),
                ))
            }
        }
    }

    /// Copy a compiled body into code memory and register it.
    /// `uses_structs`: the structs the body mentions (its dependencies).
    pub(crate) fn install(
        &mut self,
        def: &FnDef,
        c: CompiledFunction,
        uses_structs: Box<[String]>,
    ) -> Result<CodePtr, Error> {
        let ptr = self
            .shared
            .code
            .lock()
            .alloc_and_write(&c.code, crate::code::memory::FUNCTION_ALIGN)
            .map_err(|e| Error::Internal(e.to_string()))?;
        self.shared.registry.write().insert(FuncInfo {
            name: def.name.clone(),
            file: def.span.file,
            start: ptr.addr(),
            len: c.code.len(),
            srclocs: c.srclocs,
            stack_maps: c.stack_maps,
            uses_structs,
        });
        Ok(ptr)
    }
}

/// How redefined bodies are compiled (`EMBER_TIER`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TierPolicy {
    /// Quick first, optimized in the background (the default).
    QuickThenOptimized,
    /// `EMBER_TIER=optimized`: optimized at once, no tier-up.
    Optimized,
    /// `EMBER_TIER=quick`: quick only (to test the quick tier).
    QuickOnly,
}

fn tier_policy() -> TierPolicy {
    match std::env::var("EMBER_TIER").as_deref() {
        Ok("optimized") => TierPolicy::Optimized,
        Ok("quick") => TierPolicy::QuickOnly,
        _ => TierPolicy::QuickThenOptimized,
    }
}

const _: () = {
    const fn assert_send<T: Send>() {}
    assert_send::<Engine>();
};

impl Drop for Engine {
    fn drop(&mut self) {
        // Threads use the code and the heap: wait for them first.
        self.shared.wait_threads();
        self.shared.unregister_ctx(&self.ctx);
    }
}

/// The signature of a host function's exit trampoline: the Ember call
/// signature of `ty`, with `i8` (`bool`) parameters zero-extended when the
/// trampoline passes them on, as C (and Rust's `bool`/`u8`) expects.
fn host_signature(
    call_conv: cranelift_codegen::isa::CallConv,
    ty: &FnType,
) -> cranelift_codegen::ir::Signature {
    let mut sig = codegen::ember_signature(call_conv, ty);
    for p in sig.params.iter_mut() {
        if p.value_type == cranelift_codegen::ir::types::I8 {
            *p = p.uext();
        }
    }
    sig
}

/// Compile every function of `program` (and its `<main>`) for `isa`
/// without installing anything: cross-compilation checks (e.g. aarch64).
pub fn compile_for_isa(isa: &dyn TargetIsa, program: &Program) -> Result<usize, CodegenError> {
    struct Fake {
        sigs: HashMap<String, Arc<FnType>>,
        structs: HashMap<String, Arc<StructLayout>>,
        globals: HashMap<String, GlobalRef>,
    }
    impl Resolver for Fake {
        fn function(&mut self, name: &str) -> Option<(u64, Arc<FnType>)> {
            self.sigs.get(name).map(|s| (0x1000, s.clone()))
        }
        fn host(&mut self, _name: &str) -> Option<(u64, Arc<FnType>)> {
            None
        }
        fn builtin(&mut self, b: Builtin) -> Option<(u64, Arc<FnType>)> {
            host::library_type(b).map(|ft| (0x2800, Arc::new(ft)))
        }
        fn runtime(&mut self, _f: RtFn) -> u64 {
            0x2000
        }
        fn global(&mut self, name: &str) -> Option<GlobalRef> {
            self.globals.get(name).cloned()
        }
        fn struct_layout(&mut self, name: &str) -> Option<Arc<StructLayout>> {
            self.structs.get(name).cloned()
        }
        fn string_literal(&mut self, _text: &str) -> u64 {
            0x3000
        }
        fn type_desc(&mut self, _ty: &Type) -> u64 {
            0x4000
        }
        fn entry_wrapper(&mut self, _ft: &FnType) -> u64 {
            0x5000
        }
    }
    let mut fake = Fake {
        sigs: program
            .functions
            .iter()
            .map(|f| (f.name.clone(), Arc::new(f.sig.clone())))
            .collect(),
        structs: program
            .structs
            .iter()
            .map(|s| {
                let fields = s
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, (n, t))| (n.clone(), t.clone(), heap::object::field_offset(i)))
                    .collect();
                (
                    s.name.clone(),
                    Arc::new(StructLayout {
                        name: s.name.clone(),
                        fields,
                        desc: 0x6000,
                        layout_ptr: 0x6100,
                    }),
                )
            })
            .collect(),
        globals: program
            .globals
            .iter()
            .enumerate()
            .map(|(i, g)| {
                (
                    g.name.clone(),
                    GlobalRef {
                        addr: 0x7000 + 16 * i as u64,
                        id: i as u32,
                        ty: g.ty.clone(),
                    },
                )
            })
            .collect(),
    };
    let mut fctx = FunctionBuilderContext::new();
    let mut cctx = Context::new();
    let mut bytes = 0;
    for f in program
        .functions
        .iter()
        .chain(std::iter::once(&program.main))
    {
        cctx.clear();
        translate_function(isa, &mut fake, f, &mut cctx.func, &mut fctx)?;
        bytes += codegen::compile(isa, &mut cctx)?.code.len();
    }
    // Helpers too.
    for f in RtFn::ALL {
        cctx.clear();
        build_exit_trampoline(
            isa,
            f.name(),
            runtime_signature(isa.default_call_conv(), *f),
            0x8000,
            0x9000,
            &mut cctx.func,
            &mut fctx,
        );
        bytes += codegen::compile(isa, &mut cctx)?.code.len();
    }
    // The stubs slots hold when they have no body.
    cctx.clear();
    build_undefined_stub(isa, 0x2000, &mut cctx.func, &mut fctx);
    bytes += codegen::compile(isa, &mut cctx)?.code.len();
    cctx.clear();
    build_stale_stub(isa, 0x2000, 0x1000, &mut cctx.func, &mut fctx);
    bytes += codegen::compile(isa, &mut cctx)?.code.len();
    for &b in host::LIBRARY {
        let ft = host::library_type(b).expect("library function");
        cctx.clear();
        build_exit_trampoline(
            isa,
            b.name(),
            host_signature(isa.default_call_conv(), &ft),
            0x8000,
            0x9000,
            &mut cctx.func,
            &mut fctx,
        );
        bytes += codegen::compile(isa, &mut cctx)?.code.len();
    }
    for f in program
        .functions
        .iter()
        .chain(std::iter::once(&program.main))
    {
        cctx.clear();
        build_entry_wrapper(isa, &f.sig, &mut cctx.func, &mut fctx);
        bytes += codegen::compile(isa, &mut cctx)?.code.len();
    }
    Ok(bytes)
}

fn read_file(path: &Path) -> Result<(String, String), Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Internal(format!("cannot read {}: {e}", path.display())))?;
    Ok((path.display().to_string(), text))
}

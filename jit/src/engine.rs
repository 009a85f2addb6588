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
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Instant;

use cranelift_codegen::isa::{OwnedTargetIsa, TargetIsa};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use ember_lang::tir::{Builtin, FnDef, Program, StructDef};
use ember_lang::types::{FnType, Type};
use ember_lang::{Diagnostic, Env, FileId, GlobalInfo, SourceMap};
use parking_lot::{Mutex, RwLock};

use crate::code::{CodeMemory, CodePtr, SlotId, SlotTable};
use crate::codegen::function::runtime_signature;
use crate::codegen::srcloc::{FuncInfo, Registry};
use crate::codegen::trampolines::{
    build_entry_wrapper, build_exit_trampoline, build_undefined_stub,
};
use crate::codegen::{
    self, is_gc_ref, translate_function, CodegenError, CompiledFunction, GlobalRef, Resolver,
    StructLayout,
};
use crate::runtime::builtins::{self, RtFn};
use crate::runtime::ctx::{ThreadCtx, STATE_OUTSIDE, STATE_PARKED, STATE_RUNNING};
use crate::runtime::errors::EmberError;
use crate::runtime::heap::{self, Heap};
use crate::runtime::host::{self, HostFn};
use crate::runtime::unwind;

/// Why running source text failed.
#[derive(Debug)]
pub enum Error {
    /// Syntax or type errors; `rendered` is what `ember check` prints.
    Compile {
        diagnostics: Vec<Diagnostic>,
        rendered: String,
    },
    /// A runtime error (message and Ember stack).
    Runtime(EmberError),
    /// The back end failed (a bug), or the file could not be read.
    Internal(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Compile { rendered, .. } => f.write_str(rendered),
            Error::Runtime(e) => write!(f, "{e}"),
            Error::Internal(m) => f.write_str(m),
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
    tasks: Mutex<Vec<Arc<TaskState>>>,
    this: OnceLock<Weak<Shared>>,
    /// When set, `print`/`println` append here instead of writing to
    /// standard output.
    output: Mutex<Option<Vec<u8>>>,
    /// Addresses of the live thread contexts (for safe-point requests).
    pub contexts: Mutex<Vec<usize>>,
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
}

impl Shared {
    /// Name of global `id` (for `global NAME used before initialization`).
    pub fn global_name(&self, id: u32) -> String {
        self.globals
            .read()
            .get(id as usize)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| "?".to_string())
    }

    /// Every initialized global holding a heap reference.
    pub fn global_roots(&self, visit: &mut dyn FnMut(u64)) {
        for g in self.globals.read().iter() {
            if is_gc_ref(&g.ty) && g.cell[1].load(Ordering::Acquire) != 0 {
                visit(g.cell[0].load(Ordering::Acquire));
            }
        }
    }

    /// Enter the running state (waiting out a collection in progress).
    pub fn resume(&self, t: &ThreadCtx) {
        let mut g = self.stw.lock();
        while *g {
            self.stw_cv.wait(&mut g);
        }
        t.state.store(STATE_RUNNING, Ordering::SeqCst);
    }

    /// Leave the running state (`STATE_PARKED` or `STATE_OUTSIDE`).
    pub fn pause(&self, t: &ThreadCtx, state: usize) {
        let _g = self.stw.lock();
        t.state.store(state, Ordering::SeqCst);
        self.stw_cv.notify_all();
    }

    /// A safe point was requested on thread `t` (poll slow path). If the
    /// heap asked for a collection, stop the world: the first thread here
    /// requests a safe point from every other thread, waits until none is
    /// running Ember code, collects with every stopped thread's frames as
    /// roots, and lets them all go on.
    pub fn safepoint(&self, t: &mut ThreadCtx) {
        if !self.heap.gc_requested() {
            return;
        }
        let mut g = self.stw.lock();
        t.state.store(STATE_PARKED, Ordering::SeqCst);
        self.stw_cv.notify_all();
        if *g || !self.heap.gc_requested() {
            // Another thread collects (or just did).
            while *g {
                self.stw_cv.wait(&mut g);
            }
            t.state.store(STATE_RUNNING, Ordering::SeqCst);
            return;
        }
        *g = true;
        drop(g);
        builtins::request_all(self, crate::runtime::ctx::REQUEST_SAFEPOINT);
        let me = t as *const ThreadCtx as usize;
        let mut g = self.stw.lock();
        while !builtins::all_stopped(self, me) {
            self.stw_cv
                .wait_for(&mut g, std::time::Duration::from_millis(1));
        }
        drop(g);
        builtins::collect_garbage(self);
        let mut g = self.stw.lock();
        *g = false;
        t.state.store(STATE_RUNNING, Ordering::SeqCst);
        self.stw_cv.notify_all();
    }

    fn register_ctx(&self, ctx: &ThreadCtx) {
        self.contexts.lock().push(ctx as *const ThreadCtx as usize);
    }

    fn unregister_ctx(&self, ctx: &ThreadCtx) {
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
        // Reference arguments stay pinned until the thread has finished.
        let roots: Vec<u64> = args
            .iter()
            .enumerate()
            .filter(|(i, _)| ref_args.get(*i).copied().unwrap_or(false))
            .map(|(_, w)| *w)
            .collect();
        for &r in &roots {
            self.heap.pin(r);
        }
        let state = Arc::new(TaskState::default());
        let st2 = state.clone();
        let handle = std::thread::Builder::new()
            .name("ember-task".into())
            .stack_size(64 << 20)
            .spawn(move || {
                let mut ctx = new_thread_ctx(&me);
                let r = enter(&mut ctx, slot, wrapper, &args).map(|_| ());
                me.unregister_ctx(&ctx);
                drop(ctx);
                for &w in &roots {
                    me.heap.unpin(w);
                }
                r
            })
            .map_err(|e| heap::RuntimeError::new(format!("spawn failed: {e}")))?;
        *st2.handle.lock() = Some(handle);
        self.tasks.lock().push(state.clone());
        let payload: heap::TaskPayload = Box::new(state);
        let task = heap::task_new(t.mutator.as_mut().expect("mutator"), payload)?;
        Ok(task.word())
    }

    /// `join(task)`: wait for the thread; its runtime error, if any.
    pub fn join(&self, t: &mut ThreadCtx, task: u64) -> Result<(), EmberError> {
        let state = builtins::task_state(task);
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

/// Interrupts the Ember code of one engine; see
/// [`Engine::interrupt_handle`].
#[derive(Clone, Debug)]
pub struct InterruptHandle {
    shared: Weak<Shared>,
}

impl InterruptHandle {
    /// Make every thread running Ember code in the engine stop with
    /// `interrupted` at its next safe point (function entry, loop
    /// back-edge, or a blocking `recv`). Threads not running Ember code
    /// are not affected.
    pub fn interrupt(&self) {
        if let Some(sh) = self.shared.upgrade() {
            builtins::request_running(&sh, crate::runtime::ctx::REQUEST_INTERRUPT);
        }
    }
}

/// A fresh context for the current thread.
fn new_thread_ctx(shared: &Arc<Shared>) -> Box<ThreadCtx> {
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
fn enter(
    ctx: &mut ThreadCtx,
    slot: usize,
    wrapper: usize,
    args: &[u64],
) -> Result<u64, EmberError> {
    let sh = builtins::shared(ctx);
    let outer = ctx.state.load(Ordering::SeqCst);
    if outer != STATE_RUNNING {
        ctx.clear_interrupt();
        sh.resume(ctx);
    }
    let r = enter_running(ctx, slot, wrapper, args);
    if outer != STATE_RUNNING {
        sh.pause(ctx, outer);
    }
    r
}

fn enter_running(
    ctx: &mut ThreadCtx,
    slot: usize,
    wrapper: usize,
    args: &[u64],
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
    // unwinding only discards frames of compiled code and trampolines.
    let r = unsafe {
        let jmp = std::ptr::addr_of_mut!((*ctx_ptr).jmp_buf) as *mut unwind::JmpBuf;
        unwind::enter(ctx_ptr as *mut u8, jmp, wrapper, args.as_ptr(), &mut ret)
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

/// An installed function.
struct FnEntry {
    slot: SlotId,
    slot_addr: u64,
    sig: Arc<FnType>,
    code: Option<CodePtr>,
}

/// A struct's layouts: the codegen view and the heap's (boxed for a stable
/// address passed to `struct_new`).
struct StructEntry {
    _def: StructDef,
    layout: Arc<StructLayout>,
    // Boxed so that the `Arc` itself has a stable address: compiled code
    // passes that address to `struct_new`.
    #[allow(clippy::redundant_allocation)]
    _heap_layout: Box<Arc<heap::StructLayout>>,
}

/// Definitions and helper code (everything [`Resolver`] answers from).
#[derive(Default)]
struct Defs {
    functions: HashMap<String, FnEntry>,
    structs: HashMap<String, StructEntry>,
    /// Replaced struct entries: code compiled against them may still run
    /// and embeds their addresses, so they live as long as the engine.
    retired_structs: Vec<StructEntry>,
    globals: HashMap<String, GlobalRef>,
    rt_slots: HashMap<RtFn, u64>,
    hosts: HashMap<String, (u64, Arc<FnType>)>,
    /// Registered library functions.
    builtins: HashMap<Builtin, LibraryEntry>,
    wrappers: HashMap<FnType, usize>,
    literals: HashMap<String, u64>,
    type_descs: HashMap<Type, Box<Type>>,
}

/// A registered library function; its trampoline and slot are made when
/// code first calls it (engine start-up compiles nothing for the library).
struct LibraryEntry {
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
    isa: OwnedTargetIsa,
    shared: Arc<Shared>,
    ctx: Box<ThreadCtx>,
    fctx: FunctionBuilderContext,
    cctx: Context,
    helper: Helper,
    defs: Defs,
    env: Env,
    /// The last `<main>` value returned (pinned until the next run).
    last_value: Option<u64>,
    /// Definition notices not yet taken ([`Engine::take_notices`]).
    notices: Vec<String>,
}

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
    ctx: &'e mut ThreadCtx,
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
        let m = self.ctx.mutator.as_mut().expect("mutator");
        let s = heap::str_new(m, text).expect("literal allocation");
        self.shared.heap.pin(s.word());
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
        let isa = codegen::host_isa()?;
        let code = CodeMemory::new().map_err(|e| Error::Internal(e.to_string()))?;
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
            tasks: Mutex::new(Vec::new()),
            this: OnceLock::new(),
            output: Mutex::new(None),
            contexts: Mutex::new(Vec::new()),
        });
        let _ = shared.this.set(Arc::downgrade(&shared));
        let weak = Arc::downgrade(&shared);
        shared.heap.set_gc_request_hook(Arc::new(move || {
            if let Some(sh) = weak.upgrade() {
                builtins::request_all(&sh, crate::runtime::ctx::REQUEST_SAFEPOINT);
            }
        }));
        let ctx = new_thread_ctx(&shared);
        let mut engine = Engine {
            isa,
            shared,
            ctx,
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
    /// top-level statements in source order). Does not wait for spawned
    /// threads (see [`Engine::wait_threads`]).
    pub fn load_file(&mut self, path: impl AsRef<Path>) -> Result<Option<(u64, Type)>, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Internal(format!("cannot read {}: {e}", path.display())))?;
        self.run_source(&path.display().to_string(), &text)
    }

    /// Check and run `text` as a file called `name`. Returns the value of
    /// a final expression, if any (a word and its type; see
    /// [`Engine::format_value`]).
    pub fn run_source(&mut self, name: &str, text: &str) -> Result<Option<(u64, Type)>, Error> {
        let file = self.add_source(name, text);
        let checked = ember_lang::check_file(file, text, &self.env);
        self.run_checked(file, checked)
    }

    /// Check and run one REPL entry (items and statements, and a final
    /// expression whose value is returned for echoing). Stack traces name
    /// the file `name` (`<repl>` in the REPL).
    pub fn run_entry(&mut self, name: &str, text: &str) -> Result<Option<(u64, Type)>, Error> {
        let file = self.add_source(name, text);
        let (module, mut errors) = ember_lang::parse_entry(file, text);
        let checked = match ember_lang::check_module(&module, &self.env) {
            Ok(p) if errors.is_empty() => Ok(p),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.extend(more);
                Err(errors)
            }
        };
        self.run_checked(file, checked)
    }

    fn run_checked(
        &mut self,
        file: FileId,
        checked: Result<Program, Vec<Diagnostic>>,
    ) -> Result<Option<(u64, Type)>, Error> {
        let program = match checked {
            Ok(p) => p,
            Err(mut diagnostics) => {
                if diagnostics.is_empty() {
                    diagnostics.push(Diagnostic::error(
                        "E0000",
                        "internal error: the checker rejected the program without a diagnostic",
                        ember_lang::Span::new(file, 0, 0),
                    ));
                }
                let sources = self.shared.sources.read();
                let mut rendered = ember_lang::render::render(&diagnostics, &sources, false);
                rendered.push_str(&ember_lang::render::summary(&diagnostics));
                return Err(Error::Compile {
                    diagnostics,
                    rendered,
                });
            }
        };
        self.run_program(&program)
    }

    /// Define every struct, global and function of `program`, then run its
    /// `<main>`. Returns `<main>`'s value (REPL echo), if it has one.
    pub fn run_program(&mut self, program: &Program) -> Result<Option<(u64, Type)>, Error> {
        // Compiling allocates (string literals): no collection meanwhile.
        self.shared.resume(&self.ctx);
        let r = self.run_program_running(program);
        self.shared.pause(&self.ctx, STATE_OUTSIDE);
        r
    }

    fn run_program_running(&mut self, program: &Program) -> Result<Option<(u64, Type)>, Error> {
        self.define(program)?;
        if let ember_lang::tir::TExprKind::Block(b) = &program.main.body.kind {
            if b.stmts.is_empty() && b.tail.is_none() {
                // Nothing to run (a file or entry of items only).
                return Ok(None);
            }
        }
        let main = &program.main;
        let compiled = self.compile_fn(main)?;
        let ptr = self.install(main, compiled)?;
        let ft = main.sig.clone();
        let wrapper = self.res().entry_wrapper(&ft) as usize;
        // `<main>` runs from a slot of its own, like any function.
        let slot = self
            .shared
            .slots
            .alloc("<main>", &ft.to_string())
            .map_err(|e| Error::Internal(e.to_string()))?;
        self.shared.slots.set(slot, ptr.addr());
        let slot_addr = self.shared.slots.address(slot);
        let r = enter(&mut self.ctx, slot_addr, wrapper, &[]);
        // This `<main>` will not run again: free its code.
        self.shared.registry.write().remove(ptr.addr());
        let _ = self.shared.code.lock().free(ptr);
        let word = r.map_err(Error::Runtime)?;
        // The echoed value stays alive until the next run.
        if let Some(old) = self.last_value.take() {
            self.shared.heap.unpin(old);
        }
        if is_gc_ref(&ft.ret) && word != 0 {
            self.shared.heap.pin(word);
            self.last_value = Some(word);
        }
        Ok(codegen::clif_type(&ft.ret).map(|_| (word, ft.ret.clone())))
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
    /// 2 µs`), oldest first. The REPL prints them.
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

    /// A handle that interrupts the Ember code running in this engine (on
    /// any thread) from any thread: it stops at its next safe point with
    /// the runtime error `interrupted`.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle {
            shared: Arc::downgrade(&self.shared),
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
            ctx: &mut self.ctx,
        }
    }

    /// Make the program's structs, globals and function slots known, then
    /// compile and install every function.
    fn define(&mut self, program: &Program) -> Result<(), Error> {
        for s in &program.structs {
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
            let old = self.defs.structs.insert(
                s.name.clone(),
                StructEntry {
                    _def: s.clone(),
                    layout,
                    _heap_layout: boxed,
                },
            );
            self.defs.retired_structs.extend(old);
            self.env.structs.insert(s.name.clone(), s.clone());
        }
        for g in &program.globals {
            let keep = self.defs.globals.get(&g.name).is_some_and(|r| r.ty == g.ty);
            if !keep {
                let mut globals = self.shared.globals.write();
                let cell = Box::new([AtomicU64::new(0), AtomicU64::new(0)]);
                let addr = cell.as_ptr() as u64;
                let id = globals.len() as u32;
                globals.push(GlobalCell {
                    name: g.name.clone(),
                    ty: g.ty.clone(),
                    cell,
                });
                self.defs.globals.insert(
                    g.name.clone(),
                    GlobalRef {
                        addr,
                        id,
                        ty: g.ty.clone(),
                    },
                );
            }
            self.env.globals.insert(
                g.name.clone(),
                GlobalInfo {
                    ty: g.ty.clone(),
                    mutable: g.mutable,
                },
            );
        }
        for f in &program.functions {
            let sig = Arc::new(f.sig.clone());
            let slot = self
                .shared
                .slots
                .alloc(&f.name, &sig.to_string())
                .map_err(|e| Error::Internal(e.to_string()))?;
            let slot_addr = self.shared.slots.address(slot) as u64;
            let old = self.defs.functions.insert(
                f.name.clone(),
                FnEntry {
                    slot,
                    slot_addr,
                    sig,
                    code: None,
                },
            );
            // Old code stays (a frame may still run it) until issue 4's
            // reclamation; keep its pointer reachable for that.
            let _ = old.map(|o| o.code);
            self.env.functions.insert(f.name.clone(), f.sig.clone());
            self.notices.push(format!("fn {} defined", f.name));
        }
        let mut compiled = Vec::with_capacity(program.functions.len());
        for f in &program.functions {
            compiled.push(self.compile_fn(f)?);
        }
        for (f, c) in program.functions.iter().zip(compiled) {
            let ptr = self.install(f, c)?;
            let entry = self
                .defs
                .functions
                .get_mut(&f.name)
                .expect("slot allocated");
            entry.code = Some(ptr);
            self.shared.slots.set(entry.slot, ptr.addr());
        }
        Ok(())
    }

    fn compile_fn(&mut self, def: &FnDef) -> Result<CompiledFunction, Error> {
        self.cctx.clear();
        let mut res = Res {
            isa: &*self.isa,
            shared: &self.shared,
            defs: &mut self.defs,
            helper: &mut self.helper,
            ctx: &mut self.ctx,
        };
        translate_function(
            &*self.isa,
            &mut res,
            def,
            &mut self.cctx.func,
            &mut self.fctx,
        )?;
        let compiled = codegen::compile(&*self.isa, &mut self.cctx)?;
        Ok(compiled)
    }

    /// Copy a compiled body into code memory and register it.
    fn install(&mut self, def: &FnDef, c: CompiledFunction) -> Result<CodePtr, Error> {
        let ptr = self
            .shared
            .code
            .lock()
            .alloc_and_write(&c.code, 16)
            .map_err(|e| Error::Internal(e.to_string()))?;
        self.shared.registry.write().insert(FuncInfo {
            name: def.name.clone(),
            file: def.span.file,
            start: ptr.addr(),
            len: c.code.len(),
            srclocs: c.srclocs,
            stack_maps: c.stack_maps,
        });
        Ok(ptr)
    }
}

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

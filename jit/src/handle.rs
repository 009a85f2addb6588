//! Calling Ember from any host thread: [`FnHandle`] (a function by name
//! and signature, following redefinition) and [`MainRun`] (a file's
//! top-level code, run outside the engine so that the engine can apply
//! reloads while it runs).
//!
//! Each host thread that calls into an engine gets its own thread context
//! (registered with the engine, so stop-the-world pauses and collections
//! see it), kept in a thread-local table and unregistered when the thread
//! ends.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use ember_lang::types::{FnType, Type};

use crate::code::CodePtr;
use crate::engine::{enter, new_thread_ctx, Shared};
use crate::runtime::ctx::ThreadCtx;
use crate::runtime::errors::EmberError;
use crate::runtime::traps::CURRENT;

/// A thread's context for one engine.
struct Local {
    shared: Weak<Shared>,
    ctx: Box<ThreadCtx>,
}

impl Drop for Local {
    fn drop(&mut self) {
        // The cache must not name a context that is gone.
        let me = &*self.ctx as *const ThreadCtx as usize;
        if LAST.with(Cell::get).1 == me {
            LAST.with(|l| l.set((0, 0)));
        }
        if let Some(sh) = self.shared.upgrade() {
            sh.unregister_ctx(&self.ctx);
        }
    }
}

thread_local! {
    static LOCALS: RefCell<Vec<Local>> = const { RefCell::new(Vec::new()) };
    /// The last engine looked up in `LOCALS` and this thread's context
    /// for it, as addresses (`(0, 0)`: none): one compare instead of a
    /// search on every call. Valid while that entry is in the table, whose
    /// `Weak` keeps the engine's allocation (so no other engine can live
    /// at that address meanwhile); reset whenever the entry is dropped.
    /// `const`, without a destructor: readable even while the thread's
    /// other thread-locals are being destroyed.
    static LAST: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
    /// The contexts running Ember code on this thread *below* the
    /// innermost one (which [`CURRENT`] names), outermost first, by
    /// address. Only nested entries (Ember → host → Ember) push here, so
    /// an outermost entry touches nothing but `CURRENT`.
    static OUTER: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// Record that `ctx` runs Ember code on this thread until the returned
/// guard is dropped: it becomes [`CURRENT`] (the context the trap handler
/// ends an entry on, `runtime/traps.rs`, and the one a nested call into
/// the same engine from a host function must use — a second context
/// would wait for a stop of the world that waits for the first); the
/// entry it interrupts, if any, goes on the `OUTER` stack.
#[inline]
pub(crate) fn activate(ctx: &mut ThreadCtx) -> Active {
    let prev = CURRENT.with(|c| c.replace(ctx as *mut ThreadCtx as usize));
    if prev != 0 {
        OUTER.with(|o| o.borrow_mut().push(prev));
    }
    Active(prev)
}

/// See [`activate`]; holds the context `CURRENT` named before.
pub(crate) struct Active(usize);

impl Drop for Active {
    #[inline]
    fn drop(&mut self) {
        if self.0 != 0 {
            OUTER.with(|o| o.borrow_mut().pop());
        }
        CURRENT.with(|c| c.set(self.0));
    }
}

/// The innermost context running Ember code of engine `me` (an address)
/// on this thread, if any.
fn running_ctx(me: usize) -> Option<*mut ThreadCtx> {
    let cur = CURRENT.with(Cell::get);
    if cur == 0 {
        return None;
    }
    let of_me = |c: usize| {
        // SAFETY: `c` is `CURRENT` or on `OUTER`: a boxed context running
        // an entry further up this thread's stack (its guard takes it off
        // before the entry returns), so alive; only a plain field written
        // when it was made is read.
        unsafe { &*(c as *const ThreadCtx) }.runtime == me
    };
    if of_me(cur) {
        return Some(cur as *mut ThreadCtx);
    }
    OUTER.with(|o| {
        o.borrow()
            .iter()
            .rev()
            .copied()
            .find(|&c| of_me(c))
            .map(|c| c as *mut ThreadCtx)
    })
}

/// Run `f` with this thread's context for `shared`: the one running Ember
/// code of that engine on this thread, if any (a nested entry), else this
/// thread's own (made on first use). The table is not borrowed while `f`
/// runs, so `f` may call into Ember again.
#[inline]
pub(crate) fn with_ctx<R>(shared: &Arc<Shared>, f: impl FnOnce(&mut ThreadCtx) -> R) -> R {
    let me = Arc::as_ptr(shared) as usize;
    let running = match CURRENT.with(Cell::get) {
        0 => None,
        _ => running_ctx(me),
    };
    let ptr = match (running, LAST.with(Cell::get)) {
        (Some(c), _) => c,
        (None, (s, c)) if s == me => c as *mut ThreadCtx,
        (None, _) => own_ctx(shared),
    };
    // SAFETY: either the context is running Ember code further up this
    // thread's stack (`running_ctx`: a nested entry on it, which `enter`
    // supports, saving and restoring the outer state), or it is this
    // thread's own, boxed (stable address) and owned by this thread's
    // table, which only drops it when the engine is gone (not while
    // `shared` is borrowed here) or when the thread ends; nested calls on
    // this thread use it strictly inside this one, as nested entries do.
    f(unsafe { &mut *ptr })
}

/// This thread's own context for `shared` (made on first use), recorded
/// in `LAST`.
#[cold]
fn own_ctx(shared: &Arc<Shared>) -> *mut ThreadCtx {
    let ptr = LOCALS.with(|l| {
        let mut l = l.borrow_mut();
        // By address, without touching reference counts: a `Weak` keeps
        // its allocation, so no other engine can live at the address of
        // one in the table.
        if let Some(x) = l
            .iter_mut()
            .find(|x| std::ptr::eq(x.shared.as_ptr(), Arc::as_ptr(shared)))
        {
            return &mut *x.ctx as *mut ThreadCtx;
        }
        // First call from this thread: contexts of engines that are gone
        // are dropped on the way.
        l.retain(|x| x.shared.strong_count() > 0);
        l.push(Local {
            shared: Arc::downgrade(shared),
            ctx: new_thread_ctx(shared),
        });
        &mut *l.last_mut().expect("just pushed").ctx as *mut ThreadCtx
    });
    LAST.with(|c| c.set((Arc::as_ptr(shared) as usize, ptr as usize)));
    ptr
}

/// Is this thread running Ember code of engine `shared` (further up its
/// stack: a host function called from Ember is running now)?
pub fn running_on_this_thread(shared: &Arc<Shared>) -> bool {
    running_ctx(Arc::as_ptr(shared) as usize).is_some()
}

/// A script function by name and signature, callable from any thread.
/// It follows redefinitions with the same signature (it calls through the
/// function's slot); after a change of signature, calling it fails with a
/// runtime error naming the function.
#[derive(Clone, Debug)]
pub struct FnHandle {
    pub(crate) shared: Arc<Shared>,
    pub(crate) name: Arc<str>,
    pub(crate) slot_addr: usize,
    pub(crate) wrapper: usize,
    pub(crate) sig: Arc<FnType>,
}

impl FnHandle {
    /// The function's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The signature the handle was obtained for.
    pub fn signature(&self) -> &FnType {
        &self.sig
    }

    /// Call with argument words (RUNTIME.md representation, one per
    /// parameter); the result word. Reference arguments must be values
    /// the engine keeps alive.
    pub fn call_words(&self, args: &[u64]) -> Result<u64, EmberError> {
        if args.len() != self.sig.params.len() {
            return Err(EmberError::new(format!(
                "`{}` takes {} arguments, {} given",
                self.name,
                self.sig.params.len(),
                args.len()
            )));
        }
        with_ctx(&self.shared, |ctx| {
            enter(ctx, self.slot_addr, self.wrapper, args)
        })
    }
}

/// A transaction's top-level code, ready to run on any thread
/// ([`crate::Engine::prepare_file`]). Runs once.
#[derive(Debug)]
pub struct MainRun {
    pub(crate) shared: Arc<Shared>,
    pub(crate) code: CodePtr,
    pub(crate) sig: FnType,
    pub(crate) wrapper: usize,
    /// A private slot word pointing at the code (the entry wrapper calls
    /// through a slot).
    pub(crate) slot: Box<AtomicUsize>,
    /// Alive until the code has run: while it is, the engine refuses
    /// changes that would break it.
    pub(crate) live: Option<Arc<()>>,
}

impl MainRun {
    /// Run the code on this thread; its value word and type (a REPL
    /// entry's echo), if it has a value. The code is freed afterwards.
    pub fn run(self) -> Result<Option<(u64, Type)>, EmberError> {
        let shared = self.shared.clone();
        with_ctx(&shared, |ctx| self.run_with(ctx, false))
    }

    /// Run on `ctx` (a context of this thread for this engine).
    /// Run it on `ctx`; with `pin`, a reference result is pinned before
    /// the thread stops counting as running (so no collection can free it
    /// first): the caller unpins it.
    pub(crate) fn run_with(
        self,
        ctx: &mut ThreadCtx,
        pin: bool,
    ) -> Result<Option<(u64, Type)>, EmberError> {
        self.slot.store(self.code.addr(), Ordering::Release);
        let slot = &*self.slot as *const AtomicUsize as usize;
        let pin = pin && crate::runtime::heap::is_gc_ref(&self.sig.ret);
        let heap = &self.shared.heap;
        let r = crate::engine::enter_with(
            ctx,
            slot,
            self.wrapper,
            |_| Ok([]),
            |_, w| {
                if pin && w != 0 {
                    heap.pin(w);
                }
                Ok(w)
            },
        );
        // This `<main>` will not run again; a spawned thread never runs
        // it, so no other frame can be in it: free its code.
        self.shared.registry.write().remove(self.code.addr());
        let _ = self.shared.code.lock().free(self.code);
        let word = r?;
        Ok(crate::codegen::clif_type(&self.sig.ret).map(|_| (word, self.sig.ret.clone())))
    }
}

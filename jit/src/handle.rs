//! Calling Ember from any host thread: [`FnHandle`] (a function by name
//! and signature, following redefinition) and [`MainRun`] (a file's
//! top-level code, run outside the engine so that the engine can apply
//! reloads while it runs).
//!
//! Each host thread that calls into an engine gets its own thread context
//! (registered with the engine, so stop-the-world pauses and collections
//! see it), kept in a thread-local table and unregistered when the thread
//! ends.

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use ember_lang::types::{FnType, Type};

use crate::code::CodePtr;
use crate::engine::{enter, new_thread_ctx, Shared};
use crate::runtime::ctx::ThreadCtx;
use crate::runtime::errors::EmberError;

/// A thread's context for one engine.
struct Local {
    shared: Weak<Shared>,
    ctx: Box<ThreadCtx>,
}

impl Drop for Local {
    fn drop(&mut self) {
        if let Some(sh) = self.shared.upgrade() {
            sh.unregister_ctx(&self.ctx);
        }
    }
}

thread_local! {
    static LOCALS: RefCell<Vec<Local>> = const { RefCell::new(Vec::new()) };
    /// The contexts running Ember code on this thread, innermost last:
    /// `(engine, context)` addresses. A call into the same engine from a
    /// host function (a nested entry) must use the running context — a
    /// second context would wait for a stop of the world that waits for
    /// the first.
    static ACTIVE: RefCell<Vec<(usize, usize)>> = const { RefCell::new(Vec::new()) };
}

/// Record that `ctx` runs Ember code of engine `shared` on this thread
/// until the returned guard is dropped.
pub(crate) fn activate(shared: usize, ctx: &mut ThreadCtx) -> Active {
    ACTIVE.with(|a| {
        a.borrow_mut()
            .push((shared, ctx as *mut ThreadCtx as usize))
    });
    Active
}

/// See [`activate`].
pub(crate) struct Active;

impl Drop for Active {
    fn drop(&mut self) {
        ACTIVE.with(|a| a.borrow_mut().pop());
    }
}

/// Run `f` with this thread's context for `shared`: the one running Ember
/// code of that engine on this thread, if any (a nested entry), else this
/// thread's own (made on first use). The table is not borrowed while `f`
/// runs, so `f` may call into Ember again.
pub(crate) fn with_ctx<R>(shared: &Arc<Shared>, f: impl FnOnce(&mut ThreadCtx) -> R) -> R {
    let me = Arc::as_ptr(shared) as usize;
    let running = ACTIVE.with(|a| {
        a.borrow()
            .iter()
            .rev()
            .find(|(s, _)| *s == me)
            .map(|&(_, c)| c as *mut ThreadCtx)
    });
    if let Some(ptr) = running {
        // SAFETY: the context is running Ember code further up this
        // thread's stack (it registered itself in `ACTIVE` for the length
        // of its entry and is boxed); this is a nested entry on it, which
        // `enter` supports (it saves and restores the outer state).
        return f(unsafe { &mut *ptr });
    }
    let ptr: *mut ThreadCtx = LOCALS.with(|l| {
        let mut l = l.borrow_mut();
        // By address, without touching reference counts (every call comes
        // here): a `Weak` keeps its allocation, so no other engine can
        // live at the address of one in the table.
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
    // SAFETY: the context is boxed (stable address) and owned by this
    // thread's table, which only drops it when the engine is gone (not
    // while `shared` is borrowed here) or when the thread ends; nested
    // calls on this thread use it strictly inside this one, as nested
    // entries do.
    f(unsafe { &mut *ptr })
}

/// Is this thread running Ember code of engine `shared` (further up its
/// stack: a host function called from Ember is running now)?
pub fn running_on_this_thread(shared: &Arc<Shared>) -> bool {
    let me = Arc::as_ptr(shared) as usize;
    ACTIVE.with(|a| a.borrow().iter().any(|(s, _)| *s == me))
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
                w
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

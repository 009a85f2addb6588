//! The per-thread context every compiled Ember function receives as its
//! first argument (`ctx`). Layout per `jit/RUNTIME.md`: the first words are
//! read and written by generated code and by the unwind assembly at fixed
//! offsets, given here as constants; the rest is runtime-private.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::errors::EmberError;
use super::heap::Mutator;

/// Number of machine words reserved for the `ember_enter` jump buffer
/// (callee-saved registers, SP, FP, LR: x86-64 needs 8, aarch64 21).
pub const JMP_BUF_WORDS: usize = 32;

/// Offset of [`ThreadCtx::stack_limit`]: the poll compares SP with it.
pub const OFFSET_STACK_LIMIT: i32 = 0;
/// Offset of [`ThreadCtx::exit_fp`].
pub const OFFSET_EXIT_FP: i32 = 8;
/// Offset of [`ThreadCtx::exit_pc`].
pub const OFFSET_EXIT_PC: i32 = 16;
/// Offset of [`ThreadCtx::exit_sp`].
pub const OFFSET_EXIT_SP: i32 = 24;
/// Offset of [`ThreadCtx::pending_error`].
pub const OFFSET_PENDING_ERROR: i32 = 32;
/// Offset of [`ThreadCtx::entry_fp`].
pub const OFFSET_ENTRY_FP: i32 = 40;
/// Offset of [`ThreadCtx::entry_target`].
pub const OFFSET_ENTRY_TARGET: i32 = 48;
/// Offset of [`ThreadCtx::alloc_cache`].
pub const OFFSET_ALLOC_CACHE: i32 = 56;
/// Offset of [`ThreadCtx::jmp_buf`] (used by `runtime::unwind`).
pub const OFFSET_JMP_BUF: i32 = 64;

/// The thread context. `#[repr(C)]`; never moves while Ember code runs on
/// its thread (always boxed).
#[repr(C)]
#[derive(Debug)]
pub struct ThreadCtx {
    /// Compared with SP at every poll; the runtime stores `usize::MAX` to
    /// request a safe point (interrupt, stop-the-world, GC).
    pub stack_limit: AtomicUsize,
    /// FP of the Ember frame that made the current runtime call (written by
    /// exit trampolines).
    pub exit_fp: usize,
    /// Return address into that frame.
    pub exit_pc: usize,
    /// SP of that frame at the call.
    pub exit_sp: usize,
    /// Non-zero when a runtime function failed; the exit trampoline then
    /// calls `ember_unwind`.
    pub pending_error: usize,
    /// Reserved (stack walks stop at the entry FP saved in [`Self::jmp_buf`]
    /// by `ember_enter`).
    pub entry_fp: usize,
    /// Slot address the entry wrapper calls through (set before
    /// `ember_enter`).
    pub entry_target: usize,
    /// This thread's heap allocation cache (`Mutator::cache_ptr`), for
    /// inlined allocation.
    pub alloc_cache: usize,
    /// Jump buffer of the innermost `ember_enter` (layout owned by
    /// `runtime::unwind`; word 0 is the entry FP where Ember stack walks
    /// stop).
    pub jmp_buf: [usize; JMP_BUF_WORDS],

    // ---- runtime-private from here on ----
    /// The real limit (stack low end plus a red zone for runtime calls).
    pub real_stack_limit: usize,
    /// Bit set of pending requests ([`REQUEST_INTERRUPT`], [`REQUEST_SAFEPOINT`]).
    pub requests: AtomicUsize,
    /// The error being raised, when `pending_error != 0`.
    pub error: Option<Box<EmberError>>,
    /// Opaque pointer to the engine's shared runtime state (set by the
    /// engine; runtime functions reach the function registry through it).
    pub runtime: usize,
    /// This thread's allocation handle.
    pub mutator: Option<Mutator>,
    /// State of `rand_int`'s generator (0 = not seeded yet).
    pub rng: u64,
    /// [`STATE_OUTSIDE`], [`STATE_RUNNING`] or [`STATE_PARKED`]: whether
    /// a collection must wait for this thread.
    pub state: AtomicUsize,
    /// The thread the stack limits were computed for ([`thread_token`]);
    /// an engine moved to another thread recomputes them on entry.
    pub owner: usize,
    /// Outer segments of Ember frames when entries nest (a host function
    /// called from Ember calls into Ember again): for each, the exit state
    /// of the host call and the entry FP its walk stops at, innermost
    /// last. Stack walks (collection, migration, reclamation) cover them
    /// all. Written by this thread while running; read by others only
    /// while it is parked.
    pub outer_segments: Vec<Segment>,
}

/// The Ember frames of one entry: walk from the exit state up to
/// `entry_fp`.
#[derive(Clone, Copy, Debug)]
pub struct Segment {
    pub exit_fp: usize,
    pub exit_pc: usize,
    pub exit_sp: usize,
    pub entry_fp: usize,
}

/// A number identifying the current thread while it lives (the address
/// of a thread-local).
#[inline]
pub fn thread_token() -> usize {
    thread_local! {
        static TOKEN: u8 = const { 0 };
    }
    TOKEN.with(|t| t as *const u8 as usize)
}

/// The thread is not running Ember code (no frames to scan).
pub const STATE_OUTSIDE: usize = 0;
/// The thread runs Ember code or the runtime on its behalf: a collection
/// waits until it reaches a safe point.
pub const STATE_RUNNING: usize = 1;
/// The thread is stopped at a safe point or blocked in a runtime call: its
/// frames (from `exit_*`) are scanned, it does not touch the heap.
pub const STATE_PARKED: usize = 2;

/// `requests` bit: stop with `interrupted` at the next poll.
pub const REQUEST_INTERRUPT: usize = 1;
/// `requests` bit: park at the next poll (stop-the-world, collection).
pub const REQUEST_SAFEPOINT: usize = 2;

const _: () = {
    assert!(std::mem::offset_of!(ThreadCtx, stack_limit) == OFFSET_STACK_LIMIT as usize);
    assert!(std::mem::offset_of!(ThreadCtx, exit_fp) == OFFSET_EXIT_FP as usize);
    assert!(std::mem::offset_of!(ThreadCtx, exit_pc) == OFFSET_EXIT_PC as usize);
    assert!(std::mem::offset_of!(ThreadCtx, exit_sp) == OFFSET_EXIT_SP as usize);
    assert!(std::mem::offset_of!(ThreadCtx, pending_error) == OFFSET_PENDING_ERROR as usize);
    assert!(std::mem::offset_of!(ThreadCtx, entry_fp) == OFFSET_ENTRY_FP as usize);
    assert!(std::mem::offset_of!(ThreadCtx, entry_target) == OFFSET_ENTRY_TARGET as usize);
    assert!(std::mem::offset_of!(ThreadCtx, alloc_cache) == OFFSET_ALLOC_CACHE as usize);
    assert!(std::mem::offset_of!(ThreadCtx, jmp_buf) == OFFSET_JMP_BUF as usize);
};

impl ThreadCtx {
    /// A context whose polls stop at `stack_limit` (the lowest SP Ember code
    /// may use before `stack overflow` is raised).
    pub fn new(stack_limit: usize, runtime: usize) -> Box<ThreadCtx> {
        Box::new(ThreadCtx {
            stack_limit: AtomicUsize::new(stack_limit),
            exit_fp: 0,
            exit_pc: 0,
            exit_sp: 0,
            pending_error: 0,
            entry_fp: 0,
            entry_target: 0,
            alloc_cache: 0,
            jmp_buf: [0; JMP_BUF_WORDS],
            real_stack_limit: stack_limit,
            requests: AtomicUsize::new(0),
            error: None,
            runtime,
            mutator: None,
            rng: 0,
            state: AtomicUsize::new(STATE_OUTSIDE),
            owner: thread_token(),
            outer_segments: Vec::new(),
        })
    }

    /// Make the stack limits those of the current thread, if the context
    /// was made (or last used) on another one. Call only at an outermost
    /// entry.
    #[inline]
    pub fn bind_to_current_thread(&mut self, limit: fn() -> usize) {
        let me = thread_token();
        if self.owner != me {
            self.rebind(me, limit);
        }
    }

    #[cold]
    #[inline(never)]
    fn rebind(&mut self, me: usize, limit: fn() -> usize) {
        self.owner = me;
        self.real_stack_limit = limit();
        self.stack_limit
            .store(self.real_stack_limit, Ordering::SeqCst);
        // A request that raced keeps the limit moved.
        if self.requests.load(Ordering::SeqCst) != 0 {
            self.stack_limit.store(usize::MAX, Ordering::SeqCst);
        }
    }

    /// Ask the thread to stop at its next poll (from any thread).
    pub fn request(&self, bits: usize) {
        self.requests.fetch_or(bits, Ordering::SeqCst);
        self.stack_limit.store(usize::MAX, Ordering::SeqCst);
    }

    /// Take the pending requests and restore the real stack limit.
    pub fn take_requests(&self) -> usize {
        self.stack_limit
            .store(self.real_stack_limit, Ordering::SeqCst);
        let bits = self.requests.swap(0, Ordering::SeqCst);
        // A request that raced with the swap keeps the limit moved.
        if self.requests.load(Ordering::SeqCst) != 0 {
            self.stack_limit.store(usize::MAX, Ordering::SeqCst);
        }
        bits
    }

    /// Drop a pending interrupt request (a new outermost entry starts
    /// clean); other requests stay.
    #[inline]
    pub fn clear_interrupt(&self) {
        // The usual case, without a locked instruction: nothing pending.
        if self.requests.load(Ordering::Relaxed) & REQUEST_INTERRUPT != 0 {
            self.clear_pending_interrupt();
        }
    }

    #[cold]
    #[inline(never)]
    fn clear_pending_interrupt(&self) {
        let left = self
            .requests
            .fetch_and(!REQUEST_INTERRUPT, Ordering::SeqCst)
            & !REQUEST_INTERRUPT;
        if left == 0 {
            self.stack_limit
                .store(self.real_stack_limit, Ordering::SeqCst);
            // A request that raced with the clear keeps the limit moved.
            if self.requests.load(Ordering::SeqCst) != 0 {
                self.stack_limit.store(usize::MAX, Ordering::SeqCst);
            }
        }
    }

    /// Record `err` as the pending error (the exit trampoline unwinds).
    pub fn set_error(&mut self, err: EmberError) {
        self.error = Some(Box::new(err));
        self.pending_error = 1;
    }

    /// FP of the innermost `ember_enter` frame (stack walks stop there).
    pub fn entry_frame_fp(&self) -> usize {
        self.jmp_buf[0]
    }

    /// Take the pending error, clearing the flag.
    pub fn take_error(&mut self) -> Option<EmberError> {
        self.pending_error = 0;
        self.error.take().map(|b| *b)
    }
}

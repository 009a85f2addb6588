//! Hardware traps in compiled code become Ember errors.
//!
//! Every runtime error of LANGUAGE.md §6 is detected by an explicit check
//! in the generated code, so correct code never faults. This handler is
//! the net under that: a fault *in Ember code* — a stale jump into freed
//! code (filled with trap instructions, `code/memory.rs`), a Cranelift
//! `trap`, or a memory fault from a code-generation bug — ends the running
//! entry with the runtime error `internal error: ...` and its Ember stack,
//! instead of killing the host process.
//!
//! * Installed once per process, for SIGSEGV, SIGBUS, SIGILL, SIGFPE and
//!   SIGTRAP, with `SA_ONSTACK` (Rust's own alternate signal stack, when
//!   the thread has one) and `SA_SIGINFO`.
//! * It claims a signal only when the faulting PC lies in the executable
//!   view of a live engine's code memory (ranges kept in lock-free atomics,
//!   [`register_code`]) **and** the thread is running an entry of that
//!   engine ([`CURRENT`], a `const` thread-local set by `enter`; nested
//!   calls into an engine also find the running context through it).
//!   Every other signal goes to the handler that was installed before (the
//!   host's, or Rust's stack-overflow handler), or, if that was the default
//!   action, the default is put back and the faulting instruction runs
//!   again to take it.
//! * Claiming does almost nothing inside the handler (async-signal-safe):
//!   it rewrites the interrupted context so that, when the handler
//!   returns, the thread "calls" [`trap_landing`] with the context, the
//!   faulting PC and frame pointer, and the signal. The landing runs as
//!   ordinary code: it records the exit state (so the stack walk starts at
//!   the faulting frame), builds the error and unwinds to the entry with
//!   `ember_unwind`, exactly as a runtime error raised by a check does.
//!
//! x86-64 and aarch64 Linux versions of the context accessors sit side by
//! side.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Once, OnceLock};

use super::ctx::ThreadCtx;

/// Live engines' executable code ranges: (start, end), 0 when free.
const MAX_RANGES: usize = 256;
static RANGES: [(AtomicUsize, AtomicUsize); MAX_RANGES] =
    [const { (AtomicUsize::new(0), AtomicUsize::new(0)) }; MAX_RANGES];

/// The signals claimed, and the handlers they had before.
const SIGNALS: [libc::c_int; 5] = [
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGILL,
    libc::SIGFPE,
    libc::SIGTRAP,
];
static PREVIOUS: OnceLock<[Option<libc::sigaction>; 5]> = OnceLock::new();
static INSTALL: Once = Once::new();

thread_local! {
    /// The thread context of the Ember entry running on this thread (0:
    /// none; the innermost when entries nest), set by `enter` through
    /// `handle::activate`. `const`-initialized with no destructor, so the
    /// signal handler may read it.
    pub static CURRENT: Cell<usize> = const { Cell::new(0) };
}

/// A registered code range; unregistered on drop (before the memory is
/// unmapped).
#[derive(Debug)]
pub struct CodeRange(usize);

impl Drop for CodeRange {
    fn drop(&mut self) {
        RANGES[self.0].1.store(0, Ordering::SeqCst);
        RANGES[self.0].0.store(0, Ordering::SeqCst);
    }
}

/// Claim faults whose PC lies in `range` (an engine's executable code
/// view) and install the handler if it is not yet. `None` when every
/// range is taken (faults in that engine's code are then not claimed).
pub fn register_code(range: std::ops::Range<usize>) -> Option<CodeRange> {
    INSTALL.call_once(install);
    for (i, (start, end)) in RANGES.iter().enumerate() {
        if start
            .compare_exchange(0, range.start, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            end.store(range.end, Ordering::SeqCst);
            return Some(CodeRange(i));
        }
    }
    None
}

fn in_ember_code(pc: usize) -> bool {
    RANGES.iter().any(|(start, end)| {
        let s = start.load(Ordering::Relaxed);
        s != 0 && pc >= s && pc < end.load(Ordering::Relaxed)
    })
}

fn install() {
    // The handlers there were, read before ours replace them (so a signal
    // that arrives meanwhile finds them).
    let mut previous = [None; 5];
    for (i, &sig) in SIGNALS.iter().enumerate() {
        // SAFETY: querying an action into a zeroed (valid) `sigaction`.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, std::ptr::null(), &mut old) == 0 {
                previous[i] = Some(old);
            }
        }
    }
    let _ = PREVIOUS.set(previous);
    for (i, &sig) in SIGNALS.iter().enumerate() {
        if previous[i].is_none() {
            continue;
        }
        // SAFETY: a zeroed `sigaction` is a valid value to fill in; the
        // handler has the `SA_SIGINFO` signature.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    }
}

extern "C" fn handler(sig: libc::c_int, info: *mut libc::siginfo_t, uctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid `ucontext_t` for `SA_SIGINFO`
    // handlers; only its saved registers are read and written.
    let claimed = unsafe { claim(sig, uctx as *mut libc::ucontext_t) };
    if !claimed {
        // SAFETY: forwarding the kernel's own arguments.
        unsafe { chain(sig, info, uctx) };
    }
}

/// If the fault is in Ember code on a thread running an entry, redirect
/// the thread to [`trap_landing`].
///
/// # Safety
/// `uc` is the context the kernel passed to the handler.
unsafe fn claim(sig: libc::c_int, uc: *mut libc::ucontext_t) -> bool {
    // SAFETY: per this function's contract.
    let regs = unsafe { Regs::of(uc) };
    if !in_ember_code(regs.pc()) {
        return false;
    }
    let ctx = CURRENT.try_with(Cell::get).unwrap_or(0);
    if ctx == 0 {
        return false;
    }
    regs.redirect(ctx, sig);
    true
}

/// Hand `sig` to the handler installed before ours.
///
/// # Safety
/// The arguments are the kernel's.
unsafe fn chain(sig: libc::c_int, info: *mut libc::siginfo_t, uctx: *mut libc::c_void) {
    let Some(i) = SIGNALS.iter().position(|&s| s == sig) else {
        return;
    };
    let Some(Some(prev)) = PREVIOUS.get().map(|p| p[i]) else {
        return;
    };
    let h = prev.sa_sigaction;
    if h == libc::SIG_DFL || h == libc::SIG_IGN {
        // Put the old action back; returning re-runs the faulting
        // instruction (or, for a raised signal, the default happens when
        // it is raised again), now under the default action.
        // SAFETY: restoring an action the kernel gave us.
        unsafe { libc::sigaction(sig, &prev, std::ptr::null_mut()) };
        if h == libc::SIG_DFL {
            // SAFETY: re-raising in the handler is async-signal-safe; the
            // signal is not blocked (SA_NODEFER), so a synchronous fault
            // terminates now, a raised one too.
            unsafe { libc::raise(sig) };
        }
    } else if prev.sa_flags & libc::SA_SIGINFO != 0 {
        // SAFETY: the previous handler was installed with this signature.
        let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
            unsafe { std::mem::transmute(h) };
        f(sig, info, uctx);
    } else {
        // SAFETY: the previous handler was installed with this signature.
        let f: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(h) };
        f(sig);
    }
}

/// Entered (as if called) from a faulting instruction in Ember code, with
/// the thread's context, the faulting PC and FP, and the signal. Ends the
/// entry with `internal error: ...`.
extern "C" fn trap_landing(ctx: *mut ThreadCtx, pc: usize, fp: usize, sp: usize, sig: usize) -> ! {
    {
        // SAFETY: `CURRENT` held this context: the entry running on this
        // thread, so alive and used by this thread only.
        let t = unsafe { &mut *ctx };
        // The stack walk starts at the faulting frame: the PC is reported
        // as a return address, so it is moved one byte in.
        t.exit_pc = pc + 1;
        t.exit_fp = fp;
        t.exit_sp = sp;
        let what = match sig as libc::c_int {
            libc::SIGSEGV | libc::SIGBUS => "memory fault",
            libc::SIGFPE => "arithmetic fault",
            _ => "trap instruction",
        };
        super::builtins::fail(
            ctx,
            format!("internal error: {what} in compiled code (this is a bug in Ember; the session goes on)"),
        );
    }
    let jmp = {
        // SAFETY: as above; the jump buffer of the running entry.
        let t = unsafe { &*ctx };
        t.jmp_buf.as_ptr() as *const super::unwind::JmpBuf
    };
    // SAFETY: only frames of compiled Ember code lie between the entry's
    // `ember_enter` and this frame (the fault was in Ember code), and
    // nothing here owns a value with a destructor any more.
    unsafe { super::unwind::ember_unwind(jmp) }
}

/// The saved registers of an interrupted thread.
struct Regs(*mut libc::ucontext_t);

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
impl Regs {
    /// # Safety
    /// `uc` is a kernel-provided context.
    unsafe fn of(uc: *mut libc::ucontext_t) -> Regs {
        Regs(uc)
    }

    fn greg(&self, r: libc::c_int) -> usize {
        // SAFETY: a valid context (see `of`).
        unsafe { (*self.0).uc_mcontext.gregs[r as usize] as usize }
    }

    fn set(&self, r: libc::c_int, v: usize) {
        // SAFETY: a valid context (see `of`); the handler owns it.
        unsafe { (*self.0).uc_mcontext.gregs[r as usize] = v as i64 };
    }

    fn pc(&self) -> usize {
        self.greg(libc::REG_RIP)
    }

    /// Resume at `trap_landing(ctx, pc, fp, sp, sig)`, as if called: SP
    /// 16-byte aligned minus the return-address word, below the red zone.
    fn redirect(&self, ctx: usize, sig: libc::c_int) {
        let (pc, fp, sp) = (
            self.pc(),
            self.greg(libc::REG_RBP),
            self.greg(libc::REG_RSP),
        );
        let new_sp = ((sp - 256) & !15) - 8;
        self.set(libc::REG_RDI, ctx);
        self.set(libc::REG_RSI, pc);
        self.set(libc::REG_RDX, fp);
        self.set(libc::REG_RCX, sp);
        self.set(libc::REG_R8, sig as usize);
        self.set(libc::REG_RSP, new_sp);
        self.set(libc::REG_RIP, trap_landing as *const () as usize);
    }
}

#[cfg(all(target_os = "linux", target_arch = "aarch64"))]
impl Regs {
    /// # Safety
    /// `uc` is a kernel-provided context.
    unsafe fn of(uc: *mut libc::ucontext_t) -> Regs {
        Regs(uc)
    }

    fn pc(&self) -> usize {
        // SAFETY: a valid context (see `of`).
        unsafe { (*self.0).uc_mcontext.pc as usize }
    }

    /// Resume at `trap_landing(ctx, pc, fp, sp, sig)` with LR = the
    /// faulting PC and SP 16-byte aligned below the faulting frame.
    fn redirect(&self, ctx: usize, sig: libc::c_int) {
        // SAFETY: a valid context (see `of`); the handler owns it.
        unsafe {
            let m = &mut (*self.0).uc_mcontext;
            let (pc, fp, sp) = (m.pc as usize, m.regs[29] as usize, m.sp as usize);
            m.regs[0] = ctx as u64;
            m.regs[1] = pc as u64;
            m.regs[2] = fp as u64;
            m.regs[3] = sp as u64;
            m.regs[4] = sig as u64;
            m.regs[30] = pc as u64;
            m.sp = ((sp - 256) & !15) as u64;
            m.pc = trap_landing as *const () as usize as u64;
        }
    }
}

//! Hardware traps in compiled code (`jit/src/runtime/traps.rs`): a fault
//! whose PC lies in Ember code ends the entry with `internal error: ...`
//! and an Ember stack, and the engine goes on; every other signal still
//! reaches the handler the host installed before the engine.
//!
//! Correct Ember code never faults (every §6 error is an explicit check),
//! so the faults are made by hand: a function's slot is pointed at machine
//! code written into the engine's code memory that traps or reads address
//! 0x10 — what a stale jump or a code-generation bug would do. x86-64 only
//! (the bytes are x86 instructions); one process per test binary, because
//! the handlers are process-wide.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use std::sync::atomic::{AtomicUsize, Ordering};

use ember::{Engine, Error};

/// `push rbp; mov rbp, rsp` then the faulting instruction.
const PROLOGUE: [u8; 4] = [0x55, 0x48, 0x89, 0xe5];
const UD2: [u8; 2] = [0x0f, 0x0b];
const INT3: [u8; 1] = [0xcc];
/// `mov rax, [0x10]`
const LOAD_NEAR_NULL: [u8; 8] = [0x48, 0x8b, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00];

/// An engine where `victim` is called by `caller`, with `victim`'s slot
/// pointing at `PROLOGUE + fault`.
fn engine_with_faulting_victim(fault: &[u8]) -> Engine {
    let mut e = Engine::new().expect("engine");
    e.run_source(
        "victim.em",
        "let mut calls = 0;\nfn victim() -> int { 1 }\nfn caller() -> int { calls += 1; victim() + 1 }",
    )
    .expect("define");
    let sh = e.shared().clone();
    let slot = sh
        .slots
        .ids()
        .find(|&id| sh.slots.name(id) == "victim")
        .expect("victim's slot");
    let mut bytes = PROLOGUE.to_vec();
    bytes.extend_from_slice(fault);
    let code = sh
        .code
        .lock()
        .alloc_and_write(&bytes, 16)
        .expect("code memory");
    sh.slots.set(slot, code.addr());
    e
}

fn assert_internal_error(e: &mut Engine, what: &str) {
    let err = match e.run_entry("<repl>", "caller()") {
        Err(Error::Runtime(err)) => err,
        other => panic!("expected a runtime error, got {other:?}"),
    };
    assert!(
        err.message
            .starts_with(&format!("internal error: {what} in compiled code")),
        "{err}"
    );
    let text = err.to_string();
    assert!(text.contains("  at caller (victim.em:3:"), "{text}");
    assert!(text.contains("  at <main> (<repl>:1:1)"), "{text}");
    // The engine and this thread go on; what ran before the fault stays.
    e.run_source("fix.em", "fn victim() -> int { 41 }")
        .expect("redefine");
    let (w, _) = e
        .run_entry("<repl>", "caller() + calls")
        .expect("runs again")
        .expect("a value");
    assert_eq!(w, 42 + 2);
}

static HOST_SIGTRAPS: AtomicUsize = AtomicUsize::new(0);

extern "C" fn host_sigtrap(_sig: libc::c_int) {
    HOST_SIGTRAPS.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn faults_in_compiled_code_are_errors_and_other_signals_reach_the_host() {
    // The host's handler comes first; the engine's is installed over it.
    // SAFETY: installing a plain handler that only touches an atomic.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = host_sigtrap as *const () as usize;
        libc::sigemptyset(&mut action.sa_mask);
        assert_eq!(
            libc::sigaction(libc::SIGTRAP, &action, std::ptr::null_mut()),
            0
        );
    }

    let mut e = engine_with_faulting_victim(&UD2);
    assert_internal_error(&mut e, "trap instruction");

    let mut e = engine_with_faulting_victim(&LOAD_NEAR_NULL);
    assert_internal_error(&mut e, "memory fault");

    // SIGTRAP in Ember code is the engine's; the host does not see it.
    let mut e = engine_with_faulting_victim(&INT3);
    assert_internal_error(&mut e, "trap instruction");
    assert_eq!(HOST_SIGTRAPS.load(Ordering::SeqCst), 0);

    // A SIGTRAP outside Ember code goes to the host's handler.
    // SAFETY: raising a signal whose handler only touches an atomic.
    unsafe { libc::raise(libc::SIGTRAP) };
    assert_eq!(HOST_SIGTRAPS.load(Ordering::SeqCst), 1);

    // A fault in a spawned Ember thread: `join` raises it with the
    // thread's stack.
    let mut e = engine_with_faulting_victim(&UD2);
    e.run_source("t.em", "fn work() { caller(); }").unwrap();
    let err = match e.run_entry("<repl>", "join(spawn work())") {
        Err(Error::Runtime(err)) => err,
        other => panic!("expected a runtime error, got {other:?}"),
    };
    let text = err.to_string();
    assert!(
        err.message.starts_with("internal error: trap instruction"),
        "{text}"
    );
    assert!(text.contains("  at work (t.em:1:"), "{text}");
}

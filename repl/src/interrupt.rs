//! Ctrl-C in the REPL. While an entry runs, SIGINT interrupts it: the
//! engine stops it at its next safe point with the runtime error
//! `interrupted` (also `while true {}`: loop back-edges poll), and the
//! session goes on with every definition and global. Spawned threads are
//! not interrupted. At the prompt of a terminal, rustyline reads Ctrl-C as
//! a key (it clears the line); with input piped and no entry running,
//! Ctrl-C ends the process with status 130, as it would without a handler.
//! Once the session is leaving ([`leaving`]: waiting for spawned threads
//! after Ctrl-D or `:quit`), Ctrl-C ends the process at a terminal too.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use ember::InterruptHandle;

/// Set by [`leaving`].
static LEAVING: AtomicBool = AtomicBool::new(false);

/// The session is leaving (it waits for spawned threads): from now on
/// Ctrl-C ends the process (status 130) instead of being read as a key.
pub fn leaving() {
    LEAVING.store(true, Ordering::SeqCst);
}

/// Whether an entry is running (set by the session around each entry),
/// and the handle that interrupts it (`:reset` points it at the new
/// engine).
#[derive(Clone)]
pub struct Running {
    on: Arc<AtomicBool>,
    handle: Arc<Mutex<InterruptHandle>>,
}

impl Running {
    /// Mark an entry as running (or not).
    pub fn set(&self, on: bool) {
        self.on.store(on, Ordering::SeqCst);
    }

    /// Interrupt entries of this engine from now on.
    pub fn retarget(&self, handle: InterruptHandle) {
        *self.handle.lock().unwrap_or_else(|e| e.into_inner()) = handle;
    }
}

/// Install the SIGINT handler for `handle`; the flag the session sets
/// while an entry runs. If the handler cannot be installed, Ctrl-C keeps
/// its default action (ending the process).
pub fn install(handle: InterruptHandle, interactive: bool) -> Running {
    let running = Running {
        on: Arc::new(AtomicBool::new(false)),
        handle: Arc::new(Mutex::new(handle)),
    };
    let flag = running.clone();
    // ctrlc runs this on a thread of its own, not in the signal handler:
    // taking a lock is fine.
    let _ = ctrlc::set_handler(move || {
        if flag.on.load(Ordering::SeqCst) {
            flag.handle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .interrupt();
        } else if !interactive || LEAVING.load(Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    running
}

//! Time limits per call (LANGUAGE.md §6: "interrupt or time limit" →
//! `interrupted`). An outermost entry into Ember code made while the
//! engine has a time limit arms a deadline for its thread context; one
//! watchdog thread per engine sleeps until the earliest deadline and then
//! requests an interrupt on that context, which stops at its next safe
//! point (function entry, loop back-edge, or a blocking `recv`, `join` or
//! `sleep`). Disarming happens when the entry returns, under the same lock
//! the watchdog fires under, so a context is never touched after its entry
//! ended. A request that lands just as the entry returns is dropped by the
//! next outermost entry (it starts clean).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use super::ctx::{ThreadCtx, REQUEST_INTERRUPT};

/// The deadlines of the running timed entries, and the thread enforcing
/// them (started at the first timed entry).
#[derive(Default)]
pub struct Watchdog {
    inner: Arc<Inner>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

#[derive(Default)]
struct Inner {
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Default)]
struct State {
    /// (deadline, serial) → the context's address.
    deadlines: BTreeMap<(Instant, u64), usize>,
    serial: u64,
    shutdown: bool,
}

/// An armed deadline; dropping it disarms it.
pub struct Armed<'a> {
    inner: &'a Inner,
    key: (Instant, u64),
}

impl Drop for Armed<'_> {
    fn drop(&mut self) {
        self.inner.state.lock().deadlines.remove(&self.key);
    }
}

impl Watchdog {
    /// Interrupt `ctx` if the returned guard still lives after `limit`.
    /// The guard must be dropped before `ctx` is (the entry that armed it
    /// returns first).
    pub fn arm(&self, ctx: &ThreadCtx, limit: Duration) -> Armed<'_> {
        self.start();
        let deadline = Instant::now() + limit;
        let mut st = self.inner.state.lock();
        st.serial += 1;
        let key = (deadline, st.serial);
        st.deadlines.insert(key, ctx as *const ThreadCtx as usize);
        // Wake the watchdog if this is now the earliest deadline.
        if st.deadlines.keys().next() == Some(&key) {
            self.inner.wake.notify_one();
        }
        Armed {
            inner: &self.inner,
            key,
        }
    }

    fn start(&self) {
        let mut thread = self.thread.lock();
        if thread.is_some() {
            return;
        }
        let inner = self.inner.clone();
        *thread = std::thread::Builder::new()
            .name("ember-watchdog".into())
            .spawn(move || run(&inner))
            .ok();
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.inner.state.lock().shutdown = true;
        self.inner.wake.notify_one();
        if let Some(t) = self.thread.get_mut().take() {
            let _ = t.join();
        }
    }
}

/// The watchdog thread: interrupt every context whose deadline passed,
/// sleep until the next one.
fn run(inner: &Inner) {
    let mut st = inner.state.lock();
    loop {
        if st.shutdown {
            return;
        }
        let now = Instant::now();
        while let Some((&key, &ctx)) = st.deadlines.iter().next() {
            if key.0 > now {
                break;
            }
            st.deadlines.remove(&key);
            // SAFETY: the deadline was still armed, and its guard (which
            // lives no longer than the entry on `ctx`, and so than `ctx`)
            // disarms under this lock: the context is alive. Only its
            // atomics are touched.
            unsafe { &*(ctx as *const ThreadCtx) }.request(REQUEST_INTERRUPT);
        }
        match st.deadlines.keys().next() {
            Some(&(deadline, _)) => {
                inner.wake.wait_until(&mut st, deadline);
            }
            None => inner.wake.wait(&mut st),
        }
    }
}

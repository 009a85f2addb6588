//! Channels: `[header | pointer to a ChanInner]`, an unbounded MPMC queue
//! of words behind a lock with a condition variable.
//!
//! `recv` is split so that the runtime can mark the thread parked around
//! the blocking part: [`chan_try_recv`] never blocks; [`chan_wait`] blocks
//! until the queue is non-empty without taking anything (another receiver
//! may win the value: loop). While parked, the caller keeps the channel
//! reachable through a temporary root; values in the queue are traced
//! through the channel.

use std::collections::VecDeque;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

use super::alloc::Mutator;
use super::object::{init_payload, Chan, HDR_REFS, KIND_CHAN, PAYLOAD_OBJ_SIZE};
use super::RuntimeError;

/// The Rust side of a channel object.
pub struct ChanInner {
    queue: Mutex<VecDeque<u64>>,
    ready: Condvar,
}

impl ChanInner {
    pub(crate) fn trace(&self, f: &mut dyn FnMut(u64)) {
        for &v in self.queue.lock().iter() {
            f(v);
        }
    }

    /// Replace every queued value `v` by `f(v)` (struct migration only: no
    /// mutator runs).
    pub(crate) fn update_values(&self, f: &mut dyn FnMut(u64) -> u64) {
        for v in self.queue.lock().iter_mut() {
            *v = f(*v);
        }
    }
}

/// `chan()`: a new channel; `refs` when the element type is a heap
/// reference.
pub fn chan_new(m: &mut Mutator, refs: bool) -> Result<Chan, RuntimeError> {
    let h = KIND_CHAN | if refs { HDR_REFS } else { 0 };
    let p = m.alloc_raw(PAYLOAD_OBJ_SIZE, h)?;
    let inner = ChanInner {
        queue: Mutex::new(VecDeque::new()),
        ready: Condvar::new(),
    };
    m.register_finalizable(p);
    // SAFETY: fresh payload-object cell with a channel header.
    unsafe {
        init_payload(p, inner);
        Ok(Chan::from_ptr(p))
    }
}

/// `send(c, v)`: never blocks.
pub fn chan_send(c: Chan, v: u64) {
    let inner = c.inner();
    inner.queue.lock().push_back(v);
    inner.ready.notify_one();
}

/// Take the oldest value, if any. Never blocks.
pub fn chan_try_recv(c: Chan) -> Option<u64> {
    c.inner().queue.lock().pop_front()
}

/// Block until the queue is non-empty (does not take the value).
pub fn chan_wait(c: Chan) {
    let inner = c.inner();
    let mut q = inner.queue.lock();
    while q.is_empty() {
        inner.ready.wait(&mut q);
    }
    // Pass the wake-up on: other receivers may be waiting for the rest.
    if q.len() > 1 {
        inner.ready.notify_one();
    }
}

/// Like [`chan_wait`] but gives up after `timeout`; returns whether the
/// queue is non-empty (so the runtime can poll for interrupts).
pub fn chan_wait_timeout(c: Chan, timeout: Duration) -> bool {
    let inner = c.inner();
    let mut q = inner.queue.lock();
    if q.is_empty() {
        inner.ready.wait_for(&mut q, timeout);
    }
    !q.is_empty()
}

/// `recv(c)` for callers that need no parking (tests, host code outside a
/// running engine): try, wait, repeat.
pub fn chan_recv_blocking(c: Chan) -> u64 {
    loop {
        if let Some(v) = chan_try_recv(c) {
            return v;
        }
        chan_wait(c);
    }
}

/// Number of queued values.
pub fn chan_len(c: Chan) -> usize {
    c.inner().queue.lock().len()
}

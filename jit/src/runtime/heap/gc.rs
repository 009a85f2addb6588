//! Mark-sweep collection: iterative marking with an explicit stack (deep
//! structures cannot overflow the native stack), then a sweep that frees
//! unmarked cells to the free lists and drops Rust payloads. Non-moving.

use std::ptr::NonNull;
use std::time::Instant;

use super::alloc::{mark_small, Heap, HeapStats};
use super::object::{has_children, header, set_header, trace, HDR_LARGE, HDR_MARK, HDR_STATIC};

/// The caller's root enumeration: called once with a visitor that takes
/// each root word.
pub type RootEnumerator<'a> = &'a mut dyn FnMut(&mut dyn FnMut(u64));

struct Marker {
    stack: Vec<NonNull<u64>>,
}

impl Marker {
    /// Mark the object at `w` (0 = none) and queue it for tracing.
    ///
    /// # Safety
    /// `w` must be 0 or a live object of this heap (or a static object).
    #[inline]
    unsafe fn visit(&mut self, w: u64) {
        let Some(p) = NonNull::new(w as usize as *mut u64) else {
            return;
        };
        // SAFETY: per the contract `p` is an object; marking is
        // single-threaded and no mutator runs.
        unsafe {
            let h = header(p);
            if h & HDR_STATIC != 0 {
                return;
            }
            if h & HDR_LARGE != 0 {
                if h & HDR_MARK != 0 {
                    return;
                }
                set_header(p, h | HDR_MARK);
            } else if mark_small(w as usize) {
                return;
            }
            if has_children(h) {
                self.stack.push(p);
            }
        }
    }
}

impl Heap {
    /// Collect garbage. `roots` is called once with a visitor; it must pass
    /// every root word (a reference or 0; never a non-reference word such
    /// as an int or a function slot). Pinned words are roots too.
    ///
    /// Returns the statistics after the collection.
    ///
    /// # Safety
    /// No mutator of this heap may be running: every thread is at a safe
    /// point or parked, not inside an allocation or a runtime operation,
    /// and every reference any thread still uses is among the roots.
    pub unsafe fn collect(&self, roots: RootEnumerator<'_>) -> HeapStats {
        let start = Instant::now();
        let mut st = self.state.lock();
        // SAFETY: the caller guarantees that no mutator runs.
        unsafe { st.begin_collection() };
        let mut m = Marker { stack: Vec::new() };
        // SAFETY (all visits below): roots and traced fields are live
        // objects or 0 by the contract of `collect` and of every object's
        // layout.
        for &w in st.pinned.keys() {
            // SAFETY: see above.
            unsafe { m.visit(w) };
        }
        roots(&mut |w| {
            // SAFETY: see above.
            unsafe { m.visit(w) }
        });
        while let Some(p) = m.stack.pop() {
            // SAFETY: `p` is a marked live object; no mutator runs.
            unsafe {
                trace(p, &mut |w| m.visit(w));
            }
        }
        // SAFETY: marking is complete and no mutator runs.
        let (live, objects) = unsafe { st.sweep(&self.config) };
        // Layouts: keep those used by a live instance or held elsewhere.
        st.layouts.retain(|l| {
            let keep = l.take_mark() || std::sync::Arc::strong_count(l) > 1;
            if !keep {
                l.set_registered(false);
            }
            keep
        });
        let pause = start.elapsed();
        let s = &mut st.stats;
        s.collections += 1;
        s.live_bytes = live;
        s.live_objects = objects;
        s.last_pause = pause;
        s.total_pause += pause;
        s.max_pause = s.max_pause.max(pause);
        self.after_collection(&mut st);
        st.stats.clone()
    }
}

//! The allocator: size-segregated free lists in 64 KiB blocks, per-thread
//! caches ([`Mutator`]), large objects allocated individually.
//!
//! * Small objects (≤ [`MAX_SMALL`] bytes) are rounded up to one of
//!   [`CLASS_SIZES`] (16-byte granules, then ~4 classes per doubling).
//!   A block holds cells of one class. A free cell has header word 0 and
//!   the next free cell's address in its second word.
//! * A [`Mutator`] (one per thread) keeps one free list per class. The fast
//!   path pops a cell without any lock; when the list is empty the slow path
//!   locks the shared state and takes the whole free list of a block with
//!   free cells (or carves a new block).
//! * Large objects are `std::alloc` allocations tracked in a list.
//! * Allocation never collects. The slow path counts bytes handed out since
//!   the last collection and raises [`Heap::gc_requested`] past the
//!   threshold (live bytes × growth + minimum); it fails with
//!   `out of memory` only when the heap limit is exceeded and a collection
//!   has already run since it was first exceeded (or the overshoot while
//!   waiting for that collection passes a grace margin).

use std::alloc::Layout;
use std::collections::HashMap;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use super::object::{set_header, HDR_LARGE};
use super::structs::StructLayout;
use super::RuntimeError;

/// Size of a block of small cells.
pub const BLOCK_SIZE: usize = 64 * 1024;
/// Largest object size served from size classes.
pub const MAX_SMALL: usize = 2048;
/// Cell sizes of the small-object classes.
pub const CLASS_SIZES: [usize; NCLASSES] = [
    16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 896, 1024,
    1280, 1536, 1792, 2048,
];
/// Number of size classes.
pub const NCLASSES: usize = 24;
const NO_CLASS: u8 = u8::MAX;

/// Class index for each granule count `(size + 15) / 16`, 0..=128.
const CLASS_OF: [u8; MAX_SMALL / 16 + 1] = {
    let mut t = [0u8; MAX_SMALL / 16 + 1];
    let mut g = 0;
    while g <= MAX_SMALL / 16 {
        let mut c = 0;
        while CLASS_SIZES[c] < g * 16 {
            c += 1;
        }
        t[g] = c as u8;
        g += 1;
    }
    t
};

/// Size class of a small object of `size` bytes (`size <= MAX_SMALL`).
#[inline]
pub fn size_class(size: usize) -> usize {
    CLASS_OF[(size + 15) >> 4] as usize
}

/// Heap configuration.
#[derive(Clone, Debug)]
pub struct HeapConfig {
    /// Heap limit in bytes (live + allocated since the last collection);
    /// beyond it allocation fails with `out of memory` once a collection
    /// could not bring it back under.
    pub limit: usize,
    /// A collection is requested when the bytes allocated since the last
    /// one pass `live * growth + min_threshold`.
    pub growth: f64,
    /// See `growth`.
    pub min_threshold: usize,
    /// Empty blocks kept for reuse after a sweep (beyond `live / 8`);
    /// the rest go back to the OS.
    pub keep_empty_blocks: usize,
}

impl Default for HeapConfig {
    fn default() -> Self {
        HeapConfig {
            limit: 4 << 30,
            growth: 1.0,
            min_threshold: 8 << 20,
            keep_empty_blocks: 32,
        }
    }
}

/// Collector and allocator statistics.
#[derive(Clone, Debug, Default)]
pub struct HeapStats {
    /// Number of collections so far.
    pub collections: u64,
    /// Duration of the last collection (mark + sweep).
    pub last_pause: Duration,
    /// Longest collection.
    pub max_pause: Duration,
    /// Sum of all collections.
    pub total_pause: Duration,
    /// Bytes in live objects after the last collection.
    pub live_bytes: usize,
    /// Objects live after the last collection.
    pub live_objects: usize,
    /// Bytes handed to allocation caches (cell granularity) since start.
    pub allocated_bytes: u64,
    /// Bytes handed out since the last collection.
    pub allocated_since_gc: usize,
    /// Memory held from the OS: blocks plus large objects.
    pub footprint: usize,
    /// Highest `footprint` seen.
    pub peak_footprint: usize,
    /// Allocation volume that triggers the next collection request.
    pub threshold: usize,
}

struct Block {
    base: NonNull<u8>,
    class: u8,
    free_head: *mut u8,
}

/// Per-thread free lists (reached by the collector through the registry).
pub(crate) struct LocalCache {
    heads: [*mut u8; NCLASSES],
}

/// Shared allocator and collector state, behind the heap lock.
pub(crate) struct HeapState {
    blocks: Vec<Block>,
    /// Per class: indices of blocks whose free list has not been handed out.
    avail: Vec<Vec<u32>>,
    /// Blocks with no live cell, not carved for any class.
    empty: Vec<u32>,
    /// Large objects: address and size.
    pub(crate) large: Vec<(NonNull<u8>, usize)>,
    pub(crate) large_bytes: usize,
    caches: Vec<NonNull<LocalCache>>,
    pub(crate) layouts: Vec<Arc<StructLayout>>,
    pub(crate) pinned: HashMap<u64, usize>,
    pub(crate) stats: HeapStats,
    /// `Some(collections)` when the limit was exceeded at that count.
    over_limit_at: Option<u64>,
}

// SAFETY: the raw pointers in the state (blocks, large objects, caches) are
// owned by the heap and only used under its lock or during a collection.
unsafe impl Send for HeapState {}

/// The garbage-collected heap shared by all threads of an engine.
pub struct Heap {
    pub(crate) state: Mutex<HeapState>,
    gc_requested: AtomicBool,
    hook: Mutex<Option<Arc<dyn Fn() + Send + Sync>>>,
    pub(crate) config: HeapConfig,
}

impl std::fmt::Debug for Heap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Heap")
            .field("stats", &self.stats())
            .finish()
    }
}

impl Heap {
    /// A new heap with the default configuration.
    pub fn new() -> Arc<Heap> {
        Heap::with_config(HeapConfig::default())
    }

    /// A new heap.
    pub fn with_config(config: HeapConfig) -> Arc<Heap> {
        let stats = HeapStats {
            threshold: config.min_threshold,
            ..HeapStats::default()
        };
        Arc::new(Heap {
            state: Mutex::new(HeapState {
                blocks: Vec::new(),
                avail: (0..NCLASSES).map(|_| Vec::new()).collect(),
                empty: Vec::new(),
                large: Vec::new(),
                large_bytes: 0,
                caches: Vec::new(),
                layouts: Vec::new(),
                pinned: HashMap::new(),
                stats,
                over_limit_at: None,
            }),
            gc_requested: AtomicBool::new(false),
            hook: Mutex::new(None),
            config,
        })
    }

    /// A per-thread allocation handle.
    pub fn mutator(self: &Arc<Self>) -> Mutator {
        let cache = NonNull::from(Box::leak(Box::new(LocalCache {
            heads: [std::ptr::null_mut(); NCLASSES],
        })));
        self.state.lock().caches.push(cache);
        Mutator {
            heap: self.clone(),
            cache,
        }
    }

    /// True when allocation passed the threshold since the last collection:
    /// the runtime should bring all threads to a safe point and collect.
    #[inline]
    pub fn gc_requested(&self) -> bool {
        self.gc_requested.load(Ordering::Relaxed)
    }

    /// Ask for a collection (also used by allocation past the threshold).
    pub fn request_gc(&self) {
        if !self.gc_requested.swap(true, Ordering::AcqRel) {
            let hook = self.hook.lock().clone();
            if let Some(h) = hook {
                h();
            }
        }
    }

    pub(crate) fn clear_gc_request(&self) {
        self.gc_requested.store(false, Ordering::Release);
    }

    /// Called (once per request, on the allocating thread, with no heap
    /// lock held) when a collection gets requested: the runtime moves the
    /// threads' stack limits here.
    pub fn set_gc_request_hook(&self, hook: Arc<dyn Fn() + Send + Sync>) {
        *self.hook.lock() = Some(hook);
    }

    /// Current statistics.
    pub fn stats(&self) -> HeapStats {
        self.state.lock().stats.clone()
    }

    /// Keep `word` (an object reference) alive until [`Heap::unpin`]
    /// (counted: pin twice, unpin twice). For literals held by compiled
    /// code and values held by the host.
    pub fn pin(&self, word: u64) {
        if word != 0 {
            *self.state.lock().pinned.entry(word).or_insert(0) += 1;
        }
    }

    /// Undo one [`Heap::pin`].
    pub fn unpin(&self, word: u64) {
        let mut st = self.state.lock();
        if let Some(n) = st.pinned.get_mut(&word) {
            *n -= 1;
            if *n == 0 {
                st.pinned.remove(&word);
            }
        }
    }

    /// Register a struct layout so that instances can point to it (done
    /// automatically by the first allocation with it).
    pub fn register_layout(&self, layout: &Arc<StructLayout>) {
        let mut st = self.state.lock();
        if !layout.is_registered() {
            layout.set_registered(true);
            st.layouts.push(layout.clone());
        }
    }

    /// Check the limit and the collection threshold before handing out
    /// `bytes` more. Called with the lock held; returns whether to call the
    /// request hook (after unlocking).
    fn account(&self, st: &mut HeapState, bytes: usize) -> Result<bool, RuntimeError> {
        let used = st.stats.live_bytes + st.stats.allocated_since_gc + bytes;
        let mut request = false;
        if used > self.config.limit {
            match st.over_limit_at {
                Some(at) if at < st.stats.collections => {
                    return Err(RuntimeError::new("out of memory"));
                }
                Some(_) => {}
                None => {
                    st.over_limit_at = Some(st.stats.collections);
                    request = true;
                }
            }
            let grace = (self.config.limit / 4).max(16 << 20);
            if used > self.config.limit.saturating_add(grace) {
                return Err(RuntimeError::new("out of memory"));
            }
        }
        st.stats.allocated_since_gc += bytes;
        st.stats.allocated_bytes += bytes as u64;
        if st.stats.allocated_since_gc >= st.stats.threshold {
            request = true;
        }
        Ok(request && !self.gc_requested())
    }

    /// Called by the collector at the end of a sweep.
    pub(crate) fn after_collection(&self, st: &mut HeapState) {
        let live = st.stats.live_bytes;
        st.stats.allocated_since_gc = 0;
        st.stats.threshold =
            (live as f64 * self.config.growth) as usize + self.config.min_threshold;
        if live <= self.config.limit {
            st.over_limit_at = None;
        }
        self.clear_gc_request();
    }
}

impl HeapState {
    fn footprint(&self) -> usize {
        self.blocks.len() * BLOCK_SIZE + self.large_bytes
    }

    fn update_footprint(&mut self) {
        let f = self.footprint();
        self.stats.footprint = f;
        if f > self.stats.peak_footprint {
            self.stats.peak_footprint = f;
        }
    }

    /// Clear every thread cache (the cells in them keep header 0 and are
    /// relinked by the sweep). Only during a collection.
    pub(crate) fn clear_caches(&mut self) {
        for c in &self.caches {
            // SAFETY: during a collection no mutator runs, so nobody else
            // touches the caches; the registry only holds live caches.
            unsafe { (*c.as_ptr()).heads = [std::ptr::null_mut(); NCLASSES] };
        }
    }

    /// Take a free list for `class`: from a block with free cells, from
    /// an empty block, or from a new block. Returns (head, cell count).
    fn take_free_list(&mut self, class: usize) -> (*mut u8, usize) {
        let cs = CLASS_SIZES[class];
        if let Some(i) = self.avail[class].pop() {
            let b = &mut self.blocks[i as usize];
            let head = std::mem::replace(&mut b.free_head, std::ptr::null_mut());
            // SAFETY: the list was built by the sweep from free cells of
            // this block; counting walks it without modifying it.
            let n = unsafe { list_len(head) };
            return (head, n);
        }
        let idx = match self.empty.pop() {
            Some(i) => i as usize,
            None => {
                let layout = Layout::from_size_align(BLOCK_SIZE, 4096).expect("block layout");
                // SAFETY: the layout has non-zero size.
                let p = unsafe { std::alloc::alloc(layout) };
                let Some(base) = NonNull::new(p) else {
                    std::alloc::handle_alloc_error(layout)
                };
                self.blocks.push(Block {
                    base,
                    class: NO_CLASS,
                    free_head: std::ptr::null_mut(),
                });
                self.update_footprint();
                self.blocks.len() - 1
            }
        };
        let b = &mut self.blocks[idx];
        b.class = class as u8;
        let n = BLOCK_SIZE / cs;
        let mut head: *mut u8 = std::ptr::null_mut();
        for i in (0..n).rev() {
            // SAFETY: cell `i` lies inside the block (i * cs + cs <= BLOCK_SIZE)
            // and the block has no live objects.
            unsafe {
                let cell = b.base.as_ptr().add(i * cs);
                free_cell(cell, head);
                head = cell;
            }
        }
        (head, n)
    }

    /// Sweep all blocks and large objects: free unmarked objects (running
    /// their finalizers), clear marks, rebuild the free lists, release
    /// surplus empty blocks. Returns (live bytes, live objects).
    ///
    /// # Safety
    /// Only during a collection, after marking.
    pub(crate) unsafe fn sweep(&mut self, keep_empty: usize) -> (usize, usize) {
        use super::object::{finalize, header, HDR_MARK};
        let mut live = 0usize;
        let mut objects = 0usize;
        for a in &mut self.avail {
            a.clear();
        }
        self.empty.clear();
        let mut empties = Vec::new();
        for (idx, b) in self.blocks.iter_mut().enumerate() {
            if b.class == NO_CLASS {
                empties.push(idx);
                continue;
            }
            let cs = CLASS_SIZES[b.class as usize];
            let n = BLOCK_SIZE / cs;
            let mut head: *mut u8 = std::ptr::null_mut();
            let mut free = 0;
            for i in (0..n).rev() {
                // SAFETY: cell `i` is inside the block; during a collection
                // every cell is either free (header 0) or an object.
                unsafe {
                    let cell = b.base.as_ptr().add(i * cs);
                    let p = NonNull::new_unchecked(cell as *mut u64);
                    let h = header(p);
                    if h == 0 {
                    } else if h & HDR_MARK != 0 {
                        set_header(p, h & !HDR_MARK);
                        live += cs;
                        objects += 1;
                        continue;
                    } else {
                        finalize(p);
                    }
                    free_cell(cell, head);
                    head = cell;
                    free += 1;
                }
            }
            if free == n {
                b.class = NO_CLASS;
                b.free_head = std::ptr::null_mut();
                empties.push(idx);
            } else if free > 0 {
                b.free_head = head;
                self.avail[b.class as usize].push(idx as u32);
            } else {
                b.free_head = std::ptr::null_mut();
            }
        }
        // Large objects.
        let mut large_bytes = 0;
        self.large.retain(|&(p, size)| {
            let o = p.cast::<u64>();
            // SAFETY: every entry is a live large object until freed here.
            unsafe {
                let h = header(o);
                if h & HDR_MARK != 0 {
                    set_header(o, h & !HDR_MARK);
                    live += size;
                    objects += 1;
                    large_bytes += size;
                    true
                } else {
                    finalize(o);
                    std::alloc::dealloc(p.as_ptr(), Layout::from_size_align_unchecked(size, 16));
                    false
                }
            }
        });
        self.large_bytes = large_bytes;
        // Keep some empty blocks, give the rest back.
        let keep = keep_empty.max(live / BLOCK_SIZE / 8);
        if empties.len() > keep {
            let release: std::collections::HashSet<usize> =
                empties[keep..].iter().copied().collect();
            let layout = Layout::from_size_align(BLOCK_SIZE, 4096).expect("block layout");
            let mut i = 0;
            self.blocks.retain(|b| {
                let r = release.contains(&i);
                i += 1;
                if r {
                    // SAFETY: the block was allocated with this layout and
                    // holds no live object and no cache's free list.
                    unsafe { std::alloc::dealloc(b.base.as_ptr(), layout) };
                }
                !r
            });
            // Indices changed: rebuild the lists.
            for a in &mut self.avail {
                a.clear();
            }
            for (idx, b) in self.blocks.iter().enumerate() {
                if b.class == NO_CLASS {
                    self.empty.push(idx as u32);
                } else if !b.free_head.is_null() {
                    self.avail[b.class as usize].push(idx as u32);
                }
            }
        } else {
            self.empty.extend(empties.iter().map(|&i| i as u32));
        }
        self.update_footprint();
        (live, objects)
    }
}

/// Make `cell` a free cell whose successor is `next`.
///
/// # Safety
/// `cell` must be a cell of at least 16 bytes owned by the allocator.
#[inline]
unsafe fn free_cell(cell: *mut u8, next: *mut u8) {
    // SAFETY: per the contract the cell has two words.
    unsafe {
        (cell as *mut u64).write(0);
        (cell as *mut *mut u8).add(1).write(next);
    }
}

/// Length of a free list.
///
/// # Safety
/// `head` must start a well-formed free list.
unsafe fn list_len(mut head: *mut u8) -> usize {
    let mut n = 0;
    while !head.is_null() {
        n += 1;
        // SAFETY: per the contract each cell's second word is the next cell.
        head = unsafe { (head as *mut *mut u8).add(1).read() };
    }
    n
}

impl Drop for Heap {
    fn drop(&mut self) {
        let st = self.state.get_mut();
        // Run the finalizers of everything still allocated, then free.
        let layout = Layout::from_size_align(BLOCK_SIZE, 4096).expect("block layout");
        for b in &st.blocks {
            if b.class != NO_CLASS {
                let cs = CLASS_SIZES[b.class as usize];
                for i in 0..BLOCK_SIZE / cs {
                    // SAFETY: the heap is being dropped: no mutator exists
                    // (each holds an Arc), every non-free cell is an object.
                    unsafe {
                        let p = NonNull::new_unchecked(b.base.as_ptr().add(i * cs) as *mut u64);
                        if super::object::header(p) != 0 {
                            super::object::finalize(p);
                        }
                    }
                }
            }
            // SAFETY: allocated with this layout.
            unsafe { std::alloc::dealloc(b.base.as_ptr(), layout) };
        }
        for &(p, size) in &st.large {
            // SAFETY: live large objects, allocated with (size, 16).
            unsafe {
                super::object::finalize(p.cast());
                std::alloc::dealloc(p.as_ptr(), Layout::from_size_align_unchecked(size, 16));
            }
        }
    }
}

/// A thread's allocation handle. Not `Sync`: one per thread. Objects it
/// allocates belong to the shared [`Heap`].
pub struct Mutator {
    heap: Arc<Heap>,
    cache: NonNull<LocalCache>,
}

// SAFETY: a mutator may move to another thread; its cache is only used by
// whoever owns the mutator (and by the collector while nobody runs).
unsafe impl Send for Mutator {}

impl std::fmt::Debug for Mutator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mutator").finish_non_exhaustive()
    }
}

impl Drop for Mutator {
    fn drop(&mut self) {
        let mut st = self.heap.state.lock();
        st.caches.retain(|c| *c != self.cache);
        drop(st);
        // SAFETY: the cache came from `Box::leak` and is no longer
        // registered; its cells stay free (header 0) for the next sweep.
        drop(unsafe { Box::from_raw(self.cache.as_ptr()) });
    }
}

impl Mutator {
    /// The heap this mutator allocates in.
    pub fn heap(&self) -> &Arc<Heap> {
        &self.heap
    }

    /// Allocate `size` bytes (≥ 16) and write the header word. The rest of
    /// the object is uninitialised.
    #[inline]
    pub(crate) fn alloc_raw(
        &mut self,
        size: usize,
        header: u64,
    ) -> Result<NonNull<u64>, RuntimeError> {
        debug_assert!(size >= 16);
        if size <= MAX_SMALL {
            let class = size_class(size);
            // SAFETY: the cache belongs to this mutator; the collector only
            // touches it while no mutator runs.
            let mut head = unsafe { (*self.cache.as_ptr()).heads[class] };
            if head.is_null() {
                head = self.refill(class)?;
            }
            // SAFETY: `head` is a free cell of this class: its second word
            // is the next free cell; the cell is now ours.
            unsafe {
                let cache = &mut *self.cache.as_ptr();
                cache.heads[class] = (head as *mut *mut u8).add(1).read();
                let p = NonNull::new_unchecked(head as *mut u64);
                set_header(p, header);
                Ok(p)
            }
        } else {
            self.alloc_large(size, header)
        }
    }

    #[cold]
    fn refill(&mut self, class: usize) -> Result<*mut u8, RuntimeError> {
        let heap = &*self.heap;
        let mut st = heap.state.lock();
        let (head, n) = st.take_free_list(class);
        let call_hook = match heap.account(&mut st, n * CLASS_SIZES[class]) {
            Ok(h) => h,
            Err(e) => {
                // Give the list back.
                drop(st);
                // SAFETY: own cache, see `alloc_raw`.
                unsafe { (*self.cache.as_ptr()).heads[class] = head };
                return Err(e);
            }
        };
        drop(st);
        if call_hook {
            heap.request_gc();
        }
        Ok(head)
    }

    #[cold]
    fn alloc_large(&mut self, size: usize, header: u64) -> Result<NonNull<u64>, RuntimeError> {
        let heap = &*self.heap;
        let size = size.next_multiple_of(16);
        let mut st = heap.state.lock();
        let call_hook = heap.account(&mut st, size)?;
        let layout =
            Layout::from_size_align(size, 16).map_err(|_| RuntimeError::new("out of memory"))?;
        // SAFETY: non-zero size.
        let p = unsafe { std::alloc::alloc(layout) };
        let Some(p) = NonNull::new(p) else {
            return Err(RuntimeError::new("out of memory"));
        };
        st.large.push((p, size));
        st.large_bytes += size;
        st.update_footprint();
        drop(st);
        if call_hook {
            heap.request_gc();
        }
        let p = p.cast::<u64>();
        // SAFETY: fresh allocation of at least 16 bytes.
        unsafe { set_header(p, header | HDR_LARGE) };
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_cover_all_small_sizes() {
        for size in 1..=MAX_SMALL {
            let c = size_class(size);
            assert!(CLASS_SIZES[c] >= size);
            if c > 0 {
                assert!(CLASS_SIZES[c - 1] < size);
            }
        }
        assert_eq!(size_class(16), 0);
        assert_eq!(size_class(17), 1);
        assert_eq!(size_class(2048), NCLASSES - 1);
    }
}

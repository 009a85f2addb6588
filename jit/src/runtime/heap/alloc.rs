//! The allocator: size-segregated cells in 64 KiB blocks with a mark bitmap
//! per block, per-thread bump allocation into free runs ([`Mutator`]),
//! large objects allocated individually.
//!
//! * A block is 64 KiB, aligned to 64 KiB (its own `mmap`), and holds cells
//!   of one size class ([`CLASS_SIZES`]: 16-byte granules up to 128, then
//!   ~4 classes per doubling up to [`MAX_SMALL`] = 2 KiB). Its first
//!   [`BLOCK_BITMAP_BYTES`] hold the mark bitmap, one bit per 16-byte
//!   granule (set at an object's first granule); cells follow.
//! * After a collection the bitmap says which cells are live; every other
//!   cell is free. A [`Mutator`] (one per thread) owns at most one block per
//!   class at a time and allocates by bumping a cursor through the runs of
//!   free cells of that block (no lock, no free-list writes). When the
//!   block is exhausted it takes another one under the heap lock: a block
//!   with free cells, an empty block, or a fresh one.
//! * The sweep never touches dead cells: it counts the marks per block
//!   (blocks without marks become empty and may return to the OS), runs the
//!   finalizers of dead map / channel / task objects (kept in a list), and
//!   frees dead large objects.
//! * Allocation never collects. Handing out a block counts its free bytes
//!   as allocated; past the threshold (live × growth + minimum) it raises
//!   [`Heap::gc_requested`] and calls the request hook. Beyond the heap
//!   limit it fails with `out of memory` once a collection has run since
//!   the limit was exceeded (or when the overshoot passes a grace margin).
//!
//! Inlined allocation (codegen): with `c = mutator.cache_ptr()`, class `k`
//! of the object size: `cur = [c + CACHE_CURSOR_OFFSET + 8k]`,
//! `next = cur + CLASS_SIZES[k]`; if `next > [c + CACHE_LIMIT_OFFSET + 8k]`
//! call the runtime's allocation function; else store `next` to the cursor
//! and the header word to `[cur]`; initialise every field before the next
//! safe point.

use std::alloc::Layout;
use std::collections::HashMap;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use super::object::{header, set_header, HDR_LARGE, HDR_MARK};
use super::structs::StructLayout;
use super::RuntimeError;
use crate::code::memory::page_size;

/// Size (and alignment) of a block of small cells.
pub const BLOCK_SIZE: usize = 64 * 1024;
/// Bytes at the start of a block holding its mark bitmap.
pub const BLOCK_BITMAP_BYTES: usize = BLOCK_SIZE / 16 / 8;
/// Offset of the first cell in a block.
const CELLS_OFFSET: usize = BLOCK_BITMAP_BYTES;
/// Largest object size served from size classes.
pub const MAX_SMALL: usize = 2048;
/// Number of size classes.
pub const NCLASSES: usize = 24;
/// Cell sizes of the small-object classes.
pub const CLASS_SIZES: [usize; NCLASSES] = [
    16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 896, 1024,
    1280, 1536, 1792, 2048,
];
const NO_CLASS: u8 = u8::MAX;

/// Offset in the thread cache ([`Mutator::cache_ptr`]) of the bump cursors
/// (one word per class).
pub const CACHE_CURSOR_OFFSET: i32 = 0;
/// Offset in the thread cache of the run limits (one word per class).
pub const CACHE_LIMIT_OFFSET: i32 = 8 * NCLASSES as i32;

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

/// Number of cells of `class` in a block.
#[inline]
const fn cells_per_block(class: usize) -> usize {
    (BLOCK_SIZE - CELLS_OFFSET) / CLASS_SIZES[class]
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
    /// Empty blocks kept for reuse after a sweep (at least; also as many
    /// as the next collection threshold needs); the rest go back to the OS.
    pub keep_empty_blocks: usize,
}

impl Default for HeapConfig {
    fn default() -> Self {
        HeapConfig {
            limit: 4 << 30,
            growth: 1.0,
            min_threshold: 32 << 20,
            keep_empty_blocks: 64,
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
    /// Bytes in live objects after the last collection (cell sizes).
    pub live_bytes: usize,
    /// Objects live after the last collection.
    pub live_objects: usize,
    /// Bytes handed to allocation caches (free cells of the blocks taken)
    /// and large objects, since start.
    pub allocated_bytes: u64,
    /// Same, since the last collection.
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
}

/// Per-thread allocation state (reached by the collector through the
/// registry). `#[repr(C)]`: generated code reads and writes the cursors.
#[repr(C)]
pub(crate) struct LocalCache {
    cursor: [usize; NCLASSES],
    limit: [usize; NCLASSES],
    /// Base of the block being allocated from, per class (0 = none).
    block: [usize; NCLASSES],
    /// Next cell index to scan in that block.
    scan: [usize; NCLASSES],
}

const _: () = {
    assert!(std::mem::offset_of!(LocalCache, cursor) == CACHE_CURSOR_OFFSET as usize);
    assert!(std::mem::offset_of!(LocalCache, limit) == CACHE_LIMIT_OFFSET as usize);
};

impl LocalCache {
    fn reset(&mut self) {
        *self = LocalCache {
            cursor: [0; NCLASSES],
            limit: [0; NCLASSES],
            block: [0; NCLASSES],
            scan: [0; NCLASSES],
        };
    }
}

// ---- mark bits -------------------------------------------------------------

/// Set the mark bit of the small object at `addr`; returns whether it was
/// already set.
///
/// # Safety
/// `addr` must be a small object (inside a block); only the collector,
/// while no mutator runs.
#[inline]
pub(crate) unsafe fn mark_small(addr: usize) -> bool {
    let base = addr & !(BLOCK_SIZE - 1);
    let g = (addr - base) >> 4;
    // SAFETY: the bitmap occupies the first bytes of the block; `g` is
    // below BLOCK_SIZE / 16 so the word is inside it.
    unsafe {
        let w = (base as *mut u64).add(g >> 6);
        let bit = 1u64 << (g & 63);
        let old = *w;
        *w = old | bit;
        old & bit != 0
    }
}

/// Is the small object at `addr` marked?
///
/// # Safety
/// As [`mark_small`].
#[inline]
unsafe fn is_marked_small(addr: usize) -> bool {
    let base = addr & !(BLOCK_SIZE - 1);
    let g = (addr - base) >> 4;
    // SAFETY: as in `mark_small`.
    unsafe { *(base as *const u64).add(g >> 6) & (1u64 << (g & 63)) != 0 }
}

/// Is the object at `p` (small or large) marked?
///
/// # Safety
/// `p` must be a heap object; only during a collection.
unsafe fn is_live(p: NonNull<u64>) -> bool {
    // SAFETY: per the contract.
    unsafe {
        let h = header(p);
        if h & HDR_LARGE != 0 {
            h & HDR_MARK != 0
        } else {
            is_marked_small(p.as_ptr() as usize)
        }
    }
}

/// The bitmap words of the block at `base`.
///
/// # Safety
/// `base` must be a mapped block; no concurrent writer.
unsafe fn bitmap<'a>(base: NonNull<u8>) -> &'a mut [u64; BLOCK_BITMAP_BYTES / 8] {
    // SAFETY: the first BLOCK_BITMAP_BYTES of a block are its bitmap.
    unsafe { &mut *(base.as_ptr() as *mut [u64; BLOCK_BITMAP_BYTES / 8]) }
}

fn map_block() -> Option<NonNull<u8>> {
    map_aligned(BLOCK_SIZE, BLOCK_SIZE)
}

/// A fresh anonymous read-write mapping of `size` bytes (whole pages:
/// the kernel rounds up) starting at a multiple of `align` (a power of
/// two, at least a page).
fn map_aligned(size: usize, align: usize) -> Option<NonNull<u8>> {
    // Whole pages, so that the tail trimmed below starts on a page.
    let size = size.checked_next_multiple_of(page_size())?;
    let len = size.checked_add(align)?;
    // SAFETY: anonymous private mapping; the unaligned ends are unmapped
    // below and only the aligned middle is used.
    unsafe {
        let p = libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if p == libc::MAP_FAILED {
            return None;
        }
        let addr = p as usize;
        let aligned = (addr + align - 1) & !(align - 1);
        if aligned > addr {
            libc::munmap(p, aligned - addr);
        }
        let tail = aligned + size;
        if addr + len > tail {
            libc::munmap(tail as *mut libc::c_void, addr + len - tail);
        }
        NonNull::new(aligned as *mut u8)
    }
}

/// Large objects of at least this many bytes get a mapping of their own,
/// 2 MiB-aligned and advised to use transparent huge pages: a big array or
/// string is faulted in 2 MiB at a time, and returned to the system as
/// soon as the sweep frees it. Smaller ones come from the allocator.
/// (`benches/programs/strings.em`, whose array grows to 8 MiB and whose
/// `join` makes a 5.9 MB string: median 51.8 ms instead of 55.2 ms, 25
/// interleaved runs.)
const OWN_MAPPING_MIN: usize = 2 << 20;

/// The allocator's layout for a large object of `size` bytes (`None`:
/// too large for any).
fn large_layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size, 16).ok()
}

/// Memory for a large object of `size` bytes (a multiple of 16, more than
/// [`MAX_SMALL`]); free it with [`free_large`] and the same size.
fn alloc_large_memory(size: usize) -> Option<NonNull<u8>> {
    if size >= OWN_MAPPING_MIN {
        // Only the start is 2 MiB-aligned: the whole 2 MiB stretches get
        // huge pages, the tail ordinary ones (no huge page half unused).
        let p = map_aligned(size, OWN_MAPPING_MIN)?;
        // SAFETY: advice only, on a mapping we own; failure (THP off or
        // unsupported) leaves ordinary pages.
        unsafe { libc::madvise(p.as_ptr() as *mut libc::c_void, size, libc::MADV_HUGEPAGE) };
        return Some(p);
    }
    let layout = large_layout(size)?;
    // SAFETY: non-zero size (large objects are over MAX_SMALL bytes).
    NonNull::new(unsafe { std::alloc::alloc(layout) })
}

/// # Safety
/// `p` must come from [`alloc_large_memory`] with this `size`, and hold
/// nothing in use.
unsafe fn free_large(p: NonNull<u8>, size: usize) {
    if size >= OWN_MAPPING_MIN {
        // SAFETY: per the contract, a mapping of `size` bytes of ours
        // (the kernel rounds both calls up to whole pages alike).
        unsafe { libc::munmap(p.as_ptr() as *mut libc::c_void, size) };
    } else {
        // SAFETY: per the contract, allocated with this layout.
        unsafe { std::alloc::dealloc(p.as_ptr(), Layout::from_size_align_unchecked(size, 16)) };
    }
}

/// # Safety
/// `base` must come from [`map_block`] and hold nothing in use.
unsafe fn unmap_block(base: NonNull<u8>) {
    // SAFETY: per the contract.
    unsafe { libc::munmap(base.as_ptr() as *mut libc::c_void, BLOCK_SIZE) };
}

/// Shared allocator and collector state, behind the heap lock.
pub(crate) struct HeapState {
    blocks: Vec<Block>,
    /// Per class: indices of blocks with free cells, not owned by a cache.
    avail: Vec<Vec<u32>>,
    /// Blocks with no live cell, not owned by a cache, not of any class.
    empty: Vec<u32>,
    /// Large objects: address and size.
    large: Vec<(NonNull<u8>, usize)>,
    large_bytes: usize,
    /// Objects with a Rust payload to drop when they die.
    finalizable: Vec<NonNull<u64>>,
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
    /// Immortal strings outside the collected blocks ([`Heap::static_str`]),
    /// freed with the heap.
    statics: Mutex<Vec<Box<[u128]>>>,
}

impl std::fmt::Debug for Heap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Heap")
            .field("stats", &self.stats())
            .finish()
    }
}

impl Heap {
    /// An immortal string with the text `s` (a string literal of compiled
    /// code): outside the collected blocks, so it never counts against
    /// the limit, is never marked, moved or freed before the heap, and
    /// making one cannot fail with `out of memory` — compiling a
    /// definition works even when the program has filled the heap.
    pub fn static_str(&self, s: &str) -> super::object::Str {
        let words = super::object::str_size(s.len()).div_ceil(16).max(1);
        let mut cell: Box<[u128]> = vec![0u128; words].into_boxed_slice();
        let p = NonNull::new(cell.as_mut_ptr() as *mut u64).expect("a boxed slice is non-null");
        // SAFETY: the cell is 16-byte aligned, zeroed, large enough for a
        // string of `s.len()` bytes, and ours alone until it is returned;
        // `HDR_STATIC` makes the collector and migrations skip it.
        let st = unsafe {
            super::object::set_header(p, super::object::KIND_STR | super::object::HDR_STATIC);
            super::object::Str::init(p, &[s])
        };
        // Moving the box does not move its contents.
        self.statics.lock().push(cell);
        st
    }

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
            statics: Mutex::new(Vec::new()),
            state: Mutex::new(HeapState {
                blocks: Vec::new(),
                avail: (0..NCLASSES).map(|_| Vec::new()).collect(),
                empty: Vec::new(),
                large: Vec::new(),
                large_bytes: 0,
                finalizable: Vec::new(),
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
        let cache = Box::new(LocalCache {
            cursor: [0; NCLASSES],
            limit: [0; NCLASSES],
            block: [0; NCLASSES],
            scan: [0; NCLASSES],
        });
        let cache = NonNull::from(Box::leak(cache));
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

    /// Ask for a collection (also done by allocation past the threshold).
    /// Calls the request hook on the transition to "requested".
    pub fn request_gc(&self) {
        if !self.gc_requested.swap(true, Ordering::AcqRel) {
            let hook = self.hook.lock().clone();
            if let Some(h) = hook {
                h();
            }
        }
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

    /// Count `bytes` more as allocated, checking the limit and the
    /// threshold. Called with the lock held; returns whether to call the
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

    /// Called by the collector at the end of a collection.
    pub(crate) fn after_collection(&self, st: &mut HeapState) {
        let live = st.stats.live_bytes;
        st.stats.allocated_since_gc = 0;
        st.stats.threshold =
            (live as f64 * self.config.growth) as usize + self.config.min_threshold;
        if live <= self.config.limit {
            st.over_limit_at = None;
        }
        self.gc_requested.store(false, Ordering::Release);
    }
}

impl HeapState {
    fn update_footprint(&mut self) {
        let f = self.blocks.len() * BLOCK_SIZE + self.large_bytes;
        self.stats.footprint = f;
        if f > self.stats.peak_footprint {
            self.stats.peak_footprint = f;
        }
    }

    /// Start of a collection: retire every thread cache (its block returns
    /// to the pool at the sweep) and clear all mark bits.
    ///
    /// # Safety
    /// Only during a collection (no mutator runs).
    pub(crate) unsafe fn begin_collection(&mut self) {
        for c in &self.caches {
            // SAFETY: no mutator runs, so nobody else touches the caches;
            // the registry only holds live caches.
            unsafe { (*c.as_ptr()).reset() };
        }
        for b in &self.blocks {
            if b.class != NO_CLASS {
                // SAFETY: a mapped block; no mutator runs.
                unsafe { bitmap(b.base).fill(0) };
            }
        }
    }

    /// Take a block for `class` (exclusively, for one cache): one with
    /// free cells, an empty one, or a new one. Returns (index, free cells).
    fn take_block(&mut self, class: usize) -> Result<(usize, usize), RuntimeError> {
        let n = cells_per_block(class);
        if let Some(i) = self.avail[class].pop() {
            let b = &self.blocks[i as usize];
            // SAFETY: the block is mapped and not owned by any cache.
            let live: u32 = unsafe { bitmap(b.base) }
                .iter()
                .map(|w| w.count_ones())
                .sum();
            return Ok((i as usize, n - live as usize));
        }
        let idx = match self.empty.pop() {
            Some(i) => i as usize,
            None => {
                let base = map_block().ok_or_else(|| RuntimeError::new("out of memory"))?;
                self.blocks.push(Block {
                    base,
                    class: NO_CLASS,
                });
                self.update_footprint();
                self.blocks.len() - 1
            }
        };
        self.blocks[idx].class = class as u8;
        Ok((idx, n))
    }

    /// Return a block taken by [`HeapState::take_block`] unused.
    fn give_back(&mut self, idx: usize, class: usize, free: usize) {
        if free == cells_per_block(class) {
            self.blocks[idx].class = NO_CLASS;
            self.empty.push(idx as u32);
        } else {
            self.avail[class].push(idx as u32);
        }
    }

    /// Sweep after marking: finalize dead payload objects, free dead large
    /// objects, count live cells per block, rebuild the block lists and
    /// release surplus empty blocks. Returns (live bytes, live objects).
    ///
    /// # Safety
    /// Only during a collection, after marking.
    pub(crate) unsafe fn sweep(&mut self, config: &HeapConfig) -> (usize, usize) {
        let (keep_empty, growth, min_threshold) = (
            config.keep_empty_blocks,
            config.growth,
            config.min_threshold,
        );
        let mut live = 0usize;
        let mut objects = 0usize;
        self.finalizable.retain(|&p| {
            // SAFETY: finalizable objects are heap objects until finalized
            // here, exactly once.
            unsafe {
                if is_live(p) {
                    true
                } else {
                    super::object::finalize(p);
                    false
                }
            }
        });
        let mut large_bytes = 0;
        self.large.retain(|&(p, size)| {
            let o = p.cast::<u64>();
            // SAFETY: every entry is a large object until freed here.
            unsafe {
                let h = header(o);
                if h & HDR_MARK != 0 {
                    set_header(o, h & !HDR_MARK);
                    live += size;
                    objects += 1;
                    large_bytes += size;
                    true
                } else {
                    free_large(p, size);
                    false
                }
            }
        });
        self.large_bytes = large_bytes;
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
            // SAFETY: a mapped block; no mutator runs.
            let marks: usize = unsafe { bitmap(b.base) }
                .iter()
                .map(|w| w.count_ones() as usize)
                .sum();
            let class = b.class as usize;
            if marks == 0 {
                b.class = NO_CLASS;
                empties.push(idx);
            } else {
                live += marks * CLASS_SIZES[class];
                objects += marks;
                if marks < cells_per_block(class) {
                    self.avail[class].push(idx as u32);
                }
            }
        }
        // Keep enough empty blocks for the allocation volume until the
        // next collection (the footprint is live + threshold anyway).
        let next_threshold = (live as f64 * growth) as usize + min_threshold;
        let keep = keep_empty.max(next_threshold / BLOCK_SIZE);
        if empties.len() > keep {
            let mut release = vec![false; self.blocks.len()];
            for &i in &empties[keep..] {
                release[i] = true;
            }
            let mut i = 0;
            self.blocks.retain(|b| {
                let r = release[i];
                i += 1;
                if r {
                    // SAFETY: the block is empty and owned by no cache.
                    unsafe { unmap_block(b.base) };
                }
                !r
            });
            for a in &mut self.avail {
                a.clear();
            }
            for (idx, b) in self.blocks.iter().enumerate() {
                if b.class == NO_CLASS {
                    self.empty.push(idx as u32);
                } else {
                    // SAFETY: a mapped block; no mutator runs.
                    let marks: u32 = unsafe { bitmap(b.base) }
                        .iter()
                        .map(|w| w.count_ones())
                        .sum();
                    if (marks as usize) < cells_per_block(b.class as usize) {
                        self.avail[b.class as usize].push(idx as u32);
                    }
                }
            }
        } else {
            self.empty.extend(empties.iter().map(|&i| i as u32));
        }
        self.update_footprint();
        (live, objects)
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        let st = self.state.get_mut();
        for &p in &st.finalizable {
            // SAFETY: the heap is being dropped (no mutator exists: each
            // holds an Arc); each payload object is finalized once.
            unsafe { super::object::finalize(p) };
        }
        for b in &st.blocks {
            // SAFETY: mapped by `map_block`, nothing uses it any more.
            unsafe { unmap_block(b.base) };
        }
        for &(p, size) in &st.large {
            // SAFETY: large objects from `alloc_large_memory(size)`.
            unsafe { free_large(p, size) };
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
        // registered; its blocks return to the pool at the next sweep.
        drop(unsafe { Box::from_raw(self.cache.as_ptr()) });
    }
}

impl Mutator {
    /// The heap this mutator allocates in.
    pub fn heap(&self) -> &Arc<Heap> {
        &self.heap
    }

    /// Address of this thread's allocation cache (stable for the mutator's
    /// life), for inlined allocation: see the module documentation.
    pub fn cache_ptr(&self) -> *mut u8 {
        self.cache.as_ptr() as *mut u8
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
            let c = self.cache.as_ptr();
            // SAFETY: the cache belongs to this mutator (the collector only
            // touches it while no mutator runs); a run `cursor..limit` is
            // free cells of a block this cache owns.
            unsafe {
                let cur = (*c).cursor[class];
                let next = cur + CLASS_SIZES[class];
                if next <= (*c).limit[class] {
                    (*c).cursor[class] = next;
                    let p = NonNull::new_unchecked(cur as *mut u64);
                    set_header(p, header);
                    return Ok(p);
                }
            }
            self.alloc_slow(class, header)
        } else {
            self.alloc_large(size, header)
        }
    }

    /// Slow path of the small-object allocation: next free run of the
    /// current block, or a new block.
    #[cold]
    pub fn alloc_slow(&mut self, class: usize, header: u64) -> Result<NonNull<u64>, RuntimeError> {
        loop {
            if self.next_run(class) {
                // SAFETY: own cache; `next_run` made a non-empty run.
                unsafe {
                    let c = self.cache.as_ptr();
                    let cur = (*c).cursor[class];
                    (*c).cursor[class] = cur + CLASS_SIZES[class];
                    let p = NonNull::new_unchecked(cur as *mut u64);
                    set_header(p, header);
                    return Ok(p);
                }
            }
            self.refill(class)?;
        }
    }

    /// Find the next run of free cells in the current block of `class`.
    fn next_run(&mut self, class: usize) -> bool {
        // SAFETY: own cache (see `alloc_raw`).
        let c = unsafe { &mut *self.cache.as_ptr() };
        let base = c.block[class];
        if base == 0 {
            return false;
        }
        let cs = CLASS_SIZES[class];
        let n = cells_per_block(class);
        let first = base + CELLS_OFFSET;
        let mut i = c.scan[class];
        // SAFETY: cells `i < n` are inside the block, which this cache
        // owns; its bitmap only changes during a collection.
        let marked = |i: usize| unsafe { is_marked_small(first + i * cs) };
        while i < n && marked(i) {
            i += 1;
        }
        if i == n {
            c.block[class] = 0;
            c.cursor[class] = 0;
            c.limit[class] = 0;
            return false;
        }
        let start = i;
        while i < n && !marked(i) {
            i += 1;
        }
        c.cursor[class] = first + start * cs;
        c.limit[class] = first + i * cs;
        c.scan[class] = i;
        true
    }

    /// Take a new block for `class` into the cache.
    fn refill(&mut self, class: usize) -> Result<(), RuntimeError> {
        let heap = &*self.heap;
        let mut st = heap.state.lock();
        let (idx, free) = st.take_block(class)?;
        let call_hook = match heap.account(&mut st, free * CLASS_SIZES[class]) {
            Ok(h) => h,
            Err(e) => {
                st.give_back(idx, class, free);
                drop(st);
                // Out of memory: the next safe point must collect, or the
                // memory the failed code held (now unreachable) is never
                // returned and every later allocation fails too.
                heap.request_gc();
                return Err(e);
            }
        };
        let base = st.blocks[idx].base.as_ptr() as usize;
        drop(st);
        // SAFETY: own cache (see `alloc_raw`).
        let c = unsafe { &mut *self.cache.as_ptr() };
        c.block[class] = base;
        c.scan[class] = 0;
        c.cursor[class] = 0;
        c.limit[class] = 0;
        if call_hook {
            heap.request_gc();
        }
        Ok(())
    }

    #[cold]
    fn alloc_large(&mut self, size: usize, header: u64) -> Result<NonNull<u64>, RuntimeError> {
        let heap = &*self.heap;
        let size = size.next_multiple_of(16);
        if large_layout(size).is_none() {
            return Err(RuntimeError::new("out of memory"));
        }
        let mut st = heap.state.lock();
        let call_hook = match heap.account(&mut st, size) {
            Ok(h) => h,
            Err(e) => {
                drop(st);
                // As for blocks: make the next safe point collect.
                heap.request_gc();
                return Err(e);
            }
        };
        let Some(p) = alloc_large_memory(size) else {
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

    /// Record an object with a Rust payload (map, channel, task) so that
    /// the sweep drops the payload when the object dies.
    pub(crate) fn register_finalizable(&mut self, p: NonNull<u64>) {
        self.heap.state.lock().finalizable.push(p);
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

    /// Whether the page at `addr` is mapped (`msync` on an unmapped range
    /// fails with ENOMEM).
    fn mapped_at(addr: usize) -> bool {
        // SAFETY: msync only inspects the range.
        unsafe { libc::msync(addr as *mut libc::c_void, page_size(), libc::MS_ASYNC) == 0 }
    }

    #[test]
    fn big_large_objects_get_an_aligned_mapping_of_their_own() {
        for size in [
            MAX_SMALL + 16,
            OWN_MAPPING_MIN - 16,
            OWN_MAPPING_MIN,
            3 * OWN_MAPPING_MIN + 16,
        ] {
            let p = alloc_large_memory(size).expect("memory");
            assert_eq!(p.as_ptr() as usize % 16, 0, "{size}");
            if size >= OWN_MAPPING_MIN {
                assert_eq!(p.as_ptr() as usize % OWN_MAPPING_MIN, 0, "{size}");
                // Mapped exactly (whole pages): nothing left after the
                // object's last page.
                let end = (p.as_ptr() as usize + size).next_multiple_of(page_size());
                assert!(!mapped_at(end), "{size}: tail left mapped");
            }
            // SAFETY: `size` bytes just allocated, freed below with the
            // same size.
            unsafe {
                std::ptr::write_bytes(p.as_ptr(), 0xAB, size);
                assert_eq!(*p.as_ptr().add(size - 1), 0xAB);
                free_large(p, size);
            }
        }
    }
}

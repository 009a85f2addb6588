//! Executable memory for compiled function bodies.
//!
//! # Layout
//!
//! One anonymous memory file (`memfd_create`) is mapped **twice**:
//!
//! * the **RW view** (`PROT_READ | PROT_WRITE`), where code is written;
//! * the **RX view** (`PROT_READ | PROT_EXEC`), where code runs.
//!
//! No page is ever writable and executable in the same mapping (W^X), yet
//! installing code is a plain copy with no `mprotect` call and no TLB
//! shootdown. Both views sit at fixed places inside two address-space
//! reservations of [`DEFAULT_CAPACITY`] (1 GiB, `PROT_NONE`,
//! `MAP_NORESERVE`: costs no memory) made once in [`CodeMemory::new`], so
//! the RX range never moves and a signal handler can test "is this PC in
//! Ember code?" against constants ([`CodeMemory::rx_reservation`]).
//! The file grows lazily in steps of [`GROW_STEP`] (4 MiB): `ftruncate`,
//! then the new part of the file is mapped into both reservations with
//! `MAP_FIXED` right after the previous part. A shared-memory file is
//! sparse: pages cost memory only once touched.
//!
//! # Allocation
//!
//! First fit over blocks that are multiples of [`MIN_ALIGN`] (16) bytes:
//! a free list (ordered by offset) whose neighbours coalesce on
//! [`CodeMemory::free`], so function bodies are freed one by one and their
//! memory is reused; a 100-byte body takes 112 bytes. Freed blocks are
//! filled with trap instructions (`int3` / `udf`), so a stale jump into
//! freed code traps instead of running garbage.
//!
//! # Instruction-cache coherence
//!
//! * x86-64: the hardware keeps instruction fetch coherent with stores;
//!   only compiler ordering is needed (a `SeqCst` fence after the copy).
//! * aarch64: after the copy, `dc cvau` over the written range (RW view),
//!   `dsb ish`, `ic ivau` over the range (RX view), `dsb ish`, `isb`, with
//!   the line sizes read from `CTR_EL0` (skipping the clean if `CTR_EL0.IDC`
//!   and the invalidate if `CTR_EL0.DIC` says it is not needed). This makes
//!   the code visible to the writing thread. Other threads must execute a
//!   context-synchronizing event before running it: call
//!   [`CodeMemory::sync_other_threads`] once after writing a batch of bodies
//!   and before publishing them in slots (it uses
//!   `membarrier(PRIVATE_EXPEDITED_SYNC_CORE)`; a no-op on x86-64).
//!
//! # Threads
//!
//! `CodeMemory` is `Send + Sync`; mutation takes `&mut self`, so share it
//! behind a `Mutex`. [`CodeMemory::contains`] and the stats take `&self`.
//! The RX reservation bounds are fixed at creation and may be copied into
//! atomics for lock-free use (e.g. by a signal handler).
//!
//! Dropping a `CodeMemory` unmaps everything: no code in it may run after.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::fd::AsRawFd;

/// Address space reserved for each view by [`CodeMemory::new`].
pub const DEFAULT_CAPACITY: usize = 1 << 30;
/// The memory file and both views grow by multiples of this.
pub const GROW_STEP: usize = 4 << 20;
/// Every block starts at a multiple of this and its size is one too.
pub const MIN_ALIGN: usize = 16;

/// The system's page size (4096 if it cannot be read); also the heap's.
pub(crate) fn page_size() -> usize {
    static PAGE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    // SAFETY: sysconf has no memory-safety preconditions.
    *PAGE.get_or_init(|| match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
        n if n > 0 => n as usize,
        _ => 4096,
    })
}

/// Alignment of an Ember function's body: a cache line. With 16, where a
/// body starts within its 64-byte line depended on what was installed
/// before it, and the speed of its loops with it: the same body of
/// `benches/programs/loop.em` ran in 60 ms or 80 ms, `calls.em` in 130 ms
/// or 150 ms, depending only on that offset (x86-64, AMD Zen 5). At 64
/// a body has one layout wherever and whenever it is installed.
/// Trampolines and stubs keep [`MIN_ALIGN`].
pub const FUNCTION_ALIGN: usize = 64;

/// The byte pattern freed and padding bytes are filled with: a trapping
/// instruction (`int3` on x86-64; `udf #0` is the all-zero word on aarch64).
#[cfg(target_arch = "x86_64")]
const TRAP_FILL: u8 = 0xcc;
#[cfg(not(target_arch = "x86_64"))]
const TRAP_FILL: u8 = 0x00;

/// A block of installed code, addressed in the RX view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CodePtr {
    addr: usize,
    len: usize,
    size: usize,
}

impl CodePtr {
    /// Address of the first byte (in the executable view): the entry.
    pub fn addr(self) -> usize {
        self.addr
    }

    /// The same as a raw pointer.
    pub fn as_ptr(self) -> *const u8 {
        self.addr as *const u8
    }

    /// Number of code bytes written.
    pub fn len(self) -> usize {
        self.len
    }

    /// True for a block written from an empty slice.
    pub fn is_empty(self) -> bool {
        self.len == 0
    }

    /// Bytes the block occupies (`len` rounded up to [`MIN_ALIGN`]).
    pub fn size(self) -> usize {
        self.size
    }

    /// Executable address range of the block.
    pub fn range(self) -> Range<usize> {
        self.addr..self.addr + self.size
    }
}

/// Errors of [`CodeMemory`].
#[derive(Debug)]
pub enum CodeMemoryError {
    /// The reservation cannot hold a block of `requested` bytes.
    Exhausted { requested: usize, capacity: usize },
    /// `align` is not a power of two, or larger than a page.
    BadAlign(usize),
    /// `free` of an address that is not the start of a live block.
    NotAllocated(usize),
    /// `memfd_create`, `ftruncate` or `mmap` failed.
    Os(io::Error),
}

impl fmt::Display for CodeMemoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeMemoryError::Exhausted {
                requested,
                capacity,
            } => write!(
                f,
                "code memory exhausted: {requested} bytes requested, {capacity} bytes reserved"
            ),
            CodeMemoryError::BadAlign(a) => write!(f, "bad code alignment {a}"),
            CodeMemoryError::NotAllocated(a) => {
                write!(f, "{a:#x} is not the start of a live code block")
            }
            CodeMemoryError::Os(e) => write!(f, "code memory: {e}"),
        }
    }
}

impl std::error::Error for CodeMemoryError {}

impl From<io::Error> for CodeMemoryError {
    fn from(e: io::Error) -> Self {
        CodeMemoryError::Os(e)
    }
}

/// Usage figures, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CodeStats {
    /// In live blocks (including the padding to 16 bytes).
    pub live: usize,
    /// In the free list (mapped, reusable).
    pub free: usize,
    /// Mapped so far (the memory file's size): `live + free`.
    pub mapped: usize,
    /// Address space reserved for each view (the most that can be mapped).
    pub reserved: usize,
    /// Number of live blocks.
    pub live_blocks: usize,
    /// Number of blocks in the free list (fragmentation indicator).
    pub free_blocks: usize,
}

/// Executable memory: see the module documentation.
pub struct CodeMemory {
    file: File,
    /// Start of the RW reservation.
    rw_base: usize,
    /// Start of the RX reservation.
    rx_base: usize,
    /// Size of each reservation.
    capacity: usize,
    /// Bytes of the file mapped into both views (multiple of `GROW_STEP`).
    mapped: usize,
    /// Free blocks: offset → size, no two adjacent.
    free: BTreeMap<usize, usize>,
    /// Live blocks: offset → size.
    live: BTreeMap<usize, usize>,
    live_bytes: usize,
    free_bytes: usize,
    page_size: usize,
}

impl fmt::Debug for CodeMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeMemory")
            .field("rx", &format_args!("{:#x}", self.rx_base))
            .field("rw", &format_args!("{:#x}", self.rw_base))
            .field("stats", &self.stats())
            .finish()
    }
}

fn align_up(x: usize, a: usize) -> usize {
    (x + a - 1) & !(a - 1)
}

fn last_os_error() -> CodeMemoryError {
    CodeMemoryError::Os(io::Error::last_os_error())
}

/// Reserve `len` bytes of address space, inaccessible.
fn reserve(len: usize) -> Result<usize, CodeMemoryError> {
    // SAFETY: a fresh anonymous PROT_NONE mapping at an address chosen by
    // the kernel; it aliases nothing.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(last_os_error());
    }
    Ok(p as usize)
}

impl CodeMemory {
    /// Code memory with [`DEFAULT_CAPACITY`] of address space per view.
    pub fn new() -> Result<CodeMemory, CodeMemoryError> {
        CodeMemory::with_capacity(DEFAULT_CAPACITY)
    }

    /// Code memory that can grow to `capacity` bytes (rounded up to
    /// [`GROW_STEP`]). Nothing is mapped until the first allocation.
    pub fn with_capacity(capacity: usize) -> Result<CodeMemory, CodeMemoryError> {
        let capacity = align_up(capacity.max(GROW_STEP), GROW_STEP);
        let file = memfd::MemfdOptions::default()
            .close_on_exec(true)
            .create("ember-code")
            .map_err(|e| match e {
                memfd::Error::Create(e) | memfd::Error::AddSeals(e) | memfd::Error::GetSeals(e) => {
                    CodeMemoryError::Os(e)
                }
            })?
            .into_file();
        let page_size = page_size();
        let rw_base = reserve(capacity)?;
        let rx_base = match reserve(capacity) {
            Ok(p) => p,
            Err(e) => {
                // SAFETY: `rw_base..+capacity` is our own fresh reservation.
                unsafe { libc::munmap(rw_base as *mut libc::c_void, capacity) };
                return Err(e);
            }
        };
        register_sync_core();
        Ok(CodeMemory {
            file,
            rw_base,
            rx_base,
            capacity,
            mapped: 0,
            free: BTreeMap::new(),
            live: BTreeMap::new(),
            live_bytes: 0,
            free_bytes: 0,
            page_size,
        })
    }

    /// Map `at_least` more bytes (rounded up to `GROW_STEP`) of the file into
    /// both views, and add them to the free list.
    fn grow(&mut self, at_least: usize) -> Result<(), CodeMemoryError> {
        let step = align_up(at_least.max(1), GROW_STEP);
        let new_mapped = self
            .mapped
            .checked_add(step)
            .filter(|&m| m <= self.capacity);
        let Some(new_mapped) = new_mapped else {
            return Err(CodeMemoryError::Exhausted {
                requested: at_least,
                capacity: self.capacity,
            });
        };
        self.file.set_len(new_mapped as u64)?;
        let fd = self.file.as_raw_fd();
        for (base, prot) in [
            (self.rw_base, libc::PROT_READ | libc::PROT_WRITE),
            (self.rx_base, libc::PROT_READ | libc::PROT_EXEC),
        ] {
            let at = base + self.mapped;
            // SAFETY: `at..at + step` lies inside our own reservation
            // (`new_mapped <= capacity`) and is still PROT_NONE, so
            // MAP_FIXED replaces nothing that anyone uses; the file is at
            // least `new_mapped` bytes long.
            let p = unsafe {
                libc::mmap(
                    at as *mut libc::c_void,
                    step,
                    prot,
                    libc::MAP_SHARED | libc::MAP_FIXED,
                    fd,
                    self.mapped as libc::off_t,
                )
            };
            if p == libc::MAP_FAILED {
                return Err(last_os_error());
            }
            debug_assert_eq!(p as usize, at);
        }
        // The new part reads as zeros and is not prefilled (that would touch
        // every page): a block's bytes and padding are written when it is
        // allocated, and become traps when it is freed.
        let old = self.mapped;
        self.mapped = new_mapped;
        self.insert_free(old, step);
        Ok(())
    }

    /// Add `off..off + size` to the free list, merging with neighbours.
    fn insert_free(&mut self, mut off: usize, mut size: usize) {
        self.free_bytes += size;
        if let Some((&p_off, &p_size)) = self.free.range(..off).next_back() {
            debug_assert!(p_off + p_size <= off, "free block overlaps");
            if p_off + p_size == off {
                self.free.remove(&p_off);
                off = p_off;
                size += p_size;
            }
        }
        if let Some(n_size) = self.free.remove(&(off + size)) {
            size += n_size;
        }
        self.free.insert(off, size);
    }

    /// First free block that holds `size` bytes at an `align`-aligned
    /// offset: returns `(block offset, block size, aligned start)`.
    fn find_fit(&self, size: usize, align: usize) -> Option<(usize, usize, usize)> {
        self.free.iter().find_map(|(&off, &len)| {
            let start = align_up(off, align);
            (start + size <= off + len).then_some((off, len, start))
        })
    }

    /// Copy `bytes` into a fresh block whose start is a multiple of `align`
    /// (at least 16; at most a page), make it executable-coherent, and
    /// return it. The block stays until [`CodeMemory::free`].
    pub fn alloc_and_write(
        &mut self,
        bytes: &[u8],
        align: usize,
    ) -> Result<CodePtr, CodeMemoryError> {
        if !align.is_power_of_two() || align > self.page_size {
            return Err(CodeMemoryError::BadAlign(align));
        }
        let align = align.max(MIN_ALIGN);
        let size = align_up(bytes.len().max(1), MIN_ALIGN);
        let fit = match self.find_fit(size, align) {
            Some(fit) => fit,
            None => {
                self.grow(size + align)?;
                self.find_fit(size, align)
                    .expect("a fresh GROW_STEP region fits the block")
            }
        };
        let (off, len, start) = fit;
        self.free.remove(&off);
        self.free_bytes -= len;
        if start > off {
            self.insert_free(off, start - off);
        }
        if start + size < off + len {
            self.insert_free(start + size, off + len - (start + size));
        }
        self.live.insert(start, size);
        self.live_bytes += size;

        let dst = (self.rw_base + start) as *mut u8;
        // SAFETY: `start..start + size` is inside the mapped RW view and
        // belongs to no other live block; `bytes` cannot overlap it (it
        // would have to be a slice into this free block).
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, bytes.len());
            std::ptr::write_bytes(dst.add(bytes.len()), TRAP_FILL, size - bytes.len());
        }
        flush_icache(self.rw_base + start, self.rx_base + start, size);
        Ok(CodePtr {
            addr: self.rx_base + start,
            len: bytes.len(),
            size,
        })
    }

    /// Free the block `ptr` (from [`CodeMemory::alloc_and_write`]) for
    /// reuse. No thread may run its code any more. Its bytes become traps.
    pub fn free(&mut self, ptr: CodePtr) -> Result<(), CodeMemoryError> {
        self.free_addr(ptr.addr)
    }

    /// [`CodeMemory::free`] by entry address.
    pub fn free_addr(&mut self, addr: usize) -> Result<(), CodeMemoryError> {
        let off = addr.wrapping_sub(self.rx_base);
        let Some(size) = self.live.remove(&off) else {
            return Err(CodeMemoryError::NotAllocated(addr));
        };
        self.live_bytes -= size;
        // SAFETY: `off..off + size` was a live block inside the mapped RW
        // view; it is now ours alone.
        unsafe { std::ptr::write_bytes((self.rw_base + off) as *mut u8, TRAP_FILL, size) };
        flush_icache(self.rw_base + off, self.rx_base + off, size);
        self.insert_free(off, size);
        Ok(())
    }

    /// True if `pc` lies in the mapped executable view (live or free code).
    pub fn contains(&self, pc: usize) -> bool {
        pc >= self.rx_base && pc < self.rx_base + self.mapped
    }

    /// The live block containing `pc`, if any (e.g. to map a return address
    /// found by a stack walk to the code version it belongs to).
    pub fn block_containing(&self, pc: usize) -> Option<CodePtr> {
        if !self.contains(pc) {
            return None;
        }
        let off = pc - self.rx_base;
        let (&start, &size) = self.live.range(..=off).next_back()?;
        (off < start + size).then_some(CodePtr {
            addr: self.rx_base + start,
            len: size,
            size,
        })
    }

    /// A copy of the `len` first bytes of the live block starting at
    /// `addr` (`None` if no live block starts there, or it is shorter): to
    /// show installed code (the REPL's `:asm`).
    pub fn read(&self, addr: usize, len: usize) -> Option<Vec<u8>> {
        let off = addr.checked_sub(self.rx_base)?;
        let &size = self.live.get(&off)?;
        if len > size {
            return None;
        }
        // SAFETY: `off..off + size` is a live block inside the mapped RW
        // view; `&self` keeps it from being freed or rewritten meanwhile
        // (both need `&mut self`).
        let bytes = unsafe { std::slice::from_raw_parts((self.rw_base + off) as *const u8, len) };
        Some(bytes.to_vec())
    }

    /// The whole executable reservation: fixed for this `CodeMemory`'s life
    /// (only a prefix of it is mapped). Every PC of code allocated here
    /// lies in it.
    pub fn rx_reservation(&self) -> Range<usize> {
        self.rx_base..self.rx_base + self.capacity
    }

    /// The whole writable reservation (for tests and diagnostics).
    pub fn rw_reservation(&self) -> Range<usize> {
        self.rw_base..self.rw_base + self.capacity
    }

    /// Usage figures.
    pub fn stats(&self) -> CodeStats {
        CodeStats {
            live: self.live_bytes,
            free: self.free_bytes,
            mapped: self.mapped,
            reserved: self.capacity,
            live_blocks: self.live.len(),
            free_blocks: self.free.len(),
        }
    }

    /// Make code written (by any thread) before this call safe to run on
    /// every thread of the process. Call once after writing a batch of
    /// bodies and before publishing their entries. A no-op on x86-64; on
    /// aarch64 `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE)`.
    pub fn sync_other_threads(&self) {
        sync_other_threads();
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        for base in [self.rw_base, self.rx_base] {
            // SAFETY: our own reservation; by contract no code in it runs
            // any more and no `CodePtr` from it is used.
            unsafe { libc::munmap(base as *mut libc::c_void, self.capacity) };
        }
    }
}

// ---------------------------------------------------------------------
// Instruction-cache coherence, per architecture.
// ---------------------------------------------------------------------

/// x86-64: instruction fetch is coherent with data stores on the same and
/// other cores (self- and cross-modifying code is detected by hardware);
/// only keep the compiler from sinking the copy below the publication.
#[cfg(target_arch = "x86_64")]
fn flush_icache(_rw: usize, _rx: usize, _len: usize) {
    std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
}

/// aarch64: clean the data cache to the point of unification over the
/// written bytes (through the RW alias; data caches are PIPT), invalidate
/// the instruction cache over the executable alias, and synchronize.
#[cfg(target_arch = "aarch64")]
fn flush_icache(rw: usize, rx: usize, len: usize) {
    use std::arch::asm;
    if len == 0 {
        return;
    }
    let ctr: u64;
    // SAFETY: reading CTR_EL0 is allowed at EL0 on Linux (SCTLR_EL1.UCT is
    // set, or the kernel emulates the access); no memory is touched.
    unsafe { asm!("mrs {}, ctr_el0", out(reg) ctr, options(nomem, nostack, preserves_flags)) };
    let dline = 4usize << ((ctr >> 16) & 0xf);
    let iline = 4usize << (ctr & 0xf);
    let idc = (ctr >> 28) & 1 == 1;
    let dic = (ctr >> 29) & 1 == 1;
    if !idc {
        let mut a = rw & !(dline - 1);
        while a < rw + len {
            // SAFETY: `a` lies in (the cache line of) bytes of the mapped RW
            // view that we just wrote; `dc cvau` only cleans a cache line.
            unsafe { asm!("dc cvau, {}", in(reg) a, options(nostack, preserves_flags)) };
            a += dline;
        }
    }
    // SAFETY: a barrier; no operands.
    unsafe { asm!("dsb ish", options(nostack, preserves_flags)) };
    if !dic {
        let mut a = rx & !(iline - 1);
        while a < rx + len {
            // SAFETY: `a` lies in the mapped RX view of the written range;
            // `ic ivau` only invalidates instruction-cache lines.
            unsafe { asm!("ic ivau, {}", in(reg) a, options(nostack, preserves_flags)) };
            a += iline;
        }
        // SAFETY: a barrier; no operands.
        unsafe { asm!("dsb ish", options(nostack, preserves_flags)) };
    }
    // SAFETY: a context synchronization barrier; no operands.
    unsafe { asm!("isb", options(nostack, preserves_flags)) };
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
compile_error!("ember-jit supports x86-64 and aarch64 only");

#[cfg(target_arch = "aarch64")]
const MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE: libc::c_int = 1 << 5;
#[cfg(target_arch = "aarch64")]
const MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE: libc::c_int = 1 << 6;

#[cfg(target_arch = "aarch64")]
static SYNC_CORE_REGISTERED: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Register this process for `membarrier` SYNC_CORE (needed once before
/// using it). Failure (old kernel, emulator) leaves `sync_other_threads` a
/// no-op; other threads then rely on their own context-synchronizing
/// events (every syscall return and every park/unpark is one).
#[cfg(target_arch = "aarch64")]
fn register_sync_core() {
    use std::sync::atomic::Ordering;
    if SYNC_CORE_REGISTERED.load(Ordering::Acquire) {
        return;
    }
    // SAFETY: membarrier registration takes no pointers.
    let r = unsafe {
        libc::syscall(
            libc::SYS_membarrier,
            MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE,
            0,
            0,
        )
    };
    if r == 0 {
        SYNC_CORE_REGISTERED.store(true, Ordering::Release);
    }
}

#[cfg(target_arch = "aarch64")]
fn sync_other_threads() {
    use std::sync::atomic::Ordering;
    if SYNC_CORE_REGISTERED.load(Ordering::Acquire) {
        // SAFETY: membarrier takes no pointers; the process is registered.
        unsafe {
            libc::syscall(
                libc::SYS_membarrier,
                MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE,
                0,
                0,
            )
        };
    }
}

#[cfg(target_arch = "x86_64")]
fn register_sync_core() {}

/// x86-64: cross-modifying code needs no action for code that no other core
/// has executed at that address since it was last written, which the
/// reclamation rule guarantees (a block is freed and reused only when no
/// frame can run it).
#[cfg(target_arch = "x86_64")]
fn sync_other_threads() {
    std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_invariants(m: &CodeMemory) {
        let s = m.stats();
        assert_eq!(s.live + s.free, s.mapped, "{s:?}");
        let mut prev_end = None;
        for (&off, &size) in &m.free {
            assert_eq!(off % MIN_ALIGN, 0);
            assert_eq!(size % MIN_ALIGN, 0);
            if let Some(end) = prev_end {
                assert!(off > end, "adjacent free blocks were not coalesced");
            }
            prev_end = Some(off + size);
        }
        assert_eq!(m.free.values().sum::<usize>(), s.free);
        assert_eq!(m.live.values().sum::<usize>(), s.live);
    }

    fn read(p: CodePtr) -> Vec<u8> {
        // SAFETY: `p` is a live block; the RX view is readable.
        unsafe { std::slice::from_raw_parts(p.as_ptr(), p.len()).to_vec() }
    }

    #[test]
    fn sizes_round_to_16() {
        let mut m = CodeMemory::new().unwrap();
        assert_eq!(m.stats().mapped, 0);
        let a = m.alloc_and_write(&[0x90; 100], 16).unwrap();
        assert_eq!(a.size(), 112);
        assert_eq!(a.len(), 100);
        assert_eq!(a.addr() % 16, 0);
        assert_eq!(read(a), vec![0x90; 100]);
        let b = m.alloc_and_write(&[1; 1], 1).unwrap();
        assert_eq!(b.size(), 16);
        assert_eq!(b.addr(), a.addr() + 112);
        let c = m.alloc_and_write(&[], 16).unwrap();
        assert_eq!(c.size(), 16);
        assert!(c.is_empty());
        let s = m.stats();
        assert_eq!(s.live, 144);
        assert_eq!(s.mapped, GROW_STEP);
        assert_eq!(s.live_blocks, 3);
        assert!(m.contains(a.addr()) && m.contains(a.addr() + 111));
        assert!(!m.contains(m.rx_reservation().start + s.mapped));
        assert!(!m.contains(m.rw_reservation().start));
        check_invariants(&m);
    }

    #[test]
    fn free_reuses_and_coalesces() {
        let mut m = CodeMemory::new().unwrap();
        let a = m.alloc_and_write(&[1; 32], 16).unwrap();
        let b = m.alloc_and_write(&[2; 48], 16).unwrap();
        let c = m.alloc_and_write(&[3; 16], 16).unwrap();
        let d = m.alloc_and_write(&[4; 16], 16).unwrap();
        // Free b: a hole of 48 between a and c.
        m.free(b).unwrap();
        check_invariants(&m);
        assert_eq!(m.stats().free_blocks, 2);
        // First fit: a 40-byte body goes into b's hole.
        let e = m.alloc_and_write(&[5; 40], 16).unwrap();
        assert_eq!(e.addr(), b.addr());
        assert_eq!(read(e), vec![5; 40]);
        // Free a and e and c: a..d merge into one block.
        m.free(a).unwrap();
        m.free(c).unwrap();
        assert_eq!(m.stats().free_blocks, 3);
        m.free(e).unwrap();
        check_invariants(&m);
        assert_eq!(m.stats().free_blocks, 2);
        assert_eq!(m.free.get(&0), Some(&(32 + 48 + 16)));
        // Free d: everything merges with the tail.
        m.free(d).unwrap();
        check_invariants(&m);
        assert_eq!(m.stats().free_blocks, 1);
        assert_eq!(m.stats().live, 0);
        // Double free and foreign addresses are errors, not corruption.
        assert!(matches!(m.free(d), Err(CodeMemoryError::NotAllocated(_))));
        assert!(m.free_addr(d.addr() + 16).is_err());
        assert!(m.free_addr(0).is_err());
        check_invariants(&m);
    }

    #[test]
    fn freed_bytes_become_traps() {
        let mut m = CodeMemory::new().unwrap();
        let a = m.alloc_and_write(&[0x90; 20], 16).unwrap();
        // SAFETY: the block is live and readable through the RX view.
        let tail = unsafe { *a.as_ptr().add(25) };
        assert_eq!(tail, TRAP_FILL);
        m.free(a).unwrap();
        // SAFETY: freed but still mapped (the view never shrinks).
        let first = unsafe { *a.as_ptr() };
        assert_eq!(first, TRAP_FILL);
    }

    #[test]
    fn alignment() {
        let mut m = CodeMemory::new().unwrap();
        let _a = m.alloc_and_write(&[1; 16], 16).unwrap();
        let b = m.alloc_and_write(&[2; 16], 64).unwrap();
        assert_eq!(b.addr() % 64, 0);
        // The 48 bytes of padding before b are free and reusable.
        check_invariants(&m);
        let c = m.alloc_and_write(&[3; 48], 16).unwrap();
        assert_eq!(c.addr() + 48, b.addr());
        assert!(matches!(
            m.alloc_and_write(&[0], 3),
            Err(CodeMemoryError::BadAlign(3))
        ));
        assert!(m.alloc_and_write(&[0], 1 << 20).is_err());
    }

    #[test]
    fn alloc_free_cycles_stay_flat() {
        let mut m = CodeMemory::new().unwrap();
        let keep: Vec<_> = (0..50)
            .map(|i| m.alloc_and_write(&vec![i as u8; 40 + i * 3], 16).unwrap())
            .collect();
        let before = m.stats();
        let mut prev = m.alloc_and_write(&[7; 100], 16).unwrap();
        for i in 0..10_000usize {
            let next = m
                .alloc_and_write(&vec![(i % 251) as u8; 60 + (i * 37) % 200], 16)
                .unwrap();
            m.free(prev).unwrap();
            prev = next;
        }
        m.free(prev).unwrap();
        let after = m.stats();
        assert_eq!(after.mapped, before.mapped, "{before:?} {after:?}");
        assert_eq!(after.live, before.live);
        assert_eq!(after.live_blocks, 50);
        assert!(after.free_blocks <= before.free_blocks + 2, "{after:?}");
        check_invariants(&m);
        for (i, k) in keep.iter().enumerate() {
            assert_eq!(read(*k), vec![i as u8; 40 + i * 3]);
        }
    }

    #[test]
    fn grows_and_exhausts() {
        let mut m = CodeMemory::with_capacity(2 * GROW_STEP).unwrap();
        let big = m.alloc_and_write(&vec![0x90; GROW_STEP + 1], 16).unwrap();
        assert_eq!(m.stats().mapped, 2 * GROW_STEP);
        assert!(matches!(
            m.alloc_and_write(&vec![0; GROW_STEP], 16),
            Err(CodeMemoryError::Exhausted { .. })
        ));
        let small = m.alloc_and_write(&[1; 10], 16).unwrap();
        assert!(m.contains(small.addr()));
        assert_eq!(
            m.block_containing(big.addr() + 1000).unwrap().addr(),
            big.addr()
        );
        m.free(big).unwrap();
        assert!(m.block_containing(big.addr() + 1000).is_none());
        let again = m.alloc_and_write(&vec![0; GROW_STEP], 16).unwrap();
        assert_eq!(again.addr(), big.addr());
        check_invariants(&m);
    }

    /// Both views map the same pages at the same offsets.
    #[test]
    fn views_alias() {
        let mut m = CodeMemory::new().unwrap();
        let a = m.alloc_and_write(b"hello, code", 16).unwrap();
        let off = a.addr() - m.rx_reservation().start;
        let rw = (m.rw_reservation().start + off) as *const u8;
        // SAFETY: the RW view of the same live block.
        let via_rw = unsafe { std::slice::from_raw_parts(rw, a.len()) };
        assert_eq!(via_rw, b"hello, code");
        assert_eq!(read(a), b"hello, code");
    }
}

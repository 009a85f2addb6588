//! The slot table: one machine word per (function name, signature) pair,
//! holding the entry address of the function's current body.
//!
//! Compiled code reaches every callee through its slot (RUNTIME.md,
//! "Calling convention"): `call_indirect(load.i64 [slot_addr])`, where
//! `slot_addr` is an absolute constant in the code. So a slot's address must
//! never change: the table is stored in fixed-size chunks that are allocated
//! once and never moved or freed while the table lives (drop the table only
//! when no compiled code that embeds its addresses can run any more).
//!
//! * A slot belongs to one `(name, signature)` pair for its whole life; a new
//!   signature gets a new slot, so old callers can never reach a body of the
//!   wrong shape.
//! * Writes ([`SlotTable::set`]) are `Release` stores; reads from compiled
//!   code are plain aligned 64-bit loads (single-copy atomic on x86-64 and
//!   aarch64).
//! * Everything is `&self` and lock-free except [`SlotTable::alloc`] and
//!   [`SlotTable::find`], which take an internal mutex: the table can be
//!   shared by all threads (e.g. in an `Arc`).
//!
//! This module contains no `unsafe`.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use parking_lot::Mutex;

/// Slots per chunk.
pub const CHUNK_SLOTS: usize = 1024;
/// Maximum number of chunks (so at most `CHUNK_SLOTS * MAX_CHUNKS` =
/// 4,194,304 slots per table).
pub const MAX_CHUNKS: usize = 4096;

/// Index of a slot in its table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SlotId(pub u32);

impl SlotId {
    /// The slot's index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for SlotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "slot#{}", self.0)
    }
}

/// The table is full ([`MAX_CHUNKS`] chunks of [`CHUNK_SLOTS`] slots).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotTableFull;

impl fmt::Display for SlotTableFull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "slot table full ({} slots)", CHUNK_SLOTS * MAX_CHUNKS)
    }
}

impl std::error::Error for SlotTableFull {}

/// Name and signature key a slot was allocated for (immutable once set).
#[derive(Debug)]
struct SlotMeta {
    name: Box<str>,
    sig: Box<str>,
}

/// One chunk: the slot words (contiguous, 8-byte aligned, what compiled
/// code loads from) and, beside them, each slot's metadata.
struct Chunk {
    words: [AtomicUsize; CHUNK_SLOTS],
    meta: [OnceLock<SlotMeta>; CHUNK_SLOTS],
}

impl Chunk {
    fn new(initial: usize) -> Box<Chunk> {
        Box::new(Chunk {
            words: std::array::from_fn(|_| AtomicUsize::new(initial)),
            meta: std::array::from_fn(|_| OnceLock::new()),
        })
    }

    /// Address of the first slot word.
    fn base(&self) -> usize {
        self.words.as_ptr() as usize
    }
}

/// Allocation state, behind the table's mutex.
#[derive(Default)]
struct Index {
    /// Number of slots handed out.
    len: usize,
    by_key: HashMap<(Box<str>, Box<str>), SlotId>,
}

/// The slot table. See the module documentation.
pub struct SlotTable {
    /// Chunk `i` holds slots `i * CHUNK_SLOTS ..`; set once, never moved.
    chunks: Box<[OnceLock<Box<Chunk>>]>,
    /// Value a fresh slot starts with (e.g. the address of a stub that
    /// raises "function not defined"); 0 until set.
    default_entry: AtomicUsize,
    /// Slots handed out so far (readable without the lock).
    len: AtomicUsize,
    index: Mutex<Index>,
}

impl fmt::Debug for SlotTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlotTable")
            .field("len", &self.len())
            .field("default_entry", &self.default_entry())
            .finish()
    }
}

impl Default for SlotTable {
    fn default() -> Self {
        SlotTable::new()
    }
}

impl SlotTable {
    /// An empty table (no chunk allocated yet).
    pub fn new() -> SlotTable {
        SlotTable {
            chunks: (0..MAX_CHUNKS).map(|_| OnceLock::new()).collect(),
            default_entry: AtomicUsize::new(0),
            len: AtomicUsize::new(0),
            index: Mutex::new(Index::default()),
        }
    }

    /// The entry every slot allocated from now on starts with.
    pub fn set_default_entry(&self, entry: usize) {
        self.default_entry.store(entry, Ordering::Release);
    }

    /// See [`SlotTable::set_default_entry`].
    pub fn default_entry(&self) -> usize {
        self.default_entry.load(Ordering::Acquire)
    }

    /// The slot for `(name, sig)`: the existing one if that pair already has
    /// a slot (a pair has exactly one slot for the table's life), otherwise
    /// a fresh slot whose word holds [`SlotTable::default_entry`].
    ///
    /// `sig` is any string that identifies the signature exactly (e.g. the
    /// Ember type `fn(int, str) -> bool`).
    pub fn alloc(&self, name: &str, sig: &str) -> Result<SlotId, SlotTableFull> {
        let mut index = self.index.lock();
        let key: (Box<str>, Box<str>) = (name.into(), sig.into());
        if let Some(&id) = index.by_key.get(&key) {
            return Ok(id);
        }
        let n = index.len;
        if n >= CHUNK_SLOTS * MAX_CHUNKS {
            return Err(SlotTableFull);
        }
        let (c, i) = (n / CHUNK_SLOTS, n % CHUNK_SLOTS);
        let initial = self.default_entry();
        let chunk = self.chunks[c].get_or_init(|| Chunk::new(initial));
        // A chunk created earlier holds whatever default was current then.
        chunk.words[i].store(initial, Ordering::Release);
        let _ = chunk.meta[i].set(SlotMeta {
            name: key.0.clone(),
            sig: key.1.clone(),
        });
        let id = SlotId(n as u32);
        index.by_key.insert(key, id);
        index.len = n + 1;
        // Publish after the metadata: readers check `len` first.
        self.len.store(n + 1, Ordering::Release);
        Ok(id)
    }

    /// The slot of `(name, sig)`, if one was allocated.
    pub fn find(&self, name: &str, sig: &str) -> Option<SlotId> {
        let index = self.index.lock();
        index.by_key.get(&(name.into(), sig.into())).copied()
    }

    /// Number of slots allocated.
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// True if no slot was allocated.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn chunk_of(&self, id: SlotId) -> &Chunk {
        assert!(id.index() < self.len(), "{id} was not allocated");
        self.chunks[id.index() / CHUNK_SLOTS]
            .get()
            .expect("chunk of an allocated slot exists")
    }

    /// Absolute address of the slot word, stable for the table's life: the
    /// constant compiled code loads the callee's entry from. Also the
    /// runtime value of an Ember function value (`fn(..) -> ..`).
    ///
    /// Panics if `id` was not allocated by this table.
    pub fn address(&self, id: SlotId) -> usize {
        let chunk = self.chunk_of(id);
        &chunk.words[id.index() % CHUNK_SLOTS] as *const AtomicUsize as usize
    }

    /// Install `entry` as the slot's current body (`Release` store: the
    /// code bytes written before are visible to any thread that loads the
    /// new entry).
    pub fn set(&self, id: SlotId, entry: usize) {
        self.chunk_of(id).words[id.index() % CHUNK_SLOTS].store(entry, Ordering::Release);
    }

    /// Install `entry` and return the entry it replaces (`AcqRel`).
    pub fn swap(&self, id: SlotId, entry: usize) -> usize {
        self.chunk_of(id).words[id.index() % CHUNK_SLOTS].swap(entry, Ordering::AcqRel)
    }

    /// Install `new` if the slot still holds `current`; whether it did.
    pub fn compare_exchange(&self, id: SlotId, current: usize, new: usize) -> bool {
        self.chunk_of(id).words[id.index() % CHUNK_SLOTS]
            .compare_exchange(current, new, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// The slot's current entry (`Acquire` load).
    pub fn get(&self, id: SlotId) -> usize {
        self.chunk_of(id).words[id.index() % CHUNK_SLOTS].load(Ordering::Acquire)
    }

    /// Name the slot was allocated for.
    pub fn name(&self, id: SlotId) -> &str {
        &self.meta(id).name
    }

    /// Signature key the slot was allocated for.
    pub fn sig(&self, id: SlotId) -> &str {
        &self.meta(id).sig
    }

    fn meta(&self, id: SlotId) -> &SlotMeta {
        self.chunk_of(id).meta[id.index() % CHUNK_SLOTS]
            .get()
            .expect("metadata of an allocated slot is set")
    }

    /// The slot whose word is at `addr` (exactly), with its name: turns a
    /// function value back into `fn name` for printing. Lock-free.
    pub fn lookup_by_address(&self, addr: usize) -> Option<(SlotId, &str)> {
        let id = self.id_of_address(addr)?;
        Some((id, self.name(id)))
    }

    /// The slot whose word is at `addr` (exactly). Lock-free.
    pub fn id_of_address(&self, addr: usize) -> Option<SlotId> {
        let len = self.len();
        let word = std::mem::size_of::<AtomicUsize>();
        for (c, chunk) in self.chunks[..len.div_ceil(CHUNK_SLOTS)].iter().enumerate() {
            let Some(chunk) = chunk.get() else { break };
            let base = chunk.base();
            if addr < base || addr >= base + CHUNK_SLOTS * word {
                continue;
            }
            if !(addr - base).is_multiple_of(word) {
                return None;
            }
            let n = c * CHUNK_SLOTS + (addr - base) / word;
            return (n < len).then_some(SlotId(n as u32));
        }
        None
    }

    /// All allocated slots, in allocation order.
    pub fn ids(&self) -> impl Iterator<Item = SlotId> {
        (0..self.len() as u32).map(SlotId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn alloc_find_and_identity() {
        let t = SlotTable::new();
        assert!(t.is_empty());
        let a = t.alloc("f", "fn(int) -> int").unwrap();
        let b = t.alloc("f", "fn(str) -> int").unwrap();
        let c = t.alloc("g", "fn(int) -> int").unwrap();
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(t.alloc("f", "fn(int) -> int").unwrap(), a);
        assert_eq!(t.find("f", "fn(str) -> int"), Some(b));
        assert_eq!(t.find("h", "fn()"), None);
        assert_eq!(t.len(), 3);
        assert_eq!(t.name(b), "f");
        assert_eq!(t.sig(b), "fn(str) -> int");
        assert_eq!(t.ids().collect::<Vec<_>>(), vec![a, b, c]);
    }

    #[test]
    fn set_get_default_and_address_word() {
        let t = SlotTable::new();
        t.set_default_entry(0xdead0);
        let a = t.alloc("f", "s").unwrap();
        assert_eq!(t.get(a), 0xdead0);
        t.set(a, 0x1234);
        assert_eq!(t.get(a), 0x1234);
        let addr = t.address(a);
        assert_eq!(addr % 8, 0);
        // What compiled code does: a plain load from the absolute address.
        let word = addr as *const usize;
        // SAFETY: `addr` is the address of a live, aligned slot word of `t`.
        assert_eq!(unsafe { word.read_volatile() }, 0x1234);
        // Later slots get the default current at their allocation.
        t.set_default_entry(0xbeef0);
        let b = t.alloc("g", "s").unwrap();
        assert_eq!(t.get(b), 0xbeef0);
        assert_eq!(t.get(a), 0x1234);
        assert_eq!(t.address(b), addr + 8);
    }

    #[test]
    fn addresses_are_stable_across_chunks() {
        let t = SlotTable::new();
        let first = t.alloc("f0", "s").unwrap();
        let first_addr = t.address(first);
        let mut ids = vec![first];
        for i in 1..(3 * CHUNK_SLOTS + 7) {
            ids.push(t.alloc(&format!("f{i}"), "s").unwrap());
        }
        assert_eq!(t.address(first), first_addr);
        for (i, &id) in ids.iter().enumerate() {
            t.set(id, i * 16);
        }
        for (i, &id) in ids.iter().enumerate() {
            assert_eq!(t.get(id), i * 16);
            let addr = t.address(id);
            assert_eq!(t.lookup_by_address(addr), Some((id, t.name(id))));
            assert_eq!(t.name(id), format!("f{i}"));
        }
    }

    #[test]
    fn lookup_by_address_rejects_non_slots() {
        let t = SlotTable::new();
        let a = t.alloc("main", "fn()").unwrap();
        let addr = t.address(a);
        assert_eq!(t.lookup_by_address(addr), Some((a, "main")));
        assert_eq!(t.lookup_by_address(addr + 1), None);
        // Allocated chunk memory past `len` is not a slot yet.
        assert_eq!(t.lookup_by_address(addr + 8), None);
        assert_eq!(t.lookup_by_address(0), None);
        assert_eq!(t.lookup_by_address(usize::MAX - 7), None);
    }

    #[test]
    #[should_panic]
    fn address_of_unallocated_slot_panics() {
        let t = SlotTable::new();
        t.address(SlotId(0));
    }

    #[test]
    fn concurrent_alloc_and_set() {
        let t = Arc::new(SlotTable::new());
        let handles: Vec<_> = (0..4)
            .map(|k| {
                let t = Arc::clone(&t);
                std::thread::spawn(move || {
                    let mut out = Vec::new();
                    for i in 0..2000 {
                        // Half the names are shared between threads.
                        let name = if i % 2 == 0 {
                            format!("shared{i}")
                        } else {
                            format!("t{k}_{i}")
                        };
                        let id = t.alloc(&name, "s").unwrap();
                        t.set(id, t.address(id));
                        out.push((name, id));
                    }
                    out
                })
            })
            .collect();
        let all: Vec<_> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        assert_eq!(t.len(), 4 * 1000 + 1000);
        for (name, id) in all {
            assert_eq!(t.find(&name, "s"), Some(id));
            assert_eq!(t.get(id), t.address(id));
            assert_eq!(t.lookup_by_address(t.address(id)).unwrap().1, name);
        }
    }
}

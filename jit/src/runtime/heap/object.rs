//! Object layouts, header bits, field offsets and typed handles.
//!
//! This module (with `alloc.rs`) holds the raw memory access of the heap:
//! every other heap module goes through the handle types defined here.
//! A handle ([`Str`], [`Array`], [`Buffer`], [`Map`], [`Struct`], [`BoxObj`],
//! [`Chan`], [`Task`]) is a non-null pointer to a live object of its kind.
//! Creating one from a raw word is `unsafe` (the word must be such an
//! object); after that the handle's methods are safe, under the heap-wide
//! contract that objects are only freed by a collection, and collections
//! only run when no thread is inside a runtime operation (safe points).

use std::any::Any;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

use super::chan::ChanInner;
use super::map::MapInner;
use super::structs::StructLayout;

// ---- header word ----------------------------------------------------------

/// Never a live object's kind (fresh block memory reads as 0).
pub const KIND_FREE: u64 = 0;
/// `str`: header, byte length, bytes.
pub const KIND_STR: u64 = 1;
/// `[T]`: header, pointer to a buffer.
pub const KIND_ARRAY: u64 = 2;
/// An array's element buffer: header, cap, len, words.
pub const KIND_BUFFER: u64 = 3;
/// `map[K, V]`: header, pointer to the Rust-side map.
pub const KIND_MAP: u64 = 4;
/// A struct instance: header, layout pointer, one word per field.
pub const KIND_STRUCT: u64 = 5;
/// Box for optionals of non-reference types: header, value word.
pub const KIND_BOX: u64 = 6;
/// `chan[T]`: header, pointer to the Rust-side queue.
pub const KIND_CHAN: u64 = 7;
/// `task`: header, pointer to the Rust-side payload.
pub const KIND_TASK: u64 = 8;

/// Bits 0..8 of the header: the kind.
pub const HDR_KIND_MASK: u64 = 0xff;
/// Mark bit of large objects (small objects use their block's bitmap).
pub const HDR_MARK: u64 = 1 << 8;
/// Elements / values / box content are heap references (traced).
pub const HDR_REFS: u64 = 1 << 9;
/// Map keys are `str` (hashed and compared by content, traced).
pub const HDR_KEY_STR: u64 = 1 << 10;
/// Object outside the collected heap (static empty buffer, permanent
/// literals): never marked, never freed.
pub const HDR_STATIC: u64 = 1 << 11;
/// Individually allocated (larger than the biggest size class).
pub const HDR_LARGE: u64 = 1 << 12;

// ---- offsets used by generated code (bytes from the object pointer) -------

/// The header word.
pub const HEADER_OFFSET: i32 = 0;
/// `str`: byte length (u64).
pub const STR_LEN_OFFSET: i32 = 8;
/// `str`: first byte.
pub const STR_BYTES_OFFSET: i32 = 16;
/// Array: pointer to its current [`BufferObj`] (load Acquire, store Release).
pub const ARRAY_BUF_OFFSET: i32 = 8;
/// Buffer: capacity in words (immutable).
pub const BUFFER_CAP_OFFSET: i32 = 8;
/// Buffer: length in words (load Acquire, store Release).
pub const BUFFER_LEN_OFFSET: i32 = 16;
/// Buffer: element `i` is at `BUFFER_DATA_OFFSET + 8 * i`.
pub const BUFFER_DATA_OFFSET: i32 = 24;
/// Struct: pointer to its [`StructLayout`].
pub const STRUCT_LAYOUT_OFFSET: i32 = 8;
/// Struct: field `i` is at `STRUCT_FIELDS_OFFSET + 8 * i`.
pub const STRUCT_FIELDS_OFFSET: i32 = 16;
/// Box: the value word.
pub const BOX_VALUE_OFFSET: i32 = 8;
/// Map / channel / task: pointer to the Rust-side payload.
pub const PAYLOAD_OFFSET: i32 = 8;

/// Byte offset of struct field `i`.
pub const fn field_offset(i: usize) -> i32 {
    STRUCT_FIELDS_OFFSET + 8 * i as i32
}

/// Byte offset of buffer element `i`.
pub const fn element_offset(i: usize) -> i32 {
    BUFFER_DATA_OFFSET + 8 * i as i32
}

// ---- layouts ---------------------------------------------------------------

/// `str` object.
#[repr(C)]
pub struct StrObj {
    pub header: u64,
    pub len: u64,
    pub bytes: [u8; 0],
}

/// Array object: the element buffer is separate so that it can be replaced
/// when it is full (see `array.rs` for the race rules).
#[repr(C)]
pub struct ArrayObj {
    pub header: u64,
    pub buf: AtomicPtr<BufferObj>,
}

/// Element buffer of an array. `cap` never changes; `len <= cap` always.
#[repr(C)]
pub struct BufferObj {
    pub header: u64,
    pub cap: u64,
    pub len: AtomicU64,
    pub data: [AtomicU64; 0],
}

/// Map, channel and task objects: a header and an owned Rust payload
/// (dropped by the sweep).
#[repr(C)]
pub struct PayloadObj {
    pub header: u64,
    pub payload: *mut u8,
}

/// Struct instance.
#[repr(C)]
pub struct StructObj {
    pub header: u64,
    pub layout: *const StructLayout,
    pub fields: [AtomicU64; 0],
}

/// Box holding one word (optionals of non-reference types).
#[repr(C)]
pub struct BoxObjRepr {
    pub header: u64,
    pub value: AtomicU64,
}

const _: () = {
    assert!(std::mem::offset_of!(StrObj, len) == STR_LEN_OFFSET as usize);
    assert!(std::mem::offset_of!(StrObj, bytes) == STR_BYTES_OFFSET as usize);
    assert!(std::mem::offset_of!(ArrayObj, buf) == ARRAY_BUF_OFFSET as usize);
    assert!(std::mem::offset_of!(BufferObj, cap) == BUFFER_CAP_OFFSET as usize);
    assert!(std::mem::offset_of!(BufferObj, len) == BUFFER_LEN_OFFSET as usize);
    assert!(std::mem::offset_of!(BufferObj, data) == BUFFER_DATA_OFFSET as usize);
    assert!(std::mem::offset_of!(StructObj, layout) == STRUCT_LAYOUT_OFFSET as usize);
    assert!(std::mem::offset_of!(StructObj, fields) == STRUCT_FIELDS_OFFSET as usize);
    assert!(std::mem::offset_of!(BoxObjRepr, value) == BOX_VALUE_OFFSET as usize);
    assert!(std::mem::offset_of!(PayloadObj, payload) == PAYLOAD_OFFSET as usize);
};

/// Size in bytes of a `str` object holding `len` bytes.
pub const fn str_size(len: usize) -> usize {
    STR_BYTES_OFFSET as usize + len
}
/// Size in bytes of a buffer with `cap` words.
pub const fn buffer_size(cap: usize) -> usize {
    BUFFER_DATA_OFFSET as usize + 8 * cap
}
/// Size in bytes of a struct instance with `n` fields.
pub const fn struct_size(n: usize) -> usize {
    STRUCT_FIELDS_OFFSET as usize + 8 * n
}
/// Size of an array object.
pub const ARRAY_SIZE: usize = std::mem::size_of::<ArrayObj>();
/// Size of a box.
pub const BOX_SIZE: usize = std::mem::size_of::<BoxObjRepr>();
/// Size of a map, channel or task object.
pub const PAYLOAD_OBJ_SIZE: usize = std::mem::size_of::<PayloadObj>();

/// The static empty buffer every new empty array points to: capacity 0, so
/// the first push replaces it; never written (pop and set fail their length
/// check first), never marked, never freed.
#[repr(C)]
struct StaticEmptyBuffer(BufferObj);
// SAFETY: the empty buffer is never written (its `len` is an atomic that is
// only stored to when `len < cap`, and `cap` is 0), so sharing is fine.
unsafe impl Sync for StaticEmptyBuffer {}
static EMPTY_BUFFER: StaticEmptyBuffer = StaticEmptyBuffer(BufferObj {
    header: KIND_BUFFER | HDR_STATIC,
    cap: 0,
    len: AtomicU64::new(0),
    data: [],
});

/// The shared, static empty buffer.
pub fn empty_buffer() -> Buffer {
    Buffer(NonNull::from(&EMPTY_BUFFER.0))
}

// ---- raw header access (used by the collector and the allocator) ----------

/// Read the header word of the object at `p`.
///
/// # Safety
/// `p` must point to a heap object (live, or dead but not yet reused).
#[inline]
pub(crate) unsafe fn header(p: NonNull<u64>) -> u64 {
    // SAFETY: per the contract, `p` points to an object's first word.
    unsafe { p.as_ptr().read() }
}

/// Overwrite the header word of the object at `p`.
///
/// # Safety
/// As [`header`], and no other thread may access the header concurrently
/// (allocation of a fresh cell, or the collector during a stop).
#[inline]
pub(crate) unsafe fn set_header(p: NonNull<u64>, h: u64) {
    // SAFETY: per the contract.
    unsafe { p.as_ptr().write(h) }
}

// ---- handles -----------------------------------------------------------------

macro_rules! handle {
    ($(#[$m:meta])* $name:ident, $repr:ty, $kind:expr) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        #[repr(transparent)]
        pub struct $name(NonNull<$repr>);

        // SAFETY: a handle is an address; every field a handle's methods
        // touch concurrently is atomic or behind a lock, and objects are
        // only freed when no thread is inside a runtime operation.
        unsafe impl Send for $name {}
        // SAFETY: as above.
        unsafe impl Sync for $name {}

        impl $name {
            /// The object kind this handle points to.
            pub const KIND: u64 = $kind;

            /// Make a handle from a value word.
            ///
            /// # Safety
            /// `word` must be the address of a live object of this kind.
            #[inline]
            pub unsafe fn from_word(word: u64) -> Self {
                debug_assert!(word != 0 && word % 8 == 0, "bad object word {word:#x}");
                // SAFETY: per the contract `word` is a non-null object address.
                let p = unsafe { NonNull::new_unchecked(word as usize as *mut $repr) };
                let h = $name(p);
                debug_assert_eq!(h.header() & HDR_KIND_MASK, $kind, "object kind mismatch");
                h
            }

            /// The value word (the object's address).
            #[inline]
            pub fn word(self) -> u64 {
                self.0.as_ptr() as usize as u64
            }

            /// The header word.
            #[inline]
            pub fn header(self) -> u64 {
                // SAFETY: a handle points to a live object, whose first word
                // is its header.
                unsafe { header(self.0.cast()) }
            }

            #[inline]
            #[allow(dead_code)]
            pub(crate) fn ptr(self) -> NonNull<$repr> {
                self.0
            }

            /// # Safety
            /// `p` must point to an initialised object of this kind.
            #[inline]
            #[allow(dead_code)]
            pub(crate) unsafe fn from_ptr(p: NonNull<u64>) -> Self {
                $name(p.cast())
            }

            #[inline]
            #[allow(dead_code)]
            fn obj(&self) -> &$repr {
                // SAFETY: a handle points to a live, initialised object.
                unsafe { self.0.as_ref() }
            }
        }
    };
}

handle!(
    /// A `str` object.
    Str,
    StrObj,
    KIND_STR
);
handle!(
    /// An array (`[T]`) object.
    Array,
    ArrayObj,
    KIND_ARRAY
);
handle!(
    /// An array's element buffer.
    Buffer,
    BufferObj,
    KIND_BUFFER
);
handle!(
    /// A `map[K, V]` object.
    Map,
    PayloadObj,
    KIND_MAP
);
handle!(
    /// A `chan[T]` object.
    Chan,
    PayloadObj,
    KIND_CHAN
);
handle!(
    /// A `task` object.
    Task,
    PayloadObj,
    KIND_TASK
);
handle!(
    /// A struct instance.
    Struct,
    StructObj,
    KIND_STRUCT
);
handle!(
    /// A box holding one word (`int?`, `float?`, `bool?`, ...).
    BoxObj,
    BoxObjRepr,
    KIND_BOX
);

impl Str {
    /// Byte length.
    #[inline]
    pub fn len(self) -> usize {
        self.obj().len as usize
    }

    /// True for `""`.
    #[inline]
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The bytes. The slice stays valid until the next collection that
    /// does not find the string reachable.
    #[inline]
    pub fn as_bytes<'a>(self) -> &'a [u8] {
        // SAFETY: a str object holds `len` initialised bytes right after
        // the length word, and is immutable once created.
        unsafe {
            std::slice::from_raw_parts(
                (self.0.as_ptr() as *const u8).add(STR_BYTES_OFFSET as usize),
                self.len(),
            )
        }
    }

    /// The text (always valid UTF-8: strings are only built from `&str`).
    #[inline]
    pub fn as_str<'a>(self) -> &'a str {
        // SAFETY: every constructor of str objects copies a `&str` (or
        // concatenations of them), so the bytes are valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(self.as_bytes()) }
    }

    /// Initialise a freshly allocated cell of `str_size(s.len())` bytes.
    ///
    /// # Safety
    /// `p` must be a fresh allocation of at least `str_size(s.len())` bytes
    /// whose header is already written.
    pub(crate) unsafe fn init(p: NonNull<u64>, parts: &[&str]) -> Str {
        let total: usize = parts.iter().map(|b| b.len()).sum();
        // SAFETY: the cell is fresh, large enough and ours alone.
        unsafe {
            let o = p.cast::<StrObj>().as_ptr();
            (*o).len = total as u64;
            let mut dst = (o as *mut u8).add(STR_BYTES_OFFSET as usize);
            for b in parts {
                std::ptr::copy_nonoverlapping(b.as_ptr(), dst, b.len());
                dst = dst.add(b.len());
            }
        }
        Str(p.cast())
    }
}

impl Array {
    /// The current buffer (Acquire).
    #[inline]
    pub fn buffer(self) -> Buffer {
        let p = self.obj().buf.load(Ordering::Acquire);
        // SAFETY: the buffer pointer of an array is never null (new arrays
        // point to the static empty buffer).
        Buffer(unsafe { NonNull::new_unchecked(p) })
    }

    /// Publish a new buffer (Release: its contents are visible to whoever
    /// loads it).
    #[inline]
    pub fn set_buffer(self, b: Buffer) {
        self.obj().buf.store(b.0.as_ptr(), Ordering::Release);
    }

    /// Initialise a fresh array cell.
    ///
    /// # Safety
    /// `p` must be a fresh allocation of `ARRAY_SIZE` bytes with its header
    /// written.
    pub(crate) unsafe fn init(p: NonNull<u64>, buf: Buffer) -> Array {
        // SAFETY: fresh cell of the right size.
        unsafe {
            let o = p.cast::<ArrayObj>().as_ptr();
            std::ptr::addr_of_mut!((*o).buf).write(AtomicPtr::new(buf.0.as_ptr()));
        }
        Array(p.cast())
    }
}

impl Buffer {
    /// Capacity in words.
    #[inline]
    pub fn cap(self) -> usize {
        self.obj().cap as usize
    }

    /// Current length (Acquire).
    #[inline]
    pub fn len(self) -> usize {
        self.obj().len.load(Ordering::Acquire) as usize
    }

    /// True when the length is 0.
    #[inline]
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Store the length (Release: element stores before it are visible to
    /// readers that load it). Must be `<= cap`.
    #[inline]
    pub fn set_len(self, len: usize) {
        assert!(len <= self.cap(), "buffer length above capacity");
        self.obj().len.store(len as u64, Ordering::Release);
    }

    /// Element slot `i`; panics if `i >= cap` (a heap bug, never a user
    /// error: callers check against `len <= cap` first).
    #[inline]
    pub fn slot(&self, i: usize) -> &AtomicU64 {
        assert!(i < self.cap(), "buffer slot out of capacity");
        // SAFETY: `i < cap` and the buffer holds `cap` element words.
        unsafe { &*(self.0.as_ptr() as *const AtomicU64).add(3 + i) }
    }

    /// Read element `i` (`i < cap`).
    #[inline]
    pub fn get(self, i: usize) -> u64 {
        self.slot(i).load(Ordering::Relaxed)
    }

    /// Write element `i` (`i < cap`).
    #[inline]
    pub fn set(self, i: usize, v: u64) {
        self.slot(i).store(v, Ordering::Relaxed)
    }

    /// True when the static empty buffer.
    pub fn is_static(self) -> bool {
        self.header() & HDR_STATIC != 0
    }

    /// Initialise a fresh buffer cell (length 0).
    ///
    /// # Safety
    /// `p` must be a fresh allocation of `buffer_size(cap)` bytes with its
    /// header written.
    pub(crate) unsafe fn init(p: NonNull<u64>, cap: usize) -> Buffer {
        // SAFETY: fresh cell of the right size.
        unsafe {
            let o = p.cast::<BufferObj>().as_ptr();
            std::ptr::addr_of_mut!((*o).cap).write(cap as u64);
            std::ptr::addr_of_mut!((*o).len).write(AtomicU64::new(0));
        }
        Buffer(p.cast())
    }
}

impl Struct {
    /// The instance's layout.
    #[inline]
    pub fn layout<'a>(self) -> &'a StructLayout {
        // SAFETY: an instance's layout is kept alive by the heap's layout
        // registry for as long as the instance may be reachable.
        unsafe { &*self.obj().layout }
    }

    /// Field slot `i`; panics when out of the layout's range.
    #[inline]
    pub fn slot(&self, i: usize) -> &AtomicU64 {
        assert!(i < self.layout().len(), "field index out of range");
        // SAFETY: the instance has `layout().len()` field words.
        unsafe { &*(self.0.as_ptr() as *const AtomicU64).add(2 + i) }
    }

    /// Read field `i`.
    #[inline]
    pub fn get(self, i: usize) -> u64 {
        self.slot(i).load(Ordering::Relaxed)
    }

    /// Write field `i`.
    #[inline]
    pub fn set(self, i: usize, v: u64) {
        self.slot(i).store(v, Ordering::Relaxed)
    }

    /// Initialise a fresh instance with `fields` (all 0 when `None`).
    ///
    /// # Safety
    /// `p` must be a fresh allocation of `struct_size(layout.len())` bytes
    /// with its header written; `layout` must be registered with the heap;
    /// `fields`, when given, has `layout.len()` words.
    pub(crate) unsafe fn init(
        p: NonNull<u64>,
        layout: &StructLayout,
        fields: Option<&[u64]>,
    ) -> Struct {
        // SAFETY: fresh cell of the right size.
        unsafe {
            let o = p.cast::<StructObj>().as_ptr();
            std::ptr::addr_of_mut!((*o).layout).write(layout);
            let f = (o as *mut u64).add(2);
            match fields {
                Some(values) => {
                    debug_assert_eq!(values.len(), layout.len());
                    std::ptr::copy_nonoverlapping(
                        values.as_ptr(),
                        f,
                        layout.len().min(values.len()),
                    )
                }
                None => std::ptr::write_bytes(f, 0, layout.len()),
            }
        }
        Struct(p.cast())
    }
}

impl BoxObj {
    /// The boxed word.
    #[inline]
    pub fn get(self) -> u64 {
        self.obj().value.load(Ordering::Relaxed)
    }

    /// The value slot (boxes are immutable for Ember code; struct
    /// migration rewrites a boxed reference with the world stopped).
    #[inline]
    pub(crate) fn slot(&self) -> &AtomicU64 {
        &self.obj().value
    }

    /// Initialise a fresh box.
    ///
    /// # Safety
    /// `p` must be a fresh allocation of `BOX_SIZE` bytes with its header
    /// written.
    pub(crate) unsafe fn init(p: NonNull<u64>, v: u64) -> BoxObj {
        // SAFETY: fresh cell of the right size.
        unsafe {
            let o = p.cast::<BoxObjRepr>().as_ptr();
            std::ptr::addr_of_mut!((*o).value).write(AtomicU64::new(v));
        }
        BoxObj(p.cast())
    }
}

/// Owned Rust payloads of map, channel and task objects.
pub(crate) trait Payload: Sized {
    const KIND: u64;
}
impl Payload for MapInner {
    const KIND: u64 = KIND_MAP;
}
impl Payload for ChanInner {
    const KIND: u64 = KIND_CHAN;
}
/// The payload of a task object: anything the thread runtime wants.
pub type TaskPayload = Box<dyn Any + Send + Sync>;
impl Payload for TaskPayload {
    const KIND: u64 = KIND_TASK;
}

/// Initialise a fresh payload object, taking ownership of `value`.
///
/// # Safety
/// `p` must be a fresh allocation of `PAYLOAD_OBJ_SIZE` bytes with a header
/// of kind `T::KIND` written.
pub(crate) unsafe fn init_payload<T: Payload>(p: NonNull<u64>, value: T) {
    // SAFETY: the header is written (contract).
    debug_assert_eq!(unsafe { header(p) } & HDR_KIND_MASK, T::KIND);
    let raw = Box::into_raw(Box::new(value)) as *mut u8;
    // SAFETY: fresh cell of the right size.
    unsafe { std::ptr::addr_of_mut!((*p.cast::<PayloadObj>().as_ptr()).payload).write(raw) }
}

macro_rules! payload_access {
    ($name:ident, $t:ty) => {
        impl $name {
            /// The Rust-side payload.
            #[inline]
            pub fn inner<'a>(self) -> &'a $t {
                // SAFETY: the payload pointer was made by `init_payload`
                // with this type and lives until the sweep frees the object.
                unsafe { &*(self.obj().payload as *const $t) }
            }
        }
    };
}
payload_access!(Map, MapInner);
payload_access!(Chan, ChanInner);
payload_access!(Task, TaskPayload);

/// Drop the Rust payload of a dead object (called by the sweep).
///
/// # Safety
/// `p` must point to a dead object (unreachable, about to be freed) of any
/// kind; it is called exactly once per object.
pub(crate) unsafe fn finalize(p: NonNull<u64>) {
    // SAFETY: per the contract the object is dead and ours alone.
    unsafe {
        let h = header(p);
        let payload = (*p.cast::<PayloadObj>().as_ptr()).payload;
        match h & HDR_KIND_MASK {
            KIND_MAP => drop(Box::from_raw(payload as *mut MapInner)),
            KIND_CHAN => drop(Box::from_raw(payload as *mut ChanInner)),
            KIND_TASK => drop(Box::from_raw(payload as *mut TaskPayload)),
            _ => {}
        }
    }
}

/// Call `f` on every heap reference held directly by the object at `p`
/// (and mark a struct's layout as in use).
///
/// # Safety
/// `p` must point to a live object; no mutator may run concurrently.
pub(crate) unsafe fn trace(p: NonNull<u64>, f: &mut dyn FnMut(u64)) {
    // SAFETY: per the contract `p` is a live object of the kind its header
    // says; the handles built here are only used during this call.
    unsafe {
        let h = header(p);
        match h & HDR_KIND_MASK {
            KIND_ARRAY => f(Array::from_ptr(p).buffer().word()),
            KIND_BUFFER if h & HDR_REFS != 0 => {
                let b = Buffer::from_ptr(p);
                for i in 0..b.len() {
                    f(b.get(i));
                }
            }
            KIND_STRUCT => {
                let s = Struct::from_ptr(p);
                let layout = s.layout();
                layout.mark();
                for &i in layout.ref_fields() {
                    f(s.get(i as usize));
                }
            }
            KIND_BOX if h & HDR_REFS != 0 => f(BoxObj::from_ptr(p).get()),
            KIND_MAP => Map::from_ptr(p)
                .inner()
                .trace(h & HDR_KEY_STR != 0, h & HDR_REFS != 0, f),
            KIND_CHAN if h & HDR_REFS != 0 => Chan::from_ptr(p).inner().trace(f),
            _ => {}
        }
    }
}

/// Does an object of this header have outgoing references to trace?
#[inline]
pub(crate) fn has_children(h: u64) -> bool {
    match h & HDR_KIND_MASK {
        KIND_ARRAY | KIND_STRUCT => true,
        KIND_MAP => h & (HDR_REFS | HDR_KEY_STR) != 0,
        KIND_BUFFER | KIND_BOX | KIND_CHAN => h & HDR_REFS != 0,
        _ => false,
    }
}

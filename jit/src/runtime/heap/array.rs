//! Arrays: `[header | buffer pointer]`, and a separate buffer
//! `[header | cap | len | word 0 | word 1 | ...]`.
//!
//! The length lives in the buffer, next to the capacity, so that a reader
//! that loaded one buffer pointer sees a length and capacity of that same
//! buffer: `len <= cap` always holds within a buffer, and no interleaving
//! of racing threads can make an access go past a buffer's end.
//!
//! Operations (and what inlined code must do):
//! * read `a[i]`: `b = load.acquire [a + ARRAY_BUF_OFFSET]`,
//!   `n = load.acquire [b + BUFFER_LEN_OFFSET]`, check `0 <= i < n`,
//!   `load [b + BUFFER_DATA_OFFSET + 8 i]`; `a[i] = v` likewise with a store.
//! * push: `b`, `n` as above; if `n < cap`: store the element at `n`, then
//!   `store.release n + 1` to the length; otherwise (full, or the static
//!   empty buffer with cap 0) call [`array_push`], which allocates a buffer
//!   of twice the capacity, copies, appends, and publishes it with a
//!   release store of the array's buffer pointer.
//! * pop: `n = len`; `n == 0` is an error; read element `n - 1`, store
//!   `n - 1` (release).
//!
//! Races (two threads pushing, one reading while another pushes or pops):
//! memory-safe whatever the interleaving. A racy program may observe lost
//! pushes (two pushes on the same slot, or a push into a buffer that a
//! concurrent growth just replaced), a popped element read again, or an
//! element written by a racing `a[i] = v` lost; every value it reads is a
//! value that was stored in that array (never a torn or freed word), and
//! every access stays within the buffer it loaded. Old buffers stay alive
//! until a collection, which only happens when no thread is mid-operation.
//! The collector traces elements `0..len` of a buffer; whenever a length
//! grows, the slot below it was written first (in the same buffer).

use super::alloc::Mutator;
use super::object::{
    buffer_size, empty_buffer, Array, Buffer, ARRAY_SIZE, HDR_REFS, KIND_ARRAY, KIND_BUFFER,
};
use super::RuntimeError;

/// The `index out of bounds` error.
pub fn index_error(index: i64, len: usize) -> RuntimeError {
    RuntimeError::new(format!("index out of bounds: index {index}, length {len}"))
}

/// Allocate a buffer of `cap` words (length 0).
pub(crate) fn buffer_new(m: &mut Mutator, cap: usize, refs: bool) -> Result<Buffer, RuntimeError> {
    if cap == 0 {
        return Ok(empty_buffer());
    }
    let size = cap
        .checked_mul(8)
        .and_then(|b| b.checked_add(buffer_size(0)))
        .ok_or_else(|| RuntimeError::new("out of memory"))?;
    let h = KIND_BUFFER | if refs { HDR_REFS } else { 0 };
    let p = m.alloc_raw(size, h)?;
    // SAFETY: fresh cell of `buffer_size(cap)` bytes with its header written.
    Ok(unsafe { Buffer::init(p, cap) })
}

/// A new empty array with room for `cap` elements; `refs` when the element
/// type is a heap reference.
pub fn array_with_capacity(m: &mut Mutator, refs: bool, cap: usize) -> Result<Array, RuntimeError> {
    let buf = buffer_new(m, cap, refs)?;
    let h = KIND_ARRAY | if refs { HDR_REFS } else { 0 };
    let p = m.alloc_raw(ARRAY_SIZE, h)?;
    // SAFETY: fresh cell of `ARRAY_SIZE` bytes with its header written.
    Ok(unsafe { Array::init(p, buf) })
}

/// A new empty array (`[]`).
pub fn array_new(m: &mut Mutator, refs: bool) -> Result<Array, RuntimeError> {
    array_with_capacity(m, refs, 0)
}

/// An array holding `words` (array literals).
pub fn array_from_slice(m: &mut Mutator, refs: bool, words: &[u64]) -> Result<Array, RuntimeError> {
    let a = array_with_capacity(m, refs, words.len())?;
    let b = a.buffer();
    for (i, &w) in words.iter().enumerate() {
        b.set(i, w);
    }
    if !words.is_empty() {
        b.set_len(words.len());
    }
    Ok(a)
}

/// `[v; n]`. A negative `n` is an error (`invalid repeat count`).
pub fn array_repeat(m: &mut Mutator, refs: bool, v: u64, n: i64) -> Result<Array, RuntimeError> {
    if n < 0 {
        return Err(RuntimeError::new(format!("invalid repeat count: {n}")));
    }
    let n = usize::try_from(n).map_err(|_| RuntimeError::new("out of memory"))?;
    let a = array_with_capacity(m, refs, n)?;
    let b = a.buffer();
    for i in 0..n {
        b.set(i, v);
    }
    if n > 0 {
        b.set_len(n);
    }
    Ok(a)
}

/// `len(a)`.
pub fn array_len(a: Array) -> i64 {
    a.buffer().len() as i64
}

/// `a[i]`.
pub fn array_get(a: Array, i: i64) -> Result<u64, RuntimeError> {
    let b = a.buffer();
    let n = b.len();
    if i < 0 || i as u64 >= n as u64 {
        return Err(index_error(i, n));
    }
    Ok(b.get(i as usize))
}

/// `a[i] = v`.
pub fn array_set(a: Array, i: i64, v: u64) -> Result<(), RuntimeError> {
    let b = a.buffer();
    let n = b.len();
    if i < 0 || i as u64 >= n as u64 {
        return Err(index_error(i, n));
    }
    b.set(i as usize, v);
    Ok(())
}

/// `push(a, v)`.
pub fn array_push(m: &mut Mutator, a: Array, v: u64) -> Result<(), RuntimeError> {
    let b = a.buffer();
    let n = b.len();
    let cap = b.cap();
    if n < cap {
        b.set(n, v);
        b.set_len(n + 1);
        return Ok(());
    }
    let new_cap = (cap * 2).max(4);
    let nb = buffer_new(m, new_cap, a.header() & HDR_REFS != 0)?;
    for i in 0..n {
        nb.set(i, b.get(i));
    }
    nb.set(n, v);
    nb.set_len(n + 1);
    a.set_buffer(nb);
    Ok(())
}

/// `pop(a)`.
pub fn array_pop(a: Array) -> Result<u64, RuntimeError> {
    let b = a.buffer();
    let n = b.len();
    if n == 0 {
        return Err(RuntimeError::new("pop from empty array"));
    }
    let v = b.get(n - 1);
    b.set_len(n - 1);
    Ok(v)
}

/// A snapshot of the elements.
pub fn array_to_vec(a: Array) -> Vec<u64> {
    let b = a.buffer();
    (0..b.len()).map(|i| b.get(i)).collect()
}

//! `str` operations: construction, concatenation, comparison, `substr`,
//! `find`, `split`, `join`, `parse_int`, `parse_float`.
//!
//! Strings are immutable UTF-8: `[header | byte length | bytes]`, bytes at
//! [`STR_BYTES_OFFSET`](super::object::STR_BYTES_OFFSET).

use std::cmp::Ordering;

use super::alloc::Mutator;
use super::array::array_from_slice;
use super::object::{str_size, Array, Str, KIND_STR};
use super::RuntimeError;

/// Allocate a string holding the concatenation of `parts` (each valid
/// UTF-8 on its own, so the result is too).
pub(crate) fn str_from_parts(m: &mut Mutator, parts: &[&str]) -> Result<Str, RuntimeError> {
    let total = parts
        .iter()
        .try_fold(0usize, |acc, p| acc.checked_add(p.len()))
        .ok_or_else(|| RuntimeError::new("out of memory"))?;
    let p = m.alloc_raw(str_size(total).max(16), KIND_STR)?;
    // SAFETY: fresh cell of `str_size(total)` bytes with its header written.
    Ok(unsafe { Str::init(p, parts) })
}

/// A new string with the text `s`.
pub fn str_new(m: &mut Mutator, s: &str) -> Result<Str, RuntimeError> {
    str_from_parts(m, &[s])
}

/// `a + b`.
pub fn str_concat(m: &mut Mutator, a: Str, b: Str) -> Result<Str, RuntimeError> {
    str_from_parts(m, &[a.as_str(), b.as_str()])
}

/// `a == b` (by content).
pub fn str_eq(a: Str, b: Str) -> bool {
    a == b || a.as_bytes() == b.as_bytes()
}

/// `a < b` and friends: byte-wise comparison.
pub fn str_cmp(a: Str, b: Str) -> Ordering {
    a.as_bytes().cmp(b.as_bytes())
}

/// `len(s)`: byte length.
pub fn str_len(s: Str) -> i64 {
    s.len() as i64
}

/// `substr(s, start, end)`: bytes `start..end`. Errors when the range is
/// out of `0..=len`, reversed, or not on char boundaries.
pub fn str_substr(m: &mut Mutator, s: Str, start: i64, end: i64) -> Result<Str, RuntimeError> {
    let text = s.as_str();
    let len = text.len() as i64;
    if start < 0 || end < start || end > len {
        return Err(RuntimeError::new(format!(
            "substr out of range: {start}..{end} for length {len}"
        )));
    }
    let (a, b) = (start as usize, end as usize);
    if !text.is_char_boundary(a) || !text.is_char_boundary(b) {
        return Err(RuntimeError::new(format!(
            "substr not on a char boundary: {start}..{end}"
        )));
    }
    str_new(m, &text[a..b])
}

/// `find(s, pat)`: byte offset of the first match, or -1.
pub fn str_find(s: Str, pat: Str) -> i64 {
    s.as_str().find(pat.as_str()).map_or(-1, |i| i as i64)
}

/// `split(s, sep)`: Rust's `str::split`; with `sep == ""` the characters.
pub fn str_split(m: &mut Mutator, s: Str, sep: Str) -> Result<Array, RuntimeError> {
    let text = s.as_str();
    let sep = sep.as_str();
    let mut words = Vec::new();
    if sep.is_empty() {
        let mut buf = [0u8; 4];
        for c in text.chars() {
            words.push(str_new(m, c.encode_utf8(&mut buf))?.word());
        }
    } else {
        for part in text.split(sep) {
            words.push(str_new(m, part)?.word());
        }
    }
    array_from_slice(m, true, &words)
}

/// `join(parts, sep)`.
pub fn str_join(m: &mut Mutator, parts: Array, sep: Str) -> Result<Str, RuntimeError> {
    let buf = parts.buffer();
    let n = buf.len();
    let sep = sep.as_str();
    let mut pieces: Vec<&str> = Vec::with_capacity(n.saturating_mul(2));
    for i in 0..n {
        if i > 0 && !sep.is_empty() {
            pieces.push(sep);
        }
        // SAFETY: `parts` is a `[str]`, so every element below its length
        // is a live string.
        let s = unsafe { Str::from_word(buf.get(i)) };
        pieces.push(s.as_str());
    }
    str_from_parts(m, &pieces)
}

/// `parse_int(s)`: Rust's `i64` parsing rules.
pub fn parse_int(s: Str) -> Result<i64, RuntimeError> {
    s.as_str()
        .parse::<i64>()
        .map_err(|_| RuntimeError::new(format!("cannot parse {:?} as int", s.as_str())))
}

/// `parse_float(s)`: Rust's `f64` parsing rules.
pub fn parse_float(s: Str) -> Result<f64, RuntimeError> {
    s.as_str()
        .parse::<f64>()
        .map_err(|_| RuntimeError::new(format!("cannot parse {:?} as float", s.as_str())))
}

/// `str(i)` for an int.
pub fn str_from_int(m: &mut Mutator, i: i64) -> Result<Str, RuntimeError> {
    str_new(m, itoa::Buffer::new().format(i))
}

/// `str(x)` for a float (Rust's `{:?}`).
pub fn str_from_float(m: &mut Mutator, x: f64) -> Result<Str, RuntimeError> {
    str_new(m, &format!("{x:?}"))
}

/// `str(b)` for a bool.
pub fn str_from_bool(m: &mut Mutator, b: bool) -> Result<Str, RuntimeError> {
    str_new(m, if b { "true" } else { "false" })
}

//! Boxes: the heap cell behind an optional of a non-reference type
//! (`int?`, `float?`, `bool?`, `()?`, `T??` ...): `[header | value]`, value
//! at [`BOX_VALUE_OFFSET`](super::object::BOX_VALUE_OFFSET). Immutable.

use ember_lang::Type;

use super::alloc::Mutator;
use super::object::{BoxObj, BOX_SIZE, HDR_REFS, KIND_BOX};
use super::{is_gc_ref, optional_is_boxed, RuntimeError};

/// A box holding `v`; `refs` when `v` is a heap reference (e.g. the inner
/// optional of `str??`).
pub fn box_new(m: &mut Mutator, v: u64, refs: bool) -> Result<BoxObj, RuntimeError> {
    let h = KIND_BOX | if refs { HDR_REFS } else { 0 };
    let p = m.alloc_raw(BOX_SIZE, h)?;
    // SAFETY: fresh cell of `BOX_SIZE` bytes with its header written.
    Ok(unsafe { BoxObj::init(p, v) })
}

/// The boxed word.
pub fn box_get(b: BoxObj) -> u64 {
    b.get()
}

/// The word of a `T?` holding `v` (`None` = `none`): the value itself for
/// reference and function types, otherwise a box (RUNTIME.md, Values).
pub fn make_optional(m: &mut Mutator, v: Option<u64>, inner: &Type) -> Result<u64, RuntimeError> {
    match v {
        None => Ok(0),
        Some(v) if !optional_is_boxed(inner) => Ok(v),
        Some(v) => Ok(box_new(m, v, is_gc_ref(inner))?.word()),
    }
}

/// The value of a `T?` word, `None` for `none`.
///
/// # Safety
/// `word` must be a valid value of type `inner?`.
pub unsafe fn read_optional(word: u64, inner: &Type) -> Option<u64> {
    if word == 0 {
        None
    } else if optional_is_boxed(inner) {
        // SAFETY: per the contract a non-zero boxed optional is a box.
        Some(unsafe { BoxObj::from_word(word) }.get())
    } else {
        Some(word)
    }
}

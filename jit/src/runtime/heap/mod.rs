//! The garbage-collected heap: object layouts, allocation, mark-sweep
//! collection, and the runtime operations on heap values.
//!
//! # Objects
//!
//! Every object starts with a header word: kind in bits 0..8, then the mark
//! bit, `REFS` (elements / values / box content are references),
//! `KEY_STR` (map keys are strings), `STATIC` (outside the collected heap)
//! and `LARGE` (individually allocated). Small objects are marked in their
//! block's mark bitmap, large ones with the header's mark bit.
//!
//! | kind | layout (words) |
//! |---|---|
//! | `str` | header, byte length, bytes (UTF-8) |
//! | array | header, buffer pointer |
//! | buffer | header, cap, len, element words |
//! | struct | header, layout pointer, one word per field |
//! | box | header, value |
//! | map / chan / task | header, pointer to a Rust payload (dropped by the sweep) |
//!
//! The `pub const` offsets in [`object`] are what generated code uses.
//!
//! # Allocation
//!
//! [`alloc`]: size classes of 16-byte granules up to 2 KiB in 64 KiB
//! aligned blocks, each with a mark bitmap; a [`Mutator`] per thread owns
//! one block per class at a time and bump-allocates through its runs of
//! free cells without locking, taking a new block under the heap lock when
//! one is exhausted; larger objects are allocated individually.
//! Allocation never collects: past the threshold it sets
//! [`Heap::gc_requested`] (and calls the request hook) so that the runtime
//! collects at the next safe point. The heap limit gives `out of memory`.
//!
//! # Collection
//!
//! [`Heap::collect`] (only while every mutator is stopped at a safe point):
//! clear the mark bitmaps, mark from the roots the caller enumerates plus
//! pinned words, with an explicit stack; sweep without touching dead
//! cells: count marks per block (unmarked cells are free for the next
//! allocation round), drop the payloads of dead map/channel/task objects,
//! free dead large objects, return surplus empty blocks to the OS.
//! Non-moving.
//!
//! # Struct migration
//!
//! [`migrate_structs`] (world stopped): when a struct is redefined, trace
//! from the roots and pinned words, allocate a replacement with the new
//! layout for every live old instance, then redirect every reference to it
//! (see [`migrate`]). Objects do not move; old instances become garbage.
//!
//! # Races
//!
//! Arrays: see [`array`] (buffers only replaced, never shrunk or freed
//! outside a collection; len read with the buffer it belongs to). Maps and
//! channels lock. Struct fields and elements are single aligned words
//! written atomically (no tearing). A racy program may lose writes or
//! pushes and see stale values, never a torn or dangling reference.
//!
//! # Handles and safety
//!
//! Runtime operations take typed handles ([`Str`], [`Array`], ...). Making
//! one from a raw word is the one `unsafe` step
//! (`unsafe { Str::from_word(w) }`): the word must be a live object of that
//! kind. Handles stay valid until a collection that does not find them
//! reachable.

pub mod alloc;
pub mod array;
pub mod boxed;
pub mod chan;
pub mod gc;
pub mod map;
pub mod migrate;
pub mod object;
pub mod string;
pub mod structs;
pub mod task;

#[cfg(test)]
mod tests;

use std::fmt;

use ember_lang::Type;

pub use alloc::{Heap, HeapConfig, HeapStats, Mutator};
pub use array::{
    array_from_slice, array_get, array_len, array_new, array_pop, array_push, array_repeat,
    array_set, array_to_vec, array_with_capacity, index_error,
};
pub use boxed::{box_get, box_new, make_optional, read_optional};
pub use chan::{
    chan_len, chan_new, chan_recv_blocking, chan_send, chan_try_recv, chan_wait, chan_wait_timeout,
};
pub use gc::RootEnumerator;
pub use map::{
    map_entries, map_get, map_has, map_index, map_keys, map_len, map_new, map_remove, map_set,
    map_values, KeyKind, MapKey,
};
pub use migrate::{migrate_structs, MigrationStats, StructMigration};
pub use object::{Array, BoxObj, Buffer, Chan, Map, Str, Struct, Task, TaskPayload};
pub use string::{
    parse_float, parse_int, str_cmp, str_concat, str_eq, str_find, str_from_bool, str_from_float,
    str_from_int, str_join, str_len, str_new, str_split, str_substr,
};
pub use structs::{struct_alloc, struct_get, struct_new, struct_set, StructLayout};
pub use task::{task_new, task_payload};

/// A runtime error raised by a heap operation: the message of LANGUAGE.md
/// §6 (`index out of bounds: index 7, length 3`, `key not found: "a"`, ...).
/// The runtime adds the Ember stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeError {
    pub message: String,
}

impl RuntimeError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            message: message.into(),
        }
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuntimeError {}

impl From<RuntimeError> for super::errors::EmberError {
    fn from(e: RuntimeError) -> Self {
        super::errors::EmberError::new(e.message)
    }
}

/// Is a value of type `t` a reference the collector must trace? (Heap
/// objects and optionals of anything but functions; not function slots.)
pub fn is_gc_ref(t: &Type) -> bool {
    match t {
        Type::Str
        | Type::Array(_)
        | Type::Map(..)
        | Type::Chan(_)
        | Type::Struct(_)
        | Type::Task => true,
        Type::Optional(inner) => !matches!(**inner, Type::Fn(_)),
        _ => false,
    }
}

/// Is `inner?` represented by a box (as opposed to the value itself, with
/// 0 for `none`)? True for every inner type that is not a heap reference or
/// a function (RUNTIME.md, Values).
pub fn optional_is_boxed(inner: &Type) -> bool {
    !matches!(
        inner,
        Type::Str
            | Type::Array(_)
            | Type::Map(..)
            | Type::Chan(_)
            | Type::Struct(_)
            | Type::Task
            | Type::Fn(_)
    )
}

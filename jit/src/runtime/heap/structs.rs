//! Struct layouts and instances.
//!
//! An instance is `[header | layout pointer | field 0 | field 1 | ...]`,
//! field `i` at [`field_offset`]`(i)`. A [`StructLayout`] is immutable;
//! redefining a struct makes a new layout. Instances hold a plain pointer
//! to their layout (no reference count on the allocation path): the heap's
//! layout registry keeps every layout alive while an instance may use it
//! (a collection drops layouts no live instance uses and nobody else holds).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ember_lang::Type;

use super::alloc::Mutator;
use super::object::{field_offset, struct_size, Struct, KIND_STRUCT};
use super::{is_gc_ref, RuntimeError};

/// The shape of a struct: name, fields in declared order, their types, and
/// which fields hold heap references.
#[derive(Debug)]
pub struct StructLayout {
    name: Arc<str>,
    field_names: Vec<Arc<str>>,
    field_types: Vec<Type>,
    ref_fields: Vec<u32>,
    marked: AtomicBool,
    registered: AtomicBool,
}

impl StructLayout {
    /// A layout for `name` with `fields` in declared order.
    pub fn new(name: &str, fields: Vec<(String, Type)>) -> Arc<StructLayout> {
        let ref_fields = fields
            .iter()
            .enumerate()
            .filter(|(_, (_, t))| is_gc_ref(t))
            .map(|(i, _)| i as u32)
            .collect();
        let (field_names, field_types) = fields
            .into_iter()
            .map(|(n, t)| (Arc::<str>::from(n.as_str()), t))
            .unzip();
        Arc::new(StructLayout {
            name: Arc::from(name),
            field_names,
            field_types,
            ref_fields,
            marked: AtomicBool::new(false),
            registered: AtomicBool::new(false),
        })
    }

    /// Struct name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.field_types.len()
    }

    /// True for a struct without fields.
    pub fn is_empty(&self) -> bool {
        self.field_types.is_empty()
    }

    /// Field names in declared order.
    pub fn field_names(&self) -> &[Arc<str>] {
        &self.field_names
    }

    /// Field types in declared order.
    pub fn field_types(&self) -> &[Type] {
        &self.field_types
    }

    /// Index of the field called `name`.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.field_names.iter().position(|n| &**n == name)
    }

    /// Indices of the fields that hold heap references.
    pub fn ref_fields(&self) -> &[u32] {
        &self.ref_fields
    }

    /// Instance size in bytes.
    pub fn instance_size(&self) -> usize {
        struct_size(self.len())
    }

    /// Byte offset of field `i` in an instance.
    pub fn field_offset(&self, i: usize) -> i32 {
        field_offset(i)
    }

    pub(crate) fn mark(&self) {
        self.marked.store(true, Ordering::Relaxed);
    }

    pub(crate) fn take_mark(&self) -> bool {
        self.marked.swap(false, Ordering::Relaxed)
    }

    pub(crate) fn is_registered(&self) -> bool {
        self.registered.load(Ordering::Acquire)
    }

    pub(crate) fn set_registered(&self, r: bool) {
        self.registered.store(r, Ordering::Release);
    }
}

/// Allocate an instance of `layout` with every field 0 (the caller stores
/// the fields before the next safe point).
pub fn struct_alloc(m: &mut Mutator, layout: &Arc<StructLayout>) -> Result<Struct, RuntimeError> {
    alloc_init(m, layout, None)
}

/// Allocate an instance and set its fields (in declared order).
pub fn struct_new(
    m: &mut Mutator,
    layout: &Arc<StructLayout>,
    fields: &[u64],
) -> Result<Struct, RuntimeError> {
    assert_eq!(fields.len(), layout.len(), "field count");
    alloc_init(m, layout, Some(fields))
}

#[inline]
fn alloc_init(
    m: &mut Mutator,
    layout: &Arc<StructLayout>,
    fields: Option<&[u64]>,
) -> Result<Struct, RuntimeError> {
    if !layout.is_registered() {
        m.heap().register_layout(layout);
    }
    let p = m.alloc_raw(layout.instance_size(), KIND_STRUCT)?;
    // SAFETY: fresh cell of `instance_size()` bytes, header written, layout
    // registered, `fields` checked by the caller.
    Ok(unsafe { Struct::init(p, layout, fields) })
}

/// Read field `i`.
pub fn struct_get(s: Struct, i: usize) -> u64 {
    s.get(i)
}

/// Write field `i`.
pub fn struct_set(s: Struct, i: usize, v: u64) {
    s.set(i, v)
}

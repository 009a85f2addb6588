//! Struct migration (LANGUAGE.md §7): when a struct is redefined, every
//! live instance of the old layout is replaced by an instance of the new
//! layout, and every reference to the old instance is redirected to its
//! replacement. Runs with the world stopped; the old instances become
//! garbage for the next collection.
//!
//! 1. **Check** the migrations (no heap access): field sources in range and
//!    of the same type, a zero value for every other field, no layout
//!    migrated twice.
//! 2. **Trace** from the root words and the pinned words, like the mark
//!    phase, with a private visited set (the heap's mark bits belong to the
//!    collector: large objects keep theirs in the header, and a stray mark
//!    would make the next collection skip their children): a bitmap per
//!    block, a hash set for large objects. Only objects with outgoing
//!    references enter the set. The trace yields the live old
//!    instances, the reference words that hold one (root words, struct
//!    fields, buffer elements, box values — not the fields of old instances
//!    themselves), and the maps and channels that hold one.
//! 3. **Allocate** every replacement, with the zero values of the fields not
//!    copied. Allocation never collects (past the threshold it only raises
//!    the request flag and calls the request hook). `out of memory` returns
//!    here, before any reference changed: the replacements made so far are
//!    unreachable garbage.
//! 4. **Copy** the kept fields into the replacements, redirecting references
//!    to old instances (fields of migrated instances, cycles included).
//! 5. **Rewrite** the recorded words (Release stores), map values and
//!    channel entries (under their locks) and the pinned set (a pinned old
//!    instance's count moves to its replacement).

use std::collections::{HashMap, HashSet};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use ember_lang::Type;
use foldhash::fast::FixedState;

use super::alloc::{Heap, Mutator, BLOCK_SIZE};
use super::array::array_new;
use super::map::{map_new, KeyKind};
use super::object::{
    has_children, header, Array, BoxObj, Buffer, Chan, Map, Struct, HDR_KIND_MASK, HDR_LARGE,
    HDR_REFS, HDR_STATIC, KIND_ARRAY, KIND_BOX, KIND_BUFFER, KIND_CHAN, KIND_MAP, KIND_STRUCT,
};
use super::string::str_new;
use super::structs::{struct_alloc, StructLayout};
use super::{is_gc_ref, RuntimeError};

/// One redefined struct: the layout its instances have now, the layout they
/// must get, and where each new field's value comes from.
#[derive(Clone, Debug)]
pub struct StructMigration {
    /// The heap layout instances have now (compared by address).
    pub old: Arc<StructLayout>,
    /// The layout they must get.
    pub new: Arc<StructLayout>,
    /// Per field of `new`: `Some(i)` = copy old field `i` (which must have
    /// the same type); `None` = the zero value of the new field's type.
    pub sources: Vec<Option<usize>>,
}

impl StructMigration {
    /// The migration of LANGUAGE.md §7: a field of `new` keeps the value of
    /// the old field with the same name and the same type; every other
    /// field gets its type's zero value.
    pub fn by_name_and_type(old: Arc<StructLayout>, new: Arc<StructLayout>) -> StructMigration {
        let sources = new
            .field_names()
            .iter()
            .zip(new.field_types())
            .map(|(name, ty)| {
                old.field_index(name)
                    .filter(|&i| old.field_types()[i] == *ty)
            })
            .collect();
        StructMigration { old, new, sources }
    }
}

/// What [`migrate_structs`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MigrationStats {
    /// Live instances replaced.
    pub objects: usize,
    /// Reference words redirected to a replacement: root words, pinned
    /// entries, fields, elements, box values, map values and channel
    /// entries, and the kept reference fields of the replacements
    /// themselves that pointed to a migrated instance.
    pub references: usize,
}

/// Migrate every live instance of each `old` layout to its `new` layout:
/// allocate the replacement through `m`, fill its fields (kept fields
/// copied — the same words, so strings and other objects are shared, not
/// copied —, the others zero: `0`, `0.0`, `false`, `""`, a new empty array
/// or map, `none`), and redirect every reference to an old instance to its
/// replacement: the words at `roots`, the heap's pinned set, and every
/// reference slot of every live heap object (struct fields — including the
/// kept fields of replacements —, array elements, box values, map values,
/// channel entries). "Live" is reachability from `roots` and the pinned
/// words. Old instances become garbage.
///
/// Errors (nothing changed): an inconsistent migration (a source out of
/// range or of another type, no zero value for a field type — struct, fn,
/// chan, task —, a layout migrated twice or also a target, `m` of another
/// heap), and `out of memory` when the heap limit is hit while allocating
/// the replacements (every reference is left as it was).
///
/// # Safety
/// * The world is stopped: no other thread runs Ember code or uses this
///   heap (allocates, pins, reads or writes objects) until this returns.
/// * Every root address is a valid, 8-aligned word holding 0 or a live
///   reference of this heap (never an int, a function slot or an
///   uninitialized global), and together with the pinned words the roots
///   reach every object anyone still uses. A copy of a reference the
///   caller keeps elsewhere and does not list is not rewritten: if it
///   points to an old instance it dangles after the next collection (and a
///   later `Heap::unpin` of that stale word is a no-op, or hits whatever
///   object reuses the cell).
/// * No lock the heap's GC request hook takes is held (allocation may call
///   the hook).
pub unsafe fn migrate_structs(
    heap: &Heap,
    m: &mut Mutator,
    migrations: &[StructMigration],
    roots: &[*mut u64],
) -> Result<MigrationStats, RuntimeError> {
    if !std::ptr::eq(&**m.heap(), heap) {
        return Err(RuntimeError::new(
            "struct migration: the mutator belongs to another heap",
        ));
    }
    // 1. Check.
    let plans = plan(migrations)?;
    if migrations.is_empty() {
        return Ok(MigrationStats::default());
    }

    // 2. Trace.
    let pinned: Vec<u64> = heap.state.lock().pinned.keys().copied().collect();
    let olds: Vec<*const StructLayout> = migrations.iter().map(|g| Arc::as_ptr(&g.old)).collect();
    let mut t = Tracer {
        olds: &olds,
        visited: Visited::default(),
        stack: Vec::new(),
        instances: Vec::new(),
        slots: Vec::new(),
        maps: Vec::new(),
        chans: Vec::new(),
    };
    for &r in roots {
        // SAFETY: the caller guarantees an aligned, valid word that nobody
        // else accesses while the world is stopped.
        let slot = unsafe { AtomicU64::from_ptr(r) };
        // SAFETY: a root holds 0 or a live reference (caller's contract).
        if unsafe { t.visit(slot.load(Ordering::Acquire)) } {
            t.slots.push(slot);
        }
    }
    for &w in &pinned {
        // SAFETY: pinned words are live references.
        unsafe { t.visit(w) };
    }
    while let Some(p) = t.stack.pop() {
        // SAFETY: `p` was visited, so it is a live object; no mutator runs.
        unsafe { t.scan(p) };
    }
    let Tracer {
        instances,
        slots,
        maps,
        chans,
        ..
    } = t;

    // 3. Allocate the replacements (the only step that can fail).
    let mut forward: HashMap<u64, u64, FixedState> =
        HashMap::with_capacity_and_hasher(instances.len(), FixedState::default());
    let mut replacements = Vec::with_capacity(instances.len());
    let mut empty_str = None;
    for &(old, k) in &instances {
        let new = struct_alloc(m, &migrations[k].new)?;
        for (j, fill) in plans[k].iter().enumerate() {
            if let Fill::Zero(z) = *fill {
                let w = z.make(m, &mut empty_str)?;
                if w != 0 {
                    new.set(j, w);
                }
            }
        }
        forward.insert(old.word(), new.word());
        replacements.push(new);
    }

    // 4. Copy the kept fields, redirecting references to old instances.
    let mut references = 0;
    for (&(old, k), &new) in instances.iter().zip(&replacements) {
        for (j, fill) in plans[k].iter().enumerate() {
            if let Fill::Copy { from, is_ref } = *fill {
                let mut v = old.get(from);
                if is_ref {
                    if let Some(&n) = forward.get(&v) {
                        v = n;
                        references += 1;
                    }
                }
                new.set(j, v);
            }
        }
    }

    // 5. Rewrite every recorded reference.
    let mut redirect = |v: u64| match forward.get(&v) {
        Some(&n) => {
            references += 1;
            n
        }
        None => v,
    };
    for slot in slots {
        let v = slot.load(Ordering::Relaxed);
        let n = redirect(v);
        if n != v {
            slot.store(n, Ordering::Release);
        }
    }
    for mp in maps {
        mp.inner().update_values(&mut redirect);
    }
    for c in chans {
        c.inner().update_values(&mut redirect);
    }
    {
        let mut st = heap.state.lock();
        for w in pinned {
            let n = redirect(w);
            if n != w {
                if let Some(count) = st.pinned.remove(&w) {
                    *st.pinned.entry(n).or_insert(0) += count;
                }
            }
        }
    }
    Ok(MigrationStats {
        objects: instances.len(),
        references,
    })
}

/// How one field of a replacement is filled.
#[derive(Clone, Copy, Debug)]
enum Fill {
    /// Old field `from`; `is_ref` when it holds a heap reference (which may
    /// be an old instance to redirect).
    Copy {
        from: usize,
        is_ref: bool,
    },
    Zero(Zero),
}

/// A zero value.
#[derive(Clone, Copy, Debug)]
enum Zero {
    /// `0`, `0.0`, `false`, `()`, `none`.
    Word,
    /// `""` (one shared object per migration: strings are immutable).
    Str,
    /// A new empty array; element references traced or not.
    Array { refs: bool },
    /// A new empty map.
    Map { key: KeyKind, refs: bool },
}

impl Zero {
    fn of(ty: &Type) -> Option<Zero> {
        Some(match ty {
            Type::Int | Type::Float | Type::Bool | Type::Unit | Type::Optional(_) => Zero::Word,
            Type::Str => Zero::Str,
            Type::Array(e) => Zero::Array { refs: is_gc_ref(e) },
            Type::Map(k, v) => Zero::Map {
                key: match **k {
                    Type::Int => KeyKind::Int,
                    Type::Bool => KeyKind::Bool,
                    Type::Str => KeyKind::Str,
                    _ => return None,
                },
                refs: is_gc_ref(v),
            },
            Type::Struct(_) | Type::Fn(_) | Type::Chan(_) | Type::Task | Type::Never => {
                return None
            }
        })
    }

    fn make(self, m: &mut Mutator, empty_str: &mut Option<u64>) -> Result<u64, RuntimeError> {
        Ok(match self {
            Zero::Word => 0,
            Zero::Str => match *empty_str {
                Some(w) => w,
                None => {
                    let w = str_new(m, "")?.word();
                    *empty_str = Some(w);
                    w
                }
            },
            Zero::Array { refs } => array_new(m, refs)?.word(),
            Zero::Map { key, refs } => map_new(m, key, refs)?.word(),
        })
    }
}

/// Check the migrations and turn each into a per-field plan.
fn plan(migrations: &[StructMigration]) -> Result<Vec<Vec<Fill>>, RuntimeError> {
    let err = |msg: String| Err(RuntimeError::new(format!("struct migration: {msg}")));
    let mut plans = Vec::with_capacity(migrations.len());
    for (k, g) in migrations.iter().enumerate() {
        let name = g.new.name();
        if Arc::ptr_eq(&g.old, &g.new) {
            return err(format!("old and new layout of {name} are the same"));
        }
        if migrations[..k].iter().any(|o| Arc::ptr_eq(&o.old, &g.old)) {
            return err(format!("a layout of {name} is migrated twice"));
        }
        if migrations.iter().any(|o| Arc::ptr_eq(&o.old, &g.new)) {
            return err(format!("the new layout of {name} is also migrated"));
        }
        if g.sources.len() != g.new.len() {
            return err(format!(
                "{name} has {} fields but {} sources",
                g.new.len(),
                g.sources.len()
            ));
        }
        let mut fills = Vec::with_capacity(g.new.len());
        for (j, (src, ty)) in g.sources.iter().zip(g.new.field_types()).enumerate() {
            let field = &g.new.field_names()[j];
            fills.push(match *src {
                Some(i) => {
                    let Some(old_ty) = g.old.field_types().get(i) else {
                        return err(format!(
                            "source {i} of {name}.{field} is out of range (old layout has {} fields)",
                            g.old.len()
                        ));
                    };
                    if old_ty != ty {
                        return err(format!(
                            "{name}.{field}: old field {i} has type {old_ty}, not {ty}"
                        ));
                    }
                    Fill::Copy {
                        from: i,
                        is_ref: is_gc_ref(ty),
                    }
                }
                None => match Zero::of(ty) {
                    Some(z) => Fill::Zero(z),
                    None => return err(format!("{name}.{field}: type {ty} has no zero value")),
                },
            });
        }
        plans.push(fills);
    }
    Ok(plans)
}

/// Bit words of a private mark bitmap for one block (a bit per granule).
const VISITED_WORDS: usize = BLOCK_SIZE / 16 / 64;

/// The trace's visited set: a private bitmap per 64 KiB block (small
/// objects; the last block used is looked up first), a hash set for large
/// objects.
#[derive(Default)]
struct Visited {
    /// Block base → index in `bitmaps`.
    blocks: HashMap<usize, usize, FixedState>,
    bitmaps: Vec<[u64; VISITED_WORDS]>,
    /// Base and bitmap index of the block of the last small object.
    last: Option<(usize, usize)>,
    large: HashSet<u64, FixedState>,
}

impl Visited {
    /// Add the object at `w`; returns whether it was not there yet.
    fn insert(&mut self, w: u64, large: bool) -> bool {
        if large {
            return self.large.insert(w);
        }
        let addr = w as usize;
        let base = addr & !(BLOCK_SIZE - 1);
        let idx = match self.last {
            Some((b, i)) if b == base => i,
            _ => {
                let next = self.bitmaps.len();
                let i = *self.blocks.entry(base).or_insert(next);
                if i == next {
                    self.bitmaps.push([0; VISITED_WORDS]);
                }
                self.last = Some((base, i));
                i
            }
        };
        let g = (addr - base) >> 4;
        let word = &mut self.bitmaps[idx][g >> 6];
        let bit = 1u64 << (g & 63);
        let new = *word & bit == 0;
        *word |= bit;
        new
    }
}

/// The trace of step 2.
struct Tracer<'a> {
    /// Old layouts, indexed like the migrations.
    olds: &'a [*const StructLayout],
    /// Objects with outgoing references already queued.
    visited: Visited,
    stack: Vec<NonNull<u64>>,
    /// Live old instances and their migration index.
    instances: Vec<(Struct, usize)>,
    /// Words (outside old instances) holding an old instance.
    slots: Vec<&'a AtomicU64>,
    /// Maps / channels with a value that is an old instance.
    maps: Vec<Map>,
    chans: Vec<Chan>,
}

impl<'a> Tracer<'a> {
    /// Migration index of the instance `s`, if its layout is an old one.
    fn old_index(&self, s: Struct) -> Option<usize> {
        let l: *const StructLayout = s.layout();
        self.olds.iter().position(|&o| o == l)
    }

    /// Visit the reference `w` (0 = none): queue it the first time if it
    /// has outgoing references. Returns whether it is an old instance.
    ///
    /// # Safety
    /// `w` must be 0 or a live object of the heap; no mutator runs.
    unsafe fn visit(&mut self, w: u64) -> bool {
        let Some(p) = NonNull::new(w as usize as *mut u64) else {
            return false;
        };
        // SAFETY: per the contract `p` is a live object.
        let h = unsafe { header(p) };
        if h & HDR_STATIC != 0 || !has_children(h) {
            // Strings, boxes and buffers of plain words, ...: nothing to
            // trace, never an instance (structs always "have children").
            return false;
        }
        let old = if h & HDR_KIND_MASK == KIND_STRUCT {
            // SAFETY: a live struct instance.
            let s = unsafe { Struct::from_ptr(p) };
            self.old_index(s).map(|k| (s, k))
        } else {
            None
        };
        if self.visited.insert(w, h & HDR_LARGE != 0) {
            if let Some(inst) = old {
                self.instances.push(inst);
            }
            self.stack.push(p);
        }
        old.is_some()
    }

    /// Visit the references held by `p`, recording the words that hold an
    /// old instance.
    ///
    /// # Safety
    /// `p` must be a live object with children (it was visited); no mutator
    /// runs. The recorded slot references stay valid while the world stays
    /// stopped (no collection frees `p`).
    unsafe fn scan(&mut self, p: NonNull<u64>) {
        // SAFETY: `p` is a live object of the kind its header says (the
        // contract); the slot references point into it, and it is not
        // freed before the migration ends (no collection runs).
        unsafe {
            let h = header(p);
            match h & HDR_KIND_MASK {
                KIND_ARRAY => {
                    self.visit(Array::from_ptr(p).buffer().word());
                }
                KIND_BUFFER => {
                    let b = Buffer::from_ptr(p);
                    for i in 0..b.len() {
                        if self.visit(b.get(i)) {
                            self.slots.push(&*(b.slot(i) as *const AtomicU64));
                        }
                    }
                }
                KIND_STRUCT => {
                    let s = Struct::from_ptr(p);
                    // The fields of an old instance are read again when its
                    // replacement is filled; the old words stay as they are.
                    let inside_old = self.old_index(s).is_some();
                    for &i in s.layout().ref_fields() {
                        let i = i as usize;
                        if self.visit(s.get(i)) && !inside_old {
                            self.slots.push(&*(s.slot(i) as *const AtomicU64));
                        }
                    }
                }
                KIND_BOX => {
                    let b = BoxObj::from_ptr(p);
                    if self.visit(b.get()) {
                        self.slots.push(&*(b.slot() as *const AtomicU64));
                    }
                }
                KIND_MAP if h & HDR_REFS != 0 => {
                    // Keys are int, bool or str: nothing to trace.
                    let mp = Map::from_ptr(p);
                    let mut found = false;
                    mp.inner()
                        .trace(false, true, &mut |v| found |= self.visit(v));
                    if found {
                        self.maps.push(mp);
                    }
                }
                KIND_CHAN => {
                    let c = Chan::from_ptr(p);
                    let mut found = false;
                    c.inner().trace(&mut |v| found |= self.visit(v));
                    if found {
                        self.chans.push(c);
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ember_lang::Type;

    use super::super::object::{HDR_KEY_STR, HDR_REFS};
    use super::super::*;

    fn layout(name: &str, fields: &[(&str, Type)]) -> Arc<StructLayout> {
        StructLayout::new(
            name,
            fields
                .iter()
                .map(|(n, t)| (n.to_string(), t.clone()))
                .collect(),
        )
    }

    fn s(m: &mut Mutator, text: &str) -> Str {
        str_new(m, text).unwrap()
    }

    fn inst(w: u64) -> Struct {
        // SAFETY: the tests only pass struct words of live instances.
        unsafe { Struct::from_word(w) }
    }

    fn text(w: u64) -> String {
        // SAFETY: the tests only pass words of live strings.
        unsafe { Str::from_word(w) }.as_str().to_string()
    }

    fn collect(heap: &Heap, roots: &[u64]) -> HeapStats {
        // SAFETY: single-threaded tests; only objects reachable from
        // `roots` are used afterwards.
        unsafe {
            heap.collect(&mut |visit| {
                for &r in roots {
                    visit(r)
                }
            })
        }
    }

    /// Migrate with `roots` (root words, rewritten in place).
    fn migrate(
        heap: &Heap,
        m: &mut Mutator,
        migs: &[StructMigration],
        roots: &mut [u64],
    ) -> Result<MigrationStats, RuntimeError> {
        let ptrs: Vec<*mut u64> = roots.iter_mut().map(|r| r as *mut u64).collect();
        // SAFETY: single-threaded test (the world is "stopped"); every root
        // word is 0 or a live reference.
        unsafe { migrate_structs(heap, m, migs, &ptrs) }
    }

    fn uses(w: u64, l: &Arc<StructLayout>) -> bool {
        std::ptr::eq(inst(w).layout(), &**l)
    }

    #[test]
    fn added_fields_get_zero_values_and_kept_fields_their_values() {
        let heap = Heap::new();
        let m = &mut heap.mutator();
        let old = layout("Point", &[("x", Type::Int), ("name", Type::Str)]);
        let new = layout(
            "Point",
            &[
                ("x", Type::Int),
                ("name", Type::Str),
                ("f", Type::Float),
                ("b", Type::Bool),
                ("s", Type::Str),
                ("ai", Type::array(Type::Int)),
                ("as", Type::array(Type::Str)),
                ("mi", Type::map(Type::Int, Type::Int)),
                ("ms", Type::map(Type::Str, Type::Str)),
                ("mb", Type::map(Type::Bool, Type::Float)),
                ("oi", Type::optional(Type::Int)),
                ("os", Type::optional(Type::Str)),
                ("op", Type::optional(Type::strukt("Point"))),
                ("u", Type::Unit),
            ],
        );
        let names: Vec<u64> = (0..2).map(|i| s(m, &format!("p{i}")).word()).collect();
        let mut roots: Vec<u64> = (0..2)
            .map(|i| {
                struct_new(m, &old, &[i as u64 + 10, names[i]])
                    .unwrap()
                    .word()
            })
            .collect();
        let before = roots.clone();
        let mig = StructMigration::by_name_and_type(old.clone(), new.clone());
        assert_eq!(
            mig.sources,
            [
                Some(0),
                Some(1),
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None
            ]
        );
        let stats = migrate(&heap, m, &[mig], &mut roots).unwrap();
        assert_eq!(
            stats,
            MigrationStats {
                objects: 2,
                references: 2
            }
        );
        for i in 0..2 {
            let p = inst(roots[i]);
            assert_ne!(roots[i], before[i]);
            assert!(uses(roots[i], &new));
            assert_eq!(p.get(0), i as u64 + 10);
            // The string is shared, not copied.
            assert_eq!(p.get(1), names[i]);
            assert_eq!(f64::from_bits(p.get(2)), 0.0);
            assert_eq!(p.get(3), 0);
            assert_eq!(text(p.get(4)), "");
            // SAFETY: field types per the layout.
            unsafe {
                let ai = Array::from_word(p.get(5));
                assert_eq!(array_len(ai), 0);
                assert_eq!(ai.header() & HDR_REFS, 0);
                let as_ = Array::from_word(p.get(6));
                assert_eq!(array_len(as_), 0);
                assert_ne!(as_.header() & HDR_REFS, 0);
                let mi = Map::from_word(p.get(7));
                assert_eq!(map_len(mi), 0);
                assert_eq!(mi.header() & (HDR_REFS | HDR_KEY_STR), 0);
                let ms = Map::from_word(p.get(8));
                assert_eq!(map_len(ms), 0);
                assert_eq!(
                    ms.header() & (HDR_REFS | HDR_KEY_STR),
                    HDR_REFS | HDR_KEY_STR
                );
                let mb = Map::from_word(p.get(9));
                assert_eq!(map::map_key_kind(mb), KeyKind::Bool);
            }
            assert_eq!(p.get(10), 0);
            assert_eq!(p.get(11), 0);
            assert_eq!(p.get(12), 0);
            assert_eq!(p.get(13), 0);
        }
        // Arrays and maps are fresh per instance (mutable); "" may be shared.
        let (p, q) = (inst(roots[0]), inst(roots[1]));
        for j in [5, 6, 7, 8, 9] {
            assert_ne!(p.get(j), q.get(j));
        }
        // SAFETY: field 5 is an `[int]`.
        array_push(m, unsafe { Array::from_word(p.get(5)) }, 1).unwrap();
        // SAFETY: as above.
        assert_eq!(array_len(unsafe { Array::from_word(q.get(5)) }), 0);
        // Everything the replacements hold survives a collection.
        collect(&heap, &roots);
        assert_eq!(text(inst(roots[1]).get(1)), "p1");
        assert_eq!(text(inst(roots[1]).get(4)), "");
    }

    #[test]
    fn removed_reordered_and_retyped_fields() {
        let heap = Heap::new();
        let m = &mut heap.mutator();
        let old = layout(
            "R",
            &[
                ("a", Type::Int),
                ("b", Type::Str),
                ("c", Type::Float),
                ("d", Type::Int),
                ("e", Type::optional(Type::Int)),
            ],
        );
        let new = layout(
            "R",
            &[
                ("d", Type::Int),
                ("b", Type::Str),
                ("a", Type::Float),
                ("e", Type::optional(Type::Str)),
            ],
        );
        let b = s(m, "bee");
        let boxed = make_optional(m, Some(5), &Type::Int).unwrap();
        let r = struct_new(m, &old, &[1, b.word(), 2.5f64.to_bits(), 4, boxed]).unwrap();
        let mut roots = [r.word()];
        let mig = StructMigration::by_name_and_type(old, new.clone());
        assert_eq!(mig.sources, [Some(3), Some(1), None, None]);
        migrate(&heap, m, &[mig], &mut roots).unwrap();
        let n = inst(roots[0]);
        assert!(uses(roots[0], &new));
        assert_eq!(n.get(0), 4);
        assert_eq!(n.get(1), b.word());
        assert_eq!(n.get(2), 0, "retyped int -> float: zero");
        assert_eq!(n.get(3), 0, "retyped int? -> str?: none");
        // The removed float and the old box are garbage now.
        let st = collect(&heap, &roots);
        assert_eq!(st.live_objects, 2, "the instance and its string");
    }

    #[test]
    fn every_reference_is_redirected() {
        let heap = Heap::new();
        let m = &mut heap.mutator();
        let p_ty = Type::strukt("P");
        let old = layout(
            "P",
            &[("v", Type::Int), ("next", Type::optional(p_ty.clone()))],
        );
        let new = layout(
            "P",
            &[
                ("w", Type::Int),
                ("next", Type::optional(p_ty.clone())),
                ("v", Type::Int),
            ],
        );
        let holder = layout(
            "Holder",
            &[
                ("p", p_ty.clone()),
                ("q", Type::optional(p_ty.clone())),
                ("n", Type::Int),
                ("pp", Type::optional(Type::optional(p_ty.clone()))),
            ],
        );
        let ps: Vec<Struct> = (0..9)
            .map(|i| struct_new(m, &old, &[i, 0]).unwrap())
            .collect();
        let w = |i: usize| ps[i].word();
        // An int field holding an instance's address is not a reference.
        ps[0].set(0, w(1));
        // References between migrated instances, and a cycle.
        ps[2].set(1, w(1));
        ps[6].set(1, w(6));
        let arr = array_from_slice(m, true, &[w(1), 0]).unwrap();
        let mp = map_new(m, KeyKind::Str, true).unwrap();
        map_set(mp, MapKey::Str(s(m, "k")), w(2));
        let bx = box_new(m, w(3), true).unwrap();
        let h = struct_new(m, &holder, &[w(4), w(4), w(4), bx.word()]).unwrap();
        let ch = chan_new(m, true).unwrap();
        chan_send(ch, s(m, "other").word());
        chan_send(ch, w(5));
        // p7 is only pinned (twice); p8 is unreachable.
        heap.pin(w(7));
        heap.pin(w(7));
        let mut roots = [w(0), arr.word(), mp.word(), h.word(), ch.word(), w(6)];
        let mut ptrs: Vec<*mut u64> = roots.iter_mut().map(|r| r as *mut u64).collect();
        ptrs.push(ptrs[0]);
        // (p8 is kept alive by this collection only.)
        let live_before = collect(&heap, &[&roots[..], &[w(8)]].concat()).live_objects;
        let old_weak = Arc::downgrade(&old);
        let mig = StructMigration::by_name_and_type(old.clone(), new.clone());
        drop(old);
        // SAFETY: single-threaded test; the root words are references. The
        // first root is listed twice: rewritten once.
        let stats = unsafe { migrate_structs(&heap, m, &[mig], &ptrs) }.unwrap();
        // Root p0 (listed twice), p6; array p1; map p2; box p3; holder p,
        // q; channel p5; p6.next (cycle), p2.next; the pin of p7.
        assert_eq!(
            stats,
            MigrationStats {
                objects: 8,
                references: 11
            }
        );
        let fresh = |v: u64, i: usize| {
            assert_ne!(v, w(i), "p{i} not redirected");
            assert!(uses(v, &new));
            // p0's v holds p1's address as an int: never redirected.
            let v_expected = if i == 0 { w(1) } else { i as u64 };
            assert_eq!(inst(v).get(2), v_expected, "p{i}'s v");
            assert_eq!(inst(v).get(0), 0, "p{i}'s new w");
            v
        };
        fresh(roots[0], 0);
        let p1 = fresh(array_get(arr, 0).unwrap(), 1);
        assert_eq!(array_get(arr, 1).unwrap(), 0);
        let p2 = fresh(map_get(mp, MapKey::Str(s(m, "k"))).unwrap(), 2);
        assert_eq!(inst(p2).get(1), p1, "reference between migrated instances");
        fresh(bx.get(), 3);
        let p4 = fresh(h.get(0), 4);
        assert_eq!(h.get(1), p4);
        assert_eq!(h.get(2), w(4), "an int is never redirected");
        assert_eq!(h.get(3), bx.word());
        assert_eq!(text(chan_try_recv(ch).unwrap()), "other");
        let p5 = fresh(chan_try_recv(ch).unwrap(), 5);
        chan_send(ch, p5);
        let p6 = fresh(roots[5], 6);
        assert_eq!(inst(p6).get(1), p6, "cycle");
        {
            let st = heap.state.lock();
            assert!(!st.pinned.contains_key(&w(7)));
            let (&p7, &count) = st
                .pinned
                .iter()
                .find(|(&k, _)| uses(k, &new))
                .expect("p7's replacement is pinned");
            assert_eq!(count, 2);
            fresh(p7, 7);
        }
        assert_eq!(inst(w(8)).get(0), 8, "unreachable: left alone");
        assert!(uses(w(8), &old_weak.upgrade().unwrap()));
        // A collection frees every old instance (two live objects fewer:
        // each reachable instance was replaced one for one, p8 and the
        // channel's "other" are gone), and with them the old layout.
        let st = collect(&heap, &roots);
        assert_eq!(st.live_objects, live_before - 2);
        assert!(
            old_weak.upgrade().is_none(),
            "no instance uses the old layout"
        );
        assert_eq!(inst(roots[0]).get(2), w(1));
    }

    #[test]
    fn two_layouts_at_once_referencing_each_other() {
        let heap = Heap::new();
        let m = &mut heap.mutator();
        let old_a = layout("A", &[("b", Type::strukt("B")), ("n", Type::Int)]);
        let old_b = layout(
            "B",
            &[("a", Type::optional(Type::strukt("A"))), ("s", Type::Str)],
        );
        let new_a = layout(
            "A",
            &[
                ("n", Type::Int),
                ("flag", Type::Bool),
                ("b", Type::strukt("B")),
            ],
        );
        let new_b = layout(
            "B",
            &[
                ("s", Type::Str),
                ("k", Type::array(Type::Int)),
                ("a", Type::optional(Type::strukt("A"))),
            ],
        );
        let text_b = s(m, "bee");
        let b = struct_new(m, &old_b, &[0, text_b.word()]).unwrap();
        let a = struct_new(m, &old_a, &[b.word(), 42]).unwrap();
        b.set(0, a.word());
        let mut roots = [a.word()];
        let migs = [
            StructMigration::by_name_and_type(old_a.clone(), new_a.clone()),
            StructMigration::by_name_and_type(old_b.clone(), new_b.clone()),
        ];
        let stats = migrate(&heap, m, &migs, &mut roots).unwrap();
        assert_eq!(
            stats,
            MigrationStats {
                objects: 2,
                references: 3
            }
        );
        let a2 = inst(roots[0]);
        assert!(uses(a2.word(), &new_a));
        assert_eq!(a2.get(0), 42);
        assert_eq!(a2.get(1), 0);
        let b2 = inst(a2.get(2));
        assert!(uses(b2.word(), &new_b));
        assert_eq!(b2.get(0), text_b.word());
        assert_eq!(b2.get(2), a2.word());
        // Old instances untouched (garbage now).
        assert_eq!(a.get(0), b.word());
        assert_eq!(b.get(0), a.word());
        // old A, old B, their string; then new A, new B, the string, B.k's
        // array (its buffer is the static empty one).
        assert_eq!(collect(&heap, &roots).live_objects, 4);
    }

    #[test]
    fn many_instances_then_collection() {
        let heap = Heap::new();
        let m = &mut heap.mutator();
        let old = layout("T", &[("a", Type::Int), ("s", Type::Str)]);
        let new = layout("T", &[("s", Type::Str), ("a", Type::Int), ("c", Type::Int)]);
        let arr = array_new(m, true).unwrap();
        for i in 0..1000 {
            let t = str_from_int(m, i).unwrap();
            let inst = struct_new(m, &old, &[i as u64, t.word()]).unwrap();
            array_push(m, arr, inst.word()).unwrap();
        }
        let mut roots = [arr.word()];
        let before = collect(&heap, &roots);
        assert_eq!(before.live_objects, 2 + 2000);
        let migs = [StructMigration::by_name_and_type(old, new.clone())];
        let stats = migrate(&heap, m, &migs, &mut roots).unwrap();
        assert_eq!(stats.objects, 1000);
        assert_eq!(stats.references, 1000);
        let after = collect(&heap, &roots);
        assert_eq!(after.live_objects, before.live_objects);
        // T grew from 32 to 40 bytes: the 48-byte class.
        assert_eq!(after.live_bytes, before.live_bytes + 1000 * 16);
        for (i, w) in array_to_vec(arr).into_iter().enumerate() {
            assert!(uses(w, &new));
            assert_eq!(text(inst(w).get(0)), i.to_string());
            assert_eq!(inst(w).get(1), i as u64);
        }
    }

    #[test]
    fn deep_chain_of_instances() {
        let heap = Heap::new();
        let m = &mut heap.mutator();
        let l_ty = Type::optional(Type::strukt("L"));
        let old = layout("L", &[("v", Type::Int), ("next", l_ty.clone())]);
        let new = layout("L", &[("next", l_ty), ("v", Type::Int)]);
        let mut head = 0;
        for i in 0..200_000 {
            head = struct_new(m, &old, &[i, head]).unwrap().word();
        }
        let mut roots = [head];
        let migs = [StructMigration::by_name_and_type(old, new.clone())];
        let stats = migrate(&heap, m, &migs, &mut roots).unwrap();
        assert_eq!(stats.objects, 200_000);
        assert_eq!(stats.references, 200_000);
        let mut n = roots[0];
        let mut expect = 200_000u64;
        while n != 0 {
            expect -= 1;
            assert!(uses(n, &new));
            assert_eq!(inst(n).get(1), expect);
            n = inst(n).get(0);
        }
        assert_eq!(expect, 0);
        assert_eq!(collect(&heap, &roots).live_objects, 200_000);
    }

    #[test]
    fn invalid_migrations_change_nothing() {
        let heap = Heap::new();
        let m = &mut heap.mutator();
        let old = layout("P", &[("x", Type::Int), ("s", Type::Str)]);
        let new = layout("P", &[("x", Type::Int), ("y", Type::Int)]);
        let a = s(m, "a");
        let p = struct_new(m, &old, &[1, a.word()]).unwrap();
        let mut roots = [p.word()];
        let mk = |old: &Arc<StructLayout>, new: &Arc<StructLayout>, sources: Vec<Option<usize>>| {
            StructMigration {
                old: old.clone(),
                new: new.clone(),
                sources,
            }
        };
        let cases = [
            (
                vec![mk(&old, &new, vec![Some(0)])],
                "2 fields but 1 sources",
            ),
            (vec![mk(&old, &new, vec![Some(0), Some(5)])], "out of range"),
            (
                vec![mk(&old, &new, vec![Some(0), Some(1)])],
                "has type str, not int",
            ),
            (vec![mk(&old, &old, vec![Some(0), Some(1)])], "are the same"),
            (
                vec![
                    mk(&old, &new, vec![Some(0), None]),
                    mk(&old, &new, vec![Some(0), None]),
                ],
                "migrated twice",
            ),
            (
                vec![
                    mk(&old, &new, vec![Some(0), None]),
                    mk(&new, &old, vec![Some(0), None]),
                ],
                "also migrated",
            ),
        ];
        for (migs, msg) in cases {
            let e = migrate(&heap, m, &migs, &mut roots).unwrap_err();
            assert!(e.message.contains(msg), "{e} (expected {msg})");
            assert_eq!(roots[0], p.word());
        }
        for ty in [
            Type::strukt("Q"),
            Type::chan(Type::Int),
            Type::Task,
            Type::function(vec![], Type::Int),
        ] {
            let bad = layout("P", &[("x", Type::Int), ("z", ty.clone())]);
            let e = migrate(
                &heap,
                m,
                &[StructMigration::by_name_and_type(old.clone(), bad)],
                &mut roots,
            )
            .unwrap_err();
            assert_eq!(
                e.message,
                format!("struct migration: P.z: type {ty} has no zero value")
            );
            assert_eq!(roots[0], p.word());
        }
        let other = Heap::new();
        let e = migrate(
            &other,
            m,
            &[StructMigration::by_name_and_type(old.clone(), new.clone())],
            &mut roots,
        )
        .unwrap_err();
        assert!(e.message.contains("another heap"), "{e}");
        assert!(uses(roots[0], &old));
        // Nothing to migrate.
        assert_eq!(
            migrate(&heap, m, &[], &mut roots).unwrap(),
            MigrationStats::default()
        );
    }

    #[test]
    fn out_of_memory_leaves_every_reference_unchanged() {
        let limit = 1 << 20;
        let heap = Heap::with_config(HeapConfig {
            limit,
            ..HeapConfig::default()
        });
        let grace = (limit / 4).max(16 << 20);
        let m = &mut heap.mutator();
        let old = layout("S", &[("a", Type::Int), ("s", Type::Str)]);
        // 2 + 300 fields: 2432-byte instances, each a large object.
        let mut fields = vec![("a".to_string(), Type::Int), ("s".to_string(), Type::Str)];
        fields.extend((0..300).map(|i| (format!("f{i}"), Type::Int)));
        let new = StructLayout::new("S", fields);
        assert_eq!(new.instance_size(), 2432);
        let arr = array_new(m, true).unwrap();
        let mp = map_new(m, KeyKind::Int, true).unwrap();
        for i in 0..200u64 {
            let t = str_from_int(m, i as i64).unwrap();
            let p = struct_new(m, &old, &[i, t.word()]).unwrap();
            array_push(m, arr, p.word()).unwrap();
            map_set(mp, MapKey::Word(i), p.word());
        }
        let first = array_get(arr, 0).unwrap();
        heap.pin(first);
        // Fill the heap up to 100 replacements short of limit + grace.
        let st = heap.stats();
        let used = st.live_bytes + st.allocated_since_gc;
        let filler = limit + grace - used - 100 * 2432;
        let _ = s(m, &"x".repeat(filler - 16));
        let mut roots = [first, arr.word(), mp.word()];
        let before = array_to_vec(arr);
        let migs = [StructMigration::by_name_and_type(old.clone(), new.clone())];
        let allocated = heap.stats().allocated_since_gc;
        let e = migrate(&heap, m, &migs, &mut roots).unwrap_err();
        assert_eq!(e.message, "out of memory");
        // It failed half-way: 100 replacements were made (now garbage).
        assert_eq!(heap.stats().allocated_since_gc - allocated, 100 * 2432);
        assert_eq!(roots, [first, arr.word(), mp.word()]);
        assert_eq!(array_to_vec(arr), before);
        for (i, &w) in before.iter().enumerate() {
            assert!(uses(w, &old));
            assert_eq!(inst(w).get(0), i as u64);
            assert_eq!(map_get(mp, MapKey::Word(i as u64)), Some(w));
        }
        assert!(heap.state.lock().pinned.contains_key(&first));
        // After a collection there is room: the same migration succeeds.
        collect(&heap, &roots);
        let stats = migrate(&heap, m, &migs, &mut roots).unwrap();
        assert_eq!(stats.objects, 200);
        assert_eq!(stats.references, 1 + 200 + 200 + 1);
        for (i, w) in array_to_vec(arr).into_iter().enumerate() {
            assert!(uses(w, &new));
            assert_eq!(text(inst(w).get(1)), i.to_string());
            assert_eq!(map_get(mp, MapKey::Word(i as u64)), Some(w));
        }
        assert_eq!(roots[0], array_get(arr, 0).unwrap());
        assert!(heap.state.lock().pinned.contains_key(&roots[0]));
    }

    /// Cost of a migration: 10,000 instances among ~1,000,000 other live
    /// objects. `cargo test --release -p ember-jit --lib bench_migrate --
    /// --ignored --nocapture`.
    #[test]
    #[ignore]
    fn bench_migrate() {
        let heap = Heap::new();
        let m = &mut heap.mutator();
        let old = layout(
            "P",
            &[("x", Type::Int), ("y", Type::Int), ("name", Type::Str)],
        );
        let new = layout(
            "P",
            &[
                ("name", Type::Str),
                ("x", Type::Int),
                ("y", Type::Int),
                ("tags", Type::array(Type::Str)),
            ],
        );
        let other = layout(
            "Other",
            &[
                ("s", Type::Str),
                ("next", Type::optional(Type::strukt("Other"))),
            ],
        );
        for (instances, background) in [(10_000, 0), (10_000, 500_000), (1_000_000, 0)] {
            let points = array_new(m, true).unwrap();
            for i in 0..instances {
                let t = str_from_int(m, i).unwrap();
                let p = struct_new(m, &old, &[i as u64, 2 * i as u64, t.word()]).unwrap();
                array_push(m, points, p.word()).unwrap();
            }
            // Background: a chain of `Other`, each with its own string.
            let mut chain = 0;
            for i in 0..background {
                let t = str_from_int(m, i).unwrap();
                chain = struct_new(m, &other, &[t.word(), chain]).unwrap().word();
            }
            let mut roots = [points.word(), chain];
            let gc = collect(&heap, &roots);
            let migs = [StructMigration::by_name_and_type(old.clone(), new.clone())];
            let start = std::time::Instant::now();
            let stats = migrate(&heap, m, &migs, &mut roots).unwrap();
            let took = start.elapsed();
            let gc2 = collect(&heap, &roots);
            println!(
                "{instances} instances, {} live objects: migration {took:?} ({stats:?}); \
                 collection before {:?}, after {:?}",
                gc.live_objects, gc.last_pause, gc2.last_pause
            );
            collect(&heap, &[]);
        }
    }
}

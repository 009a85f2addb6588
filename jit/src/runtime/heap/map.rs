//! Maps: `[header | pointer to a MapInner]`; the inner map is an
//! insertion-ordered hash map ([`indexmap`]) behind a lock, dropped when
//! the map object is collected.
//!
//! Keys are `int`, `bool` (as words) or `str` (hashed and compared by
//! content). Ordering rules (LANGUAGE.md §4): replacing keeps a key's
//! position, `remove` keeps the order of the others (`shift_remove`), a
//! re-inserted key goes last.
//!
//! Races: every operation takes the map's lock, so maps written from
//! several threads stay consistent; a racy program only observes some
//! serial order of the operations.

use std::hash::{Hash, Hasher};

use indexmap::IndexMap;
use parking_lot::Mutex;

use super::alloc::Mutator;
use super::array::array_from_slice;
use super::object::{init_payload, Map, Str, HDR_KEY_STR, HDR_REFS, KIND_MAP, PAYLOAD_OBJ_SIZE};
use super::RuntimeError;

/// Bit of the map header: keys are `bool` (for messages only).
pub const HDR_KEY_BOOL: u64 = 1 << 13;

/// The key type of a map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Int,
    Bool,
    Str,
}

/// A map key.
#[derive(Clone, Copy, Debug)]
pub enum MapKey {
    /// `int` or `bool` key (bool as 0/1).
    Word(u64),
    /// `str` key, compared by content.
    Str(Str),
}

impl MapKey {
    /// A key from its value word.
    ///
    /// # Safety
    /// For `KeyKind::Str`, `word` must be a live string.
    pub unsafe fn from_word(word: u64, kind: KeyKind) -> MapKey {
        match kind {
            KeyKind::Int | KeyKind::Bool => MapKey::Word(word),
            // SAFETY: per the contract.
            KeyKind::Str => MapKey::Str(unsafe { Str::from_word(word) }),
        }
    }

    /// The key's value word.
    pub fn word(self) -> u64 {
        match self {
            MapKey::Word(w) => w,
            MapKey::Str(s) => s.word(),
        }
    }
}

impl Hash for MapKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            MapKey::Word(w) => w.hash(state),
            MapKey::Str(s) => s.as_bytes().hash(state),
        }
    }
}

impl PartialEq for MapKey {
    fn eq(&self, other: &MapKey) -> bool {
        match (self, other) {
            (MapKey::Word(a), MapKey::Word(b)) => a == b,
            (MapKey::Str(a), MapKey::Str(b)) => a.as_bytes() == b.as_bytes(),
            _ => false,
        }
    }
}
impl Eq for MapKey {}

type Inner = IndexMap<MapKey, u64, foldhash::fast::FixedState>;

/// The Rust side of a map object.
pub struct MapInner {
    map: Mutex<Inner>,
}

impl MapInner {
    /// Call `f` on traced keys and values (collector only: no mutator runs,
    /// so the lock is free).
    pub(crate) fn trace(&self, keys: bool, values: bool, f: &mut dyn FnMut(u64)) {
        let map = self.map.lock();
        for (k, &v) in map.iter() {
            if keys {
                f(k.word());
            }
            if values {
                f(v);
            }
        }
    }

    /// Replace every value `v` by `f(v)` (struct migration only: no
    /// mutator runs, so the lock is free).
    pub(crate) fn update_values(&self, f: &mut dyn FnMut(u64) -> u64) {
        for v in self.map.lock().values_mut() {
            *v = f(*v);
        }
    }
}

/// `map()`: a new empty map.
pub fn map_new(m: &mut Mutator, key: KeyKind, values_refs: bool) -> Result<Map, RuntimeError> {
    let h = KIND_MAP
        | match key {
            KeyKind::Int => 0,
            KeyKind::Bool => HDR_KEY_BOOL,
            KeyKind::Str => HDR_KEY_STR,
        }
        | if values_refs { HDR_REFS } else { 0 };
    let p = m.alloc_raw(PAYLOAD_OBJ_SIZE, h)?;
    let inner = MapInner {
        map: Mutex::new(IndexMap::with_hasher(foldhash::fast::FixedState::default())),
    };
    m.register_finalizable(p);
    // SAFETY: fresh payload-object cell with a map header.
    unsafe {
        init_payload(p, inner);
        Ok(Map::from_ptr(p))
    }
}

/// The key type of a map.
pub fn map_key_kind(map: Map) -> KeyKind {
    let h = map.header();
    if h & HDR_KEY_STR != 0 {
        KeyKind::Str
    } else if h & HDR_KEY_BOOL != 0 {
        KeyKind::Bool
    } else {
        KeyKind::Int
    }
}

/// `len(m)`.
pub fn map_len(map: Map) -> i64 {
    map.inner().map.lock().len() as i64
}

/// `get(m, k)` (the caller makes the optional, see `make_optional`).
pub fn map_get(map: Map, key: MapKey) -> Option<u64> {
    map.inner().map.lock().get(&key).copied()
}

/// `m[k]`: error `key not found: KEY` when absent.
pub fn map_index(map: Map, key: MapKey) -> Result<u64, RuntimeError> {
    map_get(map, key).ok_or_else(|| {
        let k = match (key, map_key_kind(map)) {
            (MapKey::Str(s), _) => format!("{:?}", s.as_str()),
            (MapKey::Word(w), KeyKind::Bool) => (w != 0).to_string(),
            (MapKey::Word(w), _) => (w as i64).to_string(),
        };
        RuntimeError::new(format!("key not found: {k}"))
    })
}

/// `m[k] = v`: inserts at the end, or replaces in place.
pub fn map_set(map: Map, key: MapKey, v: u64) {
    map.inner().map.lock().insert(key, v);
}

/// `has(m, k)`.
pub fn map_has(map: Map, key: MapKey) -> bool {
    map.inner().map.lock().contains_key(&key)
}

/// `remove(m, k)`; returns whether the key was present.
pub fn map_remove(map: Map, key: MapKey) -> bool {
    map.inner().map.lock().shift_remove(&key).is_some()
}

/// A snapshot of the entries in insertion order, as words.
pub fn map_entries(map: Map) -> Vec<(u64, u64)> {
    map.inner()
        .map
        .lock()
        .iter()
        .map(|(k, &v)| (k.word(), v))
        .collect()
}

/// `keys(m)`: a new array.
pub fn map_keys(m: &mut Mutator, map: Map) -> Result<super::object::Array, RuntimeError> {
    let keys: Vec<u64> = map.inner().map.lock().keys().map(|k| k.word()).collect();
    array_from_slice(m, map.header() & HDR_KEY_STR != 0, &keys)
}

/// `values(m)`: a new array.
pub fn map_values(m: &mut Mutator, map: Map) -> Result<super::object::Array, RuntimeError> {
    let values: Vec<u64> = map.inner().map.lock().values().copied().collect();
    array_from_slice(m, map.header() & HDR_REFS != 0, &values)
}

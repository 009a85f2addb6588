//! Conversions between Rust values and Ember values.
//!
//! | Rust | Ember |
//! |---|---|
//! | `i64` | `int` |
//! | `f64` | `float` |
//! | `bool` | `bool` |
//! | `String`, `&str` (arguments) | `str` |
//! | `()` | `()` |
//! | `Vec<T>`, `&[T]` (arguments) | `[T]` |
//! | `HashMap<K, V>`, `BTreeMap<K, V>` | `map[K, V]` (`K`: `i64`, `String` or `bool`) |
//! | `Option<T>` | `T?` |
//! | [`Value`] (results only) | any type |

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::Hash;
use std::sync::Arc;

use ember_lang::types::Type;

use crate::runtime::host::{Access, HostError, Word};

/// A Rust type with an Ember counterpart.
pub trait EmberType {
    /// Its Ember type; `None` for [`Value`], which stands for any type.
    fn ember_type() -> Option<Type>;
}

/// A Rust value that can be passed to Ember (an argument of a call into
/// Ember, or the result of a host function).
pub trait IntoEmber: EmberType {
    /// Make the Ember value (allocating on the Ember heap if needed).
    fn into_word<'c>(self, a: &Access<'c>) -> Result<Word<'c>, HostError>;
}

/// A Rust value that can be made from an Ember value (the result of a call
/// into Ember, or an argument of a host function).
pub trait FromEmber: EmberType + Sized {
    /// Read the Ember value (copying what it needs: the result owns its
    /// data).
    fn from_word<'c>(a: &Access<'c>, w: &Word<'c>) -> Result<Self, HostError>;
}

fn mismatch(expected: &str, w: &Word<'_>) -> HostError {
    HostError(format!(
        "internal error: expected {expected}, found a `{}`",
        w.ty()
    ))
}

macro_rules! scalar {
    ($t:ty, $ety:expr, $make:path, $read:ident, $what:literal) => {
        impl EmberType for $t {
            #[inline]
            fn ember_type() -> Option<Type> {
                Some($ety)
            }
        }
        impl IntoEmber for $t {
            #[inline]
            fn into_word<'c>(self, _: &Access<'c>) -> Result<Word<'c>, HostError> {
                Ok($make(self))
            }
        }
        impl FromEmber for $t {
            #[inline]
            fn from_word<'c>(_: &Access<'c>, w: &Word<'c>) -> Result<Self, HostError> {
                w.$read().ok_or_else(|| mismatch($what, w))
            }
        }
    };
}

scalar!(i64, Type::Int, Word::int, as_int, "an `int`");
scalar!(f64, Type::Float, Word::float, as_float, "a `float`");
scalar!(bool, Type::Bool, Word::bool, as_bool, "a `bool`");

impl EmberType for () {
    fn ember_type() -> Option<Type> {
        Some(Type::Unit)
    }
}

impl IntoEmber for () {
    #[inline]
    fn into_word<'c>(self, _: &Access<'c>) -> Result<Word<'c>, HostError> {
        Ok(Word::unit())
    }
}

impl FromEmber for () {
    #[inline]
    fn from_word<'c>(_: &Access<'c>, w: &Word<'c>) -> Result<Self, HostError> {
        match w.ty() {
            Type::Unit => Ok(()),
            _ => Err(mismatch("`()`", w)),
        }
    }
}

impl EmberType for String {
    fn ember_type() -> Option<Type> {
        Some(Type::Str)
    }
}

impl IntoEmber for String {
    fn into_word<'c>(self, a: &Access<'c>) -> Result<Word<'c>, HostError> {
        a.new_str(&self)
    }
}

impl FromEmber for String {
    fn from_word<'c>(a: &Access<'c>, w: &Word<'c>) -> Result<Self, HostError> {
        a.str(w)
            .map(str::to_string)
            .ok_or_else(|| mismatch("a `str`", w))
    }
}

impl EmberType for &str {
    fn ember_type() -> Option<Type> {
        Some(Type::Str)
    }
}

impl IntoEmber for &str {
    fn into_word<'c>(self, a: &Access<'c>) -> Result<Word<'c>, HostError> {
        a.new_str(self)
    }
}

fn elem_type<T: EmberType>() -> Result<Type, HostError> {
    T::ember_type().ok_or_else(|| HostError("`Value` has no single Ember type".into()))
}

impl<T: EmberType> EmberType for Vec<T> {
    fn ember_type() -> Option<Type> {
        Some(Type::array(T::ember_type()?))
    }
}

impl<T: IntoEmber> IntoEmber for Vec<T> {
    fn into_word<'c>(self, a: &Access<'c>) -> Result<Word<'c>, HostError> {
        let elem = elem_type::<T>()?;
        let words = self
            .into_iter()
            .map(|x| x.into_word(a))
            .collect::<Result<Vec<_>, _>>()?;
        a.new_array(&elem, &words)
    }
}

impl<T: FromEmber> FromEmber for Vec<T> {
    fn from_word<'c>(a: &Access<'c>, w: &Word<'c>) -> Result<Self, HostError> {
        a.elements(w)
            .ok_or_else(|| mismatch("an array", w))?
            .iter()
            .map(|e| T::from_word(a, e))
            .collect()
    }
}

impl<T: EmberType> EmberType for &[T] {
    fn ember_type() -> Option<Type> {
        Some(Type::array(T::ember_type()?))
    }
}

impl<T: IntoEmber + Clone> IntoEmber for &[T] {
    fn into_word<'c>(self, a: &Access<'c>) -> Result<Word<'c>, HostError> {
        self.to_vec().into_word(a)
    }
}

impl<T: EmberType> EmberType for Option<T> {
    fn ember_type() -> Option<Type> {
        Some(Type::Optional(Arc::new(T::ember_type()?)))
    }
}

impl<T: IntoEmber> IntoEmber for Option<T> {
    fn into_word<'c>(self, a: &Access<'c>) -> Result<Word<'c>, HostError> {
        let inner = elem_type::<T>()?;
        let v = self.map(|x| x.into_word(a)).transpose()?;
        a.new_optional(&inner, v)
    }
}

impl<T: FromEmber> FromEmber for Option<T> {
    fn from_word<'c>(a: &Access<'c>, w: &Word<'c>) -> Result<Self, HostError> {
        match a.optional(w).ok_or_else(|| mismatch("an optional", w))? {
            None => Ok(None),
            Some(v) => T::from_word(a, &v).map(Some),
        }
    }
}

/// Map keys: `int`, `str` or `bool`.
pub trait MapKey: IntoEmber + FromEmber {}
impl MapKey for i64 {}
impl MapKey for String {}
impl MapKey for bool {}

fn map_type<K: EmberType, V: EmberType>() -> Option<Type> {
    Some(Type::Map(
        Arc::new(K::ember_type()?),
        Arc::new(V::ember_type()?),
    ))
}

fn new_map<'c, K: MapKey, V: IntoEmber>(
    a: &Access<'c>,
    entries: impl Iterator<Item = (K, V)>,
) -> Result<Word<'c>, HostError> {
    let (kt, vt) = (elem_type::<K>()?, elem_type::<V>()?);
    let words = entries
        .map(|(k, v)| Ok((k.into_word(a)?, v.into_word(a)?)))
        .collect::<Result<Vec<_>, HostError>>()?;
    a.new_map(&kt, &vt, &words)
}

fn read_map<'c, K: MapKey, V: FromEmber>(
    a: &Access<'c>,
    w: &Word<'c>,
) -> Result<Vec<(K, V)>, HostError> {
    a.entries(w)
        .ok_or_else(|| mismatch("a map", w))?
        .iter()
        .map(|(k, v)| Ok((K::from_word(a, k)?, V::from_word(a, v)?)))
        .collect()
}

impl<K: MapKey, V: EmberType, S> EmberType for HashMap<K, V, S> {
    fn ember_type() -> Option<Type> {
        map_type::<K, V>()
    }
}

impl<K: MapKey, V: IntoEmber, S> IntoEmber for HashMap<K, V, S> {
    fn into_word<'c>(self, a: &Access<'c>) -> Result<Word<'c>, HostError> {
        new_map(a, self.into_iter())
    }
}

impl<K: MapKey + Eq + Hash, V: FromEmber, S: std::hash::BuildHasher + Default> FromEmber
    for HashMap<K, V, S>
{
    fn from_word<'c>(a: &Access<'c>, w: &Word<'c>) -> Result<Self, HostError> {
        Ok(read_map::<K, V>(a, w)?.into_iter().collect())
    }
}

impl<K: MapKey, V: EmberType> EmberType for BTreeMap<K, V> {
    fn ember_type() -> Option<Type> {
        map_type::<K, V>()
    }
}

impl<K: MapKey, V: IntoEmber> IntoEmber for BTreeMap<K, V> {
    fn into_word<'c>(self, a: &Access<'c>) -> Result<Word<'c>, HostError> {
        new_map(a, self.into_iter())
    }
}

impl<K: MapKey + Ord, V: FromEmber> FromEmber for BTreeMap<K, V> {
    fn from_word<'c>(a: &Access<'c>, w: &Word<'c>) -> Result<Self, HostError> {
        Ok(read_map::<K, V>(a, w)?.into_iter().collect())
    }
}

/// Any Ember value, copied out of the Ember heap (what
/// [`FromEmber`] gives for a result of any type, e.g. `eval`'s).
///
/// A present `T?` is its value itself (as in Ember's text form), so there
/// is no `Some`: an `int?` holding 3 is `Value::Int(3)`, `none` is
/// [`Value::None`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// `int`.
    Int(i64),
    /// `float`.
    Float(f64),
    /// `bool`.
    Bool(bool),
    /// `str`.
    Str(String),
    /// `()`.
    Unit,
    /// `[T]`, its elements in order.
    Array(Vec<Value>),
    /// `map[K, V]`, its entries in insertion order.
    Map(Vec<(Value, Value)>),
    /// `none` (of any `T?`).
    None,
    /// A struct instance: its name and fields in declared order.
    Struct {
        /// The struct's name.
        name: String,
        /// Field names and values.
        fields: Vec<(String, Value)>,
    },
    /// A function value: the function's name.
    Function(String),
    /// A channel (not copied).
    Chan,
    /// A task handle (not copied).
    Task,
}

impl EmberType for Value {
    fn ember_type() -> Option<Type> {
        None
    }
}

/// Deeper than this, a value is cut off (cyclic structures).
const MAX_DEPTH: usize = 10_000;

fn read_value<'c>(a: &Access<'c>, w: &Word<'c>, depth: usize) -> Result<Value, HostError> {
    if depth > MAX_DEPTH {
        return Err(HostError(
            "value nested too deeply (or cyclic) to copy".into(),
        ));
    }
    let d = depth + 1;
    Ok(match w.ty() {
        Type::Int => Value::Int(w.raw() as i64),
        Type::Float => Value::Float(f64::from_bits(w.raw())),
        Type::Bool => Value::Bool(w.raw() != 0),
        Type::Unit | Type::Never => Value::Unit,
        Type::Str => Value::Str(a.str(w).unwrap_or_default().to_string()),
        Type::Array(_) => Value::Array(
            a.elements(w)
                .unwrap_or_default()
                .iter()
                .map(|e| read_value(a, e, d))
                .collect::<Result<_, _>>()?,
        ),
        Type::Map(..) => Value::Map(
            a.entries(w)
                .unwrap_or_default()
                .iter()
                .map(|(k, v)| Ok((read_value(a, k, d)?, read_value(a, v, d)?)))
                .collect::<Result<_, HostError>>()?,
        ),
        Type::Optional(_) => match a.optional(w).flatten() {
            None => Value::None,
            Some(v) => read_value(a, &v, d)?,
        },
        Type::Struct(_) => {
            let (name, fields) = a.fields(w).unwrap_or_default();
            Value::Struct {
                name,
                fields: fields
                    .iter()
                    .map(|(n, v)| Ok((n.clone(), read_value(a, v, d)?)))
                    .collect::<Result<_, HostError>>()?,
            }
        }
        Type::Fn(_) => Value::Function(a.fn_name(w).unwrap_or_default()),
        Type::Chan(_) => Value::Chan,
        Type::Task => Value::Task,
    })
}

impl FromEmber for Value {
    fn from_word<'c>(a: &Access<'c>, w: &Word<'c>) -> Result<Self, HostError> {
        read_value(a, w, 0)
    }
}

impl fmt::Display for Value {
    /// Ember's text form (LANGUAGE.md §5), strings unquoted at top level.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_value(f, self, false)
    }
}

fn write_value(f: &mut fmt::Formatter<'_>, v: &Value, quoted: bool) -> fmt::Result {
    match v {
        Value::Int(i) => write!(f, "{i}"),
        Value::Float(x) => write!(f, "{x:?}"),
        Value::Bool(b) => write!(f, "{b}"),
        Value::Str(s) if quoted => write!(f, "{s:?}"),
        Value::Str(s) => f.write_str(s),
        Value::Unit => f.write_str("()"),
        Value::None => f.write_str("none"),
        Value::Array(items) => {
            f.write_str("[")?;
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write_value(f, x, true)?;
            }
            f.write_str("]")
        }
        Value::Map(entries) if entries.is_empty() => f.write_str("[:]"),
        Value::Map(entries) => {
            f.write_str("[")?;
            for (i, (k, x)) in entries.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write_value(f, k, true)?;
                f.write_str(": ")?;
                write_value(f, x, true)?;
            }
            f.write_str("]")
        }
        Value::Struct { name, fields } => {
            write!(f, "{name} {{")?;
            for (i, (n, x)) in fields.iter().enumerate() {
                f.write_str(if i > 0 { ", " } else { " " })?;
                write!(f, "{n}: ")?;
                write_value(f, x, true)?;
            }
            f.write_str(if fields.is_empty() { "}" } else { " }" })
        }
        Value::Function(n) => write!(f, "fn {n}"),
        Value::Chan => f.write_str("chan"),
        Value::Task => f.write_str("task"),
    }
}

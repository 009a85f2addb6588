//! Ember's semantic types, shared by the checker, the typed IR and the JIT.
//! Cheap to clone (`Arc` inside) and `Send + Sync`, so compilation can run on
//! any thread.

use std::fmt;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Int,
    Float,
    Bool,
    Str,
    Unit,
    Task,
    Array(Arc<Type>),
    Map(Arc<Type>, Arc<Type>),
    Chan(Arc<Type>),
    Optional(Arc<Type>),
    /// A struct, by name: its layout lives in the struct table and may change
    /// under redefinition.
    Struct(Arc<str>),
    Fn(Arc<FnType>),
    /// The type of expressions that cannot complete (`return`, `break`,
    /// `continue`, `panic(..)`): fits any expected type.
    Never,
}

/// A function signature.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FnType {
    pub params: Vec<Type>,
    pub ret: Type,
}

impl Type {
    pub fn array(elem: Type) -> Type {
        Type::Array(Arc::new(elem))
    }
    pub fn map(k: Type, v: Type) -> Type {
        Type::Map(Arc::new(k), Arc::new(v))
    }
    pub fn chan(elem: Type) -> Type {
        Type::Chan(Arc::new(elem))
    }
    pub fn optional(inner: Type) -> Type {
        Type::Optional(Arc::new(inner))
    }
    pub fn function(params: Vec<Type>, ret: Type) -> Type {
        Type::Fn(Arc::new(FnType { params, ret }))
    }
    pub fn strukt(name: &str) -> Type {
        Type::Struct(Arc::from(name))
    }

    /// Reference types live on the GC heap (a pointer at run time).
    pub fn is_heap_ref(&self) -> bool {
        matches!(
            self,
            Type::Str | Type::Array(_) | Type::Map(..) | Type::Chan(_) | Type::Struct(_)
        )
    }

    /// Types usable as map keys.
    pub fn is_map_key(&self) -> bool {
        matches!(self, Type::Int | Type::Str | Type::Bool)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Int => f.write_str("int"),
            Type::Float => f.write_str("float"),
            Type::Bool => f.write_str("bool"),
            Type::Str => f.write_str("str"),
            Type::Unit => f.write_str("()"),
            Type::Task => f.write_str("task"),
            Type::Array(t) => write!(f, "[{t}]"),
            Type::Map(k, v) => write!(f, "map[{k}, {v}]"),
            Type::Chan(t) => write!(f, "chan[{t}]"),
            Type::Optional(t) => match **t {
                Type::Fn(_) => write!(f, "({t})?"),
                _ => write!(f, "{t}?"),
            },
            Type::Struct(name) => f.write_str(name),
            Type::Fn(ft) => write!(f, "{ft}"),
            Type::Never => f.write_str("!"),
        }
    }
}

impl fmt::Display for FnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("fn(")?;
        for (i, p) in self.params.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{p}")?;
        }
        f.write_str(")")?;
        if self.ret != Type::Unit {
            write!(f, " -> {}", self.ret)?;
        }
        Ok(())
    }
}

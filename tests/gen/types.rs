//! Ember types as the generator sees them, and how they are written.

use std::fmt;

/// A value type of Ember (LANGUAGE.md §2). `()` is not one: functions
/// without a result have `ret: None` in their [`Sig`], and no expression
/// of unit type is ever generated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    Int,
    Float,
    Bool,
    Str,
    Array(Box<Ty>),
    /// Key (`int`, `str` or `bool`), value.
    Map(Box<Ty>, Box<Ty>),
    /// Never of an optional (`int??` is rejected, E0108).
    Opt(Box<Ty>),
    /// Index into the program's structs.
    Struct(usize),
    /// Function values always have a result (see [`Sig`]).
    Func(Vec<Ty>, Box<Ty>),
    Chan(Box<Ty>),
    Task,
}

impl Ty {
    pub fn array(t: Ty) -> Ty {
        Ty::Array(Box::new(t))
    }

    pub fn map(k: Ty, v: Ty) -> Ty {
        Ty::Map(Box::new(k), Box::new(v))
    }

    /// `t?`, or `t` itself when it is already optional.
    pub fn opt(t: Ty) -> Ty {
        match t {
            Ty::Opt(_) => t,
            t => Ty::Opt(Box::new(t)),
        }
    }

    /// The value type of `T?` (of `T` itself when not optional): what
    /// `if let v = e` binds when `e: Ty::opt(t)`.
    pub fn payload(self) -> Ty {
        match self {
            Ty::Opt(t) => *t,
            t => t,
        }
    }

    pub fn is_key(&self) -> bool {
        matches!(self, Ty::Int | Ty::Str | Ty::Bool)
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Int => f.write_str("int"),
            Ty::Float => f.write_str("float"),
            Ty::Bool => f.write_str("bool"),
            Ty::Str => f.write_str("str"),
            Ty::Array(t) => write!(f, "[{t}]"),
            Ty::Map(k, v) => write!(f, "map[{k}, {v}]"),
            // A function type must be parenthesised before `?`.
            Ty::Opt(t) if matches!(**t, Ty::Func(..)) => write!(f, "({t})?"),
            Ty::Opt(t) => write!(f, "{t}?"),
            Ty::Struct(i) => write!(f, "S{i}"),
            Ty::Func(params, ret) => {
                f.write_str("fn(")?;
                for (i, p) in params.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{p}")?;
                }
                // Parenthesised so that a function result type nests
                // without ambiguity (`fn() -> (fn(int) -> int)`).
                write!(f, ") -> ({ret})")
            }
            Ty::Chan(t) => write!(f, "chan[{t}]"),
            Ty::Task => f.write_str("task"),
        }
    }
}

/// A user function's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sig {
    pub params: Vec<Ty>,
    pub ret: Option<Ty>,
    /// The first parameter is an `int` depth counter: the body starts with
    /// `if p0 <= 0 { return ..; }` and calls itself with `p0 - 1`, so it
    /// ends (or overflows the stack when called with a huge count).
    pub counted: bool,
}

impl Sig {
    /// The type of this function as a value, if it has one.
    pub fn fn_type(&self) -> Option<Ty> {
        self.ret
            .as_ref()
            .map(|r| Ty::Func(self.params.clone(), Box::new(r.clone())))
    }
}

/// A user struct.
#[derive(Clone, Debug)]
pub struct StructDef {
    pub fields: Vec<(String, Ty)>,
}

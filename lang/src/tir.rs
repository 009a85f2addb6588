//! The typed IR: what the checker produces and the JIT consumes.
//!
//! Every expression carries its resolved [`Type`]; names are resolved
//! (locals to [`LocalId`]s, globals, functions and structs by name, standard
//! functions to a specific [`Builtin`] overload); implicit conversions the
//! language allows are explicit nodes (`T` → `T?` is [`TExprKind::Some`]).
//! Method-call sugar is gone (`x.f(a)` is a call `f(x, a)`), and so are
//! parentheses.
//!
//! Functions, structs and globals are referred to by *name*, not by index:
//! under live redefinition the JIT maps names to slots, layouts and global
//! cells that outlive any one [`Program`].

use std::sync::Arc;

use crate::ast::{BinOp, UnOp};
use crate::span::Span;
use crate::types::{FnType, Type};

/// The result of checking one module (a file or a REPL entry).
#[derive(Clone, Debug)]
pub struct Program {
    /// Structs declared by this module, in source order.
    pub structs: Vec<StructDef>,
    /// Functions declared by this module, in source order.
    pub functions: Vec<FnDef>,
    /// Globals declared by this module, in source order.
    pub globals: Vec<GlobalDef>,
    /// The module's top-level code — global initializers
    /// ([`TStmt::InitGlobal`]) and statements in source order — as a
    /// parameterless function named `<main>`. Its body's tail is the REPL
    /// entry's echoed expression, if any (its type is `body.ty`).
    pub main: FnDef,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StructDef {
    pub name: String,
    /// Fields in declared order (the order of the text form).
    pub fields: Vec<(String, Type)>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct GlobalDef {
    pub name: String,
    pub ty: Type,
    pub mutable: bool,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(pub u32);

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub ty: Type,
    pub mutable: bool,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct FnDef {
    pub name: String,
    pub sig: FnType,
    /// All locals of the body. The first `sig.params.len()` are the
    /// parameters, in order. Shadowing declares a new local.
    pub locals: Vec<Local>,
    /// The body; its type is `sig.ret` (or `Never`).
    pub body: TExpr,
    /// The whole item.
    pub span: Span,
    /// The function's name in its declaration (for stack traces: line:col).
    pub name_span: Span,
}

#[derive(Clone, Debug)]
pub struct TExpr {
    pub kind: TExprKind,
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum TExprKind {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(Arc<str>),
    Unit,
    /// `none`; `ty` is the optional type.
    None,
    /// Wrap a `T` into a `T?` (inserted by the checker where a `T` is
    /// accepted for a `T?`).
    Some(Box<TExpr>),
    Local(LocalId),
    /// A read of a global (re-read from memory at every use).
    Global(String),
    /// A named function used as a value; `ty` is its `Type::Fn`.
    FnRef(String),
    /// `[a, b, c]`; `ty` is the array type (also for `[]`).
    Array(Vec<TExpr>),
    /// `[value; count]`
    ArrayRepeat {
        value: Box<TExpr>,
        count: Box<TExpr>,
    },
    /// `[k: v, ...]`, `[:]`, or `map()`; `ty` is the map type.
    MapLit(Vec<(TExpr, TExpr)>),
    /// `Name { .. }`: fields in *source* order (evaluation order); the JIT
    /// places them by name.
    StructLit {
        name: String,
        fields: Vec<(String, TExpr)>,
    },
    /// `-e` on int or float, `!e` on bool.
    Unary {
        op: UnOp,
        operand: Box<TExpr>,
    },
    /// Arithmetic, comparison, bit and logical operators. The operand type
    /// (`lhs.ty`) selects int/float/str/bool semantics. `&&` and `||`
    /// short-circuit. `??` is [`TExprKind::Coalesce`], not a `Binary`.
    Binary {
        op: BinOp,
        lhs: Box<TExpr>,
        rhs: Box<TExpr>,
    },
    /// `opt ?? default`: `opt.ty` is `T?`, the result is `default.ty`.
    Coalesce {
        opt: Box<TExpr>,
        default: Box<TExpr>,
    },
    /// `e as T`: int→float, float→int (checked), bool→int, and T→T.
    Cast {
        expr: Box<TExpr>,
        to: Type,
    },
    Call {
        callee: Callee,
        args: Vec<TExpr>,
    },
    /// `e.field` on a struct.
    Field {
        expr: Box<TExpr>,
        struct_name: String,
        field: String,
    },
    /// `a[i]` on an array or `m[k]` on a map (see `expr.ty`).
    Index {
        expr: Box<TExpr>,
        index: Box<TExpr>,
    },
    /// `e!`: `expr.ty` is `T?`, the result `T`.
    Unwrap(Box<TExpr>),
    If {
        cond: Box<TExpr>,
        then: Box<TExpr>,
        else_: Option<Box<TExpr>>,
    },
    /// `if let local = value { then } else { else_ }`; `value.ty` is `T?`
    /// and `local` has type `T`.
    IfLet {
        local: LocalId,
        value: Box<TExpr>,
        then: Box<TExpr>,
        else_: Option<Box<TExpr>>,
    },
    While {
        cond: Box<TExpr>,
        body: Box<TExpr>,
    },
    /// `for var in lo..hi` / `lo..=hi`: bounds evaluated once, before the loop.
    ForRange {
        var: LocalId,
        lo: Box<TExpr>,
        hi: Box<TExpr>,
        inclusive: bool,
        body: Box<TExpr>,
    },
    /// `for var in array`: visits indices 0, 1, … while the index is below
    /// the array's *current* length.
    ForArray {
        var: LocalId,
        array: Box<TExpr>,
        body: Box<TExpr>,
    },
    Block(TBlock),
    Break,
    Continue,
    Return(Option<Box<TExpr>>),
    /// `spawn f(args)`: arguments evaluated here, the call runs on a new
    /// thread; `ty` is `Task`.
    Spawn {
        callee: Callee,
        args: Vec<TExpr>,
    },
}

#[derive(Clone, Debug)]
pub struct TBlock {
    pub stmts: Vec<TStmt>,
    pub tail: Option<Box<TExpr>>,
}

#[derive(Clone, Debug)]
pub enum TStmt {
    Let {
        local: LocalId,
        init: TExpr,
    },
    /// `place = value` or `place op= value` (`op` is the arithmetic operator).
    Assign {
        place: Place,
        op: Option<BinOp>,
        value: TExpr,
        span: Span,
    },
    Expr(TExpr),
    /// A top-level `let` in `<main>`: run the initializer, store the global,
    /// mark it initialized.
    InitGlobal {
        name: String,
        value: TExpr,
        span: Span,
    },
}

#[derive(Clone, Debug)]
pub enum Place {
    Local(LocalId),
    Global(String),
    /// `a[i]` (array) or `m[k]` (map: inserts or replaces); see `base.ty`.
    Index {
        base: Box<TExpr>,
        index: Box<TExpr>,
    },
    Field {
        base: Box<TExpr>,
        struct_name: String,
        field: String,
    },
}

/// What a call reaches. Every variant is called through a slot by the JIT,
/// except builtins it chooses to inline.
#[derive(Clone, Debug)]
pub enum Callee {
    /// A user function, by name (its slot for the current signature).
    Function(String),
    /// A standard function, with its overload resolved.
    Builtin(Builtin),
    /// A host function registered by an embedder, by name.
    Host(String),
    /// A function value (`fn(..) -> ..`); calls the named function's current
    /// definition.
    Value(Box<TExpr>),
}

/// Every standard function of LANGUAGE.md §5, one variant per overload.
/// Generic ones (`len`, `push`, `get`, ...) are typed by the checker; the
/// element types are in the argument expressions' types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    Print,
    Println,
    ToStr,
    LenArray,
    LenStr,
    LenMap,
    Push,
    Pop,
    MapNew,
    Get,
    Has,
    Remove,
    Keys,
    Values,
    Substr,
    Find,
    Split,
    JoinStr,
    ParseInt,
    ParseFloat,
    AbsInt,
    AbsFloat,
    MinInt,
    MinFloat,
    MaxInt,
    MaxFloat,
    Sqrt,
    Sin,
    Cos,
    Tan,
    Exp,
    Ln,
    Floor,
    Ceil,
    Pow,
    Clock,
    Sleep,
    RandInt,
    Panic,
    Assert,
    ChanNew,
    Send,
    Recv,
    JoinTask,
}

impl Builtin {
    /// The name a user writes.
    pub fn name(self) -> &'static str {
        use Builtin::*;
        match self {
            Print => "print",
            Println => "println",
            ToStr => "str",
            LenArray | LenStr | LenMap => "len",
            Push => "push",
            Pop => "pop",
            MapNew => "map",
            Get => "get",
            Has => "has",
            Remove => "remove",
            Keys => "keys",
            Values => "values",
            Substr => "substr",
            Find => "find",
            Split => "split",
            JoinStr | JoinTask => "join",
            ParseInt => "parse_int",
            ParseFloat => "parse_float",
            AbsInt | AbsFloat => "abs",
            MinInt | MinFloat => "min",
            MaxInt | MaxFloat => "max",
            Sqrt => "sqrt",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Exp => "exp",
            Ln => "ln",
            Floor => "floor",
            Ceil => "ceil",
            Pow => "pow",
            Clock => "clock",
            Sleep => "sleep",
            RandInt => "rand_int",
            Panic => "panic",
            Assert => "assert",
            ChanNew => "chan",
            Send => "send",
            Recv => "recv",
        }
    }
}

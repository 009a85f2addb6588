//! The abstract syntax tree produced by the parser. Every node carries a
//! [`Span`]. Names are shared strings ([`Name`]: the parser interns them, so
//! every use of a name shares one allocation); resolution happens in the
//! checker.
//!
//! One [`Module`] is either a whole file or one REPL entry: both are a
//! sequence of top-level items and statements.

use std::sync::Arc;

use crate::span::Span;

/// An identifier's text, shared by every occurrence of it in one parse.
pub type Name = Arc<str>;

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: Name,
    pub span: Span,
}

/// A file or a REPL entry.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Module {
    pub items: Vec<TopLevel>,
    /// REPL entries may end in an expression without `;` whose value is
    /// echoed. In a file the parser reports such an expression as an error.
    pub tail: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TopLevel {
    Fn(FnDecl),
    Struct(StructDecl),
    /// A top-level `let` declares a global.
    Global(GlobalDecl),
    /// Any other statement at top level (runs in source order).
    Stmt(Stmt),
}

#[derive(Clone, Debug, PartialEq)]
pub struct FnDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    /// `None` when the signature has no `-> T` (the function returns `()`).
    pub ret: Option<TypeExpr>,
    pub body: Block,
    /// The whole item, `fn` keyword to closing brace.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: TypeExpr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StructDecl {
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: TypeExpr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GlobalDecl {
    pub name: Ident,
    pub mutable: bool,
    pub ty: Option<TypeExpr>,
    pub init: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeExprKind {
    /// `int`, `float`, `bool`, `str`, `task`, or a struct name.
    Named(Name),
    /// `()`
    Unit,
    /// `[T]`
    Array(Box<TypeExpr>),
    /// `map[K, V]`
    Map(Box<TypeExpr>, Box<TypeExpr>),
    /// `chan[T]`
    Chan(Box<TypeExpr>),
    /// `T?`
    Optional(Box<TypeExpr>),
    /// `fn(A, B) -> R`; `ret` is `None` for `fn(A)` (returns `()`).
    Fn(Vec<TypeExpr>, Option<Box<TypeExpr>>),
    /// Placeholder after a syntax error (already reported).
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    /// The final expression without `;`, the block's value.
    pub tail: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let [mut] name[: T] = init;`
    Let {
        name: Ident,
        mutable: bool,
        ty: Option<TypeExpr>,
        init: Expr,
    },
    /// `target = value;` or `target op= value;` (`op` is `Some` for `+=` etc.).
    Assign {
        target: Expr,
        op: Option<BinOp>,
        value: Expr,
    },
    /// An expression statement. `semi` is false for block-like expressions
    /// (`if`, `while`, `for`, `{}`) written without `;`.
    Expr { expr: Expr, semi: bool },
    /// Placeholder after a syntax error (already reported).
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    /// `??`
    Coalesce,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
            BinOp::Coalesce => "??",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `-e`
    Neg,
    /// `!e`
    Not,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An integer literal, already range-checked. `-9223372036854775808`
    /// is parsed as `Int(i64::MIN)` directly.
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A string literal with escapes already decoded.
    Str(String),
    /// `none`
    None,
    /// `()`
    Unit,
    /// A use of a local, global or function name.
    Name(Name),
    /// `[a, b, c]` (also `[]`).
    Array(Vec<Expr>),
    /// `[value; count]`
    ArrayRepeat {
        value: Box<Expr>,
        count: Box<Expr>,
    },
    /// `[k: v, ...]`; `[:]` is the empty map literal (an Ember extension).
    MapLit(Vec<(Expr, Expr)>),
    /// `Name { field: value, ... }`
    StructLit {
        name: Ident,
        fields: Vec<(Ident, Expr)>,
    },
    Unary {
        op: UnOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `e as T`
    Cast {
        expr: Box<Expr>,
        ty: TypeExpr,
    },
    /// `callee(args)`; `callee` is usually a `Name`.
    Call {
        callee: Box<Expr>,
        args: Vec<Expr>,
    },
    /// `receiver.method(args)` — sugar for `method(receiver, args)`.
    MethodCall {
        receiver: Box<Expr>,
        method: Ident,
        args: Vec<Expr>,
    },
    /// `e.field`
    Field {
        expr: Box<Expr>,
        field: Ident,
    },
    /// `e[index]`
    Index {
        expr: Box<Expr>,
        index: Box<Expr>,
    },
    /// `e!`
    Unwrap(Box<Expr>),
    /// `if cond { .. } [else ..]`; `else_` is a `Block` or another `If`/`IfLet`.
    If {
        cond: Box<Expr>,
        then: Block,
        else_: Option<Box<Expr>>,
    },
    /// `if let name = value { .. } [else ..]`
    IfLet {
        name: Ident,
        value: Box<Expr>,
        then: Block,
        else_: Option<Box<Expr>>,
    },
    While {
        cond: Box<Expr>,
        body: Block,
    },
    /// `for var in iter { body }`
    For {
        var: Ident,
        iter: ForIter,
        body: Block,
    },
    Block(Block),
    Break,
    Continue,
    Return(Option<Box<Expr>>),
    /// `spawn f(args)`; the operand is always a `Call` (checked by the parser).
    Spawn(Box<Expr>),
    /// `(e)` — kept so diagnostics and the struct-literal rule can see it.
    Paren(Box<Expr>),
    /// Placeholder after a syntax error (already reported).
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ForIter {
    /// `lo..hi` or `lo..=hi`
    Range {
        lo: Box<Expr>,
        hi: Box<Expr>,
        inclusive: bool,
    },
    /// Any other expression: must be an array.
    Expr(Box<Expr>),
}

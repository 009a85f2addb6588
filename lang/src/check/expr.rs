//! Expressions: literals, names, operators, calls, fields, indexing,
//! control flow. Every function here returns a [`TExpr`]; errors are
//! reported and give an expression of type `Never` (see the module docs).

use std::sync::Arc;

use super::builtins;
use super::names;
use super::scope::LocalKind;
use super::{error_expr, mk, stmt_diverges, Checker, Item};
use crate::ast::{BinOp, Block, Expr, ExprKind, ForIter, Ident, UnOp};
use crate::diag::Diagnostic;
use crate::span::Span;
use crate::tir::{Callee, LocalId, TBlock, TExpr, TExprKind};
use crate::types::{FnType, Type};

/// Expressions whose type comes only from context (`none`, `[]`, `[:]`,
/// `map()`, `chan()`), seen through parentheses and block tails.
pub(crate) fn needs_context(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::None => true,
        ExprKind::Array(v) => v.is_empty(),
        ExprKind::MapLit(v) => v.is_empty(),
        ExprKind::Call { callee, args } => {
            args.is_empty()
                && matches!(&callee.kind, ExprKind::Name(n) if &**n == "map" || &**n == "chan")
        }
        ExprKind::Paren(e) => needs_context(e),
        ExprKind::Block(b) => b.tail.as_deref().is_some_and(needs_context),
        _ => false,
    }
}

/// The literal `none`, seen through parentheses and block tails.
pub(crate) fn is_none_lit(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::None => true,
        ExprKind::Paren(e) => is_none_lit(e),
        ExprKind::Block(b) => b.tail.as_deref().is_some_and(is_none_lit),
        _ => false,
    }
}

fn strip_parens(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Paren(inner) => strip_parens(inner),
        _ => e,
    }
}

/// The span of the value an expression produces: a block's tail, if any.
pub(crate) fn value_span(e: &TExpr) -> Span {
    match &e.kind {
        TExprKind::Block(TBlock { tail: Some(t), .. }) => value_span(t),
        TExprKind::Some(inner) => value_span(inner),
        _ => e.span,
    }
}

/// The argument expressions of a call (with a method call's receiver
/// first), without a heap allocation for the usual short lists.
enum Refs<'a> {
    Inline([&'a Expr; 8], usize),
    Heap(Vec<&'a Expr>),
}

impl<'a> Refs<'a> {
    /// `filler` only fills the unused inline slots.
    fn new(first: Option<&'a Expr>, rest: &'a [Expr], filler: &'a Expr) -> Refs<'a> {
        let n = rest.len() + usize::from(first.is_some());
        let all = first.into_iter().chain(rest.iter());
        if n <= 8 {
            let mut buf = [filler; 8];
            for (slot, e) in buf.iter_mut().zip(all) {
                *slot = e;
            }
            Refs::Inline(buf, n)
        } else {
            Refs::Heap(all.collect())
        }
    }

    fn as_slice(&self) -> &[&'a Expr] {
        match self {
            Refs::Inline(buf, n) => &buf[..*n],
            Refs::Heap(v) => v,
        }
    }
}

/// One arm of something whose arms must agree on a type: an array element,
/// a map key or value, a branch of `if`.
#[derive(Clone, Copy)]
pub(crate) enum Branch<'a> {
    Expr(&'a Expr),
    /// A block, with an `if let` binding to bring into scope in it.
    Block(&'a Block, Option<(&'a str, LocalId)>),
}

impl Branch<'_> {
    fn needs_context(&self) -> bool {
        match self {
            Branch::Expr(e) => needs_context(e),
            Branch::Block(b, _) => b.tail.as_deref().is_some_and(needs_context),
        }
    }
    fn is_none(&self) -> bool {
        match self {
            Branch::Expr(e) => is_none_lit(e),
            Branch::Block(b, _) => b.tail.as_deref().is_some_and(is_none_lit),
        }
    }
}

/// What [`Checker::branches`] unifies, for its messages.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum BranchCtx {
    If,
    Array,
    MapKey,
    MapValue,
}

/// How to name a callee in messages, e.g. "function `f`" and
/// `fn f(a: int) -> int`; cheap to make, formatted only on error.
#[derive(Clone, Copy)]
pub(crate) struct CalleeDesc<'a> {
    /// "function", "host function", or "" for a value.
    kind: &'static str,
    name: Option<&'a str>,
    decl: Option<&'a crate::ast::FnDecl>,
}

impl CalleeDesc<'_> {
    fn what(&self) -> String {
        match (self.name, self.kind) {
            (Some(n), "") => format!("`{n}`"),
            (Some(n), k) => format!("{k} `{n}`"),
            (None, _) => "this function".to_string(),
        }
    }
    fn sig_text(&self, sig: &FnType) -> String {
        match self.name {
            Some(n) => named_sig(n, sig, self.decl),
            None => sig.to_string(),
        }
    }
}

/// What a call reaches, once the callee is resolved.
pub(crate) enum Resolved<'a> {
    /// A user function, host function or function value.
    Sig {
        callee: Callee,
        sig: Arc<FnType>,
        /// Where the callee is defined, for "defined here" labels.
        def: Option<Span>,
        /// How to name it in messages (built only when needed).
        desc: CalleeDesc<'a>,
    },
    /// A standard function (overloads resolved by [`Checker::builtin_call`]).
    Builtin,
    /// Not found; `not_fn` is the type of a non-function of that name.
    Unknown { not_fn: Option<Type> },
    /// Already reported, or silently erroneous.
    Error,
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub(crate) fn count_msg(what: &str, want: usize, got: usize) -> String {
    format!(
        "{what} takes {want} argument{} but {got} {} supplied",
        plural(want),
        if got == 1 { "was" } else { "were" }
    )
}

/// A hint for turning a value of `e`'s type into `expected`, if there is a
/// usual one.
pub(crate) fn conversion_help(expected: &Type, e: &TExpr) -> Option<String> {
    let found = &e.ty;
    Some(match (expected, found) {
        (Type::Float, Type::Int) => match e.kind {
            TExprKind::Int(v) => format!("use a float literal: `{v}.0`"),
            _ => "convert it with `as float`".to_string(),
        },
        (Type::Int, Type::Float) => "convert it with `as int` (truncates toward zero)".to_string(),
        (Type::Int, Type::Bool) => "convert it with `as int` (gives 0 or 1)".to_string(),
        (Type::Str, Type::Int | Type::Float | Type::Bool) => {
            "convert it to text with `str(...)`".to_string()
        }
        (Type::Int, Type::Str) if !matches!(e.kind, TExprKind::Str(_)) => {
            "parse it with `parse_int(...)`".to_string()
        }
        (Type::Float, Type::Str) if !matches!(e.kind, TExprKind::Str(_)) => {
            "parse it with `parse_float(...)`".to_string()
        }
        (exp, Type::Optional(inner)) if **inner == *exp => {
            "the value may be `none`: unwrap it with `!`, give a default with `??`, or use `if let`"
                .to_string()
        }
        (_, Type::Unit)
            if matches!(
                e.kind,
                TExprKind::If { else_: None, .. } | TExprKind::IfLet { else_: None, .. }
            ) =>
        {
            "an `if` without `else` has type `()`: add an `else` branch".to_string()
        }
        _ => return None,
    })
}

fn op_accepts(op: BinOp, ty: &Type) -> bool {
    use BinOp::*;
    match op {
        Add => matches!(ty, Type::Int | Type::Float | Type::Str),
        Sub | Mul | Div | Rem => matches!(ty, Type::Int | Type::Float),
        BitAnd | BitOr | BitXor | Shl | Shr => *ty == Type::Int,
        Eq | Ne => matches!(ty, Type::Int | Type::Float | Type::Bool | Type::Str),
        Lt | Le | Gt | Ge => matches!(ty, Type::Int | Type::Float | Type::Str),
        And | Or => *ty == Type::Bool,
        Coalesce => false,
    }
}

fn op_domain(op: BinOp) -> &'static str {
    use BinOp::*;
    match op {
        Add => "`int`, `float` and `str`",
        Sub | Mul | Div | Rem => "`int` and `float`",
        BitAnd | BitOr | BitXor | Shl | Shr => "`int`",
        Eq | Ne => "`int`, `float`, `bool` and `str` (and an optional with `none`)",
        Lt | Le | Gt | Ge => "`int`, `float` and `str`",
        And | Or => "`bool`",
        Coalesce => "optionals",
    }
}

pub(crate) fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    )
}

/// Stack left before [`Checker::expr`] switches to a new segment.
const STACK_RED_ZONE: usize = 128 * 1024;
/// Size of each new stack segment.
const STACK_GROW: usize = 4 * 1024 * 1024;

impl<'a> Checker<'a> {
    /// Check `e`. `expected` is the type the context requires, used to type
    /// `[]`, `none`, `map()` ... and pushed into branches; the result may
    /// still differ from it (callers use [`Checker::coerce`]).
    pub(crate) fn expr(&mut self, e: &'a Expr, expected: Option<&Type>) -> TExpr {
        // Expressions nest as deep as the parser allows (MAX_NESTING), and a
        // debug build spends kilobytes of stack per level: grow the stack
        // on demand rather than overflow it.
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROW, || self.expr_inner(e, expected))
    }

    fn expr_inner(&mut self, e: &'a Expr, expected: Option<&Type>) -> TExpr {
        let span = e.span;
        match &e.kind {
            ExprKind::Int(v) => mk(TExprKind::Int(*v), Type::Int, span),
            ExprKind::Float(v) => mk(TExprKind::Float(*v), Type::Float, span),
            ExprKind::Bool(v) => mk(TExprKind::Bool(*v), Type::Bool, span),
            ExprKind::Str(s) => mk(TExprKind::Str(Arc::from(s.as_str())), Type::Str, span),
            ExprKind::Unit => mk(TExprKind::Unit, Type::Unit, span),
            ExprKind::None => self.none_expr(span, expected),
            ExprKind::Name(n) => self.name_expr(n, span),
            ExprKind::Array(elems) => self.array_lit(elems, span, expected),
            ExprKind::ArrayRepeat { value, count } => {
                let elem = expected.and_then(array_elem);
                let v = match &elem {
                    Some(t) => self.expr_coerce(value, t),
                    None => self.expr(value, None),
                };
                let c = self.expr_coerce(count, &Type::Int);
                let ty = if v.ty == Type::Never {
                    Type::Never
                } else {
                    Type::array(v.ty.clone())
                };
                mk(
                    TExprKind::ArrayRepeat {
                        value: Box::new(v),
                        count: Box::new(c),
                    },
                    ty,
                    span,
                )
            }
            ExprKind::MapLit(entries) => self.map_lit(entries, span, expected),
            ExprKind::StructLit { name, fields } => self.struct_lit(name, fields, span),
            ExprKind::Unary { op, operand } => self.unary(*op, operand, span),
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, span, expected),
            ExprKind::Cast { expr, ty } => self.cast(expr, ty, span),
            ExprKind::Call { callee, args } => {
                let args = Refs::new(None, args, callee);
                self.call(callee, args.as_slice(), span, expected)
            }
            ExprKind::MethodCall {
                receiver,
                method,
                args,
            } => {
                let all = Refs::new(Some(receiver), args, receiver);
                self.call_named(
                    &method.name,
                    method.span,
                    all.as_slice(),
                    span,
                    expected,
                    true,
                )
            }
            ExprKind::Field { expr, field } => {
                let base = self.expr(expr, None);
                match self.field_type(&base, field) {
                    Some((struct_name, ty)) => mk(
                        TExprKind::Field {
                            expr: Box::new(base),
                            struct_name,
                            field: field.name.to_string(),
                        },
                        ty,
                        span,
                    ),
                    None => error_expr(span),
                }
            }
            ExprKind::Index { expr, index } => match self.index_parts(expr, index) {
                Some((base, index, ty)) => mk(
                    TExprKind::Index {
                        expr: Box::new(base),
                        index: Box::new(index),
                    },
                    ty,
                    span,
                ),
                None => error_expr(span),
            },
            ExprKind::Unwrap(inner) => {
                let exp = expected.and_then(|t| match t {
                    Type::Optional(_) | Type::Never => None,
                    t => Some(Type::optional(t.clone())),
                });
                let v = self.expr(inner, exp.as_ref());
                match v.ty.clone() {
                    Type::Optional(t) => mk(TExprKind::Unwrap(Box::new(v)), (*t).clone(), span),
                    Type::Never => error_expr(span),
                    other => {
                        self.error(
                            Diagnostic::error(
                                "E0212",
                                format!("cannot unwrap a value of type `{other}`"),
                                v.span,
                            )
                            .with_label("this is not optional")
                            .with_help("remove the `!`: only a `T?` can be unwrapped"),
                        );
                        error_expr(span)
                    }
                }
            }
            ExprKind::If { cond, then, else_ } => {
                let c = self.cond(cond, "if");
                match else_ {
                    None => {
                        let t = self.block(then, None);
                        mk(
                            TExprKind::If {
                                cond: Box::new(c),
                                then: Box::new(t),
                                else_: None,
                            },
                            Type::Unit,
                            span,
                        )
                    }
                    Some(e) => {
                        let (mut arms, ty) = self.branches(
                            &[Branch::Block(then, None), Branch::Expr(e)],
                            expected,
                            BranchCtx::If,
                        );
                        let else_ = arms.pop().map(Box::new);
                        let then = Box::new(arms.pop().unwrap_or_else(|| error_expr(span)));
                        mk(
                            TExprKind::If {
                                cond: Box::new(c),
                                then,
                                else_,
                            },
                            ty,
                            span,
                        )
                    }
                }
            }
            ExprKind::IfLet {
                name,
                value,
                then,
                else_,
            } => self.if_let(name, value, then, else_.as_deref(), span, expected),
            ExprKind::While { cond, body } => {
                let c = self.cond(cond, "while");
                self.cx.loops.push(false);
                let b = self.block(body, None);
                let has_break = self.cx.loops.pop().unwrap_or(false);
                let forever = matches!(strip_parens(cond).kind, ExprKind::Bool(true));
                let ty = if forever && !has_break {
                    Type::Never
                } else {
                    Type::Unit
                };
                mk(
                    TExprKind::While {
                        cond: Box::new(c),
                        body: Box::new(b),
                    },
                    ty,
                    span,
                )
            }
            ExprKind::For { var, iter, body } => self.for_loop(var, iter, body, span),
            ExprKind::Block(b) => self.block(b, expected),
            ExprKind::Break | ExprKind::Continue => {
                let is_break = matches!(e.kind, ExprKind::Break);
                let word = if is_break { "break" } else { "continue" };
                match self.cx.loops.last_mut() {
                    Some(has_break) => *has_break |= is_break,
                    None => self.error(
                        Diagnostic::error("E0112", format!("`{word}` outside of a loop"), span)
                            .with_label(format!("cannot `{word}` here"))
                            .with_note(
                                "`break` and `continue` work inside `while` and `for` loops",
                            ),
                    ),
                }
                let kind = if is_break {
                    TExprKind::Break
                } else {
                    TExprKind::Continue
                };
                mk(kind, Type::Never, span)
            }
            ExprKind::Return(value) => self.return_expr(value.as_deref(), span),
            ExprKind::Spawn(inner) => self.spawn(inner, span),
            ExprKind::Paren(inner) => self.expr(inner, expected),
            ExprKind::Error => {
                self.placeholders += 1;
                error_expr(span)
            }
        }
    }

    /// Check `e` and convert it to `ty` (or report a mismatch).
    pub(crate) fn expr_coerce(&mut self, e: &'a Expr, ty: &Type) -> TExpr {
        let t = self.expr(e, Some(ty));
        self.coerce(t, ty)
    }

    /// `e` as a `ty`: unchanged if the types agree (or either is `Never`),
    /// wrapped in `Some` for `T` → `T?`; otherwise `Err(e)`.
    pub(crate) fn try_coerce(&self, e: TExpr, ty: &Type) -> Result<TExpr, TExpr> {
        if e.ty == *ty || e.ty == Type::Never || *ty == Type::Never {
            return Ok(e);
        }
        if let Type::Optional(inner) = ty {
            if e.ty == **inner {
                let span = e.span;
                return Ok(mk(TExprKind::Some(Box::new(e)), ty.clone(), span));
            }
        }
        Err(e)
    }

    pub(crate) fn coerce(&mut self, e: TExpr, ty: &Type) -> TExpr {
        match self.try_coerce(e, ty) {
            Ok(e) => e,
            Err(e) => {
                let d = self.mismatch(ty, &e);
                self.error(d);
                TExpr {
                    ty: Type::Never,
                    ..e
                }
            }
        }
    }

    pub(crate) fn mismatch(&self, expected: &Type, e: &TExpr) -> Diagnostic {
        let mut d = Diagnostic::error("E0200", "mismatched types", value_span(e))
            .with_label(format!("expected `{expected}`, found `{}`", e.ty));
        if let Some(h) = conversion_help(expected, e) {
            d = d.with_help(h);
        }
        d
    }

    pub(crate) fn cannot_infer(&mut self, span: Span, what: &str, example: &str) -> TExpr {
        self.error(
            Diagnostic::error("E0201", format!("cannot infer the type of `{what}`"), span)
                .with_label("type needed here")
                .with_help(format!("add a type annotation: `{example}`")),
        );
        error_expr(span)
    }

    /// A literal that needs a type from context found a non-matching one.
    fn literal_mismatch(&mut self, span: Span, expected: &Type, found: &str) -> TExpr {
        self.error(
            Diagnostic::error("E0200", "mismatched types", span)
                .with_label(format!("expected `{expected}`, found {found}")),
        );
        error_expr(span)
    }

    fn none_expr(&mut self, span: Span, expected: Option<&Type>) -> TExpr {
        match expected {
            Some(t @ Type::Optional(_)) => mk(TExprKind::None, t.clone(), span),
            Some(Type::Never) => error_expr(span),
            Some(t) => {
                let t = t.clone();
                self.error(
                    Diagnostic::error("E0200", "mismatched types", span)
                        .with_label(format!("expected `{t}`, found `none`"))
                        .with_help(format!(
                            "`none` is a value of optional types only: declare the type `{t}?`"
                        )),
                );
                error_expr(span)
            }
            None => self.cannot_infer(span, "none", "let x: int? = none"),
        }
    }

    // ----- names ----------------------------------------------------------

    fn name_expr(&mut self, n: &'a str, span: Span) -> TExpr {
        if let Some(id) = self.cx.lookup(n) {
            let ty = self.cx.local(id).ty.clone();
            self.note_poison(&ty);
            return mk(TExprKind::Local(id), ty, span);
        }
        match self.values.get(n).copied() {
            Some(Item::Global(i)) => {
                let ty = self.global_type(i, span);
                self.note_poison(&ty);
                return mk(TExprKind::Global(n.to_string()), ty, span);
            }
            Some(Item::Fn(i)) => {
                let (_, sig) = self.fn_info(i);
                return mk(TExprKind::FnRef(n.to_string()), Type::Fn(sig), span);
            }
            None => {}
        }
        if let Some(g) = self.env.globals.get(n) {
            return mk(TExprKind::Global(n.to_string()), g.ty.clone(), span);
        }
        if let Some(f) = self.env.functions.get(n) {
            let ty = Type::Fn(Arc::new(f.clone()));
            return mk(TExprKind::FnRef(n.to_string()), ty, span);
        }
        if builtins::is_builtin(n) {
            self.error(
                Diagnostic::error(
                    "E0106",
                    format!("the standard function `{n}` cannot be used as a value"),
                    span,
                )
                .with_label("standard functions can only be called")
                .with_note(
                    "standard functions are overloaded or generic, so they have no single `fn` type",
                )
                .with_help(format!(
                    "wrap it in a function of your own, e.g. `fn my_{n}(...) {{ {n}(...) }}`, and use that"
                )),
            );
            return error_expr(span);
        }
        if self.env.hosts.contains_key(n) {
            self.error(
                Diagnostic::error(
                    "E0107",
                    format!("the host function `{n}` cannot be used as a value"),
                    span,
                )
                .with_label("host functions can only be called")
                .with_help(format!(
                    "wrap it in a function of your own that calls `{n}`, and use that"
                )),
            );
            return error_expr(span);
        }
        if self.struct_type(n).is_some() {
            self.error(
                Diagnostic::error("E0110", format!("the struct `{n}` is not a value"), span)
                    .with_label("a type, used as a value")
                    .with_help(format!(
                        "create an instance with `{n} {{ field: value, ... }}`"
                    )),
            );
            return error_expr(span);
        }
        self.unknown_name(n, span, false);
        error_expr(span)
    }

    /// A use of a binding whose type is `Never` (an earlier error, or code
    /// after a diverging expression): later "no value" checks stay quiet.
    fn note_poison(&mut self, ty: &Type) {
        if *ty == Type::Never {
            self.placeholders += 1;
        }
    }

    pub(crate) fn unknown_name(&mut self, n: &str, span: Span, callable: bool) {
        let (msg, label) = if callable {
            (format!("cannot find function `{n}`"), "not found")
        } else {
            (
                format!("cannot find `{n}` in this scope"),
                "not found in this scope",
            )
        };
        let mut d = Diagnostic::error("E0100", msg, span).with_label(label);
        let fixed = match n {
            "nil" | "null" | "None" | "NULL" => Some("the empty optional is written `none`"),
            "True" => Some("the boolean is written `true`"),
            "False" => Some("the boolean is written `false`"),
            _ => None,
        };
        if let Some(h) = fixed {
            d = d.with_help(h);
        } else if let Some(a) = callable.then(|| builtin_alias(n)).flatten() {
            d = d.with_help(format!("Ember's standard function for this is `{a}`"));
        } else {
            let env = self.env;
            let builtin_names: &[&str] = if callable { builtins::NAMES } else { &[] };
            let candidates = self
                .cx
                .visible_names()
                .chain(self.values.keys().copied())
                .chain(env.globals.keys().map(String::as_str))
                .chain(env.functions.keys().map(String::as_str))
                .chain(env.hosts.keys().filter(|_| callable).map(String::as_str))
                .chain(builtin_names.iter().copied());
            if let Some(s) = names::suggest(n, candidates) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
        }
        self.error(d);
    }

    // ----- literals ---------------------------------------------------------

    fn array_lit(&mut self, elems: &'a [Expr], span: Span, expected: Option<&Type>) -> TExpr {
        let elem = expected.and_then(array_elem);
        if elems.is_empty() {
            return match (elem, expected) {
                (Some(Type::Never), _) | (_, Some(Type::Never)) => error_expr(span),
                (Some(t), _) => mk(TExprKind::Array(Vec::new()), Type::array(t), span),
                (None, Some(t)) => {
                    let t = t.clone();
                    self.literal_mismatch(span, &t, "an array")
                }
                (None, None) => self.cannot_infer(span, "[]", "let x: [int] = []"),
            };
        }
        let arms: Vec<Branch<'a>> = elems.iter().map(Branch::Expr).collect();
        let (vals, ty) = self.branches(&arms, elem.as_ref(), BranchCtx::Array);
        let ty = match ty {
            Type::Never => Type::Never,
            t => Type::array(t),
        };
        mk(TExprKind::Array(vals), ty, span)
    }

    fn map_lit(
        &mut self,
        entries: &'a [(Expr, Expr)],
        span: Span,
        expected: Option<&Type>,
    ) -> TExpr {
        let kv = expected.and_then(map_kv);
        if entries.is_empty() {
            return match (kv, expected) {
                (Some((k, v)), _) if k != Type::Never && v != Type::Never => {
                    mk(TExprKind::MapLit(Vec::new()), Type::map(k, v), span)
                }
                (Some(_), _) | (_, Some(Type::Never)) => error_expr(span),
                (None, Some(t)) => {
                    let t = t.clone();
                    self.literal_mismatch(span, &t, "a map")
                }
                (None, None) => self.cannot_infer(span, "[:]", "let m: map[str, int] = [:]"),
            };
        }
        let keys: Vec<Branch<'a>> = entries.iter().map(|(k, _)| Branch::Expr(k)).collect();
        let vals: Vec<Branch<'a>> = entries.iter().map(|(_, v)| Branch::Expr(v)).collect();
        let (kt, vt) = match &kv {
            Some((k, v)) => (Some(k), Some(v)),
            None => (None, None),
        };
        let (tkeys, kty) = self.branches(&keys, kt, BranchCtx::MapKey);
        let (tvals, vty) = self.branches(&vals, vt, BranchCtx::MapValue);
        if kty != Type::Never && !kty.is_map_key() {
            self.error(
                Diagnostic::error(
                    "E0109",
                    format!("`{kty}` cannot be a map key type"),
                    entries[0].0.span,
                )
                .with_label(format!("this key is `{kty}`"))
                .with_note("map keys are `int`, `str` or `bool`"),
            );
            return error_expr(span);
        }
        let ty = if kty == Type::Never || vty == Type::Never {
            Type::Never
        } else {
            Type::map(kty, vty)
        };
        mk(
            TExprKind::MapLit(tkeys.into_iter().zip(tvals).collect()),
            ty,
            span,
        )
    }

    fn struct_lit(&mut self, name: &'a Ident, fields: &'a [(Ident, Expr)], span: Span) -> TExpr {
        let Some(sty) = self.struct_type(&name.name) else {
            let mut d = Diagnostic::error(
                "E0105",
                format!("cannot find struct `{}`", name.name),
                name.span,
            )
            .with_label("unknown struct");
            let env = self.env;
            let candidates = self
                .struct_index
                .keys()
                .copied()
                .chain(env.structs.keys().map(String::as_str));
            if let Some(s) = names::suggest(&name.name, candidates) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            self.error(d);
            for (_, v) in fields {
                self.expr(v, Some(&Type::Never));
            }
            return error_expr(span);
        };
        // The field types (no copies of the names on the success path).
        let types: Vec<Type> = self
            .struct_fields(&name.name)
            .unwrap_or(&[])
            .iter()
            .map(|(_, t)| t.clone())
            .collect();
        let mut given: Vec<Option<Span>> = vec![None; types.len()];
        let mut out = Vec::with_capacity(fields.len());
        let mut ok = true;
        for (fname, value) in fields {
            let pos = self
                .struct_fields(&name.name)
                .unwrap_or(&[])
                .iter()
                .position(|(f, _)| **f == *fname.name);
            match pos {
                Some(i) => {
                    let v = self.expr_coerce(value, &types[i]);
                    if let Some(first) = given[i] {
                        ok = false;
                        self.error(
                            Diagnostic::error(
                                "E0215",
                                format!("field `{}` is given twice", fname.name),
                                fname.span,
                            )
                            .with_label("given again here")
                            .with_secondary(first, "first given here"),
                        );
                    } else {
                        given[i] = Some(fname.span);
                    }
                    out.push((fname.name.to_string(), v));
                }
                None => {
                    ok = false;
                    self.expr(value, Some(&Type::Never));
                    let decl: Vec<(String, Type)> =
                        self.struct_fields(&name.name).unwrap_or(&[]).to_vec();
                    let mut d = Diagnostic::error(
                        "E0104",
                        format!("struct `{}` has no field `{}`", name.name, fname.name),
                        fname.span,
                    )
                    .with_label("unknown field");
                    let candidates = decl
                        .iter()
                        .zip(&given)
                        .filter(|(_, g)| g.is_none())
                        .map(|((f, _), _)| f.as_str());
                    if let Some(s) = names::suggest(&fname.name, candidates) {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    } else {
                        d = d.with_note(fields_note(&name.name, &decl));
                    }
                    self.error(d);
                }
            }
        }
        if ok && given.iter().all(Option::is_some) {
            return mk(
                TExprKind::StructLit {
                    name: name.name.to_string(),
                    fields: out,
                },
                sty,
                span,
            );
        }
        let decl: Vec<(String, Type)> = self.struct_fields(&name.name).unwrap_or(&[]).to_vec();
        let missing: Vec<&str> = decl
            .iter()
            .zip(&given)
            .filter(|(_, g)| g.is_none())
            .map(|((f, _), _)| f.as_str())
            .collect();
        if !missing.is_empty() && ok {
            let list = missing
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.error(
                Diagnostic::error(
                    "E0214",
                    format!(
                        "missing field{} {list} in struct literal `{}`",
                        plural(missing.len()),
                        name.name
                    ),
                    name.span,
                )
                .with_label(format!("missing {list}"))
                .with_note("a struct literal names every field exactly once"),
            );
            ok = false;
        }
        if !ok {
            return error_expr(span);
        }
        mk(
            TExprKind::StructLit {
                name: name.name.to_string(),
                fields: out,
            },
            sty,
            span,
        )
    }

    // ----- operators --------------------------------------------------------

    fn unary(&mut self, op: UnOp, operand: &'a Expr, span: Span) -> TExpr {
        let v = self.expr(operand, None);
        let ok = match op {
            UnOp::Neg => matches!(v.ty, Type::Int | Type::Float | Type::Never),
            UnOp::Not => matches!(v.ty, Type::Bool | Type::Never),
        };
        if !ok {
            let (msg, help) = match op {
                UnOp::Neg => (
                    format!("cannot negate a value of type `{}`", v.ty),
                    match v.ty {
                        Type::Bool => Some("use `!` for logical not"),
                        _ => None,
                    },
                ),
                UnOp::Not => (
                    format!("`!` needs a `bool`, found `{}`", v.ty),
                    match v.ty {
                        Type::Int => Some("compare explicitly, e.g. `x == 0`"),
                        Type::Optional(_) => Some("test for none with `x == none`"),
                        _ => None,
                    },
                ),
            };
            let mut d = Diagnostic::error("E0203", msg, v.span).with_label(format!("`{}`", v.ty));
            if let Some(h) = help {
                d = d.with_help(h);
            }
            self.error(d);
            return error_expr(span);
        }
        let ty = v.ty.clone();
        mk(
            TExprKind::Unary {
                op,
                operand: Box::new(v),
            },
            ty,
            span,
        )
    }

    fn binary(
        &mut self,
        op: BinOp,
        lhs: &'a Expr,
        rhs: &'a Expr,
        span: Span,
        expected: Option<&Type>,
    ) -> TExpr {
        match op {
            BinOp::Coalesce => return self.coalesce(lhs, rhs, span, expected),
            BinOp::Eq | BinOp::Ne if is_none_lit(rhs) || is_none_lit(lhs) => {
                return self.none_test(op, lhs, rhs, span)
            }
            _ => {}
        }
        // Check the side that has a type of its own first; the other one
        // gets it as its expected type.
        let (l, r) = if needs_context(lhs) && !needs_context(rhs) {
            let r = self.expr(rhs, None);
            let l = self.expr(lhs, Some(&r.ty));
            (l, r)
        } else {
            let l = self.expr(lhs, None);
            let r = self.expr(rhs, Some(&l.ty));
            (l, r)
        };
        let result = |t: &Type| {
            if matches!(op, BinOp::And | BinOp::Or) || is_comparison(op) {
                Type::Bool
            } else {
                t.clone()
            }
        };
        // `a && b`, `a || b` with a `b` that cannot complete still complete
        // when `a` decides: they are `bool`.
        let short_circuit = matches!(op, BinOp::And | BinOp::Or);
        if short_circuit && l.ty == Type::Bool && r.ty == Type::Never {
            return mk(
                TExprKind::Binary {
                    op,
                    lhs: Box::new(l),
                    rhs: Box::new(r),
                },
                Type::Bool,
                span,
            );
        }
        if l.ty == Type::Never || r.ty == Type::Never {
            // An operand is erroneous (or cannot complete): so is the result.
            return mk(
                TExprKind::Binary {
                    op,
                    lhs: Box::new(l),
                    rhs: Box::new(r),
                },
                Type::Never,
                span,
            );
        }
        let sym = op.symbol();
        if l.ty != r.ty {
            let help = match (&l.ty, &r.ty) {
                (Type::Int, Type::Float) | (Type::Float, Type::Int) => {
                    Some("convert one side with `as float` or `as int`".to_string())
                }
                _ => conversion_help(&l.ty, &r),
            };
            let mut d = Diagnostic::error(
                "E0202",
                format!("cannot apply `{sym}` to `{}` and `{}`", l.ty, r.ty),
                r.span,
            )
            .with_label(format!("this is `{}`", r.ty))
            .with_secondary(l.span, format!("this is `{}`", l.ty))
            .with_note(
                "both operands of an operator have the same type; there are no implicit conversions",
            );
            if let Some(h) = help {
                d = d.with_help(h);
            }
            self.error(d);
            return error_expr(span);
        }
        if !op_accepts(op, &l.ty) {
            let mut d = if is_comparison(op) {
                Diagnostic::error(
                    "E0202",
                    format!("values of type `{}` cannot be compared with `{sym}`", l.ty),
                    span,
                )
            } else {
                Diagnostic::error(
                    "E0202",
                    format!("cannot apply `{sym}` to `{}` values", l.ty),
                    span,
                )
            }
            .with_label(format!("`{sym}` on `{}`", l.ty))
            .with_note(format!("`{sym}` works on {}", op_domain(op)));
            if matches!(l.ty, Type::Optional(_)) && matches!(op, BinOp::Eq | BinOp::Ne) {
                d = d.with_help("compare with `none`, or unwrap the values first");
            } else if l.ty == Type::Bool && op == BinOp::Add {
                d = d.with_help("for logical or, use `||`");
            } else if l.ty == Type::Bool && op == BinOp::BitAnd {
                d = d.with_help("for logical and, use `&&`");
            } else if l.ty == Type::Bool && op == BinOp::BitOr {
                d = d.with_help("for logical or, use `||`");
            }
            self.error(d);
            return error_expr(span);
        }
        let ty = result(&l.ty);
        mk(
            TExprKind::Binary {
                op,
                lhs: Box::new(l),
                rhs: Box::new(r),
            },
            ty,
            span,
        )
    }

    /// `opt == none`, `none != opt`: the optional always ends up on the left.
    fn none_test(&mut self, op: BinOp, lhs: &'a Expr, rhs: &'a Expr, span: Span) -> TExpr {
        let (opt, none) = if is_none_lit(rhs) {
            (lhs, rhs)
        } else {
            (rhs, lhs)
        };
        let o = self.expr(opt, None);
        match &o.ty {
            Type::Optional(_) => {}
            Type::Never => return error_expr(span),
            other => {
                let other = other.clone();
                self.error(
                    Diagnostic::error(
                        "E0202",
                        format!("cannot compare `{other}` with `none`"),
                        o.span,
                    )
                    .with_label(format!("`{other}` is not optional, so it is never `none`"))
                    .with_note("only values of an optional type `T?` can be `none`"),
                );
                return error_expr(span);
            }
        }
        let n = mk(TExprKind::None, o.ty.clone(), none.span);
        mk(
            TExprKind::Binary {
                op,
                lhs: Box::new(o),
                rhs: Box::new(n),
            },
            Type::Bool,
            span,
        )
    }

    fn coalesce(
        &mut self,
        lhs: &'a Expr,
        rhs: &'a Expr,
        span: Span,
        expected: Option<&Type>,
    ) -> TExpr {
        let exp = expected.and_then(|t| match t {
            Type::Optional(_) | Type::Never => None,
            t => Some(Type::optional(t.clone())),
        });
        let o = self.expr(lhs, exp.as_ref());
        let inner = match &o.ty {
            Type::Optional(t) => (**t).clone(),
            Type::Never => {
                let d = self.expr(rhs, None);
                let ty = d.ty.clone();
                return mk(
                    TExprKind::Coalesce {
                        opt: Box::new(o),
                        default: Box::new(d),
                    },
                    ty,
                    span,
                );
            }
            other => {
                let other = other.clone();
                self.error(
                    Diagnostic::error(
                        "E0212",
                        format!("`??` needs an optional on its left, found `{other}`"),
                        o.span,
                    )
                    .with_label("this is not optional, so it is never `none`")
                    .with_help("remove the `?? ...`"),
                );
                self.expr(rhs, Some(&Type::Never));
                return error_expr(span);
            }
        };
        let d = self.expr(rhs, Some(&inner));
        let d = match self.try_coerce(d, &inner) {
            Ok(d) => d,
            Err(d) => {
                let diag = self.mismatch(&inner, &d).with_note(format!(
                    "the default of `??` must have the optional's inner type `{inner}`"
                ));
                self.error(diag);
                return error_expr(span);
            }
        };
        mk(
            TExprKind::Coalesce {
                opt: Box::new(o),
                default: Box::new(d),
            },
            inner,
            span,
        )
    }

    fn cast(&mut self, e: &'a Expr, ty: &'a crate::ast::TypeExpr, span: Span) -> TExpr {
        let v = self.expr(e, None);
        let to = self.resolve_type(ty);
        let ok = v.ty == to
            || v.ty == Type::Never
            || to == Type::Never
            || matches!(
                (&v.ty, &to),
                (Type::Int, Type::Float) | (Type::Float, Type::Int) | (Type::Bool, Type::Int)
            );
        if !ok {
            let help = match (&v.ty, &to) {
                (Type::Str, Type::Int) => Some("parse text with `parse_int(s)`"),
                (Type::Str, Type::Float) => Some("parse text with `parse_float(s)`"),
                (_, Type::Str) => Some("convert to text with `str(x)`"),
                (Type::Int, Type::Bool) => Some("compare instead: `x != 0`"),
                (Type::Optional(_), _) => Some("unwrap the optional first with `!` or `??`"),
                _ => None,
            };
            let mut d =
                Diagnostic::error("E0204", format!("cannot cast `{}` as `{to}`", v.ty), span)
                    .with_label("invalid cast")
                    .with_note("`as` converts int to float, float to int and bool to int");
            if let Some(h) = help {
                d = d.with_help(h);
            }
            self.error(d);
            return error_expr(span);
        }
        mk(
            TExprKind::Cast {
                expr: Box::new(v),
                to: to.clone(),
            },
            to,
            span,
        )
    }

    // ----- calls ------------------------------------------------------------

    fn call(
        &mut self,
        callee: &'a Expr,
        args: &[&'a Expr],
        span: Span,
        expected: Option<&Type>,
    ) -> TExpr {
        if let ExprKind::Name(n) = &callee.kind {
            return self.call_named(n, callee.span, args, span, expected, false);
        }
        match self.callee_value(callee) {
            Resolved::Sig {
                callee,
                sig,
                def,
                desc,
            } => {
                let targs = self.call_args(&sig, args, span, def, desc, false);
                mk(
                    TExprKind::Call {
                        callee,
                        args: targs,
                    },
                    sig.ret.clone(),
                    span,
                )
            }
            _ => {
                self.args_silent(args);
                error_expr(span)
            }
        }
    }

    /// A callee that is an arbitrary expression: must be a function value.
    fn callee_value(&mut self, callee: &'a Expr) -> Resolved<'a> {
        let f = self.expr(callee, None);
        match f.ty.clone() {
            Type::Fn(sig) => Resolved::Sig {
                callee: Callee::Value(Box::new(f)),
                sig,
                def: None,
                desc: CalleeDesc {
                    kind: "",
                    name: None,
                    decl: None,
                },
            },
            Type::Never => Resolved::Error,
            other => {
                self.error(
                    Diagnostic::error(
                        "E0207",
                        format!("cannot call a value of type `{other}`"),
                        f.span,
                    )
                    .with_label("not a function"),
                );
                Resolved::Error
            }
        }
    }

    pub(crate) fn args_silent(&mut self, args: &[&'a Expr]) -> Vec<TExpr> {
        args.iter()
            .map(|a| self.expr(a, Some(&Type::Never)))
            .collect()
    }

    /// Resolve the name of a called function. `method`: the name comes from
    /// `x.name(..)`, where non-function locals and globals do not count.
    pub(crate) fn resolve_named(
        &mut self,
        n: &'a str,
        name_span: Span,
        method: bool,
    ) -> Resolved<'a> {
        let mut not_fn = None;
        if let Some(id) = self.cx.lookup(n) {
            let local = self.cx.local(id);
            let (ty, def) = (local.ty.clone(), local.span);
            match ty {
                Type::Fn(sig) => {
                    return Resolved::Sig {
                        callee: Callee::Value(Box::new(mk(
                            TExprKind::Local(id),
                            Type::Fn(sig.clone()),
                            name_span,
                        ))),
                        sig,
                        def: Some(def),
                        desc: CalleeDesc {
                            kind: "",
                            name: Some(n),
                            decl: None,
                        },
                    }
                }
                Type::Never => return Resolved::Error,
                other if !method => {
                    return Resolved::Unknown {
                        not_fn: Some(other),
                    }
                }
                other => not_fn = Some(other),
            }
        }
        match self.values.get(n).copied() {
            Some(Item::Fn(i)) => {
                let (decl, sig) = self.fn_info(i);
                return Resolved::Sig {
                    callee: Callee::Function(n.to_string()),
                    sig,
                    def: Some(decl.name.span),
                    desc: CalleeDesc {
                        kind: "function",
                        name: Some(n),
                        decl: Some(decl),
                    },
                };
            }
            Some(Item::Global(i)) => {
                let ty = self.global_type(i, name_span);
                let def = self.global_decl(i).name.span;
                match self.global_callee(n, ty, name_span, Some(def), method) {
                    Ok(r) => return r,
                    Err(t) => not_fn = not_fn.or(Some(t)),
                }
            }
            None => {}
        }
        if let Some(f) = self.env.functions.get(n) {
            return Resolved::Sig {
                callee: Callee::Function(n.to_string()),
                sig: Arc::new(f.clone()),
                def: None,
                desc: CalleeDesc {
                    kind: "function",
                    name: Some(n),
                    decl: None,
                },
            };
        }
        if let Some(g) = self.env.globals.get(n) {
            match self.global_callee(n, g.ty.clone(), name_span, None, method) {
                Ok(r) => return r,
                Err(t) => not_fn = not_fn.or(Some(t)),
            }
        }
        if builtins::is_builtin(n) {
            return Resolved::Builtin;
        }
        if let Some(f) = self.env.hosts.get(n) {
            return Resolved::Sig {
                callee: Callee::Host(n.to_string()),
                sig: Arc::new(f.clone()),
                def: None,
                desc: CalleeDesc {
                    kind: "host function",
                    name: Some(n),
                    decl: None,
                },
            };
        }
        Resolved::Unknown { not_fn }
    }

    /// A global used as a callee: `Ok` if it is a function value (or
    /// erroneous), `Err(its type)` if not.
    fn global_callee(
        &mut self,
        n: &'a str,
        ty: Type,
        span: Span,
        def: Option<Span>,
        method: bool,
    ) -> Result<Resolved<'a>, Type> {
        match ty {
            Type::Fn(sig) => Ok(Resolved::Sig {
                callee: Callee::Value(Box::new(mk(
                    TExprKind::Global(n.to_string()),
                    Type::Fn(sig.clone()),
                    span,
                ))),
                sig,
                def,
                desc: CalleeDesc {
                    kind: "",
                    name: Some(n),
                    decl: None,
                },
            }),
            Type::Never => Ok(Resolved::Error),
            other if !method => Ok(Resolved::Unknown {
                not_fn: Some(other),
            }),
            other => Err(other),
        }
    }

    /// `name(args)` or, with `method`, `args[0].name(args[1..])`.
    pub(crate) fn call_named(
        &mut self,
        n: &'a str,
        name_span: Span,
        args: &[&'a Expr],
        span: Span,
        expected: Option<&Type>,
        method: bool,
    ) -> TExpr {
        match self.resolve_named(n, name_span, method) {
            Resolved::Sig {
                callee,
                sig,
                def,
                desc,
            } => {
                let targs = self.call_args(&sig, args, span, def, desc, method);
                mk(
                    TExprKind::Call {
                        callee,
                        args: targs,
                    },
                    sig.ret.clone(),
                    span,
                )
            }
            Resolved::Builtin => self.builtin_call(n, args, span, expected, method),
            Resolved::Error => {
                self.args_silent(args);
                error_expr(span)
            }
            Resolved::Unknown { not_fn } => {
                let targs = self.args_silent(args);
                self.report_unknown_callee(n, name_span, not_fn, method, targs.first());
                error_expr(span)
            }
        }
    }

    fn report_unknown_callee(
        &mut self,
        n: &str,
        name_span: Span,
        not_fn: Option<Type>,
        method: bool,
        receiver: Option<&TExpr>,
    ) {
        if let Some(t) = not_fn {
            self.error(
                Diagnostic::error("E0207", format!("`{n}` is not a function"), name_span)
                    .with_label(format!("`{n}` has type `{t}`"))
                    .with_note("only functions and values of a `fn(..)` type can be called"),
            );
            return;
        }
        if !method {
            self.unknown_name(n, name_span, true);
            return;
        }
        let mut d = Diagnostic::error(
            "E0100",
            format!("cannot find function `{n}` for this method call"),
            name_span,
        )
        .with_label("no function of this name")
        .with_note(format!("`x.{n}(..)` means `{n}(x, ..)`"));
        let field_fn = receiver.and_then(|r| match &r.ty {
            Type::Struct(s) => self
                .struct_fields(s)
                .and_then(|fs| fs.iter().find(|(f, _)| f == n))
                .map(|(_, t)| matches!(t, Type::Fn(_))),
            _ => None,
        });
        if field_fn == Some(true) {
            d = d.with_help(format!(
                "to call the function stored in field `{n}`, write `(x.{n})(..)`"
            ));
        } else if let Some(a) = builtin_alias(n) {
            d = d.with_help(format!("Ember's standard function for this is `{a}`"));
        } else {
            let env = self.env;
            let candidates = self
                .values
                .keys()
                .copied()
                .chain(env.functions.keys().map(String::as_str))
                .chain(env.hosts.keys().map(String::as_str))
                .chain(builtins::NAMES.iter().copied());
            if let Some(s) = names::suggest(n, candidates) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
        }
        self.error(d);
    }

    /// Check call arguments against a signature.
    pub(crate) fn call_args(
        &mut self,
        sig: &FnType,
        args: &[&'a Expr],
        span: Span,
        def: Option<Span>,
        desc: CalleeDesc<'a>,
        method: bool,
    ) -> Vec<TExpr> {
        if args.len() != sig.params.len() {
            let mut d = Diagnostic::error(
                "E0208",
                count_msg(&desc.what(), sig.params.len(), args.len()),
                span,
            )
            .with_label(format!(
                "expected {} argument{}",
                sig.params.len(),
                plural(sig.params.len())
            ))
            .with_note(format!("the signature is `{}`", desc.sig_text(sig)));
            if let Some(def) = def {
                d = d.with_secondary(def, "defined here");
            }
            if method {
                d = d.with_note("in a method call `x.f(a)`, `x` is the first argument");
            }
            self.error(d);
        }
        let mut out = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            match sig.params.get(i) {
                Some(p) => {
                    let v = self.expr(a, Some(p));
                    let v = match self.try_coerce(v, p) {
                        Ok(v) => v,
                        Err(v) => {
                            let d = self.mismatch(p, &v).with_note(format!(
                                "argument {} of {}: `{}`",
                                i + 1,
                                desc.what(),
                                desc.sig_text(sig)
                            ));
                            self.error(d);
                            TExpr {
                                ty: Type::Never,
                                ..v
                            }
                        }
                    };
                    out.push(v);
                }
                None => out.push(self.expr(a, Some(&Type::Never))),
            }
        }
        out
    }

    fn spawn(&mut self, inner: &'a Expr, span: Span) -> TExpr {
        let inner = strip_parens(inner);
        let (resolved, args, name): (Resolved<'a>, Vec<&'a Expr>, Option<(&'a str, Span)>) =
            match &inner.kind {
                ExprKind::Call { callee, args } => {
                    let args: Vec<&'a Expr> = args.iter().collect();
                    match &callee.kind {
                        ExprKind::Name(n) => (
                            self.resolve_named(n, callee.span, false),
                            args,
                            Some((&**n, callee.span)),
                        ),
                        _ => (self.callee_value(callee), args, None),
                    }
                }
                ExprKind::MethodCall {
                    receiver,
                    method,
                    args,
                } => {
                    let mut all: Vec<&'a Expr> = vec![receiver];
                    all.extend(args.iter());
                    (
                        self.resolve_named(&method.name, method.span, true),
                        all,
                        Some((&*method.name, method.span)),
                    )
                }
                _ => {
                    self.error(
                        Diagnostic::error("E0216", "`spawn` needs a function call", inner.span)
                            .with_label("not a call")
                            .with_help("write `spawn f(args)`"),
                    );
                    self.expr(inner, Some(&Type::Never));
                    return error_expr(span);
                }
            };
        match resolved {
            Resolved::Sig {
                callee,
                sig,
                def,
                desc,
            } => {
                let method = matches!(inner.kind, ExprKind::MethodCall { .. });
                let targs = self.call_args(&sig, &args, inner.span, def, desc, method);
                mk(
                    TExprKind::Spawn {
                        callee,
                        args: targs,
                    },
                    Type::Task,
                    span,
                )
            }
            Resolved::Builtin => {
                let (n, nspan) = name.unwrap_or(("?", inner.span));
                self.error(
                    Diagnostic::error(
                        "E0217",
                        format!("cannot spawn the standard function `{n}`"),
                        nspan,
                    )
                    .with_label("a standard function")
                    .with_help(format!(
                        "wrap the call in a function of your own, e.g. `fn work() {{ {n}(...); }}`, and spawn that"
                    )),
                );
                self.args_silent(&args);
                error_expr(span)
            }
            Resolved::Error => {
                self.args_silent(&args);
                error_expr(span)
            }
            Resolved::Unknown { not_fn } => {
                let targs = self.args_silent(&args);
                let (n, nspan) = name.unwrap_or(("?", inner.span));
                let method = matches!(inner.kind, ExprKind::MethodCall { .. });
                self.report_unknown_callee(n, nspan, not_fn, method, targs.first());
                error_expr(span)
            }
        }
    }

    fn return_expr(&mut self, value: Option<&'a Expr>, span: Span) -> TExpr {
        let Some(ret) = self.cx.ret.clone() else {
            self.error(
                Diagnostic::error("E0113", "`return` outside of a function", span)
                    .with_label("top-level code cannot return")
                    .with_help("move this code into a function"),
            );
            if let Some(v) = value {
                self.expr(v, Some(&Type::Never));
            }
            return mk(TExprKind::Return(None), Type::Never, span);
        };
        let v = match value {
            Some(v) => Some(Box::new(self.expr_coerce(v, &ret))),
            None => {
                if ret != Type::Unit && ret != Type::Never {
                    self.error(
                        Diagnostic::error(
                            "E0305",
                            format!("`return;` without a value in a function that returns `{ret}`"),
                            span,
                        )
                        .with_label(format!("expected a value of type `{ret}`"))
                        .with_help("return a value: `return VALUE;`"),
                    );
                }
                None
            }
        };
        mk(TExprKind::Return(v), Type::Never, span)
    }

    // ----- places: fields and indexing --------------------------------------

    /// The struct name and type of `base.field`; reports and gives `None`
    /// when there is no such field.
    pub(crate) fn field_type(&mut self, base: &TExpr, field: &Ident) -> Option<(String, Type)> {
        match &base.ty {
            Type::Struct(name) => {
                let fields = self.struct_fields(name)?;
                if let Some((_, t)) = fields.iter().find(|(f, _)| **f == *field.name) {
                    return Some((name.to_string(), t.clone()));
                }
                let mut d = Diagnostic::error(
                    "E0104",
                    format!("struct `{name}` has no field `{}`", field.name),
                    field.span,
                )
                .with_label("unknown field");
                match names::suggest(&field.name, fields.iter().map(|(f, _)| f.as_str())) {
                    Some(s) => d = d.with_help(format!("did you mean `{s}`?")),
                    None => d = d.with_note(fields_note(name, fields)),
                }
                self.error(d);
                None
            }
            Type::Never => None,
            Type::Optional(inner) if matches!(**inner, Type::Struct(_)) => {
                let t = base.ty.clone();
                self.error(
                    Diagnostic::error(
                        "E0210",
                        format!("cannot access field `{}` of an optional `{t}`", field.name),
                        field.span,
                    )
                    .with_secondary(base.span, format!("this is `{t}` and may be `none`"))
                    .with_help(format!(
                        "unwrap it first: `x!.{}`, or use `if let`",
                        field.name
                    )),
                );
                None
            }
            other => {
                let other = other.clone();
                self.error(
                    Diagnostic::error(
                        "E0210",
                        format!("`{other}` has no field `{}`", field.name),
                        field.span,
                    )
                    .with_secondary(base.span, format!("this is `{other}`, not a struct")),
                );
                None
            }
        }
    }

    /// `base[index]`: the checked base and index and the element type.
    pub(crate) fn index_parts(
        &mut self,
        base: &'a Expr,
        index: &'a Expr,
    ) -> Option<(TExpr, TExpr, Type)> {
        let b = self.expr(base, None);
        match b.ty.clone() {
            Type::Array(t) => {
                let i = self.expr_coerce(index, &Type::Int);
                Some((b, i, (*t).clone()))
            }
            Type::Map(k, v) => {
                let i = self.expr_coerce(index, &k);
                Some((b, i, (*v).clone()))
            }
            Type::Never => {
                self.expr(index, Some(&Type::Never));
                None
            }
            other => {
                let help = match &other {
                    Type::Str => Some("to take part of a string, use `substr(s, start, end)`"),
                    Type::Optional(_) => Some("unwrap the optional first with `!`"),
                    _ => None,
                };
                let mut d = Diagnostic::error(
                    "E0211",
                    format!("cannot index into a value of type `{other}`"),
                    b.span,
                )
                .with_label(format!("this is `{other}`"))
                .with_note("only arrays and maps can be indexed");
                if let Some(h) = help {
                    d = d.with_help(h);
                }
                self.error(d);
                self.expr(index, Some(&Type::Never));
                None
            }
        }
    }

    // ----- control flow -----------------------------------------------------

    /// A condition: must be `bool`.
    pub(crate) fn cond(&mut self, e: &'a Expr, what: &str) -> TExpr {
        let c = self.expr(e, Some(&Type::Bool));
        match self.try_coerce(c, &Type::Bool) {
            Ok(c) => c,
            Err(c) => {
                let mut d = Diagnostic::error(
                    "E0206",
                    format!("`{what}` condition must be `bool`, found `{}`", c.ty),
                    c.span,
                )
                .with_label(format!("expected `bool`, found `{}`", c.ty));
                match &c.ty {
                    Type::Int | Type::Float => d = d.with_help("compare explicitly, e.g. `x != 0`"),
                    Type::Optional(_) => {
                        d = d.with_help(
                            "test for a value with `x != none`, or bind it with `if let`",
                        )
                    }
                    Type::Str => d = d.with_help("test for empty text with `len(s) > 0`"),
                    _ => {}
                }
                self.error(d);
                error_expr(c.span)
            }
        }
    }

    fn if_let(
        &mut self,
        name: &'a Ident,
        value: &'a Expr,
        then: &'a Block,
        else_: Option<&'a Expr>,
        span: Span,
        expected: Option<&Type>,
    ) -> TExpr {
        let v = self.expr(value, None);
        let inner = match &v.ty {
            Type::Optional(t) => (**t).clone(),
            Type::Never => Type::Never,
            other => {
                let other = other.clone();
                self.error(
                    Diagnostic::error(
                        "E0212",
                        format!("`if let` needs an optional value, found `{other}`"),
                        v.span,
                    )
                    .with_label("this is not optional, so it always has a value")
                    .with_help(format!("use a plain `let {} = ...;`", name.name)),
                );
                Type::Never
            }
        };
        let id = self
            .cx
            .new_local(&name.name, inner, false, name.span, LocalKind::IfLet);
        let bind = Some((&*name.name, id));
        let (then, else_, ty) = match else_ {
            None => (self.block_with(then, None, bind), None, Type::Unit),
            Some(e) => {
                let (mut arms, ty) = self.branches(
                    &[Branch::Block(then, bind), Branch::Expr(e)],
                    expected,
                    BranchCtx::If,
                );
                let else_ = arms.pop().map(Box::new);
                let then = arms.pop().unwrap_or_else(|| error_expr(span));
                (then, else_, ty)
            }
        };
        mk(
            TExprKind::IfLet {
                local: id,
                value: Box::new(v),
                then: Box::new(then),
                else_,
            },
            ty,
            span,
        )
    }

    fn for_loop(
        &mut self,
        var: &'a Ident,
        iter: &'a ForIter,
        body: &'a Block,
        span: Span,
    ) -> TExpr {
        match iter {
            ForIter::Range { lo, hi, inclusive } => {
                let lo = self.range_bound(lo);
                let hi = self.range_bound(hi);
                self.cx.push_scope();
                let id = self
                    .cx
                    .declare(&var.name, Type::Int, false, var.span, LocalKind::LoopVar);
                self.cx.loops.push(false);
                let b = self.block(body, None);
                self.cx.loops.pop();
                self.cx.pop_scope();
                mk(
                    TExprKind::ForRange {
                        var: id,
                        lo: Box::new(lo),
                        hi: Box::new(hi),
                        inclusive: *inclusive,
                        body: Box::new(b),
                    },
                    Type::Unit,
                    span,
                )
            }
            ForIter::Expr(e) => {
                let a = self.expr(e, None);
                let elem = match &a.ty {
                    Type::Array(t) => (**t).clone(),
                    Type::Never => Type::Never,
                    other => {
                        let other = other.clone();
                        let help = match &other {
                            Type::Int => Some("to count, use a range: `for i in 0..n`"),
                            Type::Map(..) => Some("iterate over `keys(m)` or `values(m)`"),
                            Type::Str => Some("iterate over `split(s, \"\")` for its characters"),
                            Type::Optional(_) => Some("unwrap the optional first"),
                            _ => None,
                        };
                        let mut d = Diagnostic::error(
                            "E0213",
                            format!("cannot iterate over a value of type `{other}`"),
                            a.span,
                        )
                        .with_label("not an array")
                        .with_note("`for` iterates over an array or a range `a..b`");
                        if let Some(h) = help {
                            d = d.with_help(h);
                        }
                        self.error(d);
                        Type::Never
                    }
                };
                self.cx.push_scope();
                let id = self
                    .cx
                    .declare(&var.name, elem, false, var.span, LocalKind::LoopVar);
                self.cx.loops.push(false);
                let b = self.block(body, None);
                self.cx.loops.pop();
                self.cx.pop_scope();
                mk(
                    TExprKind::ForArray {
                        var: id,
                        array: Box::new(a),
                        body: Box::new(b),
                    },
                    Type::Unit,
                    span,
                )
            }
        }
    }

    fn range_bound(&mut self, e: &'a Expr) -> TExpr {
        let v = self.expr(e, Some(&Type::Int));
        match self.try_coerce(v, &Type::Int) {
            Ok(v) => v,
            Err(v) => {
                let d = self
                    .mismatch(&Type::Int, &v)
                    .with_note("range bounds must be `int`");
                self.error(d);
                error_expr(v.span)
            }
        }
    }

    pub(crate) fn block(&mut self, b: &'a Block, expected: Option<&Type>) -> TExpr {
        self.block_with(b, expected, None)
    }

    pub(crate) fn block_with(
        &mut self,
        b: &'a Block,
        expected: Option<&Type>,
        bind: Option<(&'a str, LocalId)>,
    ) -> TExpr {
        self.cx.push_scope();
        if let Some((n, id)) = bind {
            self.cx.bind(n, id);
        }
        let (stmts, diverges) = self.stmts(&b.stmts);
        let tail = b.tail.as_deref().map(|t| {
            let e = self.expr(t, expected);
            Box::new(match expected {
                Some(ty) => self.coerce(e, ty),
                None => e,
            })
        });
        self.cx.pop_scope();
        let ty = if diverges {
            Type::Never
        } else {
            tail.as_ref().map_or(Type::Unit, |t| t.ty.clone())
        };
        mk(TExprKind::Block(TBlock { stmts, tail }), ty, b.span)
    }

    /// A block's statements; true if one of them cannot complete.
    pub(crate) fn stmts(
        &mut self,
        stmts: &'a [crate::ast::Stmt],
    ) -> (Vec<crate::tir::TStmt>, bool) {
        let mut out = Vec::with_capacity(stmts.len());
        let mut diverges = false;
        for s in stmts {
            if let Some(t) = self.stmt(s) {
                diverges |= stmt_diverges(&t);
                out.push(t);
            }
        }
        (out, diverges)
    }

    fn check_branch(&mut self, b: &Branch<'a>, expected: Option<&Type>) -> TExpr {
        match *b {
            Branch::Expr(e) => self.expr(e, expected),
            Branch::Block(block, bind) => self.block_with(block, expected, bind),
        }
    }

    /// Check arms that must agree on one type; see the module docs for how
    /// the type is found without context. Returns the arms (converted to the
    /// common type) and the type (`Never` if all arms diverge or on error).
    pub(crate) fn branches(
        &mut self,
        arms: &[Branch<'a>],
        expected: Option<&Type>,
        ctx: BranchCtx,
    ) -> (Vec<TExpr>, Type) {
        if let Some(exp) = expected {
            let mut out = Vec::with_capacity(arms.len());
            for a in arms {
                let e = self.check_branch(a, Some(exp));
                out.push(self.coerce(e, exp));
            }
            let ty = if out.iter().all(|e| e.ty == Type::Never) {
                Type::Never
            } else {
                exp.clone()
            };
            return (out, ty);
        }
        let mut checked: Vec<Option<TExpr>> = (0..arms.len()).map(|_| None).collect();
        for (i, a) in arms.iter().enumerate() {
            if !a.needs_context() {
                checked[i] = Some(self.check_branch(a, None));
            }
        }
        let first = checked
            .iter()
            .position(|e| e.as_ref().is_some_and(|e| e.ty != Type::Never));
        let mut ty = first
            .and_then(|i| checked[i].as_ref())
            .map(|e| e.ty.clone());
        if let Some(t) = &ty {
            if !matches!(t, Type::Optional(_)) {
                let opt = Type::optional(t.clone());
                let promote = arms.iter().any(Branch::is_none)
                    || checked.iter().flatten().any(|e| e.ty == opt);
                if promote {
                    ty = Some(opt);
                }
            }
        }
        let mut reported = false;
        for (i, a) in arms.iter().enumerate() {
            if checked[i].is_none() {
                let exp = match &ty {
                    Some(t) => Some(t.clone()),
                    None if reported => Some(Type::Never),
                    None => None,
                };
                let before = self.diags.len();
                checked[i] = Some(self.check_branch(a, exp.as_ref()));
                reported |= self.diags.len() > before;
            }
        }
        let Some(ty) = ty else {
            return (checked.into_iter().flatten().collect(), Type::Never);
        };
        let first_span = first
            .and_then(|i| checked[i].as_ref())
            .map(value_span)
            .unwrap_or_default();
        let mut ok = true;
        let mut out = Vec::with_capacity(arms.len());
        for e in checked.into_iter().flatten() {
            match self.try_coerce(e, &ty) {
                Ok(e) => out.push(e),
                Err(e) => {
                    ok = false;
                    let found = e.ty.clone();
                    let d = match ctx {
                        BranchCtx::If => Diagnostic::error(
                            "E0205",
                            format!("`if` and `else` have incompatible types `{ty}` and `{found}`"),
                            value_span(&e),
                        )
                        .with_label(format!("this is `{found}`"))
                        .with_secondary(first_span, format!("this is `{ty}`"))
                        .with_note("both branches of an `if` must have the same type"),
                        _ => {
                            let what = match ctx {
                                BranchCtx::Array => ("array elements", "the first element"),
                                BranchCtx::MapKey => ("map keys", "the first key"),
                                _ => ("map values", "the first value"),
                            };
                            Diagnostic::error(
                                "E0200",
                                format!("{} have different types", what.0),
                                value_span(&e),
                            )
                            .with_label(format!("expected `{ty}`, found `{found}`"))
                            .with_secondary(first_span, format!("{} is `{ty}`", what.1))
                        }
                    };
                    let numeric = matches!(
                        (&ty, &e.ty),
                        (Type::Int, Type::Float) | (Type::Float, Type::Int)
                    );
                    let d = match conversion_help(&ty, &e) {
                        Some(h) if numeric => d.with_help(h),
                        _ => d,
                    };
                    self.error(d);
                    out.push(TExpr {
                        ty: Type::Never,
                        ..e
                    });
                }
            }
        }
        let all_never = out.iter().all(|e| e.ty == Type::Never);
        let ty = if !ok || all_never { Type::Never } else { ty };
        (out, ty)
    }
}

/// The element type an expected array type gives (through one `?`).
fn array_elem(t: &Type) -> Option<Type> {
    match t {
        Type::Array(e) => Some((**e).clone()),
        Type::Optional(o) => match &**o {
            Type::Array(e) => Some((**e).clone()),
            _ => None,
        },
        Type::Never => Some(Type::Never),
        _ => None,
    }
}

/// The key and value types an expected map type gives (through one `?`).
fn map_kv(t: &Type) -> Option<(Type, Type)> {
    match t {
        Type::Map(k, v) => Some(((**k).clone(), (**v).clone())),
        Type::Optional(o) => match &**o {
            Type::Map(k, v) => Some(((**k).clone(), (**v).clone())),
            _ => None,
        },
        Type::Never => Some((Type::Never, Type::Never)),
        _ => None,
    }
}

/// The element type an expected channel type gives (through one `?`).
pub(crate) fn chan_elem(t: &Type) -> Option<Type> {
    match t {
        Type::Chan(e) => Some((**e).clone()),
        Type::Optional(o) => match &**o {
            Type::Chan(e) => Some((**e).clone()),
            _ => None,
        },
        Type::Never => Some(Type::Never),
        _ => None,
    }
}

pub(crate) fn map_kv_of(t: &Type) -> Option<(Type, Type)> {
    map_kv(t)
}

/// `fn name(a: int, b: str) -> int`, with parameter names when known.
fn named_sig(n: &str, sig: &FnType, decl: Option<&crate::ast::FnDecl>) -> String {
    let mut out = format!("fn {n}(");
    for (i, p) in sig.params.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if let Some(param) = decl.and_then(|d| d.params.get(i)) {
            out.push_str(&param.name.name);
            out.push_str(": ");
        }
        out.push_str(&p.to_string());
    }
    out.push(')');
    if sig.ret != Type::Unit {
        out.push_str(&format!(" -> {}", sig.ret));
    }
    out
}

/// Standard functions users of other languages may look for by another
/// name.
fn builtin_alias(n: &str) -> Option<&'static str> {
    Some(match n {
        "length" | "size" | "count" | "lenght" => "len",
        "append" | "add" | "push_back" => "push",
        "contains" | "contains_key" | "has_key" => "has",
        "to_string" | "toString" | "string" => "str",
        "index_of" | "indexOf" => "find",
        "delete" | "erase" => "remove",
        "substring" | "slice" => "substr",
        "printf" | "puts" | "echo" => "println",
        _ => return None,
    })
}

fn fields_note(name: &str, fields: &[(String, Type)]) -> String {
    if fields.is_empty() {
        return format!("`{name}` has no fields");
    }
    let list = fields
        .iter()
        .map(|(f, _)| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("`{name}` has the fields {list}")
}

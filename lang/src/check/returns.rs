//! Function bodies and the "every path returns a value" rule.
//!
//! A body's type is its tail's type, or `Never` when it cannot complete
//! (a statement of type `Never`: `return`, `panic(..)`, an `if` whose
//! branches all return, `while true` without `break`, ...). A function
//! with a non-unit return type whose body can complete without a value is
//! `E0300`, pointing at the closing brace, with notes on why.

use super::{mk, Checker};
use crate::ast::{Expr, ExprKind, FnDecl, StmtKind};
use crate::diag::Diagnostic;
use crate::span::Span;
use crate::tir::{TBlock, TExpr, TExprKind, TStmt};
use crate::types::Type;

impl<'a> Checker<'a> {
    /// Check a function body against its return type.
    pub(crate) fn fn_body(&mut self, decl: &'a FnDecl, ret: &Type) -> TExpr {
        let b = &decl.body;
        let before = self.placeholders;
        self.cx.push_scope();
        let (stmts, diverges) = self.stmts(&b.stmts);
        let tail = match b.tail.as_deref() {
            None => None,
            Some(t) if *ret != Type::Unit && lacks_value_path(t) => {
                // `if .. {} else if .. {}` without a final `else`, or a loop:
                // there is a path without a value. Check without pushing the
                // return type into the branches, then report the path.
                let e = self.expr(t, None);
                if e.ty == Type::Unit && self.placeholders == before {
                    self.missing_return(decl, ret, Some(t), None);
                }
                let e = match self.try_coerce(e, ret) {
                    Ok(e) => e,
                    Err(e) => TExpr {
                        ty: Type::Never,
                        ..e
                    },
                };
                Some(Box::new(e))
            }
            Some(t) => {
                let e = self.expr(t, Some(ret));
                let e = match self.try_coerce(e, ret) {
                    Ok(e) => e,
                    Err(e) => {
                        if e.ty == Type::Unit && valueless(t) {
                            self.missing_return(decl, ret, Some(t), None);
                        } else {
                            let mut d = self.mismatch(ret, &e);
                            match &decl.ret {
                                Some(r) => {
                                    d = d.with_secondary(
                                        r.span,
                                        format!("the function returns `{ret}`"),
                                    )
                                }
                                None => {
                                    d = d
                                        .with_note("a function without `-> T` returns `()`")
                                        .with_help(format!(
                                    "to return this value, declare `-> {}`; to discard it, add `;`",
                                    e.ty
                                ))
                                }
                            }
                            self.error(d);
                        }
                        TExpr {
                            ty: Type::Never,
                            ..e
                        }
                    }
                };
                Some(Box::new(e))
            }
        };
        self.cx.pop_scope();
        // After an error in the body (a statement dropped by parser recovery,
        // say), the missing value may well be a consequence: stay quiet.
        let clean = self.placeholders == before;
        if tail.is_none() && !diverges && clean && *ret != Type::Unit && *ret != Type::Never {
            self.missing_return(decl, ret, None, stmts.last());
        }
        let ty = if diverges {
            Type::Never
        } else {
            tail.as_ref().map_or(Type::Unit, |t| t.ty.clone())
        };
        mk(TExprKind::Block(TBlock { stmts, tail }), ty, b.span)
    }

    fn missing_return(
        &mut self,
        decl: &'a FnDecl,
        ret: &Type,
        tail: Option<&'a Expr>,
        last: Option<&TStmt>,
    ) {
        let body = decl.body.span;
        let end = Span {
            file: body.file,
            lo: body.hi.saturating_sub(1).max(body.lo),
            hi: body.hi,
        };
        let mut d = Diagnostic::error(
            "E0300",
            format!(
                "function `{}` may end without returning a value",
                decl.name.name
            ),
            end,
        )
        .with_label("the function can reach its end here without a value");
        if let Some(r) = &decl.ret {
            d = d.with_secondary(r.span, format!("the function returns `{ret}`"));
        }
        d = d.with_note(format!(
            "every path through a function returning `{ret}` must end in a value or a `return`"
        ));
        // What ends the body, to say why it can end without a value.
        let last_expr: Option<&'a Expr> = tail.or_else(|| match decl.body.stmts.last() {
            Some(s) => match &s.kind {
                StmtKind::Expr { expr, .. } => Some(expr),
                _ => None,
            },
            None => None,
        });
        if let (None, Some(TStmt::Expr(e)), Some(s)) = (tail, last, decl.body.stmts.last()) {
            if let StmtKind::Expr { semi: true, .. } = s.kind {
                if e.ty == *ret {
                    d = d
                        .with_secondary(e.span, "this value is discarded by the `;` after it")
                        .with_help("remove the `;` to return it");
                    self.error(d);
                    return;
                }
            }
        }
        if let Some(e) = last_expr {
            match &e.kind {
                ExprKind::If { .. } | ExprKind::IfLet { .. } if lacks_value_path(e) => {
                    d = d
                        .with_secondary(
                            e.span,
                            "this `if` has no `else`: when its condition is false, no value is returned",
                        )
                        .with_help("add an `else` branch, or a `return` after the `if`");
                }
                ExprKind::If { .. } | ExprKind::IfLet { .. } => {
                    d = d.with_secondary(e.span, "a branch of this `if` ends without a value");
                }
                ExprKind::While { .. } | ExprKind::For { .. } => {
                    d = d
                        .with_secondary(e.span, "this loop can end, and nothing follows it")
                        .with_help("add a `return` after the loop");
                }
                _ => {}
            }
        }
        self.error(d);
    }
}

/// An `if` chain without a final `else`, or a loop.
fn lacks_value_path(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::If { else_: None, .. } | ExprKind::IfLet { else_: None, .. } => true,
        ExprKind::If { else_: Some(x), .. } | ExprKind::IfLet { else_: Some(x), .. } => {
            matches!(x.kind, ExprKind::If { .. } | ExprKind::IfLet { .. }) && lacks_value_path(x)
        }
        ExprKind::While { .. } | ExprKind::For { .. } => true,
        ExprKind::Paren(x) => lacks_value_path(x),
        _ => false,
    }
}

/// Tails whose `()` type means "no value on some path" rather than a wrong
/// value: control flow without a value.
fn valueless(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::If { .. }
        | ExprKind::IfLet { .. }
        | ExprKind::While { .. }
        | ExprKind::For { .. } => true,
        ExprKind::Block(b) => b.tail.as_deref().is_none_or(valueless),
        ExprKind::Paren(e) => valueless(e),
        _ => false,
    }
}

//! Statements: `let`, assignment (with mutability rules), expression
//! statements.

use super::expr::is_comparison;
use super::scope::LocalKind;
use super::{Checker, Item};
use crate::ast::{BinOp, Expr, ExprKind, Stmt, StmtKind};
use crate::diag::Diagnostic;
use crate::span::Span;
use crate::tir::{Place, TExpr, TStmt};
use crate::types::Type;

impl<'a> Checker<'a> {
    /// Check one statement; `None` for placeholders and unrecoverable
    /// errors (already reported).
    pub(crate) fn stmt(&mut self, s: &'a Stmt) -> Option<TStmt> {
        match &s.kind {
            StmtKind::Let {
                name,
                mutable,
                ty,
                init,
            } => {
                let (init, ty) = match ty {
                    Some(t) => {
                        let t = self.resolve_type(t);
                        (self.expr_coerce(init, &t), t)
                    }
                    None => {
                        let e = self.expr(init, None);
                        let t = e.ty.clone();
                        (e, t)
                    }
                };
                let local = self
                    .cx
                    .declare(&name.name, ty, *mutable, name.span, LocalKind::Let);
                Some(TStmt::Let { local, init })
            }
            StmtKind::Assign { target, op, value } => self.assign(target, *op, value, s.span),
            StmtKind::Expr { expr, .. } => Some(TStmt::Expr(self.expr(expr, None))),
            StmtKind::Error => {
                self.placeholders += 1;
                None
            }
        }
    }

    fn assign(
        &mut self,
        target: &'a Expr,
        op: Option<BinOp>,
        value: &'a Expr,
        span: Span,
    ) -> Option<TStmt> {
        let Some((place, ty)) = self.place(target) else {
            self.expr(value, Some(&Type::Never));
            return None;
        };
        let value = match op {
            None => self.expr_coerce(value, &ty),
            Some(op) => {
                let v = self.expr(value, Some(&ty));
                self.compound(op, &ty, v, span)
            }
        };
        Some(TStmt::Assign {
            place,
            op,
            value,
            span,
        })
    }

    /// The value of `place op= value`: same type as the place, and `op`
    /// defined on it.
    fn compound(&mut self, op: BinOp, ty: &Type, v: TExpr, span: Span) -> TExpr {
        if *ty == Type::Never || v.ty == Type::Never {
            return v;
        }
        let sym = op.symbol();
        let accepts = match op {
            BinOp::Add => matches!(ty, Type::Int | Type::Float | Type::Str),
            BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                matches!(ty, Type::Int | Type::Float)
            }
            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor | BinOp::Shl | BinOp::Shr => {
                *ty == Type::Int
            }
            _ => false,
        };
        if is_comparison(op) || matches!(op, BinOp::And | BinOp::Or | BinOp::Coalesce) {
            self.error(
                Diagnostic::error(
                    "E0202",
                    format!("`{sym}=` is not an assignment operator"),
                    span,
                )
                .with_label("invalid compound assignment"),
            );
            return TExpr {
                ty: Type::Never,
                ..v
            };
        }
        if !accepts {
            self.error(
                Diagnostic::error(
                    "E0202",
                    format!("cannot apply `{sym}=` to a place of type `{ty}`"),
                    span,
                )
                .with_label(format!("`{sym}` is not defined on `{ty}`")),
            );
            return TExpr {
                ty: Type::Never,
                ..v
            };
        }
        match self.try_coerce(v, ty) {
            Ok(v) if v.ty == *ty || v.ty == Type::Never => v,
            Ok(v) | Err(v) => {
                let d = Diagnostic::error(
                    "E0202",
                    format!("cannot apply `{sym}=` to `{ty}` and `{}`", v.ty),
                    v.span,
                )
                .with_label(format!("expected `{ty}`, found `{}`", v.ty))
                .with_note("both operands of an operator have the same type");
                let d = match super::expr::conversion_help(ty, &v) {
                    Some(h) => d.with_help(h),
                    None => d,
                };
                self.error(d);
                TExpr {
                    ty: Type::Never,
                    ..v
                }
            }
        }
    }

    /// Resolve an assignment target to a place and its type.
    fn place(&mut self, target: &'a Expr) -> Option<(Place, Type)> {
        match &target.kind {
            ExprKind::Paren(inner) => self.place(inner),
            ExprKind::Name(n) => self.name_place(n, target.span),
            ExprKind::Index { expr, index } => {
                let (base, index, ty) = self.index_parts(expr, index)?;
                Some((
                    Place::Index {
                        base: Box::new(base),
                        index: Box::new(index),
                    },
                    ty,
                ))
            }
            ExprKind::Field { expr, field } => {
                let base = self.expr(expr, None);
                let (struct_name, ty) = self.field_type(&base, field)?;
                Some((
                    Place::Field {
                        base: Box::new(base),
                        struct_name,
                        field: field.name.to_string(),
                    },
                    ty,
                ))
            }
            ExprKind::Error => None,
            _ => {
                self.error(
                    Diagnostic::error(
                        "E0304",
                        "invalid left-hand side of assignment",
                        target.span,
                    )
                    .with_label("cannot assign to this expression")
                    .with_note(
                        "you can assign to variables, array elements `a[i]`, map entries `m[k]` and fields `p.x`",
                    ),
                );
                self.expr(target, Some(&Type::Never));
                None
            }
        }
    }

    fn name_place(&mut self, n: &'a str, span: Span) -> Option<(Place, Type)> {
        if let Some(id) = self.cx.lookup(n) {
            let local = self.cx.local(id);
            let (ty, mutable, def) = (local.ty.clone(), local.mutable, local.span);
            if !mutable {
                let d = match self.cx.kind(id) {
                    LocalKind::Param => Diagnostic::error(
                        "E0302",
                        format!("cannot assign to parameter `{n}`"),
                        span,
                    )
                    .with_label("cannot assign to a parameter")
                    .with_secondary(def, format!("`{n}` is a parameter"))
                    .with_note("parameters are immutable")
                    .with_help(format!(
                        "copy it into a mutable local first: `let mut {n} = {n};`"
                    )),
                    LocalKind::Let => Diagnostic::error(
                        "E0301",
                        format!("cannot assign twice to immutable variable `{n}`"),
                        span,
                    )
                    .with_label("cannot assign twice")
                    .with_secondary(def, "first assigned here")
                    .with_help(format!("consider making it mutable: `let mut {n}`")),
                    LocalKind::LoopVar => Diagnostic::error(
                        "E0301",
                        format!("cannot assign to loop variable `{n}`"),
                        span,
                    )
                    .with_label("cannot assign")
                    .with_secondary(def, "declared by this loop")
                    .with_help(format!(
                        "copy it into a mutable local first: `let mut {n} = {n};`"
                    )),
                    LocalKind::IfLet => Diagnostic::error(
                        "E0301",
                        format!("cannot assign to `{n}`, bound by `if let`"),
                        span,
                    )
                    .with_label("cannot assign")
                    .with_secondary(def, "bound here")
                    .with_help(format!(
                        "copy it into a mutable local first: `let mut {n} = {n};`"
                    )),
                };
                self.error(d);
            }
            return Some((Place::Local(id), ty));
        }
        let (ty, mutable, def) = match self.values.get(n).copied() {
            Some(Item::Global(i)) => {
                let ty = self.global_type(i, span);
                let decl = self.global_decl(i);
                (ty, decl.mutable, Some(decl.name.span))
            }
            Some(Item::Fn(i)) => {
                let (decl, _) = self.fn_info(i);
                self.not_assignable(n, span, "function", Some(decl.name.span));
                return None;
            }
            None => match self.env.globals.get(n) {
                Some(g) => (g.ty.clone(), g.mutable, None),
                None => {
                    if self.env.functions.contains_key(n) {
                        self.not_assignable(n, span, "function", None);
                    } else if super::builtins::is_builtin(n) {
                        self.not_assignable(n, span, "standard function", None);
                    } else if self.env.hosts.contains_key(n) {
                        self.not_assignable(n, span, "host function", None);
                    } else {
                        // Reports the unknown name (with a suggestion).
                        self.unknown_name(n, span, false);
                    }
                    return None;
                }
            },
        };
        if !mutable {
            let mut d = Diagnostic::error(
                "E0303",
                format!("cannot assign to immutable global `{n}`"),
                span,
            )
            .with_label("cannot assign")
            .with_help(format!("declare it mutable: `let mut {n} = ...;`"));
            if let Some(def) = def {
                d = d.with_secondary(def, format!("`{n}` is declared here without `mut`"));
            }
            self.error(d);
        }
        Some((Place::Global(n.to_string()), ty))
    }

    fn not_assignable(&mut self, n: &str, span: Span, what: &str, def: Option<Span>) {
        let mut d = Diagnostic::error("E0304", format!("cannot assign to {what} `{n}`"), span)
            .with_label(format!("`{n}` is a {what}, not a variable"));
        if let Some(def) = def {
            d = d.with_secondary(def, "defined here");
        }
        self.error(d);
    }
}

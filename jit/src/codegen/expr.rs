//! The expression dispatcher, literals, locals, globals, blocks and
//! statements.

use cranelift_codegen::ir::{condcodes::IntCC, types, InstBuilder, Value};
use ember_lang::span::Span;
use ember_lang::tir::{Place, TBlock, TExpr, TExprKind, TStmt};
use ember_lang::types::Type;

use super::function::{trusted, FnTranslator};
use super::{clif_type, err, word_type, GlobalRef, Result};
use crate::runtime::builtins::RaiseCode;

/// Stack left before [`FnTranslator::expr`] switches to a new segment.
const STACK_RED_ZONE: usize = 128 * 1024;
/// Size of each new stack segment.
const STACK_GROW: usize = 4 * 1024 * 1024;

impl<'a, 'f> FnTranslator<'a, 'f> {
    /// Lower an expression. Returns its value, or `None` for `()` and for
    /// expressions that cannot complete (the builder is then positioned in
    /// a fresh unreachable block).
    pub fn expr(&mut self, e: &TExpr) -> Result<Option<Value>> {
        // Typed IR nests as deep as the parser allows; grow the stack on
        // demand rather than overflow it (debug builds use kilobytes per
        // level).
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROW, || self.expr_inner(e))
    }

    fn expr_inner(&mut self, e: &TExpr) -> Result<Option<Value>> {
        self.at(e.span);
        // An operand that cannot complete (`{ break; x } ?? 1`, `[{
        // return 2; 3 }]`): evaluate the operands before it, then it; the
        // rest is unreachable (the operand left a dead block). The checker
        // types such an expression `!`, except `??` and `if let`, which
        // take their type from the other side.
        let may_have_never_operand = e.ty == Type::Never
            || matches!(e.kind, TExprKind::Coalesce { .. } | TExprKind::IfLet { .. });
        if may_have_never_operand {
            if let Some(ops) = strict_operands(&e.kind) {
                if let Some(n) = ops.iter().position(|o| o.ty == Type::Never) {
                    for o in &ops[..=n] {
                        self.expr(o)?;
                    }
                    if clif_type(&e.ty).is_none() {
                        return Ok(None);
                    }
                    return Ok(Some(self.value_or_zero(None, &e.ty)));
                }
            }
        }
        let v = match &e.kind {
            TExprKind::Int(n) => Some(self.b.ins().iconst(types::I64, *n)),
            TExprKind::Float(x) => Some(self.b.ins().f64const(*x)),
            TExprKind::Bool(x) => Some(self.b.ins().iconst(types::I8, i64::from(*x))),
            TExprKind::Str(s) => {
                let addr = self.r.string_literal(s);
                Some(self.b.ins().iconst(types::I64, addr as i64))
            }
            TExprKind::Unit => None,
            TExprKind::None => Some(self.b.ins().iconst(types::I64, 0)),
            TExprKind::Some(inner) => self.translate_some(inner, e.span)?,
            TExprKind::Local(id) => self.var(*id).map(|v| self.b.use_var(v)),
            TExprKind::Global(name) => self.global_read(name, e.span)?,
            TExprKind::FnRef(name) => {
                let Some((slot, _)) = self.r.function(name) else {
                    return err(format!("internal error: unknown function `{name}`"));
                };
                Some(self.b.ins().iconst(types::I64, slot as i64))
            }
            TExprKind::Array(elems) => Some(self.translate_array(elems, &e.ty, e.span)?),
            TExprKind::ArrayRepeat { value, count } => {
                Some(self.translate_array_repeat(value, count, &e.ty, e.span)?)
            }
            TExprKind::MapLit(entries) => Some(self.translate_map_lit(entries, &e.ty, e.span)?),
            TExprKind::StructLit { name, fields } => {
                Some(self.translate_struct_lit(name, fields, e.span)?)
            }
            TExprKind::Unary { op, operand } => self.translate_unary(*op, operand, e.span)?,
            TExprKind::Binary { op, lhs, rhs } => self.translate_binary(*op, lhs, rhs, e.span)?,
            TExprKind::Coalesce { opt, default } => {
                self.translate_coalesce(opt, default, &e.ty, e.span)?
            }
            TExprKind::Cast { expr, to } => self.translate_cast(expr, to, e.span)?,
            TExprKind::Call { callee, args } => self.translate_call(callee, args, &e.ty, e.span)?,
            TExprKind::Field {
                expr,
                struct_name,
                field,
            } => self.translate_field(expr, struct_name, field, e.span)?,
            TExprKind::Index { expr, index } => self.translate_index(expr, index, &e.ty, e.span)?,
            TExprKind::Unwrap(inner) => self.translate_unwrap(inner, &e.ty, e.span)?,
            TExprKind::If { cond, then, else_ } => {
                self.translate_if(cond, then, else_.as_deref(), &e.ty)?
            }
            TExprKind::IfLet {
                local,
                value,
                then,
                else_,
            } => self.translate_if_let(*local, value, then, else_.as_deref(), &e.ty)?,
            TExprKind::While { cond, body } => {
                self.translate_while(cond, body, e.span)?;
                None
            }
            TExprKind::ForRange {
                var,
                lo,
                hi,
                inclusive,
                body,
            } => {
                self.translate_for_range(*var, lo, hi, *inclusive, body, e.span)?;
                None
            }
            TExprKind::ForArray { var, array, body } => {
                self.translate_for_array(*var, array, body, e.span)?;
                None
            }
            TExprKind::Block(block) => self.translate_block(block)?,
            TExprKind::Break => {
                self.translate_break()?;
                None
            }
            TExprKind::Continue => {
                self.translate_continue()?;
                None
            }
            TExprKind::Return(value) => {
                self.translate_return(value.as_deref())?;
                None
            }
            TExprKind::Spawn { callee, args } => Some(self.translate_spawn(callee, args, e.span)?),
        };
        if e.ty == Type::Never {
            // Cannot complete: whatever follows is unreachable.
            self.b
                .ins()
                .trap(cranelift_codegen::ir::TrapCode::unwrap_user(2));
            self.start_dead_block();
            return Ok(None);
        }
        if clif_type(&e.ty).is_none() {
            return Ok(None);
        }
        Ok(match v {
            Some(v) => Some(v),
            // Unreachable code (e.g. a `Never` operand): a placeholder.
            None => Some(self.value_or_zero(None, &e.ty)),
        })
    }

    /// Lower an expression whose value is needed as one word of `ty`.
    pub fn expr_value(&mut self, e: &TExpr) -> Result<Value> {
        let v = self.expr(e)?;
        Ok(self.value_or_zero(v, &e.ty))
    }

    pub fn translate_block(&mut self, block: &TBlock) -> Result<Option<Value>> {
        for s in &block.stmts {
            self.stmt(s)?;
        }
        match &block.tail {
            Some(tail) => self.expr(tail),
            None => Ok(None),
        }
    }

    pub fn stmt(&mut self, s: &TStmt) -> Result<()> {
        match s {
            TStmt::Let { local, init } => {
                let v = self.expr(init)?;
                if let Some(var) = self.var(*local) {
                    let ty = self.def.locals[local.0 as usize].ty.clone();
                    let v = self.value_or_zero(v, &ty);
                    self.b.def_var(var, v);
                }
            }
            TStmt::Expr(e) => {
                self.expr(e)?;
            }
            TStmt::Assign {
                place,
                op,
                value,
                span,
            } => self.translate_assign(place, *op, value, *span)?,
            TStmt::InitGlobal { name, value, span } => {
                let v = self.expr(value)?;
                let g = self.global_ref(name)?;
                self.at(*span);
                let cell = self.b.ins().iconst(types::I64, g.addr as i64);
                if clif_type(&g.ty).is_some() {
                    let v = self.value_or_zero(v, &g.ty);
                    self.store_word(v, cell, 0);
                }
                let one = self.b.ins().iconst(types::I64, 1);
                self.b.ins().store(trusted(), one, cell, 8);
            }
        }
        Ok(())
    }

    fn translate_assign(
        &mut self,
        place: &Place,
        op: Option<ember_lang::ast::BinOp>,
        value: &TExpr,
        span: Span,
    ) -> Result<()> {
        match place {
            Place::Local(id) => {
                let v = self.expr(value)?;
                let Some(var) = self.var(*id) else {
                    return Ok(());
                };
                let ty = self.def.locals[id.0 as usize].ty.clone();
                let v = self.value_or_zero(v, &ty);
                let v = match op {
                    None => v,
                    Some(op) => {
                        let cur = self.b.use_var(var);
                        self.at(span);
                        self.binary_values(op, &ty, cur, v, Some(value), span)?
                    }
                };
                self.b.def_var(var, v);
            }
            Place::Global(name) => {
                let v = self.expr(value)?;
                let g = self.global_ref(name)?;
                self.at(span);
                let cell = self.global_checked_cell(&g, name);
                if clif_type(&g.ty).is_none() {
                    return Ok(());
                }
                let v = self.value_or_zero(v, &g.ty);
                let v = match op {
                    None => v,
                    Some(op) => {
                        let cur = self.load_word(&g.ty, cell, 0);
                        self.binary_values(op, &g.ty, cur, v, Some(value), span)?
                    }
                };
                self.store_word(v, cell, 0);
            }
            Place::Index { base, index } => {
                self.translate_index_assign(base, index, op, value, span)?;
            }
            Place::Field {
                base,
                struct_name,
                field,
            } => {
                self.translate_field_assign(base, struct_name, field, op, value, span)?;
            }
        }
        Ok(())
    }

    pub fn global_ref(&mut self, name: &str) -> Result<GlobalRef> {
        match self.r.global(name) {
            Some(g) => Ok(g),
            None => err(format!("internal error: unknown global `{name}`")),
        }
    }

    /// The global's cell address, after checking it was initialized.
    fn global_checked_cell(&mut self, g: &GlobalRef, _name: &str) -> Value {
        let cell = self.b.ins().iconst(types::I64, g.addr as i64);
        let init = self.b.ins().load(types::I64, trusted(), cell, 8);
        let uninit = self.b.ins().icmp_imm_s(IntCC::Equal, init, 0);
        let id = g.id;
        self.check(uninit, RaiseCode::GlobalUninit, |t| {
            let a = t.b.ins().iconst(types::I64, i64::from(id));
            let z = t.b.ins().iconst(types::I64, 0);
            (a, z)
        });
        cell
    }

    /// Read a global afresh from memory.
    fn global_read(&mut self, name: &str, _span: Span) -> Result<Option<Value>> {
        let g = self.global_ref(name)?;
        let cell = self.global_checked_cell(&g, name);
        if clif_type(&g.ty).is_none() {
            return Ok(None);
        }
        let v = self.load_word(&g.ty, cell, 0);
        Ok(Some(self.root(v, &g.ty)))
    }

    /// Load a value of Ember type `ty` from a memory word.
    pub fn load_word(&mut self, ty: &Type, addr: Value, offset: i32) -> Value {
        let t = word_type(ty);
        let v = self.b.ins().load(t, trusted(), addr, offset);
        self.root(v, ty)
    }

    /// Store a value as a full memory word (`bool` zero-extended).
    pub fn store_word(&mut self, v: Value, addr: Value, offset: i32) {
        let t = self.b.func.dfg.value_type(v);
        let v = if t == types::I8 {
            self.b.ins().uextend(types::I64, v)
        } else {
            v
        };
        self.b.ins().store(trusted(), v, addr, offset);
    }
}

/// The operands of `kind` that are always evaluated, in evaluation order
/// (`None` for control flow and calls, which handle their own operands).
/// Only the left side of `&&` and `||` and the optional of `??` are
/// unconditional.
fn strict_operands(kind: &TExprKind) -> Option<Vec<&TExpr>> {
    use ember_lang::ast::BinOp;
    Some(match kind {
        TExprKind::Some(e)
        | TExprKind::Unwrap(e)
        | TExprKind::Unary { operand: e, .. }
        | TExprKind::Cast { expr: e, .. }
        | TExprKind::Field { expr: e, .. }
        | TExprKind::Coalesce { opt: e, .. }
        | TExprKind::IfLet { value: e, .. } => vec![&**e],
        TExprKind::Binary {
            op: BinOp::And | BinOp::Or,
            lhs,
            ..
        } => vec![&**lhs],
        TExprKind::Binary { lhs, rhs, .. } => vec![&**lhs, &**rhs],
        TExprKind::Index { expr, index } => vec![&**expr, &**index],
        TExprKind::Array(elems) => elems.iter().collect(),
        TExprKind::ArrayRepeat { value, count } => vec![&**value, &**count],
        TExprKind::MapLit(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
        TExprKind::StructLit { fields, .. } => fields.iter().map(|(_, v)| v).collect(),
        _ => return None,
    })
}

//! Operators and casts: integer arithmetic with the §4 error checks, IEEE
//! floats, comparisons, short-circuit logic, string operators (runtime
//! calls), `as`.

use cranelift_codegen::ir::{
    condcodes::{FloatCC, IntCC},
    types, InstBuilder, InstructionData, Opcode, Value, ValueDef,
};
use ember_lang::ast::{BinOp, UnOp};
use ember_lang::span::Span;
use ember_lang::tir::{TExpr, TExprKind};
use ember_lang::types::Type;

use super::function::FnTranslator;
use super::{err, Result};
use crate::runtime::builtins::{RaiseCode, RtFn};

impl<'a, 'f> FnTranslator<'a, 'f> {
    pub fn translate_unary(
        &mut self,
        op: UnOp,
        operand: &TExpr,
        span: Span,
    ) -> Result<Option<Value>> {
        let v = self.expr_value(operand)?;
        self.at(span);
        Ok(Some(match (op, &operand.ty) {
            (UnOp::Neg, Type::Float) => self.b.ins().fneg(v),
            (UnOp::Neg, _) => self.b.ins().ineg(v),
            (UnOp::Not, _) => self.b.ins().bxor_imm_s(v, 1),
        }))
    }

    pub fn translate_binary(
        &mut self,
        op: BinOp,
        lhs: &TExpr,
        rhs: &TExpr,
        span: Span,
    ) -> Result<Option<Value>> {
        match op {
            BinOp::And | BinOp::Or => return self.translate_logic(op, lhs, rhs).map(Some),
            BinOp::Coalesce => {
                return err("internal error: `??` as a binary operator");
            }
            _ => {}
        }
        if matches!(lhs.ty, Type::Optional(_)) {
            // `opt == none` / `opt != none` (the checker puts `none` right).
            let l = self.expr_value(lhs)?;
            self.expr(rhs)?;
            self.at(span);
            let cc = if op == BinOp::Eq {
                IntCC::Equal
            } else {
                IntCC::NotEqual
            };
            return Ok(Some(self.b.ins().icmp_imm_s(cc, l, 0)));
        }
        let l = self.expr_value(lhs)?;
        let r = self.expr_value(rhs)?;
        self.at(span);
        self.binary_values(op, &lhs.ty, l, r, Some(rhs), span)
            .map(Some)
    }

    /// `&&` / `||`, short-circuit.
    fn translate_logic(&mut self, op: BinOp, lhs: &TExpr, rhs: &TExpr) -> Result<Value> {
        let l = self.expr_value(lhs)?;
        let rhs_block = self.b.create_block();
        let merge = self.b.create_block();
        let res = self.b.append_block_param(merge, types::I8);
        if op == BinOp::And {
            self.b.ins().brif(l, rhs_block, &[], merge, &[l.into()]);
        } else {
            self.b.ins().brif(l, merge, &[l.into()], rhs_block, &[]);
        }
        self.b.switch_to_block(rhs_block);
        self.b.seal_block(rhs_block);
        let r = self.expr_value(rhs)?;
        self.b.ins().jump(merge, &[r.into()]);
        self.b.switch_to_block(merge);
        self.b.seal_block(merge);
        Ok(res)
    }

    /// Apply a binary operator to two computed operands of type `ty`.
    /// `rhs` (when known) lets constant divisors skip their checks.
    pub fn binary_values(
        &mut self,
        op: BinOp,
        ty: &Type,
        l: Value,
        r: Value,
        rhs: Option<&TExpr>,
        _span: Span,
    ) -> Result<Value> {
        match ty {
            Type::Int => Ok(self.int_binary(op, l, r, rhs)),
            Type::Float => self.float_binary(op, l, r),
            Type::Bool => Ok(match op {
                BinOp::Eq => self.b.ins().icmp(IntCC::Equal, l, r),
                BinOp::Ne => self.b.ins().icmp(IntCC::NotEqual, l, r),
                BinOp::BitAnd => self.b.ins().band(l, r),
                BinOp::BitOr => self.b.ins().bor(l, r),
                BinOp::BitXor => self.b.ins().bxor(l, r),
                _ => return err(format!("internal error: bool {}", op.symbol())),
            }),
            Type::Str => self.str_binary(op, l, r),
            other => err(format!(
                "internal error: operator {} on {other}",
                op.symbol()
            )),
        }
    }

    fn int_binary(&mut self, op: BinOp, l: Value, r: Value, rhs: Option<&TExpr>) -> Value {
        match op {
            BinOp::Add => self.b.ins().iadd(l, r),
            BinOp::Sub => self.b.ins().isub(l, r),
            BinOp::Mul => self.b.ins().imul(l, r),
            BinOp::Div | BinOp::Rem => {
                let constant = match rhs.map(|e| &e.kind) {
                    Some(TExprKind::Int(c)) => Some(*c),
                    _ => None,
                };
                let safe = matches!(constant, Some(c) if c != 0 && c != -1);
                if !safe {
                    let zero = self.b.ins().icmp_imm_s(IntCC::Equal, r, 0);
                    self.check0(zero, RaiseCode::DivZero);
                    let m1 = self.b.ins().icmp_imm_s(IntCC::Equal, r, -1);
                    let min = self.b.ins().icmp_imm_s(IntCC::Equal, l, i64::MIN);
                    let both = self.b.ins().band(m1, min);
                    self.check0(both, RaiseCode::Overflow);
                }
                if op == BinOp::Div {
                    self.b.ins().sdiv(l, r)
                } else {
                    self.b.ins().srem(l, r)
                }
            }
            BinOp::BitAnd => self.b.ins().band(l, r),
            BinOp::BitOr => self.b.ins().bor(l, r),
            BinOp::BitXor => self.b.ins().bxor(l, r),
            // Cranelift takes shift counts modulo the width: `n & 63`.
            BinOp::Shl => self.b.ins().ishl(l, r),
            BinOp::Shr => self.b.ins().sshr(l, r),
            BinOp::Eq => self.b.ins().icmp(IntCC::Equal, l, r),
            BinOp::Ne => self.b.ins().icmp(IntCC::NotEqual, l, r),
            BinOp::Lt => self.b.ins().icmp(IntCC::SignedLessThan, l, r),
            BinOp::Le => self.b.ins().icmp(IntCC::SignedLessThanOrEqual, l, r),
            BinOp::Gt => self.b.ins().icmp(IntCC::SignedGreaterThan, l, r),
            BinOp::Ge => self.b.ins().icmp(IntCC::SignedGreaterThanOrEqual, l, r),
            BinOp::And | BinOp::Or | BinOp::Coalesce => unreachable!("handled by the caller"),
        }
    }

    fn float_binary(&mut self, op: BinOp, l: Value, r: Value) -> Result<Value> {
        Ok(match op {
            BinOp::Add => self.b.ins().fadd(l, r),
            BinOp::Sub => self.b.ins().fsub(l, r),
            BinOp::Mul => self.float_mul(l, r),
            BinOp::Div => self.b.ins().fdiv(l, r),
            BinOp::Rem => self.call_rt(RtFn::FloatRem, &[l, r]).expect("fmod returns"),
            BinOp::Eq => self.b.ins().fcmp(FloatCC::Equal, l, r),
            BinOp::Ne => self.b.ins().fcmp(FloatCC::NotEqual, l, r),
            BinOp::Lt => self.b.ins().fcmp(FloatCC::LessThan, l, r),
            BinOp::Le => self.b.ins().fcmp(FloatCC::LessThanOrEqual, l, r),
            BinOp::Gt => self.b.ins().fcmp(FloatCC::GreaterThan, l, r),
            BinOp::Ge => self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, l, r),
            _ => return err(format!("internal error: float {}", op.symbol())),
        })
    }

    /// `x * 2.0` and `2.0 * x` become `x + x`: the same value for every
    /// `x` (exact doubling rounds the same way, and overflows to the same
    /// infinity), one cheap add instead of a multiply and a constant.
    fn float_mul(&mut self, l: Value, r: Value) -> Value {
        if self.f64_constant(r) == Some(2.0) {
            return self.b.ins().fadd(l, l);
        }
        if self.f64_constant(l) == Some(2.0) {
            return self.b.ins().fadd(r, r);
        }
        self.b.ins().fmul(l, r)
    }

    /// The value of `v` when it is an `f64const`.
    fn f64_constant(&self, v: Value) -> Option<f64> {
        let dfg = &self.b.func.dfg;
        let ValueDef::Result(inst, _) = dfg.value_def(v) else {
            return None;
        };
        match dfg.insts[inst] {
            InstructionData::UnaryIeee64 {
                opcode: Opcode::F64const,
                imm,
            } => Some(f64::from_bits(imm.bits())),
            _ => None,
        }
    }

    fn str_binary(&mut self, op: BinOp, l: Value, r: Value) -> Result<Value> {
        Ok(match op {
            BinOp::Add => self.call_rt_ty(RtFn::StrConcat, &[l, r], &Type::Str),
            BinOp::Eq => self.call_rt(RtFn::StrEq, &[l, r]).expect("returns"),
            BinOp::Ne => {
                let eq = self.call_rt(RtFn::StrEq, &[l, r]).expect("returns");
                self.b.ins().bxor_imm_s(eq, 1)
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let c = self.call_rt(RtFn::StrCmp, &[l, r]).expect("returns");
                let cc = match op {
                    BinOp::Lt => IntCC::SignedLessThan,
                    BinOp::Le => IntCC::SignedLessThanOrEqual,
                    BinOp::Gt => IntCC::SignedGreaterThan,
                    _ => IntCC::SignedGreaterThanOrEqual,
                };
                self.b.ins().icmp_imm_s(cc, c, 0)
            }
            _ => return err(format!("internal error: str {}", op.symbol())),
        })
    }

    pub fn translate_cast(&mut self, e: &TExpr, to: &Type, span: Span) -> Result<Option<Value>> {
        let v = self.expr(e)?;
        let Some(v) = v else {
            return Ok(None);
        };
        self.at(span);
        Ok(Some(match (&e.ty, to) {
            (Type::Int, Type::Float) => self.b.ins().fcvt_from_sint(types::F64, v),
            (Type::Float, Type::Int) => {
                // In range iff -2^63 <= x < 2^63 (NaN compares false).
                let lo = self.b.ins().f64const(-9_223_372_036_854_775_808.0);
                let hi = self.b.ins().f64const(9_223_372_036_854_775_808.0);
                let ge = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, v, lo);
                let lt = self.b.ins().fcmp(FloatCC::LessThan, v, hi);
                let ok = self.b.ins().band(ge, lt);
                let bad = self.b.ins().bxor_imm_s(ok, 1);
                self.check(bad, RaiseCode::InvalidCast, |t| {
                    let bits = t.b.ins().bitcast(
                        types::I64,
                        cranelift_codegen::ir::MemFlagsData::new(),
                        v,
                    );
                    let z = t.b.ins().iconst(types::I64, 0);
                    (bits, z)
                });
                self.b.ins().fcvt_to_sint_sat(types::I64, v)
            }
            (Type::Bool, Type::Int) => self.b.ins().uextend(types::I64, v),
            _ => v,
        }))
    }
}

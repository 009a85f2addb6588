//! Calls: user functions, host functions and function values through
//! their slots. Standard functions: language intrinsics are inlined (math
//! that is one CLIF instruction, `len`, the test of `assert`) or call
//! runtime functions; library functions (`runtime::host::LIBRARY`) call
//! the registered implementation through its slot, like host functions.

use cranelift_codegen::ir::{
    condcodes::{FloatCC, IntCC},
    types, InstBuilder, Value,
};
use ember_lang::span::Span;
use ember_lang::tir::{Builtin, Callee, TExpr};
use ember_lang::types::{FnType, Type};

use super::function::{trusted, FnTranslator};
use super::{err, Result};
use crate::runtime::builtins::RtFn;
use crate::runtime::host::library_signature;

impl<'a, 'f> FnTranslator<'a, 'f> {
    pub fn translate_call(
        &mut self,
        callee: &Callee,
        args: &[TExpr],
        ty: &Type,
        span: Span,
    ) -> Result<Option<Value>> {
        match callee {
            Callee::Function(name) => {
                let Some((slot, ft)) = self.r.function(name) else {
                    return err(format!("internal error: unknown function `{name}`"));
                };
                let argv = self.args(args)?;
                self.at(span);
                Ok(self.call_const_slot(slot, &ft, &argv, ty))
            }
            Callee::Host(name) => {
                let Some((slot, ft)) = self.r.host(name) else {
                    return err(format!("internal error: unknown host function `{name}`"));
                };
                let argv = self.args(args)?;
                self.at(span);
                Ok(self.call_const_slot(slot, &ft, &argv, ty))
            }
            Callee::Value(f) => {
                let Type::Fn(ft) = &f.ty else {
                    return err("internal error: call of a non-function value");
                };
                let ft = ft.clone();
                let slot_v = self.expr_value(f)?;
                let argv = self.args(args)?;
                self.at(span);
                Ok(self.call_slot(slot_v, &ft, &argv, ty))
            }
            Callee::Builtin(b) => self.translate_builtin(*b, args, ty, span),
        }
    }

    /// Lower call arguments left to right (`()` arguments passed as `i8` 0).
    pub fn args(&mut self, args: &[TExpr]) -> Result<Vec<Value>> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            out.push(self.expr_value(a)?);
        }
        Ok(out)
    }

    /// Call through the slot at the constant address `slot`. Each call
    /// site gets its own address constant (`slot - 8k` loaded at offset
    /// `8k`), so that the optimizer does not merge the constants of calls
    /// to the same function into one value kept alive in a callee-saved
    /// register across the calls (a recursive function's frame then saves
    /// one register less).
    pub fn call_const_slot(
        &mut self,
        slot: u64,
        ft: &FnType,
        args: &[Value],
        ty: &Type,
    ) -> Option<Value> {
        self.call_sites += 1;
        let k = 8 * (self.call_sites % 4096) as i64;
        let base = self.b.ins().iconst(types::I64, slot as i64 - k);
        let sig = self.ember_sig(ft);
        let entry = self.b.ins().load(types::I64, trusted(), base, k as i32);
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(self.ctx);
        all.extend_from_slice(args);
        let inst = self.b.ins().call_indirect(sig, entry, &all);
        let r = self.b.inst_results(inst).first().copied();
        r.map(|v| self.root(v, ty))
    }

    /// `call_indirect(load [slot], ctx, args..)`.
    pub fn call_slot(
        &mut self,
        slot: Value,
        ft: &FnType,
        args: &[Value],
        ty: &Type,
    ) -> Option<Value> {
        let sig = self.ember_sig(ft);
        let entry = self.b.ins().load(types::I64, trusted(), slot, 0);
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(self.ctx);
        all.extend_from_slice(args);
        let inst = self.b.ins().call_indirect(sig, entry, &all);
        let r = self.b.inst_results(inst).first().copied();
        r.map(|v| self.root(v, ty))
    }

    fn translate_builtin(
        &mut self,
        b: Builtin,
        args: &[TExpr],
        ty: &Type,
        span: Span,
    ) -> Result<Option<Value>> {
        use Builtin::*;
        // Builtins that need the argument types or special evaluation.
        match b {
            Print | Println | ToStr => return self.translate_print(b, &args[0], ty, span),
            Assert => {
                let c = self.expr_value(&args[0])?;
                let msg = self.expr_value(&args[1])?;
                self.at(span);
                let failed = self.b.ins().icmp_imm_s(IntCC::Equal, c, 0);
                let cold = self.b.create_block();
                let cont = self.b.create_block();
                self.b.ins().brif(failed, cold, &[], cont, &[]);
                self.b.set_cold_block(cold);
                self.b.switch_to_block(cold);
                self.b.seal_block(cold);
                // The library's `assert` is called only when the condition
                // is false (it does nothing otherwise).
                let no = self.b.ins().iconst(types::I8, 0);
                self.call_library(Assert, &[no, msg], &Type::Unit)?;
                self.b.ins().jump(cont, &[]);
                self.b.switch_to_block(cont);
                self.b.seal_block(cont);
                return Ok(None);
            }
            _ => {}
        }
        let argv = self.args(args)?;
        self.at(span);
        let v = match b {
            AbsInt => self.b.ins().iabs(argv[0]),
            AbsFloat => self.b.ins().fabs(argv[0]),
            MinInt => self.b.ins().smin(argv[0], argv[1]),
            MaxInt => self.b.ins().smax(argv[0], argv[1]),
            MinFloat | MaxFloat => {
                // Rust's f64::min/max: a NaN operand gives the other one.
                let (x, y) = (argv[0], argv[1]);
                let cc = if b == MinFloat {
                    FloatCC::LessThan
                } else {
                    FloatCC::GreaterThan
                };
                let better = self.b.ins().fcmp(cc, y, x);
                let r = self.b.ins().select(better, y, x);
                let x_nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
                self.b.ins().select(x_nan, y, r)
            }
            Sqrt => self.b.ins().sqrt(argv[0]),
            Floor if self.native_round => self.b.ins().floor(argv[0]),
            Ceil if self.native_round => self.b.ins().ceil(argv[0]),
            LenStr => {
                let s = argv[0];
                self.b.ins().load(types::I64, trusted(), s, STR_LEN)
            }
            LenArray => self.array_len(argv[0]),
            _ if library_signature(b).is_some() => return self.call_library(b, &argv, ty),
            _ => return self.translate_rt_builtin(b, args, &argv, ty),
        };
        Ok(Some(v))
    }

    /// Call library function `b` (registered through the host-function
    /// interface) through its slot; the result is a value of type `ty`.
    pub fn call_library(&mut self, b: Builtin, argv: &[Value], ty: &Type) -> Result<Option<Value>> {
        let Some((slot, ft)) = self.r.builtin(b) else {
            return err(format!(
                "internal error: standard function `{}` is not installed",
                b.name()
            ));
        };
        Ok(self.call_const_slot(slot, &ft, argv, ty))
    }
}

use crate::runtime::heap::object::STR_LEN_OFFSET as STR_LEN;

/// The runtime function implementing a language intrinsic that is not
/// inlined.
pub(crate) fn rt_for_builtin(b: Builtin) -> Option<RtFn> {
    use Builtin::*;
    Some(match b {
        LenMap => RtFn::MapLen,
        Push => RtFn::ArrayPush,
        Pop => RtFn::ArrayPop,
        Get => RtFn::MapGetOpt,
        Has => RtFn::MapHas,
        Remove => RtFn::MapRemove,
        Keys => RtFn::MapKeys,
        Values => RtFn::MapValues,
        Floor => RtFn::Floor,
        Ceil => RtFn::Ceil,
        Send => RtFn::ChanSend,
        Recv => RtFn::ChanRecv,
        JoinTask => RtFn::JoinTask,
        MapNew => RtFn::MapNew,
        ChanNew => RtFn::ChanNew,
        _ => return None,
    })
}

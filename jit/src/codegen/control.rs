//! Control flow: `if`, `if let`, `while`, `for` over ranges and arrays,
//! `break`, `continue`, `return`. Loops poll for safe points on every
//! back-edge.

use cranelift_codegen::ir::{condcodes::IntCC, types, Block, InstBuilder, Value};
use ember_lang::span::Span;
use ember_lang::tir::{LocalId, TExpr};
use ember_lang::types::Type;

use super::function::{FnTranslator, LoopTarget};
use super::{clif_type, err, Result};

impl<'a, 'f> FnTranslator<'a, 'f> {
    pub fn translate_if(
        &mut self,
        cond: &TExpr,
        then: &TExpr,
        else_: Option<&TExpr>,
        ty: &Type,
    ) -> Result<Option<Value>> {
        let c = self.expr_value(cond)?;
        let then_b = self.b.create_block();
        let else_b = self.b.create_block();
        let merge = self.b.create_block();
        let result_ty = clif_type(ty);
        let res = result_ty.map(|t| self.b.append_block_param(merge, t));
        self.b.ins().brif(c, then_b, &[], else_b, &[]);

        self.b.switch_to_block(then_b);
        self.b.seal_block(then_b);
        self.finish_branches(then, else_, else_b, merge, res, ty)
    }

    /// The shared end of `if` and `if let`, with the builder in the `then`
    /// block: lower `then` and jump to `merge`; lower `else_` (if any) in
    /// `else_b` and jump to `merge`; continue in `merge`, whose parameter
    /// `res` (if the result has a value) is the result.
    fn finish_branches(
        &mut self,
        then: &TExpr,
        else_: Option<&TExpr>,
        else_b: Block,
        merge: Block,
        res: Option<Value>,
        ty: &Type,
    ) -> Result<Option<Value>> {
        let v = self.expr(then)?;
        self.jump_with(merge, v, ty);

        self.b.switch_to_block(else_b);
        self.b.seal_block(else_b);
        let v = match else_ {
            Some(e) => self.expr(e)?,
            None => None,
        };
        self.jump_with(merge, v, ty);

        self.b.switch_to_block(merge);
        self.b.seal_block(merge);
        Ok(res.map(|r| self.root(r, ty)))
    }

    /// Lower a loop body in which `continue` jumps to `latch` and `break` to
    /// `exit`, then continue in `latch` (where every loop polls and steps).
    fn loop_body(&mut self, body: &TExpr, latch: Block, exit: Block) -> Result<()> {
        self.loops.push(LoopTarget {
            continue_block: latch,
            break_block: exit,
        });
        self.expr(body)?;
        self.loops.pop();
        self.b.ins().jump(latch, &[]);

        self.b.switch_to_block(latch);
        self.b.seal_block(latch);
        Ok(())
    }

    /// End a loop iteration at the back-edge: poll, jump to `header` (now
    /// complete, so sealed), and continue after the loop in `exit`.
    fn close_loop(&mut self, header: Block, exit: Block, span: Span) {
        self.poll_backedge(span);
        self.b.ins().jump(header, &[]);
        self.b.seal_block(header);

        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
    }

    /// The loop test: leave for `exit` when `done`, else run `body`.
    ///
    /// The body is the branch's second target on purpose: Cranelift lays
    /// blocks out in reverse post-order, which puts a branch's *second*
    /// target right after it. So the body follows the test and an
    /// iteration takes one jump (the back-edge) instead of two; in
    /// `calls` (`add1` called in a loop) that is one taken branch of four.
    fn enter_or_exit(&mut self, done: Value, exit: Block, body: Block) {
        self.b.ins().brif(done, exit, &[], body, &[]);
    }

    /// Jump to `merge`, passing `v` if the merge block takes a value of `ty`.
    fn jump_with(&mut self, merge: Block, v: Option<Value>, ty: &Type) {
        if clif_type(ty).is_some() {
            let v = self.value_or_zero(v, ty);
            self.b.ins().jump(merge, &[v.into()]);
        } else {
            self.b.ins().jump(merge, &[]);
        }
    }

    pub fn translate_if_let(
        &mut self,
        local: LocalId,
        value: &TExpr,
        then: &TExpr,
        else_: Option<&TExpr>,
        ty: &Type,
    ) -> Result<Option<Value>> {
        let opt = self.expr_value(value)?;
        let Type::Optional(inner) = &value.ty else {
            return err("internal error: `if let` on a non-optional");
        };
        let inner = (**inner).clone();
        let then_b = self.b.create_block();
        let else_b = self.b.create_block();
        let merge = self.b.create_block();
        let res = clif_type(ty).map(|t| self.b.append_block_param(merge, t));
        self.b.ins().brif(opt, then_b, &[], else_b, &[]);

        self.b.switch_to_block(then_b);
        self.b.seal_block(then_b);
        let payload = self.optional_payload(opt, &inner);
        if let (Some(var), Some(p)) = (self.var(local), payload) {
            self.b.def_var(var, p);
        }
        self.finish_branches(then, else_, else_b, merge, res, ty)
    }

    pub fn translate_while(&mut self, cond: &TExpr, body: &TExpr, span: Span) -> Result<()> {
        let header = self.b.create_block();
        let body_b = self.b.create_block();
        let latch = self.b.create_block();
        let exit = self.b.create_block();
        self.b.ins().jump(header, &[]);

        self.b.switch_to_block(header);
        let c = self.expr_value(cond)?;
        let done = self.b.ins().icmp_imm_s(IntCC::Equal, c, 0);
        self.enter_or_exit(done, exit, body_b);

        self.b.switch_to_block(body_b);
        self.b.seal_block(body_b);
        self.loop_body(body, latch, exit)?;
        self.close_loop(header, exit, span);
        Ok(())
    }

    pub fn translate_for_range(
        &mut self,
        var: LocalId,
        lo: &TExpr,
        hi: &TExpr,
        inclusive: bool,
        body: &TExpr,
        span: Span,
    ) -> Result<()> {
        let lo = self.expr_value(lo)?;
        let hi = self.expr_value(hi)?;
        self.at(span);
        // The counter is hidden: assigning the loop variable in the body
        // does not change the iteration.
        let ctr = self.b.declare_var(types::I64);
        self.b.def_var(ctr, lo);
        let header = self.b.create_block();
        let body_b = self.b.create_block();
        let latch = self.b.create_block();
        let exit = self.b.create_block();

        if inclusive {
            // `lo..=hi`: test once, then leave after the iteration with
            // i == hi (no overflow at i64::MAX).
            let empty = self.b.ins().icmp(IntCC::SignedGreaterThan, lo, hi);
            self.b.ins().brif(empty, exit, &[], header, &[]);
            self.b.switch_to_block(header);
            self.b.ins().jump(body_b, &[]);
        } else {
            self.b.ins().jump(header, &[]);
            self.b.switch_to_block(header);
            let i = self.b.use_var(ctr);
            let done = self.b.ins().icmp(IntCC::SignedGreaterThanOrEqual, i, hi);
            self.enter_or_exit(done, exit, body_b);
        }

        self.b.switch_to_block(body_b);
        self.b.seal_block(body_b);
        let i = self.b.use_var(ctr);
        if let Some(v) = self.var(var) {
            self.b.def_var(v, i);
        }
        self.loop_body(body, latch, exit)?;
        self.at(span);
        let i = self.b.use_var(ctr);
        if inclusive {
            let last = self.b.ins().icmp(IntCC::Equal, i, hi);
            let inc = self.b.create_block();
            self.b.ins().brif(last, exit, &[], inc, &[]);
            self.b.switch_to_block(inc);
            self.b.seal_block(inc);
        }
        let next = self.b.ins().iadd_imm_s(i, 1);
        self.b.def_var(ctr, next);
        self.close_loop(header, exit, span);
        Ok(())
    }

    pub fn translate_for_array(
        &mut self,
        var: LocalId,
        array: &TExpr,
        body: &TExpr,
        span: Span,
    ) -> Result<()> {
        let arr = self.expr_value(array)?;
        let Type::Array(elem) = &array.ty else {
            return err("internal error: `for in` over a non-array");
        };
        let elem = (**elem).clone();
        self.at(span);
        let ctr = self.b.declare_var(types::I64);
        let zero = self.b.ins().iconst(types::I64, 0);
        self.b.def_var(ctr, zero);
        // Keep the array alive (and visible to the collector) for the loop.
        let arr_var = self.b.declare_var(types::I64);
        self.b.declare_var_needs_stack_map(arr_var);
        self.b.def_var(arr_var, arr);
        let header = self.b.create_block();
        let body_b = self.b.create_block();
        let latch = self.b.create_block();
        let exit = self.b.create_block();
        self.b.ins().jump(header, &[]);

        self.b.switch_to_block(header);
        let i = self.b.use_var(ctr);
        let a = self.b.use_var(arr_var);
        let len = self.array_len(a);
        let done = self.b.ins().icmp(IntCC::SignedGreaterThanOrEqual, i, len);
        self.enter_or_exit(done, exit, body_b);

        self.b.switch_to_block(body_b);
        self.b.seal_block(body_b);
        let i = self.b.use_var(ctr);
        let a = self.b.use_var(arr_var);
        let v = self.array_get_unchecked(a, i, &elem);
        if let (Some(var), Some(v)) = (self.var(var), v) {
            self.b.def_var(var, v);
        }
        self.loop_body(body, latch, exit)?;
        self.at(span);
        let i = self.b.use_var(ctr);
        let next = self.b.ins().iadd_imm_s(i, 1);
        self.b.def_var(ctr, next);
        self.close_loop(header, exit, span);
        Ok(())
    }

    pub fn translate_break(&mut self) -> Result<()> {
        let Some(target) = self.loops.last().copied() else {
            return err("internal error: `break` outside a loop");
        };
        self.b.ins().jump(target.break_block, &[]);
        self.start_dead_block();
        Ok(())
    }

    pub fn translate_continue(&mut self) -> Result<()> {
        let Some(target) = self.loops.last().copied() else {
            return err("internal error: `continue` outside a loop");
        };
        self.b.ins().jump(target.continue_block, &[]);
        self.start_dead_block();
        Ok(())
    }

    pub fn translate_return(&mut self, value: Option<&TExpr>) -> Result<()> {
        let v = match value {
            Some(e) => self.expr(e)?,
            None => None,
        };
        let ret = self.def.sig.ret.clone();
        if clif_type(&ret).is_some() {
            let v = self.value_or_zero(v, &ret);
            self.ret(&[v]);
        } else {
            self.ret(&[]);
        }
        self.start_dead_block();
        Ok(())
    }
}

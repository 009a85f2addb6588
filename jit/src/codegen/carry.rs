//! Loop-carried reuse: a product computed from a loop's variables at the
//! top of an iteration, when the previous iteration already computed the
//! same product of the values it passed on, is carried across the
//! back-edge in a new block parameter instead of being computed again.
//!
//! ```text
//! loop:  zr, zi (block params)         loop:  zr, zi, zr2 (block params)
//!   a = fmul zr, zr                      ;  a is zr2
//!   ...                                  ...
//!   t = fmul tr, tr                      t = fmul tr, tr
//!   jump loop(tr, ti)                    jump loop(tr, ti, t)
//! ```
//!
//! Cranelift's GVN cannot see this (`zr` and `tr` are different values:
//! the equality holds only across the back-edge); LuaJIT gets it from loop
//! peeling, GCC from predictive commoning. Mandelbrot's `zr * zr` and
//! `zi * zi` are the case in point.
//!
//! It runs on the translated function before Cranelift compiles it
//! ([`super::Tier::Optimized`] only). Only float `fadd`/`fsub`/`fmul` and
//! integer `imul` are carried: pure, never trapping, and never pointer
//! arithmetic (a carried derived pointer could outlive the stack-map root
//! of its base). The value is exactly the one the removed instruction would
//! have computed (same operation on the same operands), so results are
//! unchanged bit for bit.

use std::collections::HashMap;

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::dominator_tree::DominatorTree;
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::{Block, BlockCall};
use cranelift_codegen::ir::{
    BlockArg, Function, Inst, InstBuilder, InstructionData, Opcode, Type, Value, ValueDef,
};

/// Most values carried per loop (each is a register live around it).
const MAX_CARRIED_PER_LOOP: usize = 4;

/// A binary operation and its operands, as a lookup key.
type Key = (Opcode, Type, Value, Value);

/// Apply loop-carried reuse to every loop of `func`.
pub fn carry_loop_products(func: &mut Function) {
    let cfg = ControlFlowGraph::with_function(func);
    let domtree = DominatorTree::with_function(func, &cfg);
    let headers: Vec<Block> = func
        .layout
        .blocks()
        .filter(|&b| func.dfg.num_block_params(b) > 0)
        .collect();
    for header in headers {
        let Some(lp) = Loop::find(func, &cfg, &domtree, header) else {
            continue;
        };
        lp.carry(func, &cfg, &domtree);
    }
}

/// A loop with one back-edge, a `jump` from `latch` to `header`.
struct Loop {
    header: Block,
    back_jump: Inst,
    /// The branches entering the loop from outside.
    entries: Vec<Inst>,
}

impl Loop {
    fn find(
        func: &Function,
        cfg: &ControlFlowGraph,
        domtree: &DominatorTree,
        header: Block,
    ) -> Option<Loop> {
        let mut back = None;
        let mut entries = Vec::new();
        for pred in cfg.pred_iter(header) {
            let data = &func.dfg.insts[pred.inst];
            if domtree.block_dominates(header, pred.block) {
                // A second back-edge, or one that is not a plain jump.
                if back.is_some() || data.opcode() != Opcode::Jump {
                    return None;
                }
                back = Some(pred.inst);
            } else {
                if !matches!(data.opcode(), Opcode::Jump | Opcode::Brif) {
                    return None;
                }
                entries.push(pred.inst);
            }
        }
        let back_jump = back?;
        if !domtree.is_reachable(header) {
            return None;
        }
        if entries.is_empty() {
            return None;
        }
        Some(Loop {
            header,
            back_jump,
            entries,
        })
    }

    /// The argument each branch in `br` passes to the header, by parameter.
    fn args_to_header(&self, func: &Function, br: Inst) -> Option<Vec<Value>> {
        let pool = &func.dfg.value_lists;
        let dests = func.dfg.insts[br]
            .branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables);
        let mut found: Option<Vec<Value>> = None;
        for call in dests.iter().filter(|c| c.block(pool) == self.header) {
            let args: Option<Vec<Value>> = call
                .args(pool)
                .map(|a| match a {
                    BlockArg::Value(v) => Some(func.dfg.resolve_aliases(v)),
                    _ => None,
                })
                .collect();
            let args = args?;
            // A `brif` with both edges to the header must agree.
            if found.as_ref().is_some_and(|f| *f != args) {
                return None;
            }
            found = Some(args);
        }
        found
    }

    fn carry(&self, func: &mut Function, cfg: &ControlFlowGraph, domtree: &DominatorTree) {
        let params: Vec<Value> = func.dfg.block_params(self.header).to_vec();
        let Some(back_args) = self.args_to_header(func, self.back_jump) else {
            return;
        };
        let mut entry_args = Vec::new();
        for &br in &self.entries {
            let Some(args) = self.args_to_header(func, br) else {
                return;
            };
            entry_args.push(args);
        }
        let param_index: HashMap<Value, usize> =
            params.iter().enumerate().map(|(i, &p)| (p, i)).collect();
        let invariant = |func: &Function, v: Value| -> bool {
            match func.dfg.value_def(v) {
                ValueDef::Result(inst, _) => func
                    .layout
                    .inst_block(inst)
                    .is_some_and(|b| b != self.header && domtree.block_dominates(b, self.header)),
                ValueDef::Param(b, _) => {
                    b != self.header && domtree.block_dominates(b, self.header)
                }
                _ => false,
            }
        };
        // Operands of a candidate: header parameters or loop invariants.
        let is_operand =
            |func: &Function, v: Value| param_index.contains_key(&v) || invariant(func, v);

        // Every carriable operation in the function, by its operands.
        let mut by_key: HashMap<Key, Inst> = HashMap::new();
        let mut candidates = Vec::new();
        for block in func.layout.blocks() {
            for inst in func.layout.block_insts(block) {
                let Some(key) = carriable(func, inst) else {
                    continue;
                };
                by_key.entry(key).or_insert(inst);
                if domtree.block_dominates(self.header, block)
                    && is_operand(func, key.2)
                    && is_operand(func, key.3)
                    && (param_index.contains_key(&key.2) || param_index.contains_key(&key.3))
                {
                    candidates.push((inst, key));
                }
            }
        }

        let back_next: Vec<Value> = back_args
            .iter()
            .map(|&v| same_on_reachable_edges(func, cfg, domtree, v))
            .collect();
        let next = |v: Value| param_index.get(&v).map_or(v, |&i| back_next[i]);
        // The header parameter carrying each product (a product written
        // twice in the loop shares one).
        let mut carried: HashMap<Key, Value> = HashMap::new();
        for (inst, key) in candidates {
            let (op, ty, a, b) = key;
            if let Some(&q) = carried.get(&key) {
                replace_with(func, inst, q);
                continue;
            }
            if carried.len() == MAX_CARRIED_PER_LOOP {
                break;
            }
            let (na, nb) = (next(a), next(b));
            if (na, nb) == (a, b) {
                continue; // the same value every iteration: GVN's business
            }
            let found = by_key.get(&(op, ty, na, nb)).or_else(|| {
                commutes(op)
                    .then(|| by_key.get(&(op, ty, nb, na)))
                    .flatten()
            });
            let Some(&prev) = found else { continue };
            // The previous iteration's product must be computed on every
            // path to the back-edge, and must not be a candidate itself.
            if prev == inst
                || !domtree.dominates(prev, self.back_jump, &func.layout)
                || (is_operand(func, na) && is_operand(func, nb))
            {
                continue;
            }
            let prev_value = func.dfg.first_result(prev);
            let q = func.dfg.append_block_param(self.header, ty);
            append_header_arg(func, self.back_jump, self.header, prev_value);
            for (k, &br) in self.entries.iter().enumerate() {
                let at = |v: Value| param_index.get(&v).map_or(v, |&i| entry_args[k][i]);
                let (ea, eb) = (at(a), at(b));
                let mut cur = FuncCursor::new(func).at_inst(br);
                let (first, dfg) = cur.ins().Binary(op, ty, ea, eb);
                let v = dfg.first_result(first);
                append_header_arg(func, br, self.header, v);
            }
            replace_with(func, inst, q);
            carried.insert(key, q);
        }
    }
}

/// Remove `inst` and make its result an alias of `q`.
fn replace_with(func: &mut Function, inst: Inst, q: Value) {
    let old = func.dfg.first_result(inst);
    func.layout.remove_inst(inst);
    func.dfg.detach_inst_results(inst);
    func.dfg.change_to_alias(old, q);
}

/// `v`, or the value it always equals: a block parameter that every
/// reachable predecessor sets to the same value is that value. Blocks
/// after a `break` or `return` are unreachable but still pass zeros to
/// the merge after an `if`, which hides what the loop passes on.
fn same_on_reachable_edges(
    func: &Function,
    cfg: &ControlFlowGraph,
    domtree: &DominatorTree,
    mut v: Value,
) -> Value {
    for _ in 0..8 {
        v = func.dfg.resolve_aliases(v);
        let ValueDef::Param(block, index) = func.dfg.value_def(v) else {
            return v;
        };
        let mut only = None;
        for pred in cfg.pred_iter(block) {
            if !domtree.is_reachable(pred.block) {
                continue;
            }
            let pool = &func.dfg.value_lists;
            let dests = func.dfg.insts[pred.inst]
                .branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables);
            for call in dests.iter().filter(|c| c.block(pool) == block) {
                let Some(BlockArg::Value(w)) = call.args(pool).nth(index) else {
                    return v;
                };
                let w = func.dfg.resolve_aliases(w);
                if w == v {
                    continue;
                }
                match only {
                    None => only = Some(w),
                    Some(o) if o == w => {}
                    Some(_) => return v,
                }
            }
        }
        match only {
            Some(w) => v = w,
            None => return v,
        }
    }
    v
}

/// `inst` as a lookup key if it is an operation this pass may carry.
fn carriable(func: &Function, inst: Inst) -> Option<Key> {
    let InstructionData::Binary { opcode, args } = func.dfg.insts[inst] else {
        return None;
    };
    if !matches!(
        opcode,
        Opcode::Fadd | Opcode::Fsub | Opcode::Fmul | Opcode::Imul
    ) {
        return None;
    }
    let result = func.dfg.first_result(inst);
    let ty = func.dfg.value_type(result);
    let a = func.dfg.resolve_aliases(args[0]);
    let b = func.dfg.resolve_aliases(args[1]);
    Some((opcode, ty, a, b))
}

/// IEEE addition and multiplication commute exactly, as do integers'.
fn commutes(op: Opcode) -> bool {
    matches!(op, Opcode::Fadd | Opcode::Fmul | Opcode::Imul)
}

/// Append `v` to the arguments `br` passes to `header` (on every edge of
/// `br` that goes there).
fn append_header_arg(func: &mut Function, br: Inst, header: Block, v: Value) {
    let dfg = &mut func.dfg;
    let dests: &mut [BlockCall] =
        dfg.insts[br].branch_destination_mut(&mut dfg.jump_tables, &mut dfg.exception_tables);
    for call in dests {
        if call.block(&dfg.value_lists) == header {
            call.append_argument(v, &mut dfg.value_lists);
        }
    }
}

#[cfg(test)]
mod tests {
    use cranelift_codegen::ir::{condcodes::IntCC, types, AbiParam, Signature};
    use cranelift_codegen::isa::CallConv;
    use cranelift_codegen::settings;
    use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

    use super::*;

    /// `z = 0; for i < n { a = OP(z, z); t = a + 1; z = t; [if GUARD] c = OP(t, t) }`
    /// returning `a + c`. With `guarded`, the next product is computed on
    /// one branch only.
    fn square_loop(op: Opcode, ty: Type, guarded: bool) -> Function {
        let mut func = Function::new();
        let mut sig = Signature::new(CallConv::SystemV);
        sig.params.push(AbiParam::new(types::I64));
        sig.returns.push(AbiParam::new(ty));
        func.signature = sig;
        let mut fctx = FunctionBuilderContext::new();
        let mut b = FunctionBuilder::new(&mut func, &mut fctx);
        let (entry, head, body, latch, exit) = (
            b.create_block(),
            b.create_block(),
            b.create_block(),
            b.create_block(),
            b.create_block(),
        );
        b.append_block_params_for_function_params(entry);
        let z = b.append_block_param(head, ty);
        let i = b.append_block_param(head, types::I64);
        let c_in = b.append_block_param(latch, ty);
        b.switch_to_block(entry);
        let n = b.block_params(entry)[0];
        let (zero, one) = if ty.is_float() {
            (b.ins().f64const(0.0), b.ins().f64const(1.0))
        } else {
            (b.ins().iconst(ty, 0), b.ins().iconst(ty, 1))
        };
        let i0 = b.ins().iconst(types::I64, 0);
        b.ins().jump(head, &[zero.into(), i0.into()]);
        b.switch_to_block(head);
        let more = b.ins().icmp(IntCC::SignedLessThan, i, n);
        b.ins().brif(more, body, &[], exit, &[]);
        b.switch_to_block(body);
        let (a, dfg) = b.ins().Binary(op, ty, z, z);
        let a = dfg.first_result(a);
        let t = if ty.is_float() {
            b.ins().fadd(a, one)
        } else {
            b.ins().iadd(a, one)
        };
        if guarded {
            let odd = b.ins().band_imm_s(i, 1);
            let then = b.create_block();
            b.ins().brif(odd, then, &[], latch, &[zero.into()]);
            b.switch_to_block(then);
        }
        let (c, dfg) = b.ins().Binary(op, ty, t, t);
        let c = dfg.first_result(c);
        b.ins().jump(latch, &[c.into()]);
        b.switch_to_block(latch);
        let i1 = b.ins().iadd_imm_s(i, 1);
        b.ins().jump(head, &[t.into(), i1.into()]);
        b.switch_to_block(exit);
        b.ins().return_(&[z]);
        let _ = c_in;
        b.seal_all_blocks();
        b.finalize(
            super::super::isa_by_name("x86_64")
                .unwrap()
                .frontend_config(),
        );
        func
    }

    fn count_op(func: &Function, op: Opcode) -> usize {
        func.layout
            .blocks()
            .flat_map(|b| func.layout.block_insts(b))
            .filter(|&i| func.dfg.insts[i].opcode() == op)
            .count()
    }

    fn verify(func: &Function) {
        let flags = settings::Flags::new(settings::builder());
        cranelift_codegen::verify_function(func, &flags).expect("valid after the pass");
    }

    #[test]
    fn carries_a_square_computed_before_the_back_edge() {
        let mut func = square_loop(Opcode::Fmul, types::F64, false);
        let head_params = |f: &Function| {
            let head = f.layout.blocks().nth(1).unwrap();
            f.dfg.num_block_params(head)
        };
        assert_eq!((count_op(&func, Opcode::Fmul), head_params(&func)), (2, 2));
        carry_loop_products(&mut func);
        verify(&func);
        // `z * z` in the loop is gone; its value for the first iteration
        // is computed on the entry edge, and the header carries it.
        assert_eq!(head_params(&func), 3);
        let entry = func.layout.entry_block().unwrap();
        let in_entry = func
            .layout
            .block_insts(entry)
            .filter(|&i| func.dfg.insts[i].opcode() == Opcode::Fmul)
            .count();
        assert_eq!((count_op(&func, Opcode::Fmul), in_entry), (2, 1));
    }

    #[test]
    fn a_product_written_twice_shares_one_carried_value() {
        let mut func = square_loop(Opcode::Fmul, types::F64, false);
        // A second `z * z` right after the first.
        let first = func
            .layout
            .blocks()
            .flat_map(|b| func.layout.block_insts(b))
            .find(|&i| func.dfg.insts[i].opcode() == Opcode::Fmul)
            .unwrap();
        let z = func.dfg.inst_args(first)[0];
        let next = func.layout.next_inst(first).unwrap();
        FuncCursor::new(&mut func).at_inst(next).ins().fmul(z, z);
        carry_loop_products(&mut func);
        verify(&func);
        let head = func.layout.blocks().nth(1).unwrap();
        assert_eq!(func.dfg.num_block_params(head), 3);
        assert_eq!(count_op(&func, Opcode::Fmul), 2);
    }

    #[test]
    fn carries_integer_products() {
        let mut func = square_loop(Opcode::Imul, types::I64, false);
        carry_loop_products(&mut func);
        verify(&func);
        let entry = func.layout.entry_block().unwrap();
        assert!(func
            .layout
            .block_insts(entry)
            .any(|i| func.dfg.insts[i].opcode() == Opcode::Imul));
    }

    #[test]
    fn leaves_a_product_computed_on_one_path_only() {
        let mut func = square_loop(Opcode::Fmul, types::F64, true);
        let before = func.display().to_string();
        carry_loop_products(&mut func);
        verify(&func);
        assert_eq!(func.display().to_string(), before);
    }

    #[test]
    fn never_carries_additions_of_integers() {
        // `iadd` may be pointer arithmetic: a carried derived pointer
        // could outlive its base's stack-map root.
        let mut func = square_loop(Opcode::Iadd, types::I64, false);
        let before = func.display().to_string();
        carry_loop_products(&mut func);
        assert_eq!(func.display().to_string(), before);
    }
}

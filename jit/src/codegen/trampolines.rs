//! Entry wrappers and exit trampolines (RUNTIME.md).
//!
//! * **Entry wrapper**, one per Ember signature:
//!   `wrapper(ctx, args: *const u64, ret: *mut u64)` loads the arguments
//!   from the word buffer, calls through the slot whose address is in
//!   `ctx.entry_target`, and stores the result word in `*ret`.
//! * **Exit trampoline**, one per runtime or host function: same signature
//!   as the function; records the caller's FP, return address and SP in
//!   `ctx.exit_*`, calls the Rust function, and if it left
//!   `ctx.pending_error` set calls `ember_unwind(ctx + OFFSET_JMP_BUF)`.

use cranelift_codegen::ir::{
    types, AbiParam, Function, InstBuilder, Signature, TrapCode, UserFuncName,
};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use ember_lang::types::FnType;

use super::function::trusted;
use super::{clif_type, ember_signature, word_type};
use crate::runtime::ctx::{
    OFFSET_ENTRY_TARGET, OFFSET_EXIT_FP, OFFSET_EXIT_PC, OFFSET_EXIT_SP, OFFSET_JMP_BUF,
    OFFSET_PENDING_ERROR,
};

/// Build the entry wrapper for functions of type `ft` into `func`.
pub fn build_entry_wrapper(
    isa: &dyn TargetIsa,
    ft: &FnType,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
) {
    let cc = isa.default_call_conv();
    let mut sig = Signature::new(cc);
    for _ in 0..3 {
        sig.params.push(AbiParam::new(types::I64));
    }
    func.name = UserFuncName::testcase(format!("entry {ft}").as_bytes());
    func.signature = sig;
    let mut b = FunctionBuilder::new(func, fctx);
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    b.seal_block(block);
    let p = b.block_params(block).to_vec();
    let (ctx, args, ret) = (p[0], p[1], p[2]);
    let slot = b
        .ins()
        .load(types::I64, trusted(), ctx, OFFSET_ENTRY_TARGET);
    let entry = b.ins().load(types::I64, trusted(), slot, 0);
    let mut argv = vec![ctx];
    for (i, t) in ft.params.iter().enumerate() {
        argv.push(b.ins().load(word_type(t), trusted(), args, (8 * i) as i32));
    }
    let callee_sig = b.import_signature(ember_signature(cc, ft));
    let call = b.ins().call_indirect(callee_sig, entry, &argv);
    if let Some(t) = clif_type(&ft.ret) {
        let r = b.inst_results(call)[0];
        let w = if t == types::I8 {
            b.ins().uextend(types::I64, r)
        } else {
            r
        };
        b.ins().store(trusted(), w, ret, 0);
    }
    b.ins().return_(&[]);
    b.finalize(isa.frontend_config());
}

/// Build an exit trampoline with signature `sig` (first parameter `ctx`)
/// that calls the Rust function at `target` (same parameters and results,
/// the platform's C convention) and unwinds through `unwind`
/// (`ember_unwind`) on error. `sig` may use another convention (the poll
/// slow path's is preserve-all).
pub fn build_exit_trampoline(
    isa: &dyn TargetIsa,
    name: &str,
    sig: Signature,
    target: usize,
    unwind: usize,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
) {
    let cc = isa.default_call_conv();
    func.name = UserFuncName::testcase(format!("exit {name}").as_bytes());
    func.signature = sig.clone();
    let mut b = FunctionBuilder::new(func, fctx);
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    b.seal_block(block);
    let params = b.block_params(block).to_vec();
    let ctx = params[0];
    let fp = b.ins().get_frame_pointer(types::I64);
    let caller_fp = b.ins().load(types::I64, trusted(), fp, 0);
    let ra = b.ins().get_return_address(types::I64);
    let caller_sp = b.ins().iadd_imm_s(fp, 16);
    b.ins().store(trusted(), caller_fp, ctx, OFFSET_EXIT_FP);
    b.ins().store(trusted(), ra, ctx, OFFSET_EXIT_PC);
    b.ins().store(trusted(), caller_sp, ctx, OFFSET_EXIT_SP);
    let mut target_sig = sig;
    target_sig.call_conv = cc;
    // C expects `u8`/`bool` arguments zero-extended.
    for p in target_sig.params.iter_mut() {
        if p.value_type == types::I8 {
            *p = p.uext();
        }
    }
    let sig_ref = b.import_signature(target_sig);
    let target_v = b.ins().iconst(types::I64, target as i64);
    let call = b.ins().call_indirect(sig_ref, target_v, &params);
    let results = b.inst_results(call).to_vec();
    let pending = b
        .ins()
        .load(types::I64, trusted(), ctx, OFFSET_PENDING_ERROR);
    let unwind_b = b.create_block();
    let ret_b = b.create_block();
    b.ins().brif(pending, unwind_b, &[], ret_b, &[]);
    b.set_cold_block(unwind_b);
    b.switch_to_block(unwind_b);
    b.seal_block(unwind_b);
    let mut usig = Signature::new(cc);
    usig.params.push(AbiParam::new(types::I64));
    let usig = b.import_signature(usig);
    let unwind_v = b.ins().iconst(types::I64, unwind as i64);
    let jmpbuf = b.ins().iadd_imm_s(ctx, i64::from(OFFSET_JMP_BUF));
    b.ins().call_indirect(usig, unwind_v, &[jmpbuf]);
    b.ins().trap(TrapCode::unwrap_user(3));
    b.switch_to_block(ret_b);
    b.seal_block(ret_b);
    b.ins().return_(&results);
    b.finalize(isa.frontend_config());
}

/// The entry of a slot without a body: whatever the slot's signature, it
/// calls the `Undefined` runtime function through `rt_slot` (which raises
/// `function not defined`) and never returns.
pub fn build_undefined_stub(
    isa: &dyn TargetIsa,
    rt_slot: u64,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
) {
    build_raise_stub(isa, b"undefined", rt_slot, None, func, fctx);
}

/// The stub left in the old slot of a function whose signature changed:
/// `fn(ctx, ..)` calls the runtime's `stale(ctx, slot_addr)`, which raises
/// a runtime error naming the function. Extra arguments of any shape are
/// ignored (the stub never reads them).
pub fn build_stale_stub(
    isa: &dyn TargetIsa,
    rt_slot: u64,
    slot_addr: u64,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
) {
    build_raise_stub(isa, b"stale", rt_slot, Some(slot_addr), func, fctx);
}

/// `fn(ctx, ..)` that calls the runtime function in slot `rt_slot` with
/// `ctx` (and `arg`, if any), which raises; it never returns.
fn build_raise_stub(
    isa: &dyn TargetIsa,
    name: &[u8],
    rt_slot: u64,
    arg: Option<u64>,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
) {
    let cc = isa.default_call_conv();
    let mut sig = Signature::new(cc);
    sig.params.push(AbiParam::new(types::I64));
    func.name = UserFuncName::testcase(name);
    func.signature = sig.clone();
    let mut b = FunctionBuilder::new(func, fctx);
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    b.seal_block(block);
    let ctx = b.block_params(block)[0];
    let mut callee = Signature::new(cc);
    callee.params.push(AbiParam::new(types::I64));
    let mut args = vec![ctx];
    if let Some(a) = arg {
        callee.params.push(AbiParam::new(types::I64));
        args.push(b.ins().iconst(types::I64, a as i64));
    }
    let sig_ref = b.import_signature(callee);
    let slot = b.ins().iconst(types::I64, rt_slot as i64);
    let entry = b.ins().load(types::I64, trusted(), slot, 0);
    b.ins().call_indirect(sig_ref, entry, &args);
    b.ins().trap(TrapCode::unwrap_user(4));
    b.finalize(isa.frontend_config());
}

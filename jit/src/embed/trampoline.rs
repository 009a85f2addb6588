//! The exit trampoline of a registered host closure.
//!
//! Compiled code calls a host function through its slot with the Ember
//! signature `(ctx, args..) -> ret` (RUNTIME.md). A closure has no fixed
//! Rust signature, so its trampoline stores the argument words in a stack
//! buffer and calls one Rust function for every closure,
//! [`call_registered`]`(ctx, data, args) -> word`, with `data` the
//! address of the closure's [`Registered`] baked in as a constant; then
//! it turns the result word back into the Ember result. Around the call it
//! keeps the exit protocol of every runtime call
//! (`codegen/trampolines.rs`): record the caller's FP, return address and
//! SP in `ctx.exit_*` (stack walks and errors start there), and unwind
//! through `ember_unwind` when the call left `ctx.pending_error` set.
//!
//! [`call_registered`]: crate::runtime::host::call_registered
//! [`Registered`]: crate::runtime::host::Registered

use cranelift_codegen::ir::{
    types, AbiParam, Function, InstBuilder, MemFlagsData, Signature, StackSlotData, StackSlotKind,
    TrapCode, UserFuncName,
};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use ember_lang::types::FnType;

use crate::codegen::{clif_type, ember_signature};
use crate::runtime::ctx::{
    OFFSET_EXIT_FP, OFFSET_EXIT_PC, OFFSET_EXIT_SP, OFFSET_JMP_BUF, OFFSET_PENDING_ERROR,
};

/// Build the trampoline of the host closure whose [`Registered`] is at
/// `data`, for Ember signature `ft`, calling `target`
/// ([`call_registered`]) and unwinding through `unwind`.
///
/// [`call_registered`]: crate::runtime::host::call_registered
/// [`Registered`]: crate::runtime::host::Registered
#[allow(clippy::too_many_arguments)] // the shape of `build_exit_trampoline`, plus `data`
pub(crate) fn build_closure_trampoline(
    isa: &dyn TargetIsa,
    name: &str,
    ft: &FnType,
    data: u64,
    target: usize,
    unwind: usize,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
) {
    let cc = isa.default_call_conv();
    let flags = MemFlagsData::trusted();
    func.name = UserFuncName::testcase(format!("host {name}").as_bytes());
    func.signature = ember_signature(cc, ft);
    let mut b = FunctionBuilder::new(func, fctx);
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    b.seal_block(block);
    let params = b.block_params(block).to_vec();
    let ctx = params[0];

    // The exit state: the Ember caller's frame.
    let fp = b.ins().get_frame_pointer(types::I64);
    let caller_fp = b.ins().load(types::I64, flags, fp, 0);
    let ra = b.ins().get_return_address(types::I64);
    let caller_sp = b.ins().iadd_imm_s(fp, 16);
    b.ins().store(flags, caller_fp, ctx, OFFSET_EXIT_FP);
    b.ins().store(flags, ra, ctx, OFFSET_EXIT_PC);
    b.ins().store(flags, caller_sp, ctx, OFFSET_EXIT_SP);

    // The argument words, one per parameter (at least one word, so the
    // pointer is never dangling).
    let words = ft.params.len().max(1) as u32;
    let buf = b.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        8 * words,
        3,
    ));
    for (i, v) in params[1..].iter().enumerate() {
        let ty = b.func.dfg.value_type(*v);
        let w = if ty == types::F64 {
            b.ins().bitcast(types::I64, MemFlagsData::new(), *v)
        } else if ty == types::I8 {
            b.ins().uextend(types::I64, *v)
        } else {
            *v
        };
        b.ins().stack_store(types::I64, w, buf, (8 * i) as i32);
    }
    let args = b.ins().stack_addr(types::I64, buf, 0);

    let mut target_sig = Signature::new(cc);
    for _ in 0..3 {
        target_sig.params.push(AbiParam::new(types::I64));
    }
    target_sig.returns.push(AbiParam::new(types::I64));
    let sig_ref = b.import_signature(target_sig);
    let target_v = b.ins().iconst(types::I64, target as i64);
    let data_v = b.ins().iconst(types::I64, data as i64);
    let call = b
        .ins()
        .call_indirect(sig_ref, target_v, &[ctx, data_v, args]);
    let word = b.inst_results(call)[0];

    let pending = b.ins().load(types::I64, flags, ctx, OFFSET_PENDING_ERROR);
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
    match clif_type(&ft.ret) {
        None => {
            b.ins().return_(&[]);
        }
        Some(t) if t == types::F64 => {
            let x = b.ins().bitcast(types::F64, MemFlagsData::new(), word);
            b.ins().return_(&[x]);
        }
        Some(t) if t == types::I8 => {
            let x = b.ins().ireduce(types::I8, word);
            b.ins().return_(&[x]);
        }
        Some(_) => {
            b.ins().return_(&[word]);
        }
    }
    b.finalize(isa.frontend_config());
}

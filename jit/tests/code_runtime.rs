//! Code memory, slots, entry/unwinding and stack walking, exercised with
//! real machine code compiled by Cranelift for the host.

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{
    self, types, AbiParam, Function, InstBuilder, MemFlagsData, Signature, UserFuncName,
};
use cranelift_codegen::isa::{OwnedTargetIsa, TargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

use ember_jit::code::{CodeMemory, CodePtr, SlotTable};

const I64: ir::Type = types::I64;

fn host_isa() -> OwnedTargetIsa {
    let mut flags = settings::builder();
    flags.set("opt_level", "speed").unwrap();
    flags.set("preserve_frame_pointers", "true").unwrap();
    flags.enable("enable_verifier").unwrap();
    cranelift_native::builder()
        .unwrap()
        .finish(settings::Flags::new(flags))
        .unwrap()
}

fn sig(isa: &dyn TargetIsa, params: usize, returns: usize) -> Signature {
    let mut s = Signature::new(isa.default_call_conv());
    s.params.extend((0..params).map(|_| AbiParam::new(I64)));
    s.returns.extend((0..returns).map(|_| AbiParam::new(I64)));
    s
}

/// Compile a function with all-`i64` parameters and results; `body` gets
/// the builder (positioned in the entry block) and the parameters, and
/// returns the results.
fn compile(
    isa: &dyn TargetIsa,
    params: usize,
    returns: usize,
    body: impl FnOnce(&mut FunctionBuilder, &[ir::Value]) -> Vec<ir::Value>,
) -> Vec<u8> {
    let mut func =
        Function::with_name_signature(UserFuncName::user(0, 0), sig(isa, params, returns));
    let mut fctx = FunctionBuilderContext::new();
    {
        let mut b = FunctionBuilder::new(&mut func, &mut fctx);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.seal_block(entry);
        let args = b.block_params(entry).to_vec();
        let rets = body(&mut b, &args);
        b.ins().return_(&rets);
        b.finalize(isa.frontend_config());
    }
    let mut ctx = Context::for_function(func);
    let code = ctx
        .compile(isa, &mut ControlPlane::default())
        .map_err(|e| format!("{:?}", e.inner))
        .unwrap();
    assert!(
        code.buffer.relocs().is_empty(),
        "absolute constants only: no relocations"
    );
    code.code_buffer().to_vec()
}

/// `call_indirect` through the absolute address `target` with `args`.
#[allow(dead_code)]
fn call_abs(
    b: &mut FunctionBuilder,
    isa: &dyn TargetIsa,
    target: usize,
    args: &[ir::Value],
    returns: usize,
) -> Vec<ir::Value> {
    let s = b.import_signature(sig(isa, args.len(), returns));
    let callee = b.ins().iconst(I64, target as i64);
    let call = b.ins().call_indirect(s, callee, args);
    b.inst_results(call).to_vec()
}

/// `call_indirect` through the slot at `slot_addr` (RUNTIME.md shape).
fn call_slot(
    b: &mut FunctionBuilder,
    isa: &dyn TargetIsa,
    slot_addr: usize,
    args: &[ir::Value],
    returns: usize,
) -> Vec<ir::Value> {
    let s = b.import_signature(sig(isa, args.len(), returns));
    let addr = b.ins().iconst(I64, slot_addr as i64);
    let callee = b.ins().load(I64, MemFlagsData::trusted(), addr, 0);
    let call = b.ins().call_indirect(s, callee, args);
    b.inst_results(call).to_vec()
}

fn install(mem: &mut CodeMemory, isa: &dyn TargetIsa, code: &[u8]) -> CodePtr {
    let align = isa.function_alignment().minimum as usize;
    mem.alloc_and_write(code, align).unwrap()
}

fn as_fn1(p: CodePtr) -> extern "C" fn(i64) -> i64 {
    // SAFETY: `p` holds a function compiled for the host with the default
    // (SysV / AAPCS64) call convention and signature (i64) -> i64.
    unsafe { std::mem::transmute::<usize, extern "C" fn(i64) -> i64>(p.addr()) }
}

fn add_const(isa: &dyn TargetIsa, k: i64) -> Vec<u8> {
    compile(isa, 1, 1, |b, a| vec![b.ins().iadd_imm_s(a[0], k)])
}

#[test]
fn cranelift_code_runs_from_code_memory() {
    let isa = host_isa();
    let mut mem = CodeMemory::new().unwrap();
    let code = add_const(&*isa, 1);
    let p = install(&mut mem, &*isa, &code);
    assert!(mem.contains(p.addr()));
    let f = as_fn1(p);
    assert_eq!(f(41), 42);
    assert_eq!(f(-1), 0);
    assert_eq!(mem.stats().live, code.len().div_ceil(16) * 16);
}

#[test]
fn freed_code_memory_is_reused_for_new_code() {
    let isa = host_isa();
    let mut mem = CodeMemory::new().unwrap();
    let one = add_const(&*isa, 1);
    let two = add_const(&*isa, 2);
    let mut addrs = std::collections::HashSet::new();
    let mut p = install(&mut mem, &*isa, &one);
    let start = mem.stats();
    for i in 0..10_000 {
        let (code, k) = if i % 2 == 0 { (&two, 2) } else { (&one, 1) };
        let q = install(&mut mem, &*isa, code);
        assert_eq!(as_fn1(q)(10), 10 + k);
        mem.free(p).unwrap();
        addrs.insert(q.addr());
        p = q;
    }
    let end = mem.stats();
    assert_eq!(start.mapped, end.mapped);
    assert_eq!(start.live, end.live);
    assert!(
        addrs.len() <= 4,
        "blocks are reused: {} addresses",
        addrs.len()
    );
}

/// A function that calls another through its slot; redefining the callee
/// is one slot store.
#[test]
fn calls_through_a_slot_see_the_new_body() {
    let isa = host_isa();
    let mut mem = CodeMemory::new().unwrap();
    let slots = SlotTable::new();
    let id = slots.alloc("g", "fn(int) -> int").unwrap();
    let g1 = install(&mut mem, &*isa, &add_const(&*isa, 1));
    let g2 = install(&mut mem, &*isa, &add_const(&*isa, 100));
    slots.set(id, g1.addr());
    let slot_addr = slots.address(id);
    let f = compile(&*isa, 1, 1, |b, a| {
        let r = call_slot(b, &*isa, slot_addr, &[a[0]], 1);
        vec![b.ins().imul_imm_s(r[0], 2)]
    });
    let f = as_fn1(install(&mut mem, &*isa, &f));
    assert_eq!(f(1), 4);
    slots.set(id, g2.addr());
    assert_eq!(f(1), 202);
    mem.free(g1).unwrap();
    assert_eq!(f(2), 204);
    assert_eq!(slots.lookup_by_address(slot_addr), Some((id, "g")));
}

/// W^X: no mapping of either view is writable and executable at once.
#[test]
fn no_mapping_is_writable_and_executable() {
    let isa = host_isa();
    let mut mem = CodeMemory::new().unwrap();
    let p = install(&mut mem, &*isa, &add_const(&*isa, 1));
    assert_eq!(as_fn1(p)(1), 2);
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let (rx, rw) = (mem.rx_reservation(), mem.rw_reservation());
    let mut seen_rx = false;
    let mut seen_rw = false;
    for line in maps.lines() {
        let mut parts = line.split_whitespace();
        let range = parts.next().unwrap();
        let perms = parts.next().unwrap();
        let (lo, hi) = range.split_once('-').unwrap();
        let lo = usize::from_str_radix(lo, 16).unwrap();
        let hi = usize::from_str_radix(hi, 16).unwrap();
        assert!(
            !(perms.contains('w') && perms.contains('x')),
            "writable and executable mapping: {line}"
        );
        if lo < rx.end && hi > rx.start && perms != "---p" {
            assert_eq!(perms, "r-xs", "{line}");
            assert!(line.contains("memfd:ember-code"), "{line}");
            seen_rx = true;
        }
        if lo < rw.end && hi > rw.start && perms != "---p" {
            assert_eq!(perms, "rw-s", "{line}");
            seen_rw = true;
        }
    }
    assert!(seen_rx && seen_rw, "both views are mapped:\n{maps}");
}

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
use ember_jit::runtime::stack::{self, FrameInfo, WalkEnd};
use ember_jit::runtime::unwind::{self, ember_unwind, JmpBuf, Unwound};

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
        b.seal_all_blocks();
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

// ---------------------------------------------------------------------
// Entry, unwinding and stack walking.
// ---------------------------------------------------------------------

/// A thread context with the RUNTIME.md layout for the words generated
/// code touches, the jump buffer inside it, and test-private fields.
#[repr(C)]
struct TestCtx {
    stack_limit: usize,
    exit_fp: usize,
    exit_pc: usize,
    exit_sp: usize,
    pending: usize,
    _reserved: [usize; 3],
    jmp_buf: JmpBuf,
    // ---- test-private ----
    inner_wrapper: usize,
    log: Vec<String>,
    frames: Vec<FrameInfo>,
    walk_end: Option<WalkEnd>,
    entry_fp: usize,
}

const OFF_EXIT_FP: i32 = 8;
const OFF_EXIT_PC: i32 = 16;
const OFF_EXIT_SP: i32 = 24;
const OFF_PENDING: i32 = 32;
const OFF_JMP_BUF: i64 = 64;

const _: () = assert!(std::mem::offset_of!(TestCtx, jmp_buf) == OFF_JMP_BUF as usize);

impl TestCtx {
    fn new() -> *mut TestCtx {
        Box::into_raw(Box::new(TestCtx {
            stack_limit: 0,
            exit_fp: 0,
            exit_pc: 0,
            exit_sp: 0,
            pending: 0,
            _reserved: [0; 3],
            jmp_buf: JmpBuf::new(),
            inner_wrapper: 0,
            log: Vec::new(),
            frames: Vec::new(),
            walk_end: None,
            entry_fp: 0,
        }))
    }
}

/// Code memory, slots and an ISA, with builders for the shapes of
/// RUNTIME.md: entry wrapper, slot caller, exit trampoline.
struct Env {
    isa: OwnedTargetIsa,
    mem: CodeMemory,
    slots: SlotTable,
}

impl Env {
    fn new() -> Env {
        Env {
            isa: host_isa(),
            mem: CodeMemory::new().unwrap(),
            slots: SlotTable::new(),
        }
    }

    fn put(&mut self, code: &[u8]) -> CodePtr {
        install(&mut self.mem, &*self.isa, code)
    }

    /// A new slot named `name` holding `entry`; returns its address.
    fn slot(&self, name: &str, entry: usize) -> usize {
        let id = self.slots.alloc(name, "fn(int) -> int").unwrap();
        self.slots.set(id, entry);
        self.slots.address(id)
    }

    /// Entry wrapper `(ctx, args, ret)`: `ret[0] = slot(ctx, args[0])`.
    fn wrapper(&mut self, slot: usize) -> CodePtr {
        let isa = self.isa.clone();
        let code = compile(&*isa, 3, 0, |b, a| {
            let x = b.ins().load(I64, MemFlagsData::trusted(), a[1], 0);
            let r = call_slot(b, &*isa, slot, &[a[0], x], 1);
            b.ins().store(MemFlagsData::trusted(), r[0], a[2], 0);
            vec![]
        });
        self.put(&code)
    }

    /// `(ctx, x) -> slot(ctx, x) + k`.
    fn caller(&mut self, slot: usize, k: i64) -> CodePtr {
        let isa = self.isa.clone();
        let code = compile(&*isa, 2, 1, |b, a| {
            let r = call_slot(b, &*isa, slot, &[a[0], a[1]], 1);
            vec![b.ins().iadd_imm_s(r[0], k)]
        });
        self.put(&code)
    }

    /// Exit trampoline for `host(ctx, x) -> i64` (RUNTIME.md): record the
    /// caller's FP, PC and SP in ctx, call, unwind if `ctx.pending`.
    fn trampoline(&mut self, host: usize) -> CodePtr {
        let isa = self.isa.clone();
        let code = compile(&*isa, 2, 1, |b, a| {
            let ctx = a[0];
            let t = MemFlagsData::trusted();
            let fp = b.ins().get_frame_pointer(I64);
            let caller_fp = b.ins().load(I64, t, fp, 0);
            let ra = b.ins().get_return_address(I64);
            let sp = b.ins().iadd_imm_s(fp, 16);
            b.ins().store(t, caller_fp, ctx, OFF_EXIT_FP);
            b.ins().store(t, ra, ctx, OFF_EXIT_PC);
            b.ins().store(t, sp, ctx, OFF_EXIT_SP);
            let r = call_abs(b, &*isa, host, &[ctx, a[1]], 1);
            let pending = b.ins().load(I64, t, ctx, OFF_PENDING);
            let unwind_block = b.create_block();
            let ret_block = b.create_block();
            b.set_cold_block(unwind_block);
            b.ins().brif(pending, unwind_block, &[], ret_block, &[]);
            b.switch_to_block(unwind_block);
            let jb = b.ins().iadd_imm_s(ctx, OFF_JMP_BUF);
            call_abs(b, &*isa, unwind::ember_unwind_addr(), &[jb], 0);
            b.ins().trap(ir::TrapCode::unwrap_user(1));
            b.switch_to_block(ret_block);
            vec![r[0]]
        });
        self.put(&code)
    }
}

/// Run `wrapper` on `x` in a fresh entry on `ctx`'s jump buffer.
fn run(ctx: *mut TestCtx, wrapper: usize, x: i64) -> Result<i64, Unwound> {
    let args = [x as u64];
    let mut ret = [u64::MAX];
    // SAFETY: `wrapper` is an entry wrapper compiled above; its callees only
    // unwind through `ctx.jmp_buf` from Cranelift frames or Rust frames
    // without destructors; `ctx` outlives the call.
    unsafe {
        unwind::enter(
            ctx.cast(),
            &raw mut (*ctx).jmp_buf,
            wrapper,
            args.as_ptr(),
            ret.as_mut_ptr(),
        )
    }
    .map(|()| ret[0] as i64)
}

/// Fails (sets `pending`, the trampoline unwinds) for negative `x`.
extern "C" fn host_fail_if_negative(ctx: *mut TestCtx, x: i64) -> i64 {
    if x < 0 {
        // SAFETY: `ctx` is the live context of this entry.
        unsafe { (*ctx).pending = 1 };
        return 0;
    }
    x + 1000
}

/// Calls `ember_unwind` itself, discarding its own frame (it owns nothing).
extern "C" fn host_unwind_direct(ctx: *mut TestCtx, x: i64) -> i64 {
    if x < 0 {
        // SAFETY: the buffer of the running entry; this frame and the
        // Cranelift frames below it hold nothing that needs dropping.
        unsafe { ember_unwind(&raw const (*ctx).jmp_buf) }
    }
    x + 1000
}

/// Enters Ember again (`ctx.inner_wrapper`) on the same jump buffer.
extern "C" fn host_reenter(ctx: *mut TestCtx, x: i64) -> i64 {
    // SAFETY: `ctx` is live; no reference to it is held across the call.
    let inner = unsafe { (*ctx).inner_wrapper };
    let r = run(ctx, inner, x);
    // SAFETY: as above.
    unsafe {
        (*ctx).log.push(format!("inner({x}) = {r:?}"));
        (*ctx).pending = 0;
        if x == -100 {
            // Fail the outer entry too.
            (*ctx).pending = 1;
        }
    }
    r.unwrap_or(-1)
}

/// Walks the Ember stack from the exit state the trampoline recorded.
extern "C" fn host_probe(ctx: *mut TestCtx, x: i64) -> i64 {
    // SAFETY: `ctx` is live and this thread's Ember frames are below us.
    unsafe {
        let start = FrameInfo {
            pc: (*ctx).exit_pc,
            sp: (*ctx).exit_sp,
            fp: (*ctx).exit_fp,
        };
        let mut w = stack::walk(start, (*ctx).jmp_buf.entry_fp());
        (*ctx).frames = w.by_ref().collect();
        (*ctx).walk_end = Some(w.end());
        (*ctx).entry_fp = (*ctx).jmp_buf.entry_fp();
    }
    x
}

/// Receives its caller's FP directly (`get_frame_pointer`) and walks it.
extern "C" fn host_walk_fp(ctx: *mut TestCtx, fp: i64) -> i64 {
    // SAFETY: as in `host_probe`.
    unsafe {
        let start = FrameInfo {
            pc: 0,
            sp: 0,
            fp: fp as usize,
        };
        let mut w = stack::walk(start, (*ctx).jmp_buf.entry_fp());
        (*ctx).frames = w.by_ref().collect();
        (*ctx).walk_end = Some(w.end());
    }
    0
}

#[test]
fn enter_runs_compiled_code_and_unwinds_from_a_trampoline() {
    let mut env = Env::new();
    let host_tramp = env.trampoline(host_fail_if_negative as *const () as usize);
    let h = env.slot("h", host_tramp.addr());
    let f = env.caller(h, 1);
    let fs = env.slot("f", f.addr());
    let w = env.wrapper(fs);
    let ctx = TestCtx::new();
    assert_eq!(run(ctx, w.addr(), 5), Ok(1006));
    assert_eq!(run(ctx, w.addr(), -5), Err(Unwound));
    // SAFETY: no entry runs; the context is ours again.
    unsafe {
        assert_eq!((*ctx).pending, 1);
        (*ctx).pending = 0;
    }
    // The process, the stack and the registers are fine: call again.
    for i in 0..100 {
        assert_eq!(run(ctx, w.addr(), i), Ok(i + 1001));
    }
    // SAFETY: created by `TestCtx::new`, no entry runs.
    unsafe {
        assert_eq!((*ctx).jmp_buf, JmpBuf::new(), "buffer restored");
        drop(Box::from_raw(ctx));
    }
}

#[test]
fn a_rust_host_function_can_unwind_directly() {
    let mut env = Env::new();
    let direct = env.slot("h", host_unwind_direct as *const () as usize);
    let f = env.caller(direct, 1);
    let fs = env.slot("f", f.addr());
    let w = env.wrapper(fs);
    let ctx = TestCtx::new();
    assert_eq!(run(ctx, w.addr(), -1), Err(Unwound));
    assert_eq!(run(ctx, w.addr(), 1), Ok(1002));
    assert_eq!(run(ctx, w.addr(), -1), Err(Unwound));
    assert_eq!(run(ctx, w.addr(), 2), Ok(1003));
    // SAFETY: created by `TestCtx::new`, no entry runs.
    drop(unsafe { Box::from_raw(ctx) });
}

#[test]
fn nested_entries_unwind_to_the_innermost() {
    let mut env = Env::new();
    // inner: wrapper -> g (+2) -> trampoline(host_fail_if_negative)
    let fail = env.trampoline(host_fail_if_negative as *const () as usize);
    let fail_s = env.slot("fail", fail.addr());
    let g = env.caller(fail_s, 2);
    let gs = env.slot("g", g.addr());
    let inner = env.wrapper(gs);
    // outer: wrapper -> f (+1) -> trampoline(host_reenter)
    let reenter = env.trampoline(host_reenter as *const () as usize);
    let re_s = env.slot("reenter", reenter.addr());
    let f = env.caller(re_s, 1);
    let fs = env.slot("f", f.addr());
    let outer = env.wrapper(fs);

    let ctx = TestCtx::new();
    // SAFETY: no entry runs yet.
    unsafe { (*ctx).inner_wrapper = inner.addr() };
    assert_eq!(run(ctx, outer.addr(), 5), Ok(5 + 1000 + 2 + 1));
    // Inner unwinds, outer goes on: host_reenter returns -1.
    assert_eq!(run(ctx, outer.addr(), -5), Ok(0));
    // Inner unwinds, then outer unwinds.
    assert_eq!(run(ctx, outer.addr(), -100), Err(Unwound));
    // SAFETY: no entry runs.
    unsafe { (*ctx).pending = 0 };
    assert_eq!(run(ctx, outer.addr(), 7), Ok(1010));
    // SAFETY: created by `TestCtx::new`, no entry runs.
    let ctx = unsafe { Box::from_raw(ctx) };
    assert_eq!(
        ctx.log,
        vec![
            "inner(5) = Ok(1007)",
            "inner(-5) = Err(Unwound)",
            "inner(-100) = Err(Unwound)",
            "inner(7) = Ok(1009)",
        ]
    );
    assert_eq!(ctx.jmp_buf, JmpBuf::new());
}

#[test]
fn stack_walk_from_the_exit_state_sees_every_ember_frame() {
    let mut env = Env::new();
    let probe = env.trampoline(host_probe as *const () as usize);
    let ps = env.slot("probe", probe.addr());
    let g = env.caller(ps, 2);
    let gs = env.slot("g", g.addr());
    let f = env.caller(gs, 1);
    let fs = env.slot("f", f.addr());
    let w = env.wrapper(fs);
    let ctx = TestCtx::new();
    assert_eq!(run(ctx, w.addr(), 10), Ok(13));
    // SAFETY: created by `TestCtx::new`, no entry runs.
    let ctx = unsafe { Box::from_raw(ctx) };
    assert_eq!(ctx.walk_end, Some(WalkEnd::ReachedEntry));
    let fr = &ctx.frames;
    assert_eq!(fr.len(), 3, "{fr:?}");
    // Innermost first: g, f, the wrapper.
    for (frame, code) in fr.iter().zip([g, f, w]) {
        assert!(code.range().contains(&frame.pc), "{frame} not in {code:?}");
        assert_eq!(
            env.mem.block_containing(frame.pc).map(|b| b.addr()),
            Some(code.addr())
        );
    }
    assert_eq!(fr[0].fp, ctx.exit_fp);
    assert_eq!(fr[0].sp, ctx.exit_sp);
    for pair in fr.windows(2) {
        assert_eq!(pair[1].sp, pair[0].fp + 16);
        assert!(pair[1].fp > pair[0].fp);
    }
    // The wrapper's frame sits right below ember_enter's.
    assert!(fr[2].fp < ctx.entry_fp && ctx.entry_fp - fr[2].fp < 256);
}

#[test]
fn stack_walk_from_a_frame_pointer_passed_by_compiled_code() {
    let mut env = Env::new();
    let isa = env.isa.clone();
    // g(ctx, x) = host_walk_fp(ctx, get_frame_pointer()) + x
    let g = compile(&*isa, 2, 1, |b, a| {
        let fp = b.ins().get_frame_pointer(I64);
        let r = call_abs(b, &*isa, host_walk_fp as *const () as usize, &[a[0], fp], 1);
        vec![b.ins().iadd(r[0], a[1])]
    });
    let g = env.put(&g);
    let gs = env.slot("g", g.addr());
    let f = env.caller(gs, 1);
    let fs = env.slot("f", f.addr());
    let w = env.wrapper(fs);
    let ctx = TestCtx::new();
    assert_eq!(run(ctx, w.addr(), 10), Ok(11));
    // SAFETY: created by `TestCtx::new`, no entry runs.
    let ctx = unsafe { Box::from_raw(ctx) };
    assert_eq!(ctx.walk_end, Some(WalkEnd::ReachedEntry));
    let pcs: Vec<usize> = ctx.frames.iter().map(|f| f.pc).collect();
    assert_eq!(pcs.len(), 3, "{:?}", ctx.frames);
    assert_eq!(pcs[0], 0, "the start frame's pc is unknown here");
    assert!(f.range().contains(&pcs[1]));
    assert!(w.range().contains(&pcs[2]));
}

// ---------------------------------------------------------------------
// Callee-saved registers survive both ways out of `ember_enter`.
// ---------------------------------------------------------------------
//
// `ember_test_check_regs(ctx, jmpbuf, wrapper, out)` loads known values
// into every callee-saved register, calls `ember_enter(ctx, jmpbuf,
// wrapper, null, null)`, then stores the registers, the result and the
// distance FP - SP into `out`. The wrappers clobber every callee-saved
// register (and FP) and then either return or unwind.

#[cfg(target_arch = "x86_64")]
std::arch::global_asm!(
    ".text",
    ".p2align 4",
    "ember_test_check_regs:",
    "push rbp",
    "mov rbp, rsp",
    "push rbx",
    "push r12",
    "push r13",
    "push r14",
    "push r15",
    "push rcx",
    "movabs rbx, 0x1111111111111111",
    "movabs r12, 0x2222222222222222",
    "movabs r13, 0x3333333333333333",
    "movabs r14, 0x4444444444444444",
    "movabs r15, 0x5555555555555555",
    "xor ecx, ecx",
    "xor r8d, r8d",
    "call {enter}",
    "mov rcx, [rsp]",
    "mov [rcx], rbx",
    "mov [rcx + 8], r12",
    "mov [rcx + 16], r13",
    "mov [rcx + 24], r14",
    "mov [rcx + 32], r15",
    "mov [rcx + 40], rax",
    "mov rdx, rbp",
    "sub rdx, rsp",
    "mov [rcx + 48], rdx",
    "pop rcx",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    "ret",
    "",
    ".p2align 4",
    "ember_test_clobber_unwind:",
    "mov rbx, -1",
    "mov r12, -1",
    "mov r13, -1",
    "mov r14, -1",
    "mov r15, -1",
    "mov rbp, -1",
    "jmp {unwind}",
    "",
    ".p2align 4",
    "ember_test_clobber_return:",
    "mov rbx, -1",
    "mov r12, -1",
    "mov r13, -1",
    "mov r14, -1",
    "mov r15, -1",
    "mov rbp, -1",
    "ret",
    enter = sym unwind::ember_enter,
    unwind = sym unwind::ember_unwind,
);

#[cfg(target_arch = "x86_64")]
const EXPECTED_REGS: &[u64] = &[
    0x1111111111111111,
    0x2222222222222222,
    0x3333333333333333,
    0x4444444444444444,
    0x5555555555555555,
];
#[cfg(target_arch = "x86_64")]
const EXPECTED_FP_MINUS_SP: u64 = 48;

#[cfg(target_arch = "aarch64")]
std::arch::global_asm!(
    ".text",
    ".p2align 2",
    "ember_test_check_regs:",
    "stp x29, x30, [sp, #-16]!",
    "mov x29, sp",
    "stp x19, x20, [sp, #-16]!",
    "stp x21, x22, [sp, #-16]!",
    "stp x23, x24, [sp, #-16]!",
    "stp x25, x26, [sp, #-16]!",
    "stp x27, x28, [sp, #-16]!",
    "stp d8, d9, [sp, #-16]!",
    "stp d10, d11, [sp, #-16]!",
    "stp d12, d13, [sp, #-16]!",
    "stp d14, d15, [sp, #-16]!",
    "str x3, [sp, #-16]!",
    "mov x19, #0x1919",
    "mov x20, #0x2020",
    "mov x21, #0x2121",
    "mov x22, #0x2222",
    "mov x23, #0x2323",
    "mov x24, #0x2424",
    "mov x25, #0x2525",
    "mov x26, #0x2626",
    "mov x27, #0x2727",
    "mov x28, #0x2828",
    "mov x9, #0x0808",
    "fmov d8, x9",
    "mov x9, #0x0909",
    "fmov d9, x9",
    "mov x9, #0x1010",
    "fmov d10, x9",
    "mov x9, #0x1111",
    "fmov d11, x9",
    "mov x9, #0x1212",
    "fmov d12, x9",
    "mov x9, #0x1313",
    "fmov d13, x9",
    "mov x9, #0x1414",
    "fmov d14, x9",
    "mov x9, #0x1515",
    "fmov d15, x9",
    "mov x3, #0",
    "mov x4, #0",
    "bl {enter}",
    "ldr x3, [sp]",
    "stp x19, x20, [x3, #0]",
    "stp x21, x22, [x3, #16]",
    "stp x23, x24, [x3, #32]",
    "stp x25, x26, [x3, #48]",
    "stp x27, x28, [x3, #64]",
    "stp d8, d9, [x3, #80]",
    "stp d10, d11, [x3, #96]",
    "stp d12, d13, [x3, #112]",
    "stp d14, d15, [x3, #128]",
    "str x0, [x3, #144]",
    "mov x9, sp",
    "sub x9, x29, x9",
    "str x9, [x3, #152]",
    "ldr x3, [sp], #16",
    "ldp d14, d15, [sp], #16",
    "ldp d12, d13, [sp], #16",
    "ldp d10, d11, [sp], #16",
    "ldp d8, d9, [sp], #16",
    "ldp x27, x28, [sp], #16",
    "ldp x25, x26, [sp], #16",
    "ldp x23, x24, [sp], #16",
    "ldp x21, x22, [sp], #16",
    "ldp x19, x20, [sp], #16",
    "ldp x29, x30, [sp], #16",
    "ret",
    "",
    ".p2align 2",
    "ember_test_clobber_unwind:",
    "mov x19, #-1",
    "mov x20, #-1",
    "mov x21, #-1",
    "mov x22, #-1",
    "mov x23, #-1",
    "mov x24, #-1",
    "mov x25, #-1",
    "mov x26, #-1",
    "mov x27, #-1",
    "mov x28, #-1",
    "mov x29, #-1",
    "fmov d8, x19",
    "fmov d9, x19",
    "fmov d10, x19",
    "fmov d11, x19",
    "fmov d12, x19",
    "fmov d13, x19",
    "fmov d14, x19",
    "fmov d15, x19",
    "b {unwind}",
    "",
    ".p2align 2",
    "ember_test_clobber_return:",
    "mov x19, #-1",
    "mov x20, #-1",
    "mov x21, #-1",
    "mov x22, #-1",
    "mov x23, #-1",
    "mov x24, #-1",
    "mov x25, #-1",
    "mov x26, #-1",
    "mov x27, #-1",
    "mov x28, #-1",
    "mov x29, #-1",
    "fmov d8, x19",
    "fmov d9, x19",
    "fmov d10, x19",
    "fmov d11, x19",
    "fmov d12, x19",
    "fmov d13, x19",
    "fmov d14, x19",
    "fmov d15, x19",
    "ret",
    enter = sym unwind::ember_enter,
    unwind = sym unwind::ember_unwind,
);

#[cfg(target_arch = "aarch64")]
const EXPECTED_REGS: &[u64] = &[
    0x1919, 0x2020, 0x2121, 0x2222, 0x2323, 0x2424, 0x2525, 0x2626, 0x2727,
    0x2828, // x19..x28
    0x0808, 0x0909, 0x1010, 0x1111, 0x1212, 0x1313, 0x1414, 0x1515, // d8..d15
];
#[cfg(target_arch = "aarch64")]
const EXPECTED_FP_MINUS_SP: u64 = 160;

extern "C" {
    fn ember_test_check_regs(ctx: *mut u8, jmpbuf: *mut JmpBuf, wrapper: usize, out: *mut u64);
    fn ember_test_clobber_unwind();
    fn ember_test_clobber_return();
}

#[test]
fn callee_saved_registers_are_restored_on_return_and_on_unwind() {
    let n = EXPECTED_REGS.len();
    for (wrapper, result) in [
        (ember_test_clobber_return as *const () as usize, 0),
        (ember_test_clobber_unwind as *const () as usize, 1),
    ] {
        let mut jb = JmpBuf::new();
        let mut out = vec![0u64; n + 2];
        let jbp: *mut JmpBuf = &mut jb;
        // SAFETY: the wrappers follow the entry-wrapper contract except for
        // the callee-saved registers, which is what is tested; the unwinding
        // one receives the buffer as `ctx`.
        unsafe { ember_test_check_regs(jbp.cast(), jbp, wrapper, out.as_mut_ptr()) };
        assert_eq!(&out[..n], EXPECTED_REGS, "registers after {result}");
        assert_eq!(out[n], result);
        assert_eq!(out[n + 1], EXPECTED_FP_MINUS_SP, "frame and stack pointer");
    }
}

//! One Ember function → one CLIF function: the translator state, entry
//! (parameters, entry poll), and the helpers every construct uses (dead
//! code after a jump, cold error paths, safe-point polls, runtime calls).

use std::collections::HashMap;

use cranelift_codegen::ir::{
    self, condcodes::IntCC, types, AbiParam, Block, InstBuilder, MemFlagsData, SigRef, Signature,
    TrapCode, UserFuncName, Value,
};
use cranelift_codegen::isa::{CallConv, TargetIsa};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use ember_lang::span::Span;
use ember_lang::tir::{FnDef, LocalId};
use ember_lang::types::{FnType, Type};

use super::srcloc::{loc, RETURN_LOC};
use super::{clif_type, ember_signature, is_gc_ref, word_type, Resolver, Result};
use crate::runtime::builtins::{Abi, RaiseCode, RtFn};
use crate::runtime::ctx::OFFSET_STACK_LIMIT;

/// Flags of loads/stores the runtime guarantees are valid and aligned.
pub(crate) fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// Where `break` and `continue` of one loop go.
#[derive(Clone, Copy)]
pub(crate) struct LoopTarget {
    pub continue_block: Block,
    pub break_block: Block,
}

/// Translator state for one function.
pub(crate) struct FnTranslator<'a, 'f> {
    pub b: FunctionBuilder<'f>,
    pub r: &'a mut dyn Resolver,
    pub def: &'a FnDef,
    pub call_conv: CallConv,
    /// The `ctx` parameter.
    pub ctx: Value,
    /// One variable per local (`None` for `()`-typed locals).
    pub vars: Vec<Option<Variable>>,
    pub loops: Vec<LoopTarget>,
    /// `floor`/`ceil` are single instructions (not x86-64 without SSE4.1,
    /// where Cranelift would emit a libcall relocation).
    pub native_round: bool,
    /// Calls through constant slots emitted so far.
    pub call_sites: u32,
    /// Plain stores are release stores (x86-64's TSO); elsewhere
    /// publishing stores use `atomic_store`.
    pub ordered_stores: bool,
    sigs: HashMap<FnType, SigRef>,
    rt_sigs: HashMap<RtFn, SigRef>,
}

/// Lower `def` into `func` (whose name and signature are set here). The
/// resulting function still has to go through [`super::compile`].
pub fn translate_function(
    isa: &dyn TargetIsa,
    r: &mut dyn Resolver,
    def: &FnDef,
    func: &mut ir::Function,
    fctx: &mut FunctionBuilderContext,
) -> Result<()> {
    let call_conv = isa.default_call_conv();
    func.name = UserFuncName::testcase(def.name.as_bytes());
    func.signature = ember_signature(call_conv, &def.sig);
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    b.set_srcloc(loc(def.name_span.lo));
    let params = b.block_params(entry).to_vec();
    let ctx = params[0];

    let mut vars = Vec::with_capacity(def.locals.len());
    for local in &def.locals {
        vars.push(clif_type(&local.ty).map(|t| {
            let v = b.declare_var(t);
            if is_gc_ref(&local.ty) {
                b.declare_var_needs_stack_map(v);
            }
            v
        }));
    }
    let mut t = FnTranslator {
        b,
        r,
        def,
        call_conv,
        ctx,
        vars,
        loops: Vec::new(),
        native_round: has_native_round(isa),
        call_sites: 0,
        ordered_stores: isa.name() == "x64",
        sigs: HashMap::new(),
        rt_sigs: HashMap::new(),
    };
    // Parameters: block params 1.. in order, skipping `()` ones (which
    // are still passed as i8 0).
    for (i, p) in def.sig.params.iter().enumerate() {
        if let Some(var) = t.vars[i] {
            t.b.def_var(var, params[i + 1]);
            if is_gc_ref(p) {
                t.b.declare_value_needs_stack_map(params[i + 1]);
            }
        }
    }
    // The entry poll (stack overflow, safe points) reports the body's
    // first line. (Leaving it out of functions that call no Ember code
    // measured no gain, so every entry polls.)
    t.poll(first_span(&def.body));
    let result = t.expr(&def.body)?;
    t.b.set_srcloc(loc(def.body.span.hi.saturating_sub(1)));
    match clif_type(&def.sig.ret) {
        Some(ty) => {
            let v = match result {
                Some(v) => v,
                None => t.zero(ty),
            };
            t.ret(&[v]);
        }
        None => t.ret(&[]),
    }
    t.b.seal_all_blocks();
    t.b.finalize(isa.frontend_config());
    Ok(())
}

impl<'a, 'f> FnTranslator<'a, 'f> {
    /// `return values` (at [`RETURN_LOC`], so that `compile` finds the
    /// epilogue).
    pub fn ret(&mut self, values: &[Value]) {
        let at = self.b.srcloc();
        self.b.set_srcloc(ir::SourceLoc::new(RETURN_LOC));
        self.b.ins().return_(values);
        self.b.set_srcloc(at);
    }

    /// Set the source location of the instructions emitted next.
    pub fn at(&mut self, span: Span) {
        self.b.set_srcloc(loc(span.lo));
    }

    /// A zero of `ty` (the placeholder value of unreachable code).
    pub fn zero(&mut self, ty: ir::Type) -> Value {
        if ty == types::F64 {
            self.b.ins().f64const(0.0)
        } else {
            self.b.ins().iconst(ty, 0)
        }
    }

    /// The value of an expression of type `ty` where one is required: the
    /// computed value, or a placeholder in unreachable code / for `()`.
    pub fn value_or_zero(&mut self, v: Option<Value>, ty: &Type) -> Value {
        match v {
            Some(v) => v,
            None => {
                let t = word_type(ty);
                self.zero(t)
            }
        }
    }

    /// Continue emitting into a fresh block with no predecessors (after a
    /// jump, return or trap ended the current one).
    pub fn start_dead_block(&mut self) {
        let dead = self.b.create_block();
        self.b.switch_to_block(dead);
        self.b.seal_block(dead);
    }

    /// Mark a GC reference value as a stack-map root.
    pub fn root(&mut self, v: Value, ty: &Type) -> Value {
        if is_gc_ref(ty) {
            self.b.declare_value_needs_stack_map(v);
        }
        v
    }

    pub fn var(&self, id: LocalId) -> Option<Variable> {
        self.vars.get(id.0 as usize).copied().flatten()
    }

    /// Signature reference for calling an Ember function of type `ft`.
    pub fn ember_sig(&mut self, ft: &FnType) -> SigRef {
        if let Some(&s) = self.sigs.get(ft) {
            return s;
        }
        let sig = ember_signature(self.call_conv, ft);
        let s = self.b.import_signature(sig);
        self.sigs.insert(ft.clone(), s);
        s
    }

    /// Signature reference for calling runtime function `f` (through its
    /// exit trampoline, which has the same signature).
    pub fn rt_sig(&mut self, f: RtFn) -> SigRef {
        if let Some(&s) = self.rt_sigs.get(&f) {
            return s;
        }
        let sig = runtime_signature(self.call_conv, f);
        let s = self.b.import_signature(sig);
        self.rt_sigs.insert(f, s);
        s
    }

    /// Call runtime function `f` through its slot; returns its result.
    pub fn call_rt(&mut self, f: RtFn, args: &[Value]) -> Option<Value> {
        debug_assert_eq!(args.len(), f.signature().0.len(), "arguments of {f:?}");
        let slot = self.r.runtime(f);
        let sig = self.rt_sig(f);
        let slot_v = self.b.ins().iconst(types::I64, slot as i64);
        let entry = self.b.ins().load(types::I64, trusted(), slot_v, 0);
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(self.ctx);
        all.extend_from_slice(args);
        let inst = self.b.ins().call_indirect(sig, entry, &all);
        self.b.inst_results(inst).first().copied()
    }

    /// Call a runtime function returning a value of Ember type `ty`,
    /// marking references as roots.
    pub fn call_rt_ty(&mut self, f: RtFn, args: &[Value], ty: &Type) -> Value {
        let v = self
            .call_rt(f, args)
            .expect("runtime function returns a value");
        self.root(v, ty)
    }

    /// Raise runtime error `code` here (the block ends).
    pub fn raise(&mut self, code: RaiseCode, a: Value, b: Value) {
        let c = self.b.ins().iconst(types::I64, code as i64);
        self.call_rt(RtFn::Raise, &[c, a, b]);
        self.b.ins().trap(TrapCode::unwrap_user(1));
    }

    /// `if failed { raise(code, a, b) }` with the raise in a cold block.
    /// `a` and `b` are computed lazily in the cold block.
    pub fn check(
        &mut self,
        failed: Value,
        code: RaiseCode,
        args: impl FnOnce(&mut Self) -> (Value, Value),
    ) {
        let cold = self.b.create_block();
        let cont = self.b.create_block();
        self.b.ins().brif(failed, cold, &[], cont, &[]);
        self.b.set_cold_block(cold);
        self.b.switch_to_block(cold);
        self.b.seal_block(cold);
        let (a, b) = args(self);
        self.raise(code, a, b);
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
    }

    /// Raise `code` with no arguments when `failed`.
    pub fn check0(&mut self, failed: Value, code: RaiseCode) {
        self.check(failed, code, |t| {
            let z = t.b.ins().iconst(types::I64, 0);
            (z, z)
        });
    }

    /// Safe-point poll at function entry: `if sp < [ctx + 0] { poll_slow() }`
    /// (cold). Catches stack overflow and safe-point requests.
    pub fn poll(&mut self, span: Span) {
        if polls_disabled() {
            return;
        }
        self.at(span);
        let sp = self.b.ins().get_stack_pointer(types::I64);
        let limit = self
            .b
            .ins()
            .load(types::I64, trusted(), self.ctx, OFFSET_STACK_LIMIT);
        let below = self.b.ins().icmp(IntCC::UnsignedLessThan, sp, limit);
        self.poll_branch(below);
    }

    /// Safe-point poll on a loop back-edge: a loop cannot grow the stack,
    /// so only requests matter: `if [ctx + 0] == usize::MAX { poll_slow() }`.
    pub fn poll_backedge(&mut self, span: Span) {
        if polls_disabled() {
            return;
        }
        self.at(span);
        let limit = self
            .b
            .ins()
            .load(types::I64, trusted(), self.ctx, OFFSET_STACK_LIMIT);
        let requested = self.b.ins().icmp_imm_s(IntCC::Equal, limit, -1);
        self.poll_branch(requested);
    }

    /// The cold call of the poll slow path. Its trampoline uses the
    /// preserve-all convention, so the hot path keeps every value in its
    /// register across the (never taken) call.
    fn poll_branch(&mut self, cond: Value) {
        let cold = self.b.create_block();
        let cont = self.b.create_block();
        self.b.ins().brif(cond, cold, &[], cont, &[]);
        self.b.set_cold_block(cold);
        self.b.switch_to_block(cold);
        self.b.seal_block(cold);
        self.call_rt(RtFn::PollSlow, &[]);
        self.b.ins().jump(cont, &[]);
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
    }
}

/// `EMBER_UNSAFE_NO_POLLS=1` compiles without safe-point polls: only to
/// measure what the polls cost (no stack-overflow detection, no
/// interrupts, no collection inside loops).
fn polls_disabled() -> bool {
    static OFF: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OFF.get_or_init(|| std::env::var_os("EMBER_UNSAFE_NO_POLLS").is_some_and(|v| v == "1"))
}

/// Does the ISA round floats without a libcall?
fn has_native_round(isa: &dyn TargetIsa) -> bool {
    if isa.name() != "x64" {
        return true;
    }
    isa.isa_flags()
        .iter()
        .any(|v| v.name == "has_sse41" && v.as_bool() == Some(true))
}

/// Span of the first statement (or tail) of a body.
fn first_span(body: &ember_lang::tir::TExpr) -> Span {
    use ember_lang::tir::{TExprKind, TStmt};
    if let TExprKind::Block(b) = &body.kind {
        match b.stmts.first() {
            Some(TStmt::Let { init, .. }) => return init.span,
            Some(TStmt::Expr(e)) => return e.span,
            Some(TStmt::Assign { span, .. }) | Some(TStmt::InitGlobal { span, .. }) => {
                return *span
            }
            None => {
                if let Some(t) = &b.tail {
                    return t.span;
                }
            }
        }
    }
    body.span
}

/// CLIF type of a runtime-ABI value.
pub(crate) fn abi_type(a: Abi) -> ir::Type {
    match a {
        Abi::I64 => types::I64,
        Abi::F64 => types::F64,
        Abi::I8 => types::I8,
    }
}

/// `(ctx, args..) -> ret` of runtime function `f` in the C convention
/// (`i8` zero-extended, as C expects for `u8`/`bool`).
pub fn runtime_signature(call_conv: CallConv, f: RtFn) -> Signature {
    let (params, ret) = f.signature();
    let call_conv = if f == RtFn::PollSlow {
        CallConv::PreserveAll
    } else {
        call_conv
    };
    let mut sig = Signature::new(call_conv);
    sig.params.push(AbiParam::new(types::I64));
    for &p in params {
        let mut a = AbiParam::new(abi_type(p));
        if p == Abi::I8 {
            a = a.uext();
        }
        sig.params.push(a);
    }
    if let Some(r) = ret {
        sig.returns.push(AbiParam::new(abi_type(r)));
    }
    sig
}

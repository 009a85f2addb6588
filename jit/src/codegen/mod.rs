//! Typed IR → Cranelift IR → machine code.
//!
//! One `function::FnTranslator` per Ember function lowers the body (one
//! `translate_*` family per module: [`expr`], [`control`], [`ops`],
//! [`calls`], [`heap`]); [`trampolines`] builds the per-signature entry
//! wrappers and the per-runtime-function exit trampolines of
//! `jit/RUNTIME.md`; [`srcloc`] keeps what maps a native PC back to
//! `file:line:col` and to the stack map of a call site.
//!
//! Codegen never touches engine state directly: everything it needs
//! (slot addresses, global cells, struct layouts, string literals, type
//! descriptors) comes through the [`Resolver`] trait, so the same lowering
//! serves the engine and cross-compilation tests.

pub mod calls;
pub mod carry;
pub mod control;
pub mod expr;
pub mod function;
pub mod heap;
pub mod ops;
pub mod srcloc;
pub mod trampolines;

use std::fmt;
use std::sync::Arc;
use std::sync::OnceLock;

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{self, types, AbiParam, Signature};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa, TargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::CompiledCode;
use ember_lang::types::{FnType, Type};

pub use function::translate_function;
pub use srcloc::{CompiledFunction, StackMapEntry};

use crate::runtime::builtins::RtFn;

/// A codegen failure: an internal error (the checker let something through
/// the back end cannot lower) or a Cranelift error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodegenError(pub String);

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CodegenError {}

pub type Result<T> = std::result::Result<T, CodegenError>;

pub(crate) fn err<T>(msg: impl Into<String>) -> Result<T> {
    Err(CodegenError(msg.into()))
}

/// A global variable's cell: `[addr]` is the value word, `[addr + 8]` the
/// initialized flag.
#[derive(Clone, Debug)]
pub struct GlobalRef {
    pub addr: u64,
    /// Index passed to `raise` for `global NAME used before initialization`.
    pub id: u32,
    pub ty: Type,
}

/// Where a struct's fields live in an instance (byte offsets from the
/// object pointer).
#[derive(Clone, Debug)]
pub struct StructLayout {
    pub name: String,
    /// Declared order: (name, type, byte offset).
    pub fields: Vec<(String, Type, i32)>,
    /// Address of the heap's type descriptor for instances (passed to the
    /// allocation function).
    pub desc: u64,
    /// The `StructLayout` pointer stored in every instance (inlined
    /// allocation writes it).
    pub layout_ptr: u64,
}

impl StructLayout {
    pub fn field(&self, name: &str) -> Option<(&Type, i32)> {
        self.fields
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, t, o)| (t, *o))
    }
}

/// What lowering needs from the engine. Addresses are absolute and stable.
pub trait Resolver {
    /// Slot of user function `name` (its current signature).
    fn function(&mut self, name: &str) -> Option<(u64, Arc<FnType>)>;
    /// Slot of host function `name`.
    fn host(&mut self, name: &str) -> Option<(u64, Arc<FnType>)>;
    /// Slot holding the exit trampoline of runtime function `f`.
    fn runtime(&mut self, f: RtFn) -> u64;
    /// Slot and call signature of library function `b` (a standard
    /// function registered through the host-function interface,
    /// `runtime::host`); `None` if none is installed.
    fn builtin(&mut self, b: ember_lang::tir::Builtin) -> Option<(u64, Arc<FnType>)>;
    fn global(&mut self, name: &str) -> Option<GlobalRef>;
    fn struct_layout(&mut self, name: &str) -> Option<Arc<StructLayout>>;
    /// A heap string kept alive for the engine's life (a GC root).
    fn string_literal(&mut self, text: &str) -> u64;
    /// A type descriptor for printing / `str` / containers of `ty`.
    fn type_desc(&mut self, ty: &Type) -> u64;
    /// Address of the entry wrapper for signature `ft` (used by `spawn`).
    fn entry_wrapper(&mut self, ft: &FnType) -> u64;
}

/// The CLIF type of an Ember value (`None` for `()` and `!`).
pub fn clif_type(ty: &Type) -> Option<ir::Type> {
    match ty {
        Type::Int => Some(types::I64),
        Type::Float => Some(types::F64),
        Type::Bool => Some(types::I8),
        Type::Unit | Type::Never => None,
        _ => Some(types::I64),
    }
}

/// The CLIF type of an Ember value where a value is needed (`()` as `i8` 0).
pub fn word_type(ty: &Type) -> ir::Type {
    clif_type(ty).unwrap_or(types::I8)
}

/// Is a value of this type a pointer the collector must see?
pub fn is_gc_ref(ty: &Type) -> bool {
    match ty {
        Type::Str | Type::Array(_) | Type::Map(..) | Type::Chan(_) | Type::Struct(_) => true,
        Type::Task => true,
        Type::Optional(inner) => !matches!(**inner, Type::Fn(_)),
        _ => false,
    }
}

/// `T?` is represented by a box (not by the bare pointer with 0 = none).
pub fn optional_is_boxed(inner: &Type) -> bool {
    !(matches!(inner, Type::Fn(_)) || (is_gc_ref(inner) && !matches!(inner, Type::Optional(_))))
}

/// The Ember calling convention: `(ctx, params..) -> ret`.
pub fn ember_signature(call_conv: CallConv, ft: &FnType) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.push(AbiParam::new(types::I64));
    for p in &ft.params {
        sig.params.push(AbiParam::new(word_type(p)));
    }
    if let Some(t) = clif_type(&ft.ret) {
        sig.returns.push(AbiParam::new(t));
    }
    sig
}

/// Flags shared by every ISA we build: `opt_level=speed`, frame pointers,
/// the verifier when `verify`.
pub fn shared_flags(verify: bool) -> settings::Flags {
    tier_flags(verify, Tier::Optimized)
}

/// How much Cranelift works on a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tier {
    /// `opt_level=none`, single-pass register allocation: about half the
    /// compile time, bigger and slower code. Redefinitions are installed
    /// at this tier, then replaced by [`Tier::Optimized`] code compiled in
    /// the background (`live/tierup.rs`).
    Quick,
    /// `opt_level=speed`, backtracking register allocation.
    Optimized,
}

/// Flags for `tier` (frame pointers preserved, no unwind info, absolute
/// addresses; the verifier when `verify`).
pub fn tier_flags(verify: bool, tier: Tier) -> settings::Flags {
    let mut b = settings::builder();
    let set = |b: &mut settings::Builder, k: &str, v: &str| {
        b.set(k, v).expect("known cranelift setting");
    };
    match tier {
        Tier::Quick => {
            set(&mut b, "opt_level", "none");
            set(&mut b, "regalloc_algorithm", "single_pass");
        }
        Tier::Optimized => set(&mut b, "opt_level", "speed"),
    }
    set(&mut b, "preserve_frame_pointers", "true");
    set(
        &mut b,
        "enable_verifier",
        if verify { "true" } else { "false" },
    );
    set(&mut b, "unwind_info", "false");
    set(&mut b, "is_pic", "false");
    settings::Flags::new(b)
}

/// Whether the verifier runs: in debug builds (and so in tests).
pub const VERIFY: bool = cfg!(debug_assertions);

/// The host ISA (cranelift-native) with [`shared_flags`].
pub fn host_isa() -> Result<OwnedTargetIsa> {
    host_isa_for(Tier::Optimized)
}

/// The host ISA for `tier`.
pub fn host_isa_for(tier: Tier) -> Result<OwnedTargetIsa> {
    let builder = cranelift_native::builder().map_err(|e| CodegenError(e.to_string()))?;
    builder
        .finish(tier_flags(VERIFY, tier))
        .map_err(|e| CodegenError(e.to_string()))
}

/// An ISA by target name (`"aarch64"`, `"x86_64"`), verifier on: used to
/// cross-compile in tests.
pub fn isa_by_name(name: &str) -> Result<OwnedTargetIsa> {
    isa_by_name_for(name, Tier::Optimized)
}

/// [`isa_by_name`] at `tier`.
pub fn isa_by_name_for(name: &str, tier: Tier) -> Result<OwnedTargetIsa> {
    let builder = cranelift_codegen::isa::lookup_by_name(name)
        .map_err(|e| CodegenError(format!("{name}: {e}")))?;
    builder
        .finish(tier_flags(true, tier))
        .map_err(|e| CodegenError(e.to_string()))
}

/// Compile a built CLIF function to machine code plus metadata.
pub fn compile(
    isa: &dyn TargetIsa,
    ctx: &mut cranelift_codegen::Context,
) -> Result<CompiledFunction> {
    let name = ctx.func.name.to_string();
    // Read once: an environment lookup takes a lock and scans `environ`,
    // which shows in the cost of a redefinition.
    static DUMP: OnceLock<(bool, bool)> = OnceLock::new();
    let &(dump_clif, disasm) = DUMP.get_or_init(|| {
        (
            std::env::var_os("EMBER_DUMP_CLIF").is_some(),
            std::env::var_os("EMBER_DISASM").is_some(),
        )
    });
    if dump_clif {
        eprintln!("{}", ctx.func.display());
    }
    ctx.set_disasm(disasm);
    if isa.flags().opt_level() != cranelift_codegen::settings::OptLevel::None {
        carry::carry_loop_products(&mut ctx.func);
    }
    let compiled = match ctx.compile(isa, &mut ControlPlane::default()) {
        Ok(c) => c,
        Err(e) => {
            let detail = match &e.inner {
                cranelift_codegen::CodegenError::Verifier(errors) => {
                    cranelift_codegen::print_errors::pretty_verifier_error(
                        e.func,
                        None,
                        errors.clone(),
                    )
                }
                other => format!("{other:?}"),
            };
            // Keep the verifier's complaints, not the whole function.
            let detail: String = if detail.lines().count() > 40 {
                detail
                    .lines()
                    .filter(|l| l.contains("error") || l.contains("^"))
                    .take(10)
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                detail
            };
            return err(format!("cranelift failed on {name}: {detail}"));
        }
    };
    if disasm {
        eprintln!("{name}:\n{}", compiled.vcode.as_deref().unwrap_or(""));
    }
    if !compiled.buffer.relocs().is_empty() {
        return err(format!(
            "internal error: {name} needs relocations ({:?})",
            compiled.buffer.relocs()
        ));
    }
    let mut out = CompiledFunction::from_compiled(compiled);
    if isa.name() == "x64" {
        use_leave(compiled, &mut out.code);
    }
    Ok(out)
}

/// x86-64: end the epilogues of Ember functions (the code of each
/// `return`, found by [`srcloc::RETURN_LOC`]) with `leave; ret` instead of
/// Cranelift's `mov %rbp, %rsp; pop %rbp; ret`. Same effect, but the
/// explicit write of `%rsp` before the `pop` costs the `calls` benchmark
/// (a tiny function called in a loop) about a third of its time on this
/// machine's AMD Zen 5, and `leave` none. The bytes keep their length
/// (`int3` after the `ret`), so no offset moves.
fn use_leave(compiled: &CompiledCode, code: &mut [u8]) {
    /// `mov %rbp, %rsp; pop %rbp; ret`
    const EPILOGUE: [u8; 5] = [0x48, 0x89, 0xec, 0x5d, 0xc3];
    /// `leave; ret; int3; int3; int3`
    const LEAVE: [u8; 5] = [0xc9, 0xc3, 0xcc, 0xcc, 0xcc];
    for s in compiled.buffer.get_srclocs_sorted() {
        let end = s.end as usize;
        // A return's code ends with its epilogue, so a range that ends
        // with these bytes ends with these instructions.
        if s.loc.bits() == srcloc::RETURN_LOC
            && end >= EPILOGUE.len()
            && end <= code.len()
            && code[end - EPILOGUE.len()..end] == EPILOGUE
        {
            code[end - EPILOGUE.len()..end].copy_from_slice(&LEAVE);
        }
    }
}

#[cfg(test)]
mod tests {
    use cranelift_codegen::ir::{InstBuilder, SourceLoc};
    use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

    use super::*;

    /// `fn(x) { if x { return x } ; other(x) + 1 }` with its returns at
    /// `RETURN_LOC`: on x86-64 both epilogues end with `leave; ret`.
    fn two_returns(isa: &dyn TargetIsa) -> Vec<u8> {
        let mut ctx = cranelift_codegen::Context::new();
        let mut sig = Signature::new(isa.default_call_conv());
        sig.params.push(AbiParam::new(types::I64));
        sig.returns.push(AbiParam::new(types::I64));
        ctx.func.signature = sig.clone();
        let mut fctx = FunctionBuilderContext::new();
        let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        let (entry, early, late) = (b.create_block(), b.create_block(), b.create_block());
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.set_srcloc(SourceLoc::new(7));
        let x = b.block_params(entry)[0];
        b.ins().brif(x, early, &[], late, &[]);
        b.switch_to_block(early);
        b.set_srcloc(SourceLoc::new(srcloc::RETURN_LOC));
        b.ins().return_(&[x]);
        b.switch_to_block(late);
        b.set_srcloc(SourceLoc::new(9));
        let sig = b.import_signature(sig);
        let callee = b.ins().iconst(types::I64, 0x1000);
        let call = b.ins().call_indirect(sig, callee, &[x]);
        let r = b.inst_results(call)[0];
        let r = b.ins().iadd_imm_s(r, 1);
        b.set_srcloc(SourceLoc::new(srcloc::RETURN_LOC));
        b.ins().return_(&[r]);
        b.seal_all_blocks();
        b.finalize(isa.frontend_config());
        let out = compile(isa, &mut ctx).expect("compiles");
        assert!(out.srclocs.iter().all(|s| s.2 != srcloc::RETURN_LOC));
        out.code
    }

    fn count(code: &[u8], pat: &[u8]) -> usize {
        code.windows(pat.len()).filter(|w| *w == pat).count()
    }

    #[test]
    fn x86_64_epilogues_use_leave() {
        let code = two_returns(&*isa_by_name("x86_64").unwrap());
        assert_eq!(count(&code, &[0x48, 0x89, 0xec, 0x5d, 0xc3]), 0);
        assert_eq!(count(&code, &[0xc9, 0xc3, 0xcc, 0xcc, 0xcc]), 2);
    }

    #[test]
    fn aarch64_code_is_left_alone() {
        let code = two_returns(&*isa_by_name("aarch64").unwrap());
        assert_eq!(count(&code, &[0xc9, 0xc3]), 0);
    }
}

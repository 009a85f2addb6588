//! Looking inside a running engine, for the REPL's commands (`:type`,
//! `:defs`, `:ir`, `:asm`, `:threads`): the static type of an expression,
//! the current definitions, a function's Cranelift IR (as translated, or
//! after Cranelift's optimizations) and its installed machine code, both
//! with the source lines they come from, the threads and what they run.
//!
//! Nothing here changes what programs see: no definition, version,
//! statistic or notice is made. (`:ir` translates the function again,
//! which may build a trampoline or intern a literal on first use, as any
//! compilation does.)
//!
//! Source lines: every instruction carries the byte offset, in the
//! function's source text, of the expression it was compiled from (the
//! table stack traces read, kept per installed body). [`SourceLines`]
//! turns an offset into a `; FILE:LINE  text` marker, printed before the
//! first instruction of each run of instructions from one line.

use std::fmt::Write as _;

use cranelift_codegen::control::ControlPlane;
use ember_lang::ast::{Module, TopLevel};
use ember_lang::source::SourceFile;
use ember_lang::types::Type;

use crate::codegen::srcloc::RETURN_LOC;
use crate::codegen::Tier;
use crate::engine::{Engine, Error};
use crate::live::ItemKind;
use crate::runtime::builtins;
use crate::runtime::ctx::{STATE_OUTSIDE, STATE_PARKED, STATE_RUNNING};

/// One current definition ([`Engine::definitions`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    pub kind: ItemKind,
    pub name: String,
    /// `fn sq(x: int) -> int`, `struct P { x: float, y: float }`,
    /// `let mut n: int`.
    pub signature: String,
    /// Its current version (1 for the first).
    pub version: u32,
}

/// What a thread is doing ([`Engine::threads`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreadState {
    /// Not in Ember code (e.g. the REPL waiting for input).
    Idle,
    /// Running Ember code.
    Running,
    /// Blocked in a call (`recv`, `join`, `sleep`) or stopped at a safe
    /// point.
    Parked,
}

impl std::fmt::Display for ThreadState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ThreadState::Idle => "idle",
            ThreadState::Running => "running",
            ThreadState::Parked => "parked",
        })
    }
}

/// One thread registered with the engine ([`Engine::threads`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadInfo {
    /// 1, 2, ...: its place among the live threads, in the order they
    /// started (the engine's own thread is 1).
    pub number: usize,
    /// True for the engine's own thread (the REPL's).
    pub own: bool,
    pub state: ThreadState,
    /// The Ember functions on its stack, innermost first (empty when idle).
    pub frames: Vec<String>,
}

/// An instruction set [`disassemble`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    X86_64,
    Aarch64,
}

impl Arch {
    /// The machine this process runs on, if Ember generates code for it.
    pub fn host() -> Option<Arch> {
        if cfg!(target_arch = "x86_64") {
            Some(Arch::X86_64)
        } else if cfg!(target_arch = "aarch64") {
            Some(Arch::Aarch64)
        } else {
            None
        }
    }
}

impl Engine {
    /// The static type of expression `text` against the current
    /// definitions, without compiling or running anything. `name` names
    /// the text in diagnostics (`<repl>`). Anything but one expression
    /// (items, statements) is refused.
    pub fn type_of(&mut self, name: &str, text: &str) -> Result<Type, Error> {
        let file = self.add_source(name, text);
        let (module, mut errors) = ember_lang::parse_entry(file, text);
        if !errors.is_empty() {
            if let Err(more) = ember_lang::check_module(&module, &self.env) {
                errors.extend(more);
            }
            errors.sort_by_key(|d| (d.primary.file, d.primary.lo, d.primary.hi));
            return Err(self.compile_error(errors));
        }
        if !module.items.is_empty() || module.tail.is_none() {
            return Err(Error::Invalid(
                "expected one expression, not items or statements".to_string(),
            ));
        }
        match ember_lang::check_module(&module, &self.env) {
            Ok(program) => Ok(program.main.body.ty),
            Err(errors) => Err(self.compile_error(errors)),
        }
    }

    /// Every current definition — functions, structs and globals, not the
    /// library — sorted by kind (fn, struct, let) and name.
    pub fn definitions(&self) -> Vec<Definition> {
        let mut defs = Vec::new();
        let version = |kind, name: &str| self.versions.current_number(kind, name);
        for (name, entry) in &self.defs.functions {
            let mut sig = format!("fn {name}(");
            for (i, (p, ty)) in entry.decl.params.iter().zip(&entry.sig.params).enumerate() {
                if i > 0 {
                    sig.push_str(", ");
                }
                let _ = write!(sig, "{}: {ty}", p.name.name);
            }
            sig.push(')');
            if entry.sig.ret != Type::Unit {
                let _ = write!(sig, " -> {}", entry.sig.ret);
            }
            defs.push(Definition {
                kind: ItemKind::Fn,
                name: name.clone(),
                signature: sig,
                version: version(ItemKind::Fn, name),
            });
        }
        for (name, s) in &self.env.structs {
            let fields: Vec<String> = s.fields.iter().map(|(f, t)| format!("{f}: {t}")).collect();
            let body = if fields.is_empty() {
                "{}".to_string()
            } else {
                format!("{{ {} }}", fields.join(", "))
            };
            defs.push(Definition {
                kind: ItemKind::Struct,
                name: name.clone(),
                signature: format!("struct {name} {body}"),
                version: version(ItemKind::Struct, name),
            });
        }
        for (name, g) in &self.env.globals {
            let mutable = if g.mutable { "mut " } else { "" };
            defs.push(Definition {
                kind: ItemKind::Global,
                name: name.clone(),
                signature: format!("let {mutable}{name}: {}", g.ty),
                version: version(ItemKind::Global, name),
            });
        }
        defs.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
        defs
    }

    /// The Cranelift IR of function `name`'s current version, as
    /// translated from its typed IR (before Cranelift's optimizations):
    /// the function is checked and translated again from its current
    /// declaration, against the current definitions — what its installed
    /// body was compiled from. A `; FILE:LINE  text` line precedes the
    /// instructions of each source line.
    pub fn function_ir(&mut self, name: &str) -> Result<String, Error> {
        let (func, lines) = self.translate_again(name)?;
        Ok(lines.annotate_ir(&func.display().to_string()))
    }

    /// The Cranelift IR of function `name`'s current version after
    /// Cranelift's optimizations at the optimizing tier (`opt_level=speed`:
    /// e-graph rewrites, redundant loads and dead code removed) — what the
    /// background optimizer turns it into, just before instruction
    /// selection. Translated again as [`Engine::function_ir`]; the cost of
    /// one optimized compilation, nothing installed.
    pub fn function_ir_optimized(&mut self, name: &str) -> Result<String, Error> {
        let (func, lines) = self.translate_again(name)?;
        let mut ctx = cranelift_codegen::Context::for_function(func);
        ctx.optimize(&*self.isa, &mut ControlPlane::default())
            .map_err(|e| Error::Internal(format!("cranelift cannot optimize `{name}`: {e:?}")))?;
        Ok(lines.annotate_ir(&ctx.func.display().to_string()))
    }

    /// Function `name`'s current declaration checked and translated again
    /// (unoptimized Cranelift IR), and its source text.
    fn translate_again(
        &mut self,
        name: &str,
    ) -> Result<(cranelift_codegen::ir::Function, SourceLines), Error> {
        let Some(entry) = self.defs.functions.get(name) else {
            return Err(self.not_a_function(name));
        };
        let lines = self.source_lines(entry.decl.span.file);
        let module = Module {
            items: vec![TopLevel::Fn((*entry.decl).clone())],
            tail: None,
        };
        let program = ember_lang::check_module(&module, &self.env)
            .map_err(|errors| self.compile_error(errors))?;
        let def = program
            .functions
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| Error::Internal(format!("`{name}` vanished when checked again")))?;
        let (_, func) = self.compile_fn_at(def, Tier::Quick)?;
        let func = func.ok_or_else(|| Error::Internal("no Cranelift function".to_string()))?;
        Ok((func, lines))
    }

    /// The lines of source text `file`.
    fn source_lines(&self, file: ember_lang::FileId) -> SourceLines {
        SourceLines {
            file: self.shared.sources.read().get(file).cloned(),
        }
    }

    /// The error for `name`, which names no function: what it is instead,
    /// if anything.
    fn not_a_function(&self, name: &str) -> Error {
        if self.env.structs.contains_key(name) {
            Error::Invalid(format!("`{name}` is a struct, not a function"))
        } else if self.env.globals.contains_key(name) {
            Error::Invalid(format!("`{name}` is a global, not a function"))
        } else {
            no_function(name)
        }
    }

    /// The machine code of function `name`'s current version, as installed
    /// (the body its slot points at now: quick, or optimized once the
    /// background optimizer replaced it): its address and bytes.
    pub fn function_code(&self, name: &str) -> Result<(usize, Vec<u8>), Error> {
        let Some(entry) = self.defs.functions.get(name) else {
            return Err(self.not_a_function(name));
        };
        let addr = self.shared.slots.get(entry.slot);
        let len = {
            let registry = self.shared.registry.read();
            match registry.lookup(addr) {
                Some((info, 0)) => info.len,
                _ => {
                    return Err(Error::Internal(format!(
                        "the slot of `{name}` points at no registered body"
                    )))
                }
            }
        };
        let bytes = self
            .shared
            .code
            .lock()
            .read(addr, len)
            .ok_or_else(|| Error::Internal(format!("the body of `{name}` is not live")))?;
        Ok((addr, bytes))
    }

    /// The disassembly of function `name`'s current machine code
    /// ([`Engine::function_code`]), one instruction a line, offsets from
    /// its start (branch targets too); a `; FILE:LINE  text` line precedes
    /// the instructions of each source line (from the source locations
    /// the body was installed with).
    pub fn function_asm(&self, name: &str) -> Result<String, Error> {
        let (addr, bytes) = self.function_code(name)?;
        let Some(arch) = Arch::host() else {
            return Err(Error::Invalid(format!(
                "no disassembler for this machine ({}); {} bytes at {addr:#x}",
                std::env::consts::ARCH,
                bytes.len()
            )));
        };
        let (file, srclocs) = {
            let registry = self.shared.registry.read();
            match registry.lookup(addr) {
                Some((info, 0)) => (info.file, info.srclocs.clone()),
                _ => {
                    return Err(Error::Internal(format!(
                        "the slot of `{name}` points at no registered body"
                    )))
                }
            }
        };
        let lines = self.source_lines(file);
        let mut last = None;
        let mut marker = |offset: u32| {
            let at = crate::codegen::srcloc::lookup_srcloc(&srclocs, offset)?;
            let (line, text) = lines.line(at)?;
            (last.replace(line) != Some(line)).then_some(text)
        };
        Ok(disassemble_with(arch, &bytes, 0, &mut marker))
    }

    /// The threads registered with this engine — its own, spawned ones —
    /// with their state and the Ember functions on their stacks. Stops the
    /// world briefly (as a redefinition does) to read the stacks.
    pub fn threads(&mut self) -> Vec<ThreadInfo> {
        let me = &*self.ctx as *const _ as usize;
        let states = builtins::thread_states(&self.shared);
        let stopped = self.shared.stop_world(&self.ctx);
        let registry = self.shared.registry.read();
        let threads = states
            .into_iter()
            .enumerate()
            .map(|(i, (ctx, state))| {
                let frames = if ctx == me {
                    Vec::new()
                } else {
                    builtins::parked_frames(&self.shared, ctx)
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|pc| registry.lookup(pc).map(|(f, _)| f.name.clone()))
                        .collect()
                };
                ThreadInfo {
                    number: i + 1,
                    own: ctx == me,
                    state: match state {
                        STATE_OUTSIDE => ThreadState::Idle,
                        STATE_RUNNING => ThreadState::Running,
                        STATE_PARKED => ThreadState::Parked,
                        _ => ThreadState::Running,
                    },
                    frames,
                }
            })
            .collect();
        drop(registry);
        drop(stopped);
        threads
    }
}

fn no_function(name: &str) -> Error {
    Error::Invalid(format!("no function named `{name}` is defined"))
}

/// A function's source text, for the `; FILE:LINE  text` markers of
/// `:ir` and `:asm`.
struct SourceLines {
    /// None if the text is not in the source map (never for a function
    /// defined through the engine).
    file: Option<SourceFile>,
}

impl SourceLines {
    /// Longest source text shown in a marker, in chars.
    const MAX_TEXT: usize = 60;

    /// The one-based line of byte offset `at`, and its marker.
    fn line(&self, at: u32) -> Option<(usize, String)> {
        if at >= RETURN_LOC {
            return None;
        }
        let file = self.file.as_ref()?;
        let (line, _) = file.line_col(at as usize);
        let text = file.text().get(file.line_range(line - 1))?.trim();
        let text = if text.chars().count() > Self::MAX_TEXT {
            let cut: String = text.chars().take(Self::MAX_TEXT - 3).collect();
            format!("{cut}...")
        } else {
            text.to_string()
        };
        Some((line, format!("; {}:{line}  {text}", file.name())))
    }

    /// Cranelift's text of a function, a marker line before each run of
    /// instructions from one source line (instructions show their source
    /// offset as `@hex` at the start of the line).
    fn annotate_ir(&self, ir: &str) -> String {
        let mut out = String::with_capacity(ir.len() * 5 / 4);
        let mut last = None;
        for line in ir.lines() {
            let at = line
                .strip_prefix('@')
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|hex| u32::from_str_radix(hex, 16).ok());
            if let Some((n, marker)) = at.and_then(|at| self.line(at)) {
                if last.replace(n) != Some(n) {
                    out.push_str(&marker);
                    out.push('\n');
                }
            }
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}

/// Disassemble `bytes` (machine code for `arch` loaded at `base`): one
/// line per instruction, `offset: instruction`, offsets in hex from
/// `base`. Bytes that do not decode are shown as `.byte` lines.
pub fn disassemble(arch: Arch, bytes: &[u8], base: u64) -> String {
    disassemble_with(arch, bytes, base, &mut |_| None)
}

/// [`disassemble`], with the line `marker(offset)` returns (if any)
/// before the instruction at each offset. Branch targets and
/// RIP-relative addresses are shown as `base` plus their offset, without
/// leading zeros: with `base` 0 they are offsets, as in the first column.
fn disassemble_with(
    arch: Arch,
    bytes: &[u8],
    base: u64,
    marker: &mut dyn FnMut(u32) -> Option<String>,
) -> String {
    let mut out = String::new();
    let mut mark = |out: &mut String, off: u64| {
        if let Some(m) = marker(off as u32) {
            out.push_str(&m);
            out.push('\n');
        }
    };
    match arch {
        Arch::X86_64 => {
            use iced_x86::{Decoder, DecoderOptions, Formatter, IntelFormatter};
            let mut decoder = Decoder::with_ip(64, bytes, base, DecoderOptions::NONE);
            let mut formatter = IntelFormatter::new();
            formatter.options_mut().set_branch_leading_zeros(false);
            let mut text = String::new();
            for ins in &mut decoder {
                text.clear();
                let off = ins.ip() - base;
                if ins.is_invalid() {
                    text.push_str(&format!(".byte {:#04x}", bytes[off as usize]));
                } else {
                    formatter.format(&ins, &mut text);
                }
                mark(&mut out, off);
                let _ = writeln!(out, "{off:6x}:  {text}");
            }
        }
        Arch::Aarch64 => {
            use yaxpeax_arch::{Decoder, U8Reader};
            let decoder = yaxpeax_arm::armv8::a64::InstDecoder::default();
            // Every A64 instruction is 4 bytes.
            for (i, word) in bytes.chunks(4).enumerate() {
                let off = i * 4;
                mark(&mut out, off as u64);
                let mut reader = U8Reader::new(word);
                match decoder.decode(&mut reader) {
                    Ok(ins) if word.len() == 4 => {
                        let _ = writeln!(out, "{off:6x}:  {ins}");
                    }
                    _ => {
                        let hex: Vec<String> = word.iter().map(|b| format!("{b:#04x}")).collect();
                        let _ = writeln!(out, "{off:6x}:  .byte {}", hex.join(", "));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disassembles_x86_64() {
        // push rbp; mov rbp, rsp; ret; then a byte that starts nothing.
        let text = disassemble(Arch::X86_64, &[0x55, 0x48, 0x89, 0xe5, 0xc3, 0x06], 0x1000);
        assert_eq!(
            text,
            "     0:  push rbp\n     1:  mov rbp,rsp\n     4:  ret\n     5:  .byte 0x06\n"
        );
    }

    #[test]
    fn marks_each_run_of_instructions_from_one_source_line() {
        let mut sources = ember_lang::SourceMap::new();
        let id = sources.add(
            "f.em",
            "fn f(x: int) -> int {\n    let y = x * 2;\n    y + 1\n}\n",
        );
        let lines = SourceLines {
            file: sources.get(id).cloned(),
        };
        assert_eq!(
            lines.line(30),
            Some((2, "; f.em:2  let y = x * 2;".to_string()))
        );
        assert_eq!(lines.line(RETURN_LOC), None);
        // `@hex` offsets: 0x1e and 0x22 are line 2, 0x2d line 3.
        let ir = "block0:\n@001e  v1 = imul v0, v0\n@0022  v2 = iconst 2\n@002d  v3 = iadd v1, v2\n@fffffffe  return v3\n";
        assert_eq!(
            lines.annotate_ir(ir),
            "block0:\n; f.em:2  let y = x * 2;\n@001e  v1 = imul v0, v0\n@0022  v2 = iconst 2\n\
             ; f.em:3  y + 1\n@002d  v3 = iadd v1, v2\n@fffffffe  return v3\n"
        );
    }

    #[test]
    fn branch_targets_are_offsets_and_markers_come_first() {
        // jmp to offset 0 (a 2-byte jump back), then ret.
        let text = disassemble_with(Arch::X86_64, &[0xeb, 0xfe, 0xc3], 0, &mut |off| {
            (off == 2).then(|| "; here".to_string())
        });
        assert_eq!(text, "     0:  jmp short 0\n; here\n     2:  ret\n");
    }

    #[test]
    fn disassembles_aarch64() {
        // stp x29, x30, [sp, #-16]!; mov x29, sp; ret; then 2 stray bytes.
        let bytes = [
            0xfd, 0x7b, 0xbf, 0xa9, 0xfd, 0x03, 0x00, 0x91, 0xc0, 0x03, 0x5f, 0xd6, 0x01, 0x02,
        ];
        let text = disassemble(Arch::Aarch64, &bytes, 0);
        assert_eq!(
            text,
            "     0:  stp x29, x30, [sp, #-0x10]!\n     4:  mov x29, sp\n     8:  ret\n     c:  .byte 0x01, 0x02\n"
        );
    }
}

//! The commands that look at the session without changing it — `:type`,
//! `:defs`, `:source`, `:versions`, `:ir`, `:asm`, `:threads`, `:stats` —
//! and `:rollback`. The engine does the looking (`ember_jit::inspect`);
//! this module words the answers.

use std::io::Write;

use ember::ItemKind;

use crate::session::{Session, ENTRY_NAME};

impl<O: Write, E: Write> Session<O, E> {
    /// `:type EXPR`: the static type, without running anything.
    pub(crate) fn cmd_type(&mut self, expr: &str) {
        let result = self.engine().type_of(ENTRY_NAME, expr);
        match result {
            Ok(ty) => self.print(&format!("{ty}\n")),
            Err(e) => self.report_error(&e),
        }
    }

    /// `:defs`: every definition with its signature and version.
    pub(crate) fn cmd_defs(&mut self) {
        let defs = self.engine().definitions();
        if defs.is_empty() {
            self.print("nothing defined yet\n");
            return;
        }
        let width = defs.iter().map(|d| d.signature.len()).max().unwrap_or(0);
        let mut text = String::new();
        for d in defs {
            text.push_str(&format!("{:width$}  v{}\n", d.signature, d.version));
        }
        self.print(&text);
    }

    /// `:source NAME`: the current text of a definition.
    pub(crate) fn cmd_source(&mut self, name: &str) {
        let text = {
            let engine = self.engine();
            current_kind(&engine, name).and_then(|kind| {
                engine
                    .versions(kind, name)
                    .and_then(|h| h.current())
                    .map(|v| format!("{}\n", v.text().trim_end()))
            })
        };
        match text {
            Some(text) => self.print(&text),
            None => self.report(&format!("error: nothing named `{name}` is defined\n")),
        }
    }

    /// `:versions NAME`: every version of a definition, where it came from
    /// and its first line.
    pub(crate) fn cmd_versions(&mut self, name: &str) {
        let text = {
            let engine = self.engine();
            any_kind(&engine, name).map(|kind| {
                let history = engine.versions(kind, name).expect("found");
                let mut text = String::new();
                for v in history.versions() {
                    let first = v.text().lines().next().unwrap_or("");
                    let more = if v.text().lines().nth(1).is_some() {
                        " ..."
                    } else {
                        ""
                    };
                    text.push_str(&format!("v{} ({}): {first}{more}\n", v.number, v.source()));
                }
                text
            })
        };
        match text {
            Some(text) => self.print(&text),
            None => self.no_definition(name),
        }
    }

    /// `:rollback NAME [N]`: define version N again (default: the one
    /// before the current one).
    pub(crate) fn cmd_rollback(&mut self, name: &str, version: Option<&str>) {
        let version = match version.map(|v| v.trim_start_matches('v').parse::<u32>()) {
            None => None,
            Some(Ok(v)) => Some(v),
            Some(Err(_)) => {
                let v = version.unwrap_or_default();
                self.report(&format!("error: `{v}` is not a version number\n"));
                return;
            }
        };
        let kind = any_kind(&self.engine(), name);
        match kind {
            Some(kind) => {
                let result = self.engine().rollback(kind, name, version);
                if let Err(e) = result {
                    self.report_error(&e);
                }
                self.notices();
            }
            None => self.no_definition(name),
        }
    }

    /// `:ir NAME [opt]`: the Cranelift IR of a function's current version,
    /// as translated or (`opt`) after Cranelift's optimizations.
    pub(crate) fn cmd_ir(&mut self, name: &str, optimized: bool) {
        let result = if optimized {
            self.engine().function_ir_optimized(name)
        } else {
            self.engine().function_ir(name)
        };
        match result {
            Ok(ir) => self.print(&ir),
            Err(e) => self.report_error(&e),
        }
    }

    /// `:asm NAME`: the installed machine code of a function, disassembled.
    pub(crate) fn cmd_asm(&mut self, name: &str) {
        let result = {
            let engine = self.engine();
            let version = engine
                .versions(ItemKind::Fn, name)
                .and_then(|h| h.current())
                .map_or(0, |v| v.number);
            engine.function_code(name).and_then(|(addr, bytes)| {
                let asm = engine.function_asm(name)?;
                Ok(format!(
                    "; fn {name} (v{version}): {} bytes at {addr:#x}\n{asm}",
                    bytes.len()
                ))
            })
        };
        match result {
            Ok(text) => self.print(&text),
            Err(e) => self.report_error(&e),
        }
    }

    /// `:threads`: the engine's threads, their state and what they run.
    pub(crate) fn cmd_threads(&mut self) {
        let threads = self.engine().threads();
        let mut text = match threads.len() {
            1 => "1 thread\n".to_string(),
            n => format!("{n} threads\n"),
        };
        for t in threads {
            let what = if t.own {
                "the session".to_string()
            } else if t.frames.is_empty() {
                "spawned".to_string()
            } else {
                format!("spawned, in {}", t.frames.join(" <- "))
            };
            let state = t.state.to_string();
            text.push_str(&format!("  #{:<3} {state:<8} {what}\n", t.number));
        }
        self.print(&text);
    }

    /// `:stats`: redefinition timings and code memory.
    pub(crate) fn cmd_stats(&mut self) {
        let text = {
            let engine = self.engine();
            let mut text = engine.stats().to_string();
            let code = engine.code_stats();
            text.push_str(&format!(
                "code memory: {} bytes live in {} blocks, {} bytes free for reuse\n",
                code.live, code.live_blocks, code.free
            ));
            let tiered = engine
                .shared()
                .tiered_up
                .load(std::sync::atomic::Ordering::Relaxed);
            text.push_str(&format!(
                "{tiered} quick bodies replaced by optimized ones in the background\n"
            ));
            text
        };
        self.print(&text);
    }

    /// No definition named `name` ever had a version.
    fn no_definition(&mut self, name: &str) {
        self.report(&format!("error: nothing named `{name}` was defined\n"));
    }
}

/// The kind of the current definition named `name`.
fn current_kind(engine: &ember::Engine, name: &str) -> Option<ItemKind> {
    let env = engine.env();
    if env.functions.contains_key(name) {
        Some(ItemKind::Fn)
    } else if env.structs.contains_key(name) {
        Some(ItemKind::Struct)
    } else if env.globals.contains_key(name) {
        Some(ItemKind::Global)
    } else {
        None
    }
}

/// The kind of a definition named `name` that has a history (a current
/// one first; one a reload removed still has its versions).
fn any_kind(engine: &ember::Engine, name: &str) -> Option<ItemKind> {
    current_kind(engine, name).or_else(|| {
        [ItemKind::Fn, ItemKind::Struct, ItemKind::Global]
            .into_iter()
            .find(|&k| engine.versions(k, name).is_some())
    })
}

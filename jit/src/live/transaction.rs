//! The transaction driver: check → compile (threads keep running) → pause
//! (stop the world, migrate, write slots, reclaim) → record. See the
//! [module documentation](super).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ember_lang::ast::{self, TopLevel};
use ember_lang::deps::Deps;
use ember_lang::source::SourceText;
use ember_lang::tir::{FnDef, Program, TExprKind, TStmt};
use ember_lang::types::FnType;
use ember_lang::{deps, Diagnostic, GlobalInfo, Span};

use super::plan::{self, Ripple};
use super::reclaim;
use super::report::{Change, ItemChange, ItemKind, Origin, TransactionReport};
use super::revert::{Pending, RemovedEntries, SlotSwap};
use super::tierup::Job;
use super::versions::ItemText;
use crate::code::{CodePtr, SlotId};
use crate::codegen::Tier;
use crate::engine::{Engine, Error, FnEntry, StructEntry, TierPolicy};
use crate::runtime::ctx::STATE_OUTSIDE;

/// Notices kept for [`Engine::take_notices`] at most.
const MAX_NOTICES: usize = 1000;

/// One transaction's input: a parsed file or entry.
pub(crate) struct Input<'a> {
    pub file: ember_lang::FileId,
    /// File name (or `<repl>`).
    pub source: &'a str,
    pub module: ast::Module,
    pub origin: Origin,
    /// When the transaction started (before parsing) and how long parsing
    /// took.
    pub started: Instant,
    pub parse: Duration,
}

/// An accepted transaction: its report and the top-level code to run now
/// (installed in its own slot), if any.
pub(crate) struct Applied {
    pub report: TransactionReport,
    pub main: Option<MainCode>,
    /// Kept until `main` has run, to undo the definitions if it fails
    /// (`None`: nothing to undo, the transaction is already published).
    pub pending: Option<Pending>,
}

/// `<main>` of an accepted transaction, compiled and installed.
pub(crate) struct MainCode {
    pub code: CodePtr,
    pub sig: FnType,
    /// What it uses (while it runs outside the engine, a later
    /// transaction must not break it).
    pub deps: deps::Deps,
}

/// Top-level code running outside the engine ([`crate::MainRun`]): what
/// it uses, while its token lives.
pub(crate) struct LiveMain {
    pub token: std::sync::Weak<()>,
    pub deps: deps::Deps,
    pub source: String,
}

/// What the transaction replaces, kept to undo (rejection in the pause) or
/// to retire (commit).
#[derive(Default)]
struct Undo {
    functions: Vec<(String, Option<FnEntry>)>,
    structs: Vec<(String, Option<StructEntry>)>,
    globals: Vec<(String, Option<crate::codegen::GlobalRef>)>,
    /// Newly installed code (freed on rejection).
    installed: Vec<CodePtr>,
}

/// What [`Engine::stage_and_compile`] made.
struct Compiled {
    /// New bodies and the slots they go into.
    installed: Vec<(SlotId, CodePtr)>,
    main: Option<MainCode>,
    code_bytes: usize,
    /// Quick-tier bodies to optimize in the background once committed.
    jobs: Vec<Job>,
}

impl Engine {
    /// Run one transaction on `input`: on success every definition has
    /// taken effect (and `<main>` is ready to run); on error nothing has
    /// changed.
    pub(crate) fn transact(&mut self, input: Input<'_>) -> Result<Applied, Error> {
        // The previous entry's value is no longer needed (and may be a
        // struct instance a migration replaces).
        if let Some(w) = self.last_value.take() {
            self.shared.heap.unpin(w);
        }
        // Checking and compiling run while every other thread goes on.
        // Compiling allocates (string literals, pinned at once), so this
        // thread counts as running meanwhile: a collection waits for it.
        self.shared.resume(&self.ctx);
        let prepared = self.prepare(&input);
        self.shared.pause(&self.ctx, STATE_OUTSIDE);
        let Prepared {
            program,
            ripple,
            removed,
            plan,
            undo,
            compiled:
                Compiled {
                    installed,
                    main,
                    code_bytes,
                    jobs,
                },
            check,
            compile,
        } = prepared?;
        // Top-level code runs after the definitions: until it has
        // succeeded, keep what is needed to put them back (revert.rs).
        let revertible = main.is_some()
            && matches!(input.origin, Origin::Entry | Origin::Reload)
            && plan.changes_anything(&removed);
        let t_pause = Instant::now();
        let paused = self.pause(&program, &ripple, &removed, &installed, &undo);
        let (dead, migrated, swaps) = match paused {
            Ok(x) => x,
            Err(e) => {
                if let Some(m) = main {
                    self.free_code(m.code);
                }
                self.undo(undo);
                return Err(e);
            }
        };
        let pause = t_pause.elapsed();
        let before = revertible.then(|| {
            (
                self.env.clone(),
                self.graph.clone(),
                self.item_sources.clone(),
                self.escaped.clone(),
            )
        });
        let reclaimed = if revertible {
            0
        } else {
            reclaim::free(&self.shared, dead.clone())
        };
        let Undo {
            functions,
            structs,
            globals,
            installed: _,
        } = undo;
        self.commit_items(&input, &program, &plan);
        let mut report = self.record_items(&input, &program, &plan);
        let removed_entries = self.commit_removals(&removed, &mut report);
        report.timings.parse = input.parse;
        report.timings.check = check;
        report.timings.compile = compile;
        report.timings.pause = pause;
        report.timings.total = input.started.elapsed();
        report.code_bytes = code_bytes;
        report.reclaimed_bytes = reclaimed;
        report.migrated = migrated;
        let pending = match before {
            Some((env, graph, item_sources, escaped)) => Some(Pending {
                report: report.clone(),
                jobs,
                dead,
                swaps,
                changed_structs: ripple.structs.clone(),
                functions,
                structs,
                globals,
                removed: removed_entries,
                env,
                graph,
                item_sources,
                escaped,
            }),
            None => {
                // Replaced struct entries: code compiled against them may
                // still run (and embeds their addresses).
                for (_, old) in structs {
                    self.defs.retired_structs.extend(old);
                }
                self.dispose_removed(removed_entries);
                self.publish(report.clone(), jobs);
                None
            }
        };
        Ok(Applied {
            report,
            main,
            pending,
        })
    }

    /// Make a transaction's effects public: hand its new bodies to the
    /// optimizer, count it, keep its notice, tell the listeners.
    pub(crate) fn publish(&mut self, report: TransactionReport, jobs: Vec<Job>) {
        for job in jobs {
            self.tierup.submit(job);
        }
        if !report.is_empty() {
            // Entries of statements only define nothing: not a redefinition.
            self.stats.record(&report);
        }
        if let Some(n) = report.notice() {
            self.push_notice(n);
        }
        for l in self.listeners.get_mut().iter_mut() {
            l(&report);
        }
    }

    /// Keep `notice` for [`Engine::take_notices`]; an embedder that never
    /// takes them keeps only the newest (memory stays flat).
    pub(crate) fn push_notice(&mut self, notice: String) {
        if self.notices.len() >= MAX_NOTICES {
            self.notices.drain(..MAX_NOTICES / 2);
        }
        self.notices.push(notice);
    }

    /// Check and compile (see [`Engine::transact`]); on error everything
    /// staged is undone.
    fn prepare(&mut self, input: &Input<'_>) -> Result<Prepared, Error> {
        let t_check = Instant::now();
        let (program, ripple) = self.check_transaction(input)?;
        // Every function's dependencies, computed once: they decide what
        // is recompiled and removed, and go into the registry, the
        // optimizer's jobs and the dependency graph.
        let fn_deps: HashMap<String, Deps> = program
            .functions
            .iter()
            .map(|f| (f.name.clone(), deps::deps_of(f)))
            .collect();
        let removed = if input.origin == Origin::Reload {
            self.removed_items(input.source, &program, &fn_deps)
        } else {
            Removed::default()
        };
        let check = t_check.elapsed();
        let t_compile = Instant::now();
        let plan = self.plan_items(input, &program, &ripple, fn_deps);
        let mut undo = Undo::default();
        let compiled = match self.stage_and_compile(input, &program, &plan, &mut undo) {
            Ok(x) => x,
            Err(e) => {
                self.undo(undo);
                return Err(e);
            }
        };
        Ok(Prepared {
            program,
            ripple,
            removed,
            plan,
            undo,
            compiled,
            check,
            compile: t_compile.elapsed(),
        })
    }

    /// Check the input against the current definitions, then (if it
    /// changes signatures, layouts or global types) together with every
    /// dependent. The checked program and what ripples out.
    fn check_transaction(&mut self, input: &Input<'_>) -> Result<(Program, Ripple), Error> {
        let first = ember_lang::check_module(&input.module, &self.env)
            .map_err(|d| self.compile_error(d))?;
        let ripple = plan::ripple(&first, &self.env, &self.graph);
        let spans = item_spans(&input.module);
        self.live_mains.retain(|m| m.token.strong_count() > 0);
        let mut errors = plan::escaped_values(&ripple, &self.escaped, &spans);
        for m in &self.live_mains {
            errors.extend(plan::breaks_running_main(
                &ripple, &m.deps, &m.source, &spans,
            ));
        }
        errors.extend(plan::fields_without_zero(
            &first, &ripple, &self.env, &spans,
        ));
        if !errors.is_empty() {
            return Err(self.compile_error(errors));
        }
        let program = if ripple.dependents.is_empty() {
            first
        } else {
            let decls = self.fn_decls();
            let module = plan::with_dependents(&input.module, &ripple.dependents, &decls);
            match ember_lang::check_module(&module, &self.env) {
                Ok(p) => p,
                Err(e) => {
                    let d = plan::rejection(&ripple, e, &self.graph, &decls, &spans);
                    return Err(self.compile_error(d));
                }
            }
        };
        Ok((program, ripple))
    }

    /// Decide, per item of `program`, whether it is new, changed,
    /// unchanged or recompiled.
    fn plan_items(
        &self,
        input: &Input<'_>,
        program: &Program,
        ripple: &Ripple,
        fn_deps: HashMap<String, Deps>,
    ) -> ItemPlan {
        let mut p = ItemPlan {
            deps: fn_deps,
            ..ItemPlan::default()
        };
        let src = {
            let sources = self.shared.sources.read();
            let f = sources
                .get(input.file)
                .expect("the input's text is registered");
            f.shared().clone()
        };
        let texts = item_texts(&input.module, &src);
        let same_text = |kind, name: &str| {
            input.origin != Origin::Rollback
                && texts.get(&(kind, name.to_string())).map(ItemText::as_str)
                    == self.versions.current_text(kind, name)
        };
        for s in &program.structs {
            let change = if !self.env.structs.contains_key(&s.name) {
                Change::Added
            } else if same_text(ItemKind::Struct, &s.name) && !ripple.structs.contains(&s.name) {
                Change::Unchanged
            } else {
                Change::Changed
            };
            p.items.insert((ItemKind::Struct, s.name.clone()), change);
        }
        for g in &program.globals {
            let change = match self.env.globals.get(&g.name) {
                None => Change::Added,
                // A reload keeps a global whose type is unchanged (its
                // initializer does not run again).
                Some(old) if input.origin == Origin::Reload && old.ty == g.ty => {
                    if same_text(ItemKind::Global, &g.name) {
                        Change::Unchanged
                    } else {
                        // New text, same type: the value is kept; the text
                        // becomes a new version.
                        p.keep_value.insert(g.name.clone());
                        Change::Changed
                    }
                }
                Some(_) => Change::Changed,
            };
            p.items.insert((ItemKind::Global, g.name.clone()), change);
        }
        for f in &program.functions {
            let change = if ripple.dependents.contains(&f.name) {
                Change::Recompiled
            } else if !self.env.functions.contains_key(&f.name) {
                Change::Added
            } else if same_text(ItemKind::Fn, &f.name) {
                if uses_ripple(&p.deps[&f.name], ripple) {
                    Change::Recompiled
                } else {
                    Change::Unchanged
                }
            } else {
                Change::Changed
            };
            p.items.insert((ItemKind::Fn, f.name.clone()), change);
        }
        p.texts = texts;
        p
    }

    /// Stage the new definitions (undo keeps what they replace), compile
    /// and install every body that needs it, and `<main>`.
    fn stage_and_compile(
        &mut self,
        input: &Input<'_>,
        program: &Program,
        plan: &ItemPlan,
        undo: &mut Undo,
    ) -> Result<Compiled, Error> {
        for s in &program.structs {
            if plan.change(ItemKind::Struct, &s.name) == Change::Unchanged {
                continue;
            }
            let old = self.stage_struct(s);
            undo.structs.push((s.name.clone(), old));
        }
        for g in &program.globals {
            let change = plan.change(ItemKind::Global, &g.name);
            if change == Change::Unchanged || plan.keep_value.contains(&g.name) {
                continue;
            }
            let old = self.stage_global(g);
            undo.globals.push((g.name.clone(), old));
        }
        let compiled_fns: Vec<&FnDef> = program
            .functions
            .iter()
            .filter(|f| plan.change(ItemKind::Fn, &f.name) != Change::Unchanged)
            .collect();
        for f in &compiled_fns {
            let decl = find_fn_decl(&input.module, &f.name).or_else(|| {
                // A dependent re-checked with the input keeps its own
                // declaration.
                self.defs.functions.get(&f.name).map(|e| e.decl.clone())
            });
            let Some(decl) = decl else {
                return Err(Error::Internal(format!("no declaration for `{}`", f.name)));
            };
            let old = self.stage_fn(f, decl)?;
            undo.functions.push((f.name.clone(), old));
        }
        let mut installed = Vec::with_capacity(compiled_fns.len());
        let mut jobs = Vec::new();
        let mut bytes = 0;
        // A program loaded from a file is compiled optimized; a
        // redefinition quick, then optimized in the background.
        let tier = match (input.origin, self.tier_policy) {
            (Origin::Load, TierPolicy::QuickOnly) => Tier::Quick,
            (Origin::Load, _) | (_, TierPolicy::Optimized) => Tier::Optimized,
            _ => Tier::Quick,
        };
        for f in &compiled_fns {
            let (c, func) = self.compile_fn_at(f, tier)?;
            bytes += c.code.len();
            let uses_structs: Box<[String]> = plan.deps[&f.name].structs.iter().cloned().collect();
            let ptr = self.install(f, c, uses_structs.clone())?;
            if let (Some(func), TierPolicy::QuickThenOptimized) = (func, self.tier_policy) {
                let quick_info = self
                    .shared
                    .registry
                    .read()
                    .lookup(ptr.addr())
                    .map(|(info, _)| info.clone())
                    .expect("an installed body is registered");
                jobs.push(Job {
                    func,
                    slot: self.defs.functions[&f.name].slot,
                    quick: ptr.addr(),
                    quick_info,
                    name: f.name.clone(),
                    file: f.span.file,
                    uses_structs,
                    queued: Instant::now(),
                });
            }
            undo.installed.push(ptr);
            installed.push((self.defs.functions[&f.name].slot, ptr));
        }
        let main = match self.main_to_run(input.origin, program, plan) {
            Some(main) => {
                let c = self.compile_fn(&main)?;
                bytes += c.code.len();
                let deps = deps::deps_of(&main);
                let code = self.install(&main, c, deps.structs.iter().cloned().collect())?;
                Some(MainCode {
                    code,
                    sig: main.sig.clone(),
                    deps,
                })
            }
            None => None,
        };
        Ok(Compiled {
            installed,
            main,
            code_bytes: bytes,
            jobs,
        })
    }

    /// The top-level code to run: all of it for an entry or a first load;
    /// for a reload only the initializers of new globals and globals whose
    /// type changed; nothing for a rollback. `None` if there is nothing.
    fn main_to_run(&self, origin: Origin, program: &Program, plan: &ItemPlan) -> Option<FnDef> {
        let TExprKind::Block(b) = &program.main.body.kind else {
            return Some(program.main.clone());
        };
        let keep = |s: &TStmt| match origin {
            Origin::Entry | Origin::Load => true,
            Origin::Rollback => false,
            Origin::Reload => match s {
                TStmt::InitGlobal { name, .. } => {
                    plan.change(ItemKind::Global, name) == Change::Added
                        || (plan.change(ItemKind::Global, name) == Change::Changed
                            && !plan.keep_value.contains(name))
                }
                _ => false,
            },
        };
        let stmts: Vec<TStmt> = b.stmts.iter().filter(|s| keep(s)).cloned().collect();
        let tail = if matches!(origin, Origin::Entry | Origin::Load) {
            b.tail.clone()
        } else {
            None
        };
        if stmts.is_empty() && tail.is_none() {
            return None;
        }
        let mut main = program.main.clone();
        if let TExprKind::Block(b) = &mut main.body.kind {
            b.stmts = stmts;
            b.tail = tail;
        }
        Some(main)
    }

    /// The pause: stop the world, refuse if a changing struct is in use by
    /// a running frame, migrate instances, write the slots, find the old
    /// code no frame runs, resume. Returns that code (to free) and the
    /// number of migrated instances.
    fn pause(
        &mut self,
        program: &Program,
        ripple: &Ripple,
        removed: &Removed,
        installed: &[(SlotId, CodePtr)],
        undo: &Undo,
    ) -> Result<(Vec<CodePtr>, usize, Vec<SlotSwap>), Error> {
        let shared = self.shared.clone();
        let _world = shared.stop_world(&self.ctx);
        let mut migrated = 0;
        if !ripple.structs.is_empty() {
            if let Some((func, name)) = reclaim::struct_in_use(&shared, &ripple.structs) {
                let span = program
                    .structs
                    .iter()
                    .find(|s| s.name == name)
                    .map(|s| s.span)
                    .unwrap_or_default();
                let d = Diagnostic::error(
                    "E0405",
                    format!("cannot change struct `{name}` now: a thread is running `{func}`, which uses the old layout"),
                    span,
                )
                .with_help("try again when that function has returned (or stop the thread)");
                return Err(self.compile_error(vec![d]));
            }
            migrated = self.migrate_structs(&ripple.structs, &undo.structs)?;
        }
        self.shared.code.lock().sync_other_threads();
        // Every slot write is an exchange that retires what it replaced
        // (the optimizer swaps with compare-and-exchange, so each body is
        // retired once, by whoever replaced it).
        let mut writes: Vec<(SlotId, usize)> = installed
            .iter()
            .map(|&(slot, ptr)| (slot, ptr.addr()))
            .collect();
        // Old slots of functions whose signature changed: callers compiled
        // against them fail clearly instead of calling the wrong shape.
        for name in ripple.signatures.keys() {
            if let Some((_, Some(old))) = undo.functions.iter().find(|(n, _)| n == name) {
                writes.push((old.slot, self.stale_stub(old.slot_addr)));
            }
        }
        for f in &removed.functions {
            if let Some(e) = self.defs.functions.get(f) {
                writes.push((e.slot, self.shared.slots.default_entry()));
            }
        }
        let mut swaps = Vec::with_capacity(writes.len());
        for (slot, after) in writes {
            let before = self.shared.slots.swap(slot, after);
            self.shared.retire_code_at(before);
            swaps.push((slot, before, after));
        }
        // What no frame runs any more is freed after the pause.
        let dead = reclaim::unused(&shared, &mut self.shared.retired.lock());
        Ok((dead, migrated, swaps))
    }

    /// Make the staged definitions current: environment, dependency graph,
    /// escaped function values.
    fn commit_items(&mut self, input: &Input<'_>, program: &Program, plan: &ItemPlan) {
        for s in &program.structs {
            self.env.structs.insert(s.name.clone(), s.clone());
            self.graph.insert_struct(s);
        }
        for g in &program.globals {
            self.env.globals.insert(
                g.name.clone(),
                GlobalInfo {
                    ty: g.ty.clone(),
                    mutable: g.mutable,
                },
            );
            self.graph.insert_global(g);
        }
        for f in &program.functions {
            if plan.change(ItemKind::Fn, &f.name) == Change::Unchanged {
                continue;
            }
            self.env.functions.insert(f.name.clone(), f.sig.clone());
            self.graph.insert_deps(&f.name, plan.deps[&f.name].clone());
        }
        let main_deps = deps::deps_of(&program.main);
        for f in main_deps.fn_values {
            self.escaped
                .entry(f)
                .or_insert_with(|| input.source.to_string());
        }
    }

    /// Record the versions and sources of the input's items; the report
    /// listing them.
    fn record_items(
        &mut self,
        input: &Input<'_>,
        program: &Program,
        plan: &ItemPlan,
    ) -> TransactionReport {
        let mut report = TransactionReport {
            source: input.source.to_string(),
            origin: Some(input.origin),
            ..TransactionReport::default()
        };
        let kinds = program
            .structs
            .iter()
            .map(|s| (ItemKind::Struct, &s.name))
            .chain(program.globals.iter().map(|g| (ItemKind::Global, &g.name)))
            .chain(program.functions.iter().map(|f| (ItemKind::Fn, &f.name)));
        for (kind, name) in kinds {
            let change = plan.change(kind, name);
            let version = match change {
                Change::Added | Change::Changed => match plan.texts.get(&(kind, name.clone())) {
                    Some(text) => self.versions.record(kind, name, text.clone()),
                    None => self.versions.current_number(kind, name),
                },
                _ => self.versions.current_number(kind, name),
            };
            self.item_sources
                .insert((kind, name.clone()), input.source.to_string());
            let detail = match (kind, change) {
                (ItemKind::Global, Change::Changed) if plan.keep_value.contains(name) => {
                    Some("value kept".to_string())
                }
                (ItemKind::Global, Change::Changed) if input.origin == Origin::Reload => {
                    Some("type changed, re-initialized".to_string())
                }
                _ => None,
            };
            report.items.push(ItemChange {
                kind,
                name: name.clone(),
                change,
                version,
                detail,
            });
        }
        report
    }

    /// Undo staging after a rejection or a failure: restore replaced
    /// entries and free new code.
    fn undo(&mut self, undo: Undo) {
        for (name, old) in undo.functions.into_iter().rev() {
            match old {
                Some(e) => {
                    self.defs.functions.insert(name, e);
                }
                None => {
                    self.defs.functions.remove(&name);
                }
            }
        }
        for (name, old) in undo.structs.into_iter().rev() {
            match old {
                Some(e) => {
                    if let Some(new) = self.defs.structs.insert(name, e) {
                        self.defs.retired_structs.push(new);
                    }
                }
                None => {
                    if let Some(new) = self.defs.structs.remove(&name) {
                        self.defs.retired_structs.push(new);
                    }
                }
            }
        }
        for (name, old) in undo.globals.into_iter().rev() {
            match old {
                Some(g) => {
                    self.defs.globals.insert(name, g);
                }
                None => {
                    self.defs.globals.remove(&name);
                }
            }
        }
        for ptr in undo.installed {
            self.free_code(ptr);
        }
    }

    /// Current declarations of every function (for re-checking).
    fn fn_decls(&self) -> HashMap<String, Arc<ast::FnDecl>> {
        self.defs
            .functions
            .iter()
            .map(|(n, e)| (n.clone(), e.decl.clone()))
            .collect()
    }

    /// Render `diagnostics` as a compile error, in the order given (the
    /// checker's are sorted by location; a rejection's headline comes
    /// first).
    pub(crate) fn compile_error(&self, mut diagnostics: Vec<Diagnostic>) -> Error {
        if diagnostics.is_empty() {
            diagnostics.push(Diagnostic::error(
                "E0000",
                "internal error: the checker rejected the program without a diagnostic",
                Span::default(),
            ));
        }
        let sources = self.shared.sources.read();
        let mut rendered = ember_lang::render::render_in_order(&diagnostics, &sources, false);
        rendered.push_str(&ember_lang::render::summary(&diagnostics));
        Error::Compile {
            diagnostics,
            rendered,
        }
    }

    /// Items a reload of `source` no longer defines: those still used by
    /// other definitions are kept (with a warning), the rest removed.
    fn removed_items(
        &self,
        source: &str,
        program: &Program,
        fn_deps: &HashMap<String, Deps>,
    ) -> Removed {
        let mut r = Removed::default();
        let defined: BTreeSet<(ItemKind, &str)> = program
            .structs
            .iter()
            .map(|s| (ItemKind::Struct, s.name.as_str()))
            .chain(
                program
                    .globals
                    .iter()
                    .map(|g| (ItemKind::Global, g.name.as_str())),
            )
            .chain(
                program
                    .functions
                    .iter()
                    .map(|f| (ItemKind::Fn, f.name.as_str())),
            )
            .collect();
        let gone: Vec<(ItemKind, String)> = self
            .item_sources
            .iter()
            .filter(|((k, n), s)| s.as_str() == source && !defined.contains(&(*k, n.as_str())))
            .map(|(key, _)| key.clone())
            .collect();
        let gone_fns: BTreeSet<&str> = gone
            .iter()
            .filter(|(k, _)| *k == ItemKind::Fn)
            .map(|(_, n)| n.as_str())
            .collect();
        // Who still uses an item: functions of the new program, and
        // existing functions that are neither redefined nor removed.
        let users_of = |kind: ItemKind, name: &str| -> BTreeSet<String> {
            let mut users: BTreeSet<String> = match kind {
                ItemKind::Fn => self.graph.dependents_of_function(name),
                ItemKind::Struct => self.graph.users_of_struct(name),
                ItemKind::Global => self.graph.users_of_global(name),
            };
            for m in &self.live_mains {
                if uses(&m.deps, kind, name) && m.token.strong_count() > 0 {
                    users.insert(format!("the running top-level code of {}", m.source));
                }
            }
            users.retain(|u| {
                u != "<main>"
                    && !gone_fns.contains(u.as_str())
                    && !defined.contains(&(ItemKind::Fn, u.as_str()))
            });
            users.extend(
                fn_deps
                    .iter()
                    .filter(|(_, d)| uses(d, kind, name))
                    .map(|(f, _)| f.clone()),
            );
            if kind == ItemKind::Struct {
                users.extend(
                    program
                        .structs
                        .iter()
                        .filter(|s| deps::structs_of_struct(s).contains(name))
                        .map(|s| s.name.clone()),
                );
            }
            users
        };
        for (kind, name) in gone.iter().cloned() {
            let users = users_of(kind, &name);
            if users.is_empty() {
                match kind {
                    ItemKind::Fn => r.functions.push(name),
                    ItemKind::Struct => r.structs.push(name),
                    ItemKind::Global => r.globals.push(name),
                }
            } else {
                let list: Vec<String> = users
                    .iter()
                    .map(|u| {
                        if u.starts_with("the running") {
                            u.clone()
                        } else {
                            format!("`{u}`")
                        }
                    })
                    .collect();
                r.kept.push((kind, name, list.join(", ")));
            }
        }
        r
    }

    /// Forget removed items (their histories stay) and report them; their
    /// entries (disposed of once the transaction is settled).
    fn commit_removals(
        &mut self,
        removed: &Removed,
        report: &mut TransactionReport,
    ) -> RemovedEntries {
        let mut entries = RemovedEntries::default();
        for f in &removed.functions {
            if let Some(e) = self.defs.functions.remove(f) {
                entries.functions.push((f.clone(), e));
            }
            self.env.functions.remove(f);
            self.graph.remove_function(f);
            self.item_sources.remove(&(ItemKind::Fn, f.clone()));
            report.items.push(removed_item(ItemKind::Fn, f));
        }
        for s in &removed.structs {
            if let Some(e) = self.defs.structs.remove(s) {
                entries.structs.push((s.clone(), e));
            }
            self.env.structs.remove(s);
            self.graph.remove_struct(s);
            self.item_sources.remove(&(ItemKind::Struct, s.clone()));
            report.items.push(removed_item(ItemKind::Struct, s));
        }
        for g in &removed.globals {
            if let Some(r) = self.defs.globals.remove(g) {
                entries.globals.push((g.clone(), r));
            }
            self.env.globals.remove(g);
            self.graph.remove_global(g);
            self.item_sources.remove(&(ItemKind::Global, g.clone()));
            report.items.push(removed_item(ItemKind::Global, g));
        }
        for (kind, name, users) in &removed.kept {
            let version = self.versions.current_number(*kind, name);
            report.items.push(ItemChange {
                kind: *kind,
                name: name.clone(),
                change: Change::Kept,
                version,
                detail: Some(format!("still used by {users}")),
            });
            report.warnings.push(format!(
                "{kind} `{name}` was removed from {} but is still used by {users}; the old definition stays",
                report.source
            ));
        }
        entries
    }
}

fn removed_item(kind: ItemKind, name: &str) -> ItemChange {
    ItemChange {
        kind,
        name: name.to_string(),
        change: Change::Removed,
        version: 0,
        detail: None,
    }
}

/// A checked and compiled transaction, ready for its pause.
struct Prepared {
    program: Program,
    ripple: Ripple,
    removed: Removed,
    plan: ItemPlan,
    undo: Undo,
    compiled: Compiled,
    check: Duration,
    compile: Duration,
}

/// Items a reload removes.
#[derive(Debug, Default)]
pub(crate) struct Removed {
    functions: Vec<String>,
    structs: Vec<String>,
    globals: Vec<String>,
    /// Gone from the file but still used: (kind, name, users).
    kept: Vec<(ItemKind, String, String)>,
}

/// Per item: its change and its text in the input.
#[derive(Debug, Default)]
struct ItemPlan {
    items: HashMap<(ItemKind, String), Change>,
    texts: HashMap<(ItemKind, String), ItemText>,
    /// Globals whose text changed on a reload but whose type did not:
    /// their value (and cell) is kept.
    keep_value: BTreeSet<String>,
    /// Each function's dependencies.
    deps: HashMap<String, Deps>,
}

impl ItemPlan {
    /// Does the transaction define, change or remove anything?
    fn changes_anything(&self, removed: &Removed) -> bool {
        self.items.values().any(|c| *c != Change::Unchanged)
            || !removed.functions.is_empty()
            || !removed.structs.is_empty()
            || !removed.globals.is_empty()
    }

    fn change(&self, kind: ItemKind, name: &str) -> Change {
        self.items
            .get(&(kind, name.to_string()))
            .copied()
            .unwrap_or(Change::Unchanged)
    }
}

/// Does code with dependencies `d` use item `name` of `kind`?
fn uses(d: &Deps, kind: ItemKind, name: &str) -> bool {
    match kind {
        ItemKind::Fn => d.calls.contains(name) || d.fn_values.contains(name),
        ItemKind::Struct => d.structs.contains(name),
        ItemKind::Global => d.globals.contains(name),
    }
}

/// Does `f` use anything whose shape changes (so its code must be
/// recompiled even if its text did not change)?
fn uses_ripple(d: &Deps, ripple: &Ripple) -> bool {
    d.functions().any(|c| ripple.signatures.contains_key(c))
        || d.structs.iter().any(|s| ripple.structs.contains(s))
        || d.globals.iter().any(|g| ripple.globals.contains_key(g))
}

/// Name spans of the input's items (for diagnostics about them).
fn item_spans(module: &ast::Module) -> HashMap<String, Span> {
    module
        .items
        .iter()
        .filter_map(|i| match i {
            TopLevel::Fn(f) => Some((f.name.name.to_string(), f.name.span)),
            TopLevel::Struct(s) => Some((s.name.name.to_string(), s.name.span)),
            TopLevel::Global(g) => Some((g.name.name.to_string(), g.name.span)),
            TopLevel::Stmt(_) => None,
        })
        .collect()
}

/// Each item's source text: its span's range of the input's shared text.
fn item_texts(
    module: &ast::Module,
    src: &Arc<SourceText>,
) -> HashMap<(ItemKind, String), ItemText> {
    let text = |s: Span| ItemText {
        src: src.clone(),
        lo: s.lo,
        hi: s.hi,
    };
    module
        .items
        .iter()
        .filter_map(|i| match i {
            TopLevel::Fn(f) => Some(((ItemKind::Fn, f.name.name.to_string()), text(f.span))),
            TopLevel::Struct(s) => {
                Some(((ItemKind::Struct, s.name.name.to_string()), text(s.span)))
            }
            TopLevel::Global(g) => {
                Some(((ItemKind::Global, g.name.name.to_string()), text(g.span)))
            }
            TopLevel::Stmt(_) => None,
        })
        .collect()
}

fn find_fn_decl(module: &ast::Module, name: &str) -> Option<Arc<ast::FnDecl>> {
    module.items.iter().find_map(|i| match i {
        TopLevel::Fn(f) if &*f.name.name == name => Some(Arc::new(f.clone())),
        _ => None,
    })
}

//! Undoing a transaction whose top-level code failed (LANGUAGE.md §7: "a
//! runtime error ... changes no definition"; issue 6: no half state).
//!
//! A REPL entry or a reload defines its items first, then runs its
//! top-level code (`<main>`: a REPL entry's statements, a reload's new
//! global initializers). Until that code has finished, the transaction
//! keeps what it replaced — the old slot contents, the old code (not
//! freed), the old entries, and copies of the environment — in a
//! [`Pending`]. If the code succeeds, [`Engine::settle`] frees and publishes
//! as an ordinary transaction does. If it raises, [`Engine::revert`] puts
//! every definition back in a second pause: the slots get their old code
//! again (the very same machine code, nothing is recompiled), struct
//! instances are migrated back, globals the transaction created are
//! forgotten (a new global stays uninitialized; one whose type changed
//! gets its old cell, holding its earlier value), and the versions it
//! recorded are dropped. What the failed code did (assignments to existing
//! globals, output, threads it started) stays.
//!
//! One thing cannot be undone exactly: a struct change dropped fields, so
//! instances migrated back get those fields' zero values. And a struct
//! change is not undone while a thread runs code that uses the struct
//! (as a change would be refused, E0405): then the definitions stay and
//! the notice says why.

use std::collections::{BTreeSet, HashMap};

use ember_lang::deps::DepGraph;
use ember_lang::Env;

use super::reclaim;
use super::report::{Change, ItemKind, Origin, TransactionReport};
use super::tierup::Job;
use crate::code::{CodePtr, SlotId};
use crate::codegen::GlobalRef;
use crate::engine::{Engine, FnEntry, StructEntry};

/// One slot write of a pause: (slot, before, after).
pub(crate) type SlotSwap = (SlotId, usize, usize);

/// Everything a transaction with top-level code keeps until that code has
/// run.
pub(crate) struct Pending {
    pub report: TransactionReport,
    /// Quick-tier bodies to hand to the optimizer once the code succeeded.
    pub jobs: Vec<Job>,
    /// Old bodies no frame ran at the pause: freed only on success.
    pub dead: Vec<CodePtr>,
    /// Slot writes of the pause, in order: (slot, before, after).
    pub swaps: Vec<SlotSwap>,
    /// Structs whose layout changed (instances were migrated).
    pub changed_structs: BTreeSet<String>,
    /// The entries the transaction replaced (`None`: it was new).
    pub functions: Vec<(String, Option<FnEntry>)>,
    pub structs: Vec<(String, Option<StructEntry>)>,
    pub globals: Vec<(String, Option<GlobalRef>)>,
    /// Entries of items a reload removed.
    pub removed: RemovedEntries,
    /// The environment, dependency graph, item sources and escaped
    /// function values before the transaction.
    pub env: Env,
    pub graph: DepGraph,
    pub item_sources: HashMap<(ItemKind, String), String>,
    pub escaped: HashMap<String, String>,
}

/// Definitions a reload removed (kept until its top-level code has run).
#[derive(Default)]
pub(crate) struct RemovedEntries {
    pub functions: Vec<(String, FnEntry)>,
    pub structs: Vec<(String, StructEntry)>,
    pub globals: Vec<(String, GlobalRef)>,
}

impl Engine {
    /// The top-level code of a pending transaction succeeded: free what it
    /// replaced and publish it like any transaction.
    pub(crate) fn settle(&mut self, p: Pending) {
        for (_, old) in p.structs {
            self.defs.retired_structs.extend(old);
        }
        self.dispose_removed(p.removed);
        let reclaimed = reclaim::free(&self.shared, p.dead);
        let mut report = p.report;
        report.reclaimed_bytes += reclaimed;
        self.publish(report, p.jobs);
    }

    /// Forget the entries of removed items for good.
    pub(crate) fn dispose_removed(&mut self, removed: RemovedEntries) {
        for (_, e) in removed.structs {
            self.defs.retired_structs.push(e);
        }
        for (_, g) in removed.globals {
            self.shared.retire_global(g.id);
        }
    }

    /// The top-level code of a pending transaction failed: put every
    /// definition back as it was before (see the module documentation).
    pub(crate) fn revert(&mut self, p: Pending) {
        let shared = self.shared.clone();
        let world = shared.stop_world(&self.ctx);
        if let Some((func, name)) = reclaim::struct_in_use(&shared, &p.changed_structs) {
            drop(world);
            let why = format!(
                "kept: struct `{name}` cannot change back while a thread is running `{func}`"
            );
            self.push_notice(undo_notice(&p.report, &why));
            self.settle(p);
            return;
        }
        // Entries back first: the migration goes from the transaction's
        // layouts to the restored ones.
        let mut replaced_structs = Vec::new();
        for (name, old) in p.structs.into_iter().rev() {
            let new = match old {
                Some(e) => self.defs.structs.insert(name.clone(), e),
                None => self.defs.structs.remove(&name),
            };
            replaced_structs.push((name, new));
        }
        let back: BTreeSet<String> = p
            .changed_structs
            .iter()
            .filter(|s| self.defs.structs.contains_key(*s))
            .cloned()
            .collect();
        let migration = self.migrate_structs(&back, &replaced_structs);
        self.shared.code.lock().sync_other_threads();
        let mut restored = BTreeSet::new();
        for &(slot, before, _) in p.swaps.iter().rev() {
            let now = self.shared.slots.swap(slot, before);
            restored.insert(before);
            self.shared.retire_code_at(now);
        }
        let mut dead = p.dead;
        dead.retain(|c| !restored.contains(&c.addr()));
        {
            let mut retired = self.shared.retired.lock();
            retired.retain(|c| !restored.contains(&c.addr()));
            dead.extend(reclaim::unused(&shared, &mut retired));
        }
        drop(world);
        reclaim::free(&self.shared, dead);

        for (_, new) in replaced_structs {
            self.defs.retired_structs.extend(new);
        }
        for (name, old) in p.functions.into_iter().rev() {
            match old {
                Some(e) => self.defs.functions.insert(name, e),
                None => self.defs.functions.remove(&name),
            };
        }
        for (name, old) in p.globals.into_iter().rev() {
            let new = match old {
                Some(g) => self
                    .defs
                    .globals
                    .insert(name, g.clone())
                    .filter(|n| n.id != g.id),
                None => self.defs.globals.remove(&name),
            };
            // A cell the transaction made is forgotten (its value is no
            // longer a root).
            if let Some(n) = new {
                self.shared.retire_global(n.id);
            }
        }
        for (name, e) in p.removed.functions {
            self.defs.functions.insert(name, e);
        }
        for (name, e) in p.removed.structs {
            self.defs.structs.insert(name, e);
        }
        for (name, g) in p.removed.globals {
            self.defs.globals.insert(name, g);
        }
        self.env = p.env;
        self.graph = p.graph;
        self.item_sources = p.item_sources;
        self.escaped = p.escaped;
        for item in &p.report.items {
            if matches!(item.change, Change::Added | Change::Changed) {
                self.versions.pop(item.kind, &item.name, item.version);
            }
        }
        let why = match migration {
            Ok(_) => "undone".to_string(),
            Err(e) => format!("undone, but migrating struct instances back failed: {e}"),
        };
        self.push_notice(undo_notice(&p.report, &why));
    }
}

/// `nothing defined: ...` notice for a reverted transaction.
fn undo_notice(report: &TransactionReport, outcome: &str) -> String {
    let items: Vec<String> = report
        .items
        .iter()
        .filter(|i| !matches!(i.change, Change::Unchanged | Change::Kept))
        .map(|i| format!("{} {}", i.kind, i.name))
        .collect();
    let what = match report.origin {
        Some(Origin::Reload) => format!("reload of {}", report.source),
        _ => "definitions of this entry".to_string(),
    };
    format!(
        "{what} {outcome} (its top-level code failed): {}",
        items.join(", ")
    )
}

//! What a transaction did: per item, what changed, and per phase, how long
//! it took. Shown as definition notices in the REPL, returned by reloads,
//! passed to listeners ([`crate::Engine::on_transaction`]).

use std::fmt;
use std::time::Duration;

/// The kind of a top-level item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemKind {
    Fn,
    Struct,
    Global,
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ItemKind::Fn => "fn",
            ItemKind::Struct => "struct",
            ItemKind::Global => "let",
        })
    }
}

/// What happened to one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// New name.
    Added,
    /// New text (a new version).
    Changed,
    /// Same text as the current version: nothing compiled.
    Unchanged,
    /// Same text, compiled again because something it uses changed
    /// (a callee's signature, a struct's layout, a global's type).
    Recompiled,
    /// Gone from the reloaded file and no longer defined.
    Removed,
    /// Gone from the reloaded file but still used by other definitions:
    /// kept as it was (a warning).
    Kept,
}

/// One item's change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemChange {
    pub kind: ItemKind,
    pub name: String,
    pub change: Change,
    /// The item's version after the transaction (0 if removed).
    pub version: u32,
    /// Extra detail (e.g. `3 instances migrated`, why an item was kept).
    pub detail: Option<String>,
}

/// Where a transaction came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A REPL entry or an `eval`-style API call.
    Entry,
    /// A whole file, the first time (`ember run`, `load_file`).
    Load,
    /// A file loaded before, again: definitions diffed, top-level
    /// statements not re-run.
    Reload,
    /// Rolling a definition back to an earlier version.
    Rollback,
}

/// Time spent per phase. `pause` is the only time other threads were
/// stopped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timings {
    pub parse: Duration,
    pub check: Duration,
    pub compile: Duration,
    pub pause: Duration,
    /// Source to callable: everything above plus bookkeeping (not the
    /// time the entry's statements then run).
    pub total: Duration,
}

/// The result of one accepted transaction.
#[derive(Clone, Debug, Default)]
pub struct TransactionReport {
    /// The file name or `<repl>`.
    pub source: String,
    pub origin: Option<Origin>,
    pub items: Vec<ItemChange>,
    pub timings: Timings,
    /// Bytes of machine code written.
    pub code_bytes: usize,
    /// Bytes of old machine code freed (found in the pause, freed after).
    pub reclaimed_bytes: usize,
    /// Struct instances migrated to new layouts.
    pub migrated: usize,
    /// Warnings (e.g. removed items kept because they are still used).
    pub warnings: Vec<String>,
}

impl TransactionReport {
    /// Items with the given change.
    pub fn with_change(&self, change: Change) -> impl Iterator<Item = &ItemChange> {
        self.items.iter().filter(move |i| i.change == change)
    }

    /// True if nothing was defined, changed or removed.
    pub fn is_empty(&self) -> bool {
        self.items.iter().all(|i| i.change == Change::Unchanged)
    }

    /// The REPL's definition notice: `fn f redefined (v3): compile 14 µs,
    /// pause 2 µs` (several items separated by commas; `None` when the
    /// transaction defined nothing — e.g. an entry of statements only).
    /// Globals set by a REPL entry are not mentioned.
    pub fn notice(&self) -> Option<String> {
        let parts: Vec<String> = self
            .items
            .iter()
            .filter(|i| !(i.kind == ItemKind::Global && self.origin == Some(Origin::Entry)))
            .filter(|i| i.change != Change::Unchanged || self.origin == Some(Origin::Entry))
            .map(|i| {
                let what = match i.change {
                    Change::Added => "defined".to_string(),
                    Change::Changed if self.origin == Some(Origin::Rollback) => {
                        "rolled back".to_string()
                    }
                    Change::Changed => "redefined".to_string(),
                    Change::Unchanged => "unchanged".to_string(),
                    Change::Recompiled => "recompiled".to_string(),
                    Change::Removed => "removed".to_string(),
                    Change::Kept => "kept".to_string(),
                };
                let mut s = format!("{} {} {what}", i.kind, i.name);
                if i.version > 0 && i.change != Change::Removed {
                    s.push_str(&format!(" (v{})", i.version));
                }
                if let Some(d) = &i.detail {
                    s.push_str(&format!(" [{d}]"));
                }
                s
            })
            .collect();
        if parts.is_empty() {
            return None;
        }
        let mut s = parts.join(", ");
        if self.items.iter().any(|i| {
            !matches!(i.change, Change::Unchanged | Change::Removed | Change::Kept)
                && i.kind != ItemKind::Global
        }) {
            s.push_str(&format!(
                ": compile {}, pause {}",
                micros(self.timings.compile),
                micros(self.timings.pause)
            ));
        }
        Some(s)
    }
}

/// `14 µs` (whole microseconds; one decimal below 10 µs: `2.5 µs`).
pub fn micros(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 10.0 {
        format!("{us:.1} µs")
    } else {
        format!("{us:.0} µs")
    }
}

impl fmt::Display for TransactionReport {
    /// The reload report: one line per item that is not unchanged, then
    /// the counts and timings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for i in &self.items {
            if i.change == Change::Unchanged {
                continue;
            }
            let what = match i.change {
                Change::Added => "added",
                Change::Changed => "changed",
                Change::Recompiled => "recompiled",
                Change::Removed => "removed",
                Change::Kept => "kept (still used)",
                Change::Unchanged => unreachable!(),
            };
            write!(f, "  {what:<11} {} {}", i.kind, i.name)?;
            if i.version > 0 && i.change != Change::Removed {
                write!(f, " (v{})", i.version)?;
            }
            if let Some(d) = &i.detail {
                write!(f, " — {d}")?;
            }
            writeln!(f)?;
        }
        let count = |c| self.with_change(c).count();
        writeln!(
            f,
            "{}: {} added, {} changed, {} removed, {} unchanged; parse {}, check {}, compile {}, pause {}; {} code bytes",
            self.source,
            count(Change::Added),
            count(Change::Changed) + count(Change::Recompiled),
            count(Change::Removed),
            count(Change::Unchanged),
            micros(self.timings.parse),
            micros(self.timings.check),
            micros(self.timings.compile),
            micros(self.timings.pause),
            self.code_bytes
        )?;
        for w in &self.warnings {
            writeln!(f, "warning: {w}")?;
        }
        Ok(())
    }
}

//! Live redefinition (LANGUAGE.md §7): transactions, versions, reclamation
//! of old code, and the events and statistics they produce.
//!
//! One REPL entry, one file reload or one API call is one transaction:
//!
//! 1. parse and check the input against the current definitions; when a
//!    function's signature, a struct or a global's type changes, the
//!    dependents are re-checked with it ([`plan`]);
//! 2. compile every new or changed body (and the dependents) and copy it
//!    into code memory, while every other thread keeps running;
//! 3. stop the world, refuse if a struct whose layout changes is in use by
//!    a running frame, migrate struct instances, write the slots, find old
//!    code no frame can be running ([`reclaim`]), resume — the only pause —
//!    and free that code;
//! 4. record versions ([`versions`]) and timings, and emit a
//!    [`TransactionReport`] to the listeners and the statistics
//!    ([`stats`]); hand the new (quick-tier) bodies to the background
//!    optimizer ([`tierup`]).
//!
//! 5. top-level code of the input (a REPL entry's statements, a reload's
//!    new global initializers) runs after the definitions; if it raises,
//!    every definition is put back ([`revert`]).
//!
//! The driver lives in [`transaction`] (as methods of the engine).

pub mod plan;
pub mod reclaim;
pub mod report;
pub(crate) mod revert;
pub mod stats;
pub mod tierup;
pub mod transaction;
pub mod versions;

pub use report::{Change, ItemChange, ItemKind, Origin, Timings, TransactionReport};
pub use stats::{PhaseSummary, Stats};
pub use versions::{History, Version};

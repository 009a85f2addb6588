//! What a module is checked against: the definitions that already exist
//! (earlier REPL entries, the live program), the host functions an
//! embedder registered, and which standard functions the engine provides.
//! Definitions in the module itself take precedence.

use std::collections::HashMap;

use crate::tir::{Builtin, StructDef};
use crate::types::{FnType, Type};

#[derive(Clone, Debug, Default)]
pub struct Env {
    pub functions: HashMap<String, FnType>,
    pub structs: HashMap<String, StructDef>,
    pub globals: HashMap<String, GlobalInfo>,
    /// Host functions registered by an embedder (called as `Callee::Host`).
    pub hosts: HashMap<String, FnType>,
    /// The standard functions a program may call (default: all of them).
    pub builtins: Builtins,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GlobalInfo {
    pub ty: Type,
    pub mutable: bool,
}

/// Which standard functions (LANGUAGE.md §5, per overload: [`Builtin`])
/// are available. The default makes every one available; an engine marks
/// those it has no implementation for as missing, with a note saying why
/// (shown when a program calls one: `E0114`). The names stay reserved
/// either way (an item cannot take a standard function's name, `E0102`),
/// so a program means the same in every engine that accepts it.
#[derive(Clone, Debug, Default)]
pub struct Builtins {
    /// Unavailable overloads and why (e.g. which standard part is off).
    missing: HashMap<Builtin, String>,
}

impl Builtins {
    /// Every standard function available.
    pub fn all() -> Builtins {
        Builtins::default()
    }

    /// Can programs call `b`?
    pub fn is_available(&self, b: Builtin) -> bool {
        !self.missing.contains_key(&b)
    }

    /// Why `b` is unavailable (`None` if it is available).
    pub fn why_missing(&self, b: Builtin) -> Option<&str> {
        self.missing.get(&b).map(String::as_str)
    }

    /// Make `b` unavailable; `why` becomes a note of the diagnostic.
    pub fn remove(&mut self, b: Builtin, why: impl Into<String>) {
        self.missing.insert(b, why.into());
    }

    /// Make `b` available.
    pub fn insert(&mut self, b: Builtin) {
        self.missing.remove(&b);
    }
}

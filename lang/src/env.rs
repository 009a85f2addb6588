//! What a module is checked against: the definitions that already exist
//! (earlier REPL entries, the live program) and the host functions an
//! embedder registered. Definitions in the module itself take precedence.

use std::collections::HashMap;

use crate::tir::StructDef;
use crate::types::{FnType, Type};

#[derive(Clone, Debug, Default)]
pub struct Env {
    pub functions: HashMap<String, FnType>,
    pub structs: HashMap<String, StructDef>,
    pub globals: HashMap<String, GlobalInfo>,
    /// Host functions registered by an embedder (called as `Callee::Host`).
    pub hosts: HashMap<String, FnType>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GlobalInfo {
    pub ty: Type,
    pub mutable: bool,
}

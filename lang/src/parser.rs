//! Parser entry points (stub until the grammar lands).
use crate::{ast, Diagnostic, FileId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    File,
    Entry,
}

pub fn parse(_file: FileId, _src: &str, _mode: Mode) -> (ast::Module, Vec<Diagnostic>) {
    (ast::Module::default(), Vec::new())
}

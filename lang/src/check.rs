//! Type checker (stub until it lands).
use crate::{ast, tir, Diagnostic, Env};

pub fn check_module(_module: &ast::Module, _env: &Env) -> Result<tir::Program, Vec<Diagnostic>> {
    Err(Vec::new())
}

//! `ember-lang`: the Ember front end.
//!
//! Pipeline: source text → [`lexer`] (logos) → [`parser`] (lalrpop) →
//! [`ast::Module`] → [`check`] (names and types) → [`tir::Program`] (typed
//! IR) + [`deps`] (dependency graph). Every stage reports [`Diagnostic`]s,
//! rendered in one place by [`render`]. Knows nothing of Cranelift.
#![forbid(unsafe_code)]

pub mod ast;
pub mod check;
pub mod complete;
pub mod deps;
pub mod diag;
pub mod env;
pub mod lexer;
pub mod parser;
pub mod render;
pub mod source;
pub mod span;
pub mod tir;
pub mod types;

pub use diag::{Diagnostic, Label, Severity};
pub use env::{Builtins, Env, GlobalInfo};
pub use source::SourceMap;
pub use span::{FileId, Span};
pub use types::{FnType, Type};

/// Parse a whole file. Always returns a module (with error placeholders
/// where the parser recovered) and the syntax errors found.
pub fn parse_file(file: FileId, src: &str) -> (ast::Module, Vec<Diagnostic>) {
    parser::parse(file, src, parser::Mode::File)
}

/// Parse one REPL entry: items and statements mixed, and a final bare
/// expression allowed (its value is echoed).
pub fn parse_entry(file: FileId, src: &str) -> (ast::Module, Vec<Diagnostic>) {
    parser::parse(file, src, parser::Mode::Entry)
}

/// Check a parsed module against `env`. Returns the typed program when there
/// are no errors.
pub fn check_module(module: &ast::Module, env: &Env) -> Result<tir::Program, Vec<Diagnostic>> {
    check::check_module(module, env)
}

/// Parse and check a whole file in one go: the typed program, or every
/// syntax and type error found.
pub fn check_file(file: FileId, src: &str, env: &Env) -> Result<tir::Program, Vec<Diagnostic>> {
    let (module, mut errors) = parse_file(file, src);
    match check_module(&module, env) {
        Ok(program) if errors.is_empty() => Ok(program),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            Err(errors)
        }
    }
}

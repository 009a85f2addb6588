//! `ember`: the facade an embedder depends on.
//!
//! It offers the front end ([`lang`], a re-export of `ember-lang`), the
//! [`Engine`] that compiles and runs Ember code (from `ember-jit`), and the
//! helpers the `ember` command and the file-driven tests share: checking
//! source text, running a file as `ember run` does, and rendering what went
//! wrong exactly as the command prints it.
#![forbid(unsafe_code)]

use std::fmt;

pub use ember_jit::{EmberError, Engine, Error, Frame};
pub use ember_lang as lang;

use lang::{Diagnostic, Env, SourceMap};

/// The diagnostics of a failed check, together with the sources they point
/// into, so they can be rendered at any time.
#[derive(Clone, Debug)]
pub struct Diagnostics {
    pub sources: SourceMap,
    pub list: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Render every diagnostic (see [`lang::render::render`]).
    pub fn render(&self, color: bool) -> String {
        lang::render::render(&self.list, &self.sources, color)
    }

    /// The closing line, e.g. `error: aborting due to 2 previous errors`.
    pub fn summary(&self) -> String {
        lang::render::summary(&self.list)
    }

    /// What `ember check` prints on standard error: every diagnostic, then
    /// the summary line. `tests/errors/*.err` hold exactly this (no colour).
    pub fn report(&self, color: bool) -> String {
        let mut out = self.render(color);
        out.push_str(&self.summary());
        out
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Diagnostics {}

/// Parse and check `text` as a whole file named `name` (the name appears in
/// diagnostics as given). Returns the typed program, or every error found.
pub fn check_source(name: &str, text: &str) -> Result<lang::tir::Program, Diagnostics> {
    let mut sources = SourceMap::new();
    let file = sources.add(name, text);
    match lang::check_file(file, text, &Env::default()) {
        Ok(program) => Ok(program),
        Err(mut list) => {
            if list.is_empty() {
                // A rejection must always say why; never fail silently.
                list.push(Diagnostic::error(
                    "E0000",
                    "internal error: the checker rejected the program without a diagnostic",
                    lang::Span::new(file, 0, 0),
                ));
            }
            Err(Diagnostics { sources, list })
        }
    }
}

/// Like [`check_source`], with the diagnostics rendered as plain text
/// (no colour) with the summary line, exactly as `ember check` prints them.
pub fn check_source_rendered(name: &str, text: &str) -> Result<(), String> {
    check_source(name, text)
        .map(|_| ())
        .map_err(|d| d.report(false))
}

/// Run `text` as the file `name` the way `ember run` does: define every
/// item, run global initializers and top-level statements in source order,
/// then wait for every spawned thread. Returns what must be reported on
/// standard error, one entry per problem (compile errors, the runtime
/// error, errors of threads nobody joined); empty means success.
pub fn run_file(engine: &mut Engine, name: &str, text: &str) -> Vec<String> {
    let mut reports = Vec::new();
    if let Err(e) = engine.run_source(name, text) {
        reports.push(report_error(&e));
    }
    for e in engine.wait_threads() {
        reports.push(report_thread_error(&e));
    }
    reports
}

/// How the command line reports an [`Error`]: compile diagnostics as
/// `ember check` renders them; a runtime error as `error: MESSAGE` followed
/// by its Ember stack (`  at NAME (FILE:LINE:COL)`, innermost first).
pub fn report_error(e: &Error) -> String {
    match e {
        Error::Compile { rendered, .. } => rendered.clone(),
        Error::Runtime(err) => format!("error: {err}\n"),
        other => format!("error: {other}\n"),
    }
}

/// How the command line reports a runtime error of a spawned thread that
/// nobody joined.
pub fn report_thread_error(e: &EmberError) -> String {
    format!("error: {e}\n  = note: raised in a spawned thread that nobody joined\n")
}

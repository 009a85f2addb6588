//! `ember`: the facade an embedder depends on.
//!
//! It offers the front end ([`lang`], a re-export of `ember-lang`), the
//! [`Engine`] that compiles and runs Ember code with the standard library
//! installed (`ember-jit` + `ember-stdlib`), and the helpers the `ember`
//! command and the file-driven tests share: checking source text, running
//! a file as `ember run` does, and rendering what went wrong exactly as the
//! command prints it.
//!
//! ```no_run
//! // The whole standard library:
//! let mut engine = ember::Engine::new().unwrap();
//! engine.run_source("hi.em", "println(\"hi\");").unwrap();
//!
//! // A sandbox without the clock, `sleep` and random numbers: programs
//! // calling them are refused at check time.
//! let parts = ember::Parts::all() - ember::Parts::TIME - ember::Parts::RANDOM;
//! let mut sandbox = ember::Engine::builder().parts(parts).build().unwrap();
//! assert!(sandbox.run_source("t.em", "sleep(10);").is_err());
//! ```
#![forbid(unsafe_code)]

use std::fmt;
use std::ops::{Deref, DerefMut};

pub use ember_jit::runtime::heap::HeapConfig;
pub use ember_jit::{
    Change, EmberError, Error, FnHandle, Frame, InterruptHandle, ItemChange, ItemKind, MainRun,
    Origin, Stats, TransactionReport,
};
pub use ember_lang as lang;
pub use ember_stdlib::Parts;

/// An Ember engine with the standard library installed (all of it with
/// [`Engine::new`]; the parts you choose with [`Engine::builder`]). It
/// dereferences to the underlying [`ember_jit::Engine`] for running code,
/// calling functions and registering host functions.
#[derive(Debug)]
pub struct Engine {
    inner: ember_jit::Engine,
}

impl Engine {
    /// An engine with every standard part ([`Parts::all`]).
    pub fn new() -> Result<Engine, Error> {
        Engine::builder().build()
    }

    /// Choose the standard parts and the heap configuration.
    pub fn builder() -> EngineBuilder {
        EngineBuilder {
            parts: Parts::all(),
            heap: HeapConfig::default(),
        }
    }

    /// The underlying JIT engine.
    pub fn into_inner(self) -> ember_jit::Engine {
        self.inner
    }
}

impl Deref for Engine {
    type Target = ember_jit::Engine;
    fn deref(&self) -> &ember_jit::Engine {
        &self.inner
    }
}

impl DerefMut for Engine {
    fn deref_mut(&mut self) -> &mut ember_jit::Engine {
        &mut self.inner
    }
}

/// Builds an [`Engine`]: which standard parts are present, heap limits.
#[derive(Clone, Debug)]
pub struct EngineBuilder {
    parts: Parts,
    heap: HeapConfig,
}

impl EngineBuilder {
    /// The standard parts to install (default: [`Parts::all`]). Calls of
    /// the others are refused when a program is checked.
    pub fn parts(mut self, parts: Parts) -> EngineBuilder {
        self.parts = parts;
        self
    }

    /// The heap's configuration (limit, collection threshold).
    pub fn heap_config(mut self, config: HeapConfig) -> EngineBuilder {
        self.heap = config;
        self
    }

    /// The engine.
    pub fn build(self) -> Result<Engine, Error> {
        let mut inner = ember_jit::Engine::with_heap_config(self.heap)?;
        ember_stdlib::install(&mut inner, self.parts)?;
        Ok(Engine { inner })
    }
}

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

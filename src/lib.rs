//! `ember`: embed the Ember language in a Rust program.
//!
//! Ember is a statically typed scripting language compiled to native code
//! (Cranelift) whose definitions can be replaced while the program runs.
//! This crate is what an embedder depends on: an [`Engine`] with the
//! standard library, typed calls into Ember ([`Function`]), Rust closures
//! as Ember functions ([`Engine::register_fn`]), evaluation
//! ([`Engine::eval`]), live reloading with reports, versions and
//! rollback, limits, and errors that render like the `ember` command's.
//!
//! ```
//! use ember::{Engine, Error};
//!
//! let mut engine = Engine::new()?;
//! // Rust → Ember: closures become host functions (checked like any call).
//! engine.register_fn("tax_rate", |region: &str| if region == "EU" { 0.2 } else { 0.1 });
//! engine.run_source("shop.em", r#"
//!     fn total(net: float, region: str) -> float { net * (1.0 + tax_rate(region)) }
//! "#)?;
//! // Ember → Rust: typed handles, checked against the Ember signature.
//! let total = engine.function::<(f64, &str), f64>("total")?;
//! assert_eq!(total.call((100.0, "EU"))?, 120.0);
//! // Redefine while handles are held: the next call runs the new body.
//! engine.reload_source("shop.em", r#"
//!     fn total(net: float, region: str) -> float { net * (1.0 + tax_rate(region)) + 1.0 }
//! "#)?;
//! assert_eq!(total.call((100.0, "EU"))?, 121.0);
//! assert_eq!(engine.eval::<i64>("2 * 21")?, 42);
//! # Ok::<(), Error>(())
//! ```
//!
//! # Values
//!
//! | Rust | Ember |
//! |---|---|
//! | `i64`, `f64`, `bool` | `int`, `float`, `bool` |
//! | `String`, `&str` | `str` |
//! | `()` | `()` |
//! | `Vec<T>` | `[T]` |
//! | `HashMap<K, V>`, `BTreeMap<K, V>` (`K`: `i64`, `String`, `bool`) | `map[K, V]` |
//! | `Option<T>` | `T?` |
//! | [`Value`] (results only) | any type, copied |
//!
//! Values cross by copy: a `Vec` passed to Ember becomes a new Ember
//! array; an array returned is copied into a `Vec`.
//!
//! # Threads
//!
//! [`Function`] handles are `Send + Sync + Clone` and call from any
//! thread, without the engine, while it redefines code (each call runs the
//! current definition). The [`Engine`] is `Send + Sync` (move it to any
//! thread, read a shared `&Engine` from several); its methods that define,
//! replace or run code take `&mut self`. [`SharedEngine`] (from
//! [`Engine::into_shared`]) is the engine for many threads at once:
//! `Send + Sync + Clone`, locking for each operation, and it reloads files
//! in the background ([`SharedEngine::watch`]).
//!
//! # Sandbox
//!
//! A script reaches only the language itself, the standard parts the
//! engine was built with ([`EngineBuilder::parts`]) and the functions the
//! embedder registered: Ember has no file, network or process access of
//! its own. Calls of anything else are refused when the script is
//! checked, before it runs: an unknown name is `E0100`, a standard
//! function of a part left out is `E0114` with a note naming the part.
//!
//! ```
//! let mut engine = ember::Engine::builder().parts(ember::Parts::all() - ember::Parts::TIME).build()?;
//! let err = engine.run_source("s.em", "sleep(1000);").unwrap_err();
//! assert!(err.to_string().contains("error[E0114]"));
//! let err = engine.run_source("s.em", "let f = open(\"/etc/passwd\");").unwrap_err();
//! assert!(err.to_string().contains("error[E0100]: cannot find function `open`"));
//! # Ok::<(), ember::Error>(())
//! ```
//!
//! # Limits
//!
//! [`EngineBuilder::heap_limit`] (`out of memory`),
//! [`EngineBuilder::time_limit`] per call (`interrupted`), and
//! [`ember_jit::Engine::interrupt_handle`] to stop running code from
//! another thread.
//!
//! # Errors
//!
//! [`Error`]: `Compile` (diagnostics, rendered as `ember check` prints
//! them), `Runtime` (message and Ember stack: a script's panic, a host
//! function's error), `Host` (a request of the embedder refused: a
//! signature mismatch, a registration). `Display` prints what the command
//! line prints ([`report_error`] adds its `error:` prefix).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod builder;
mod engine;
pub mod file_watch;
mod function;
mod shared;

use std::fmt;

pub use builder::EngineBuilder;
pub use engine::Engine;
pub use function::Function;
pub use shared::{SharedEngine, Watcher};

pub use ember_jit::embed::{Args, EmberType, FromEmber, IntoEmber, IntoHostFn, Value};
pub use ember_jit::live::{History, Timings, Version};
pub use ember_jit::runtime::heap::HeapConfig;
pub use ember_jit::{
    Change, EmberError, Error, FnHandle, Frame, InterruptHandle, ItemChange, ItemKind, MainRun,
    Origin, Stats, TransactionReport,
};
pub use ember_lang as lang;
pub use ember_stdlib::Parts;

use lang::{Diagnostic, Env, SourceMap};

/// The diagnostics of a failed check, together with the sources they point
/// into, so they can be rendered at any time.
///
/// ```
/// let d = ember::check_source("bad.em", "let x: int = \"hi\";").unwrap_err();
/// assert_eq!(d.list[0].code, "E0200");
/// ```
#[derive(Clone, Debug)]
pub struct Diagnostics {
    /// The texts the diagnostics point into.
    pub sources: SourceMap,
    /// The diagnostics, in order of position.
    pub list: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Render every diagnostic (see [`lang::render::render`]).
    ///
    /// ```
    /// let d = ember::check_source("bad.em", "let x: int = \"hi\";").unwrap_err();
    /// assert!(d.render(false).starts_with("error[E0200]: mismatched types"));
    /// ```
    pub fn render(&self, color: bool) -> String {
        lang::render::render(&self.list, &self.sources, color)
    }

    /// The closing line, e.g. `error: aborting due to 2 previous errors`.
    ///
    /// ```
    /// let d = ember::check_source("bad.em", "let x: int = \"hi\";").unwrap_err();
    /// assert_eq!(d.summary().trim_end(), "error: aborting due to 1 previous error");
    /// ```
    pub fn summary(&self) -> String {
        lang::render::summary(&self.list)
    }

    /// What `ember check` prints on standard error: every diagnostic, then
    /// the summary line. `tests/errors/*.err` hold exactly this (no colour).
    ///
    /// ```
    /// let d = ember::check_source("bad.em", "let x: int = \"hi\";").unwrap_err();
    /// assert!(d.report(false).ends_with(&d.summary()));
    /// ```
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
///
/// ```
/// let program = ember::check_source("ok.em", "fn f() -> int { 1 }").unwrap();
/// assert_eq!(program.functions.len(), 1);
/// ```
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
///
/// ```
/// let text = ember::check_source_rendered("t.em", "println(y);").unwrap_err();
/// assert!(text.starts_with("error[E0100]: cannot find `y` in this scope"));
/// ```
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
///
/// ```
/// let mut engine = ember::Engine::new()?;
/// engine.capture_output(true);
/// assert!(ember::run_file(&mut engine, "hi.em", "println(\"hi\");").is_empty());
/// assert_eq!(engine.take_output(), "hi\n");
/// let reports = ember::run_file(&mut engine, "bad.em", "let z = 1 / 0;");
/// assert_eq!(reports[0], "error: division by zero\n  at <main> (bad.em:1:9)\n");
/// # Ok::<(), ember::Error>(())
/// ```
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
///
/// ```
/// let mut engine = ember::Engine::new()?;
/// engine.run_source("m.em", "fn f(x: int) -> int {\n    100 / x\n}")?;
/// let err = engine.function::<(i64,), i64>("f")?.call((0,)).unwrap_err();
/// assert_eq!(ember::report_error(&err), "error: division by zero\n  at f (m.em:2:5)\n");
/// # Ok::<(), ember::Error>(())
/// ```
pub fn report_error(e: &Error) -> String {
    match e {
        Error::Compile { rendered, .. } => rendered.clone(),
        Error::Runtime(err) => format!("error: {err}\n"),
        other => format!("error: {other}\n"),
    }
}

/// How the command line reports a runtime error of a spawned thread that
/// nobody joined.
///
/// ```
/// let e = ember::EmberError::new("boom");
/// assert!(ember::report_thread_error(&e).contains("nobody joined"));
/// ```
pub fn report_thread_error(e: &EmberError) -> String {
    format!("error: {e}\n  = note: raised in a spawned thread that nobody joined\n")
}

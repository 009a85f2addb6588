//! [`Engine`]: an Ember engine with the standard library installed, and
//! the typed embedding API on it.

use std::ops::{Deref, DerefMut};
use std::path::Path;

use ember_jit::embed::{Args, FromEmber, IntoHostFn};

use crate::{
    EngineBuilder, Error, Function, HeapConfig, History, ItemKind, Parts, SharedEngine,
    TransactionReport,
};

/// An Ember engine with the standard library installed (all of it with
/// [`Engine::new`]; the parts you choose with [`Engine::builder`]).
///
/// It owns the compiled code and the definitions; methods that define,
/// replace or run code take `&mut self`. The engine is `Send + Sync`: it
/// may move to another thread, and a shared `&Engine` may be read from
/// several at once. [`Function`] handles it gives out are independent of
/// it (`Send + Sync + Clone`, callable from any thread while the engine
/// redefines code). To change the engine from several threads, or to
/// reload files in the background ([`SharedEngine::watch`]), turn it into
/// a [`SharedEngine`], which locks it for each operation. It also dereferences to the
/// underlying [`ember_jit::Engine`] for everything else (REPL entries,
/// statistics, raw calls).
///
/// ```
/// let mut engine = ember::Engine::new()?;
/// engine.register_fn("twice", |x: i64| x * 2);
/// engine.run_source("demo.em", "fn f(x: int) -> int { twice(x) + 1 }")?;
/// let f = engine.function::<(i64,), i64>("f")?;
/// assert_eq!(f.call((20,))?, 41);
/// assert_eq!(engine.eval::<i64>("f(1) * 10")?, 30);
/// # Ok::<(), ember::Error>(())
/// ```
#[derive(Debug)]
pub struct Engine {
    pub(crate) inner: ember_jit::Engine,
}

impl Engine {
    /// An engine with every standard part ([`Parts::all`]).
    ///
    /// ```
    /// let engine = ember::Engine::new()?;
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn new() -> Result<Engine, Error> {
        Engine::builder().build()
    }

    /// Choose the standard parts and the limits.
    ///
    /// ```
    /// let engine = ember::Engine::builder().parts(ember::Parts::MATH).build()?;
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn builder() -> EngineBuilder {
        EngineBuilder {
            parts: Parts::all(),
            heap: HeapConfig::default(),
            time_limit: None,
        }
    }

    /// The underlying JIT engine.
    ///
    /// ```
    /// let jit: ember_jit::Engine = ember::Engine::new()?.into_inner();
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn into_inner(self) -> ember_jit::Engine {
        self.inner
    }

    /// Share the engine between threads: a [`SharedEngine`] is `Send +
    /// Sync + Clone` and locks the engine for each operation.
    ///
    /// ```
    /// let shared = ember::Engine::new()?.into_shared();
    /// let other = shared.clone();
    /// std::thread::spawn(move || other.eval::<i64>("1 + 1")).join().unwrap()?;
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn into_shared(self) -> SharedEngine {
        SharedEngine::new(self)
    }

    /// Run `source` as one REPL-style entry (items and statements, then a
    /// final expression without `;`) and return the final expression's
    /// value as `T` (`()` when there is none; [`crate::Value`] for any
    /// type). Definitions it makes stay, like a REPL entry's. A value of
    /// another type than `T` is [`Error::Host`].
    ///
    /// ```
    /// let mut engine = ember::Engine::new()?;
    /// assert_eq!(engine.eval::<i64>("1 + 2")?, 3);
    /// assert_eq!(engine.eval::<Vec<String>>("split(\"a,b\", \",\")")?, ["a", "b"]);
    /// let v = engine.eval::<ember::Value>("[\"k\": 1.5]")?;
    /// assert_eq!(v.to_string(), "[\"k\": 1.5]");
    /// assert!(engine.eval::<String>("1").is_err()); // an int is not a str
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn eval<T: FromEmber>(&mut self, source: &str) -> Result<T, Error> {
        self.inner.eval_as("<eval>", source)
    }

    /// A typed handle on function `name`: `A` is a tuple of argument types
    /// (`()` for none), `R` the result type ([`crate::Value`] for any).
    /// The Rust types are checked against the function's Ember signature
    /// now; a mismatch is [`Error::Host`] naming both.
    ///
    /// ```
    /// let mut engine = ember::Engine::new()?;
    /// engine.run_source("m.em", "fn mean(xs: [float]) -> float? {
    ///     if len(xs) == 0 { return none; }
    ///     let mut s = 0.0;
    ///     for x in xs { s += x; }
    ///     s / (len(xs) as float)
    /// }")?;
    /// let mean = engine.function::<(Vec<f64>,), Option<f64>>("mean")?;
    /// assert_eq!(mean.call((vec![1.0, 2.0],))?, Some(1.5));
    /// assert_eq!(mean.call((vec![],))?, None);
    /// let wrong = engine.function::<(i64,), f64>("mean").unwrap_err();
    /// assert!(wrong.to_string().contains("`fn([float]) -> float?`"));
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn function<A: Args, R: FromEmber>(&mut self, name: &str) -> Result<Function<A, R>, Error> {
        Ok(Function::new(self.inner.typed_function(name)?))
    }

    /// Make the Rust closure `f` callable from Ember code as `name`.
    /// Parameters may be `i64`, `f64`, `bool`, `String`, `&str`, `Vec<T>`,
    /// `HashMap` / `BTreeMap` (keys `i64`, `String`, `bool`), `Option<T>`;
    /// the result any of those or `()`, or a `Result<T, E>` with `E:
    /// Display`, whose error becomes an Ember runtime error with the Ember
    /// stack of the call (a panic too). Programs checked from now on may
    /// call it (others cannot: see the crate docs on sandboxing).
    /// Registering `name` again replaces the closure, also for code
    /// already compiled; with another signature only while no definition
    /// calls it.
    ///
    /// ```
    /// let mut engine = ember::Engine::new()?;
    /// engine.register_fn("shout", |s: &str, n: i64| s.to_uppercase().repeat(n as usize));
    /// engine.register_fn("parse_port", |s: String| s.parse::<i64>().map_err(|e| format!("bad port {s:?}: {e}")));
    /// assert_eq!(engine.eval::<String>("shout(\"ab\", 2)")?, "ABAB");
    /// let err = engine.eval::<i64>("parse_port(\"x\")").unwrap_err();
    /// assert!(err.to_string().starts_with("bad port \"x\""));
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn register_fn<M>(&mut self, name: &str, f: impl IntoHostFn<M>) -> Result<(), Error> {
        self.inner.register_fn(name, f)
    }

    /// Reload file `name` with new contents `text` as one transaction:
    /// changed items are compiled and replace the old ones, globals keep
    /// their values, top-level statements do not run again. The report
    /// says what changed, with per-phase timings. On error nothing
    /// changes.
    ///
    /// ```
    /// let mut engine = ember::Engine::new()?;
    /// engine.run_source("rules.em", "fn limit() -> int { 10 }")?;
    /// let limit = engine.function::<(), i64>("limit")?;
    /// let report = engine.reload_source("rules.em", "fn limit() -> int { 20 }")?;
    /// assert_eq!(limit.call(())?, 20);
    /// println!("{report}"); // e.g. `fn limit redefined (v2): compile 40 µs, pause 1 µs`
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn reload_source(&mut self, name: &str, text: &str) -> Result<TransactionReport, Error> {
        self.inner.reload_source(name, text)
    }

    /// [`Engine::reload_source`] with a file's current contents (named in
    /// diagnostics as the path is written).
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("ember-doc-{}.em", std::process::id()));
    /// std::fs::write(&path, "fn v() -> int { 1 }")?;
    /// let mut engine = ember::Engine::new()?;
    /// engine.load_file(&path)?;
    /// std::fs::write(&path, "fn v() -> int { 2 }")?;
    /// engine.reload_file(&path)?;
    /// assert_eq!(engine.eval::<i64>("v()")?, 2);
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reload_file(&mut self, path: impl AsRef<Path>) -> Result<TransactionReport, Error> {
        self.inner.reload_file(path)
    }

    /// Call `callback` after every accepted transaction (load, reload,
    /// entry, `eval`, rollback) with its report: what changed, and the
    /// per-phase timings (`report.timings`: parse, check, compile, pause,
    /// total).
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// let mut engine = ember::Engine::new()?;
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let s = seen.clone();
    /// engine.on_reload(move |r| s.lock().unwrap().push(r.timings.compile));
    /// engine.run_source("a.em", "fn a() {}")?;
    /// engine.reload_source("a.em", "fn a() { println(1); }")?;
    /// assert_eq!(seen.lock().unwrap().len(), 2);
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn on_reload(&mut self, callback: impl FnMut(&TransactionReport) + Send + 'static) {
        self.inner.on_transaction(callback);
    }

    /// The version history of a definition (a function, struct or global).
    ///
    /// ```
    /// use ember::ItemKind;
    /// let mut engine = ember::Engine::new()?;
    /// engine.run_source("m.em", "fn f() -> int { 1 }")?;
    /// engine.reload_source("m.em", "fn f() -> int { 2 }")?;
    /// let history = engine.versions(ItemKind::Fn, "f").unwrap();
    /// assert_eq!(history.versions().len(), 2);
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn versions(&self, kind: ItemKind, name: &str) -> Option<&History> {
        self.inner.versions(kind, name)
    }

    /// Roll definition `name` back to `version` (the previous one for
    /// `None`): a transaction like any redefinition, making a new version.
    ///
    /// ```
    /// use ember::ItemKind;
    /// let mut engine = ember::Engine::new()?;
    /// engine.run_source("m.em", "fn f() -> int { 1 }")?;
    /// engine.reload_source("m.em", "fn f() -> int { 2 }")?;
    /// engine.rollback(ItemKind::Fn, "f", Some(1))?;
    /// assert_eq!(engine.eval::<i64>("f()")?, 1);
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn rollback(
        &mut self,
        kind: ItemKind,
        name: &str,
        version: Option<u32>,
    ) -> Result<TransactionReport, Error> {
        self.inner.rollback(kind, name, version)
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

// `Send + Sync`: methods that run or change code take `&mut self`, so a
// shared `&Engine` only reads (versions, statistics, handles).
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
};

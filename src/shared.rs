//! [`SharedEngine`]: one engine used from many threads, and file watching.

use std::path::Path;
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;

use ember_jit::embed::{Args, FromEmber, IntoHostFn};
use ember_jit::engine::Shared;
use parking_lot::{Mutex, MutexGuard};

use crate::file_watch::{Save, Saves, SavesControl};
use crate::{Engine, Error, Function, History, InterruptHandle, ItemKind, TransactionReport};

/// An [`Engine`] shared between threads: `Send + Sync + Clone`, each
/// operation locks the engine. Calls through [`Function`] handles do not
/// lock it, so they go on (on any thread) while it compiles or reloads.
///
/// Host functions must not call methods of the engine that run them (that
/// would wait for itself): from inside a host function those return
/// [`Error::Host`]. Calling [`Function`]s from a host function is fine.
///
/// ```
/// let shared = ember::Engine::new()?.into_shared();
/// shared.eval::<()>("fn sq(x: int) -> int { x * x }")?;
/// let sq = shared.function::<(i64,), i64>("sq")?;
/// let worker = std::thread::spawn(move || sq.call((9,)));
/// assert_eq!(worker.join().unwrap()?, 81);
/// # Ok::<(), ember::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SharedEngine {
    core: Arc<Core>,
}

#[derive(Debug)]
struct Core {
    engine: Mutex<Engine>,
    shared: Arc<Shared>,
    interrupt: InterruptHandle,
}

impl SharedEngine {
    pub(crate) fn new(engine: Engine) -> SharedEngine {
        let shared = engine.shared().clone();
        let interrupt = engine.interrupt_handle();
        SharedEngine {
            core: Arc::new(Core {
                engine: Mutex::new(engine),
                shared,
                interrupt,
            }),
        }
    }

    /// Lock the engine for several operations at once (other threads'
    /// operations wait; [`Function`] calls do not). Refused from inside a
    /// host function of this engine.
    ///
    /// ```
    /// let shared = ember::Engine::new()?.into_shared();
    /// let mut engine = shared.lock()?;
    /// engine.run_source("a.em", "fn a() -> int { 1 }")?;
    /// assert_eq!(engine.eval::<i64>("a()")?, 1);
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn lock(&self) -> Result<MutexGuard<'_, Engine>, Error> {
        lock(&self.core)
    }

    /// [`Engine::eval`].
    ///
    /// ```
    /// let shared = ember::Engine::new()?.into_shared();
    /// assert_eq!(shared.eval::<f64>("sqrt(2.25)")?, 1.5);
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn eval<T: FromEmber>(&self, source: &str) -> Result<T, Error> {
        self.lock()?.eval(source)
    }

    /// [`Engine::function`].
    ///
    /// ```
    /// let shared = ember::Engine::new()?.into_shared();
    /// shared.eval::<()>("fn neg(b: bool) -> bool { !b }")?;
    /// assert!(shared.function::<(bool,), bool>("neg")?.call((false,))?);
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn function<A: Args, R: FromEmber>(&self, name: &str) -> Result<Function<A, R>, Error> {
        self.lock()?.function(name)
    }

    /// [`Engine::register_fn`].
    ///
    /// ```
    /// let shared = ember::Engine::new()?.into_shared();
    /// shared.register_fn("now_ms", || 1234_i64)?;
    /// assert_eq!(shared.eval::<i64>("now_ms()")?, 1234);
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn register_fn<M>(&self, name: &str, f: impl IntoHostFn<M>) -> Result<(), Error> {
        self.lock()?.register_fn(name, f)
    }

    /// [`Engine::reload_source`].
    ///
    /// ```
    /// let shared = ember::Engine::new()?.into_shared();
    /// shared.lock()?.run_source("m.em", "fn f() -> int { 1 }")?;
    /// shared.reload_source("m.em", "fn f() -> int { 2 }")?;
    /// assert_eq!(shared.eval::<i64>("f()")?, 2);
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn reload_source(&self, name: &str, text: &str) -> Result<TransactionReport, Error> {
        self.lock()?.reload_source(name, text)
    }

    /// [`Engine::reload_file`].
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("ember-doc-s{}.em", std::process::id()));
    /// std::fs::write(&path, "fn v() -> int { 1 }")?;
    /// let shared = ember::Engine::new()?.into_shared();
    /// shared.lock()?.load_file(&path)?;
    /// std::fs::write(&path, "fn v() -> int { 3 }")?;
    /// shared.reload_file(&path)?;
    /// assert_eq!(shared.eval::<i64>("v()")?, 3);
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reload_file(&self, path: impl AsRef<Path>) -> Result<TransactionReport, Error> {
        self.lock()?.reload_file(path)
    }

    /// [`Engine::on_reload`].
    ///
    /// ```
    /// let shared = ember::Engine::new()?.into_shared();
    /// shared.on_reload(|report| eprintln!("{report}"))?;
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn on_reload(
        &self,
        callback: impl FnMut(&TransactionReport) + Send + 'static,
    ) -> Result<(), Error> {
        self.lock()?.on_reload(callback);
        Ok(())
    }

    /// [`Engine::versions`] (a copy of the history).
    ///
    /// ```
    /// let shared = ember::Engine::new()?.into_shared();
    /// shared.eval::<()>("fn f() {}")?;
    /// assert!(shared.versions(ember::ItemKind::Fn, "f")?.is_some());
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn versions(&self, kind: ItemKind, name: &str) -> Result<Option<History>, Error> {
        Ok(self.lock()?.versions(kind, name).cloned())
    }

    /// [`Engine::rollback`].
    ///
    /// ```
    /// let shared = ember::Engine::new()?.into_shared();
    /// shared.eval::<()>("fn f() -> int { 1 }")?;
    /// shared.eval::<()>("fn f() -> int { 2 }")?;
    /// shared.rollback(ember::ItemKind::Fn, "f", None)?;
    /// assert_eq!(shared.eval::<i64>("f()")?, 1);
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn rollback(
        &self,
        kind: ItemKind,
        name: &str,
        version: Option<u32>,
    ) -> Result<TransactionReport, Error> {
        self.lock()?.rollback(kind, name, version)
    }

    /// A handle that interrupts the Ember code running in this engine (on
    /// any thread): it stops at its next safe point with `interrupted`.
    /// Needs no lock.
    ///
    /// ```
    /// let shared = ember::Engine::new()?.into_shared();
    /// let stop = shared.interrupt_handle();
    /// let t = std::thread::spawn(move || { std::thread::sleep(std::time::Duration::from_millis(50)); stop.interrupt(); });
    /// let err = shared.eval::<()>("while true {}").unwrap_err();
    /// assert!(err.to_string().starts_with("interrupted"));
    /// t.join().unwrap();
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn interrupt_handle(&self) -> InterruptHandle {
        // Made with the engine: no lock (a long `eval` may hold it).
        self.core.interrupt.clone()
    }

    /// Reload the file at `path` whenever it is saved, on a background
    /// thread, until the returned [`Watcher`] is dropped. Load the file
    /// first (e.g. [`ember_jit::Engine::load_file`]). Every outcome goes
    /// to `on_event`: the reload's report, or the error (a reload that does
    /// not compile changes nothing; the old definitions stay; a file that
    /// cannot be reloaded as it is — left empty, not UTF-8, unreadable —
    /// is an [`Error::Host`]). Saves are read as [`crate::file_watch`]
    /// says: a burst of events is one save, a half-written save is
    /// waited for; the same text is not reloaded twice.
    ///
    /// ```no_run
    /// let shared = ember::Engine::new()?.into_shared();
    /// shared.lock()?.load_file("rules.em")?;
    /// let _watcher = shared.watch("rules.em", |outcome| match outcome {
    ///     Ok(report) => eprintln!("reloaded: {report}"),
    ///     Err(e) => eprint!("{}", ember::report_error(e)),
    /// })?;
    /// // ... call the rules' functions; edits apply as they are saved.
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn watch(
        &self,
        path: impl AsRef<Path>,
        on_event: impl FnMut(Result<&TransactionReport, &Error>) + Send + 'static,
    ) -> Result<Watcher, Error> {
        Watcher::start(
            Arc::downgrade(&self.core),
            path.as_ref(),
            Box::new(on_event),
        )
    }
}

fn lock(core: &Core) -> Result<MutexGuard<'_, Engine>, Error> {
    if ember_jit::handle::running_on_this_thread(&core.shared) {
        return Err(Error::Host(
            "the engine cannot be used from inside one of its host functions \
             (it is busy running the code that called it); call `Function` handles instead"
                .to_string(),
        ));
    }
    Ok(core.engine.lock())
}

/// What a watch reports: the reload's report or its error.
type OnEvent = Box<dyn FnMut(Result<&TransactionReport, &Error>) + Send>;

/// A file watch of [`SharedEngine::watch`]; dropping it stops the watch
/// (and waits for a reload in progress).
///
/// ```no_run
/// let shared = ember::Engine::new()?.into_shared();
/// let watcher = shared.watch("game.em", |_| {})?;
/// drop(watcher); // no more reloads
/// # Ok::<(), ember::Error>(())
/// ```
#[derive(Debug)]
pub struct Watcher {
    control: SavesControl,
    thread: Option<JoinHandle<()>>,
}

impl Watcher {
    fn start(core: Weak<Core>, path: &Path, mut on_event: OnEvent) -> Result<Watcher, Error> {
        let name = path.display().to_string();
        let (saves, control) = Saves::watch(path, name.clone())?;
        let mut last = std::fs::read_to_string(path).unwrap_or_default();
        let thread = std::thread::Builder::new()
            .name("ember-watch".into())
            .spawn(move || {
                while let Some(save) = saves.next(&last) {
                    let text = match save {
                        Save::Text(text) => text,
                        Save::Refused(why) => {
                            on_event(Err(&Error::Host(why)));
                            continue;
                        }
                    };
                    let Some(core) = core.upgrade() else {
                        return;
                    };
                    let outcome = core.engine.lock().reload_source(&name, &text);
                    drop(core);
                    // A text that failed is not retried until it changes.
                    last = text;
                    match &outcome {
                        Ok(report) => on_event(Ok(report)),
                        Err(e) => on_event(Err(e)),
                    }
                }
            })
            .map_err(|e| Error::Host(format!("cannot start the watch thread: {e}")))?;
        Ok(Watcher {
            control,
            thread: Some(thread),
        })
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.control.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SharedEngine>();
    assert_send_sync::<Function<(i64,), i64>>();
};

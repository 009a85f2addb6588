//! `ember run --watch FILE`: run the file and, on every save, reload its
//! definitions while the program keeps running (LANGUAGE.md §7: top-level
//! statements do not run again, globals keep their values). An edit that
//! does not compile is reported and the program goes on with the old
//! definitions.
//!
//! Three threads:
//!
//! - the **main thread** runs the file's top-level code (the `MainRun`
//!   that `Engine::prepare_file` returns, on a thread context of its own),
//!   then waits for the threads it spawned;
//! - the **watcher thread** makes and owns the `Engine` (an engine's own
//!   thread context belongs to the thread that made it), defines the
//!   file's first version and hands its top-level code to the main thread;
//!   then it takes the file's saves (`ember::file_watch::Saves`: events
//!   debounced, the file re-read, half-written saves waited for) and
//!   applies each new text with `Engine::reload_source` while the main
//!   thread runs. The reload report (or the diagnostics) goes to standard
//!   error;
//! - notify's own thread, watching the file's *folder*, feeds the saves.
//!
//! When the top-level code has finished and every spawned thread has
//! ended (reloads go on meanwhile), the main thread tells the watcher
//! thread to stop; it drops the watch, waits for threads started
//! by reloads, and hands back the errors of those nobody joined. Exit
//! status as for `ember run` (LANGUAGE.md §8).

use std::path::Path;
use std::sync::mpsc::{self, Sender};

use ember::file_watch::{Save, Saves};

use crate::session::error_text;
use crate::{
    eprint_all, eprint_error, read_source, use_color, EXIT_COMPILE_ERROR, EXIT_OK, EXIT_USAGE,
};

/// Stack of the watcher thread, which runs the initializers of globals a
/// reload adds (like spawned Ember threads; only touched pages cost).
pub(crate) const WATCHER_STACK: usize = 64 << 20;

/// Top-level code to run, or a wait for spawned threads: closures, so that
/// this crate need not name the JIT's types.
type MainCode = Box<dyn FnOnce() -> Result<(), ember::EmberError> + Send>;
type WaitThreads = Box<dyn FnOnce() -> Vec<ember::EmberError> + Send>;

/// What the watcher thread hands the main thread once the file is defined.
enum Setup {
    /// Run `main` (if the file has top-level code), then `wait_threads`.
    Ready {
        main: Option<MainCode>,
        wait_threads: WaitThreads,
    },
    /// Already reported; exit with this status.
    Failed(u8),
}

/// `ember run --watch FILE`. 0 on success; 1 after a compile error of the
/// first version, a runtime error of the top-level code, or a runtime
/// error in a thread nobody joined; 2 for bad usage (an unreadable file,
/// a folder that cannot be watched).
pub fn run(path: &Path) -> u8 {
    let (name, text) = match read_source(path) {
        Ok(source) => source,
        Err(code) => return code,
    };
    let (saves, control) = match Saves::watch(path, name.clone()) {
        Ok(watch) => watch,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    // The engine is made, and used, on the watcher thread only: its own
    // thread context belongs to the thread that made it (its stack
    // limit). The top-level code runs here on a context of this thread.
    let (setup_tx, setup_rx) = mpsc::channel();
    let watching = Watching {
        name,
        last: String::new(),
    };
    let watcher_thread = match std::thread::Builder::new()
        .name("ember-watch".into())
        .stack_size(WATCHER_STACK)
        .spawn(move || watching.serve(text, saves, setup_tx))
    {
        Ok(handle) => handle,
        Err(e) => {
            eprintln!("error: cannot start the watcher thread: {e}");
            return EXIT_COMPILE_ERROR;
        }
    };
    let (main, wait_threads) = match setup_rx.recv() {
        Ok(Setup::Ready { main, wait_threads }) => (main, wait_threads),
        Ok(Setup::Failed(code)) => {
            let _ = watcher_thread.join();
            return code;
        }
        Err(_) => {
            eprintln!("error: the watcher thread panicked");
            return EXIT_COMPILE_ERROR;
        }
    };
    // A save between reading the file and starting the watch is not
    // missed: look once now (nothing happens if the text is the same).
    control.look();

    let mut failed = false;
    if let Some(main) = main {
        if let Err(e) = main() {
            eprint_error(&ember::report_error(&ember::Error::Runtime(e)));
            failed = true;
        }
    }
    // Reloads go on while spawned threads run.
    let mut thread_errors = wait_threads();
    control.stop();
    match watcher_thread.join() {
        Ok(more) => thread_errors.extend(more),
        Err(_) => {
            eprintln!("error: the watcher thread panicked");
            failed = true;
        }
    }
    for e in &thread_errors {
        eprint_error(&ember::report_thread_error(e));
        failed = true;
    }
    if failed {
        EXIT_COMPILE_ERROR
    } else {
        EXIT_OK
    }
}

/// The watcher thread's state.
struct Watching {
    /// The file's name as given on the command line (diagnostics use it).
    name: String,
    /// The text last applied, or last rejected for good: the same text
    /// again is not reloaded.
    last: String,
}

impl Watching {
    /// The watcher thread: make the engine, define the file's first
    /// version `text` and hand its top-level code to the main thread; then
    /// reload on every (debounced) change until told to stop; then wait
    /// for threads started by reloads and return the errors of those
    /// nobody joined.
    fn serve(mut self, text: String, saves: Saves, setup: Sender<Setup>) -> Vec<ember::EmberError> {
        let mut engine = match ember::Engine::new() {
            Ok(engine) => engine,
            Err(e) => {
                eprint_all(&ember::report_error(&e));
                let _ = setup.send(Setup::Failed(EXIT_COMPILE_ERROR));
                return Vec::new();
            }
        };
        let main = match engine.prepare_file(&self.name, &text) {
            Ok((_, main)) => main,
            Err(e) => {
                eprint_all(&error_text(&engine, &e, use_color()));
                let _ = setup.send(Setup::Failed(EXIT_COMPILE_ERROR));
                return Vec::new();
            }
        };
        self.last = text;
        // `ember run` prints no definition notices; the reload reports say
        // what each save changed.
        engine.take_notices();
        eprint_all(&format!(
            "watching {} for changes (Ctrl-C to stop)\n",
            self.name
        ));
        let shared = engine.shared().clone();
        let ready = Setup::Ready {
            main: main.map(|m| -> MainCode { Box::new(move || m.run().map(|_| ())) }),
            wait_threads: Box::new(move || shared.wait_threads()),
        };
        if setup.send(ready).is_err() {
            return Vec::new();
        }

        while let Some(save) = saves.next(&self.last) {
            match save {
                Save::Text(text) => self.reload(&mut engine, text),
                Save::Refused(why) => eprint_error(&format!("error: {why}\n")),
            }
        }
        drop(saves);
        engine.wait_threads()
    }

    /// Reload the file's new `text`; report the outcome on standard
    /// error.
    fn reload(&mut self, engine: &mut ember::Engine, text: String) {
        let name = &self.name;
        let outcome = engine.reload_source(name, &text);
        // The report says the same as the notices, with more detail.
        engine.take_notices();
        match outcome {
            Ok(report) => {
                self.last = text;
                eprint_notice(&report.to_string());
            }
            Err(ember::Error::Runtime(e)) => {
                // The definitions took effect; a new global's initializer
                // failed.
                self.last = text;
                let done = engine
                    .last_report()
                    .map(|r| r.to_string())
                    .unwrap_or_default();
                eprint_notice(&done);
                eprint_error(&ember::report_error(&ember::Error::Runtime(e)));
            }
            Err(e) => {
                // Rejected: nothing changed. Saving the same text again
                // retries only a rejection that may pass later (a struct
                // in use by a running frame, E0405).
                let transient = matches!(&e, ember::Error::Compile { diagnostics, .. }
                    if diagnostics.iter().any(|d| d.code == "E0405"));
                if !transient {
                    self.last = text;
                }
                let mut out = error_text(engine, &e, use_color());
                out.push_str(&format!(
                    "{name}: not reloaded; the program goes on with the previous definitions\n"
                ));
                eprint_all(&out);
            }
        }
    }
}

/// Print a reload report on standard error, coloured as the REPL's
/// notices are when standard error is a terminal.
fn eprint_notice(text: &str) {
    if use_color() {
        eprint_all(&crate::style::notice(text));
    } else {
        eprint_all(text);
    }
}

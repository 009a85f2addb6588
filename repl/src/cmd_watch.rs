//! `:watch FILE` in the REPL: reload FILE on every save while the session
//! goes on.
//!
//! A thread of ours takes the file's saves (`ember::file_watch::Saves`, as
//! `ember run --watch` does: events debounced, the file re-read,
//! half-written saves waited for) and reloads each new text as one transaction
//! (`Engine::reload_source`) with the session's engine locked — between
//! entries, or while the session waits for input; an entry that is
//! running finishes first. The reload report, or the diagnostics of an
//! edit that does not compile (the old definitions stay), go to the
//! session's notice printer.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::watch::WATCHER_STACK;
use ember::file_watch::{Save, Saves, SavesControl};

/// Where notices printed outside an entry go (a reload report).
pub type Printer = Arc<dyn Fn(&str) + Send + Sync>;

/// A running watch; [`Watch::stop`] ends it.
pub struct Watch {
    path: PathBuf,
    control: SavesControl,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// What the reload thread needs.
pub struct Target {
    pub path: PathBuf,
    /// The file's name in diagnostics (as the user typed it).
    pub name: String,
    /// The text last applied (a save that changes nothing reloads nothing).
    pub text: String,
    pub engine: Arc<Mutex<ember::Engine>>,
    pub printer: Printer,
    /// Colour what is printed (it goes where notices go).
    pub color: bool,
}

impl Watch {
    /// Start watching `target.path`; the error says why it cannot be
    /// watched.
    pub fn start(target: Target) -> Result<Watch, String> {
        let (saves, control) =
            Saves::watch(&target.path, target.name.clone()).map_err(|e| e.to_string())?;
        let path = target.path.clone();
        let thread = std::thread::Builder::new()
            .name("ember-repl-watch".into())
            // Reloads run the initializers of new globals on this thread.
            .stack_size(WATCHER_STACK)
            .spawn(move || serve(target, saves))
            .map_err(|e| format!("cannot start the watch thread: {e}"))?;
        Ok(Watch {
            path,
            control,
            thread: Some(thread),
        })
    }

    /// The file being watched.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stop watching; waits for a reload in progress.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        self.control.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// The reload thread: wait for a save, reload it.
fn serve(mut target: Target, saves: Saves) {
    while let Some(save) = saves.next(&target.text) {
        let text = match save {
            Save::Text(text) => text,
            Save::Refused(why) => {
                let line = format!("error: {why}\n");
                (target.printer)(&if target.color {
                    crate::style::error(&line)
                } else {
                    line
                });
                continue;
            }
        };
        let mut engine = target.engine.lock().unwrap_or_else(|e| e.into_inner());
        let (shown, applied) = match engine.reload_source(&target.name, &text) {
            Ok(report) if target.color => (crate::style::notice(&report.to_string()), true),
            Ok(report) => (report.to_string(), true),
            Err(e) => (crate::session::error_text(&engine, &e, target.color), false),
        };
        // The report says what the notices would.
        engine.take_notices();
        drop(engine);
        (target.printer)(&shown);
        // A failed reload changed nothing: the next save is compared with
        // the text the engine still runs.
        if applied {
            target.text = text;
        }
    }
}

//! The commands that bring files into the session: `:load FILE`,
//! `:reload`, `:watch [FILE]`, `:unwatch`.
//!
//! `:load` runs a file as `ember run` would (items, then globals and
//! top-level statements in order) into the session: one transaction on
//! top of what the session already has. `:reload` applies the file's
//! current text as a reload (LANGUAGE.md §7: only changed items compiled,
//! globals keep their values, top-level statements not run again) and
//! prints the reload report. `:watch FILE` loads the file (or reloads it,
//! if it is the one last loaded) and then reloads it on every save
//! ([`crate::cmd_watch`]); it is also what `:reload` reloads. `:watch`
//! alone or `:unwatch` stops.
//!
//! Files are named in diagnostics as typed, relative to the folder the
//! session started in.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cmd_watch::{Target, Watch};
use crate::session::Session;

impl<O: Write, E: Write> Session<O, E> {
    /// `:load FILE`.
    pub(crate) fn cmd_load(&mut self, file: &str) {
        let Some(text) = self.read_file(file) else {
            return;
        };
        self.load_text(Path::new(file), &text);
    }

    /// `:reload`: the last loaded file again, as a reload.
    pub(crate) fn cmd_reload(&mut self) {
        let Some((path, defined)) = self.loaded.clone() else {
            self.report("error: no file to reload (`:load FILE` first)\n");
            return;
        };
        let name = path.display().to_string();
        let Some(text) = self.read_file(&name) else {
            return;
        };
        if defined {
            self.reload_text(&path, &text);
        } else {
            self.load_text(&path, &text);
        }
    }

    /// `:watch FILE`.
    pub(crate) fn cmd_watch(&mut self, file: &str) {
        if let Some(w) = self.watch.take() {
            let was = w.path().display().to_string();
            w.stop();
            self.print(&format!("stopped watching {was}\n"));
        }
        let Some(text) = self.read_file(file) else {
            return;
        };
        let path = PathBuf::from(file);
        if self.loaded_and_defined(&path) {
            self.reload_text(&path, &text);
        } else {
            // A load refused at compile time is watched too: the next
            // save that compiles loads it (as a reload).
            self.load_text(&path, &text);
        }
        let target = Target {
            path: path.clone(),
            name: file.to_string(),
            text: if self.loaded_and_defined(&path) {
                text
            } else {
                String::new()
            },
            engine: self.engine.clone(),
            printer: self.printer.clone(),
            color: self.options.color_notices,
        };
        match Watch::start(target) {
            Ok(w) => {
                self.watch = Some(w);
                self.print(&format!(
                    "watching {file}: every save is reloaded (`:unwatch` stops)\n"
                ));
            }
            Err(e) => self.report(&format!("error: {e}\n")),
        }
    }

    /// `:unwatch`, or `:watch` alone.
    pub(crate) fn cmd_unwatch(&mut self) {
        match self.watch.take() {
            Some(w) => {
                let was = w.path().display().to_string();
                w.stop();
                self.print(&format!("stopped watching {was}\n"));
            }
            None => self.report("error: no file is being watched\n"),
        }
    }

    fn loaded_and_defined(&self, path: &Path) -> bool {
        matches!(&self.loaded, Some((p, true)) if p == path)
    }

    /// Read `file` (named as typed); a clear error if it cannot be read.
    fn read_file(&mut self, file: &str) -> Option<String> {
        match std::fs::read(file) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Some(text),
                Err(e) => {
                    self.report(&format!(
                        "error: {file}: not valid UTF-8 (invalid byte at offset {})\n",
                        e.utf8_error().valid_up_to()
                    ));
                    None
                }
            },
            Err(e) => {
                self.report(&format!(
                    "error: cannot read {file}: {}\n",
                    ember::file_watch::io_reason(&e)
                ));
                None
            }
        }
    }

    /// Run a file's text into the session and remember it for `:reload`
    /// (and whether its definitions took effect: its top-level code may
    /// still have failed).
    fn load_text(&mut self, path: &Path, text: &str) {
        let name = path.display().to_string();
        let result = self.running(|engine| engine.run_source(&name, text));
        let defined = !matches!(result, Err(ember::Error::Compile { .. }));
        if let Err(e) = result {
            self.report_error(&e);
        }
        self.notices();
        self.loaded = Some((path.to_path_buf(), defined));
    }

    /// Reload a file's text and print the report.
    fn reload_text(&mut self, path: &Path, text: &str) {
        let name = path.display().to_string();
        let result = self.running(|engine| {
            let result = engine.reload_source(&name, text);
            // The report says what the notices would.
            engine.take_notices();
            result
        });
        match result {
            Ok(report) => self.notice(&report.to_string()),
            Err(e) => self.report_error(&e),
        }
    }
}

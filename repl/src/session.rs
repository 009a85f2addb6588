//! The REPL session, independent of the terminal (LANGUAGE.md §8).
//!
//! A [`Session`] is fed one line at a time. Lines accumulate until
//! [`EntryScanner`] (`ember_lang::complete`) says the entry is whole; then the entry runs in the
//! session's engine as `<repl>` (every entry has that name; line numbers are
//! within the entry), its value is echoed if it has one, and the definition
//! notices follow. A line starting with `:` at the start of an entry is a
//! command ([`crate::commands::COMMANDS`]; dispatched by [`Session::command`],
//! carried out in the `cmd_*` modules).
//!
//! Where things go: echoes, program output and what commands show on the
//! echo stream (standard output); diagnostics, runtime errors and command
//! errors on the error stream (standard error); definition notices and
//! reload reports on standard error when input is piped, on standard
//! output at a terminal.
//!
//! The engine sits behind a mutex: `:watch` reloads from a thread of its
//! own while the session waits for input (an engine may be used from any
//! thread, one at a time).
//!
//! [`run_piped`] is the whole non-terminal REPL: no banner, no prompt, run
//! what is left at end of input, wait for spawned threads, exit 0.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use ember::lang::complete::EntryScanner;
use ember::Error;

use crate::cmd_watch::{Printer, Watch};
use crate::commands;

/// The name every REPL entry has in diagnostics and stack traces.
pub const ENTRY_NAME: &str = "<repl>";

/// What the reader loop does after a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Read the next line.
    Continue,
    /// `:quit`: stop reading.
    Quit,
}

/// How a session reports.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Colour what goes to the error stream: diagnostics, runtime and
    /// command errors ([`crate::style::error`]).
    pub color: bool,
    /// Colour definition notices, reload reports and what `:watch` prints
    /// ([`crate::style::notice`]), wherever they go.
    pub color_notices: bool,
    /// Definition notices go to the echo stream (a terminal) instead of the
    /// error stream. Also says the session is at a terminal: an entry
    /// interrupted by Ctrl-C reports on a line of its own (after the `^C`
    /// the terminal echoed).
    pub notices_to_out: bool,
    /// Quote the source line of a runtime error under its stack trace
    /// ([`crate::snippet`]): standard error is a terminal (with or without
    /// colour).
    pub snippets: bool,
}

/// One REPL session: an engine, the entry being typed, where output goes.
pub struct Session<O: Write, E: Write> {
    pub(crate) engine: Arc<Mutex<ember::Engine>>,
    pending: String,
    /// Completeness of `pending`, kept up to date line by line.
    scanner: EntryScanner,
    pub(crate) out: O,
    pub(crate) err: E,
    pub(crate) options: Options,
    /// Set while an entry runs (Ctrl-C interrupts it then).
    pub(crate) running: Option<crate::interrupt::Running>,
    /// The file `:load` last loaded (what `:reload` reloads), and whether
    /// it was defined (a load refused at compile time defined nothing: the
    /// next `:reload` loads it).
    pub(crate) loaded: Option<(PathBuf, bool)>,
    /// The `:watch` in progress.
    pub(crate) watch: Option<Watch>,
    /// Where a `:watch` prints its reload reports.
    pub(crate) printer: Printer,
}

impl<O: Write, E: Write> Session<O, E> {
    pub fn new(engine: ember::Engine, out: O, err: E, options: Options) -> Self {
        let to_out = options.notices_to_out;
        let printer: Printer = Arc::new(move |text: &str| {
            if to_out {
                let mut o = std::io::stdout().lock();
                let _ = o.write_all(text.as_bytes());
                let _ = o.flush();
            } else {
                let mut e = std::io::stderr().lock();
                let _ = e.write_all(text.as_bytes());
                let _ = e.flush();
            }
        });
        Session {
            engine: Arc::new(Mutex::new(engine)),
            pending: String::new(),
            scanner: EntryScanner::new(),
            out,
            err,
            options,
            running: None,
            loaded: None,
            watch: None,
            printer,
        }
    }

    /// The flag to set while an entry runs ([`crate::interrupt`]).
    pub fn set_running_flag(&mut self, running: crate::interrupt::Running) {
        self.running = Some(running);
    }

    /// Print reload reports of `:watch` with `printer` (at a terminal: one
    /// that keeps the prompt intact, such as rustyline's external printer).
    /// By default they go to standard output when notices do, else to
    /// standard error.
    pub fn set_watch_printer(&mut self, printer: Printer) {
        self.printer = printer;
    }

    /// The session's engine (locked while the guard lives; a `:watch`
    /// reload waits meanwhile).
    pub fn engine(&self) -> MutexGuard<'_, ember::Engine> {
        self.engine.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The text of the entry being typed (lines so far).
    pub fn pending(&self) -> &str {
        &self.pending
    }

    /// True while an entry is open (the terminal shows the continuation
    /// prompt).
    pub fn in_entry(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Forget the entry being typed (Ctrl-C at a terminal).
    pub fn clear(&mut self) {
        self.pending.clear();
        self.scanner.reset();
    }

    /// Feed one line (without its line ending). Runs the entry when it is
    /// complete.
    pub fn feed_line(&mut self, line: &str) -> Flow {
        if self.pending.is_empty() {
            let trimmed = line.trim();
            if trimmed.starts_with(':') {
                return self.command(trimmed);
            }
            if trimmed.is_empty() {
                return Flow::Continue;
            }
        }
        self.pending.push_str(line);
        self.pending.push('\n');
        if self.scanner.is_complete(&self.pending) {
            self.run_pending();
        }
        Flow::Continue
    }

    /// End of input: run what is left of an incomplete entry (the parser
    /// reports what is missing).
    pub fn end_of_input(&mut self) {
        self.run_pending();
    }

    /// Stop watching, wait for every spawned thread and report the errors
    /// of those nobody joined (as `ember run` does).
    pub fn finish(&mut self) {
        if let Some(w) = self.watch.take() {
            w.stop();
        }
        let errors = self.engine().wait_threads();
        for e in errors {
            self.report(&ember::report_thread_error(&e));
        }
    }

    fn run_pending(&mut self) {
        let text = std::mem::take(&mut self.pending);
        self.scanner.reset();
        if text.trim().is_empty() {
            return;
        }
        self.run_entry(&text);
    }

    /// Run `text` as an entry: echo its value, report its error, print the
    /// notices. False if it did not compile (nothing ran).
    pub(crate) fn run_entry(&mut self, text: &str) -> bool {
        // Formatted before the engine is unlocked: the value stays alive
        // only until the next transaction (a `:watch` reload could be one).
        let result = self.running(|engine| {
            engine.run_entry(ENTRY_NAME, text).map(|value| match value {
                Some((word, ty)) if !matches!(ty, ember::lang::Type::Unit) => {
                    Some(engine.format_value(word, &ty, true))
                }
                _ => None,
            })
        });
        let compiled = !matches!(result, Err(Error::Compile { .. }));
        match result {
            Ok(Some(mut shown)) => {
                shown.push('\n');
                self.print(&shown);
            }
            Ok(None) => {}
            Err(e) => self.report_error(&e),
        }
        self.notices();
        compiled
    }

    /// Run `f` on the engine as an entry runs: Ctrl-C interrupts it. The
    /// flag is set once the engine is ours (not while a `:watch` reload
    /// holds it, which Ctrl-C must not interrupt).
    pub(crate) fn running<R>(&self, f: impl FnOnce(&mut ember::Engine) -> R) -> R {
        let mut engine = self.engine();
        if let Some(r) = &self.running {
            r.set(true);
        }
        let result = f(&mut engine);
        if let Some(r) = &self.running {
            r.set(false);
        }
        result
    }

    /// Print the definition notices of the last transactions.
    pub(crate) fn notices(&mut self) {
        let notices = self.engine().take_notices();
        if !notices.is_empty() {
            let mut text = notices.join("\n");
            text.push('\n');
            self.notice(&text);
        }
    }

    /// Print `text` where definition notices go (coloured as notices).
    pub(crate) fn notice(&mut self, text: &str) {
        let text = if self.options.color_notices {
            crate::style::notice(text)
        } else {
            text.to_string()
        };
        if self.options.notices_to_out {
            self.print(&text);
        } else {
            self.write_err(&text);
        }
    }

    /// Report an engine error on the error stream.
    pub(crate) fn report_error(&mut self, e: &Error) {
        let mut text = error_text(&self.engine(), e, self.options.color);
        if self.options.notices_to_out
            && matches!(e, Error::Runtime(r) if r.message == "interrupted")
        {
            // The terminal echoed `^C` where the cursor was.
            text.insert(0, '\n');
        }
        if let (true, Error::Runtime(r)) = (self.options.snippets, e) {
            let engine = self.engine();
            let sources = engine.shared().sources.read();
            text.extend(crate::snippet::runtime_error(
                r,
                &sources,
                self.options.color,
            ));
        }
        self.write_err(&text);
    }

    /// Print `text` (an error, a note) on the error stream, coloured as
    /// errors are.
    pub(crate) fn report(&mut self, text: &str) {
        if self.options.color {
            self.write_err(&crate::style::error(text));
        } else {
            self.write_err(text);
        }
    }

    /// Write `text` on the error stream as it is.
    fn write_err(&mut self, text: &str) {
        let _ = self.out.flush();
        let _ = self.err.write_all(text.as_bytes());
        let _ = self.err.flush();
    }

    /// Print `text` on the echo stream.
    pub(crate) fn print(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
    }

    /// Run command `line` (it starts with `:`): check its arguments
    /// against [`commands::COMMANDS`] and carry it out. A bad command or
    /// argument is reported and the session goes on.
    pub(crate) fn command(&mut self, line: &str) -> Flow {
        let (word, rest) = match line.find(char::is_whitespace) {
            Some(i) => (&line[..i], line[i..].trim()),
            None => (line, ""),
        };
        let Some(name) = commands::lookup(word) else {
            self.report(&format!(
                "error: unknown command `{word}` (`:help` lists the commands)\n"
            ));
            return Flow::Continue;
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        if let Err(usage) = commands::check_args(name, rest, &words) {
            self.report(&format!("error: {usage}\n"));
            return Flow::Continue;
        }
        match name {
            ":help" => self.print(&help_text()),
            ":quit" => return Flow::Quit,
            ":type" => self.cmd_type(rest),
            ":defs" => self.cmd_defs(),
            ":source" => self.cmd_source(words[0]),
            ":versions" => self.cmd_versions(words[0]),
            ":rollback" => self.cmd_rollback(words[0], words.get(1).copied()),
            ":load" => self.cmd_load(rest),
            ":reload" => self.cmd_reload(),
            ":watch" if rest.is_empty() => self.cmd_unwatch(),
            ":watch" => self.cmd_watch(rest),
            ":unwatch" => self.cmd_unwatch(),
            ":stats" => self.cmd_stats(),
            ":time" => self.cmd_time(rest),
            ":ir" => self.cmd_ir(words[0], words.len() == 2),
            ":asm" => self.cmd_asm(words[0]),
            ":threads" => self.cmd_threads(),
            ":reset" => self.cmd_reset(),
            _ => self.report(&format!("error: `{name}` is not implemented\n")),
        }
        Flow::Continue
    }
}

/// How an error is shown: as `ember run` shows it; with colour when
/// asked (compile diagnostics rendered again by codespan, the rest by
/// [`crate::style::error`]).
pub(crate) fn error_text(engine: &ember::Engine, e: &Error, color: bool) -> String {
    match e {
        Error::Compile { diagnostics, .. } if color => {
            let sources = engine.shared().sources.read();
            let mut text = ember::lang::render::render_in_order(diagnostics, &sources, true);
            text.push_str(&crate::style::error(&ember::lang::render::summary(
                diagnostics,
            )));
            text
        }
        _ if color => crate::style::error(&ember::report_error(e)),
        _ => ember::report_error(e),
    }
}

/// What `:help` prints before the command table.
pub const HELP_INTRO: &str = "\
Type items (fn, struct, let) and statements; an entry that ends in an
expression without `;` shows its value. An entry goes on to the next line
while a bracket or string is open or the line ends in an operator.

Redefine any fn, struct or let by typing it again: running code picks up
the new definition at its next call, and state is kept.

Commands:
";

/// What `:help` prints after the command table.
pub const HELP_OUTRO: &str = "\
Ctrl-C at the prompt clears the entry being typed; while an entry runs, it
interrupts it.
";

/// The whole `:help` text.
pub fn help_text() -> String {
    format!("{HELP_INTRO}{}{HELP_OUTRO}", crate::commands::help_table())
}

/// The non-terminal REPL: read `input` line by line until its end or
/// `:quit`, run the entries, then wait for spawned threads. Returns the
/// exit status: 0, or 1 if `input` could not be read.
pub fn run_piped<O: Write, E: Write>(session: &mut Session<O, E>, mut input: impl BufRead) -> u8 {
    let mut buf = Vec::new();
    let mut status = 0;
    loop {
        buf.clear();
        match input.read_until(b'\n', &mut buf) {
            Ok(0) => {
                session.end_of_input();
                break;
            }
            Ok(_) => {
                if buf.last() == Some(&b'\n') {
                    buf.pop();
                    if buf.last() == Some(&b'\r') {
                        buf.pop();
                    }
                }
                // Invalid UTF-8 becomes U+FFFD, which the lexer reports.
                let line = String::from_utf8_lossy(&buf);
                if session.feed_line(&line) == Flow::Quit {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                session.report(&format!("error: cannot read standard input: {e}\n"));
                status = 1;
                break;
            }
        }
    }
    session.finish();
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Run `input` through a piped session; (program output and echoes,
    /// standard error). Program output is captured by the engine and comes
    /// before the echoes here.
    fn piped(input: &str) -> (String, String) {
        let engine = ember::Engine::new().unwrap();
        engine.capture_output(true);
        let mut session = Session::new(engine, Vec::new(), Vec::new(), Options::default());
        let status = run_piped(&mut session, input.as_bytes());
        assert_eq!(status, 0);
        let program = session.engine().take_output();
        let out = String::from_utf8(std::mem::take(&mut session.out)).unwrap();
        let err = String::from_utf8(std::mem::take(&mut session.err)).unwrap();
        (format!("{program}{out}"), err)
    }

    #[test]
    fn echoes_values_quoted() {
        let (out, err) = piped("1 + 2\n\"hi\"\n[\"a\"]\nlet x = 1;\nx + 1;\n");
        assert_eq!(out, "3\n\"hi\"\n[\"a\"]\n");
        assert_eq!(err, "");
    }

    #[test]
    fn multi_line_entries_and_blank_lines() {
        let (out, _) = piped("\n   \n1 +\n2\n[1,\n\n2]\n");
        assert_eq!(out, "3\n[1, 2]\n");
    }

    #[test]
    fn crlf_line_endings() {
        let (out, err) = piped("1 +\r\n2\r\n");
        assert_eq!(out, "3\n");
        assert_eq!(err, "");
    }

    #[test]
    fn incomplete_entry_at_end_of_input_runs() {
        let (out, err) = piped("1\nfn f() {\n");
        assert_eq!(out, "1\n");
        assert!(err.starts_with("error[E0011]"), "{err}");
        assert!(err.contains("<repl>:"), "{err}");
    }

    #[test]
    fn commands() {
        let (out, err) = piped(":help\n:frobnicate\n  :help me\n1\n:quit\n2\n");
        assert_eq!(out, format!("{}1\n", help_text()));
        assert_eq!(
            err,
            "error: unknown command `:frobnicate` (`:help` lists the commands)\n\
             error: `:help` takes no arguments\n"
        );
    }

    #[test]
    fn every_command_in_the_table_is_carried_out() {
        // Each command with arguments of the right shape: whatever it says,
        // it is not "unknown" or "not implemented".
        for (syntax, _) in crate::commands::COMMANDS {
            let name = crate::commands::name_of(syntax);
            let line = syntax
                .replace("EXPR", "1 + 1")
                .replace("NAME", "nothing")
                .replace("[N]", "1")
                .replace("[opt]", "opt")
                .replace("[FILE]", "")
                .replace("FILE", "no/such/file.em");
            let (_, err) = piped(&format!("{line}\n"));
            assert!(
                !err.contains("unknown command") && !err.contains("not implemented"),
                "{name}: {err}"
            );
        }
    }

    #[test]
    fn colon_inside_an_entry_is_code() {
        // `:` starts a command only at the start of an entry.
        let (out, _) = piped("let x:\nint = 4;\nx\n");
        assert_eq!(out, "4\n");
    }

    #[test]
    fn stats_count_redefinitions_per_phase() {
        let (out, err) = piped("fn f() -> int { 1 }\nfn f() -> int { 2 }\nf()\n:stats\n");
        let mut lines = out.lines();
        assert_eq!(lines.next(), Some("2"));
        // Two transactions defined something; `f()` defined nothing.
        assert_eq!(lines.next(), Some("2 transactions"), "{out}");
        let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
        assert_eq!(header, ["phase", "median", "p99"]);
        for phase in ["parse", "check", "compile", "pause", "total"] {
            let row: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
            assert_eq!(row[0], phase, "{out}");
            assert_eq!((row[2], row[4]), ("µs", "µs"), "{out}");
        }
        assert!(lines.next().unwrap().starts_with("code: "), "{out}");
        assert!(lines.next().unwrap().starts_with("code memory: "), "{out}");
        assert!(
            lines.next().unwrap().ends_with(" in the background"),
            "{out}"
        );
        assert!(!err.contains("error"), "{err}");
    }

    #[test]
    fn notices_follow_the_entry() {
        let (out, err) = piped("fn f() -> int { 7 }\nf()\n");
        assert_eq!(out, "7\n");
        assert!(err.starts_with("fn f defined (v1): compile "), "{err}");
        assert!(err.ends_with(" µs\n") && err.contains(", pause "), "{err}");
    }
}

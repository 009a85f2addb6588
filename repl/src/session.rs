//! The REPL session, independent of the terminal (LANGUAGE.md §8).
//!
//! A [`Session`] is fed one line at a time. Lines accumulate until
//! [`EntryScanner`] (`ember_lang::complete`) says the entry is whole; then the entry runs in the
//! session's engine as `<repl>` (every entry has that name; line numbers are
//! within the entry), its value is echoed if it has one, and the definition
//! notices follow. A line starting with `:` at the start of an entry is a
//! command (`:help`, `:quit`, `:stats`, `:versions`, `:rollback`).
//!
//! Where things go: echoes, program output and `:help` on the echo stream
//! (standard output); diagnostics, runtime errors and unknown commands on the
//! error stream (standard error); definition notices on standard error when
//! input is piped, on standard output at a terminal.
//!
//! [`run_piped`] is the whole non-terminal REPL: no banner, no prompt, run
//! what is left at end of input, wait for spawned threads, exit 0.

use std::io::{BufRead, Write};

use ember::lang::complete::EntryScanner;
use ember::Error;

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
    /// Render diagnostics with ANSI colour.
    pub color: bool,
    /// Definition notices go to the echo stream (a terminal) instead of the
    /// error stream.
    pub notices_to_out: bool,
}

/// One REPL session: an engine, the entry being typed, where output goes.
pub struct Session<O: Write, E: Write> {
    engine: ember::Engine,
    pending: String,
    /// Completeness of `pending`, kept up to date line by line.
    scanner: EntryScanner,
    out: O,
    err: E,
    options: Options,
    /// Set while an entry runs (Ctrl-C interrupts it then).
    running: Option<crate::interrupt::Running>,
}

impl<O: Write, E: Write> Session<O, E> {
    pub fn new(engine: ember::Engine, out: O, err: E, options: Options) -> Self {
        Session {
            engine,
            pending: String::new(),
            scanner: EntryScanner::new(),
            out,
            err,
            options,
            running: None,
        }
    }

    /// The flag to set while an entry runs ([`crate::interrupt`]).
    pub fn set_running_flag(&mut self, running: crate::interrupt::Running) {
        self.running = Some(running);
    }

    /// The session's engine (the terminal reads its definitions for
    /// completion and hints).
    pub fn engine(&self) -> &ember::Engine {
        &self.engine
    }

    /// The lines of the open entry typed so far, each ending in a newline
    /// (empty between entries).
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

    /// Wait for every spawned thread and report the errors of those nobody
    /// joined (as `ember run` does).
    pub fn finish(&mut self) {
        for e in self.engine.wait_threads() {
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

    fn run_entry(&mut self, text: &str) {
        let set = |r: &Option<crate::interrupt::Running>, on: bool| {
            if let Some(r) = r {
                r.store(on, std::sync::atomic::Ordering::SeqCst);
            }
        };
        set(&self.running, true);
        let result = self.engine.run_entry(ENTRY_NAME, text);
        set(&self.running, false);
        match result {
            Ok(Some((word, ty))) if !matches!(ty, ember::lang::Type::Unit) => {
                let mut shown = self.engine.format_value(word, &ty, true);
                shown.push('\n');
                let _ = self.out.write_all(shown.as_bytes());
                let _ = self.out.flush();
            }
            Ok(_) => {}
            Err(e) => {
                let text = self.error_text(&e);
                self.report(&text);
            }
        }
        self.notices();
    }

    /// Print the definition notices of the last transactions.
    fn notices(&mut self) {
        let notices = self.engine.take_notices();
        if !notices.is_empty() {
            let mut text = notices.join("\n");
            text.push('\n');
            if self.options.notices_to_out {
                let _ = self.out.write_all(text.as_bytes());
                let _ = self.out.flush();
            } else {
                self.report(&text);
            }
        }
    }

    /// How an error is shown: as `ember run` shows it; compile diagnostics
    /// rendered again with colour when asked.
    fn error_text(&self, e: &Error) -> String {
        match e {
            Error::Compile { diagnostics, .. } if self.options.color => {
                let sources = self.engine.shared().sources.read();
                let mut text = ember::lang::render::render_in_order(diagnostics, &sources, true);
                text.push_str(&ember::lang::render::summary(diagnostics));
                text
            }
            _ => ember::report_error(e),
        }
    }

    fn report(&mut self, text: &str) {
        let _ = self.out.flush();
        let _ = self.err.write_all(text.as_bytes());
        let _ = self.err.flush();
    }

    fn command(&mut self, line: &str) -> Flow {
        let words: Vec<&str> = line.split_whitespace().collect();
        let word = words.first().copied().unwrap_or(":");
        let name = crate::commands::lookup(word).unwrap_or(word);
        let args = &words[1.min(words.len())..];
        let takes = match name {
            ":help" | ":quit" | ":stats" => 0..=0,
            ":versions" => 1..=1,
            ":rollback" => 1..=2,
            _ => {
                self.report(&format!(
                    "error: unknown command `{name}` (`:help` lists the commands)\n"
                ));
                return Flow::Continue;
            }
        };
        if !takes.contains(&args.len()) {
            let what = match name {
                ":versions" => "`:versions` takes a name: `:versions NAME`".to_string(),
                ":rollback" => {
                    "`:rollback` takes a name and maybe a version: `:rollback NAME [N]`".to_string()
                }
                _ => format!("`{name}` takes no arguments"),
            };
            self.report(&format!("error: {what}\n"));
            return Flow::Continue;
        }
        match name {
            ":quit" => return Flow::Quit,
            ":stats" => {
                let mut text = self.engine.stats().to_string();
                let code = self.engine.code_stats();
                text.push_str(&format!(
                    "code memory: {} bytes live in {} blocks, {} bytes free for reuse\n",
                    code.live, code.live_blocks, code.free
                ));
                let tiered = self
                    .engine
                    .shared()
                    .tiered_up
                    .load(std::sync::atomic::Ordering::Relaxed);
                text.push_str(&format!(
                    "{tiered} quick bodies replaced by optimized ones in the background\n"
                ));
                self.print(&text);
            }
            ":versions" => match self.find_item(args[0]) {
                Some(kind) => {
                    let history = self.engine.versions(kind, args[0]).expect("found");
                    let mut text = String::new();
                    for v in history.versions() {
                        let first = v.text().lines().next().unwrap_or("");
                        let more = if v.text().lines().nth(1).is_some() {
                            " ..."
                        } else {
                            ""
                        };
                        text.push_str(&format!("v{} ({}): {first}{more}\n", v.number, v.source()));
                    }
                    self.print(&text);
                }
                None => self.report(&format!("error: nothing named `{}` was defined\n", args[0])),
            },
            ":rollback" => {
                let version = match args
                    .get(1)
                    .map(|v| v.trim_start_matches('v').parse::<u32>())
                {
                    None => None,
                    Some(Ok(v)) => Some(v),
                    Some(Err(_)) => {
                        self.report(&format!("error: `{}` is not a version number\n", args[1]));
                        return Flow::Continue;
                    }
                };
                match self.find_item(args[0]) {
                    Some(kind) => {
                        if let Err(e) = self.engine.rollback(kind, args[0], version) {
                            let text = self.error_text(&e);
                            self.report(&text);
                        }
                        self.notices();
                    }
                    None => {
                        self.report(&format!("error: nothing named `{}` was defined\n", args[0]))
                    }
                }
            }
            _ => self.print(&help_text()),
        }
        Flow::Continue
    }

    /// The kind of the definition named `name` (functions first).
    fn find_item(&self, name: &str) -> Option<ember::ItemKind> {
        [
            ember::ItemKind::Fn,
            ember::ItemKind::Struct,
            ember::ItemKind::Global,
        ]
        .into_iter()
        .find(|&k| self.engine.versions(k, name).is_some())
    }

    fn print(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
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
        let program = session.engine.take_output();
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

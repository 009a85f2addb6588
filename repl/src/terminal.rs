//! The REPL at a terminal: rustyline line editing around a [`Session`].
//!
//! - Prompt `ember> `, continuation prompt `  ...> ` while an entry is open
//!   (the session decides: a bracket, string or block comment open, or a
//!   line ending in an operator). An entry recalled from history or pasted
//!   comes back as one multi-line buffer and is fed to the session line by
//!   line. Lines typed ahead — several at once, or while an entry runs (the
//!   terminal echoes them then) — are kept and read at the next prompts
//!   (rustyline's `buffer-redux` feature).
//! - History: each whole entry (multi-line entries as one item) is saved to
//!   the history file at once ([`crate::history`]).
//! - Syntax highlighting ([`crate::highlight`]), Tab completion and hints
//!   ([`crate::completion`]; history hints first, else the signature of the
//!   function being called), all from a snapshot of the session's
//!   definitions taken before each prompt.
//! - Colour (prompt, highlighting, hints) only when standard output is a
//!   terminal and `NO_COLOR` is unset.
//! - Ctrl-C clears the entry being typed (while an entry runs it interrupts
//!   it: [`crate::interrupt`]); Ctrl-D (or `:quit`) leaves after waiting for
//!   spawned threads, saying how many it waits for — Ctrl-C then stops
//!   waiting (status 130).

use std::borrow::Cow;
use std::cell::Cell;
use std::io::{IsTerminal, Write};

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter, HistoryHinter};
use rustyline::history::FileHistory;
use rustyline::validate::Validator;
use rustyline::{ColorMode, CompletionType, Config, Context, Editor};

use crate::completion::{self, Completion, Definitions};
use crate::history;
use crate::session::{Flow, Session};

pub const PROMPT: &str = "ember> ";
pub const CONTINUATION_PROMPT: &str = "  ...> ";
const PROMPT_STYLED: &str = "\x1b[1;32member>\x1b[0m ";
const CONTINUATION_STYLED: &str = "\x1b[2m  ...>\x1b[0m ";
/// Hints are dimmed.
const HINT_STYLE: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// Whether the terminal front end uses colour: standard output is a
/// terminal and `NO_COLOR` is unset (or empty, per no-color.org).
pub fn use_color() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stdout().is_terminal()
}

/// Run the interactive session until Ctrl-D or `:quit`. Returns the exit
/// status: 0, or 1 if the terminal could not be used.
pub fn run<O: Write, E: Write>(session: &mut Session<O, E>) -> u8 {
    let color = use_color();
    let mut editor = match make_editor(color) {
        Ok(editor) => editor,
        Err(e) => {
            eprintln!("error: cannot use the terminal: {e}");
            return 1;
        }
    };
    // `:watch` reports arrive while the prompt is shown: print them above
    // it, keeping the line being typed.
    if let Ok(printer) = editor.create_external_printer() {
        let printer = std::sync::Mutex::new(printer);
        session.set_watch_printer(std::sync::Arc::new(move |text: &str| {
            if let Ok(mut p) = printer.lock() {
                let _ = rustyline::ExternalPrinter::print(&mut *p, text.to_string());
            }
        }));
    }
    let history_path = history::path();
    if let Some(path) = &history_path {
        if let Err(why) = history::load(editor.history_mut(), path) {
            eprintln!("warning: {why}");
        }
    }
    println!(
        "Ember {} — :help for help, Tab completes, Ctrl-D to exit",
        env!("CARGO_PKG_VERSION")
    );
    // The lines of the open entry, for its history item.
    let mut entry = String::new();
    // A history file that cannot be written is reported once.
    let mut history_failed = false;
    let mut status = 0;
    'read: loop {
        if let Some(helper) = editor.helper_mut() {
            helper.refresh(session);
        }
        let prompt = match (session.in_entry(), color) {
            (false, true) => (PROMPT, PROMPT_STYLED),
            (false, false) => (PROMPT, PROMPT),
            (true, true) => (CONTINUATION_PROMPT, CONTINUATION_STYLED),
            (true, false) => (CONTINUATION_PROMPT, CONTINUATION_PROMPT),
        };
        match editor.readline(&prompt) {
            Ok(buffer) => {
                for line in buffer.split('\n') {
                    let line = line.strip_suffix('\r').unwrap_or(line);
                    entry.push_str(line);
                    entry.push('\n');
                    let flow = session.feed_line(line);
                    if !session.in_entry() {
                        // The entry ran (or was a command): one history item.
                        let item = entry.trim_end_matches('\n');
                        if !item.trim().is_empty() {
                            let _ = editor.add_history_entry(item);
                            if let (Some(path), false) = (&history_path, history_failed) {
                                if let Err(why) = history::append(editor.history_mut(), path) {
                                    eprintln!("warning: {why}; history is kept in memory only");
                                    history_failed = true;
                                }
                            }
                        }
                        entry.clear();
                    }
                    if flow == Flow::Quit {
                        break 'read;
                    }
                }
            }
            // Ctrl-C: drop the entry being typed, start afresh.
            Err(ReadlineError::Interrupted) => {
                session.clear();
                entry.clear();
            }
            // Ctrl-D: leave; a half-typed entry is dropped.
            Err(ReadlineError::Eof) => break,
            Err(ReadlineError::Signal(_)) => {}
            Err(e) => {
                eprintln!("error: cannot read from the terminal: {e}");
                status = 1;
                break;
            }
        }
    }
    session.clear();
    crate::interrupt::leaving();
    // Say why the session does not end yet, and how to end it.
    let spawned = session.engine().threads().iter().filter(|t| !t.own).count();
    if spawned > 0 {
        let s = if spawned == 1 { "" } else { "s" };
        eprintln!("waiting for {spawned} spawned thread{s} to finish (Ctrl-C stops waiting)");
    }
    session.finish();
    status
}

fn make_editor(color: bool) -> rustyline::Result<Editor<Helper, FileHistory>> {
    let config = Config::builder()
        .max_history_size(history::MAX_ENTRIES)?
        .history_ignore_dups(true)?
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .color_mode(if color {
            ColorMode::Enabled
        } else {
            ColorMode::Disabled
        })
        .build();
    let mut editor = Editor::with_config(config)?;
    editor.set_helper(Some(Helper::new(color)));
    Ok(editor)
}

/// rustyline's view of the session: completion, hints, highlighting.
struct Helper {
    color: bool,
    /// The session's definitions at the last prompt.
    defs: Definitions,
    /// The open entry's earlier lines.
    context: String,
    files: FilenameCompleter,
    history_hints: HistoryHinter,
    /// Whether the next highlight marks the bracket matching the cursor's
    /// (not on the final redraw of an accepted line).
    mark_bracket: Cell<bool>,
}

impl Helper {
    fn new(color: bool) -> Helper {
        Helper {
            color,
            defs: Definitions::default(),
            context: String::new(),
            files: FilenameCompleter::new(),
            history_hints: HistoryHinter::new(),
            mark_bracket: Cell::new(true),
        }
    }

    /// Take what completion needs from the session, before a prompt.
    fn refresh<O: Write, E: Write>(&mut self, session: &Session<O, E>) {
        self.defs.refresh(&session.engine());
        self.context.clear();
        self.context.push_str(session.pending());
    }
}

impl rustyline::Helper for Helper {}

impl Validator for Helper {}

impl Completer for Helper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        match completion::complete(&self.defs, &self.context, line, pos) {
            Completion::Words { start, candidates } => Ok((
                start,
                candidates
                    .into_iter()
                    .map(|c| Pair {
                        display: c.display,
                        replacement: c.replacement,
                    })
                    .collect(),
            )),
            Completion::FileName => self.files.complete(line, pos, ctx),
        }
    }
}

/// A hint: a history entry's rest (Right accepts it) or a signature (shown
/// only).
struct EmberHint {
    display: String,
    completion: Option<String>,
}

impl Hint for EmberHint {
    fn display(&self) -> &str {
        &self.display
    }

    fn completion(&self) -> Option<&str> {
        self.completion.as_deref()
    }
}

impl Hinter for Helper {
    type Hint = EmberHint;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<EmberHint> {
        if pos < line.len() {
            return None;
        }
        if let Some(rest) = self
            .history_hints
            .hint(line, pos, ctx)
            .filter(|rest| !rest.contains('\n'))
        {
            return Some(EmberHint {
                display: rest.clone(),
                completion: Some(rest),
            });
        }
        if self.context.is_empty() && line.trim_start().starts_with(':') {
            return None;
        }
        let sig = completion::signature_hint(&self.defs, &self.context, line)?;
        Some(EmberHint {
            display: format!("  {sig}"),
            completion: None,
        })
    }
}

impl Highlighter for Helper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        if !self.color || (self.context.is_empty() && line.trim_start().starts_with(':')) {
            return Cow::Borrowed(line);
        }
        let cursor = self.mark_bracket.get().then_some(pos);
        Cow::Owned(crate::highlight::highlight(
            &self.context,
            line,
            cursor,
            &|name| self.defs.is_struct(name),
        ))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("{HINT_STYLE}{hint}{RESET}"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, kind: CmdKind) -> bool {
        // Every change may recolour the line (a word becoming a keyword, a
        // quote opening a string), so always redraw it.
        self.mark_bracket.set(kind != CmdKind::ForcedRefresh);
        self.color
    }
}

//! The REPL at a terminal: rustyline line editing around a [`Session`].
//!
//! Banner, prompt `ember> `, continuation prompt `  ...> ` while an entry
//! is open; Ctrl-C clears the entry being typed, Ctrl-D (or `:quit`) leaves
//! after waiting for spawned threads. History is kept in memory only.

use std::io::Write;

use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;

use crate::session::{Flow, Session};

pub const PROMPT: &str = "ember> ";
pub const CONTINUATION_PROMPT: &str = "  ...> ";

/// Run the interactive session until Ctrl-D or `:quit`. Returns the exit
/// status: 0, or 1 if the terminal could not be used.
pub fn run<O: Write, E: Write>(session: &mut Session<O, E>) -> u8 {
    let mut editor = match DefaultEditor::new() {
        Ok(editor) => editor,
        Err(e) => {
            eprintln!("error: cannot use the terminal: {e}");
            return 1;
        }
    };
    println!(
        "Ember {} — :help for help, Ctrl-D to exit",
        env!("CARGO_PKG_VERSION")
    );
    let mut status = 0;
    loop {
        let prompt = if session.in_entry() {
            CONTINUATION_PROMPT
        } else {
            PROMPT
        };
        match editor.readline(prompt) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                if session.feed_line(&line) == Flow::Quit {
                    break;
                }
            }
            // Ctrl-C: drop the entry being typed, start afresh.
            Err(ReadlineError::Interrupted) => session.clear(),
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
    session.finish();
    status
}

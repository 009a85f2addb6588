//! Where the REPL's history is kept between sessions.
//!
//! `$EMBER_HISTORY` if it is set (empty: no history file), else
//! `ember/history` in the user's data directory (`~/.local/share` on
//! Linux, `~/Library/Application Support` on macOS, `%APPDATA%` on
//! Windows). One entry per history item — a multi-line entry is one item —
//! in rustyline's file format; each entry is appended as soon as it is
//! read (under a file lock), so two sessions at once keep both their
//! entries and a crash loses nothing.

use std::path::{Path, PathBuf};

use rustyline::history::History;

/// The environment variable that overrides the history file.
pub const ENV: &str = "EMBER_HISTORY";

/// At most this many entries are kept.
pub const MAX_ENTRIES: usize = 10_000;

/// The history file, or `None` for none.
pub fn path() -> Option<PathBuf> {
    match std::env::var_os(ENV) {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(PathBuf::from(p)),
        None => dirs::data_dir().map(|d| d.join("ember").join("history")),
    }
}

/// Read the history file into `history`; a missing file is an empty
/// history. On failure, why (the session goes on without the old entries).
pub fn load(history: &mut impl History, path: &Path) -> Result<(), String> {
    match history.load(path) {
        Ok(()) => Ok(()),
        Err(rustyline::error::ReadlineError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(())
        }
        Err(e) => Err(format!(
            "cannot read the history file {}: {e}",
            path.display()
        )),
    }
}

/// Append the entries added since the last call to the history file,
/// making its folder if needed. On failure, why.
pub fn append(history: &mut impl History, path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot make the folder {}: {e}", dir.display()))?;
    }
    history
        .append(path)
        .map_err(|e| format!("cannot write the history file {}: {e}", path.display()))
}

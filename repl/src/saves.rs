//! The saves of a watched file, as `ember run --watch` and the REPL's
//! `:watch` both see them: notify's events debounced into one save, the
//! file re-read, and only a text worth reloading handed on.
//!
//! A save is not atomic. An editor that rewrites the file in place
//! truncates it first and writes it afterwards, and on a busy machine the
//! two can be far apart; one that saves by rename makes the file vanish
//! for a moment. So a file that is missing is not reported (the rename's
//! own event follows), and a file that is empty is reported only if it is
//! still empty after [`EMPTY_GRACE`] without another event: reloading a
//! half-saved file would remove every definition.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// A burst of events (an editor's write, rename, chmod) counts as one save
/// once no event has come for this long.
pub(crate) const QUIET: Duration = Duration::from_millis(75);

/// A file written to without pause is re-read at least this often.
pub(crate) const MAX_DELAY: Duration = Duration::from_millis(500);

/// How long an empty file waits for the rest of its save.
pub(crate) const EMPTY_GRACE: Duration = Duration::from_secs(1);

/// What a watcher thread is told.
pub(crate) enum Msg {
    /// Something happened to the file (or the watch needs a rescan).
    Changed,
    /// Stop watching.
    Stop,
}

/// A save, read.
pub(crate) enum Save {
    /// The file's new text, different from the last one applied.
    Text(String),
    /// The file cannot be reloaded as it is: the line to print, naming
    /// the file and ending with a newline.
    Refused(String),
}

/// The watched file's saves, from the events on `rx`.
pub(crate) struct Saves {
    pub rx: Receiver<Msg>,
    pub path: PathBuf,
    /// The file's name in messages.
    pub name: String,
}

impl Saves {
    /// Wait for the next save whose text is not `last`. `None` once told
    /// to stop (or when every sender is gone).
    pub fn next(&self, last: &str) -> Option<Save> {
        loop {
            match self.rx.recv() {
                Ok(Msg::Changed) => {}
                Ok(Msg::Stop) | Err(_) => return None,
            }
            if let Some(save) = self.read_settled(last)? {
                return Some(save);
            }
        }
    }

    /// After an event: let the save settle and read it. `Some(None)` when
    /// there is nothing to reload (unchanged, or missing for now).
    fn read_settled(&self, last: &str) -> Option<Option<Save>> {
        loop {
            if !settle(&self.rx) {
                return None;
            }
            let text = match self.read() {
                Ok(Some(text)) => text,
                Ok(None) => return Some(None),
                Err(refused) => return Some(Some(refused)),
            };
            if text == last {
                return Some(None);
            }
            if !text.trim().is_empty() {
                return Some(Some(Save::Text(text)));
            }
            // Truncated and not yet written, most likely: wait for the
            // rest of the save.
            match self.rx.recv_timeout(EMPTY_GRACE) {
                Ok(Msg::Changed) => continue,
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return None,
                Err(RecvTimeoutError::Timeout) => {
                    return Some(Some(Save::Refused(format!(
                        "error: {} is empty; not reloaded (that would remove every definition)\n",
                        self.name
                    ))))
                }
            }
        }
    }

    /// The file's text; `Ok(None)` if it is missing (being replaced by a
    /// rename: the new file's own event follows).
    fn read(&self) -> Result<Option<String>, Save> {
        let name = &self.name;
        match std::fs::read(&self.path) {
            Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|e| {
                Save::Refused(format!(
                    "error: {name}: not valid UTF-8 (invalid byte at offset {}); not reloaded\n",
                    e.utf8_error().valid_up_to()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Save::Refused(format!(
                "error: cannot read {name}: {}; not reloaded\n",
                crate::io_reason(&e)
            ))),
        }
    }
}

/// Wait until no event has come for [`QUIET`] (at most [`MAX_DELAY`] in
/// all). False if told to stop meanwhile.
fn settle(rx: &Receiver<Msg>) -> bool {
    let started = Instant::now();
    loop {
        let left = MAX_DELAY.saturating_sub(started.elapsed());
        if left.is_zero() {
            return true;
        }
        match rx.recv_timeout(QUIET.min(left)) {
            Ok(Msg::Changed) => {}
            Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return false,
            Err(RecvTimeoutError::Timeout) => return true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn scratch(test: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ember-saves-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("prog.em");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn saves(path: &std::path::Path) -> (mpsc::Sender<Msg>, Saves) {
        let (tx, rx) = mpsc::channel();
        let saves = Saves {
            rx,
            path: path.to_path_buf(),
            name: "prog.em".to_string(),
        };
        (tx, saves)
    }

    #[test]
    fn a_truncated_file_waits_for_the_rest_of_its_save() {
        let path = scratch("truncated", "");
        let (tx, saves) = saves(&path);
        tx.send(Msg::Changed).unwrap();
        // The write that completes the save comes after the quiet moment
        // (a slow editor, a busy machine), within the grace period.
        let writer = {
            let path = path.clone();
            std::thread::spawn(move || {
                std::thread::sleep(QUIET * 4);
                std::fs::write(&path, "fn f() {}\n").unwrap();
                tx.send(Msg::Changed).unwrap();
                tx
            })
        };
        match saves.next("") {
            Some(Save::Text(text)) => assert_eq!(text, "fn f() {}\n"),
            Some(Save::Refused(why)) => panic!("refused: {why}"),
            None => panic!("stopped"),
        }
        drop(writer.join().unwrap());
    }

    #[test]
    fn a_file_left_empty_is_refused() {
        let path = scratch("empty", "  \n");
        let (tx, saves) = saves(&path);
        tx.send(Msg::Changed).unwrap();
        match saves.next("fn f() {}\n") {
            Some(Save::Refused(why)) => {
                assert_eq!(
                    why,
                    "error: prog.em is empty; not reloaded (that would remove every definition)\n"
                )
            }
            Some(Save::Text(text)) => panic!("reloaded {text:?}"),
            None => panic!("stopped"),
        }
    }

    #[test]
    fn unchanged_and_missing_files_are_skipped_until_stop() {
        let path = scratch("unchanged", "fn f() {}\n");
        for (path, last) in [
            (path.clone(), "fn f() {}\n"),
            (path.with_file_name("missing.em"), ""),
        ] {
            let (tx, saves) = saves(&path);
            tx.send(Msg::Changed).unwrap();
            // Stop only after the save has settled and been read.
            let stopper = std::thread::spawn(move || {
                std::thread::sleep(QUIET * 3);
                tx.send(Msg::Stop).unwrap();
            });
            assert!(saves.next(last).is_none(), "{}", path.display());
            stopper.join().unwrap();
        }
    }

    #[test]
    fn invalid_utf8_is_refused_with_its_offset() {
        let path = scratch("utf8", "");
        std::fs::write(&path, b"fn f() {}\xff\n").unwrap();
        let (tx, saves) = saves(&path);
        tx.send(Msg::Changed).unwrap();
        match saves.next("") {
            Some(Save::Refused(why)) => assert_eq!(
                why,
                "error: prog.em: not valid UTF-8 (invalid byte at offset 9); not reloaded\n"
            ),
            _ => panic!("not refused"),
        }
    }
}

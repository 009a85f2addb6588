//! The saves of a watched source file: what [`SharedEngine::watch`], the
//! `ember run --watch` command and the REPL's `:watch` reload.
//!
//! notify watches the file's *folder* (editors often save by writing a new
//! file and renaming it over the old one); a burst of events counts as one
//! save once nothing has happened for [`QUIET`] (a file written to without
//! pause is read at least every [`MAX_DELAY`]). Then the file is read, and
//! only a text worth reloading is handed on.
//!
//! A save is not atomic. An editor that rewrites the file in place
//! truncates it first and writes it afterwards, and on a busy machine the
//! two can be far apart; one that saves by rename makes the file vanish for
//! a moment. So a missing file is not a save (the rename's own event
//! follows), and an empty file is refused only if it is still empty
//! [`EMPTY_GRACE`] later with no other event: reloading a half-saved file
//! would remove every definition.
//!
//! [`SharedEngine::watch`]: crate::SharedEngine::watch

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::Error;

/// A burst of events (an editor's write, rename, chmod) counts as one save
/// once no event has come for this long.
pub const QUIET: Duration = Duration::from_millis(75);

/// A file written to without pause is read at least this often.
pub const MAX_DELAY: Duration = Duration::from_millis(500);

/// How long an empty file waits for the rest of its save.
pub const EMPTY_GRACE: Duration = Duration::from_secs(1);

/// A save, read: see [`Saves::next`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Save {
    /// The file's new text, different from the last one applied.
    Text(String),
    /// The file cannot be reloaded as it is; why, in one line naming the
    /// file (no `error:` prefix, no newline).
    Refused(String),
}

enum Msg {
    Changed,
    Stop,
}

/// The saves of one file, in order; dropping it stops watching.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("ember-doc-saves-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("rules.em");
/// std::fs::write(&path, "fn limit() -> int { 1 }\n").unwrap();
/// let (saves, control) = ember::file_watch::Saves::watch(&path, "rules.em")?;
/// let watching = std::thread::spawn(move || saves.next("fn limit() -> int { 1 }\n"));
/// std::fs::write(&path, "fn limit() -> int { 2 }\n").unwrap();
/// let save = watching.join().unwrap();
/// assert_eq!(save, Some(ember::file_watch::Save::Text("fn limit() -> int { 2 }\n".into())));
/// control.stop();
/// # Ok::<(), ember::Error>(())
/// ```
pub struct Saves {
    rx: Receiver<Msg>,
    path: PathBuf,
    name: String,
    _watcher: RecommendedWatcher,
}

/// Tells a [`Saves`] (on another thread) to stop, or to look at the file
/// now. Cloning it is cheap.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("ember-doc-control-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// # let path = dir.join("game.em");
/// # std::fs::write(&path, "fn f() {}\n").unwrap();
/// let (saves, control) = ember::file_watch::Saves::watch(&path, "game.em")?;
/// control.stop();
/// assert_eq!(saves.next(""), None);
/// # Ok::<(), ember::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SavesControl(Sender<Msg>);

impl SavesControl {
    /// End the watch: [`Saves::next`] returns `None` (after the save it
    /// may be reading).
    pub fn stop(&self) {
        let _ = self.0.send(Msg::Stop);
    }

    /// Read the file as if it had been saved (a save made before the watch
    /// started is not missed; the same text is not a save).
    pub fn look(&self) {
        let _ = self.0.send(Msg::Changed);
    }
}

impl std::fmt::Debug for Saves {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Saves")
            .field("path", &self.path)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Saves {
    /// Watch `path`; `name` is the file's name in messages. The error
    /// (an [`Error::Host`]) says `cannot watch NAME: why`.
    pub fn watch(path: &Path, name: impl Into<String>) -> Result<(Saves, SavesControl), Error> {
        let name = name.into();
        let (tx, rx) = mpsc::channel();
        let on_change = tx.clone();
        let watcher = watch_folder(path, move || {
            let _ = on_change.send(Msg::Changed);
        })
        .map_err(|e| Error::Host(format!("cannot watch {name}: {e}")))?;
        let saves = Saves {
            rx,
            path: path.to_path_buf(),
            name,
            _watcher: watcher,
        };
        Ok((saves, SavesControl(tx)))
    }

    /// Wait for the next save whose text is not `last`. `None` once told
    /// to stop.
    pub fn next(&self, last: &str) -> Option<Save> {
        // An event has come that the loop has not waited for yet (one that
        // ended the wait for a truncated save's rest).
        let mut pending = false;
        loop {
            if !pending {
                match self.rx.recv() {
                    Ok(Msg::Changed) => {}
                    Ok(Msg::Stop) | Err(_) => return None,
                }
            }
            pending = false;
            if !self.settle() {
                return None;
            }
            let text = match self.read() {
                Ok(Some(text)) => text,
                Ok(None) => continue,
                Err(refused) => return Some(refused),
            };
            if text == last {
                continue;
            }
            if !text.trim().is_empty() {
                return Some(Save::Text(text));
            }
            // Truncated and not yet written, most likely: wait for the
            // rest of the save.
            match self.rx.recv_timeout(EMPTY_GRACE) {
                Ok(Msg::Changed) => pending = true,
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return None,
                Err(RecvTimeoutError::Timeout) => {
                    return Some(Save::Refused(format!(
                        "{} is empty; not reloaded (that would remove every definition)",
                        self.name
                    )))
                }
            }
        }
    }

    /// Wait until no event has come for [`QUIET`] (at most [`MAX_DELAY`]
    /// in all). False if told to stop meanwhile.
    fn settle(&self) -> bool {
        let started = Instant::now();
        loop {
            let left = MAX_DELAY.saturating_sub(started.elapsed());
            if left.is_zero() {
                return true;
            }
            match self.rx.recv_timeout(QUIET.min(left)) {
                Ok(Msg::Changed) => {}
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return false,
                Err(RecvTimeoutError::Timeout) => return true,
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
                    "{name}: not valid UTF-8 (invalid byte at offset {}); not reloaded",
                    e.utf8_error().valid_up_to()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Save::Refused(format!(
                "cannot read {name}: {}; not reloaded",
                io_reason(&e)
            ))),
        }
    }
}

/// Why an I/O operation failed, in the words the `ember` command uses:
/// the OS message without its `(os error N)` suffix.
///
/// ```
/// let e = std::fs::read("/no/such/file").unwrap_err();
/// assert_eq!(ember::file_watch::io_reason(&e), "no such file");
/// ```
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// Watch the folder holding `path` (not the file itself: a save by rename
/// replaces the file a watch would be on) and call `on_change` for every
/// event that concerns the file.
fn watch_folder(
    path: &Path,
    on_change: impl Fn() + Send + 'static,
) -> Result<RecommendedWatcher, String> {
    let Some(file_name) = path.file_name().map(OsString::from) else {
        return Err("not a file name".to_string());
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let concerns_file = match event {
            Ok(event) => {
                event.need_rescan()
                    || (!is_read(&event.kind)
                        && event
                            .paths
                            .iter()
                            .any(|p| p.file_name() == Some(file_name.as_os_str())))
            }
            // The watch lost track (e.g. its queue overflowed): look again.
            Err(_) => true,
        };
        if concerns_file {
            on_change();
        }
    })
    .map_err(|e| e.to_string())?;
    watcher
        .watch(&folder, RecursiveMode::NonRecursive)
        .map_err(|e| e.to_string())?;
    Ok(watcher)
}

/// Opening, reading or closing the file without writing: not a change
/// (re-reading it after a save causes these).
fn is_read(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(mode)) => *mode != AccessMode::Write,
        EventKind::Access(_) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(test: &str, text: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ember-saves-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("prog.em");
        std::fs::write(&path, text).unwrap();
        path
    }

    /// A `Saves` fed by the test's own events, not by notify.
    fn saves(path: &Path) -> (Sender<Msg>, Saves) {
        let (tx, rx) = mpsc::channel();
        let watcher = watch_folder(path, || {}).unwrap();
        let saves = Saves {
            rx,
            path: path.to_path_buf(),
            name: "prog.em".to_string(),
            _watcher: watcher,
        };
        (tx, saves)
    }

    #[test]
    fn a_truncated_file_waits_for_the_rest_of_its_save() {
        let path = scratch("truncated", b"");
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
        assert_eq!(saves.next(""), Some(Save::Text("fn f() {}\n".into())));
        drop(writer.join().unwrap());
    }

    #[test]
    fn a_file_left_empty_is_refused() {
        let path = scratch("empty", b"  \n");
        let (tx, saves) = saves(&path);
        tx.send(Msg::Changed).unwrap();
        assert_eq!(
            saves.next("fn f() {}\n"),
            Some(Save::Refused(
                "prog.em is empty; not reloaded (that would remove every definition)".into()
            ))
        );
    }

    #[test]
    fn unchanged_and_missing_files_are_skipped_until_stop() {
        let path = scratch("unchanged", b"fn f() {}\n");
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
            assert_eq!(saves.next(last), None, "{}", path.display());
            stopper.join().unwrap();
        }
    }

    #[test]
    fn invalid_utf8_is_refused_with_its_offset() {
        let path = scratch("utf8", b"fn f() {}\xff\n");
        let (tx, saves) = saves(&path);
        tx.send(Msg::Changed).unwrap();
        assert_eq!(
            saves.next(""),
            Some(Save::Refused(
                "prog.em: not valid UTF-8 (invalid byte at offset 9); not reloaded".into()
            ))
        );
    }
}

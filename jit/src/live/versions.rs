//! Version history of every definition: each accepted change of an item's
//! text is a new version (number, source text, where it came from, when).
//! Rolling back re-defines an item from an old version's text, which is a
//! transaction of its own and makes a new version.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ember_lang::source::SourceText;

use super::report::ItemKind;

/// One version of a definition: 32 bytes, because an endless series of
/// redefinitions keeps one per redefinition. The text is a range of the
/// source text it came from, shared with the engine's source map.
#[derive(Clone, Debug)]
pub struct Version {
    /// 1 for the first definition.
    pub number: u32,
    text: ItemText,
    /// When it was defined, in milliseconds since the Unix epoch.
    millis: u64,
}

impl Version {
    /// The item's source text, `fn` (or `struct`, `let`) to its end.
    pub fn text(&self) -> &str {
        self.text.as_str()
    }

    /// The file (or `<repl>`) it came from.
    pub fn source(&self) -> &str {
        &self.text.src.name
    }

    /// When it was defined (to the millisecond).
    pub fn time(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.millis)
    }
}

/// Where a version's text lives: a range of a shared source text.
#[derive(Clone, Debug)]
pub struct ItemText {
    pub src: Arc<SourceText>,
    pub lo: u32,
    pub hi: u32,
}

impl ItemText {
    pub fn as_str(&self) -> &str {
        self.src
            .text
            .get(self.lo as usize..self.hi as usize)
            .unwrap_or("")
    }
}

/// The versions of one definition, oldest first.
#[derive(Clone, Debug, Default)]
pub struct History {
    versions: Vec<Version>,
}

impl History {
    /// All versions, oldest first.
    pub fn versions(&self) -> &[Version] {
        &self.versions
    }

    /// The newest version.
    pub fn current(&self) -> Option<&Version> {
        self.versions.last()
    }

    /// Version `n`.
    pub fn get(&self, n: u32) -> Option<&Version> {
        self.versions.get((n as usize).checked_sub(1)?)
    }

    /// Append a version with `text`; its number.
    pub fn push(&mut self, text: ItemText) -> u32 {
        let number = self.versions.len() as u32 + 1;
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        self.versions.push(Version {
            number,
            text,
            millis,
        });
        number
    }
}

/// The histories of every definition ever made, by kind and name
/// (removed items keep theirs).
#[derive(Debug, Default)]
pub struct Versions {
    by_item: HashMap<(ItemKind, String), History>,
}

impl Versions {
    /// The history of an item.
    pub fn history(&self, kind: ItemKind, name: &str) -> Option<&History> {
        self.by_item.get(&(kind, name.to_string()))
    }

    /// The current text of an item, if it has one.
    pub fn current_text(&self, kind: ItemKind, name: &str) -> Option<&str> {
        self.history(kind, name)
            .and_then(History::current)
            .map(Version::text)
    }

    /// Record a new version; its number.
    pub fn record(&mut self, kind: ItemKind, name: &str, text: ItemText) -> u32 {
        self.by_item
            .entry((kind, name.to_string()))
            .or_default()
            .push(text)
    }

    /// Drop version `number` of an item if it is the newest (a transaction
    /// that recorded it was undone).
    pub fn pop(&mut self, kind: ItemKind, name: &str, number: u32) {
        let key = (kind, name.to_string());
        let Some(h) = self.by_item.get_mut(&key) else {
            return;
        };
        if h.current().is_some_and(|v| v.number == number) {
            h.versions.pop();
        }
        if h.versions.is_empty() {
            self.by_item.remove(&key);
        }
    }

    /// The current version number of an item (0 if never defined).
    pub fn current_number(&self, kind: ItemKind, name: &str) -> u32 {
        self.history(kind, name)
            .and_then(History::current)
            .map_or(0, |v| v.number)
    }

    /// Every item with a history, sorted by kind and name.
    pub fn items(&self) -> Vec<(ItemKind, &str)> {
        let mut v: Vec<_> = self.by_item.keys().map(|(k, n)| (*k, n.as_str())).collect();
        v.sort();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_count_from_one_and_keep_text() {
        let t = |text: &str, source: &str| ItemText {
            src: Arc::new(SourceText {
                name: source.into(),
                text: format!("// {text}\n{text}").into(),
            }),
            lo: 4 + text.len() as u32,
            hi: 4 + 2 * text.len() as u32,
        };
        let mut v = Versions::default();
        assert_eq!(v.current_number(ItemKind::Fn, "f"), 0);
        assert_eq!(v.record(ItemKind::Fn, "f", t("fn f() {}", "<repl>")), 1);
        assert_eq!(v.record(ItemKind::Fn, "f", t("fn f() { 1; }", "a.em")), 2);
        assert_eq!(v.record(ItemKind::Struct, "f", t("struct f {}", "a.em")), 1);
        let h = v.history(ItemKind::Fn, "f").unwrap();
        assert_eq!(h.get(1).unwrap().text(), "fn f() {}");
        assert_eq!(h.get(2).unwrap().source(), "a.em");
        assert!(h.get(2).unwrap().time() <= SystemTime::now());
        assert_eq!(std::mem::size_of::<Version>(), 32);
        assert!(h.get(0).is_none() && h.get(3).is_none());
        assert_eq!(v.current_text(ItemKind::Fn, "f"), Some("fn f() { 1; }"));
        assert_eq!(v.items(), [(ItemKind::Fn, "f"), (ItemKind::Struct, "f")]);
    }
}

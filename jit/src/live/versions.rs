//! Version history of every definition: each accepted change of an item's
//! text is a new version (number, source text, where it came from, when).
//! Rolling back re-defines an item from an old version's text, which is a
//! transaction of its own and makes a new version.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use super::report::ItemKind;

/// One version of a definition.
#[derive(Clone, Debug)]
pub struct Version {
    /// 1 for the first definition.
    pub number: u32,
    /// The item's source text, `fn` (or `struct`, `let`) to its end.
    pub text: Arc<str>,
    /// The file (or `<repl>`) it came from.
    pub source: Arc<str>,
    /// When it was defined.
    pub time: SystemTime,
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
    pub fn push(&mut self, text: Arc<str>, source: Arc<str>) -> u32 {
        let number = self.versions.len() as u32 + 1;
        self.versions.push(Version {
            number,
            text,
            source,
            time: SystemTime::now(),
        });
        number
    }
}

/// The histories of every definition ever made, by kind and name
/// (removed items keep theirs).
#[derive(Debug, Default)]
pub struct Versions {
    by_item: HashMap<(ItemKind, String), History>,
    /// Shared copies of source names (`<repl>` is stored once).
    names: HashMap<String, Arc<str>>,
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
            .map(|v| &*v.text)
    }

    /// Record a new version; its number.
    pub fn record(&mut self, kind: ItemKind, name: &str, text: &str, source: &str) -> u32 {
        let source = match self.names.get(source) {
            Some(s) => s.clone(),
            None => {
                let s: Arc<str> = source.into();
                self.names.insert(source.to_string(), s.clone());
                s
            }
        };
        self.by_item
            .entry((kind, name.to_string()))
            .or_default()
            .push(text.into(), source)
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
        let mut v = Versions::default();
        assert_eq!(v.current_number(ItemKind::Fn, "f"), 0);
        assert_eq!(v.record(ItemKind::Fn, "f", "fn f() {}", "<repl>"), 1);
        assert_eq!(v.record(ItemKind::Fn, "f", "fn f() { 1; }", "a.em"), 2);
        assert_eq!(v.record(ItemKind::Struct, "f", "struct f {}", "a.em"), 1);
        let h = v.history(ItemKind::Fn, "f").unwrap();
        assert_eq!(h.get(1).unwrap().text.as_ref(), "fn f() {}");
        assert_eq!(&*h.get(2).unwrap().source, "a.em");
        assert!(h.get(0).is_none() && h.get(3).is_none());
        assert_eq!(v.current_text(ItemKind::Fn, "f"), Some("fn f() { 1; }"));
        assert_eq!(v.items(), [(ItemKind::Fn, "f"), (ItemKind::Struct, "f")]);
    }
}

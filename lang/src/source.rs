//! The set of source texts diagnostics can point into: files, REPL entries,
//! reloaded versions. Each gets a [`FileId`]; texts are never removed, so a
//! span stays valid for the life of the map (old versions stay printable).

use std::collections::HashMap;
use std::sync::Arc;

use crate::span::FileId;

#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    /// Names are shared (every REPL entry is `<repl>`).
    names: HashMap<Arc<str>, ()>,
}

/// A name and its text, shared by the source map and whatever keeps
/// pointing into it (version histories).
#[derive(Debug)]
pub struct SourceText {
    pub name: Arc<str>,
    pub text: Box<str>,
}

/// One source text. Compact, because a long REPL session or an endless
/// series of reloads adds one per entry: name and text are shared
/// ([`SourceText`]; `<repl>` is stored once), and line starts are `u32`
/// offsets after the first line (a one-line entry has none).
#[derive(Clone, Debug)]
pub struct SourceFile {
    src: Arc<SourceText>,
    /// Byte offset of the start of every line after the first.
    line_starts: Box<[u32]>,
}

impl SourceFile {
    fn new(name: Arc<str>, text: Box<str>) -> SourceFile {
        let line_starts = text
            .match_indices('\n')
            .map(|(i, _)| (i + 1) as u32)
            .collect();
        SourceFile {
            src: Arc::new(SourceText { name, text }),
            line_starts,
        }
    }

    /// The file name (or `<repl>`).
    pub fn name(&self) -> &str {
        &self.src.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.src.text
    }

    /// Name and text, shared.
    pub fn shared(&self) -> &Arc<SourceText> {
        &self.src
    }

    /// Byte offset where zero-based line `line` starts.
    fn line_start(&self, line: usize) -> usize {
        match line {
            0 => 0,
            n => self.line_starts[n - 1] as usize,
        }
    }

    /// Zero-based line index of a byte offset.
    pub fn line_index(&self, byte: usize) -> usize {
        match self.line_starts.binary_search(&(byte as u32)) {
            Ok(i) => i + 1,
            Err(next) => next,
        }
    }

    /// Byte range of a zero-based line (without its newline).
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let start = self.line_start(line);
        let end = self
            .line_starts
            .get(line)
            .map(|&next| next as usize - 1)
            .unwrap_or(self.text().len());
        start..end.max(start)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len() + 1
    }

    /// One-based (line, column) of a byte offset; the column counts chars.
    pub fn line_col(&self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.text().len());
        let line = self.line_index(byte);
        let start = self.line_start(line);
        let col = self
            .text()
            .get(start..byte)
            .map(|s| s.chars().count())
            .unwrap_or(byte - start);
        (line + 1, col + 1)
    }
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Add a text; its id. Texts over 4 GiB are not supported (offsets
    /// are `u32`, as in spans).
    pub fn add(&mut self, name: &str, text: impl Into<Box<str>>) -> FileId {
        let name = match self.names.get_key_value(name) {
            Some((n, _)) => n.clone(),
            None => {
                let n: Arc<str> = name.into();
                self.names.insert(n.clone(), ());
                n
            }
        };
        self.files.push(SourceFile::new(name, text.into()));
        FileId((self.files.len() - 1) as u32)
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// `name:line:col` of a span's start.
    pub fn location(&self, span: crate::Span) -> String {
        match self.get(span.file) {
            Some(f) => {
                let (line, col) = f.line_col(span.lo as usize);
                format!("{}:{}:{}", f.name(), line, col)
            }
            None => "<unknown>".to_string(),
        }
    }
}

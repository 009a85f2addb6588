//! The set of source texts diagnostics can point into: files, REPL entries,
//! reloaded versions. Each gets a [`FileId`]; texts are never removed, so a
//! span stays valid for the life of the map (old versions stay printable).

use crate::span::FileId;

#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    /// Byte offset of the start of every line.
    line_starts: Vec<usize>,
}

impl SourceFile {
    fn new(name: String, text: String) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name,
            text,
            line_starts,
        }
    }

    /// Zero-based line index of a byte offset.
    pub fn line_index(&self, byte: usize) -> usize {
        match self.line_starts.binary_search(&byte) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte range of a zero-based line (without its newline).
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let start = self.line_starts[line];
        let end = self
            .line_starts
            .get(line + 1)
            .map(|next| next - 1)
            .unwrap_or(self.text.len());
        start..end.max(start)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// One-based (line, column) of a byte offset; the column counts chars.
    pub fn line_col(&self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.text.len());
        let line = self.line_index(byte);
        let start = self.line_starts[line];
        let col = self
            .text
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

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile::new(name.into(), text.into()));
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
                format!("{}:{}:{}", f.name, line, col)
            }
            None => "<unknown>".to_string(),
        }
    }
}

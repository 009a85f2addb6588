//! Diagnostic rendering: the one place where [`Diagnostic`]s become text.
//!
//! Output follows the shape of modern compilers (rendered by
//! codespan-reporting):
//!
//! ```text
//! error[E0308]: mismatched types
//!   --> demo.em:3:13
//!   |
//! 3 |     let x: int = "hi";
//!   |                  ^^^^ expected `int`, found `str`
//!   |
//!   = note: ...
//!   = help: ...
//! ```
//!
//! Without colour the output is ASCII (apart from the user's own source text)
//! and stable, so it can be compared with expectation files
//! (`tests/errors/*.err`). Colour (ANSI escapes) only when asked for.
//!
//! Rendering never panics, whatever the spans: spans pointing past the end of
//! the text, into the middle of a UTF-8 character, backwards, or into a file
//! the [`SourceMap`] does not know are clamped or shown without a snippet.

use std::ops::Range;

use codespan_reporting::diagnostic::{self as cs, LabelStyle};
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::{self, termcolor, Chars, Config};

use crate::diag::{Diagnostic, Severity};
use crate::source::{SourceFile, SourceMap};
use crate::span::{FileId, Span};

/// Render `diags` in order of their primary location (stable for equal
/// locations), each followed by a blank line. `color` adds ANSI colour
/// escapes; without it the output is plain text.
pub fn render(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let mut order: Vec<&Diagnostic> = diags.iter().collect();
    order.sort_by_key(|d| (d.primary.file, d.primary.lo, d.primary.hi));
    render_ordered(order, sources, color)
}

/// Render `diags` in the order given (e.g. a headline before the errors
/// that explain it), each followed by a blank line.
pub fn render_in_order(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    render_ordered(diags.iter().collect(), sources, color)
}

fn render_ordered(order: Vec<&Diagnostic>, sources: &SourceMap, color: bool) -> String {
    let files = Sources(sources);
    let config = config();
    let mut out = String::new();
    if color {
        let mut buffer = termcolor::Buffer::ansi();
        for d in order {
            if touches_long_line(d, sources) {
                out.push_str(&fallback(d, sources));
                continue;
            }
            let cs_diag = to_codespan(d, sources);
            if term::emit_to_write_style(&mut buffer, &config, &files, &cs_diag).is_err() {
                buffer = termcolor::Buffer::ansi();
                out.push_str(&fallback(d, sources));
            } else {
                out.push_str(&String::from_utf8_lossy(buffer.as_slice()));
                buffer.clear();
            }
        }
    } else {
        for d in order {
            if touches_long_line(d, sources) {
                out.push_str(&fallback(d, sources));
                continue;
            }
            let cs_diag = to_codespan(d, sources);
            match term::emit_into_string(&config, &files, &cs_diag) {
                Ok(text) => out.push_str(&text),
                Err(_) => out.push_str(&fallback(d, sources)),
            }
        }
    }
    out
}

/// Render one diagnostic (see [`render`]).
pub fn render_one(diag: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    render(std::slice::from_ref(diag), sources, color)
}

/// The closing line a command prints after the diagnostics, e.g.
/// `error: aborting due to 2 previous errors`. Empty when there are none.
pub fn summary(diags: &[Diagnostic]) -> String {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    match errors {
        0 => String::new(),
        1 => "error: aborting due to 1 previous error\n".to_string(),
        n => format!("error: aborting due to {n} previous errors\n"),
    }
}

fn config() -> Config {
    Config {
        chars: Chars::ascii(),
        ..Config::default()
    }
}

/// Converts our plain-data diagnostic into codespan's, with every span made
/// safe to render (inside the text, on character boundaries, `lo <= hi`).
/// Labels in files the map does not know are dropped (their text is kept as
/// a note so nothing is lost).
fn to_codespan(d: &Diagnostic, sources: &SourceMap) -> cs::Diagnostic<FileId> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let mut labels = Vec::new();
    let mut notes = Vec::new();
    match safe_range(sources, d.primary) {
        Some(range) => labels.push(
            cs::Label::new(LabelStyle::Primary, d.primary.file, range)
                .with_message(&d.primary_label),
        ),
        None if !d.primary_label.is_empty() => notes.push(format!("note: {}", d.primary_label)),
        None => {}
    }
    for label in &d.labels {
        match safe_range(sources, label.span) {
            Some(range) => labels.push(
                cs::Label::new(LabelStyle::Secondary, label.span.file, range)
                    .with_message(&label.message),
            ),
            None if !label.message.is_empty() => notes.push(format!("note: {}", label.message)),
            None => {}
        }
    }
    notes.extend(d.notes.iter().map(|n| format!("note: {n}")));
    if let Some(help) = &d.help {
        notes.push(format!("help: {help}"));
    }
    let mut out = cs::Diagnostic::new(severity)
        .with_message(&d.message)
        .with_labels(labels)
        .with_notes(notes);
    if !d.code.is_empty() {
        out = out.with_code(d.code);
    }
    out
}

/// The span's byte range clamped into its file's text and widened to
/// character boundaries; `None` if the file is unknown.
fn safe_range(sources: &SourceMap, span: Span) -> Option<Range<usize>> {
    let text = sources.get(span.file)?.text();
    let (mut lo, mut hi) = (span.lo as usize, span.hi as usize);
    if lo > hi {
        std::mem::swap(&mut lo, &mut hi);
    }
    let mut lo = lo.min(text.len());
    let mut hi = hi.min(text.len());
    while !text.is_char_boundary(lo) {
        lo -= 1;
    }
    while !text.is_char_boundary(hi) {
        hi += 1;
    }
    Some(lo..hi)
}

/// Source lines longer than this are not quoted: a generated or minified
/// file could otherwise make every diagnostic megabytes long.
const MAX_QUOTED_LINE: usize = 1000;

/// Whether any of the diagnostic's spans lies on a line longer than
/// [`MAX_QUOTED_LINE`] bytes (such a diagnostic is rendered without a
/// snippet, see [`fallback`]).
fn touches_long_line(d: &Diagnostic, sources: &SourceMap) -> bool {
    std::iter::once(d.primary)
        .chain(d.labels.iter().map(|l| l.span))
        .any(|span| {
            let Some(file) = sources.get(span.file) else {
                return false;
            };
            let Some(range) = safe_range(sources, span) else {
                return false;
            };
            let first = file.line_index(range.start);
            let last = file.line_index(range.end);
            (first..=last).any(|line| file.line_range(line).len() > MAX_QUOTED_LINE)
        })
}

/// A plain rendering without a source snippet: used for diagnostics on very
/// long lines, and if codespan reports an error (it should not: spans are
/// sanitised first). Keeps the header, the location, labels and notes.
fn fallback(d: &Diagnostic, sources: &SourceMap) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut s = if d.code.is_empty() {
        format!("{kind}: {}\n", d.message)
    } else {
        format!("{kind}[{}]: {}\n", d.code, d.message)
    };
    s.push_str(&format!("  --> {}\n", sources.location(d.primary)));
    if !d.primary_label.is_empty() {
        s.push_str(&format!("  = {}\n", d.primary_label));
    }
    for label in &d.labels {
        s.push_str(&format!(
            "  = note: {} (at {})\n",
            label.message,
            sources.location(label.span)
        ));
    }
    for n in &d.notes {
        s.push_str(&format!("  = note: {n}\n"));
    }
    if let Some(h) = &d.help {
        s.push_str(&format!("  = help: {h}\n"));
    }
    s.push('\n');
    s
}

/// Adapter implementing codespan's [`Files`] over our [`SourceMap`].
struct Sources<'a>(&'a SourceMap);

impl Sources<'_> {
    fn file(&self, id: FileId) -> Result<&SourceFile, files::Error> {
        self.0.get(id).ok_or(files::Error::FileMissing)
    }
}

/// Byte offset where zero-based `line` starts; one past the last line is
/// the end of the text (as codespan expects).
fn line_start(file: &SourceFile, line: usize) -> Result<usize, files::Error> {
    let count = file.line_count();
    if line < count {
        Ok(file.line_range(line).start)
    } else if line == count {
        Ok(file.text().len())
    } else {
        Err(files::Error::LineTooLarge {
            given: line,
            max: count - 1,
        })
    }
}

impl<'a> Files<'a> for Sources<'a> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, files::Error> {
        Ok(self.file(id)?.name())
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, files::Error> {
        Ok(self.file(id)?.text())
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, files::Error> {
        Ok(self.file(id)?.line_index(byte_index))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, files::Error> {
        let file = self.file(id)?;
        Ok(line_start(file, line_index)?..line_start(file, line_index + 1)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(src: &str, lo: usize, hi: usize) -> (SourceMap, Diagnostic) {
        let mut map = SourceMap::new();
        let file = map.add("demo.em", src);
        let d = Diagnostic::error("E0308", "mismatched types", Span::new(file, lo, hi))
            .with_label("expected `int`, found `str`")
            .with_note("a note")
            .with_help("did you mean `count`?");
        (map, d)
    }

    #[test]
    fn renders_like_a_compiler() {
        let src = "fn main() {\n    let x: int = \"hi\";\n}\n";
        let lo = src.find('"').unwrap();
        let (map, d) = one(src, lo, lo + 4);
        let out = render(&[d], &map, false);
        let expected = "\
error[E0308]: mismatched types
  --> demo.em:2:18
  |
2 |     let x: int = \"hi\";
  |                  ^^^^ expected `int`, found `str`
  |
  = note: a note
  = help: did you mean `count`?

";
        assert_eq!(out, expected);
        assert!(out.is_ascii());
    }

    #[test]
    fn secondary_labels_and_order() {
        let src = "let a = 1;\nlet a = 2;\n";
        let mut map = SourceMap::new();
        let f = map.add("dup.em", src);
        let late = Diagnostic::error("E0001", "second", Span::new(f, 15, 16));
        let early = Diagnostic::error("E0428", "`a` is defined twice", Span::new(f, 15, 16))
            .with_label("redefined here")
            .with_secondary(Span::new(f, 4, 5), "first defined here");
        let first = Diagnostic::error("E0002", "first", Span::new(f, 0, 3));
        let out = render(&[late, early, first], &map, false);
        let a = out.find("E0002").unwrap();
        let b = out.find("E0001").unwrap();
        let c = out.find("E0428").unwrap();
        assert!(a < b && b < c, "{out}");
        assert!(out.contains("first defined here"));
        assert!(out.contains("redefined here"));
    }

    #[test]
    fn colour_only_when_asked() {
        let (map, d) = one("let x = 1;\n", 4, 5);
        assert!(!render(std::slice::from_ref(&d), &map, false).contains('\x1b'));
        assert!(render(&[d], &map, true).contains('\x1b'));
    }

    #[test]
    fn hostile_spans_do_not_panic() {
        let src = "let s = \"🔥🔥\";\nx";
        let mut cases = vec![(0, 0), (3, 1), (9, 10), (10, 11), (0, 1000), (999, 1000)];
        for lo in 0..src.len() + 2 {
            cases.push((lo, lo + 1));
            cases.push((lo, lo));
        }
        for (lo, hi) in cases {
            let (map, d) = one(src, lo, hi);
            let out = render(std::slice::from_ref(&d), &map, false);
            assert!(out.starts_with("error[E0308]"), "{out}");
            let _ = render(&[d], &map, true);
        }
        // Empty source, unknown file.
        let (map, d) = one("", 0, 5);
        assert!(render(&[d], &map, false).contains("demo.em:1:1"));
        let (map, mut d) = one("x", 0, 1);
        d.primary.file = FileId(7);
        d.labels.push(crate::diag::Label {
            span: Span::new(FileId(9), 0, 1),
            message: "elsewhere".into(),
        });
        let out = render(&[d], &map, false);
        assert!(out.starts_with("error[E0308]: mismatched types"), "{out}");
        assert!(out.contains("elsewhere"), "{out}");
    }

    #[test]
    fn long_lines_are_not_quoted() {
        let src = format!("let x = {};\n", "1 + ".repeat(2000) + "true");
        let lo = src.find("true").unwrap();
        let (map, d) = one(&src, lo, lo + 4);
        let out = render(&[d], &map, false);
        assert!(out.contains("--> demo.em:1:"), "{out}");
        assert!(out.len() < 500, "{out}");
    }

    #[test]
    fn summary_counts_errors() {
        let (_, d) = one("x", 0, 1);
        assert_eq!(summary(&[]), "");
        assert_eq!(
            summary(std::slice::from_ref(&d)),
            "error: aborting due to 1 previous error\n"
        );
        assert_eq!(
            summary(&[d.clone(), d]),
            "error: aborting due to 2 previous errors\n"
        );
    }
}

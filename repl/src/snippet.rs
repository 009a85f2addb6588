//! The source line a runtime error was raised at, quoted under its stack
//! trace as compile diagnostics quote theirs (issue 8):
//!
//! ```text
//! error: division by zero
//!   at div (<repl>:1:33)
//!   at <main> (<repl>:1:1)
//!   |
//! 1 | fn div(a: int, b: int) -> int { a / b }
//!   |                                 ^ raised here
//! ```
//!
//! Only at a terminal: the trace itself (LANGUAGE.md §6) is the contract
//! and is printed as it is everywhere; the snippet is added after it. It is
//! rendered by the same codespan machinery as the compile diagnostics
//! (`ember_lang::render`, same characters and colours), without the
//! diagnostic's header and `-->` line, which the trace already says.

use ember::lang::render::render_one;
use ember::lang::{Diagnostic, FileId, SourceMap, Span};
use ember::{EmberError, Frame};

/// Lines longer than this are not quoted (as `ember_lang::render` does
/// not quote them in diagnostics).
const MAX_QUOTED_LINE: usize = 1000;

/// The snippet of the innermost frame of `e` whose source text `sources`
/// holds: the gutter line, the source line, the caret under the column
/// with `raised here`; ends with a newline. `None` if no frame has one.
pub fn runtime_error(e: &EmberError, sources: &SourceMap, color: bool) -> Option<String> {
    let (file, lo, hi) = e.stack.iter().find_map(|f| locate(f, sources))?;
    let diag = Diagnostic::error("", "raised", Span::new(file, lo, hi)).with_label("raised here");
    let text = render_one(&diag, sources, color);
    // The header (`error: raised`) and the location (`--> <repl>:1:33`),
    // then the snippet.
    let mut lines = text.split_inclusive('\n');
    lines.next()?;
    if !lines.next()?.contains("-->") {
        return None;
    }
    let mut snippet: String = lines.collect();
    // The blank line that separates diagnostics.
    while snippet.ends_with("\n\n") {
        snippet.pop();
    }
    (snippet.contains('^') && snippet.ends_with('\n')).then_some(snippet)
}

/// The file and byte range (one character) a frame's line and column
/// point at, if its source text is known and its line short enough.
fn locate(frame: &Frame, sources: &SourceMap) -> Option<(FileId, usize, usize)> {
    let id = frame.file_id?;
    let file = sources.get(id)?;
    let (line, col) = (frame.line as usize, frame.col as usize);
    if line == 0 || col == 0 || line > file.line_count() {
        return None;
    }
    let range = file.line_range(line - 1);
    if range.len() > MAX_QUOTED_LINE {
        return None;
    }
    let text = &file.text()[range.clone()];
    let lo = range.start
        + text
            .char_indices()
            .nth(col - 1)
            .map_or(text.len(), |(i, _)| i);
    let hi = lo
        + text[lo - range.start..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
    Some((id, lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(function: &str, line: u32, col: u32, file_id: Option<FileId>) -> Frame {
        Frame {
            function: function.into(),
            file: "<repl>".into(),
            line,
            col,
            file_id,
        }
    }

    #[test]
    fn quotes_the_innermost_frame_with_source() {
        let mut sources = SourceMap::new();
        let def = sources.add("<repl>", "fn div(a: int, b: int) -> int { a / b }\n");
        let call = sources.add("<repl>", "let x = 1;\ndiv(x, 0)\n");
        let e = EmberError {
            message: "division by zero".into(),
            stack: vec![
                frame("div", 1, 33, Some(def)),
                frame("<main>", 2, 1, Some(call)),
            ],
            omitted: 0,
        };
        assert_eq!(
            runtime_error(&e, &sources, false).as_deref(),
            Some(
                "  |\n\
                 1 | fn div(a: int, b: int) -> int { a / b }\n  \
                 |                                 ^ raised here\n"
            )
        );
        // A frame without a known text is skipped.
        let e = EmberError {
            stack: vec![frame("f", 3, 1, None), frame("<main>", 2, 1, Some(call))],
            ..e
        };
        assert_eq!(
            runtime_error(&e, &sources, false).as_deref(),
            Some("  |\n2 | div(x, 0)\n  | ^ raised here\n")
        );
    }

    #[test]
    fn nothing_without_a_located_frame() {
        let mut sources = SourceMap::new();
        let id = sources.add("<repl>", "f()");
        let mut e = EmberError::new("boom");
        assert_eq!(runtime_error(&e, &sources, false), None);
        e.stack = vec![frame("f", 0, 0, Some(id)), frame("g", 9, 1, Some(id))];
        assert_eq!(runtime_error(&e, &sources, false), None);
        e.stack = vec![frame("f", 1, 1, Some(FileId(7)))];
        assert_eq!(runtime_error(&e, &sources, false), None);
        let long = sources.add("<repl>", "x".repeat(MAX_QUOTED_LINE + 1));
        e.stack = vec![frame("f", 1, 1, Some(long))];
        assert_eq!(runtime_error(&e, &sources, false), None);
    }

    #[test]
    fn a_column_past_the_end_or_after_wide_characters() {
        let mut sources = SourceMap::new();
        let id = sources.add("<repl>", "let é = \"ü\" / 0");
        let e = EmberError {
            message: "m".into(),
            stack: vec![frame("<main>", 1, 13, Some(id))],
            omitted: 0,
        };
        assert_eq!(
            runtime_error(&e, &sources, false).as_deref(),
            Some("  |\n1 | let é = \"ü\" / 0\n  |             ^ raised here\n")
        );
        let e = EmberError {
            stack: vec![frame("<main>", 1, 40, Some(id))],
            ..e
        };
        let text = runtime_error(&e, &sources, false).unwrap();
        assert!(text.contains("1 | let é"), "{text}");
        assert!(text.ends_with("^ raised here\n"), "{text}");
    }

    #[test]
    fn coloured_as_diagnostics_are() {
        let mut sources = SourceMap::new();
        let id = sources.add("<repl>", "1 / 0");
        let e = EmberError {
            message: "division by zero".into(),
            stack: vec![frame("<main>", 1, 3, Some(id))],
            omitted: 0,
        };
        let coloured = runtime_error(&e, &sources, true).unwrap();
        assert!(coloured.contains('\x1b'), "{coloured:?}");
        // Each line's escapes are its own; without them, the plain text.
        assert_eq!(
            Some(crate::style::plain(&coloured)),
            runtime_error(&e, &sources, false)
        );
    }
}

//! Runtime errors as values: a message and the Ember stack at the point of
//! failure (LANGUAGE.md §6).

use std::fmt;

/// One Ember frame of a stack trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Function name; `<main>` for top-level code.
    pub function: String,
    /// File name as registered (`<repl>` for REPL entries).
    pub file: String,
    pub line: u32,
    pub col: u32,
    /// The source text `line` and `col` point into, in the engine's
    /// `SourceMap`, when known: the name alone does not say which (every
    /// REPL entry is `<repl>`, and a reloaded file keeps its old versions).
    /// Not part of the printed trace.
    pub file_id: Option<ember_lang::FileId>,
}

/// A runtime error: message plus Ember stack, innermost frame first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmberError {
    pub message: String,
    pub stack: Vec<Frame>,
    /// Frames left out of a very deep stack, after the first
    /// [`EmberError::KEEP_INNER`] of `stack`.
    pub omitted: usize,
}

impl EmberError {
    /// An error without a stack (filled in by the raiser).
    pub fn new(message: impl Into<String>) -> EmberError {
        EmberError {
            message: message.into(),
            stack: Vec::new(),
            omitted: 0,
        }
    }

    /// Innermost frames kept when a stack is truncated.
    pub const KEEP_INNER: usize = 48;
    /// Outermost frames kept when a stack is truncated.
    pub const KEEP_OUTER: usize = 16;

    /// `FILE:LINE:COL` of the innermost frame, if any.
    pub fn location(&self) -> Option<String> {
        self.stack
            .first()
            .map(|f| format!("{}:{}:{}", f.file, f.line, f.col))
    }
}

impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "  at {} ({}:{}:{})",
            self.function, self.file, self.line, self.col
        )
    }
}

/// `message`, then one `  at NAME (FILE:LINE:COL)` line per frame,
/// innermost first (no trailing newline).
impl fmt::Display for EmberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for (i, frame) in self.stack.iter().enumerate() {
            if self.omitted > 0 && i == Self::KEEP_INNER {
                write!(f, "\n  ... {} more frames", self.omitted)?;
            }
            write!(f, "\n{frame}")?;
        }
        Ok(())
    }
}

impl std::error::Error for EmberError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_message_then_frames() {
        let e = EmberError {
            message: "division by zero".into(),
            stack: vec![
                Frame {
                    function: "f".into(),
                    file: "a.em".into(),
                    line: 2,
                    col: 5,
                    file_id: None,
                },
                Frame {
                    function: "<main>".into(),
                    file: "a.em".into(),
                    line: 4,
                    col: 1,
                    file_id: Some(ember_lang::FileId(0)),
                },
            ],
            omitted: 0,
        };
        assert_eq!(
            e.to_string(),
            "division by zero\n  at f (a.em:2:5)\n  at <main> (a.em:4:1)"
        );
        assert_eq!(e.location().as_deref(), Some("a.em:2:5"));
    }
}

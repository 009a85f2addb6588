//! Diagnostics as plain data. Every stage (lexer, parser, checker, later the
//! JIT and the live layer) produces [`Diagnostic`]s; `render` turns them into
//! text in one place.

use crate::span::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A secondary location with a message, e.g. "first defined here".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable code, e.g. `E0308`; see `docs`-style table in ARCHITECTURE.md.
    pub code: &'static str,
    /// The one-line reason.
    pub message: String,
    /// Where the problem is; the caret goes here.
    pub primary: Span,
    /// Text printed under the caret (may be empty).
    pub primary_label: String,
    pub labels: Vec<Label>,
    /// Free-form notes, printed as `= note: ...`.
    pub notes: Vec<String>,
    /// A suggestion, printed as `= help: ...` (e.g. "did you mean `count`?").
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, primary: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            primary,
            primary_label: String::new(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn with_label(mut self, text: impl Into<String>) -> Diagnostic {
        self.primary_label = text.into();
        self
    }

    pub fn with_secondary(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: text.into(),
        });
        self
    }

    pub fn with_note(mut self, text: impl Into<String>) -> Diagnostic {
        self.notes.push(text.into());
        self
    }

    pub fn with_help(mut self, text: impl Into<String>) -> Diagnostic {
        self.help = Some(text.into());
        self
    }
}

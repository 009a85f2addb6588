//! `ember`: the facade an embedder depends on.
//!
//! For now it offers the front end ([`lang`], a re-export of `ember-lang`)
//! and convenience helpers to check source text and render its diagnostics,
//! used by the `ember` command and the tests. The `Engine` (JIT, standard
//! library, live redefinition) joins here in later issues.
#![forbid(unsafe_code)]

use std::fmt;

pub use ember_lang as lang;

use lang::{Diagnostic, Env, SourceMap};

/// The diagnostics of a failed check, together with the sources they point
/// into, so they can be rendered at any time.
#[derive(Clone, Debug)]
pub struct Diagnostics {
    pub sources: SourceMap,
    pub list: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Render every diagnostic (see [`lang::render::render`]).
    pub fn render(&self, color: bool) -> String {
        lang::render::render(&self.list, &self.sources, color)
    }

    /// The closing line, e.g. `error: aborting due to 2 previous errors`.
    pub fn summary(&self) -> String {
        lang::render::summary(&self.list)
    }

    /// What `ember check` prints on standard error: every diagnostic, then
    /// the summary line. `tests/errors/*.err` hold exactly this (no colour).
    pub fn report(&self, color: bool) -> String {
        let mut out = self.render(color);
        out.push_str(&self.summary());
        out
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Diagnostics {}

/// Parse and check `text` as a whole file named `name` (the name appears in
/// diagnostics as given). Returns the typed program, or every error found.
pub fn check_source(name: &str, text: &str) -> Result<lang::tir::Program, Diagnostics> {
    let mut sources = SourceMap::new();
    let file = sources.add(name, text);
    match lang::check_file(file, text, &Env::default()) {
        Ok(program) => Ok(program),
        Err(mut list) => {
            if list.is_empty() {
                // A rejection must always say why; never fail silently.
                list.push(Diagnostic::error(
                    "E0000",
                    "internal error: the checker rejected the program without a diagnostic",
                    lang::Span::new(file, 0, 0),
                ));
            }
            Err(Diagnostics { sources, list })
        }
    }
}

/// Like [`check_source`], with the diagnostics rendered as plain text
/// (no colour) with the summary line, exactly as `ember check` prints them.
pub fn check_source_rendered(name: &str, text: &str) -> Result<(), String> {
    check_source(name, text)
        .map(|_| ())
        .map_err(|d| d.report(false))
}

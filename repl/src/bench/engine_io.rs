//! Running the bench's own Ember code: entries whose failure is a bench
//! error (with the engine's rendered message), and reading back an `int`
//! or a `bool`.

use std::fmt;

use ember_lang::types::Type;

/// Why a row could not be measured.
#[derive(Debug)]
pub enum BenchError {
    /// The engine refused or failed an entry the bench runs.
    Engine { entry: String, error: String },
    /// Set-up went wrong in some other way (e.g. an unexpected value).
    Setup(String),
}

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BenchError::Engine { entry, error } => {
                let first = entry.trim().lines().next().unwrap_or("");
                write!(f, "`{first}`: {}", error.trim_end())
            }
            BenchError::Setup(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for BenchError {}

/// Wrap an engine error for `entry`.
pub fn engine_error(entry: &str, e: &ember::Error) -> BenchError {
    BenchError::Engine {
        entry: entry.to_string(),
        error: ember::report_error(e),
    }
}

/// The file name of the bench's own entries in stack traces.
const NAME: &str = "<bench>";

/// Run `text` as an entry; its value, if any.
pub fn exec(engine: &mut ember::Engine, text: &str) -> Result<Option<(u64, Type)>, BenchError> {
    engine
        .run_entry(NAME, text)
        .map_err(|e| engine_error(text, &e))
}

/// Run `text` (ending in an expression of type `want`) and return its
/// value word.
fn eval(engine: &mut ember::Engine, text: &str, want: &Type) -> Result<u64, BenchError> {
    match exec(engine, text)? {
        Some((word, ty)) if &ty == want => Ok(word),
        other => Err(BenchError::Setup(format!(
            "`{text}` gave {:?}, not a value of type {want}",
            other.map(|(_, t)| t)
        ))),
    }
}

pub fn eval_int(engine: &mut ember::Engine, text: &str) -> Result<i64, BenchError> {
    eval(engine, text, &Type::Int).map(|w| w as i64)
}

pub fn eval_bool(engine: &mut ember::Engine, text: &str) -> Result<bool, BenchError> {
    eval(engine, text, &Type::Bool).map(|w| (w & 0xff) != 0)
}

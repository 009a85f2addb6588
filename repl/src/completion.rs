//! What Tab offers and which signature the hint shows, at the terminal.
//!
//! Everything here is a pure function of a [`Definitions`] snapshot (taken
//! from the engine before each prompt), the open entry's earlier lines and
//! the line being typed, so it is tested without a terminal.
//!
//! - After `:` at the start of an entry: the REPL commands; after a command
//!   that takes a `NAME`, the definitions; after one that takes a `FILE`,
//!   file names; after one that takes an `EXPR`, code as below; a word the
//!   command takes as written (`opt` of `:ir NAME [opt]`) in its place.
//! - After `EXPR.`: the fields of `EXPR`'s struct type and the functions
//!   that take it first (`x.f(a)` means `f(x, a)`). The expression is typed
//!   by the checker against the session's definitions, with the entry's own
//!   locals (`let`, parameters, `for` variables) added as if they were
//!   globals.
//! - Anywhere else: keywords, type names, standard functions, the session's
//!   functions, structs and globals, and the entry's locals.

use std::collections::{BTreeSet, HashMap};

use ember::lang::ast::Module;
use ember::lang::check::{standard_signatures, STANDARD_FUNCTIONS};
use ember::lang::lexer::{Tok, Tokens};
use ember::lang::{Env, FileId, GlobalInfo, Type};

use crate::commands::COMMANDS;

/// The keywords of LANGUAGE.md §1.
const KEYWORDS: &[&str] = &[
    "fn", "struct", "let", "mut", "if", "else", "while", "for", "in", "break", "continue",
    "return", "true", "false", "none", "as", "spawn",
];

/// Built-in type names (`map` and `chan` are standard functions too).
const TYPE_NAMES: &[&str] = &["int", "float", "bool", "str", "task"];

/// What the session has defined, as completion and hints need it.
#[derive(Clone, Debug, Default)]
pub struct Definitions {
    env: Env,
    /// Each user function's signature as written: `fn add(a: int, b: int) -> int`.
    signatures: HashMap<String, String>,
    /// Which engine, after how many defining transactions, this is a
    /// snapshot of (`None`: of none).
    taken_at: Option<(usize, u64)>,
}

impl Definitions {
    /// Bring the snapshot up to date with `engine`: taken again only when
    /// something was defined since (or the engine is another one, after
    /// `:reset`). A snapshot of 700 definitions takes milliseconds, which a
    /// paste of many lines would pay at every line.
    pub fn refresh(&mut self, engine: &ember::Engine) {
        let now = Some(engine_key(engine));
        if self.taken_at != now {
            *self = Definitions::from_engine(engine);
        }
    }

    /// A snapshot of `engine`'s definitions.
    pub fn from_engine(engine: &ember::Engine) -> Definitions {
        let taken_at = Some(engine_key(engine));
        let env = engine.env().clone();
        let signatures = env
            .functions
            .keys()
            .filter_map(|name| {
                let history = engine.versions(ember::ItemKind::Fn, name)?;
                let text = history.versions().last()?.text();
                Some((name.clone(), signature_line(text)))
            })
            .collect();
        Definitions {
            env,
            signatures,
            taken_at,
        }
    }

    /// Whether `name` is a defined struct.
    pub fn is_struct(&self, name: &str) -> bool {
        self.env.structs.contains_key(name)
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        let env = &self.env;
        env.functions
            .keys()
            .chain(env.structs.keys())
            .chain(env.globals.keys())
            .chain(env.hosts.keys())
            .map(String::as_str)
    }
}

/// The engine (its shared state's address) and how many transactions that
/// defined something it has run: every change of definitions is one.
fn engine_key(engine: &ember::Engine) -> (usize, u64) {
    (
        std::sync::Arc::as_ptr(engine.shared()) as usize,
        engine.stats().transactions,
    )
}

/// The header of a function's text, up to its body, on one line.
fn signature_line(text: &str) -> String {
    let head = text.split('{').next().unwrap_or(text);
    head.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One completion: what the list shows and what is inserted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub display: String,
    pub replacement: String,
}

impl Candidate {
    fn plain(s: &str) -> Candidate {
        Candidate {
            display: s.to_string(),
            replacement: s.to_string(),
        }
    }
}

/// What to complete at the cursor.
#[derive(Debug, PartialEq, Eq)]
pub enum Completion {
    /// Replace `line[start..cursor]` with one of `candidates`.
    Words {
        start: usize,
        candidates: Vec<Candidate>,
    },
    /// A file name (the argument of `:load`, `:watch`).
    FileName,
}

impl Completion {
    fn none(pos: usize) -> Completion {
        Completion::Words {
            start: pos,
            candidates: Vec::new(),
        }
    }
}

/// The completions for `line` with the cursor at byte `pos`; `context` is
/// the text of the open entry's earlier lines (empty at the first line).
pub fn complete(defs: &Definitions, context: &str, line: &str, pos: usize) -> Completion {
    let before = &line[..pos];
    if context.is_empty() && before.trim_start().starts_with(':') {
        return complete_command(defs, line, pos);
    }
    complete_code(defs, context, line, pos)
}

/// `:` commands and their arguments.
fn complete_command(defs: &Definitions, line: &str, pos: usize) -> Completion {
    let before = &line[..pos];
    let text = before.trim_start();
    let Some(space) = text.find(char::is_whitespace) else {
        // The command word itself.
        let start = pos - text.len();
        let candidates = COMMANDS
            .iter()
            .map(|(syntax, _)| command_name(syntax))
            .filter(|name| name.starts_with(text))
            .map(Candidate::plain)
            .collect();
        return Completion::Words { start, candidates };
    };
    let word = &text[..space];
    let Some((syntax, _)) = COMMANDS.iter().find(|(s, _)| command_name(s) == word) else {
        return Completion::none(pos);
    };
    let args_at = pos - text.len() + space;
    let args = &line[args_at..pos];
    let first_arg = syntax
        .split_whitespace()
        .nth(1)
        .map(|a| a.trim_matches(|c| c == '[' || c == ']'));
    match first_arg {
        Some("EXPR") => match complete_code(defs, "", &line[args_at..], pos - args_at) {
            Completion::Words { start, candidates } => Completion::Words {
                start: start + args_at,
                candidates,
            },
            other => other,
        },
        Some("FILE") => Completion::FileName,
        // Only the first argument is a name.
        Some("NAME") if !args.trim_start().contains(char::is_whitespace) => {
            let prefix = args.trim_start();
            let start = pos - prefix.len();
            let names: BTreeSet<&str> = defs.names().filter(|n| n.starts_with(prefix)).collect();
            Completion::Words {
                start,
                candidates: names.into_iter().map(Candidate::plain).collect(),
            }
        }
        // A word taken as written, after the name (`:ir NAME [opt]`).
        Some("NAME") => {
            let words: Vec<&str> = args.split_whitespace().collect();
            let typing = !args.ends_with(char::is_whitespace);
            let (index, prefix) = match (words.len(), typing) {
                (1, false) => (2, ""),
                (2, true) => (2, words[1]),
                _ => return Completion::none(pos),
            };
            let literal = syntax
                .split_whitespace()
                .nth(index)
                .map(|a| a.trim_matches(|c| c == '[' || c == ']'))
                .filter(|a| a.chars().all(|c| c.is_ascii_lowercase()));
            Completion::Words {
                start: pos - prefix.len(),
                candidates: literal
                    .filter(|l| l.starts_with(prefix))
                    .map(Candidate::plain)
                    .into_iter()
                    .collect(),
            }
        }
        _ => Completion::none(pos),
    }
}

fn command_name(syntax: &str) -> &str {
    syntax.split_whitespace().next().unwrap_or(syntax)
}

/// Names, or fields and methods after a `.`.
fn complete_code(defs: &Definitions, context: &str, line: &str, pos: usize) -> Completion {
    let before = &line[..pos];
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_ascii_alphanumeric() || c == '_')
        .last()
        .map_or(pos, |(i, _)| i);
    let word = &line[start..pos];
    if word.starts_with(|c: char| c.is_ascii_digit()) {
        return Completion::none(pos);
    }
    let entry = format!("{context}{before}");
    let dot = context.len() + start;
    if entry[..dot].ends_with('.') && !entry[..dot].ends_with("..") {
        let candidates = members(defs, &entry, dot - 1)
            .into_iter()
            .filter(|c| c.replacement.starts_with(word))
            .collect();
        return Completion::Words { start, candidates };
    }
    if word.is_empty() {
        // Tab at the start of a line indents; elsewhere it offers nothing
        // rather than every name there is.
        if before.trim().is_empty() {
            return Completion::Words {
                start: pos,
                candidates: vec![Candidate::plain("    ")],
            };
        }
        return Completion::none(pos);
    }
    let locals = entry_locals(&entry);
    let names: BTreeSet<&str> = KEYWORDS
        .iter()
        .chain(TYPE_NAMES)
        .chain(STANDARD_FUNCTIONS)
        .copied()
        .chain(defs.names())
        .chain(locals.iter().map(|l| l.name.as_str()))
        .filter(|n| n.starts_with(word))
        .collect();
    Completion::Words {
        start,
        candidates: names.into_iter().map(Candidate::plain).collect(),
    }
}

/// The fields and methods of the expression that ends just before the `.`
/// at `entry[dot]`: fields first (declared order), then functions.
fn members(defs: &Definitions, entry: &str, dot: usize) -> Vec<Candidate> {
    let Some(receiver) = receiver_start(&entry[..dot]).map(|lo| &entry[lo..dot]) else {
        return Vec::new();
    };
    let env = env_with_locals(&defs.env, &entry_locals(&entry[..dot]));
    let Some(ty) = type_of(&env, receiver) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Type::Struct(name) = &ty {
        if let Some(def) = env.structs.get(&**name) {
            out.extend(def.fields.iter().map(|(f, _)| Candidate::plain(f)));
        }
    }
    let mut methods: BTreeSet<&str> = env
        .functions
        .iter()
        .chain(&env.hosts)
        .filter(|(_, sig)| sig.params.first() == Some(&ty))
        .map(|(name, _)| name.as_str())
        .collect();
    methods.extend(
        STANDARD_FUNCTIONS
            .iter()
            .filter(|name| {
                standard_signatures(name)
                    .iter()
                    .any(|sig| first_param_fits(sig, &ty))
            })
            .copied(),
    );
    out.extend(methods.into_iter().map(Candidate::plain));
    out
}

/// Where the expression ending at the end of `text` starts: a name or
/// literal followed by calls, indexes, fields and unwraps (`a.b(c)[0]!`),
/// or a bracketed expression. `None` if `text` does not end in one.
fn receiver_start(text: &str) -> Option<usize> {
    let tokens: Vec<(usize, Tok<'_>, usize)> = Tokens::new(FileId::default(), text).collect();
    let mut i = tokens.len().checked_sub(1)?;
    loop {
        let (lo, tok, _) = tokens[i];
        match tok {
            Tok::RParen | Tok::RBracket => {
                let open = matching_open(&tokens, i)?;
                // A call or an index if something that ends an expression
                // comes before; else a bracketed expression.
                match open.checked_sub(1).map(|j| tokens[j].1) {
                    Some(Tok::Ident(_) | Tok::RParen | Tok::RBracket | Tok::Bang | Tok::Str(_)) => {
                        i = open - 1
                    }
                    _ => return Some(tokens[open].0),
                }
            }
            // Postfix unwrap.
            Tok::Bang => i = i.checked_sub(1)?,
            Tok::Ident(_) => match i.checked_sub(1).map(|j| tokens[j].1) {
                Some(Tok::Dot) => i = i.checked_sub(2)?,
                _ => return Some(lo),
            },
            Tok::Str(_) | Tok::Int(_) | Tok::Float(_) | Tok::True | Tok::False => return Some(lo),
            _ => return None,
        }
    }
}

/// The index of the bracket that `tokens[close]` closes.
fn matching_open(tokens: &[(usize, Tok<'_>, usize)], close: usize) -> Option<usize> {
    let mut depth = 0usize;
    for j in (0..=close).rev() {
        match tokens[j].1 {
            Tok::RParen | Tok::RBracket | Tok::RBrace => depth += 1,
            Tok::LParen | Tok::LBracket | Tok::LBrace => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// The static type of the expression `expr` against `env`, if it checks.
fn type_of(env: &Env, expr: &str) -> Option<Type> {
    let (module, errors) = ember::lang::parse_entry(FileId::default(), expr);
    if !errors.is_empty() || !module.items.is_empty() || module.tail.is_none() {
        return None;
    }
    let program = ember::lang::check_module(&module, env).ok()?;
    Some(program.main.body.ty)
}

/// The type a type written as `text` denotes in `env`.
fn resolve_type(env: &Env, text: &str) -> Option<Type> {
    let probe = format!("fn __ember_complete(x: {text}) {{}}");
    let (module, errors): (Module, _) = ember::lang::parse_entry(FileId::default(), &probe);
    if !errors.is_empty() {
        return None;
    }
    let program = ember::lang::check_module(&module, env).ok()?;
    program.functions.first()?.sig.params.first().cloned()
}

/// Whether a standard function's signature (`len(a: [T]) -> int`) takes a
/// value of type `ty` first.
fn first_param_fits(sig: &str, ty: &Type) -> bool {
    let Some(params) = sig.split_once('(').map(|(_, rest)| rest) else {
        return false;
    };
    let Some((_, first)) = params.split_once(": ") else {
        return false;
    };
    // Up to the `,` or `)` that ends the first parameter.
    let mut depth = 0i32;
    let end = first
        .char_indices()
        .find(|&(_, c)| {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                ',' | ')' if depth == 0 => return true,
                _ => {}
            }
            false
        })
        .map_or(first.len(), |(i, _)| i);
    match (&first[..end], ty) {
        ("any type", _) => true,
        ("[T]", Type::Array(_)) => true,
        ("[str]", Type::Array(e)) => **e == Type::Str,
        ("map[K, V]", Type::Map(..)) => true,
        ("chan[T]", Type::Chan(_)) => true,
        ("int", Type::Int)
        | ("float", Type::Float)
        | ("bool", Type::Bool)
        | ("str", Type::Str)
        | ("task", Type::Task) => true,
        _ => false,
    }
}

/// A name the entry declares (`let`, a parameter, a `for` variable) and
/// how to find its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Local {
    pub name: String,
    how: TypeFrom,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TypeFrom {
    /// A written type.
    Annotation(String),
    /// The type of an initializer.
    Init(String),
    /// The element type of what a `for` iterates over.
    ForIn(String),
    Unknown,
}

/// The names the entry `text` declares, in order.
pub fn entry_locals(text: &str) -> Vec<Local> {
    let tokens: Vec<(usize, Tok<'_>, usize)> = Tokens::new(FileId::default(), text).collect();
    let mut out = Vec::new();
    let slice = |from: usize, to: usize| -> String {
        let lo = tokens.get(from).map_or(text.len(), |t| t.0);
        let hi = if to > from { tokens[to - 1].2 } else { lo };
        text[lo..hi.max(lo)].to_string()
    };
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i].1 {
            Tok::Let => {
                let mut j = i + 1;
                if matches!(tokens.get(j), Some((_, Tok::Mut, _))) {
                    j += 1;
                }
                if let Some(&(_, Tok::Ident(name), _)) = tokens.get(j) {
                    let how = match tokens.get(j + 1).map(|t| t.1) {
                        Some(Tok::Colon) => {
                            let end = until(&tokens, j + 2, |t| matches!(t, Tok::Eq | Tok::Semi));
                            TypeFrom::Annotation(slice(j + 2, end))
                        }
                        Some(Tok::Eq) => {
                            let end = until(&tokens, j + 2, |t| matches!(t, Tok::Semi));
                            TypeFrom::Init(slice(j + 2, end))
                        }
                        _ => TypeFrom::Unknown,
                    };
                    out.push(Local {
                        name: name.to_string(),
                        how,
                    });
                }
            }
            Tok::Fn => {
                // Parameters: `fn NAME(a: T, b: U)`.
                if let (Some((_, Tok::Ident(_), _)), Some((_, Tok::LParen, _))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    let close = until(&tokens, i + 3, |t| matches!(t, Tok::RParen));
                    let mut k = i + 3;
                    while k < close {
                        if let (Tok::Ident(name), Some(Tok::Colon)) =
                            (tokens[k].1, tokens.get(k + 1).map(|t| t.1))
                        {
                            let end = until(&tokens, k + 2, |t| matches!(t, Tok::Comma)).min(close);
                            out.push(Local {
                                name: name.to_string(),
                                how: TypeFrom::Annotation(slice(k + 2, end)),
                            });
                            k = end + 1;
                        } else {
                            k += 1;
                        }
                    }
                }
            }
            Tok::For => {
                if let (Some(&(_, Tok::Ident(name), _)), Some((_, Tok::In, _))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    let end = until(&tokens, i + 3, |t| matches!(t, Tok::LBrace));
                    out.push(Local {
                        name: name.to_string(),
                        how: TypeFrom::ForIn(slice(i + 3, end)),
                    });
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The index of the first token from `from` on that `stop` accepts outside
/// brackets opened after `from` (or where such a bracket closes one opened
/// before, or the end).
fn until(tokens: &[(usize, Tok<'_>, usize)], from: usize, stop: impl Fn(Tok<'_>) -> bool) -> usize {
    let mut depth = 0i32;
    for (k, &(_, tok, _)) in tokens.iter().enumerate().skip(from) {
        if depth == 0 && stop(tok) {
            return k;
        }
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => depth += 1,
            Tok::RParen | Tok::RBracket | Tok::RBrace => {
                depth -= 1;
                if depth < 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// `env` with the entry's locals whose types can be found added as
/// globals (later declarations shadow earlier ones).
fn env_with_locals(env: &Env, locals: &[Local]) -> Env {
    let mut env = env.clone();
    for local in locals {
        let ty = match &local.how {
            TypeFrom::Annotation(text) => resolve_type(&env, text),
            TypeFrom::Init(expr) => type_of(&env, expr),
            TypeFrom::ForIn(expr) => match expr.contains("..") {
                true => Some(Type::Int),
                false => match type_of(&env, expr) {
                    Some(Type::Array(elem)) => Some((*elem).clone()),
                    _ => None,
                },
            },
            TypeFrom::Unknown => None,
        };
        match ty {
            Some(ty) if ty != Type::Never => {
                // A local shadows a function of the same name.
                env.functions.remove(&local.name);
                env.globals
                    .insert(local.name.clone(), GlobalInfo { ty, mutable: true });
            }
            _ => {
                env.globals.remove(&local.name);
            }
        }
    }
    env
}

/// The signature to show while the cursor is in the arguments of a call:
/// of the innermost call whose `(` is open before the end of the line.
pub fn signature_hint(defs: &Definitions, context: &str, line: &str) -> Option<String> {
    let text = format!("{context}{line}");
    let tokens: Vec<(usize, Tok<'_>, usize)> = Tokens::new(FileId::default(), &text).collect();
    let mut open: Vec<usize> = Vec::new();
    for (k, &(_, tok, _)) in tokens.iter().enumerate() {
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => open.push(k),
            Tok::RParen | Tok::RBracket | Tok::RBrace => {
                open.pop();
            }
            _ => {}
        }
    }
    for &k in open.iter().rev() {
        match tokens[k].1 {
            Tok::LParen => {
                if let Some(&(_, Tok::Ident(name), _)) =
                    k.checked_sub(1).and_then(|j| tokens.get(j))
                {
                    return signature_of(defs, name);
                }
            }
            // Inside a block the call is not the context any more.
            Tok::LBrace => return None,
            _ => {}
        }
    }
    None
}

/// How a callable named `name` is shown in a hint.
fn signature_of(defs: &Definitions, name: &str) -> Option<String> {
    if let Some(sig) = defs.signatures.get(name) {
        return Some(sig.clone());
    }
    if let Some(sig) = defs.env.hosts.get(name) {
        return Some(format!("{name}: {sig}"));
    }
    let std = standard_signatures(name);
    (!std.is_empty()).then(|| std.join("  |  "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A session's definitions after running `program`.
    fn defs(program: &str) -> Definitions {
        let mut engine = ember::Engine::new().unwrap();
        engine.capture_output(true);
        engine.run_entry("<repl>", program).unwrap();
        Definitions::from_engine(&engine)
    }

    fn words(c: Completion) -> (usize, Vec<String>) {
        match c {
            Completion::Words { start, candidates } => (
                start,
                candidates.into_iter().map(|c| c.replacement).collect(),
            ),
            Completion::FileName => panic!("file name completion"),
        }
    }

    fn at_end(d: &Definitions, context: &str, line: &str) -> (usize, Vec<String>) {
        words(complete(d, context, line, line.len()))
    }

    const PROGRAM: &str = "struct Point { x: float, y: float }\n\
        struct Seg { a: Point, b: Point }\n\
        fn norm(p: Point) -> float { sqrt(p.x * p.x + p.y * p.y) }\n\
        fn origin() -> Point { Point { x: 0.0, y: 0.0 } }\n\
        let p = Point { x: 3.0, y: 4.0 };\n\
        let segs = [Seg { a: p, b: p }];\n\
        let total = 0;\n";

    #[test]
    fn the_snapshot_follows_definitions() {
        let mut engine = ember::Engine::new().unwrap();
        let mut d = Definitions::default();
        d.refresh(&engine);
        assert_eq!(at_end(&d, "", "twi").1, Vec::<String>::new());
        engine
            .run_entry("<repl>", "fn twice(x: int) -> int { 2 * x }")
            .unwrap();
        d.refresh(&engine);
        assert_eq!(at_end(&d, "", "twi").1, ["twice"]);
        // An entry that defines nothing leaves it as it is; a global is a
        // definition.
        engine.run_entry("<repl>", "twice(2);").unwrap();
        engine.run_entry("<repl>", "let twine = 1;").unwrap();
        d.refresh(&engine);
        assert_eq!(at_end(&d, "", "twi").1, ["twice", "twine"]);
        // Another engine (`:reset`): taken again.
        let other = ember::Engine::new().unwrap();
        d.refresh(&other);
        assert_eq!(at_end(&d, "", "twi").1, Vec::<String>::new());
    }

    #[test]
    fn keywords_definitions_and_standard_functions() {
        let d = defs(PROGRAM);
        assert_eq!(at_end(&d, "", "wh"), (0, vec!["while".to_string()]));
        assert_eq!(
            at_end(&d, "", "let n = no"),
            (8, vec!["none".into(), "norm".into()])
        );
        assert_eq!(at_end(&d, "", "ori"), (0, vec!["origin".to_string()]));
        assert_eq!(at_end(&d, "", "Po"), (0, vec!["Point".to_string()]));
        assert_eq!(at_end(&d, "", "x + tot"), (4, vec!["total".to_string()]));
        assert_eq!(at_end(&d, "", "pri").1, ["print", "println"]);
        assert_eq!(at_end(&d, "", "let f: flo").1, ["float", "floor"]);
        // In the middle of a line: the word up to the cursor.
        assert_eq!(
            words(complete(&d, "", "orig + 1", 4)),
            (0, vec!["origin".to_string()])
        );
        // Nothing to complete after a number or with no word.
        assert_eq!(at_end(&d, "", "12").1, Vec::<String>::new());
        assert_eq!(at_end(&d, "", "x + ").1, Vec::<String>::new());
        // At the start of a line, Tab indents.
        assert_eq!(
            at_end(&d, "fn f() {\n", "  "),
            (2, vec!["    ".to_string()])
        );
    }

    #[test]
    fn locals_of_the_entry() {
        let d = defs(PROGRAM);
        let context = "fn f(count: int, label: str) {\n    let mut counter = 0;\n";
        assert_eq!(at_end(&d, context, "    cou").1, ["count", "counter"]);
        assert_eq!(at_end(&d, context, "    la").1, ["label"]);
        assert_eq!(at_end(&d, "", "for item in segs { ite").1, ["item"]);
    }

    #[test]
    fn fields_after_a_dot_from_the_expression_type() {
        let d = defs(PROGRAM);
        // A global of struct type: its fields, then functions taking it.
        assert_eq!(
            at_end(&d, "", "p.").1,
            ["x", "y", "norm", "print", "println", "str"]
        );
        assert_eq!(at_end(&d, "", "1 + p.y").1, ["y"]);
        // Chains, calls and indexes.
        assert_eq!(at_end(&d, "", "segs[0].a.").1[..2], ["x", "y"]);
        assert_eq!(at_end(&d, "", "origin().").1[..2], ["x", "y"]);
        assert_eq!(at_end(&d, "", "segs[0].").1[..2], ["a", "b"]);
        // Locals of the entry, typed from an annotation or an initializer.
        assert_eq!(at_end(&d, "fn g(s: Seg) {\n", "  s.b.").1[..2], ["x", "y"]);
        assert_eq!(at_end(&d, "", "let q = origin(); q.").1[..2], ["x", "y"]);
        assert_eq!(at_end(&d, "", "for s in segs { s.").1[..2], ["a", "b"]);
        // Standard functions that take the value first.
        let (_, arr) = at_end(&d, "", "segs.");
        for f in ["len", "pop", "push", "str"] {
            assert!(arr.contains(&f.to_string()), "{arr:?}");
        }
        assert!(!arr.contains(&"split".to_string()), "{arr:?}");
        assert!(at_end(&d, "", "\"a,b\".sp").1 == ["split"]);
        // An expression that does not check offers nothing.
        assert_eq!(at_end(&d, "", "nothing.").1, Vec::<String>::new());
        assert_eq!(at_end(&d, "", "for i in 0..").1, Vec::<String>::new());
    }

    #[test]
    fn commands_and_their_arguments() {
        let d = defs(PROGRAM);
        assert_eq!(at_end(&d, "", ":he"), (0, vec![":help".to_string()]));
        assert_eq!(at_end(&d, "", "  :ver"), (2, vec![":versions".to_string()]));
        assert_eq!(at_end(&d, "", ":source no"), (8, vec!["norm".to_string()]));
        assert_eq!(at_end(&d, "", ":versions P").1, ["Point"]);
        assert_eq!(at_end(&d, "", ":type p.").1[..2], ["x", "y"]);
        assert_eq!(at_end(&d, "", ":type p.x + p.").0, 14);
        assert_eq!(complete(&d, "", ":load ex", 8), Completion::FileName);
        // A word taken as written, after the name.
        assert_eq!(at_end(&d, "", ":ir norm "), (9, vec!["opt".to_string()]));
        assert_eq!(at_end(&d, "", ":ir norm o"), (9, vec!["opt".to_string()]));
        assert_eq!(at_end(&d, "", ":ir norm x").1, Vec::<String>::new());
        assert_eq!(at_end(&d, "", ":rollback norm ").1, Vec::<String>::new());
        // Not a command inside an entry.
        assert_eq!(at_end(&d, "let x = [\n", ":he").1, Vec::<String>::new());
    }

    #[test]
    fn signature_hints() {
        let d = defs(PROGRAM);
        assert_eq!(
            signature_hint(&d, "", "norm(").as_deref(),
            Some("fn norm(p: Point) -> float")
        );
        assert_eq!(
            signature_hint(&d, "", "norm(origin(), [1, ").as_deref(),
            Some("fn norm(p: Point) -> float")
        );
        assert_eq!(
            signature_hint(&d, "", "sqrt(2.0").as_deref(),
            Some("sqrt(x: float) -> float")
        );
        assert_eq!(signature_hint(&d, "", "norm(p)"), None);
        assert_eq!(signature_hint(&d, "", "(1 + 2"), None);
        assert_eq!(
            signature_hint(&d, "norm(\n", "p").as_deref(),
            Some("fn norm(p: Point) -> float")
        );
    }
}

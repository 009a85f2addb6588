//! The lexer: source text → tokens, with lexical diagnostics.
//!
//! Built on logos. Tokens borrow from the source (`Tok` is `Copy`); string
//! literals keep their raw text and are decoded by [`decode_str`] when the
//! parser builds the AST (escapes are validated here, so decoding cannot
//! fail). Lexical errors never stop lexing: each becomes a [`Diagnostic`]
//! and the lexer produces a best-effort token (or skips the bad bytes).
//!
//! Lexical diagnostic codes (the full table is at the top of `parser.rs`):
//! E0001 unknown character, E0002 unterminated block comment, E0003
//! unterminated string, E0004 bad escape, E0005 malformed number literal,
//! E0006 integer literal out of range, E0007 float literal without a digit
//! after the `.`.

use crate::{Diagnostic, FileId, Span};
use logos::{Lexer, Logos};

/// Per-lexer state reachable from logos callbacks.
#[derive(Debug, Default)]
pub struct Extras {
    pub file: FileId,
    pub diags: Vec<Diagnostic>,
}

impl Extras {
    fn error(&mut self, code: &'static str, msg: impl Into<String>, lo: usize, hi: usize) {
        self.diags
            .push(Diagnostic::error(code, msg, Span::new(self.file, lo, hi)));
    }
}

/// The error logos reports for bytes that start no token.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnknownChar;

/// A token. Literals carry their value; `Str` carries the raw text between
/// the quotes (decode it with [`decode_str`]).
#[derive(Logos, Clone, Copy, Debug, PartialEq)]
#[logos(extras = Extras)]
#[logos(error = UnknownChar)]
#[logos(skip r"[ \t\r\n\x0C]+")]
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
#[logos(skip("/\\*", block_comment))]
pub enum Tok<'a> {
    // Keywords.
    #[token("fn")]
    Fn,
    #[token("struct")]
    Struct,
    #[token("let")]
    Let,
    #[token("mut")]
    Mut,
    #[token("if")]
    If,
    #[token("else")]
    Else,
    #[token("while")]
    While,
    #[token("for")]
    For,
    #[token("in")]
    In,
    #[token("break")]
    Break,
    #[token("continue")]
    Continue,
    #[token("return")]
    Return,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("none")]
    None,
    #[token("as")]
    As,
    #[token("spawn")]
    Spawn,

    // Literals and names.
    #[regex("[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice())]
    Ident(&'a str),
    /// The magnitude of an integer literal: at most 2^63 (only valid after
    /// a unary minus; the parser checks that).
    Int(u64),
    Float(f64),
    /// Number literals are matched here; the callbacks turn them into `Int`
    /// or `Float`, so this variant is never produced.
    #[regex("[0-9][0-9A-Za-z_]*", number)]
    #[regex(r"[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9][0-9_]*)?", float)]
    #[regex(r"[0-9][0-9_]*[eE][+-][0-9][0-9_]*", float)]
    Number,
    #[token("\"", string)]
    Str(&'a str),

    // Punctuation.
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(";")]
    Semi,
    #[token(":")]
    Colon,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("..=")]
    DotDotEq,
    #[token("->")]
    Arrow,
    #[token("?")]
    Question,
    #[token("??")]
    QuestionQuestion,

    // Operators.
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("^")]
    Caret,
    #[token("<<")]
    Shl,
    #[token(">>")]
    Shr,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,
    #[token("!")]
    Bang,
    #[token("==")]
    EqEq,
    #[token("!=")]
    Ne,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("=")]
    Eq,
    #[token("+=")]
    PlusEq,
    #[token("-=")]
    MinusEq,
    #[token("*=")]
    StarEq,
    #[token("/=")]
    SlashEq,
    #[token("%=")]
    PercentEq,
}

impl Tok<'_> {
    /// How the token is named in "found ..." messages.
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("identifier `{s}`"),
            Tok::Int(n) => format!("integer `{n}`"),
            Tok::Float(_) => "float literal".to_string(),
            Tok::Str(_) => "string literal".to_string(),
            other => format!("`{}`", other.text()),
        }
    }

    /// The fixed text of a keyword or punctuation token (empty for literals).
    pub fn text(&self) -> &'static str {
        match self {
            Tok::Fn => "fn",
            Tok::Struct => "struct",
            Tok::Let => "let",
            Tok::Mut => "mut",
            Tok::If => "if",
            Tok::Else => "else",
            Tok::While => "while",
            Tok::For => "for",
            Tok::In => "in",
            Tok::Break => "break",
            Tok::Continue => "continue",
            Tok::Return => "return",
            Tok::True => "true",
            Tok::False => "false",
            Tok::None => "none",
            Tok::As => "as",
            Tok::Spawn => "spawn",
            Tok::Ident(_) | Tok::Int(_) | Tok::Float(_) | Tok::Str(_) | Tok::Number => "",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::Comma => ",",
            Tok::Semi => ";",
            Tok::Colon => ":",
            Tok::Dot => ".",
            Tok::DotDot => "..",
            Tok::DotDotEq => "..=",
            Tok::Arrow => "->",
            Tok::Question => "?",
            Tok::QuestionQuestion => "??",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::Amp => "&",
            Tok::Pipe => "|",
            Tok::Caret => "^",
            Tok::Shl => "<<",
            Tok::Shr => ">>",
            Tok::AndAnd => "&&",
            Tok::OrOr => "||",
            Tok::Bang => "!",
            Tok::EqEq => "==",
            Tok::Ne => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::Eq => "=",
            Tok::PlusEq => "+=",
            Tok::MinusEq => "-=",
            Tok::StarEq => "*=",
            Tok::SlashEq => "/=",
            Tok::PercentEq => "%=",
        }
    }
}

/// `/* ... */`, nesting. Unterminated: diagnostic, skip to end of input.
fn block_comment<'a>(lex: &mut Lexer<'a, Tok<'a>>) {
    let rest = lex.remainder().as_bytes();
    let mut depth = 1usize;
    let mut i = 0;
    while i < rest.len() {
        match (rest[i], rest.get(i + 1)) {
            (b'*', Some(b'/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    lex.bump(i);
                    return;
                }
            }
            (b'/', Some(b'*')) => {
                depth += 1;
                i += 2;
            }
            _ => i += 1,
        }
    }
    let start = lex.span().start;
    lex.extras.diags.push(
        Diagnostic::error(
            "E0002",
            "unterminated block comment",
            Span::new(lex.extras.file, start, start + 2),
        )
        .with_label("comment starts here")
        .with_note("block comments nest: every `/*` needs its own `*/`"),
    );
    lex.bump(rest.len());
}

/// A string literal: scan to the closing quote, validating escapes.
/// Unterminated: diagnostic, and the token ends at the end of the line so
/// the parser can carry on.
fn string<'a>(lex: &mut Lexer<'a, Tok<'a>>) -> &'a str {
    let rest: &'a str = lex.remainder();
    let bytes = rest.as_bytes();
    let base = lex.span().end; // offset of rest[0]
    let before = lex.extras.diags.len();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                lex.bump(i + 1);
                return &rest[..i];
            }
            b'\\' => i = check_escape(&mut lex.extras, rest, i, base),
            _ => i += 1,
        }
    }
    let start = base - 1;
    let end = rest.find('\n').unwrap_or(rest.len());
    // Escape errors past the end of the line belong to code lexed again.
    let mut k = before;
    while k < lex.extras.diags.len() {
        if lex.extras.diags[k].primary.lo as usize >= base + end {
            lex.extras.diags.remove(k);
        } else {
            k += 1;
        }
    }
    lex.extras.diags.push(
        Diagnostic::error(
            "E0003",
            "unterminated string literal",
            Span::new(lex.extras.file, start, start + 1),
        )
        .with_label("string starts here")
        .with_help("add a closing `\"`"),
    );
    lex.bump(end);
    &rest[..end]
}

/// Validate the escape starting at `rest[i] == '\\'`; return the index just
/// after it. `base` is the source offset of `rest`.
fn check_escape(ex: &mut Extras, rest: &str, i: usize, base: usize) -> usize {
    let bytes = rest.as_bytes();
    let Some(&c) = bytes.get(i + 1) else {
        // Backslash at end of input: the unterminated-string error covers it.
        return i + 1;
    };
    match c {
        b'n' | b't' | b'r' | b'\\' | b'"' | b'0' => i + 2,
        b'u' => {
            let (end, ok) = scan_unicode_escape(rest, i);
            if !ok {
                ex.error(
                    "E0004",
                    "invalid unicode escape: expected `\\u{...}` with 1 to 6 hex digits naming a Unicode scalar value",
                    base + i,
                    base + end,
                );
            }
            end
        }
        _ => {
            let ch = rest[i + 1..].chars().next().unwrap_or('?');
            let end = i + 1 + ch.len_utf8();
            let shown: String = if ch == '\n' {
                "\\n".into()
            } else {
                ch.escape_default().collect()
            };
            ex.diags.push(
                Diagnostic::error(
                    "E0004",
                    format!("unknown escape sequence `\\{shown}`"),
                    Span::new(ex.file, base + i, base + end),
                )
                .with_help("valid escapes are \\n \\t \\r \\\\ \\\" \\0 \\u{...}"),
            );
            end
        }
    }
}

/// `rest[i..]` starts with `\u`. Returns the end of the escape (as far as it
/// looks like one) and whether it is valid.
fn scan_unicode_escape(rest: &str, i: usize) -> (usize, bool) {
    let bytes = rest.as_bytes();
    let mut j = i + 2;
    if bytes.get(j) != Some(&b'{') {
        return (j, false);
    }
    j += 1;
    let digits_start = j;
    while j < bytes.len() && bytes[j].is_ascii_hexdigit() {
        j += 1;
    }
    let digits = &rest[digits_start..j];
    if bytes.get(j) != Some(&b'}') {
        return (j, false);
    }
    j += 1;
    let ok = (1..=6).contains(&digits.len())
        && u32::from_str_radix(digits, 16)
            .ok()
            .and_then(char::from_u32)
            .is_some();
    (j, ok)
}

/// Decode the raw text of a string literal (escapes were validated by the
/// lexer; invalid ones are kept as written).
pub fn decode_str(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while let Some(pos) = raw[i..].find('\\') {
        out.push_str(&raw[i..i + pos]);
        i += pos;
        let next = raw[i + 1..].chars().next();
        let simple = match next {
            Some('n') => Some('\n'),
            Some('t') => Some('\t'),
            Some('r') => Some('\r'),
            Some('\\') => Some('\\'),
            Some('"') => Some('"'),
            Some('0') => Some('\0'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            i += 2;
        } else if next == Some('u') {
            let (end, ok) = scan_unicode_escape(raw, i);
            let ch = if ok {
                u32::from_str_radix(&raw[i + 3..end - 1], 16)
                    .ok()
                    .and_then(char::from_u32)
            } else {
                None
            };
            match ch {
                Some(c) => out.push(c),
                None => out.push_str(&raw[i..end]),
            }
            i = end;
        } else {
            // Invalid escape (already reported): keep it as written.
            let len = 1 + next.map_or(0, char::len_utf8);
            out.push_str(&raw[i..i + len]);
            i += len;
        }
    }
    out.push_str(&raw[i..]);
    out
}

const INT_MIN_MAGNITUDE: u64 = 1 << 63;

/// `[0-9][0-9A-Za-z_]*`: decimal, hex or binary integer, or `1e9`. An
/// integer directly followed by a `.` that starts neither `..` nor a method
/// call (`1.abs()`) is the malformed float `1.`.
fn number<'a>(lex: &mut Lexer<'a, Tok<'a>>) -> Tok<'a> {
    let tok = classify_number(lex);
    if let Tok::Int(n) = tok {
        let rest = lex.remainder().as_bytes();
        // (A digit after the `.` would have made a float literal.)
        if rest.first() == Some(&b'.')
            && !rest
                .get(1)
                .is_some_and(|&b| b == b'.' || b.is_ascii_alphabetic() || b == b'_')
        {
            let start = lex.span().start;
            let help = format!("write `{}.0`", lex.slice());
            lex.bump(1);
            let end = lex.span().end;
            lex.extras.diags.push(
                Diagnostic::error(
                    "E0007",
                    "float literal needs a digit after the `.`",
                    Span::new(lex.extras.file, start, end),
                )
                .with_help(help),
            );
            return Tok::Float(n as f64);
        }
    }
    tok
}

fn classify_number<'a>(lex: &mut Lexer<'a, Tok<'a>>) -> Tok<'a> {
    let text = lex.slice();
    let start = lex.span().start;
    let (radix, digits, offset) =
        if let Some(d) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            (16, d, 2)
        } else if let Some(d) = text.strip_prefix("0b").or_else(|| text.strip_prefix("0B")) {
            (2, d, 2)
        } else {
            (10, text, 0)
        };
    if radix == 10 {
        if let Some(epos) = text.find(['e', 'E']) {
            let (mant, exp) = (&text[..epos], &text[epos + 1..]);
            let mant_ok = mant.bytes().all(|b| b.is_ascii_digit() || b == b'_');
            let exp_ok = exp.bytes().next().is_some_and(|b| b.is_ascii_digit())
                && exp.bytes().all(|b| b.is_ascii_digit() || b == b'_');
            if mant_ok && exp_ok {
                return Tok::Float(parse_float(text));
            }
            if mant_ok && exp.bytes().all(|b| b == b'_') {
                lex.extras.error(
                    "E0005",
                    "float literal has no digits in its exponent",
                    start,
                    start + text.len(),
                );
                return Tok::Float(0.0);
            }
        }
    }
    let name = match radix {
        16 => "hexadecimal",
        2 => "binary",
        _ => "decimal",
    };
    let mut value: u64 = 0;
    let mut overflow = false;
    let mut any = false;
    for (k, b) in digits.bytes().enumerate() {
        if b == b'_' {
            continue;
        }
        let d = match (b as char).to_digit(radix) {
            Some(d) => d as u64,
            None => {
                let at = start + offset + k;
                let msg = if radix == 10 {
                    format!("invalid suffix `{}` on number literal", &digits[k..])
                } else {
                    format!("invalid digit `{}` in {name} literal", b as char)
                };
                let hi = if radix == 10 {
                    start + text.len()
                } else {
                    at + 1
                };
                lex.extras.error("E0005", msg, at, hi);
                return Tok::Int(0);
            }
        };
        any = true;
        match value
            .checked_mul(radix as u64)
            .and_then(|v| v.checked_add(d))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
    }
    if !any {
        lex.extras.error(
            "E0005",
            format!("{name} literal has no digits"),
            start,
            start + text.len(),
        );
        return Tok::Int(0);
    }
    if overflow || value > INT_MIN_MAGNITUDE {
        lex.extras.diags.push(
            Diagnostic::error(
                "E0006",
                "integer literal is out of range for `int`",
                Span::new(lex.extras.file, start, start + text.len()),
            )
            .with_note("`int` is 64-bit signed: -9223372036854775808 to 9223372036854775807"),
        );
        return Tok::Int(0);
    }
    Tok::Int(value)
}

fn float<'a>(lex: &mut Lexer<'a, Tok<'a>>) -> Tok<'a> {
    Tok::Float(parse_float(lex.slice()))
}

fn parse_float(text: &str) -> f64 {
    if text.contains('_') {
        text.replace('_', "").parse().unwrap_or(0.0)
    } else {
        text.parse().unwrap_or(0.0)
    }
}

/// A token with its byte range.
pub type Spanned<'a> = (usize, Tok<'a>, usize);

/// Lex a whole source text. Never fails: lexical errors are returned as
/// diagnostics alongside the tokens.
pub fn lex(file: FileId, src: &str) -> (Vec<Spanned<'_>>, Vec<Diagnostic>) {
    let mut tokens = Tokens::new(file, src);
    let toks: Vec<Spanned<'_>> = tokens.by_ref().collect();
    (toks, tokens.take_diags())
}

/// The token stream of a source text. Lexical errors never stop it: they
/// are collected as diagnostics (see [`Tokens::take_diags`]), each one
/// available before the token that follows it is returned.
pub struct Tokens<'a> {
    inner: Lexer<'a, Tok<'a>>,
    src: &'a str,
    /// A run of unknown characters, reported as one diagnostic.
    bad: Option<(usize, usize)>,
}

impl std::fmt::Debug for Tokens<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("at", &self.inner.span().end)
            .finish()
    }
}

impl<'a> Tokens<'a> {
    pub fn new(file: FileId, src: &'a str) -> Tokens<'a> {
        Tokens {
            inner: Tok::lexer_with_extras(
                src,
                Extras {
                    file,
                    diags: Vec::new(),
                },
            ),
            src,
            bad: None,
        }
    }

    /// Diagnostics found so far (and not yet taken).
    pub fn has_diags(&self) -> bool {
        !self.inner.extras.diags.is_empty()
    }

    pub fn take_diags(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.inner.extras.diags)
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Spanned<'a>> {
        loop {
            match self.inner.next() {
                Some(Ok(tok)) => {
                    if self.bad.is_some() {
                        flush_bad(&mut self.inner.extras, &mut self.bad, self.src);
                    }
                    let span = self.inner.span();
                    return Some((span.start, tok, span.end));
                }
                Some(Err(UnknownChar)) => {
                    let span = self.inner.span();
                    match &mut self.bad {
                        Some((_, hi)) if *hi == span.start => *hi = span.end,
                        _ => {
                            flush_bad(&mut self.inner.extras, &mut self.bad, self.src);
                            self.bad = Some((span.start, span.end));
                        }
                    }
                }
                None => {
                    flush_bad(&mut self.inner.extras, &mut self.bad, self.src);
                    return None;
                }
            }
        }
    }
}

fn flush_bad(ex: &mut Extras, bad: &mut Option<(usize, usize)>, src: &str) {
    if let Some((lo, hi)) = bad.take() {
        let text = &src[lo..hi];
        let msg = if text.chars().count() == 1 {
            format!("unknown character `{}`", text.escape_debug())
        } else {
            format!("unknown characters `{}`", text.escape_debug())
        };
        ex.diags
            .push(Diagnostic::error("E0001", msg, Span::new(ex.file, lo, hi)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok<'_>> {
        let (t, d) = lex(FileId(0), src);
        assert!(d.is_empty(), "unexpected diagnostics for {src:?}: {d:?}");
        t.into_iter().map(|(_, t, _)| t).collect()
    }

    fn errs(src: &str) -> Vec<(&'static str, std::ops::Range<usize>)> {
        let (_, d) = lex(FileId(0), src);
        d.into_iter().map(|d| (d.code, d.primary.range())).collect()
    }

    #[test]
    fn keywords_and_idents() {
        assert_eq!(
            toks("fn struct let mut if else while for in break continue return true false none as spawn"),
            vec![
                Tok::Fn,
                Tok::Struct,
                Tok::Let,
                Tok::Mut,
                Tok::If,
                Tok::Else,
                Tok::While,
                Tok::For,
                Tok::In,
                Tok::Break,
                Tok::Continue,
                Tok::Return,
                Tok::True,
                Tok::False,
                Tok::None,
                Tok::As,
                Tok::Spawn
            ]
        );
        assert_eq!(
            toks("fnx _a int As"),
            vec![
                Tok::Ident("fnx"),
                Tok::Ident("_a"),
                Tok::Ident("int"),
                Tok::Ident("As")
            ]
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(
            toks("123 1_000_000 0xff 0b1010 0"),
            vec![
                Tok::Int(123),
                Tok::Int(1_000_000),
                Tok::Int(255),
                Tok::Int(10),
                Tok::Int(0)
            ]
        );
        assert_eq!(
            toks("1.5 1e9 2.5e-3 4.0e+00 1_000.5 1E3"),
            vec![
                Tok::Float(1.5),
                Tok::Float(1e9),
                Tok::Float(2.5e-3),
                Tok::Float(4.0),
                Tok::Float(1000.5),
                Tok::Float(1000.0)
            ]
        );
        assert_eq!(
            toks("0..n"),
            vec![Tok::Int(0), Tok::DotDot, Tok::Ident("n")]
        );
        assert_eq!(
            toks("0..=10"),
            vec![Tok::Int(0), Tok::DotDotEq, Tok::Int(10)]
        );
        assert_eq!(
            toks("5.abs()"),
            vec![
                Tok::Int(5),
                Tok::Dot,
                Tok::Ident("abs"),
                Tok::LParen,
                Tok::RParen
            ]
        );
        assert_eq!(
            toks("9223372036854775807 9223372036854775808"),
            vec![Tok::Int(i64::MAX as u64), Tok::Int(1 << 63)]
        );
    }

    #[test]
    fn number_errors() {
        assert_eq!(errs("18446744073709551616"), vec![("E0006", 0..20)]);
        assert_eq!(errs("x 9223372036854775809"), vec![("E0006", 2..21)]);
        assert_eq!(errs("0xffffffffffffffff"), vec![("E0006", 0..18)]);
        assert!(errs("9223372036854775808").is_empty());
        assert_eq!(errs("0x"), vec![("E0005", 0..2)]);
        assert_eq!(errs("0b102"), vec![("E0005", 4..5)]);
        assert_eq!(errs("12abc"), vec![("E0005", 2..5)]);
        assert_eq!(errs("1e"), vec![("E0005", 0..2)]);
        assert_eq!(errs("let x = 1.;"), vec![("E0007", 8..10)]);
        assert_eq!(errs("1."), vec![("E0007", 0..2)]);
    }

    #[test]
    fn strings() {
        let (t, d) = lex(FileId(0), r#""a\n\t\r\\\"\0\u{1F525}b" "plain""#);
        assert!(d.is_empty());
        match t[0].1 {
            Tok::Str(raw) => assert_eq!(decode_str(raw), "a\n\t\r\\\"\0\u{1F525}b"),
            other => panic!("{other:?}"),
        }
        assert_eq!(t[1].1, Tok::Str("plain"));
        assert_eq!(t[1].0, 26);
        assert_eq!(decode_str("é\\u{e9}x"), "ééx");
    }

    #[test]
    fn string_errors() {
        assert_eq!(errs(r#""a\qb""#), vec![("E0004", 2..4)]);
        assert_eq!(errs(r#""\u{110000}""#), vec![("E0004", 1..11)]);
        assert_eq!(errs(r#""\u{}""#), vec![("E0004", 1..5)]);
        assert_eq!(errs(r#""\u12""#), vec![("E0004", 1..3)]);
        assert_eq!(errs("x \"abc\nlet"), vec![("E0003", 2..3)]);
        let (t, _) = lex(FileId(0), "x \"abc\nlet");
        assert_eq!(t.last().unwrap().1, Tok::Let);
        assert_eq!(decode_str(r"a\qb\u{zz}"), r"a\qb\u{zz}");
    }

    #[test]
    fn comments() {
        assert_eq!(
            toks("a // c\n b /* x /* y */ z */ c /**/ d"),
            vec![
                Tok::Ident("a"),
                Tok::Ident("b"),
                Tok::Ident("c"),
                Tok::Ident("d")
            ]
        );
        assert_eq!(errs("a /* /* */ b"), vec![("E0002", 2..4)]);
        assert_eq!(errs("/*/"), vec![("E0002", 0..2)]);
    }

    #[test]
    fn operators() {
        let all = "?? ? ! != .. ..= -> += -= *= /= %= << >> && || == <= >= < > = + - * / % & | ^ . , ; : ( ) [ ] { }";
        let t = toks(all);
        let back: Vec<&str> = t.iter().map(|t| t.text()).collect();
        assert_eq!(back.join(" "), all);
    }

    #[test]
    fn unknown_chars() {
        assert_eq!(errs("a @ b"), vec![("E0001", 2..3)]);
        assert_eq!(errs("a @# b é"), vec![("E0001", 2..4), ("E0001", 7..9)]);
        let (t, _) = lex(FileId(0), "a @ b");
        assert_eq!(t.len(), 2);
    }
}

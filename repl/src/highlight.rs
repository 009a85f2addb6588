//! Syntax highlighting of the line being typed, from `ember-lang`'s lexer
//! (the same tokens the compiler sees, so a keyword inside a string or a
//! comment is never coloured as a keyword).
//!
//! Only ANSI colour sequences are added: the displayed width of the line is
//! unchanged, as rustyline requires. The line is lexed after the lines of
//! the open entry, so a string or block comment opened on an earlier line is
//! coloured as one here too.

use ember::lang::lexer::{Tok, Tokens};
use ember::lang::FileId;

/// The colours, as SGR sequences.
mod style {
    pub const KEYWORD: &str = "\x1b[1;35m";
    pub const LITERAL: &str = "\x1b[33m";
    pub const STRING: &str = "\x1b[32m";
    pub const COMMENT: &str = "\x1b[90m";
    pub const TYPE: &str = "\x1b[36m";
    pub const CALL: &str = "\x1b[34m";
    pub const ERROR: &str = "\x1b[31m";
    /// The bracket matching the one at the cursor.
    pub const MATCH: &str = "\x1b[1;4m";
    pub const RESET: &str = "\x1b[0m";
}

/// The built-in type names (identifiers to the lexer).
const TYPE_NAMES: &[&str] = &["int", "float", "bool", "str", "task"];

/// What a piece of text is shown as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Keyword,
    Literal,
    String,
    Comment,
    Type,
    Call,
    Error,
}

impl Class {
    fn sgr(self) -> &'static str {
        match self {
            Class::Keyword => style::KEYWORD,
            Class::Literal => style::LITERAL,
            Class::String => style::STRING,
            Class::Comment => style::COMMENT,
            Class::Type => style::TYPE,
            Class::Call => style::CALL,
            Class::Error => style::ERROR,
        }
    }
}

/// `line` with ANSI colours. `context` is the text of the entry's earlier
/// lines (each ending in a newline); `cursor` is the byte offset of the
/// cursor in `line`, for matching-bracket highlighting (`None`: none);
/// `is_struct` says whether an identifier names a struct.
pub fn highlight(
    context: &str,
    line: &str,
    cursor: Option<usize>,
    is_struct: &dyn Fn(&str) -> bool,
) -> String {
    let text = format!("{context}{line}");
    let base = context.len();
    let tokens: Vec<(usize, Tok<'_>, usize)> = Tokens::new(FileId::default(), &text).collect();
    // Spans of `text` and their classes, in order, not overlapping.
    let mut spans: Vec<(usize, usize, Class)> = Vec::new();
    let mut at = 0;
    for (i, &(lo, tok, hi)) in tokens.iter().enumerate() {
        gap_spans(&text, at, lo, &mut spans);
        at = hi;
        let next = tokens.get(i + 1).map(|t| t.1);
        if let Some(class) = token_class(tok, next, is_struct) {
            spans.push((lo, hi, class));
        }
    }
    gap_spans(&text, at, text.len(), &mut spans);

    let matched = cursor
        .and_then(|c| matching_bracket(&tokens, base + c))
        .filter(|&m| m >= base);

    let mut out = String::with_capacity(line.len() * 2);
    let mut pos = base;
    let emit = |out: &mut String, lo: usize, hi: usize, sgr: Option<&str>| {
        // Piece by piece, so a matching bracket inside a coloured span gets
        // its own style.
        let (lo, hi) = (lo.max(base), hi.min(text.len()));
        if lo >= hi {
            return;
        }
        for (a, b, s) in split_at_match(lo, hi, matched, sgr) {
            match s {
                Some(s) => {
                    out.push_str(s);
                    out.push_str(&text[a..b]);
                    out.push_str(style::RESET);
                }
                None => out.push_str(&text[a..b]),
            }
        }
    };
    for &(lo, hi, class) in &spans {
        if hi <= pos {
            continue;
        }
        emit(&mut out, pos, lo, None);
        emit(&mut out, lo, hi, Some(class.sgr()));
        pos = hi.max(pos);
    }
    emit(&mut out, pos, text.len(), None);
    out
}

/// Cut `lo..hi` around the matching bracket at `matched` (one byte), which
/// gets the match style.
fn split_at_match(
    lo: usize,
    hi: usize,
    matched: Option<usize>,
    sgr: Option<&str>,
) -> Vec<(usize, usize, Option<&str>)> {
    match matched {
        Some(m) if (lo..hi).contains(&m) => {
            let mut pieces = Vec::with_capacity(3);
            if lo < m {
                pieces.push((lo, m, sgr));
            }
            pieces.push((m, m + 1, Some(style::MATCH)));
            if m + 1 < hi {
                pieces.push((m + 1, hi, sgr));
            }
            pieces
        }
        _ => vec![(lo, hi, sgr)],
    }
}

/// The class of a token (`None`: shown plain). `next` is the token after
/// it: an identifier before `(` is a call, `map` / `chan` before `[` a type.
fn token_class(
    tok: Tok<'_>,
    next: Option<Tok<'_>>,
    is_struct: &dyn Fn(&str) -> bool,
) -> Option<Class> {
    Some(match tok {
        Tok::True | Tok::False | Tok::None | Tok::Int(_) | Tok::Float(_) | Tok::Number => {
            Class::Literal
        }
        Tok::Str(_) => Class::String,
        Tok::Ident(name) => {
            if TYPE_NAMES.contains(&name)
                || (matches!(name, "map" | "chan") && next == Some(Tok::LBracket))
                || is_struct(name)
            {
                Class::Type
            } else if next == Some(Tok::LParen) {
                Class::Call
            } else {
                return None;
            }
        }
        Tok::Fn
        | Tok::Struct
        | Tok::Let
        | Tok::Mut
        | Tok::If
        | Tok::Else
        | Tok::While
        | Tok::For
        | Tok::In
        | Tok::Break
        | Tok::Continue
        | Tok::Return
        | Tok::As
        | Tok::Spawn => Class::Keyword,
        _ => return None,
    })
}

/// The text between two tokens is what the lexer skipped: whitespace,
/// comments (block comments nest), and characters that start no token.
fn gap_spans(text: &str, lo: usize, hi: usize, spans: &mut Vec<(usize, usize, Class)>) {
    let bytes = text.as_bytes();
    let mut i = lo;
    while i < hi {
        match (bytes[i], bytes.get(i + 1)) {
            (b' ' | b'\t' | b'\r' | b'\n' | 0x0c, _) => i += 1,
            (b'/', Some(b'/')) => {
                let end = text[i..hi].find('\n').map_or(hi, |n| i + n);
                spans.push((i, end, Class::Comment));
                i = end;
            }
            (b'/', Some(b'*')) => {
                let end = block_comment_end(bytes, i, hi);
                spans.push((i, end, Class::Comment));
                i = end;
            }
            _ => {
                // An unknown character: up to the next whitespace or comment.
                let start = i;
                i += text[i..].chars().next().map_or(1, char::len_utf8);
                while i < hi
                    && !bytes[i].is_ascii_whitespace()
                    && !(bytes[i] == b'/' && matches!(bytes.get(i + 1), Some(b'/' | b'*')))
                {
                    i += text[i..].chars().next().map_or(1, char::len_utf8);
                }
                spans.push((start, i, Class::Error));
            }
        }
    }
}

/// The end of the block comment starting at `lo` (nested comments count),
/// or `hi` if it is not closed before.
fn block_comment_end(bytes: &[u8], lo: usize, hi: usize) -> usize {
    let mut depth = 0usize;
    let mut i = lo;
    while i + 1 < hi {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    hi
}

/// The offset of the bracket matching the one at the cursor: the bracket
/// just before the cursor (the one just typed), else the one under it.
fn matching_bracket(tokens: &[(usize, Tok<'_>, usize)], cursor: usize) -> Option<usize> {
    let at = |offset: usize| {
        tokens
            .iter()
            .position(|&(lo, tok, _)| lo == offset && bracket(tok).is_some())
    };
    let index = cursor.checked_sub(1).and_then(at).or_else(|| at(cursor))?;
    let (open, _) = bracket(tokens[index].1)?;
    let mut depth = 0i32;
    if open {
        for &(lo, tok, _) in &tokens[index..] {
            match bracket(tok) {
                Some((true, _)) => depth += 1,
                Some((false, _)) => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(lo);
                    }
                }
                None => {}
            }
        }
    } else {
        for &(lo, tok, _) in tokens[..=index].iter().rev() {
            match bracket(tok) {
                Some((false, _)) => depth += 1,
                Some((true, _)) => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(lo);
                    }
                }
                None => {}
            }
        }
    }
    None
}

/// Whether a token is a bracket: (opening?, which).
fn bracket(tok: Tok<'_>) -> Option<(bool, u8)> {
    match tok {
        Tok::LParen => Some((true, b'(')),
        Tok::LBracket => Some((true, b'[')),
        Tok::LBrace => Some((true, b'{')),
        Tok::RParen => Some((false, b'(')),
        Tok::RBracket => Some((false, b'[')),
        Tok::RBrace => Some((false, b'{')),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::style::plain;

    fn no_structs(_: &str) -> bool {
        false
    }

    fn hl(line: &str) -> String {
        highlight("", line, None, &no_structs)
    }

    #[test]
    fn text_is_unchanged_apart_from_colour() {
        for line in [
            "fn add(a: int, b: int) -> int { a + b } // sum",
            "let s = \"if while \\\"x\\\"\"; /* a /* nested */ comment */ s",
            "let é = 1 § 2;",
            "\"unterminated",
            "",
        ] {
            assert_eq!(plain(&hl(line)), line);
        }
    }

    #[test]
    fn classes() {
        let out = hl("let x: int = f(1) + 2.5; // note");
        assert!(out.contains("\x1b[1;35mlet\x1b[0m"), "{out:?}");
        assert!(out.contains("\x1b[36mint\x1b[0m"), "{out:?}");
        assert!(out.contains("\x1b[34mf\x1b[0m("), "{out:?}");
        assert!(out.contains("\x1b[33m1\x1b[0m"), "{out:?}");
        assert!(out.contains("\x1b[33m2.5\x1b[0m"), "{out:?}");
        assert!(out.contains("\x1b[90m// note\x1b[0m"), "{out:?}");
        // `x` is plain.
        assert!(out.contains(" x: "), "{out:?}");
        let out = hl("\"while\" + none");
        assert!(out.contains("\x1b[32m\"while\"\x1b[0m"), "{out:?}");
        assert!(out.contains("\x1b[33mnone\x1b[0m"), "{out:?}");
        let out = hl("x § y");
        assert!(out.contains("\x1b[31m§\x1b[0m"), "{out:?}");
    }

    #[test]
    fn struct_names_are_types() {
        let out = highlight("", "let p: Point = q;", None, &|n| n == "Point");
        assert!(out.contains("\x1b[36mPoint\x1b[0m"), "{out:?}");
    }

    #[test]
    fn a_string_or_comment_open_on_an_earlier_line_goes_on() {
        let out = highlight("let s = \"one\n", "two\" + x", None, &no_structs);
        assert!(out.starts_with("\x1b[32mtwo\"\x1b[0m"), "{out:?}");
        let out = highlight("/* one\n", "two */ fn", None, &no_structs);
        assert!(out.starts_with("\x1b[90mtwo */\x1b[0m"), "{out:?}");
        assert!(out.ends_with("\x1b[1;35mfn\x1b[0m"), "{out:?}");
    }

    #[test]
    fn matching_bracket_of_the_one_just_typed() {
        // Cursor after the last `)`: its partner, the first `(`, is marked.
        let line = "f((1), \")\")";
        let out = highlight("", line, Some(line.len()), &no_structs);
        assert!(out.contains("\x1b[1;4m(\x1b[0m("), "{out:?}");
        assert_eq!(plain(&out), line);
        // Cursor under an opening bracket: its partner.
        let out = highlight("", "[1, 2]", Some(0), &no_structs);
        assert!(out.ends_with("\x1b[1;4m]\x1b[0m"), "{out:?}");
        // No partner: nothing marked.
        let out = highlight("", "(1", Some(1), &no_structs);
        assert!(!out.contains("\x1b[1;4m"), "{out:?}");
    }
}

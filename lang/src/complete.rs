//! Is a REPL entry complete, or does it go on on the next line?
//!
//! LANGUAGE.md §8: outside open brackets a newline ends an entry. The REPL
//! asks after every line it reads ([`entry_is_complete`], or an
//! [`EntryScanner`] that lexes only the new line); while the answer is
//! `false` it reads another line and appends it. The answer comes from the
//! lexer alone (no parse), so it is cheap and never wrong about brackets
//! inside strings or comments.
//!
//! An entry goes on while
//! - a `(`, `[` or `{` is open,
//! - a string literal or a block comment is unterminated, or
//! - its last token cannot end an expression or statement: a binary
//!   operator (`+`, `&&`, `??`, `as`, ...), an assignment operator, `,`,
//!   `:`, `->`, `.`, `..` or `..=` — so `1 +` followed by `2` on the next
//!   line is one entry.
//!
//! Anything else is complete, including input with more closing brackets
//! than opening ones or with mismatched brackets: the parser reports those.

use crate::lexer::{Tok, Tokens};
use crate::FileId;

/// Whether `text` is a whole REPL entry (see the module docs): `false`
/// while a bracket, string literal or block comment is open, or while the
/// last token is an operator that needs a right-hand side.
pub fn entry_is_complete(text: &str) -> bool {
    EntryScanner::new().is_complete(text)
}

/// [`entry_is_complete`] for an entry that grows line by line, without
/// lexing the whole entry again for every line: it remembers the bracket
/// stack and last token up to the end of the last text it was given that
/// ended in a newline outside any string or comment, and lexes only what
/// follows. Give it the whole entry each time (each text extending the
/// previous one); [`EntryScanner::reset`] it for a new entry.
#[derive(Clone, Debug, Default)]
pub struct EntryScanner {
    /// Where lexing resumes: a token boundary (just after a newline that is
    /// in no string or comment), or 0.
    offset: usize,
    /// The brackets open at `offset`: `b'('`, `b'['` or `b'{'`.
    open: Vec<u8>,
    /// Whether the last token before `offset` needs something after it.
    last_needs_more: bool,
}

impl EntryScanner {
    pub fn new() -> EntryScanner {
        EntryScanner::default()
    }

    /// Forget everything: the next text starts a new entry.
    pub fn reset(&mut self) {
        *self = EntryScanner::default();
    }

    /// Whether `text`, the whole entry so far, is complete (see
    /// [`entry_is_complete`]).
    pub fn is_complete(&mut self, text: &str) -> bool {
        if self.offset > text.len() || !text.is_char_boundary(self.offset) {
            // Not an extension of the text seen before.
            self.reset();
        }
        let mut open = self.open.clone();
        let mut last_needs_more = self.last_needs_more;
        let mut tokens = Tokens::new(FileId::default(), &text[self.offset..]);
        for (_, tok, _) in tokens.by_ref() {
            match tok {
                Tok::LParen => open.push(b'('),
                Tok::LBracket => open.push(b'['),
                Tok::LBrace => open.push(b'{'),
                Tok::RParen | Tok::RBracket | Tok::RBrace => {
                    let opener = match tok {
                        Tok::RParen => b'(',
                        Tok::RBracket => b'[',
                        _ => b'{',
                    };
                    if open.pop() != Some(opener) {
                        // Unbalanced: more lines cannot fix it; let the
                        // parser say what is wrong.
                        return true;
                    }
                }
                _ => {}
            }
            last_needs_more = needs_more(&tok);
        }
        // The lexer reports an unterminated string (E0003) or block comment
        // (E0002) only when nothing up to the end of the text closes it.
        let unterminated = tokens
            .take_diags()
            .iter()
            .any(|d| d.code == "E0002" || d.code == "E0003");
        if unterminated {
            // Resume from the same place next time: the string or comment
            // may end in a later line.
            return false;
        }
        if text.ends_with('\n') {
            // A token boundary: the next line can be lexed on its own.
            self.offset = text.len();
            self.open.clone_from(&open);
            self.last_needs_more = last_needs_more;
        }
        open.is_empty() && !last_needs_more
    }
}

/// Tokens that cannot end an entry: they need something after them.
fn needs_more(tok: &Tok<'_>) -> bool {
    matches!(
        tok,
        Tok::Plus
            | Tok::Minus
            | Tok::Star
            | Tok::Slash
            | Tok::Percent
            | Tok::Amp
            | Tok::Pipe
            | Tok::Caret
            | Tok::Shl
            | Tok::Shr
            | Tok::AndAnd
            | Tok::OrOr
            | Tok::EqEq
            | Tok::Ne
            | Tok::Lt
            | Tok::Le
            | Tok::Gt
            | Tok::Ge
            | Tok::QuestionQuestion
            | Tok::As
            | Tok::Eq
            | Tok::PlusEq
            | Tok::MinusEq
            | Tok::StarEq
            | Tok::SlashEq
            | Tok::PercentEq
            | Tok::Comma
            | Tok::Colon
            | Tok::Arrow
            | Tok::Dot
            | Tok::DotDot
            | Tok::DotDotEq
    )
}

#[cfg(test)]
mod tests {
    use super::{entry_is_complete, EntryScanner};

    /// `text` is complete, both in one go and fed line by line to a scanner.
    fn complete(text: &str) {
        assert!(entry_is_complete(text), "should be complete: {text:?}");
        assert!(
            line_by_line(text),
            "line by line, should be complete: {text:?}"
        );
    }

    fn incomplete(text: &str) {
        assert!(!entry_is_complete(text), "should go on: {text:?}");
        assert!(!line_by_line(text), "line by line, should go on: {text:?}");
    }

    /// Feed `text` to one scanner a line at a time, as the REPL does; every
    /// answer must be the one-shot answer for the same prefix. Returns the
    /// answer for the whole text.
    fn line_by_line(text: &str) -> bool {
        let mut scanner = EntryScanner::new();
        let mut end = 0;
        let mut answer = scanner.is_complete("");
        for line in text.split_inclusive('\n') {
            end += line.len();
            let prefix = &text[..end];
            answer = scanner.is_complete(prefix);
            assert_eq!(
                answer,
                entry_is_complete(prefix),
                "scanner and one-shot disagree on {prefix:?}"
            );
        }
        answer
    }

    #[test]
    fn simple_entries_are_complete() {
        complete("");
        complete("   \n");
        complete("1 + 2");
        complete("x + 1;");
        complete("let x = 5;");
        complete("let x = 5");
        complete("println(\"hi\");");
        complete("fn f() -> int { 1 }");
        complete("opt!");
        complete("-x");
        complete("f()\n");
        complete("return");
    }

    #[test]
    fn open_brackets_go_on() {
        incomplete("fn f(x: int) -> int {");
        incomplete("fn f(x: int) -> int {\n    x + 1\n");
        complete("fn f(x: int) -> int {\n    x + 1\n}");
        incomplete("println(");
        incomplete("[1, 2,\n3");
        complete("[1, 2,\n3]");
        incomplete("f(a, [1, 2], {");
    }

    #[test]
    fn nested_blocks() {
        let src = "fn f(n: int) -> int {\n    if n > 0 {\n        while true {\n            break;\n        }\n";
        incomplete(src);
        incomplete(&format!("{src}        n\n"));
        incomplete(&format!("{src}        n\n    }} else {{\n        0\n"));
        complete(&format!(
            "{src}        n\n    }} else {{\n        0\n    }}\n}}"
        ));
        complete("{ { { } } }");
        incomplete("{ { { } }");
    }

    #[test]
    fn brackets_in_strings_do_not_count() {
        complete("\"(\"");
        complete("println(\"{[(\");");
        incomplete("println(\")\"");
        complete("\"}}}\"");
        complete("let s = \"a ] b\";");
    }

    #[test]
    fn unterminated_string_goes_on() {
        incomplete("\"abc");
        incomplete("println(\"abc");
        incomplete("let s = \"line one\nline two");
        complete("let s = \"line one\nline two\";");
        // An escaped quote does not close the string.
        incomplete("\"abc\\\"");
        complete("\"abc\\\\\"");
        // A string that opens a bracket inside, closed later.
        complete("\"(\nstill the string)\"");
    }

    #[test]
    fn brackets_in_comments_do_not_count() {
        complete("1 + 2 // (");
        complete("// { [ (");
        complete("f() /* ( { */");
        incomplete("f( // )");
        complete("f( // )\n)");
        // An unterminated block comment goes on, nested ones too.
        incomplete("1 /* still");
        incomplete("1 /* a /* b */ still");
        complete("1 /* a /* b */ c */");
    }

    #[test]
    fn operator_at_end_goes_on() {
        incomplete("1 +");
        complete("1 +\n2");
        incomplete("a &&");
        incomplete("a ||\n");
        incomplete("x ??");
        incomplete("n as");
        incomplete("1 <<");
        incomplete("a ==");
        incomplete("a <=");
        incomplete("let x =");
        incomplete("x +=");
        incomplete("f(1,");
        incomplete("let a = 1,");
        incomplete("fn f() ->");
        incomplete("names.");
        incomplete("let x:");
        incomplete("for i in 0..");
        incomplete("1 + // comment");
        incomplete("1 + /* comment */");
        complete("1 + 2 // +");
    }

    #[test]
    fn more_closing_than_opening_is_complete() {
        complete(")");
        complete("1 + 2)");
        complete("}}");
        complete("f(]");
        complete("[1, 2)\n");
        // Even with an operator or an open bracket after it: the parser
        // reports the stray bracket.
        complete("} (");
        complete(") +");
    }

    #[test]
    fn scanner_resumes_after_each_line() {
        let mut scanner = EntryScanner::new();
        assert!(!scanner.is_complete("fn f() {\n"));
        assert!(!scanner.is_complete("fn f() {\n    let s = \"a {\n"));
        assert!(!scanner.is_complete("fn f() {\n    let s = \"a {\n b\";\n"));
        assert!(!scanner.is_complete("fn f() {\n    let s = \"a {\n b\";\n    /* } \n"));
        assert!(scanner.is_complete("fn f() {\n    let s = \"a {\n b\";\n    /* } \n */ }\n"));
        // A text that does not extend the last one starts afresh.
        assert!(scanner.is_complete("1\n"));
        scanner.reset();
        assert!(!scanner.is_complete("[\n"));
        assert!(scanner.is_complete("[\n1]\n"));
    }

    #[test]
    fn scanner_without_final_line_break() {
        // Without a line break at the end the last token may still grow
        // (`+` → `+=`), so nothing is remembered.
        let mut scanner = EntryScanner::new();
        assert!(!scanner.is_complete("x +"));
        assert!(!scanner.is_complete("x +="));
        assert!(scanner.is_complete("x += 1"));
    }

    /// Random snippets of brackets, quotes, comment starts, operators and
    /// line breaks: the scanner fed line by line agrees with the one-shot
    /// answer on every prefix (checked inside `line_by_line`).
    #[test]
    fn scanner_agrees_with_one_shot_on_random_input() {
        const PIECES: [&str; 20] = [
            "(", ")", "[", "]", "{", "}", "\"", "\\", "/*", "*/", "//", "\n", "\n", "+", "+=", "=",
            ".", "1", "x ", ",",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let mut text = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 24) as usize;
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(PIECES[(seed % PIECES.len() as u64) as usize]);
            }
            line_by_line(&text);
        }
    }

    #[test]
    fn errors_other_than_open_things_are_complete() {
        complete("1 @ 2");
        complete("0x");
        complete("\"bad \\q escape\"");
    }
}

//! Is a REPL entry complete, or does it go on on the next line?
//!
//! LANGUAGE.md §8: outside open brackets a newline ends an entry. The REPL
//! asks [`entry_is_complete`] after every line it reads; while the answer
//! is `false` it reads another line and appends it. The answer comes from
//! the lexer alone (no parse), so it is cheap and never wrong about
//! brackets inside strings or comments.
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
    let mut tokens = Tokens::new(FileId::default(), text);
    let mut open: Vec<Tok<'_>> = Vec::new();
    let mut last = None;
    for (_, tok, _) in tokens.by_ref() {
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => open.push(tok),
            Tok::RParen | Tok::RBracket | Tok::RBrace => {
                let matches = matches!(
                    (open.pop(), tok),
                    (Some(Tok::LParen), Tok::RParen)
                        | (Some(Tok::LBracket), Tok::RBracket)
                        | (Some(Tok::LBrace), Tok::RBrace)
                );
                if !matches {
                    // Unbalanced: more lines cannot fix it; let the parser
                    // say what is wrong.
                    return true;
                }
            }
            _ => {}
        }
        last = Some(tok);
    }
    // The lexer reports an unterminated string (E0003) or block comment
    // (E0002) only when nothing up to the end of the text closes it.
    let unterminated = tokens
        .take_diags()
        .iter()
        .any(|d| d.code == "E0002" || d.code == "E0003");
    if unterminated || !open.is_empty() {
        return false;
    }
    !last.is_some_and(|tok| needs_more(&tok))
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
    use super::entry_is_complete;

    fn complete(text: &str) {
        assert!(entry_is_complete(text), "should be complete: {text:?}");
    }

    fn incomplete(text: &str) {
        assert!(!entry_is_complete(text), "should go on: {text:?}");
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
    fn errors_other_than_open_things_are_complete() {
        complete("1 @ 2");
        complete("0x");
        complete("\"bad \\q escape\"");
    }
}

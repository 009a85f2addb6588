//! `ember bench FILE`: every function of the user's file, redefined with
//! its own body. The file's definitions are made once (its top-level code
//! does not run: a program may run for ever); each round then enters one
//! function's text again as a REPL entry, alternating between the text as
//! written and the same text with a comment after the body's opening
//! brace — the same code, but a new text, so every round is a real
//! redefinition (an identical text is reported unchanged and compiles
//! nothing).

use ember_lang::ast::TopLevel;
use ember_lang::SourceMap;

use super::workloads::{Apply, Expect, Workload};

/// What makes the second version's text differ.
const MARK: &str = " /* ember bench */";

/// One workload per function of `text` (called `name`), in file order.
/// The caller has checked the file.
pub fn workloads(name: &str, text: &str) -> Vec<Workload> {
    let mut sources = SourceMap::new();
    let file = sources.add(name, text);
    let (module, _) = ember_lang::parse_file(file, text);
    module
        .items
        .iter()
        .filter_map(|item| match item {
            TopLevel::Fn(f) => Some(f),
            _ => None,
        })
        .filter_map(|f| {
            let (lo, hi) = (f.span.lo as usize, f.span.hi as usize);
            let open = f.body.span.lo as usize;
            // The body's span starts at its `{` (checked, not assumed).
            if !(lo < open && open < hi && text.as_bytes()[open] == b'{') {
                return None;
            }
            let own = text[lo..hi].to_string();
            let marked = format!("{}{MARK}{}", &text[lo..=open], &text[open + 1..hi]);
            let fname = f.name.name.to_string();
            Some(Workload {
                key: format!("fn_{fname}"),
                label: format!("fn {fname}"),
                setup: vec![Apply::Define {
                    name: name.to_string(),
                    text: text.to_string(),
                }],
                versions: [Apply::Entry(own), Apply::Entry(marked)],
                expect: Expect::Changed(vec![fname]),
                probe: None,
                checks: Vec::new(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_workload_per_function_with_a_marked_body() {
        let text = "struct P { x: int }\nfn a(x: int) -> int { x + 1 }\nlet g = 1;\nfn b() {\n    println(a(g));\n}\nb();\n";
        let w = workloads("t.em", text);
        let labels: Vec<&str> = w.iter().map(|w| w.label.as_str()).collect();
        assert_eq!(labels, ["fn a", "fn b"]);
        let texts: Vec<&str> = w[0]
            .versions
            .iter()
            .map(|v| match v {
                Apply::Entry(t) => t.as_str(),
                _ => panic!("{v:?}"),
            })
            .collect();
        assert_eq!(
            texts,
            [
                "fn a(x: int) -> int { x + 1 }",
                "fn a(x: int) -> int { /* ember bench */ x + 1 }"
            ]
        );
        assert_eq!(w[1].expect, Expect::Changed(vec!["b".to_string()]));
    }
}

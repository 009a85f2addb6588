//! Colour for what the `ember` command prints besides compile diagnostics
//! (codespan colours those): runtime errors and command errors, definition
//! notices, reload reports. The text is the plain text with ANSI sequences
//! added — remove them and it is unchanged — so a caller decides only
//! whether to colour (a terminal, `NO_COLOR` unset), never what is said.
//!
//! The styles follow the compile diagnostics': `error` bold bright red and
//! its message bold (as codespan's header), `warning` bold bright yellow,
//! the `at` of a stack frame and the `=` of a note cyan (as codespan's
//! `-->` and `=`). Notices: what happened in green (`fn sq redefined
//! (v2)`), its timings dimmed; an undone entry or reload in yellow.

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const ERROR: &str = "\x1b[1;91m";
const WARNING: &str = "\x1b[1;93m";
const CYAN: &str = "\x1b[36m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const DIM: &str = "\x1b[2m";

/// Whether `text` is already styled (a diagnostic codespan rendered).
fn styled(text: &str) -> bool {
    text.contains('\x1b')
}

/// Style each line of `text`, keeping line endings.
fn per_line(text: &str, f: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        match f(body) {
            Some(s) => out.push_str(&s),
            None => out.push_str(body),
        }
        out.push_str(end);
    }
    out
}

/// An error report: a runtime error with its stack, a command's error, a
/// thread's error with its note; compile diagnostics' summary line. Lines
/// that are none of these (and text already coloured) are left alone.
pub fn error(text: &str) -> String {
    if styled(text) {
        return text.to_string();
    }
    per_line(text, |line| {
        if let Some(rest) = line.strip_prefix("error: ") {
            Some(format!("{ERROR}error{RESET}{BOLD}: {rest}{RESET}"))
        } else if let Some(rest) = line.strip_prefix("warning: ") {
            Some(format!("{WARNING}warning{RESET}{BOLD}: {rest}{RESET}"))
        } else if let Some(rest) = line.strip_prefix("  at ") {
            Some(format!("  {CYAN}at{RESET} {rest}"))
        } else if let Some(rest) = line.strip_prefix("  = ") {
            Some(format!("  {CYAN}={RESET} {rest}"))
        } else {
            line.strip_prefix("  ... ")
                .map(|rest| format!("  {DIM}... {rest}{RESET}"))
        }
    })
}

/// A compile report rendered with colour by codespan (`ember check`):
/// its summary line (`error: aborting due to 1 previous error`, which
/// codespan does not render) coloured as [`error`] colours it.
pub fn compile_report(text: &str) -> String {
    match text.rfind("error: aborting due to ") {
        Some(i) if !styled(&text[i..]) => format!("{}{}", &text[..i], error(&text[i..])),
        _ => text.to_string(),
    }
}

/// Definition notices (`fn sq redefined (v2): compile 43 µs, pause
/// 0.8 µs`, one a line), undo notices and reload reports
/// (`TransactionReport`'s text: a line per changed item, a summary line,
/// warnings).
pub fn notice(text: &str) -> String {
    if styled(text) {
        return text.to_string();
    }
    per_line(text, |line| {
        if line.starts_with("warning: ") {
            return Some(error(line));
        }
        if line.contains(" undone (") {
            return Some(format!("{YELLOW}{line}{RESET}"));
        }
        // A reload report's item: `  changed     fn f (v2)`.
        if let Some(item) = line.strip_prefix("  ") {
            let verb = item.split(' ').next().unwrap_or("");
            let colour = match verb {
                "added" | "changed" | "recompiled" => GREEN,
                "removed" | "kept" => YELLOW,
                _ => return None,
            };
            let rest = &item[verb.len()..];
            return Some(format!("  {colour}{verb}{RESET}{rest}"));
        }
        // A reload report's summary: `f.em: 1 added, ...; parse 3 µs, ...`.
        if line.contains(" added, ") && line.contains("; parse ") {
            return Some(format!("{DIM}{line}{RESET}"));
        }
        // A definition notice: what happened, then its timings.
        match line.find(": compile ") {
            Some(i) => Some(format!(
                "{GREEN}{}{RESET}{DIM}{}{RESET}",
                &line[..i],
                &line[i..]
            )),
            None if !line.is_empty() => Some(format!("{GREEN}{line}{RESET}")),
            None => None,
        }
    })
}

/// `text` without its SGR sequences (the tests of every module that
/// colours compare the plain text).
#[cfg(test)]
pub(crate) fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runtime_error_is_coloured_and_says_the_same() {
        let text = "error: division by zero\n  at div (<repl>:1:33)\n  at <main> (<repl>:1:1)\n";
        let coloured = error(text);
        assert_eq!(plain(&coloured), text);
        assert!(coloured.starts_with("\x1b[1;91merror\x1b[0m\x1b[1m: division by zero"));
        assert!(coloured.contains("  \x1b[36mat\x1b[0m div (<repl>:1:33)\n"));
    }

    #[test]
    fn coloured_text_is_left_alone() {
        let text = "\x1b[1merror[E0200]\x1b[0m: mismatched types\n";
        assert_eq!(error(text), text);
        assert_eq!(notice(text), text);
    }

    #[test]
    fn a_compile_reports_summary_is_coloured() {
        let text = "\x1b[1merror[E0200]\x1b[0m: x\n\nerror: aborting due to 1 previous error\n";
        assert_eq!(
            compile_report(text),
            "\x1b[1merror[E0200]\x1b[0m: x\n\n\x1b[1;91merror\x1b[0m\x1b[1m: aborting due to 1 previous error\x1b[0m\n"
        );
    }

    #[test]
    fn notices_colour_what_happened_and_dim_the_timings() {
        let text = "fn sq redefined (v2): compile 43 µs, pause 0.8 µs\nstruct P defined (v1)\n";
        let coloured = notice(text);
        assert_eq!(plain(&coloured), text);
        assert!(coloured.starts_with(
            "\x1b[32mfn sq redefined (v2)\x1b[0m\x1b[2m: compile 43 µs, pause 0.8 µs\x1b[0m\n"
        ));
        let undo = "definitions of this entry undone (its top-level code failed): fn f\n";
        assert_eq!(
            notice(undo),
            format!("\x1b[33m{}\x1b[0m\n", undo.trim_end())
        );
    }

    #[test]
    fn reload_reports_colour_each_change() {
        let text = "  changed     fn f (v2)\n  removed     fn g\n\
                    f.em: 0 added, 1 changed, 1 removed, 3 unchanged; parse 3 µs, check 4 µs, compile 50 µs, pause 1.0 µs; 96 code bytes\n\
                    warning: fn g is kept\n";
        let coloured = notice(text);
        assert_eq!(plain(&coloured), text);
        assert!(coloured.contains("  \x1b[32mchanged\x1b[0m     fn f (v2)\n"));
        assert!(coloured.contains("  \x1b[33mremoved\x1b[0m     fn g\n"));
        assert!(coloured.contains("\x1b[2mf.em: 0 added"));
        assert!(coloured.contains("\x1b[1;93mwarning\x1b[0m"));
    }
}

//! The REPL's commands: their names, argument syntax and one-line help.
//!
//! [`COMMANDS`] is the one list: `:help` prints it, the session dispatches
//! on its names, and tab completion offers them.

/// Every command: (name with its argument syntax, one-line help). The name
/// is the first word of the first field.
pub const COMMANDS: &[(&str, &str)] = &[
    (":help", "list the commands"),
    (":quit", "wait for spawned threads and leave (also Ctrl-D)"),
    (":type EXPR", "the static type of EXPR, without running it"),
    (
        ":defs",
        "every definition (fn, struct, global): signature and version",
    ),
    (":source NAME", "the current source text of a definition"),
    (":versions NAME", "the versions of a definition"),
    (
        ":rollback NAME [N]",
        "go back to version N of a definition (default: the previous one)",
    ),
    (
        ":load FILE",
        "run a file's items and top-level code in the session",
    ),
    (
        ":reload",
        "reload the last loaded file as one transaction (state is kept)",
    ),
    (
        ":watch [FILE]",
        "reload FILE on every save while the session goes on; no FILE: stop",
    ),
    (":unwatch", "stop watching"),
    (
        ":stats",
        "redefinition timings (count, median, p99 per phase), code bytes",
    ),
    (":time EXPR", "run EXPR, print its value and the wall time"),
    (
        ":ir NAME [opt]",
        "a function's Cranelift IR (opt: after Cranelift's optimizations)",
    ),
    (
        ":asm NAME",
        "a function's machine code as installed, with its source lines",
    ),
    (
        ":threads",
        "the engine's threads: state and the functions on their stacks",
    ),
    (
        ":reset",
        "a fresh session: every definition and global gone, threads stopped",
    ),
];

/// Short spellings accepted for a command.
pub const ALIASES: &[(&str, &str)] = &[(":h", ":help"), (":q", ":quit"), (":?", ":help")];

/// The command's bare name (`:rollback` for `:rollback NAME [N]`).
pub fn name_of(syntax: &str) -> &str {
    syntax.split_whitespace().next().unwrap_or(syntax)
}

/// The canonical name of the command `word` (aliases resolved), if any.
pub fn lookup(word: &str) -> Option<&'static str> {
    if let Some(&(_, to)) = ALIASES.iter().find(|(a, _)| *a == word) {
        return Some(to);
    }
    COMMANDS
        .iter()
        .map(|(syntax, _)| name_of(syntax))
        .find(|name| *name == word)
}

/// Check the arguments of command `name` (canonical) against its syntax
/// in [`COMMANDS`]: `rest` is the text after the name (trimmed), `words`
/// it split at white space. The error says what the command takes.
pub fn check_args(name: &str, rest: &str, words: &[&str]) -> Result<(), String> {
    let syntax = COMMANDS
        .iter()
        .map(|(s, _)| *s)
        .find(|s| name_of(s) == name)
        .unwrap_or(name);
    let params: Vec<&str> = syntax.split_whitespace().skip(1).collect();
    let (ok, takes) = match params.as_slice() {
        [] => (rest.is_empty(), "no arguments".to_string()),
        // The rest of the line, as typed.
        ["EXPR"] => (!rest.is_empty(), "an expression".to_string()),
        ["FILE"] => (!rest.is_empty(), "a file".to_string()),
        ["[FILE]"] => (true, String::new()),
        ["NAME"] => (words.len() == 1, "a name".to_string()),
        ["NAME", "[N]"] => (
            (1..=2).contains(&words.len()),
            "a name and maybe a version".to_string(),
        ),
        ["NAME", "[opt]"] => (
            words.len() == 1 || (words.len() == 2 && words[1] == "opt"),
            "a name and maybe `opt`".to_string(),
        ),
        _ => (true, String::new()),
    };
    if ok {
        Ok(())
    } else if params.is_empty() {
        Err(format!("`{name}` takes no arguments"))
    } else {
        Err(format!("`{name}` takes {takes}: `{syntax}`"))
    }
}

/// The help lines for the commands, aligned.
pub fn help_table() -> String {
    let width = COMMANDS.iter().map(|(s, _)| s.len()).max().unwrap_or(0);
    let mut text = String::new();
    for (syntax, help) in COMMANDS {
        text.push_str(&format!("  {syntax:width$}  {help}\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_start_with_a_colon() {
        let mut names: Vec<&str> = COMMANDS.iter().map(|(s, _)| name_of(s)).collect();
        assert!(names.iter().all(|n| n.starts_with(':') && n.len() > 1));
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before);
    }

    #[test]
    fn arguments_are_checked_against_the_syntax() {
        assert_eq!(check_args(":help", "", &[]), Ok(()));
        assert_eq!(
            check_args(":help", "me", &["me"]),
            Err("`:help` takes no arguments".to_string())
        );
        assert_eq!(check_args(":type", "1 + 2", &["1", "+", "2"]), Ok(()));
        assert_eq!(
            check_args(":type", "", &[]),
            Err("`:type` takes an expression: `:type EXPR`".to_string())
        );
        assert_eq!(
            check_args(":source", "a b", &["a", "b"]),
            Err("`:source` takes a name: `:source NAME`".to_string())
        );
        assert_eq!(check_args(":rollback", "f 2", &["f", "2"]), Ok(()));
        assert!(check_args(":rollback", "f 2 3", &["f", "2", "3"]).is_err());
        assert_eq!(check_args(":ir", "f", &["f"]), Ok(()));
        assert_eq!(check_args(":ir", "f opt", &["f", "opt"]), Ok(()));
        assert_eq!(
            check_args(":ir", "f fast", &["f", "fast"]),
            Err("`:ir` takes a name and maybe `opt`: `:ir NAME [opt]`".to_string())
        );
        assert_eq!(check_args(":watch", "", &[]), Ok(()));
        assert!(check_args(":load", "", &[]).is_err());
    }

    #[test]
    fn every_syntax_is_understood() {
        // A parameter spelling `check_args` does not know would accept
        // anything.
        for (syntax, _) in COMMANDS {
            let params: Vec<&str> = syntax.split_whitespace().skip(1).collect();
            assert!(
                matches!(
                    params.as_slice(),
                    [] | ["EXPR"]
                        | ["FILE"]
                        | ["[FILE]"]
                        | ["NAME"]
                        | ["NAME", "[N]"]
                        | ["NAME", "[opt]"]
                ),
                "{syntax}"
            );
        }
    }

    #[test]
    fn lookup_resolves_names_and_aliases() {
        assert_eq!(lookup(":rollback"), Some(":rollback"));
        assert_eq!(lookup(":q"), Some(":quit"));
        assert_eq!(lookup(":rollbak"), None);
        assert_eq!(lookup("rollback"), None);
    }
}

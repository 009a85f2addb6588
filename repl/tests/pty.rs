//! The REPL in a real pseudo-terminal (rexpect): what a user at a terminal
//! sees and types — prompts, completion, history across sessions, Ctrl-C
//! and Ctrl-D, colour.
//!
//! Every wait has a timeout of several seconds (no sleeps): a test fails
//! with the output seen so far instead of hanging. Keys are sent as a
//! terminal sends them (`\r` for Enter, `\t` for Tab, `\x1b[A` for Up),
//! and mostly only once the REPL shows a fresh prompt: a Ctrl-C or Ctrl-D
//! typed while the terminal is not in raw mode is a signal or nothing, not
//! a key (lines typed ahead are kept: `typed_ahead_lines_all_run`). A
//! result is looked for in the output before the next prompt, where the
//! echo of what was typed cannot produce it (typing `40 + 2` shows no
//! `42`).

use std::path::{Path, PathBuf};
use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::reader::Options;
use rexpect::session::PtySession;

/// How long any one wait may take.
const TIMEOUT_MS: u64 = 10_000;

const ENTER: &str = "\r";
/// A fresh prompt, escape sequences stripped: rustyline ends every line it
/// reads with a newline and draws a prompt from a carriage return; a line
/// being edited is redrawn from a carriage return without a newline before
/// it, so this is a new prompt, not a redraw.
const PROMPT: &str = "\n\rember> ";
const CONTINUATION: &str = "\n\r  ...> ";
const TAB: &str = "\t";
const UP: &str = "\x1b[A";

/// How a test starts the REPL.
struct Start<'a> {
    history: &'a Path,
    color: bool,
    /// Keep ANSI sequences in what the test reads (to look for colour).
    raw: bool,
}

/// Start `ember` at a terminal; wait for its first prompt.
fn start(how: Start<'_>) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ember"));
    cmd.env("EMBER_HISTORY", how.history)
        .env("TERM", "xterm-256color")
        .env_remove("EMBER_TIER");
    if how.color {
        cmd.env_remove("NO_COLOR");
    } else {
        cmd.env("NO_COLOR", "1");
    }
    let options = Options::new()
        .timeout_ms(Some(TIMEOUT_MS))
        .strip_ansi_escape_codes(!how.raw);
    let mut p = rexpect::session::spawn_with_options(cmd, options).expect("start ember in a pty");
    p.exp_string("Ctrl-D to exit").expect("banner");
    // Nothing is typed yet: no redraw to mistake for it. (Coloured, a
    // reset sequence follows the `>`.)
    p.exp_string("ember>").expect("first prompt");
    p
}

/// A plain session (no colour, escapes stripped) with its own history file.
fn plain(test: &str) -> (PtySession, PathBuf) {
    let history = scratch(test).join("history");
    let p = start(Start {
        history: &history,
        color: false,
        raw: false,
    });
    (p, history)
}

/// A fresh scratch folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ember-pty-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Type `keys` at a prompt and wait for the next fresh prompt, `ember> `;
/// returns the output in between (its last line ends in `\r`: the `\n`
/// after it starts [`PROMPT`]), so a value echoed on a line of its own
/// shows as `"\n42\r"`.
fn line(p: &mut PtySession, keys: &str) -> String {
    typed(p, keys, PROMPT)
}

/// Type `keys` at a prompt and wait for the continuation prompt.
fn more(p: &mut PtySession, keys: &str) -> String {
    typed(p, keys, CONTINUATION)
}

/// Type `keys`, then wait for `needle`; panics with what was seen.
fn typed(p: &mut PtySession, keys: &str, needle: &str) -> String {
    send(p, keys);
    match p.exp_string(needle) {
        Ok(before) => before,
        Err(e) => panic!("after typing {keys:?}, waiting for {needle:?}: {e}"),
    }
}

/// Type `keys` (rexpect buffers what is sent up to a `\n`: flush).
fn send(p: &mut PtySession, keys: &str) {
    p.send(keys).expect("send");
    p.flush().expect("flush");
}

/// Assert `output` (between two prompts) holds `what`.
#[track_caller]
fn shows(output: &str, what: &str) {
    assert!(output.contains(what), "expected {what:?} in {output:?}");
}

/// Ctrl-D at an empty prompt (the caller has seen it: before, the terminal
/// is not in raw mode and Ctrl-D is no key); the process ends with status 0.
fn quit(mut p: PtySession) {
    p.send_control('d').expect("Ctrl-D");
    p.exp_eof().expect("ember exits after Ctrl-D");
    assert_exit_0(&p);
}

fn assert_exit_0(p: &PtySession) {
    match p.process().wait().expect("wait for ember") {
        WaitStatus::Exited(_, code) => assert_eq!(code, 0),
        other => panic!("ember ended with {other:?}"),
    }
}

#[test]
fn prompt_and_continuation_prompt() {
    let (mut p, _) = plain("prompts");
    // An open brace, and a line ending in an operator, continue the entry.
    more(&mut p, &format!("fn sq(x: int) -> int {{{ENTER}"));
    more(&mut p, &format!("x *{ENTER}"));
    more(&mut p, &format!("x{ENTER}"));
    shows(&line(&mut p, &format!("}}{ENTER}")), "fn sq defined (v1)");
    shows(&line(&mut p, &format!("sq(7) + 1{ENTER}")), "\n50\r");
    quit(p);
}

/// Lines typed before the REPL asks for them — several in one go (a
/// paste without bracketed paste, a fast typist), or while an entry runs —
/// are all read and run in order: rustyline keeps what it read ahead
/// between lines (its `buffer-redux` feature; without it the rest of a
/// read was dropped when the first line was accepted).
#[test]
fn typed_ahead_lines_all_run() {
    let (mut p, _) = plain("type-ahead");
    // Three lines in one write, at the prompt.
    send(&mut p, &format!("1 + 1{ENTER}20 + 2{ENTER}300 + 3{ENTER}"));
    let out = p.exp_string("\n303\r").expect("the third line runs");
    shows(&out, "\n2\r");
    shows(&out, "\n22\r");
    // Two lines typed while an entry runs (the terminal is out of raw mode
    // then: it echoes them and queues them for the next prompt).
    typed(
        &mut p,
        &format!("println(\"napping\"); sleep(300);{ENTER}"),
        "napping\r",
    );
    send(&mut p, &format!("4000 + 4{ENTER}50000 + 5{ENTER}"));
    let out = p.exp_string("\n50005\r").expect("the second line runs");
    shows(&out, "\n4004\r");
    p.exp_string(PROMPT).expect("a prompt");
    quit(p);
}

#[test]
fn completion_of_keywords_definitions_fields_and_commands() {
    let (mut p, _) = plain("complete");
    let out = line(
        &mut p,
        &format!("fn hypotenuse(a: float, b: float) -> float {{ sqrt(a * a + b * b) }}{ENTER}"),
    );
    shows(&out, "fn hypotenuse defined");
    let out = line(
        &mut p,
        &format!("struct Point {{ x: int, yvalue: int }}{ENTER}"),
    );
    shows(&out, "struct Point defined");
    line(
        &mut p,
        &format!("let p = Point {{ x: 1, yvalue: 41 }};{ENTER}"),
    );
    // A keyword: `!tr` alone is an error, `!true` is false.
    shows(&line(&mut p, &format!("!tr{TAB}{ENTER}")), "\nfalse\r");
    // A definition.
    shows(
        &line(&mut p, &format!("hypo{TAB}(3.0, 4.0){ENTER}")),
        "\n5.0\r",
    );
    // A struct field after `.`, from the global's type.
    shows(&line(&mut p, &format!("p.yv{TAB} + 1{ENTER}")), "\n42\r");
    // A local of the entry being typed.
    let out = line(
        &mut p,
        &format!("{{ let counted = 20; count{TAB} * 3 }}{ENTER}"),
    );
    shows(&out, "\n60\r");
    // A command: `:qu` is no command, `:quit` leaves.
    send(&mut p, &format!(":qu{TAB}{ENTER}"));
    p.exp_eof().expect(":quit completed and run");
    assert_exit_0(&p);
}

#[test]
fn signature_hint_while_typing_a_call() {
    let (mut p, _) = plain("hint");
    // The definition is typed over two lines; the hint shows it on one.
    more(&mut p, &format!("fn hyp(a: float,{ENTER}"));
    let out = line(
        &mut p,
        &format!("b: float) -> float {{ sqrt(a * a + b * b) }}{ENTER}"),
    );
    shows(&out, "fn hyp defined");
    typed(&mut p, "hyp(", "hyp(  fn hyp(a: float, b: float) -> float");
    shows(&line(&mut p, &format!("6.0, 8.0){ENTER}")), "\n10.0\r");
    quit(p);
}

#[test]
fn history_is_kept_across_sessions() {
    let (mut p, history) = plain("history");
    more(&mut p, &format!("fn h() -> int {{{ENTER}"));
    more(&mut p, &format!("7{ENTER}"));
    shows(&line(&mut p, &format!("}}{ENTER}")), "fn h defined (v1)");
    shows(&line(&mut p, &format!("1 + 41{ENTER}")), "\n42\r");
    quit(p);

    // The file holds the two entries; the multi-line one as one item.
    let text = std::fs::read_to_string(&history).expect("history file written");
    assert!(text.contains("1 + 41"), "{text:?}");
    assert!(text.contains(r"fn h() -> int {\n7\n}"), "{text:?}");

    // A new session recalls them, newest first; the multi-line entry comes
    // back whole and runs as one.
    let mut p = start(Start {
        history: &history,
        color: false,
        raw: false,
    });
    shows(&line(&mut p, &format!("{UP}{ENTER}")), "\n42\r");
    // `1 + 41` again is not recorded twice: Up, Up reaches the definition.
    shows(
        &line(&mut p, &format!("{UP}{UP}{ENTER}")),
        "fn h defined (v1)",
    );
    shows(&line(&mut p, &format!("h() * 6{ENTER}")), "\n42\r");
    quit(p);
}

#[test]
fn ctrl_c_interrupts_running_code_and_the_session_goes_on() {
    let (mut p, _) = plain("interrupt");
    line(&mut p, &format!("let mut n = 41;{ENTER}"));
    // Wait for the program's output (not the echo of `"spinning")`): the
    // loop runs, and the terminal is out of raw mode, so Ctrl-C is SIGINT.
    typed(
        &mut p,
        &format!("println(\"spinning\"); while true {{}}{ENTER}"),
        "spinning\r",
    );
    p.send_control('c').expect("Ctrl-C");
    let out = p.exp_string(PROMPT).expect("a prompt after the interrupt");
    // After a line break of its own: not after the `^C` a terminal echoes
    // (this one does not; `out` starts after the newline that ended
    // `spinning`).
    assert!(
        out.starts_with("\n\r\nerror: interrupted\r\n  at <main> (<repl>:1:"),
        "{out:?}"
    );
    line(&mut p, &format!("n += 1;{ENTER}"));
    shows(&line(&mut p, &format!("n{ENTER}")), "\n42\r");
    quit(p);
}

#[test]
fn ctrl_c_clears_a_half_typed_entry() {
    let (mut p, _) = plain("clear");
    // An open entry over two lines, dropped by Ctrl-C.
    more(&mut p, &format!("let x = (1 +{ENTER}"));
    more(&mut p, &format!("2{ENTER}"));
    p.send_control('c').expect("Ctrl-C");
    p.exp_string(PROMPT).expect("a fresh prompt");
    // A half-typed line, dropped by Ctrl-C.
    send(&mut p, "garbage garbage");
    p.send_control('c').expect("Ctrl-C");
    p.exp_string(PROMPT).expect("a fresh prompt");
    // Neither is part of the next entry.
    let out = line(&mut p, &format!("40 + 2{ENTER}"));
    shows(&out, "\n42\r");
    assert!(!out.contains("error"), "{out}");
    quit(p);
}

#[test]
fn ctrl_d_exits_after_waiting_for_threads() {
    let (mut p, _) = plain("ctrl-d");
    let out = line(
        &mut p,
        &format!("fn late() {{ sleep(300); println(\"thread done\"); }}{ENTER}"),
    );
    shows(&out, "fn late defined");
    line(&mut p, &format!("spawn late();{ENTER}"));
    p.send_control('d').expect("Ctrl-D");
    // The thread's output, not the echo of `"thread done")`.
    p.exp_string("thread done\r")
        .expect("the thread finishes before the session ends");
    p.exp_eof().expect("ember exits");
    assert_exit_0(&p);
}

/// Leaving while a spawned thread never ends: the session says it waits,
/// and Ctrl-C ends it (status 130, as a process stopped by Ctrl-C).
#[test]
fn ctrl_c_stops_waiting_for_threads_on_leaving() {
    let (mut p, _) = plain("ctrl-d-forever");
    line(
        &mut p,
        &format!("fn forever() {{ while true {{}} }}{ENTER}"),
    );
    line(&mut p, &format!("spawn forever();{ENTER}"));
    p.send_control('d').expect("Ctrl-D");
    // Printed once the terminal is out of raw mode: Ctrl-C is SIGINT now.
    p.exp_string("waiting for 1 spawned thread to finish (Ctrl-C stops waiting)")
        .expect("the session says what it waits for");
    p.send_control('c').expect("Ctrl-C");
    p.exp_eof().expect("ember ends");
    match p.process().wait().expect("wait for ember") {
        WaitStatus::Exited(_, code) => assert_eq!(code, 130),
        other => panic!("ember ended with {other:?}"),
    }
}

/// A runtime error at a terminal: after its stack trace (as piped), the
/// source line of the innermost frame with a caret under the column, as a
/// compile diagnostic quotes it — from the entry (or file) that frame's
/// code came from, not the entry that called it. `NO_COLOR` leaves it.
#[test]
fn runtime_errors_quote_the_line_they_were_raised_at() {
    let (mut p, _) = plain("snippet");
    shows(
        &line(
            &mut p,
            &format!("fn div(a: int, b: int) -> int {{ a / b }}{ENTER}"),
        ),
        "fn div defined (v1)",
    );
    line(&mut p, &format!("let zero = 0;{ENTER}"));
    // The call, on line 2 of a later entry.
    more(&mut p, &format!("{{{ENTER}"));
    more(&mut p, &format!("div(7, zero){ENTER}"));
    let out = line(&mut p, &format!("}}{ENTER}"));
    shows(
        &out,
        "error: division by zero\r\n  \
         at div (<repl>:1:33)\r\n  \
         at <main> (<repl>:2:1)\r\n  \
         |\r\n\
         1 | fn div(a: int, b: int) -> int { a / b }\r\n  \
         |                                 ^ raised here\r",
    );
    // Raised in the entry's own top-level code: its line.
    let out = line(&mut p, &format!("let two = 2; two / zero{ENTER}"));
    shows(
        &out,
        "  at <main> (<repl>:1:14)\r\n  |\r\n\
         1 | let two = 2; two / zero\r\n  |              ^ raised here\r",
    );
    quit(p);

    // A loaded file's function, called from top-level code and from an entry.
    let dir = scratch("snippet-load");
    let file = dir.join("half.em");
    std::fs::write(
        &file,
        "fn half(n: int) -> int {\n    n / (n - n)\n}\nhalf(4);\n",
    )
    .unwrap();
    let (mut p, _) = plain("snippet-load-session");
    let quoted = "  |\r\n2 |     n / (n - n)\r\n  |     ^ raised here\r";
    let out = line(&mut p, &format!(":load {}{ENTER}", file.display()));
    shows(&out, "at <main> (");
    shows(&out, quoted);
    let out = line(&mut p, &format!("half(2){ENTER}"));
    shows(&out, "  at <main> (<repl>:1:1)\r\n");
    shows(&out, quoted);
    quit(p);
}

#[test]
fn no_color_is_honoured() {
    let history = scratch("no-color").join("history");
    let mut p = start(Start {
        history: &history,
        color: false,
        raw: true,
    });
    // Raw output: escapes (bracketed paste, redraws) stand between the
    // newline and a prompt, so wait for what follows each entry.
    let out1 = typed(&mut p, &format!("let s: int = \"text\";{ENTER}"), "E0200");
    let out2 = typed(&mut p, "", "ember> ");
    let out3 = typed(
        &mut p,
        &format!("fn f() -> int {{ 1 }}{ENTER}"),
        "fn f defined",
    );
    let out4 = typed(&mut p, "", "ember> ");
    let out5 = typed(
        &mut p,
        &format!("let z = 0; 1 / z{ENTER}"),
        "division by zero",
    );
    let out6 = typed(&mut p, "", "ember> ");
    for out in [&out1, &out2, &out3, &out4, &out5, &out6] {
        assert!(!has_sgr(out), "colour with NO_COLOR set: {out:?}");
    }
    quit(p);
}

#[test]
fn colour_at_a_terminal() {
    let history = scratch("color").join("history");
    let mut p = start(Start {
        history: &history,
        color: true,
        raw: true,
    });
    // The keyword `let` as it is typed.
    typed(&mut p, "let", "\x1b[1;35mlet\x1b[0m");
    typed(&mut p, &format!(" s: int = \"text\";{ENTER}"), "E0200");
    // The rest of the diagnostic, up to the (coloured) prompt, is coloured:
    // the redraws of the typed line all came before it.
    let diagnostic = typed(&mut p, "", "\x1b[1;32member>");
    shows(&diagnostic, "mismatched types");
    assert!(has_sgr(&diagnostic), "{diagnostic:?}");
    // A definition notice: what happened in green, the timings dimmed.
    typed(
        &mut p,
        &format!("fn f() -> int {{ 1 }}{ENTER}"),
        "\x1b[32mfn f defined (v1)\x1b[0m\x1b[2m: compile ",
    );
    typed(&mut p, "", "\x1b[1;32member>");
    // A runtime error, as a compile diagnostic's header, and its stack.
    typed(
        &mut p,
        &format!("let z = 0; 1 / z{ENTER}"),
        "\x1b[1;91merror\x1b[0m\x1b[1m: division by zero\x1b[0m\r\n  \x1b[36mat\x1b[0m <main>",
    );
    // Then the line it was raised at, coloured by codespan.
    let snippet = typed(&mut p, "", "\x1b[1;32member>");
    shows(&snippet, "raised here");
    assert!(has_sgr(&snippet), "{snippet:?}");
    // A command's error.
    typed(
        &mut p,
        &format!(":frobnicate{ENTER}"),
        "\x1b[1;91merror\x1b[0m\x1b[1m: unknown command",
    );
    typed(&mut p, "", "\x1b[1;32member>");
    quit(p);
}

/// Whether `text` holds an SGR (colour) sequence: ESC [ digits/; m.
fn has_sgr(text: &str) -> bool {
    text.match_indices("\x1b[").any(|(i, _)| {
        text[i + 2..]
            .chars()
            .find(|c| !(c.is_ascii_digit() || *c == ';'))
            == Some('m')
    })
}

/// `ember ARGS` at a terminal, output read raw (escapes kept); colour on
/// unless `no_color`.
fn command(args: &[&std::ffi::OsStr], no_color: bool) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ember"));
    cmd.args(args).env("TERM", "xterm-256color");
    if no_color {
        cmd.env("NO_COLOR", "1");
    } else {
        cmd.env_remove("NO_COLOR");
    }
    let options = Options::new()
        .timeout_ms(Some(TIMEOUT_MS))
        .strip_ansi_escape_codes(false);
    rexpect::session::spawn_with_options(cmd, options).expect("start ember in a pty")
}

/// `ember check` colours its summary line as the diagnostics; `ember run`
/// colours a runtime error at a terminal as the REPL does (and not with
/// `NO_COLOR`); `ember run --watch` colours the diagnostics of an
/// edit that does not compile and the reload report of one that does.
#[test]
fn run_and_watch_colour_errors_and_reload_reports() {
    let dir = scratch("run-colour");
    let file = dir.join("prog.em");
    // `ember check`: codespan colours the diagnostic, the summary too.
    std::fs::write(&file, "let z: int = \"zero\";\n").unwrap();
    let check = std::ffi::OsStr::new("check");
    let mut p = command(&[check, file.as_os_str()], false);
    p.exp_string("\x1b[1;91merror\x1b[0m\x1b[1m: aborting due to 1 previous error")
        .expect("a coloured summary");
    p.exp_eof().expect("ember check ends");
    std::fs::write(&file, "let z = 0;\nprintln(1 / z);\n").unwrap();
    let run = std::ffi::OsStr::new("run");
    let mut p = command(&[run, file.as_os_str()], false);
    p.exp_string(
        "\x1b[1;91merror\x1b[0m\x1b[1m: division by zero\x1b[0m\r\n  \x1b[36mat\x1b[0m <main>",
    )
    .expect("a coloured runtime error");
    p.exp_eof().expect("ember run ends");
    let mut p = command(&[run, file.as_os_str()], true);
    let out = p.exp_eof().expect("ember run ends");
    shows(&out, "error: division by zero\r\n  at <main>");
    assert!(!has_sgr(&out), "colour with NO_COLOR set: {out:?}");

    std::fs::write(&file, "fn f() -> int { 1 }\nwhile true { sleep(20); }\n").unwrap();
    let watch = std::ffi::OsStr::new("--watch");
    let mut p = command(&[run, watch, file.as_os_str()], false);
    p.exp_string("watching").expect("ember run --watch starts");
    std::fs::write(
        &file,
        "fn f() -> int { \"one\" }\nwhile true { sleep(20); }\n",
    )
    .unwrap();
    let out = p.exp_string("not reloaded").expect("the edit is refused");
    shows(&out, "mismatched types");
    shows(
        &out,
        "\x1b[1;91merror\x1b[0m\x1b[1m: aborting due to 1 previous error",
    );
    std::fs::write(
        &file,
        "fn f() -> int { 2 }\nfn g() {}\nwhile true { sleep(20); }\n",
    )
    .unwrap();
    p.exp_string("\x1b[32madded\x1b[0m       fn g (v1)")
        .expect("a coloured reload report");
    p.exp_string("\x1b[2m").expect("its summary dimmed");
    p.process_mut()
        .kill(rexpect::process::Signal::SIGKILL)
        .expect("stop ember");
}

//! The `ember` command's contract (LANGUAGE.md §8): exit statuses, where
//! messages go, file names as given, no colour off a terminal.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn ember(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ember"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env_remove("NO_COLOR")
        .output()
        .expect("run ember")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch folder with one clean and one broken program.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ember-cli-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("good.em"),
        "fn add(a: int, b: int) -> int { a + b }\nprintln(add(1, 2));\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("bad.em"),
        "fn f() -> int {\n    let x: int = \"hi\";\n    x\n}\n",
    )
    .unwrap();
    dir
}

#[test]
fn check_clean_file_exits_0_silently() {
    let dir = scratch("clean");
    let o = ember(&["check", "good.em"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
}

#[test]
fn check_broken_file_exits_1_with_diagnostics() {
    let dir = scratch("broken");
    let o = ember(&["check", "bad.em"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert!(err.starts_with("error["), "{err}");
    // The file is named as given on the command line, with line and column.
    assert!(err.contains("--> bad.em:2:"), "{err}");
    assert!(err.contains('^'), "{err}");
    assert!(err.ends_with("previous error\n"), "{err}");
    // Not a terminal: no colour.
    assert!(!err.contains('\x1b'), "{err}");

    let o = ember(&["check", "./bad.em"], &dir);
    assert!(stderr(&o).contains("--> ./bad.em:2:"), "{}", stderr(&o));
}

#[test]
fn missing_file_is_bad_usage() {
    let dir = scratch("missing");
    let o = ember(&["check", "nope.em"], &dir);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("nope.em"), "{err}");
    let o = ember(&["run", "nope.em"], &dir);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn usage_errors_exit_2() {
    let dir = scratch("usage");
    for args in [
        &["check"][..],
        &["--frobnicate"],
        &["check", "a.em", "b.em"],
        &["nonsense"],
    ] {
        let o = ember(args, &dir);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn version_and_help_exit_0() {
    let dir = scratch("version");
    let o = ember(&["--version"], &dir);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("ember "));
    let o = ember(&["--help"], &dir);
    assert_eq!(o.status.code(), Some(0));
    let help = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(help.contains("check") && help.contains("run"), "{help}");
}

#[test]
fn version_is_the_crate_version() {
    let dir = scratch("version-exact");
    for flag in ["--version", "-V"] {
        let o = ember(&[flag], &dir);
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            format!("ember {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
}

/// `ember --help` and every subcommand's help: exit 0, on standard output,
/// with the subcommand's own description and examples.
#[test]
fn every_subcommand_has_help_with_examples() {
    let dir = scratch("help");
    let o = ember(&["--help"], &dir);
    assert_eq!(o.status.code(), Some(0));
    let help = String::from_utf8_lossy(&o.stdout).into_owned();
    for what in ["check", "run", "repl", "bench", "Examples:", "Exit status:"] {
        assert!(
            help.contains(what),
            "{what:?} missing from ember --help:\n{help}"
        );
    }
    // -h is the short form: the summary without the long description.
    let short = String::from_utf8_lossy(&ember(&["-h"], &dir).stdout).into_owned();
    assert!(short.len() < help.len(), "{short}");
    for (command, says) in [
        ("check", "type-check"),
        ("run", "--watch"),
        ("repl", "Ctrl-C"),
        ("bench", "--rounds"),
    ] {
        for args in [&[command, "--help"][..], &["help", command]] {
            let o = ember(args, &dir);
            assert_eq!(o.status.code(), Some(0), "{args:?}");
            assert!(o.stderr.is_empty(), "{args:?}");
            let help = String::from_utf8_lossy(&o.stdout).into_owned();
            assert!(
                help.contains("Examples:") && help.contains(says),
                "{args:?}:\n{help}"
            );
        }
    }
    // The REPL's help says where history is kept.
    let repl = String::from_utf8_lossy(&ember(&["repl", "--help"], &dir).stdout).into_owned();
    assert!(
        repl.contains("EMBER_HISTORY") && repl.contains("NO_COLOR"),
        "{repl}"
    );
}

#[test]
fn run_reports_compile_errors_with_1() {
    let dir = scratch("run");
    let o = ember(&["run", "bad.em"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--> bad.em:2:"), "{}", stderr(&o));
}

#[test]
fn run_prints_program_output_and_exits_0() {
    let dir = scratch("run-ok");
    let o = ember(&["run", "good.em"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "3\n");
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
}

#[test]
fn run_reports_runtime_error_with_stack_and_exits_1() {
    let dir = scratch("run-panic");
    std::fs::write(
        dir.join("div.em"),
        "fn div(a: int, b: int) -> int {\n    a / b\n}\nprintln(\"before\");\nprintln(div(1, 0));\n",
    )
    .unwrap();
    let o = ember(&["run", "div.em"], &dir);
    assert_eq!(o.status.code(), Some(1));
    // Output before the error stays; the error goes to standard error.
    assert_eq!(String::from_utf8_lossy(&o.stdout), "before\n");
    assert_eq!(
        stderr(&o),
        "error: division by zero\n  at div (div.em:2:5)\n  at <main> (div.em:5:9)\n"
    );
}

#[test]
fn run_reports_unjoined_thread_error_and_exits_1() {
    let dir = scratch("run-thread");
    std::fs::write(
        dir.join("t.em"),
        "fn work() {\n    panic(\"worker failed\");\n}\nspawn work();\nprintln(\"main done\");\n",
    )
    .unwrap();
    let o = ember(&["run", "t.em"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "main done\n");
    let err = stderr(&o);
    assert!(
        err.starts_with("error: worker failed\n  at work (t.em:2:5)\n"),
        "{err}"
    );
}

/// Run `ember ARGS` with `input` piped on standard input.
fn ember_piped(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ember"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("NO_COLOR")
        .spawn()
        .expect("run ember");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("wait for ember");
    writer.join().unwrap().unwrap();
    out
}

#[test]
fn repl_without_a_terminal_prints_no_banner_and_exits_0() {
    let dir = scratch("repl-empty");
    for args in [&[][..], &["repl"]] {
        let o = ember(args, &dir);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?}");
        assert!(o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn repl_echoes_on_stdout_and_reports_on_stderr() {
    for args in [&[][..], &["repl"]] {
        let o = ember_piped(
            args,
            "fn f() -> int { 41 }\nf() + 1\nlet x: int = \"s\";\n\"ok\"\n",
        );
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert_eq!(String::from_utf8_lossy(&o.stdout), "42\n\"ok\"\n");
        let err = stderr(&o);
        assert!(err.starts_with("fn f defined (v1): compile "), "{err}");
        assert!(err.contains(" µs\nerror[E0200]"), "{err}");
        assert!(err.contains("--> <repl>:1:14"), "{err}");
        // Not a terminal: no colour.
        assert!(!err.contains('\x1b'), "{err}");
    }
}

#[test]
fn repl_exits_0_after_errors_and_failed_threads() {
    let o = ember_piped(
        &["repl"],
        "[1][3]\nfn w() { panic(\"thread failed\"); }\nspawn w();\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    let (head, tail) = err
        .split_once("fn w defined (v1): compile ")
        .expect("a notice");
    assert_eq!(
        head,
        "error: index out of bounds: index 3, length 1\n  at <main> (<repl>:1:1)\n"
    );
    let (_, tail) = tail.split_once(" µs\n").expect("timings");
    assert_eq!(
        tail,
        "error: thread failed\n  at w (<repl>:1:10)\n  = note: raised in a spawned thread that nobody joined\n"
    );
}

/// Ctrl-C (SIGINT) while an entry runs stops it with `interrupted` — also a
/// loop with no calls — and the session goes on with its definitions and
/// globals.
#[test]
fn sigint_interrupts_the_running_entry_and_the_session_goes_on() {
    sigint_case(
        "fn spin() { println(\"started\"); while true {} }\nspin()\n",
        "at spin (<repl>:1:",
    );
}

/// The same while the entry sleeps (a blocking call).
#[test]
fn sigint_interrupts_a_sleeping_entry() {
    sigint_case(
        "fn nap() { println(\"started\"); sleep(60000); }\nnap()\n",
        "at nap (<repl>:1:",
    );
}

/// Start a REPL, run `entry` (which prints `started` and then runs until
/// interrupted), send SIGINT, then check the session goes on.
fn sigint_case(entry: &str, frame: &str) {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut child = Command::new(env!("CARGO_BIN_EXE_ember"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ember");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"let mut n = 41;\n").expect("write");
    stdin.write_all(entry.as_bytes()).expect("write");
    stdin.flush().expect("flush");
    // Interrupt once the entry runs.
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("read");
    assert_eq!(line, "started\n");
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    stdin.write_all(b"n += 1;\nn\n").expect("write");
    drop(stdin);
    let status = child.wait().expect("wait");
    let mut out = String::new();
    let mut err = String::new();
    stdout.read_to_string(&mut out).unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(out, "42\n", "{err}");
    assert!(
        err.contains(&format!("error: interrupted\n  {frame}")),
        "{err}"
    );
}

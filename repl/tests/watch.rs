//! `ember run --watch FILE`: the program keeps running while its file is
//! edited; every save reloads the definitions (state kept), an edit that
//! does not compile is reported and changes nothing, and the process ends
//! by itself with `ember run`'s exit status when the program does.
//!
//! The tests poll the child's output with generous timeouts rather than
//! sleeping for fixed times, so that they hold on a loaded machine; each
//! program bounds its own running time.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long any one expected thing may take to show up.
const PATIENCE: Duration = Duration::from_secs(10);

/// A scratch folder of its own per test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ember-watch-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Save by writing a new file and renaming it over the old one, as many
/// editors do.
fn save_by_rename(path: &Path, text: &str) {
    let tmp = path.with_extension("em.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// Save by rewriting the file in place.
fn save_in_place(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

/// A running `ember run --watch FILE` and what it has printed so far.
struct Watched {
    child: Child,
    out: Arc<Mutex<String>>,
    err: Arc<Mutex<String>>,
    status: Option<ExitStatus>,
}

fn collect(mut r: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let buf = Arc::new(Mutex::new(String::new()));
    let b = buf.clone();
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = r.read(&mut chunk) {
            if n == 0 {
                break;
            }
            b.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    });
    buf
}

impl Watched {
    fn start(dir: &Path, file: &str) -> Watched {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ember"))
            .args(["run", "--watch", file])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("NO_COLOR")
            .spawn()
            .expect("start ember");
        let out = collect(child.stdout.take().unwrap());
        let err = collect(child.stderr.take().unwrap());
        Watched {
            child,
            out,
            err,
            status: None,
        }
    }

    fn out(&self) -> String {
        self.out.lock().unwrap().clone()
    }

    fn err(&self) -> String {
        self.err.lock().unwrap().clone()
    }

    /// Wait until `ok(stdout, stderr)` holds; fail (showing both) after
    /// [`PATIENCE`].
    fn wait_for(&mut self, what: &str, ok: impl Fn(&str, &str) -> bool) {
        let started = Instant::now();
        loop {
            if ok(&self.out(), &self.err()) {
                return;
            }
            if started.elapsed() > PATIENCE {
                let _ = self.child.kill();
                panic!(
                    "timed out waiting for {what}\n--- stdout:\n{}\n--- stderr:\n{}",
                    self.out(),
                    self.err()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait for the process to end by itself; its exit status. Standard
    /// output and error are read to their end.
    fn wait_exit(&mut self) -> ExitStatus {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > PATIENCE {
                let _ = self.child.kill();
                panic!(
                    "ember did not exit by itself\n--- stdout:\n{}\n--- stderr:\n{}",
                    self.out(),
                    self.err()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        self.status = Some(status);
        // The readers see end of file once the process is gone.
        let started = Instant::now();
        while (Arc::strong_count(&self.out) > 1 || Arc::strong_count(&self.err) > 1)
            && started.elapsed() < PATIENCE
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        status
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        if self.status.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Lines of standard output printed as `VALUE CALLS`.
fn pairs(out: &str) -> Vec<(i64, i64)> {
    out.lines()
        .map(|l| {
            let mut it = l.split(' ').map(|w| w.parse::<i64>());
            match (it.next(), it.next(), it.next()) {
                (Some(Ok(v)), Some(Ok(c)), None) => (v, c),
                _ => panic!("unexpected output line {l:?} in\n{out}"),
            }
        })
        .collect()
}

/// The program of the main test, with `value` returning `n` (and, for 3,
/// a new global and `done` ending the loop after five threes).
fn program(n: i64) -> String {
    let tail = "let mut i = 0;\n\
                while i < 600 && !done() {\n    println(str(value()) + \" \" + str(calls));\n    sleep(20);\n    i += 1;\n}\n";
    if n == 3 {
        format!(
            "let mut calls = 0;\nlet mut threes = 0;\n\
             fn value() -> int {{ calls += 1; threes += 1; 3 }}\n\
             fn done() -> bool {{ threes >= 5 }}\n{tail}"
        )
    } else {
        format!(
            "let mut calls = 0;\n\
             fn value() -> int {{ calls += 1; {n} }}\n\
             fn done() -> bool {{ false }}\n{tail}"
        )
    }
}

#[test]
fn saves_reload_definitions_while_the_program_runs() {
    let dir = scratch("reload");
    let file = dir.join("prog.em");
    save_in_place(&file, &program(1));
    let mut w = Watched::start(&dir, "prog.em");
    w.wait_for("the first lines", |out, _| out.lines().count() >= 3);
    assert!(
        w.err()
            .starts_with("watching prog.em for changes (Ctrl-C to stop)\n"),
        "{}",
        w.err()
    );

    // A new body: later calls return 2.
    save_by_rename(&file, &program(2));
    w.wait_for("2s", |out, _| {
        out.lines().last().is_some_and(|l| l.starts_with("2 "))
    });
    assert!(
        w.err().contains("  changed     fn value (v2)\n"),
        "{}",
        w.err()
    );
    assert!(
        w.err().contains("prog.em: 0 added, 1 changed, 0 removed"),
        "{}",
        w.err()
    );

    // A syntax error: reported, and the program goes on with 2s.
    let broken = program(2).replace("{ calls += 1; 2 }", "{ calls += 1; 2 ");
    assert_ne!(broken, program(2));
    save_in_place(&file, &broken);
    w.wait_for("the syntax error", |_, err| err.contains("not reloaded"));
    let seen = w.out().lines().count();
    w.wait_for("more lines", |out, _| out.lines().count() >= seen + 3);

    // Fixed: 3s, a new global, and `done` ends the loop after five threes.
    save_in_place(&file, &program(3));
    let status = w.wait_exit();
    let (out, err) = (w.out(), w.err());
    assert_eq!(status.code(), Some(0), "stdout:\n{out}\nstderr:\n{err}");

    let lines = pairs(&out);
    // `calls` kept counting across every reload: line k shows k calls.
    for (k, &(_, calls)) in lines.iter().enumerate() {
        assert_eq!(calls, k as i64 + 1, "line {}:\n{out}", k + 1);
    }
    // 1s, then 2s, then exactly five 3s; nothing else.
    let values: Vec<i64> = lines.iter().map(|&(v, _)| v).collect();
    assert_eq!(values.first(), Some(&1), "{out}");
    assert!(values.windows(2).all(|w| w[0] <= w[1]), "{out}");
    assert!(values.iter().all(|v| (1..=3).contains(v)), "{out}");
    assert!(values.contains(&2), "{out}");
    assert_eq!(values.iter().filter(|&&v| v == 3).count(), 5, "{out}");

    // The syntax error, rendered as `ember check` does, named as given.
    assert!(err.contains("error[E0"), "{err}");
    assert!(err.contains("--> prog.em:"), "{err}");
    assert!(err.contains("error: aborting due to"), "{err}");
    // The third version's report: value changed, the new global added.
    assert!(err.contains("  changed     fn value (v3)\n"), "{err}");
    assert!(err.contains("  added       let threes (v1)\n"), "{err}");
    assert!(err.contains("  changed     fn done (v2)\n"), "{err}");
    // No other error (no runtime error, nothing from a spawned thread).
    for line in err.lines().filter(|l| l.starts_with("error")) {
        assert!(
            line.starts_with("error[E0") || line.starts_with("error: aborting due to"),
            "unexpected {line:?} in\n{err}"
        );
    }
    assert!(!err.contains('\x1b'), "{err}");
}

#[test]
fn reloads_reach_spawned_threads_until_they_end() {
    // The top-level code ends at once; the spawned thread runs on, and
    // reloads go on while the command waits for it.
    let dir = scratch("threads");
    let file = dir.join("prog.em");
    let v1 = "let mut twos = 0;\n\
              fn value() -> int { 1 }\n\
              fn done() -> bool { false }\n\
              fn worker() {\n    let mut i = 0;\n    while i < 600 && !done() {\n        println(str(value()));\n        sleep(20);\n        i += 1;\n    }\n}\n\
              spawn worker();\n";
    save_in_place(&file, v1);
    let mut w = Watched::start(&dir, "prog.em");
    w.wait_for("the first lines", |out, _| out.lines().count() >= 2);
    let v2 = v1
        .replace(
            "fn value() -> int { 1 }",
            "fn value() -> int { twos += 1; 2 }",
        )
        .replace("{ false }", "{ twos >= 3 }");
    save_by_rename(&file, &v2);
    let status = w.wait_exit();
    let (out, err) = (w.out(), w.err());
    assert_eq!(status.code(), Some(0), "stdout:\n{out}\nstderr:\n{err}");
    let values: Vec<&str> = out.lines().collect();
    let first_two = values.iter().position(|&v| v == "2").expect(&out);
    assert!(values[..first_two].iter().all(|&v| v == "1"), "{out}");
    assert_eq!(&values[first_two..], ["2", "2", "2"], "{out}");
    assert!(err.contains("  changed     fn value (v2)\n"), "{err}");
}

#[test]
fn a_program_that_ends_exits_at_once() {
    let dir = scratch("ends");
    save_in_place(&dir.join("prog.em"), "println(\"hi\");\n");
    let mut w = Watched::start(&dir, "prog.em");
    let status = w.wait_exit();
    assert_eq!(status.code(), Some(0), "{}", w.err());
    assert_eq!(w.out(), "hi\n");
    assert_eq!(
        w.err(),
        "watching prog.em for changes (Ctrl-C to stop)\n",
        "{}",
        w.err()
    );
}

#[test]
fn errors_are_reported_as_by_ember_run() {
    let dir = scratch("errors");

    // A runtime error of the top-level code: reported with its place, 1.
    save_in_place(
        &dir.join("fails.em"),
        "fn f(i: int) -> int { [1, 2][i] }\nprintln(\"before\");\nprintln(str(f(5)));\n",
    );
    let mut w = Watched::start(&dir, "fails.em");
    let status = w.wait_exit();
    let err = w.err();
    assert_eq!(status.code(), Some(1), "{err}");
    assert_eq!(w.out(), "before\n");
    assert!(err.contains("\nerror: "), "{err}");
    assert!(err.contains("fails.em:1:"), "{err}");

    // A runtime error in a thread nobody joined: reported, 1.
    save_in_place(
        &dir.join("thread.em"),
        "fn boom() { panic(\"boom\"); }\nspawn boom();\n",
    );
    let mut w = Watched::start(&dir, "thread.em");
    let status = w.wait_exit();
    let err = w.err();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("error: boom"), "{err}");
    assert!(err.contains("nobody joined"), "{err}");

    // The first version does not compile: diagnostics, 1, nothing run.
    save_in_place(
        &dir.join("bad.em"),
        "println(\"never\");\nlet x: int = \"hi\";\n",
    );
    let mut w = Watched::start(&dir, "bad.em");
    let status = w.wait_exit();
    let err = w.err();
    assert_eq!(status.code(), Some(1), "{err}");
    assert_eq!(w.out(), "");
    assert!(err.starts_with("error[E0200]"), "{err}");
    assert!(err.contains("--> bad.em:2:"), "{err}");
    assert!(!err.contains("watching"), "{err}");

    // A missing file is bad usage, as for `ember run`.
    let mut w = Watched::start(&dir, "nope.em");
    assert_eq!(w.wait_exit().code(), Some(2));
}

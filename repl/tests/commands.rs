//! REPL commands whose output varies from run to run (addresses, machine
//! code, timings) or that need time to pass (`:watch`): the `ember` binary
//! with piped standard input, its output checked with patterns. The exact
//! cases are transcripts (`tests/repl/cmd_*.txt`).

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// A running `ember` whose output lines arrive on channels.
struct Repl {
    child: Child,
    stdin: Option<ChildStdin>,
    out: Receiver<String>,
    err: Receiver<String>,
}

impl Repl {
    fn start() -> Repl {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ember"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("NO_COLOR", "1")
            .spawn()
            .expect("run ember");
        let lines = |pipe: Box<dyn std::io::Read + Send>| {
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
            rx
        };
        let out = lines(Box::new(child.stdout.take().unwrap()));
        let err = lines(Box::new(child.stderr.take().unwrap()));
        Repl {
            stdin: child.stdin.take(),
            child,
            out,
            err,
        }
    }

    fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("open");
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// Standard output lines up to and including the first that `done`
    /// accepts (panics after a while).
    fn out_until(&self, done: impl Fn(&str) -> bool) -> Vec<String> {
        until(&self.out, done, "standard output")
    }

    fn err_until(&self, done: impl Fn(&str) -> bool) -> Vec<String> {
        until(&self.err, done, "standard error")
    }

    /// Close standard input and wait for the exit status.
    fn finish(mut self) -> Option<i32> {
        drop(self.stdin.take());
        let status = self.child.wait().unwrap();
        status.code()
    }
}

impl Drop for Repl {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn until(rx: &Receiver<String>, done: impl Fn(&str) -> bool, what: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut lines = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                let stop = done(&line);
                lines.push(line);
                if stop {
                    return lines;
                }
            }
            Err(_) => panic!("{what} ended or timed out; so far:\n{}", lines.join("\n")),
        }
    }
}

/// A line of `:asm` output: `   offset:  instruction`.
fn is_asm_line(line: &str) -> bool {
    let Some((off, ins)) = line.split_once(":  ") else {
        return false;
    };
    let off = off.trim_start();
    !off.is_empty() && off.chars().all(|c| c.is_ascii_hexdigit()) && !ins.trim().is_empty()
}

#[test]
fn ir_shows_the_current_version() {
    let mut repl = Repl::start();
    repl.send("fn sq(x: int) -> int { x * x }");
    repl.send(":ir sq");
    let ir = repl.out_until(|l| l == "}");
    assert!(ir[0].starts_with("function "), "{ir:?}");
    assert!(ir.iter().any(|l| l.contains(" imul.i64 ")), "{ir:?}");
    assert!(ir.iter().any(|l| l.contains("return ")), "{ir:?}");
    // Redefined: the IR follows.
    repl.send("fn sq(x: int) -> int { x + x }");
    repl.send(":ir sq");
    let ir = repl.out_until(|l| l == "}");
    assert!(ir.iter().any(|l| l.contains(" iadd.i64 ")), "{ir:?}");
    assert!(!ir.iter().any(|l| l.contains(" imul.i64 ")), "{ir:?}");
    assert_eq!(repl.finish(), Some(0));
}

#[test]
fn asm_disassembles_the_installed_code() {
    let mut repl = Repl::start();
    repl.send("fn sq(x: int) -> int { x * x }");
    repl.send(":asm sq");
    repl.send("1234567");
    let asm = repl.out_until(|l| l == "1234567");
    let header = &asm[0];
    assert!(header.starts_with("; fn sq (v1): "), "{asm:?}");
    let bytes: usize = header["; fn sq (v1): ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(header.contains(" bytes at 0x"), "{header}");
    let body: Vec<&String> = asm[1..asm.len() - 1]
        .iter()
        .filter(|l| !l.starts_with("; <repl>:"))
        .collect();
    assert!(body.len() >= 4, "{asm:?}");
    assert!(body.iter().all(|l| is_asm_line(l)), "{asm:?}");
    // The last instruction starts before the end of the code.
    let last = body.last().unwrap().split(':').next().unwrap().trim();
    assert!(usize::from_str_radix(last, 16).unwrap() < bytes, "{asm:?}");
    assert!(
        body.iter().any(|l| l.ends_with(":  ret")),
        "a function returns: {asm:?}"
    );
    assert!(
        body.iter()
            .any(|l| l.contains("imul") || l.contains("mul x")),
        "{asm:?}"
    );
    // Another version, another body.
    repl.send("fn sq(x: int) -> int { x * x + 1 }");
    repl.send(":asm sq");
    let again = repl.out_until(|l| l.starts_with("; fn sq"));
    assert!(
        again.last().unwrap().starts_with("; fn sq (v2): "),
        "{again:?}"
    );
    assert_eq!(repl.finish(), Some(0));
}

/// `:asm` and `:ir` say which source line each run of instructions comes
/// from: `; FILE:LINE  text` before the first of them.
#[test]
fn asm_and_ir_show_the_source_lines() {
    let mut repl = Repl::start();
    for line in [
        "fn tri(n: int) -> int {",
        "    let mut total = 0;",
        "    for i in 0..n {",
        "        total += i * 7;",
        "    }",
        "    total",
        "}",
    ] {
        repl.send(line);
    }
    repl.send(":asm tri");
    repl.send("1234567");
    let asm = repl.out_until(|l| l == "1234567");
    let markers: Vec<&String> = asm.iter().filter(|l| l.starts_with("; <repl>:")).collect();
    assert!(
        markers.iter().any(|m| *m == "; <repl>:4  total += i * 7;"),
        "{asm:?}"
    );
    assert!(
        markers
            .iter()
            .any(|m| *m == "; <repl>:2  let mut total = 0;"),
        "{asm:?}"
    );
    // A marker is followed by an instruction, and lines are not marked
    // twice in a row.
    for pair in asm[1..asm.len() - 1].windows(2) {
        if pair[0].starts_with("; <repl>:") {
            assert!(is_asm_line(&pair[1]), "{asm:?}");
        }
    }
    // The IR, as translated: markers before its instructions too.
    repl.send(":ir tri");
    let ir = repl.out_until(|l| l == "}");
    assert!(
        ir.iter().any(|l| l == "; <repl>:4  total += i * 7;"),
        "{ir:?}"
    );
    assert_eq!(repl.finish(), Some(0));
}

/// `:ir NAME opt`: the IR after Cranelift's optimizations (a constant
/// expression folded), `:ir NAME` before them.
#[test]
fn ir_opt_shows_the_optimized_ir() {
    let mut repl = Repl::start();
    repl.send("fn k(x: int) -> int { x + (2 + 3) * 4 }");
    repl.send(":ir k");
    let ir = repl.out_until(|l| l == "}");
    assert!(ir[0].starts_with("function "), "{ir:?}");
    assert!(ir.iter().any(|l| l.contains(" imul")), "{ir:?}");
    repl.send(":ir k opt");
    let opt = repl.out_until(|l| l == "}");
    assert!(opt[0].starts_with("function "), "{opt:?}");
    assert!(!opt.iter().any(|l| l.contains(" imul")), "{opt:?}");
    assert!(opt.iter().any(|l| l.contains("iconst.i64 20")), "{opt:?}");
    assert!(opt.iter().any(|l| l.contains("return ")), "{opt:?}");
    assert_eq!(repl.finish(), Some(0));
}

#[test]
fn stats_show_count_median_p99_and_code_bytes() {
    let mut repl = Repl::start();
    repl.send("fn f() -> int { 1 }");
    repl.send("fn f() -> int { 2 }");
    repl.send("fn f() -> int { 3 }");
    repl.send(":stats");
    let stats = repl.out_until(|l| l.ends_with(" in the background"));
    assert_eq!(stats[0], "3 transactions", "{stats:?}");
    let header: Vec<&str> = stats[1].split_whitespace().collect();
    assert_eq!(header, ["phase", "median", "p99"]);
    for (row, phase) in stats[2..7]
        .iter()
        .zip(["parse", "check", "compile", "pause", "total"])
    {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols.len(), 5, "{row}");
        assert_eq!(cols[0], phase);
        let median: f64 = cols[1].parse().unwrap();
        let p99: f64 = cols[3].parse().unwrap();
        assert!(median <= p99, "{row}");
        assert_eq!((cols[2], cols[4]), ("µs", "µs"), "{row}");
    }
    // Code written, and the replaced bodies reclaimed (old versions of
    // `f` are freed at later pauses).
    let code: Vec<&str> = stats[7].split_whitespace().collect();
    assert_eq!(code[0], "code:", "{stats:?}");
    assert!(code[1].parse::<u64>().unwrap() > 0, "{stats:?}");
    assert_eq!(code[2..4], ["bytes", "written,"], "{stats:?}");
    assert!(code[4].parse::<u64>().unwrap() > 0, "reclaimed: {stats:?}");
    assert!(stats[8].starts_with("code memory: "), "{stats:?}");
    let live: u64 = stats[8]["code memory: ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(live > 0, "{stats:?}");
    assert_eq!(repl.finish(), Some(0));
}

#[test]
fn time_measures_what_it_runs() {
    let mut repl = Repl::start();
    repl.send(":time sleep(200)");
    let lines = repl.out_until(|l| l.starts_with("time: "));
    // `time: 201.3 ms (check and compile 412 µs, run 200.9 ms)`
    let line = lines.last().unwrap();
    let run = line.split("run ").nth(1).unwrap();
    let (n, unit) = run.trim_end_matches(')').split_once(' ').unwrap();
    let ms = match unit {
        "ms" => n.parse::<f64>().unwrap(),
        "s" => n.parse::<f64>().unwrap() * 1000.0,
        _ => panic!("{line}"),
    };
    assert!(ms >= 200.0, "{line}");
    assert_eq!(repl.finish(), Some(0));
}

/// A file in a fresh temporary folder.
fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ember-repl-{}-{}",
        std::process::id(),
        name.replace('.', "-")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn watch_reloads_on_save_while_the_session_waits() {
    let path = temp_file(
        "live.em",
        "let mut hits: int = 0;\nfn answer() -> int { 1 }\n",
    );
    let mut repl = Repl::start();
    repl.send(&format!(":watch {}", path.display()));
    repl.out_until(|l| l.starts_with("watching "));
    repl.send("hits = 5;");
    repl.send("answer()");
    assert_eq!(repl.out_until(|_| true), ["1"]);

    // A save is reloaded without any input: the report comes by itself.
    std::fs::write(&path, "let mut hits: int = 0;\nfn answer() -> int { 42 }\n").unwrap();
    let report = repl.err_until(|l| l.contains(" added, "));
    assert!(
        report
            .iter()
            .any(|l| l.contains("changed") && l.contains("fn answer (v2)")),
        "{report:?}"
    );
    assert!(report.last().unwrap().contains("1 changed"), "{report:?}");
    repl.send("answer() + hits");
    // The global kept its value.
    assert_eq!(repl.out_until(|_| true), ["47"]);

    // An edit that does not compile: diagnostics, the old definition stays.
    std::fs::write(
        &path,
        "let mut hits: int = 0;\nfn answer() -> int { \"no\" }\n",
    )
    .unwrap();
    let diag = repl.err_until(|l| l.starts_with("error: aborting"));
    assert!(diag[0].starts_with("error[E0200]"), "{diag:?}");
    repl.send("answer()");
    assert_eq!(repl.out_until(|_| true), ["42"]);

    // After `:unwatch`, saves are not reloaded.
    repl.send(":unwatch");
    repl.out_until(|l| l.starts_with("stopped watching "));
    std::fs::write(&path, "let mut hits: int = 0;\nfn answer() -> int { 7 }\n").unwrap();
    std::thread::sleep(Duration::from_millis(800));
    repl.send("answer()");
    assert_eq!(repl.out_until(|_| true), ["42"]);
    // `:reload` still reloads it on request.
    repl.send(":reload");
    let report = repl.err_until(|l| l.contains(" added, "));
    assert!(report.last().unwrap().contains("1 changed"), "{report:?}");
    repl.send("answer()");
    assert_eq!(repl.out_until(|_| true), ["7"]);
    assert_eq!(repl.finish(), Some(0));
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn reset_stops_threads_and_forgets_everything() {
    let mut repl = Repl::start();
    repl.send("let c: chan[int] = chan();");
    repl.send("let ready: chan[int] = chan();");
    // Each thread says it runs before it spins or blocks, so both are
    // registered when `:threads` looks.
    repl.send("fn spin(ready: chan[int]) -> int { send(ready, 1); let mut n = 0; while true { n += 1; } n }");
    repl.send("fn block(c: chan[int], ready: chan[int]) -> int { send(ready, 2); recv(c) }");
    repl.send("let a = spawn spin(ready);");
    repl.send("let b = spawn block(c, ready);");
    repl.send("recv(ready) + recv(ready)");
    assert_eq!(repl.out_until(|_| true), ["3"]);
    // From `send` to `recv` takes microseconds; give it far more.
    repl.send("sleep(100);");
    repl.send(":threads");
    repl.send("1234567");
    let mut threads = repl.out_until(|l| l == "1234567");
    threads.pop();
    assert_eq!(threads.len(), 4, "{threads:?}");
    assert_eq!(threads[0], "3 threads", "{threads:?}");
    assert_eq!(threads[1], "  #1   idle     the session", "{threads:?}");
    // The spinner runs or is parked at a safe point; the other waits in
    // `recv`.
    assert!(
        threads[2..].iter().any(|l| l.ends_with("spawned, in spin")
            && (l.contains(" running ") || l.contains(" parked "))),
        "{threads:?}"
    );
    assert!(
        threads[2..]
            .iter()
            .any(|l| l.ends_with(" parked   spawned, in block")),
        "{threads:?}"
    );
    repl.send(":reset");
    let reset = repl.out_until(|l| l.starts_with("session reset"));
    assert_eq!(
        reset.last().unwrap(),
        "session reset: every definition and global is gone; 2 threads stopped"
    );
    repl.send(":threads");
    assert_eq!(
        repl.out_until(|l| l.contains("the session")),
        ["1 thread", "  #1   idle     the session"]
    );
    // The session goes on, from nothing.
    repl.send("fn spin() -> str { \"new\" }");
    repl.send("spin()");
    assert_eq!(repl.out_until(|_| true), ["\"new\""]);
    assert_eq!(repl.finish(), Some(0));
}

#[test]
fn reset_right_after_spawn_stops_the_new_thread() {
    // The thread may not have started when `:reset` asks it to stop.
    for _ in 0..5 {
        let mut repl = Repl::start();
        repl.send("let c: chan[int] = chan();");
        repl.send("fn forever(c: chan[int]) { while true { recv(c); } }");
        repl.send("let t = spawn forever(c);");
        repl.send(":reset");
        let reset = repl.out_until(|l| l.starts_with("session reset"));
        assert_eq!(
            reset.last().unwrap(),
            "session reset: every definition and global is gone; 1 thread stopped"
        );
        assert_eq!(repl.finish(), Some(0));
    }
}

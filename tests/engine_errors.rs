//! Every `tests/errors/runtime_*.em` raises the runtime error its first
//! comment line describes: "message starts with `M`" and "stack: f (line
//! N), g (line M)" (exact frames) or "innermost frames: ..." / "the
//! thread's stack: ..." (leading frames).

use std::path::Path;

use ember::{EmberError, Engine, Error};

struct Expect {
    message: String,
    frames: Vec<(String, u32)>,
    exact: bool,
}

fn parse_header(line: &str) -> Expect {
    let message = line
        .split("message starts with `")
        .nth(1)
        .and_then(|r| r.split('`').next())
        .unwrap_or("")
        .to_string();
    let (list, exact) = if let Some(r) = line.split("the thread's stack: ").nth(1) {
        (r, false)
    } else if let Some(r) = line.split("innermost frames: ").nth(1) {
        (r, false)
    } else if let Some(r) = line.split("stack: ").nth(1) {
        (r, true)
    } else {
        ("", false)
    };
    let mut frames = Vec::new();
    for part in list.split("),") {
        let part = part.trim();
        let Some((name, rest)) = part.split_once(" (line ") else {
            break;
        };
        let n: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        frames.push((name.trim().to_string(), n.parse().unwrap_or(0)));
        if rest.contains('.') {
            break;
        }
    }
    Expect {
        message,
        frames,
        exact,
    }
}

fn check(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).unwrap();
    let want = parse_header(text.lines().next().unwrap_or(""));
    let mut e = Engine::new().unwrap();
    e.capture_output(true);
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let r = e.run_source(&name, &text);
    let mut thread_errors = e.wait_threads();
    let err: EmberError = match r {
        Err(Error::Runtime(err)) => err,
        Ok(_) if !thread_errors.is_empty() => thread_errors.remove(0),
        Ok(_) => return Err("no error raised".into()),
        Err(other) => return Err(format!("not a runtime error: {other}")),
    };
    if !err.message.starts_with(&want.message) {
        return Err(format!(
            "message {:?}, want {:?}",
            err.message, want.message
        ));
    }
    let got: Vec<(String, u32)> = err
        .stack
        .iter()
        .map(|f| (f.function.clone(), f.line))
        .collect();
    let ok = if want.exact {
        got == want.frames
    } else {
        got.len() >= want.frames.len() && got[..want.frames.len()] == want.frames[..]
    };
    if !ok {
        return Err(format!("stack {got:?}, want {:?}\n{err}", want.frames));
    }
    for f in &err.stack {
        if f.file != name || f.col == 0 {
            return Err(format!("bad frame {f}"));
        }
    }
    Ok(())
}

#[test]
fn runtime_errors_have_message_and_stack() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("runtime_")
        })
        .filter(|p| p.extension().is_some_and(|x| x == "em"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|p| check(p).err().map(|e| format!("{}: {e}", p.display())))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn deep_stacks_are_truncated_in_the_middle() {
    let mut e = Engine::new().unwrap();
    let r = e.run_source(
        "deep.em",
        "fn f(n: int) -> int { f(n + 1) + 1 }\nprintln(f(0));",
    );
    let Err(Error::Runtime(err)) = r else {
        panic!("expected stack overflow, got {r:?}");
    };
    assert_eq!(err.message, "stack overflow");
    assert!(err.omitted > 1000, "{}", err.omitted);
    assert_eq!(
        err.stack.len(),
        EmberError::KEEP_INNER + EmberError::KEEP_OUTER
    );
    assert_eq!(err.stack.last().unwrap().function, "<main>");
    // The engine stays usable after an error.
    e.capture_output(true);
    e.run_source("again.em", "println(f(-5) * 0 + 1);").ok();
    let r = e.run_source("ok.em", "println(40 + 2);");
    assert!(r.is_ok(), "{r:?}");
    assert!(e.take_output().ends_with("42\n"));
}

#[test]
fn stack_overflow_in_a_spawned_thread_is_joined_as_an_error() {
    let mut e = Engine::new().unwrap();
    let t0 = std::time::Instant::now();
    let r = e.run_source(
        "deep_thread.em",
        "fn f(n: int) -> int { f(n + 1) + 1 }\nfn g() { println(f(0)); }\nlet t = spawn g();\njoin(t);",
    );
    let Err(Error::Runtime(err)) = r else {
        panic!("{r:?}")
    };
    assert_eq!(err.message, "stack overflow");
    assert_eq!(err.stack[0].function, "f");
    assert!(err.omitted > 10_000);
    let last = err.stack.last().unwrap();
    assert_eq!((last.function.as_str(), last.line), ("<main>", 4));
    assert!(t0.elapsed().as_secs() < 20);
}

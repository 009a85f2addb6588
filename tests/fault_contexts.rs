//! Every kind of runtime fault (LANGUAGE.md §6, stack overflow, heap
//! limit, interrupt and time limit) in every context Ember code runs in:
//! a file's top-level code, a REPL entry, a spawned thread, an embedder's
//! call (on the engine's thread and through a handle on another host
//! thread), and a host function that calls back into Ember. Each fault is
//! an error with its message and an Ember stack naming the faulting
//! function and its caller; afterwards the same engine — and, where the
//! fault was on it, the same thread — runs Ember code again with its state
//! intact. (`ember run` and the REPL binary are covered by `tests/errors/`
//! and `tests/repl/`.)

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use ember::{EmberError, Engine, Error};
use ember_jit::runtime::ctx::ThreadCtx;

/// One fault: `fault(n)` on line 1 raises it (`n` is 1).
struct Fault {
    name: &'static str,
    body: &'static str,
    message: &'static str,
}

const FAULTS: &[Fault] = &[
    Fault {
        name: "division",
        body: "n / (n - 1)",
        message: "division by zero",
    },
    Fault {
        name: "overflow",
        body: "(-9223372036854775807 - n) / (0 - n)",
        message: "integer overflow",
    },
    Fault {
        name: "bounds",
        body: "[1, 2][n + 5]",
        message: "index out of bounds: index 6, length 2",
    },
    Fault {
        name: "empty pop",
        body: "{ let mut a: [int] = []; if n > 5 { a.push(n); } pop(a) }",
        message: "pop from empty array",
    },
    Fault {
        name: "missing key",
        body: "[\"a\": 1][str(n)]",
        message: "key not found: \"1\"",
    },
    Fault {
        name: "unwrap",
        body: "{ let o: int? = if n > 5 { n } else { none }; o! }",
        message: "unwrap of none",
    },
    Fault {
        name: "cast",
        body: "(1e300 * n as float) as int",
        message: "invalid cast: 1e300 as int (NaN or out of the int range)",
    },
    Fault {
        name: "parse",
        body: "parse_int(\"x\" + str(n))",
        message: "cannot parse \"x1\" as int",
    },
    Fault {
        name: "panic",
        body: "{ panic(\"gave up at \" + str(n)); n }",
        message: "gave up at 1",
    },
    Fault {
        name: "assert",
        body: "{ assert(n > 5, \"n is small\"); n }",
        message: "assertion failed: n is small",
    },
    Fault {
        name: "stack overflow",
        body: "fault(n + 1) + 1",
        message: "stack overflow",
    },
    Fault {
        name: "out of memory",
        body: "{ let mut hoard: [str] = []; while true { hoard.push(\"some text that takes room \" + str(len(hoard))); } n }",
        message: "out of memory",
    },
    Fault {
        name: "time limit",
        body: "{ let mut i = n; while i > 0 { i += 1; } i }",
        message: "interrupted",
    },
];

/// The definitions every context uses: `fault` (line 1), `outer` (line
/// 2), a unit wrapper for `spawn` (line 3), a caller through the host
/// (line 4) and a global that must survive.
fn program(f: &Fault) -> String {
    format!(
        "fn fault(n: int) -> int {{ {} }}\n\
         fn outer(n: int) -> int {{ fault(n) + 1 }}\n\
         fn runner() {{ outer(1); }}\n\
         fn via_host(n: int) -> int {{ call_back(n) + 1 }}\n\
         let mut survived = 41;\n",
        f.body
    )
}

fn engine_for(f: &Fault) -> Engine {
    let mut builder = Engine::builder();
    if f.name == "out of memory" {
        builder = builder.heap_config(ember::HeapConfig {
            limit: 32 << 20,
            min_threshold: 4 << 20,
            ..ember::HeapConfig::default()
        });
    }
    let mut e = builder.build().expect("engine");
    e.capture_output(true);
    // Only the time-limit fault can need it; the others end far sooner.
    e.set_time_limit(Some(if f.name == "time limit" {
        Duration::from_millis(100)
    } else {
        Duration::from_secs(60)
    }));
    register_call_back(&mut e);
    e
}

/// Assert `err` is fault `f` raised in `fault` (line 1) called from
/// `outer` (line 2) of `file`, then what `then` lists (outer frames).
fn assert_fault(f: &Fault, err: &EmberError, file: &str, then: &[&str]) {
    let text = err.to_string();
    assert_eq!(err.message, f.message, "{}: {text}", f.name);
    let names: Vec<&str> = err.stack.iter().map(|fr| fr.function.as_str()).collect();
    assert_eq!(names.first(), Some(&"fault"), "{}: {text}", f.name);
    assert!(
        text.contains(&format!("  at fault ({file}:1:")),
        "{}: {text}",
        f.name
    );
    let mut want = vec!["outer"];
    want.extend_from_slice(then);
    // Below the (possibly many) `fault` frames: exactly the callers.
    let callers: Vec<&str> = names.iter().copied().filter(|n| *n != "fault").collect();
    assert_eq!(callers, want, "{}: {text}", f.name);
    assert!(
        text.contains(&format!("  at outer ({file}:2:")),
        "{}: {text}",
        f.name
    );
}

/// The engine still runs Ember code on this thread, with the global kept.
fn assert_goes_on(e: &mut Engine, f: &Fault) {
    let (w, _) = e
        .run_entry("<repl>", "survived += 1;\nsurvived")
        .unwrap_or_else(|err| panic!("{}: engine did not go on: {err}", f.name))
        .expect("a value");
    assert_eq!(w, 42, "{}", f.name);
}

fn runtime(r: Result<impl std::fmt::Debug, Error>, f: &Fault) -> EmberError {
    match r {
        Err(Error::Runtime(e)) => e,
        other => panic!("{}: expected a runtime error, got {other:?}", f.name),
    }
}

#[test]
fn in_a_files_top_level_code() {
    for f in FAULTS {
        let mut e = engine_for(f);
        let src = format!("{}outer(1);\n", program(f));
        let err = runtime(e.run_source("fault.em", &src), f);
        assert_fault(f, &err, "fault.em", &["<main>"]);
        assert!(err.to_string().contains("  at <main> (fault.em:6:1)"));
        assert_goes_on(&mut e, f);
    }
}

#[test]
fn in_a_repl_entry() {
    for f in FAULTS {
        let mut e = engine_for(f);
        e.run_entry("<repl>", &program(f)).expect("define");
        let err = runtime(e.run_entry("<repl>", "outer(1)"), f);
        assert_fault(f, &err, "<repl>", &["<main>"]);
        assert_goes_on(&mut e, f);
    }
}

#[test]
fn in_a_spawned_thread() {
    for f in FAULTS {
        let mut e = engine_for(f);
        e.run_source("fault.em", &program(f)).expect("define");
        let err = if f.name == "time limit" {
            // A spawned thread is not under the caller's time limit: the
            // interrupt handle stops it, while this thread is not running
            // Ember code (else it would stop this thread's `join` too).
            e.run_entry("<repl>", "let t = spawn runner();")
                .expect("spawn");
            std::thread::sleep(Duration::from_millis(200));
            e.interrupt_handle().interrupt();
            runtime(e.run_entry("<repl>", "join(t)"), f)
        } else {
            runtime(e.run_entry("<repl>", "join(spawn runner())"), f)
        };
        // The thread's frames, then the joiner's.
        assert_fault(f, &err, "fault.em", &["runner", "<main>"]);
        assert_goes_on(&mut e, f);
    }
}

#[test]
fn in_an_embedders_call() {
    for f in FAULTS {
        let mut e = engine_for(f);
        e.run_source("fault.em", &program(f)).expect("define");
        let err = runtime(e.call("outer", &[1]), f);
        assert_fault(f, &err, "fault.em", &[]);
        assert_goes_on(&mut e, f);
    }
}

#[test]
fn in_a_handle_called_from_another_host_thread() {
    for f in FAULTS {
        let mut e = engine_for(f);
        e.run_source("fault.em", &program(f)).expect("define");
        let h = e.function_handle("outer").expect("handle");
        let h2 = h.clone();
        let err = std::thread::spawn(move || h2.call_words(&[1]))
            .join()
            .expect("host thread survives")
            .expect_err("fault");
        assert_fault(f, &err, "fault.em", &[]);
        // The same host thread... and the engine's own go on.
        let w = std::thread::spawn(move || {
            let first = h.call_words(&[1]);
            assert!(first.is_err());
            first
        })
        .join()
        .expect("host thread survives");
        assert!(w.is_err());
        assert_goes_on(&mut e, f);
    }
}

/// What the host function received from its nested call, per fault.
static SEEN: Mutex<Vec<EmberError>> = Mutex::new(Vec::new());
static OUTER: OnceLock<Mutex<Option<ember::FnHandle>>> = OnceLock::new();

/// `call_back(n)`: calls `outer(n)` back in Ember; a failure of that call
/// is recorded and raised again in the caller.
extern "C" fn call_back(ctx: *mut ThreadCtx, n: i64) -> i64 {
    let handle = OUTER.get().and_then(|m| m.lock().unwrap().clone());
    let Some(h) = handle else {
        ember_jit::runtime::builtins::fail(ctx, "no callback");
        return 0;
    };
    match h.call_words(&[n as u64]) {
        Ok(w) => w as i64,
        Err(e) => {
            let message = format!("callback failed: {}", e.message);
            SEEN.lock().unwrap().push(e);
            ember_jit::runtime::builtins::fail(ctx, message);
            0
        }
    }
}

fn register_call_back(e: &mut Engine) {
    let ty = ember::lang::FnType {
        params: vec![ember::lang::Type::Int],
        ret: ember::lang::Type::Int,
    };
    // SAFETY: `call_back` has the signature RUNTIME.md gives for
    // `fn(int) -> int`, and fails through `builtins::fail`.
    unsafe { e.register_host("call_back", ty, call_back as *const () as usize) }.expect("register");
}

#[test]
fn in_a_host_function_calling_back_into_ember() {
    for f in FAULTS {
        let mut e = engine_for(f);
        e.run_source("fault.em", &program(f)).expect("define");
        *OUTER.get_or_init(|| Mutex::new(None)).lock().unwrap() =
            Some(e.function_handle("outer").expect("handle"));
        SEEN.lock().unwrap().clear();
        let err = runtime(e.run_entry("<repl>", "via_host(1)"), f);
        // The host saw the nested fault with the whole stack, across the
        // host boundary...
        let seen = SEEN.lock().unwrap().pop().expect("the host saw an error");
        assert_fault(f, &seen, "fault.em", &["via_host", "<main>"]);
        // ...and the error it raised names the Ember caller.
        assert_eq!(err.message, format!("callback failed: {}", f.message));
        let text = err.to_string();
        assert!(
            text.contains("  at via_host (fault.em:4:")
                && text.contains("  at <main> (<repl>:1:1)"),
            "{}: {text}",
            f.name
        );
        assert_goes_on(&mut e, f);
    }
}

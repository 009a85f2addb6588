//! Bounded property tests for the front end: on any input, parsing,
//! checking and rendering diagnostics must not panic, and must finish
//! quickly.
//!
//! Inputs: random bytes, random sequences of Ember tokens and snippets, and
//! mutations of valid programs (a built-in corpus plus `tests/programs/*.em`
//! and `examples/*.em`). The generator is seeded, so a run is reproducible;
//! `EMBER_PROP_SEED=N` picks another seed and `EMBER_PROP_CASES=N` another
//! number of cases per property (e.g. for a longer local soak).
//!
//! A failing case is shrunk (chunks removed while it still fails) and
//! printed. A case that does not finish in time fails the test (the hung
//! worker is left behind).
//!
//! The unbounded variant of this is the cargo-fuzz target in `fuzz/`.

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use ember::lang::{self, Env, SourceMap};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The time one case may take (debug build, loaded machine) before it
/// counts as a hang.
const CASE_LIMIT: Duration = Duration::from_secs(5);
/// Stack of the worker threads: that of a main thread (8 MiB), where the
/// `ember` command runs the front end.
const STACK: usize = 8 << 20;

/// Everything the front end does with one input. Panics are the failure.
fn front_end(src: &str) {
    for entry in [false, true] {
        let mut sources = SourceMap::new();
        let file = sources.add("prop.em", src);
        let (module, mut diags) = if entry {
            lang::parse_entry(file, src)
        } else {
            lang::parse_file(file, src)
        };
        if let Err(more) = lang::check_module(&module, &Env::default()) {
            diags.extend(more);
        }
        let plain = lang::render::render(&diags, &sources, false);
        let _ = lang::render::render(&diags, &sources, true);
        // Every diagnostic produces some text.
        assert!(diags.is_empty() || !plain.is_empty());
        drop(module);
    }
}

fn seed() -> u64 {
    std::env::var("EMBER_PROP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x00e3_be55)
}

fn cases(default: usize) -> usize {
    std::env::var("EMBER_PROP_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn panics(src: &str) -> Option<String> {
    let src = src.to_string();
    let result = thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || panic::catch_unwind(AssertUnwindSafe(|| front_end(&src))))
        .expect("spawn")
        .join();
    match result {
        Ok(Ok(())) => None,
        Ok(Err(payload)) => Some(panic_message(&*payload)),
        Err(_) => Some("worker thread died".into()),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic".into()
    }
}

/// Remove chunks (halving their size) while the input still panics.
fn shrink(input: String) -> String {
    shrink_by(input, |s| panics(s).is_some())
}

/// Remove chunks (halving their size) while `fails` still holds.
fn shrink_by(mut input: String, fails: impl Fn(&str) -> bool) -> String {
    let mut chunk = input.len().max(1);
    let started = Instant::now();
    while chunk > 0 && started.elapsed() < Duration::from_secs(20) {
        let mut i = 0;
        let mut removed = false;
        while i < input.len() {
            let (lo, hi) = (i, (i + chunk).min(input.len()));
            if input.is_char_boundary(lo) && input.is_char_boundary(hi) {
                let candidate = format!("{}{}", &input[..lo], &input[hi..]);
                if fails(&candidate) {
                    input = candidate;
                    removed = true;
                    continue;
                }
            }
            i += chunk;
        }
        if !removed {
            chunk /= 2;
        }
    }
    input
}

/// The input as a Rust string literal, cut to a readable length.
fn excerpt(input: &str) -> String {
    const MAX: usize = 600;
    if input.len() <= MAX {
        format!("{input:?}")
    } else {
        let cut = floor_boundary(input, MAX);
        format!("{:?}... ({} more bytes)", &input[..cut], input.len() - cut)
    }
}

enum Event {
    Start(String),
    Done,
    Panicked(String, String),
}

/// Run `front_end` on every generated input in a worker thread, failing on
/// the first panic (shrunk) or on a case slower than [`CASE_LIMIT`].
fn check_all(property: &str, inputs: impl Iterator<Item = String> + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let worker = thread::Builder::new()
        .name(format!("prop-{property}"))
        .stack_size(STACK)
        .spawn(move || {
            for input in inputs {
                if tx.send(Event::Start(input.clone())).is_err() {
                    return;
                }
                let event = match panic::catch_unwind(AssertUnwindSafe(|| front_end(&input))) {
                    Ok(()) => Event::Done,
                    Err(payload) => Event::Panicked(input, panic_message(&*payload)),
                };
                let stop = matches!(event, Event::Panicked(..));
                if tx.send(event).is_err() || stop {
                    return;
                }
            }
        })
        .expect("spawn worker");
    let mut current = String::new();
    let mut count = 0usize;
    let mut slowest = Duration::ZERO;
    let mut started = Instant::now();
    loop {
        match rx.recv_timeout(CASE_LIMIT) {
            Ok(Event::Start(input)) => {
                current = input;
                started = Instant::now();
            }
            Ok(Event::Done) => {
                count += 1;
                slowest = slowest.max(started.elapsed());
            }
            Ok(Event::Panicked(input, message)) => {
                let small = shrink(input.clone());
                panic!(
                    "{property}: the front end panicked ({message}) on case {count}\n\
                     input ({} bytes): {}\nshrunk: {}",
                    input.len(),
                    excerpt(&input),
                    excerpt(&small)
                );
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                "{property}: case {count} did not finish within {CASE_LIMIT:?}\ninput ({} bytes): {}",
                current.len(),
                excerpt(&current)
            ),
        }
    }
    worker.join().expect("worker");
    eprintln!("{property}: {count} cases, slowest {slowest:?}");
}

// ---------------------------------------------------------------------------
// Generators

/// Tokens and snippets of Ember, valid and broken.
const TOKENS: &[&str] = &[
    // keywords
    "fn",
    "struct",
    "let",
    "mut",
    "if",
    "else",
    "while",
    "for",
    "in",
    "break",
    "continue",
    "return",
    "true",
    "false",
    "none",
    "as",
    "spawn",
    // type names and identifiers
    "int",
    "float",
    "bool",
    "str",
    "map",
    "chan",
    "task",
    "x",
    "y",
    "n",
    "a",
    "f",
    "g",
    "Point",
    "p",
    "_",
    "count",
    "len",
    "push",
    "pop",
    "get",
    "println",
    "print",
    "main",
    "join",
    "send",
    "recv",
    "abs",
    "min",
    "substr",
    "panic",
    "assert",
    // literals, including edge cases
    "0",
    "1",
    "42",
    "1_000_000",
    "0xff",
    "0b1010",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "99999999999999999999999",
    "0x",
    "0b2",
    "1.5",
    "1e9",
    "2.5e-3",
    "4.0e+00",
    "1.",
    "1e",
    "1_000.5",
    "\"hi\"",
    "\"\"",
    "\"a\\n\\t\\\"\\u{1F525}\"",
    "\"\\u{110000}\"",
    "\"\\q\"",
    "\"unterminated",
    "'c'",
    "🔥",
    "é",
    "\u{0}",
    "\t",
    "\r\n",
    // operators and punctuation
    "+",
    "-",
    "*",
    "/",
    "%",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "&&",
    "||",
    "!",
    "&",
    "|",
    "^",
    "<<",
    ">>",
    "??",
    "=",
    "+=",
    "-=",
    "*=",
    "/=",
    "%=",
    "..",
    "..=",
    "->",
    ":",
    ";",
    ",",
    ".",
    "?",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    // comments
    "// line comment\n",
    "/* block */",
    "/* /* nested */ */",
    "/*",
    "*/",
    // snippets
    "fn f(x: int) -> int {",
    "fn g() {",
    "struct Point { x: float, y: float }",
    "let mut x = 0;",
    "let a: [int] = [];",
    "let m: map[str, int] = map();",
    "let c: chan[int] = chan();",
    "if let v = o {",
    "} else {",
    "for i in 0..n {",
    "for i in 0..=n {",
    "while x < 10 {",
    "return x;",
    "spawn f(1, 2)",
    "[1, 2, 3]",
    "[0; 8]",
    "[\"a\": 1, \"b\": 2]",
    "[:]",
    "Point { x: 1.0, y: 2.0 }",
    "p.x = 3.0;",
    "x as float",
    "o ?? 0",
    "o!",
    "names.push(\"x\")",
    "(fn(int) -> int)?",
    "fn(int) -> bool",
    "int?",
    "[[int]]",
    "a[i] += 1;",
    "{ let t = 1; t + 1 }",
    "println(str(x));",
    "let f: fn(int) -> int = f;",
    "(x.f)(1)",
];

/// Small valid programs; mutations of these reach deep into the checker.
const CORPUS: &[&str] = &[
    "fn add(a: int, b: int) -> int { a + b }\nprintln(add(1, 2));\n",
    "struct Point { x: float, y: float }\nfn norm(p: Point) -> float { sqrt(p.x * p.x + p.y * p.y) }\nlet p = Point { x: 3.0, y: 4.0 };\nprintln(norm(p));\n",
    "let mut counter = 0;\nfn bump() { counter += 1; }\nfor i in 0..10 { bump(); }\nprintln(counter);\n",
    "fn fib(n: int) -> int {\n    if n < 2 { return n; }\n    fib(n - 1) + fib(n - 2)\n}\nprintln(fib(20));\n",
    "let mut names: [str] = [];\nnames.push(\"a\");\npush(names, \"b\");\nfor s in names { println(s); }\nprintln(len(names));\n",
    "let m: map[str, int] = [\"a\": 1, \"b\": 2];\nm[\"c\"] = 3;\nif let v = get(m, \"a\") { println(v); } else { println(\"none\"); }\nprintln(keys(m));\n",
    "fn find_first(a: [int], x: int) -> int? {\n    for i in 0..len(a) { if a[i] == x { return i; } }\n    none\n}\nprintln(find_first([1, 2, 3], 2) ?? -1);\nprintln(find_first([1], 1)!);\n",
    "fn twice(f: fn(int) -> int, x: int) -> int { f(f(x)) }\nfn inc(x: int) -> int { x + 1 }\nprintln(twice(inc, 1));\n",
    "fn worker(c: chan[int], n: int) { for i in 0..n { send(c, i); } }\nlet c: chan[int] = chan();\nlet t = spawn worker(c, 3);\nlet mut sum = 0;\nfor i in 0..3 { sum += recv(c); }\njoin(t);\nprintln(sum);\n",
    "let x = 0xff & 0b1010 | 3 ^ 1 << 2 >> 1;\nlet y = -9223372036854775808;\nlet z = 2.5e-3 as int;\nlet b = true && !false || 1 < 2;\nprintln(str(x) + \" \" + str(y) + \" \" + str(z) + \" \" + str(b));\n",
    "/* block /* nested */ comment */\nfn even(n: int) -> bool { if n == 0 { true } else { odd(n - 1) } }\nfn odd(n: int) -> bool { if n == 0 { false } else { even(n - 1) } }\nprintln(even(10));\n",
    "let grid = [[0; 3]; 3];\ngrid[1][1] = 5;\nlet mut i = 0;\nwhile i < 3 { i += 1; if i == 2 { continue; } if i > 5 { break; } }\nprintln(grid);\n",
];

fn random_bytes(rng: &mut StdRng) -> String {
    let n = rng.random_range(0..256);
    let bytes: Vec<u8> = (0..n)
        .map(|_| {
            if rng.random_bool(0.7) {
                // Mostly printable ASCII, where lexer states live.
                rng.random_range(0x20..0x7f)
            } else {
                rng.random()
            }
        })
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn random_tokens(rng: &mut StdRng) -> String {
    let n = rng.random_range(0..80);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(TOKENS[rng.random_range(0..TOKENS.len())]);
        match rng.random_range(0..10) {
            0 => s.push('\n'),
            1..=6 => s.push(' '),
            _ => {}
        }
    }
    s
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(rng: &mut StdRng, program: &str) -> String {
    let mut s = program.to_string();
    for _ in 0..rng.random_range(1..5) {
        let a = floor_boundary(&s, rng.random_range(0..=s.len()));
        let b = floor_boundary(&s, a + rng.random_range(0..16));
        match rng.random_range(0..6) {
            // delete a range
            0 => s.replace_range(a..b, ""),
            // insert a token
            1 => s.insert_str(a, TOKENS[rng.random_range(0..TOKENS.len())]),
            // duplicate a range
            2 => {
                let piece = s[a..b].to_string();
                s.insert_str(b, &piece);
            }
            // replace a range by a token
            3 => s.replace_range(a..b, TOKENS[rng.random_range(0..TOKENS.len())]),
            // truncate
            4 => s.truncate(a),
            // swap two lines
            _ => {
                let mut lines: Vec<&str> = s.lines().collect();
                if lines.len() > 1 {
                    let i = rng.random_range(0..lines.len());
                    let j = rng.random_range(0..lines.len());
                    lines.swap(i, j);
                }
                s = lines.join("\n");
            }
        }
    }
    s
}

/// The built-in corpus plus the project's own valid programs (bounded in
/// size so each case stays quick).
fn corpus() -> Vec<String> {
    let mut programs: Vec<String> = CORPUS.iter().map(|s| s.to_string()).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["tests/programs", "examples"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "em"))
            .collect();
        paths.sort();
        for path in paths {
            if let Ok(text) = std::fs::read_to_string(&path) {
                if text.len() <= 8 * 1024 {
                    programs.push(text);
                }
            }
        }
    }
    programs
}

// ---------------------------------------------------------------------------
// Properties

#[test]
fn random_bytes_do_not_panic() {
    let mut rng = StdRng::seed_from_u64(seed());
    let n = cases(400);
    check_all("random bytes", (0..n).map(move |_| random_bytes(&mut rng)));
}

#[test]
fn random_token_sequences_do_not_panic() {
    let mut rng = StdRng::seed_from_u64(seed() ^ 1);
    let n = cases(400);
    check_all(
        "random tokens",
        (0..n).map(move |_| random_tokens(&mut rng)),
    );
}

#[test]
fn mutated_programs_do_not_panic() {
    let programs = corpus();
    let mut rng = StdRng::seed_from_u64(seed() ^ 2);
    let n = cases(400);
    // The unmutated programs first.
    let originals: Vec<String> = programs.clone();
    let mutated = (0..n).map(move |_| {
        let p = &programs[rng.random_range(0..programs.len())];
        mutate(&mut rng, p)
    });
    check_all("mutated programs", originals.into_iter().chain(mutated));
}

/// Deeply nested or very long input must give an error or a result, never a
/// stack overflow (which would abort the process).
#[test]
fn deep_nesting_does_not_crash() {
    const N: usize = 100_000;
    let shapes: Vec<(&str, String)> = vec![
        ("open parens", "(".repeat(N)),
        (
            "balanced parens",
            format!("let x = {}1{};", "(".repeat(N), ")".repeat(N)),
        ),
        ("open brackets", format!("let x = {}", "[".repeat(N))),
        ("open braces", format!("fn f() {}", "{".repeat(N))),
        (
            "nested blocks",
            format!("fn f() {}{}", "{".repeat(N), "}".repeat(N + 1)),
        ),
        ("unary minus", format!("let x = {}1;", "-".repeat(N))),
        ("unary not", format!("let x = {}true;", "!".repeat(N))),
        ("long sum", format!("let x = 1{};", " + 1".repeat(N))),
        (
            "long ??",
            format!("let x: int? = none{} 1;", " ?? none".repeat(N)),
        ),
        ("postfix unwrap", format!("let x = none{};", "!".repeat(N))),
        ("field chain", format!("let x = p{};", ".x".repeat(N))),
        ("call chain", format!("let x = f{};", "(1)".repeat(N))),
        ("index chain", format!("let x = a{};", "[0]".repeat(N))),
        ("nested ifs", format!("fn f() {}", "if true { ".repeat(N))),
        ("nested types", format!("let x: {}int = 1;", "[".repeat(N))),
        (
            "optional types",
            format!("let x: int{} = 1;", "?".repeat(N)),
        ),
        ("nested comments", "/*".repeat(N)),
    ];
    // One worker per shape, named after it: a stack overflow aborts the
    // process, and the abort message names the thread.
    for (shape, input) in shapes {
        check_all(&format!("deep nesting: {shape}"), std::iter::once(input));
    }
}

#[test]
fn shrinking_keeps_the_failure() {
    let input = "let x = 1;\nfn f() { a!!b }\n// 🔥 tail".to_string();
    let small = shrink_by(input, |s| s.contains("!!"));
    assert_eq!(small, "!!");
}

//! Small end-to-end programs through `ember::Engine` (JIT + standard
//! library): run, compare printed output and errors.

use ember::{Engine, Error};

fn run(src: &str) -> Result<String, String> {
    let mut e = Engine::new().expect("engine");
    e.capture_output(true);
    let r = e.run_source("t.em", src);
    let out = e.take_output();
    match r {
        Ok(_) => Ok(out),
        Err(Error::Runtime(err)) => Err(format!("{out}!! {err}")),
        Err(other) => Err(format!("{out}!! {other}")),
    }
}

#[test]
fn prints_ints() {
    assert_eq!(run("println(1 + 2);").unwrap(), "3\n");
}

#[test]
fn optionals_box_scalars() {
    assert_eq!(
        run("let a: int? = 5; let b: int? = none; println(a!); println(b ?? 7);").unwrap(),
        "5\n7\n"
    );
}

#[test]
fn short_lived_strings_are_collected() {
    // ~2 GB allocated in total; the heap must stay small.
    let src = "let mut n = 0;\nfor i in 0..4000000 { let s = str(i) + \"-some-padding-text-to-make-it-longer-\" + str(i); n += len(s); }\nprintln(n > 0);";
    let mut e = Engine::new().unwrap();
    e.capture_output(true);
    e.run_source("gc.em", src).unwrap();
    assert_eq!(e.take_output(), "true\n");
    let stats = e.shared().heap.stats();
    assert!(stats.collections > 0, "{stats:?}");
    assert!(stats.peak_footprint < 64 << 20, "{stats:?}");
}

#[test]
fn definitions_persist_across_runs() {
    let mut e = Engine::new().unwrap();
    e.capture_output(true);
    e.run_source(
        "a.em",
        "struct P { x: int }\nfn mk(x: int) -> P { P { x: x } }\nlet mut total = 1;",
    )
    .unwrap();
    e.run_source("b.em", "total += mk(41).x;\nprintln(total);")
        .unwrap();
    // Redefine the struct and the function: new instances use the new layout.
    e.run_source(
        "c.em",
        "struct P { y: str, x: int }\nfn mk(x: int) -> P { P { y: \"y\", x: x } }\nprintln(mk(2));",
    )
    .unwrap();
    let r = e.run_source("d.em", "println(total + mk(1).x);").unwrap();
    assert!(r.is_none());
    assert_eq!(e.take_output(), "42\nP { y: \"y\", x: 2 }\n43\n");
    let r = e.run_entry("<repl>", "total * 2").unwrap().unwrap();
    assert_eq!(e.format_value(r.0, &r.1, true), "84");
}

#[test]
fn frequent_collections_keep_live_data() {
    let config = ember_jit::runtime::heap::HeapConfig {
        min_threshold: 16 << 10,
        growth: 0.0,
        ..Default::default()
    };
    let mut e = Engine::builder().heap_config(config).build().unwrap();
    e.capture_output(true);
    let src = r#"
struct Node { left: Node?, right: Node?, name: str }
fn make(d: int) -> Node {
    if d == 0 { Node { left: none, right: none, name: str(d) } }
    else { Node { left: make(d - 1), right: make(d - 1), name: "n" + str(d) } }
}
fn count(t: Node) -> int {
    let mut n = len(t.name);
    if let l = t.left { n += count(l); }
    if let r = t.right { n += count(r); }
    n
}
let keep = make(10);
let m: map[str, [str]] = map();
for i in 0..2000 {
    let k = "k" + str(i % 37);
    if !has(m, k) { m[k] = []; }
    m[k].push(str(i) + "x");
    let tmp = make(4);
}
println(count(keep));
println(len(m["k5"]));
println(m["k5"][3]);
"#;
    e.run_source("stress.em", src).unwrap();
    assert_eq!(e.take_output(), "3071\n54\n116x\n");
    assert!(e.shared().heap.stats().collections > 10);
}

#[test]
fn threads_allocate_while_collections_stop_the_world() {
    let config = ember_jit::runtime::heap::HeapConfig {
        min_threshold: 32 << 10,
        growth: 0.0,
        ..Default::default()
    };
    let mut e = Engine::builder().heap_config(config).build().unwrap();
    e.capture_output(true);
    let src = r#"
fn work(id: int, n: int, out: chan[str]) {
    let mut keep: [str] = [];
    for i in 0..n {
        let s = "w" + str(id) + "-" + str(i);
        if i % 100 == 0 { keep.push(s); }
    }
    out.send(str(id) + ":" + str(len(keep)) + ":" + keep[len(keep) - 1]);
}
let c: chan[str] = chan();
let tasks: [task] = [];
for id in 0..3 { tasks.push(spawn work(id, 60000, c)); }
let mut got: [str] = [];
for i in 0..3 { got.push(recv(c)); }
for t in tasks { join(t); }
let mut total = 0;
for s in got { total += len(s); }
println(total);
"#;
    e.run_source("threads.em", src).unwrap();
    // "0:600:w0-59900" is 14 bytes, three of them.
    assert_eq!(e.take_output(), "42\n");
    assert!(
        e.shared().heap.stats().collections > 3,
        "{:?}",
        e.shared().heap.stats()
    );
}

/// Check-time refusal of left-out standard parts (the sandbox of the
/// embedding API): the diagnostic names the function and the part.
#[test]
fn left_out_parts_are_refused_at_check_time() {
    use ember::Parts;
    let mut e = Engine::builder()
        .parts(Parts::all() - Parts::TIME - Parts::RANDOM)
        .build()
        .unwrap();
    e.capture_output(true);
    let r = e.run_source(
        "s.em",
        "println(1);\nfn f() { sleep(10); }\nlet r = rand_int(0, 3);",
    );
    let Err(Error::Compile { rendered, .. }) = r else {
        panic!("{r:?}")
    };
    assert!(
        rendered.contains("error[E0114]: `sleep` is not available in this engine"),
        "{rendered}"
    );
    assert!(
        rendered.contains("`sleep` belongs to the standard part `TIME`"),
        "{rendered}"
    );
    assert!(
        rendered.contains("error[E0114]: `rand_int` is not available in this engine"),
        "{rendered}"
    );
    assert!(
        rendered.contains("`ember_stdlib::Parts::RANDOM`"),
        "{rendered}"
    );
    assert!(rendered.contains("2 previous errors"), "{rendered}");
    // Nothing ran.
    assert_eq!(e.take_output(), "");
    // The enabled parts work, and the intrinsics are always there.
    e.run_source(
        "ok.em",
        "let p = split(\"a,b\", \",\");\nprintln(join(p, \"+\") + str(len(p)) + str(sin(0.0)));",
    )
    .unwrap();
    assert_eq!(e.take_output(), "a+b20.0\n");

    // Without IO, nothing can print; other parts still work.
    let mut quiet = Engine::builder()
        .parts(Parts::all() - Parts::IO)
        .build()
        .unwrap();
    let r = quiet.run_source("p.em", "print(\"x\");");
    assert!(
        matches!(&r, Err(Error::Compile { rendered, .. }) if rendered.contains("standard part `IO`")),
        "{r:?}"
    );
    let (w, ty) = quiet
        .run_entry("<repl>", "str(clock() >= 0.0) + substr(\"hey\", 0, 1)")
        .unwrap()
        .unwrap();
    assert_eq!(quiet.format_value(w, &ty, false), "trueh");

    // Only the intrinsics.
    let mut bare = Engine::builder().parts(Parts::none()).build().unwrap();
    let r = bare.run_source("b.em", "let x = str(1);");
    assert!(matches!(r, Err(Error::Compile { .. })), "{r:?}");
    let (w, ty) = bare.run_entry("<repl>", "len([1, 2, 3])").unwrap().unwrap();
    assert_eq!(bare.format_value(w, &ty, false), "3");
}

/// An engine moved to another thread checks that thread's stack: deep
/// (but bounded) recursion works, unbounded recursion is `stack overflow`.
#[test]
fn engine_moved_to_another_thread_uses_that_threads_stack() {
    let mut engine = ember::Engine::new().expect("engine");
    engine
        .run_entry(
            "<repl>",
            "fn d(n: int) -> int { if n == 0 { 0 } else { 1 + d(n - 1) } }",
        )
        .expect("define");
    let t = std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(move || {
            let deep = engine
                .run_entry("<repl>", "d(10000)")
                .map(|v| v.map(|(w, _)| w));
            let inf = engine
                .run_entry("<repl>", "fn inf(n: int) -> int { inf(n + 1) + 1 }\ninf(0)")
                .map(|_| ());
            (
                deep.map_err(|e| e.to_string()),
                inf.map_err(|e| e.to_string()),
            )
        })
        .expect("thread");
    let (deep, inf) = t.join().expect("no crash");
    assert_eq!(deep, Ok(Some(10000)));
    let err = inf.expect_err("unbounded recursion fails");
    assert!(err.starts_with("stack overflow"), "{err}");
}

/// Reaching the heap limit is the runtime error `out of memory`; the
/// engine survives, the memory is returned, and later entries run.
#[test]
fn heap_limit_gives_out_of_memory_and_the_engine_goes_on() {
    let config = ember::HeapConfig {
        limit: 32 << 20,
        min_threshold: 4 << 20,
        ..ember::HeapConfig::default()
    };
    let mut engine = ember::Engine::builder()
        .heap_config(config)
        .build()
        .expect("engine");
    let r = engine.run_entry(
        "<repl>",
        "fn grow() { let mut hoard: [str] = []; while true { hoard.push(\"some text that takes room \" + str(len(hoard))); } }\ngrow()",
    );
    let err = match r {
        Err(ember::Error::Runtime(e)) => e.to_string(),
        other => panic!("expected out of memory, got {other:?}"),
    };
    assert!(
        err.starts_with("out of memory\n  at grow (<repl>:1:"),
        "{err}"
    );
    // The hoard was local to the failed call: the next collection returns
    // its memory, and allocating works again.
    let (w, _) = engine
        .run_entry(
            "<repl>",
            "let mut n = 0;\nfor i in 0..100000 { n += len(str(i)); }\nn",
        )
        .expect("allocating again works")
        .expect("value");
    assert_eq!(
        w,
        (0..100000)
            .map(|i: u64| i.to_string().len() as u64)
            .sum::<u64>()
    );
    let stats = engine.shared().heap.stats();
    assert!(stats.live_bytes < 8 << 20, "{stats:?}");
}

/// Every function body starts on a 64-byte line, whatever was installed
/// before it (its loops' speed depends on that offset), also after a
/// redefinition and after tier-up.
#[test]
fn function_bodies_start_on_a_64_byte_line() {
    let mut e = Engine::new().unwrap();
    // Bodies of different sizes, so that 16-byte alignment alone would
    // leave some of them at other offsets.
    e.run_source(
        "a.em",
        "fn a() -> int { 1 }\n\
         fn b(x: int) -> int { let mut s = 0; for i in 0..x { s += i * i % 7; } s }\n\
         fn c(x: float) -> float { x * 2.5 + 1.0 }\n",
    )
    .unwrap();
    e.reload_source(
        "a.em",
        "fn a() -> int { 2 }\nfn b(x: int) -> int { x }\nfn c(x: float) -> float { x }\n",
    )
    .unwrap();
    let check = |e: &Engine, when: &str| {
        for name in ["a", "b", "c"] {
            let (addr, code) = e.function_code(name).unwrap();
            assert!(!code.is_empty(), "{name}");
            assert_eq!(addr % 64, 0, "fn {name} at {addr:#x} ({when})");
        }
    };
    // The redefinitions are installed at the quick tier...
    check(&e, "quick tier");
    // ... and replaced by optimized bodies in the background.
    let tiered = |e: &Engine| {
        e.shared()
            .tiered_up
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    let started = std::time::Instant::now();
    while tiered(&e) < 3 {
        assert!(started.elapsed().as_secs() < 20, "never tiered up");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    check(&e, "optimized tier");
}

//! The embedding API end to end (issue 7): typed handles, conversions,
//! eval, host functions, errors, reload API, limits, threads.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ember::{Engine, Error, ItemKind, Value};

fn engine_with(src: &str) -> Engine {
    let mut e = Engine::new().expect("engine");
    e.run_source("t.em", src).expect("program");
    e
}

#[test]
fn typed_calls_convert_every_kind_of_value() {
    let mut e = engine_with(
        r#"
        fn add(a: int, b: float) -> float { (a as float) + b }
        fn not(b: bool) -> bool { !b }
        fn greet(n: str) -> str { "hi " + n }
        fn unit() {}
        fn doubled(xs: [int]) -> [int] { let mut out: [int] = []; for x in xs { out.push(x * 2); } out }
        fn nested(xs: [[str]]) -> int { let mut n = 0; for x in xs { n += len(x); } n }
        fn count(m: map[str, int]) -> map[str, int] {
            let out: map[str, int] = map();
            for k in keys(m) { out[k + "!"] = m[k] + 1; }
            out
        }
        fn bools(m: map[bool, str]) -> str { m[true] + m[false] }
        fn first(xs: [str]) -> str? { if len(xs) == 0 { none } else { xs[0] } }
        fn or_zero(x: int?) -> int { x ?? 0 }
        fn maybe_f(b: bool) -> float? { if b { 2.5 } else { none } }
        "#,
    );
    assert_eq!(
        e.function::<(i64, f64), f64>("add")
            .unwrap()
            .call((2, 0.5))
            .unwrap(),
        2.5
    );
    assert!(e
        .function::<(bool,), bool>("not")
        .unwrap()
        .call((false,))
        .unwrap());
    let greet = e.function::<(&str,), String>("greet").unwrap();
    assert_eq!(greet.call(("ada",)).unwrap(), "hi ada");
    let greet_owned = e.function::<(String,), String>("greet").unwrap();
    assert_eq!(
        greet_owned.call(("é\u{1F525}".to_string(),)).unwrap(),
        "hi é\u{1F525}"
    );
    e.function::<(), ()>("unit").unwrap().call(()).unwrap();
    let doubled = e.function::<(Vec<i64>,), Vec<i64>>("doubled").unwrap();
    assert_eq!(doubled.call((vec![1, -2, 3],)).unwrap(), vec![2, -4, 6]);
    assert_eq!(doubled.call((vec![],)).unwrap(), Vec::<i64>::new());
    let nested = e.function::<(Vec<Vec<String>>,), i64>("nested").unwrap();
    let xs = vec![vec!["a".to_string()], vec![], vec!["b".into(), "c".into()]];
    assert_eq!(nested.call((xs,)).unwrap(), 3);
    let count = e
        .function::<(HashMap<String, i64>,), BTreeMap<String, i64>>("count")
        .unwrap();
    let m: HashMap<String, i64> = [("a".to_string(), 1), ("b".to_string(), 5)].into();
    let out = count.call((m,)).unwrap();
    assert_eq!(
        out,
        BTreeMap::from([("a!".to_string(), 2), ("b!".to_string(), 6)])
    );
    let bools = e
        .function::<(HashMap<bool, String>,), String>("bools")
        .unwrap();
    let m: HashMap<bool, String> = [(true, "T".to_string()), (false, "F".to_string())].into();
    assert_eq!(bools.call((m,)).unwrap(), "TF");
    let first = e
        .function::<(Vec<String>,), Option<String>>("first")
        .unwrap();
    assert_eq!(
        first.call((vec!["x".into()],)).unwrap(),
        Some("x".to_string())
    );
    assert_eq!(first.call((vec![],)).unwrap(), None);
    let or_zero = e.function::<(Option<i64>,), i64>("or_zero").unwrap();
    assert_eq!(or_zero.call((Some(7),)).unwrap(), 7);
    assert_eq!(or_zero.call((None,)).unwrap(), 0);
    let maybe_f = e.function::<(bool,), Option<f64>>("maybe_f").unwrap();
    assert_eq!(maybe_f.call((true,)).unwrap(), Some(2.5));
    assert_eq!(maybe_f.call((false,)).unwrap(), None);
    // Any result as a dynamic value.
    let any = e.function::<(Vec<i64>,), Value>("doubled").unwrap();
    assert_eq!(
        any.call((vec![4],)).unwrap(),
        Value::Array(vec![Value::Int(8)])
    );
}

#[test]
fn signature_mismatches_are_refused_when_the_handle_is_made() {
    let mut e = engine_with("fn f(a: int, b: float) -> float { b }");
    for err in [
        e.function::<(i64,), f64>("f").unwrap_err(),
        e.function::<(f64, f64), f64>("f").unwrap_err(),
        e.function::<(i64, f64), i64>("f").unwrap_err(),
        e.function::<(i64, f64, bool), f64>("f").unwrap_err(),
    ] {
        assert!(matches!(err, Error::Host(_)), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains("`f` has type `fn(int, float) -> float`"),
            "{text}"
        );
        assert!(text.contains("stand for `fn("), "{text}");
    }
    let text = e.function::<(i64,), f64>("f").unwrap_err().to_string();
    assert!(text.ends_with("stand for `fn(int) -> float`"), "{text}");
    let missing = e.function::<(), ()>("nope").unwrap_err();
    assert_eq!(missing.to_string(), "no function `nope` is defined");
}

#[test]
fn handles_follow_redefinition_and_fail_clearly_after_a_signature_change() {
    let mut e = engine_with("fn f(x: int) -> int { x + 1 }");
    let f = e.function::<(i64,), i64>("f").unwrap();
    assert_eq!(f.call((1,)).unwrap(), 2);
    e.reload_source("t.em", "fn f(x: int) -> int { x + 100 }")
        .unwrap();
    assert_eq!(f.call((1,)).unwrap(), 101);
    e.reload_source("t.em", "fn f(x: str) -> int { len(x) }")
        .unwrap();
    let err = f.call((1,)).unwrap_err();
    assert!(matches!(err, Error::Runtime(_)));
    assert!(
        err.to_string()
            .contains("`f` was redefined with a different signature"),
        "{err}"
    );
    let g = e.function::<(&str,), i64>("f").unwrap();
    assert_eq!(g.call(("abc",)).unwrap(), 3);
}

#[test]
fn eval_returns_typed_and_dynamic_values() {
    let mut e = Engine::new().unwrap();
    assert_eq!(e.eval::<i64>("1 + 2").unwrap(), 3);
    assert_eq!(e.eval::<f64>("1.5 * 2.0").unwrap(), 3.0);
    assert_eq!(e.eval::<String>("\"a\" + \"b\"").unwrap(), "ab");
    e.eval::<()>("let mut g = 5;").unwrap();
    assert_eq!(e.eval::<i64>("g * 2").unwrap(), 10);
    assert_eq!(
        e.eval::<Option<i64>>("let o: int? = none; o").unwrap(),
        None
    );
    e.eval::<()>("struct P { x: int, name: str }").unwrap();
    let v = e.eval::<Value>("P { name: \"p\", x: 3 }").unwrap();
    assert_eq!(
        v,
        Value::Struct {
            name: "P".into(),
            fields: vec![
                ("x".into(), Value::Int(3)),
                ("name".into(), Value::Str("p".into()))
            ]
        }
    );
    assert_eq!(v.to_string(), "P { x: 3, name: \"p\" }");
    let m = e.eval::<Value>("[\"a\": [1.5], \"b\": []]").unwrap();
    assert_eq!(m.to_string(), "[\"a\": [1.5], \"b\": []]");
    let wrong = e.eval::<String>("1").unwrap_err();
    assert!(matches!(wrong, Error::Host(_)));
    assert_eq!(
        wrong.to_string(),
        "the value is a `int`, not the `str` asked for"
    );
    let compile = e.eval::<i64>("1 + \"a\"").unwrap_err();
    assert!(matches!(compile, Error::Compile { .. }));
    assert!(compile.to_string().starts_with("error[E02"), "{compile}");
}

#[test]
fn host_functions_of_every_type() {
    let mut e = Engine::new().unwrap();
    e.register_fn("h_add", |a: i64, b: f64| a as f64 + b)
        .unwrap();
    e.register_fn("h_str", |s: &str, n: i64| s.repeat(n as usize))
        .unwrap();
    e.register_fn("h_own", |s: String| s.len() as i64).unwrap();
    e.register_fn("h_bool", |b: bool| !b).unwrap();
    e.register_fn("h_vec", |v: Vec<i64>| {
        v.into_iter().rev().collect::<Vec<_>>()
    })
    .unwrap();
    e.register_fn("h_map", |m: HashMap<String, i64>| m.values().sum::<i64>())
        .unwrap();
    e.register_fn("h_make_map", |n: i64| {
        (0..n).map(|i| (i, i * i)).collect::<BTreeMap<i64, i64>>()
    })
    .unwrap();
    e.register_fn("h_opt", |o: Option<String>| o.map(|s| s + "?"))
        .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    e.register_fn("h_unit", move || {
        c.fetch_add(1, Ordering::SeqCst);
    })
    .unwrap();
    e.register_fn("h_five", |a: i64, b: i64, c: &str, d: bool, x: f64| {
        format!("{a}{b}{c}{d}{x}")
    })
    .unwrap();
    assert_eq!(e.eval::<f64>("h_add(2, 0.5)").unwrap(), 2.5);
    assert_eq!(e.eval::<String>("h_str(\"ab\", 3)").unwrap(), "ababab");
    assert_eq!(e.eval::<i64>("h_own(\"héllo\")").unwrap(), 6);
    assert!(e.eval::<bool>("h_bool(false)").unwrap());
    assert_eq!(
        e.eval::<Vec<i64>>("h_vec([1, 2, 3])").unwrap(),
        vec![3, 2, 1]
    );
    assert_eq!(e.eval::<i64>("h_map([\"a\": 1, \"b\": 2])").unwrap(), 3);
    assert_eq!(
        e.eval::<String>("str(h_make_map(3))").unwrap(),
        "[0: 0, 1: 1, 2: 4]"
    );
    assert_eq!(e.eval::<String>("h_opt(\"x\") ?? \"-\"").unwrap(), "x?");
    assert_eq!(e.eval::<String>("h_opt(none) ?? \"-\"").unwrap(), "-");
    e.eval::<()>("h_unit(); h_unit();").unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(
        e.eval::<String>("h_five(1, 2, \"c\", true, 0.5)").unwrap(),
        "12ctrue0.5"
    );
    // The checker knows their signatures.
    let err = e.eval::<f64>("h_add(1.0, 2.0)").unwrap_err();
    assert!(err.to_string().contains("error[E0200]"), "{err}");
}

#[test]
fn host_function_errors_and_panics_become_ember_errors_with_the_stack() {
    let mut e = Engine::new().unwrap();
    e.register_fn("checked_div", |a: i64, b: i64| -> Result<i64, String> {
        if b == 0 {
            Err(format!("cannot divide {a} by zero"))
        } else {
            Ok(a / b)
        }
    })
    .unwrap();
    e.register_fn("boom", |_: i64| -> i64 { panic!("host bug") })
        .unwrap();
    e.run_source(
        "calc.em",
        "fn ratio(a: int, b: int) -> int {\n    checked_div(a, b)\n}\nfn outer() -> int {\n    ratio(1, 0)\n}\nfn bang() -> int { boom(1) }",
    )
    .unwrap();
    assert_eq!(
        e.function::<(i64, i64), i64>("ratio")
            .unwrap()
            .call((9, 3))
            .unwrap(),
        3
    );
    let err = e
        .function::<(), i64>("outer")
        .unwrap()
        .call(())
        .unwrap_err();
    let Error::Runtime(rt) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(rt.message, "cannot divide 1 by zero");
    assert_eq!(
        ember::report_error(&err),
        "error: cannot divide 1 by zero\n  at ratio (calc.em:2:5)\n  at outer (calc.em:5:5)\n"
    );
    let err = e.function::<(), i64>("bang").unwrap().call(()).unwrap_err();
    assert_eq!(
        err.to_string().lines().next().unwrap(),
        "host function `boom` panicked: host bug"
    );
    // The engine goes on.
    assert_eq!(e.eval::<i64>("ratio(8, 2)").unwrap(), 4);
}

#[test]
fn registering_again_replaces_the_closure_for_compiled_code() {
    let mut e = Engine::new().unwrap();
    e.register_fn("rate", || 1_i64).unwrap();
    e.run_source("r.em", "fn price(n: int) -> int { n * rate() }")
        .unwrap();
    let price = e.function::<(i64,), i64>("price").unwrap();
    assert_eq!(price.call((10,)).unwrap(), 10);
    e.register_fn("rate", || 3_i64).unwrap();
    assert_eq!(price.call((10,)).unwrap(), 30);
    // Another signature while `price` calls it: refused, naming the caller.
    let err = e.register_fn("rate", |x: i64| x).unwrap_err();
    assert!(matches!(err, Error::Host(_)));
    assert!(err.to_string().contains("called by `price`"), "{err}");
    assert_eq!(price.call((10,)).unwrap(), 30);
    // Names of standard functions and defined functions are refused.
    assert!(e.register_fn("println", |_: i64| ()).is_err());
    assert!(e.register_fn("price", || 0_i64).is_err());
    assert!(e.register_fn("not a name", || 0_i64).is_err());
}

/// Where a host function finds the Ember function it calls back.
type Callback = Arc<Mutex<Option<ember::Function<(String,), String>>>>;

#[test]
fn host_functions_may_call_back_into_ember() {
    let mut e = Engine::new().unwrap();
    let slot: Callback = Arc::new(Mutex::new(None));
    let s = slot.clone();
    // The host function calls back into Ember (a nested entry on the same
    // thread) with a string it received.
    e.register_fn("via_rust", move |x: &str| -> Result<String, String> {
        let f = s.lock().unwrap().clone().ok_or("not ready")?;
        f.call((x.to_string() + "/rust",))
            .map_err(|e| e.to_string())
    })
    .unwrap();
    e.run_source(
        "t.em",
        "fn wrap(x: str) -> str { \"<\" + x + \">\" }\nfn outer(x: str) -> str { via_rust(x + \"/ember\") + \"!\" }",
    )
    .unwrap();
    *slot.lock().unwrap() = Some(e.function("wrap").unwrap());
    let outer = e.function::<(String,), String>("outer").unwrap();
    assert_eq!(outer.call(("a".into(),)).unwrap(), "<a/ember/rust>!");
    assert_eq!(e.eval::<String>("outer(\"b\")").unwrap(), "<b/ember/rust>!");
}

#[test]
fn reload_api_reports_versions_and_rolls_back() {
    let mut e = engine_with("fn v() -> int { 1 }");
    let reports = Arc::new(Mutex::new(Vec::new()));
    let r = reports.clone();
    e.on_reload(move |rep| r.lock().unwrap().push(rep.clone()));
    let v = e.function::<(), i64>("v").unwrap();
    let rep = e.reload_source("t.em", "fn v() -> int { 2 }").unwrap();
    assert_eq!(v.call(()).unwrap(), 2);
    assert!(rep.timings.total >= rep.timings.compile);
    assert_eq!(reports.lock().unwrap().len(), 1);
    let bad = e
        .reload_source("t.em", "fn v() -> int { \"x\" }")
        .unwrap_err();
    assert!(matches!(bad, Error::Compile { .. }));
    assert_eq!(v.call(()).unwrap(), 2, "a rejected reload changes nothing");
    assert_eq!(reports.lock().unwrap().len(), 1);
    let h = e.versions(ItemKind::Fn, "v").unwrap();
    assert_eq!(h.versions().len(), 2);
    e.rollback(ItemKind::Fn, "v", Some(1)).unwrap();
    assert_eq!(v.call(()).unwrap(), 1);
    assert_eq!(e.versions(ItemKind::Fn, "v").unwrap().versions().len(), 3);
    assert_eq!(reports.lock().unwrap().len(), 2);
}

/// Watch `path`; each outcome arrives on the receiver as the report's or
/// the error's text.
fn watch_events(
    shared: &ember::SharedEngine,
    path: &std::path::Path,
) -> (
    ember::Watcher,
    std::sync::mpsc::Receiver<Result<String, String>>,
) {
    let (tx, rx) = std::sync::mpsc::channel();
    let watcher = shared
        .watch(path, move |outcome| {
            let _ = tx.send(outcome.map(|r| r.to_string()).map_err(|e| e.to_string()));
        })
        .unwrap();
    (watcher, rx)
}

#[test]
fn reload_file_and_watch() {
    let dir = std::env::temp_dir().join(format!("ember-embed-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rules.em");
    std::fs::write(&path, "fn level() -> int { 1 }\n").unwrap();
    let mut e = Engine::new().unwrap();
    e.load_file(&path).unwrap();
    std::fs::write(&path, "fn level() -> int { 2 }\n").unwrap();
    e.reload_file(&path).unwrap();
    let level = e.function::<(), i64>("level").unwrap();
    assert_eq!(level.call(()).unwrap(), 2);

    let shared = e.into_shared();
    let (watcher, rx) = watch_events(&shared, &path);
    std::fs::write(&path, "fn level() -> int { 3 }\n").unwrap();
    let first = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("reload event");
    assert!(first.is_ok(), "{first:?}");
    assert_eq!(level.call(()).unwrap(), 3);
    std::fs::write(&path, "fn level() -> int { oops }\n").unwrap();
    let second = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("error event");
    let text = second.unwrap_err();
    assert!(text.contains("E0100"), "{text}");
    assert_eq!(level.call(()).unwrap(), 3, "the old definition stays");
    drop(watcher);
    std::fs::write(&path, "fn level() -> int { 4 }\n").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        level.call(()).unwrap(),
        3,
        "no reload after the watcher is dropped"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A save caught half-way (truncated, not yet written) is waited for; a
/// file left empty is refused with a host error, and nothing changes.
#[test]
fn watch_waits_for_a_half_written_save_and_refuses_an_empty_file() {
    let dir = std::env::temp_dir().join(format!("ember-embed-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rules.em");
    std::fs::write(&path, "fn level() -> int { 1 }\n").unwrap();
    let mut e = Engine::new().unwrap();
    e.load_file(&path).unwrap();
    let level = e.function::<(), i64>("level").unwrap();
    let shared = e.into_shared();
    let (_watcher, rx) = watch_events(&shared, &path);
    // Truncated, and the rest written 300 ms later (after the 75 ms quiet
    // moment): one reload, of the whole text.
    std::fs::write(&path, "").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(&path, "fn level() -> int { 2 }\n").unwrap();
    let first = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("reload event");
    assert!(first.is_ok(), "{first:?}");
    assert_eq!(level.call(()).unwrap(), 2);
    // Left empty: refused after the grace period; the definition stays.
    std::fs::write(&path, "").unwrap();
    let second = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("refusal event");
    let why = second.unwrap_err();
    assert!(why.contains("is empty; not reloaded"), "{why}");
    assert_eq!(level.call(()).unwrap(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn limits_heap_time_and_interrupt() {
    let mut e = Engine::builder().heap_limit(16 << 20).build().unwrap();
    let err = e
        .eval::<()>(
            "let mut a: [str] = []; while true { a.push(\"0123456789abcdef\" + str(len(a))); }",
        )
        .unwrap_err();
    assert!(err.to_string().starts_with("out of memory"), "{err}");
    assert_eq!(e.eval::<i64>("1 + 1").unwrap(), 2);

    let mut e = Engine::builder()
        .time_limit(Duration::from_millis(100))
        .build()
        .unwrap();
    e.run_source(
        "spin.em",
        "fn spin() -> int { let mut i = 0; while true { i += 1; } i }",
    )
    .unwrap();
    let spin = e.function::<(), i64>("spin").unwrap();
    let started = std::time::Instant::now();
    let err = std::thread::spawn(move || spin.call(()))
        .join()
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().starts_with("interrupted"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));

    let shared = Engine::new().unwrap().into_shared();
    shared.eval::<()>("fn forever() { while true {} }").unwrap();
    let forever = shared.function::<(), ()>("forever").unwrap();
    let stop = shared.interrupt_handle();
    let t = std::thread::spawn(move || forever.call(()));
    std::thread::sleep(Duration::from_millis(50));
    stop.interrupt();
    let err = t.join().unwrap().unwrap_err();
    assert!(err.to_string().starts_with("interrupted"), "{err}");
}

#[test]
fn shared_engine_from_many_threads_and_no_deadlock_from_host_functions() {
    let shared = Engine::new().unwrap().into_shared();
    let s2 = shared.clone();
    shared
        .register_fn("reenter", move || -> Result<i64, String> {
            s2.eval::<i64>("1").map_err(|e| e.to_string())
        })
        .unwrap();
    shared.eval::<()>("fn f(x: int) -> int { x * 3 }").unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let s = shared.clone();
            std::thread::spawn(move || {
                let f = s.function::<(i64,), i64>("f").unwrap();
                (0..200).map(|i| f.call((i + t,)).unwrap()).sum::<i64>()
            })
        })
        .collect();
    let total: i64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(
        total,
        (0..4)
            .map(|t| (0..200).map(|i| 3 * (i + t)).sum::<i64>())
            .sum()
    );
    let err = shared.eval::<i64>("reenter()").unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot be used from inside one of its host functions"),
        "{err}"
    );
    let h = shared.versions(ItemKind::Fn, "f").unwrap().unwrap();
    assert_eq!(h.versions().len(), 1);
}

#[test]
fn arguments_and_results_survive_collections_from_other_threads() {
    // Small collection threshold: collections run constantly while one
    // thread allocates garbage and others pass strings and arrays in and out.
    let config = ember::HeapConfig {
        min_threshold: 64 << 10,
        ..Default::default()
    };
    let mut e = Engine::builder().heap_config(config).build().unwrap();
    e.run_source(
        "gc.em",
        "fn churn(n: int) -> int { let mut s = 0; for i in 0..n { let a = [str(i), str(i + 1)]; s += len(a[1]); } s }\n\
         fn echo(xs: [str], tag: str) -> [str] { let mut out: [str] = []; for x in xs { out.push(x + tag); } out }",
    )
    .unwrap();
    let churn = e.function::<(i64,), i64>("churn").unwrap();
    let echo = e
        .function::<(Vec<String>, String), Vec<String>>("echo")
        .unwrap();
    let garbage = std::thread::spawn(move || {
        for _ in 0..40 {
            churn.call((5_000,)).unwrap();
        }
    });
    let workers: Vec<_> = (0..2)
        .map(|t| {
            let echo = echo.clone();
            std::thread::spawn(move || {
                for i in 0..2_000 {
                    let xs: Vec<String> = (0..8).map(|k| format!("{t}-{i}-{k}")).collect();
                    let tag = format!("#{i}");
                    let out = echo.call((xs.clone(), tag.clone())).unwrap();
                    let want: Vec<String> = xs.iter().map(|x| format!("{x}{tag}")).collect();
                    assert_eq!(out, want);
                }
            })
        })
        .collect();
    garbage.join().unwrap();
    for w in workers {
        w.join().unwrap();
    }
    assert!(e.shared().heap.stats().collections > 0);
}

#[test]
fn a_shared_engine_reference_is_read_from_several_threads() {
    let mut engine = ember::Engine::new().unwrap();
    engine
        .run_source("t.em", "fn f(x: int) -> int { x + 1 }")
        .unwrap();
    let f = engine.function::<(i64,), i64>("f").unwrap();
    let e = &engine;
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for i in 0..500 {
                    assert_eq!(f.call((i,)).unwrap(), i + 1);
                    let history = e.versions(ItemKind::Fn, "f").unwrap();
                    assert_eq!(history.versions().len(), 1);
                    assert_eq!(e.stats().transactions, 1);
                }
            });
        }
    });
}

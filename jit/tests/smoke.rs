//! The JIT engine on its own, without `ember-stdlib`: language intrinsics,
//! host functions, the host-function interface for library functions, and
//! the refusal of library functions nobody registered. (End-to-end programs
//! that print live in the root crate's `tests/`, through `ember::Engine`.)

use ember_jit::runtime::host::{Host, HostFn, Str, TypeDesc, Value};
use ember_jit::{Engine, Error};
use ember_lang::tir::Builtin;

/// The value of a REPL entry, as the REPL echoes it.
fn eval(e: &mut Engine, src: &str) -> String {
    let (w, ty) = e.run_entry("<repl>", src).unwrap().unwrap();
    e.format_value(w, &ty, true)
}

#[test]
#[ignore]
fn dump_tir() {
    let src = std::env::var("EMBER_SRC").unwrap_or_else(|_| "let a: int? = 5;".into());
    let mut sm = ember_lang::SourceMap::new();
    let f = sm.add("t.em", src.as_str());
    let p = ember_lang::check_file(f, &src, &Default::default()).unwrap();
    println!("{:#?}", p.main.body);
}

#[test]
fn intrinsics_work_without_a_standard_library() {
    let mut e = Engine::new().unwrap();
    let src = "let a = [3, 1, 2]; a.push(4); let m: map[str, int] = map(); m[\"k\"] = len(a);\n\
               [len(a), pop(a), m[\"k\"], abs(-2), min(5, 6), max(5, 6), sqrt(16.0) as int, floor(2.5) as int]";
    assert_eq!(eval(&mut e, src), "[4, 4, 4, 2, 5, 6, 4, 2]");
}

#[test]
fn library_functions_need_registering() {
    let mut e = Engine::new().unwrap();
    let r = e.run_source("t.em", "fn f() { sleep(1); }\nprintln(1);");
    let Err(Error::Compile { rendered, .. }) = r else {
        panic!("{r:?}")
    };
    assert!(
        rendered.contains("error[E0114]: `sleep` is not available in this engine"),
        "{rendered}"
    );
    assert!(
        rendered.contains("error[E0114]: `println` is not available in this engine"),
        "{rendered}"
    );
    assert!(
        rendered.contains("no standard library installed"),
        "{rendered}"
    );
    // `join(task)` is an intrinsic, `join(parts, sep)` a library function.
    let r = e.run_source("j.em", "fn w() {}\nlet t = spawn w(); join(t);");
    assert!(r.is_ok(), "{r:?}");
    let r = e.run_source("k.em", "let s = join([\"a\"], \",\");");
    assert!(matches!(r, Err(Error::Compile { .. })), "{r:?}");
}

extern "C" fn test_println<'c>(host: Host<'c>, v: Value<'c>, d: TypeDesc<'c>) {
    let text = format!("<{}>\n", host.format(&v, &d));
    host.write_output(text.as_bytes());
}

extern "C" fn test_println2<'c>(host: Host<'c>, v: Value<'c>, d: TypeDesc<'c>) {
    let text = format!("[{}]\n", host.format(&v, &d));
    host.write_output(text.as_bytes());
}

extern "C" fn test_panic<'c>(host: Host<'c>, msg: Str<'c>) {
    let text = format!("test panic: {}", host.str(&msg));
    host.raise(text)
}

extern "C" fn test_substr<'c>(host: Host<'c>, s: Str<'c>, a: i64, b: i64) -> Str<'c> {
    let piece = host
        .str(&s)
        .get(a as usize..b as usize)
        .unwrap_or("?")
        .to_string();
    match host.new_str(&piece) {
        Ok(s) => s,
        Err(e) => host.raise(e),
    }
}

#[test]
fn library_functions_are_registered_through_the_host_interface() {
    let mut e = Engine::new().unwrap();
    e.capture_output(true);
    e.register_builtin(Builtin::Println, HostFn::value(test_println))
        .unwrap();
    e.register_builtin(Builtin::Panic, HostFn::str(test_panic))
        .unwrap();
    e.register_builtin(Builtin::Substr, HostFn::str_int2_to_str(test_substr))
        .unwrap();
    assert!(e.builtins().is_available(Builtin::Println));
    assert!(!e.builtins().is_available(Builtin::Print));
    e.run_source("p.em", "println([1, 2]); println(substr(\"hello\", 1, 3));")
        .unwrap();
    assert_eq!(e.take_output(), "<[1, 2]>\n<el>\n");
    let r = e.run_source(
        "q.em",
        "fn f(n: int) {\n    if n > 0 { panic(\"boom\"); }\n}\nf(1);",
    );
    let Err(Error::Runtime(err)) = r else {
        panic!("{r:?}")
    };
    assert_eq!(
        err.to_string(),
        "test panic: boom\n  at f (q.em:2:16)\n  at <main> (q.em:4:1)"
    );
    // Registering again replaces the implementation, also for code
    // compiled before.
    e.run_source("s.em", "fn show(x: int) { println(x); }")
        .unwrap();
    e.call("show", &[1]).unwrap();
    e.register_builtin(Builtin::Println, HostFn::value(test_println2))
        .unwrap();
    e.call("show", &[2]).unwrap();
    assert_eq!(e.take_output(), "<1>\n[2]\n");
    // Wrong shapes and intrinsics are refused.
    assert!(e
        .register_builtin(Builtin::Print, HostFn::str(test_panic))
        .is_err());
    assert!(e
        .register_builtin(Builtin::LenStr, HostFn::str(test_panic))
        .is_err());
    // Removed again: refused at check time with the given note.
    e.remove_builtin(Builtin::Println, "printing is off here");
    let r = e.run_source("r.em", "println(1);");
    let Err(Error::Compile { rendered, .. }) = r else {
        panic!("{r:?}")
    };
    assert!(rendered.contains("printing is off here"), "{rendered}");
}

extern "C" fn host_twice(_ctx: *mut ember_jit::runtime::ThreadCtx, x: i64, neg: u8) -> i64 {
    if neg != 0 {
        -2 * x
    } else {
        2 * x
    }
}

extern "C" fn host_fail(ctx: *mut ember_jit::runtime::ThreadCtx, x: i64) -> i64 {
    ember_jit::runtime::builtins::fail(ctx, format!("host refused {x}"));
    0
}

#[test]
fn host_functions_are_called_through_slots() {
    use ember_lang::types::{FnType, Type};
    let mut e = Engine::new().unwrap();
    // SAFETY: the functions match the declared Ember types.
    unsafe {
        e.register_host(
            "twice",
            FnType {
                params: vec![Type::Int, Type::Bool],
                ret: Type::Int,
            },
            host_twice as *const () as usize,
        )
        .unwrap();
        e.register_host(
            "refuse",
            FnType {
                params: vec![Type::Int],
                ret: Type::Int,
            },
            host_fail as *const () as usize,
        )
        .unwrap();
    }
    assert_eq!(
        eval(&mut e, "[twice(21, false), twice(4, true)]"),
        "[42, -8]"
    );
    let r = e.run_source("h2.em", "fn f() -> int { refuse(7) }\nlet x = f();");
    let Err(Error::Runtime(err)) = r else {
        panic!("{r:?}")
    };
    assert_eq!(
        err.to_string(),
        "host refused 7\n  at f (h2.em:1:17)\n  at <main> (h2.em:2:9)"
    );
}

#[test]
fn fresh_slots_hold_the_undefined_stub() {
    let e = Engine::new().unwrap();
    let slot = e.shared().slots.alloc("ghost", "fn() -> int").unwrap();
    let stub = e.shared().slots.default_entry();
    assert_ne!(stub, 0);
    assert_eq!(e.shared().slots.get(slot), stub);
}

#[test]
fn interrupt_stops_a_loop_without_calls() {
    let mut e = Engine::new().unwrap();
    let h = e.interrupt_handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(100));
        h.interrupt();
    });
    let r = e.run_source("spin.em", "let mut i = 0;\nwhile true { i += 1; }");
    t.join().unwrap();
    let Err(Error::Runtime(err)) = r else {
        panic!("{r:?}")
    };
    assert_eq!(err.to_string(), "interrupted\n  at <main> (spin.em:2:1)");
    // The next entry starts clean.
    assert_eq!(eval(&mut e, "i > 0"), "true");
}

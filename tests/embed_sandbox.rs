//! Sandbox escapes (issue 7): a script reaches only the enabled standard
//! parts and the registered functions; everything else is refused at check
//! time, with a diagnostic, before anything runs.

use ember::{Engine, Error, Parts};

/// Check `src` in `engine`: it must be refused at check time with `code`,
/// and nothing of it may have run (its output stays empty).
fn refused(engine: &mut Engine, src: &str, code: &str) -> String {
    engine.capture_output(true);
    let err = engine
        .run_source("escape.em", &format!("println(\"ran\");\n{src}"))
        .unwrap_err();
    let Error::Compile { rendered, .. } = &err else {
        panic!("not refused at check time: {err:?}")
    };
    assert!(rendered.contains(&format!("error[{code}]")), "{rendered}");
    assert_eq!(engine.take_output(), "", "nothing runs");
    rendered.clone()
}

#[test]
fn unregistered_names_are_refused() {
    let mut e = Engine::new().unwrap();
    for (src, name) in [
        ("open(\"/etc/passwd\");", "open"),
        ("let s = read_file(\"x\");", "read_file"),
        ("system(\"rm -rf /\");", "system"),
        ("exec(\"sh\");", "exec"),
        ("connect(\"127.0.0.1\", 80);", "connect"),
        ("getenv(\"HOME\");", "getenv"),
    ] {
        let text = refused(&mut e, src, "E0100");
        assert!(
            text.contains(&format!("cannot find function `{name}`")),
            "{text}"
        );
    }
}

#[test]
fn disabled_standard_parts_are_refused() {
    let mut e = Engine::builder()
        .parts(Parts::all() - Parts::TIME - Parts::RANDOM - Parts::MATH)
        .build()
        .unwrap();
    for (src, part) in [
        ("sleep(10);", "TIME"),
        ("let t = clock();", "TIME"),
        ("let r = rand_int(0, 10);", "RANDOM"),
        ("let x = sin(1.0);", "MATH"),
    ] {
        let text = refused(&mut e, src, "E0114");
        assert!(text.contains(&format!("`{part}`")), "{text}");
    }
    // A program of the enabled parts runs.
    e.capture_output(true);
    e.run_source("ok.em", "println(substr(\"hello\", 0, 2));")
        .unwrap();
    assert_eq!(e.take_output(), "he\n");
}

#[test]
fn without_io_a_script_cannot_print() {
    let mut e = Engine::builder()
        .parts(Parts::all() - Parts::IO)
        .build()
        .unwrap();
    let err = e.run_source("p.em", "print(1);").unwrap_err();
    assert!(err.to_string().contains("error[E0114]"), "{err}");
}

#[test]
fn host_functions_are_reachable_only_once_registered_and_only_as_calls() {
    let mut e = Engine::builder().parts(Parts::none()).build().unwrap();
    refused(&mut e, "let n = secret();", "E0100");
    e.register_fn("secret", || 42_i64).unwrap();
    assert_eq!(e.eval::<i64>("secret()").unwrap(), 42);
    // Not as a value (it cannot be smuggled out as a function value).
    let err = e.run_source("v.em", "let f = secret;").unwrap_err();
    assert!(err.to_string().contains("error[E0107]"), "{err}");
    // Wrong argument types are refused by the checker.
    let err = e.run_source("w.em", "let n = secret(1);").unwrap_err();
    assert!(matches!(err, Error::Compile { .. }), "{err:?}");
    // Names are per engine: another engine does not see it.
    let mut other = Engine::builder().parts(Parts::none()).build().unwrap();
    refused(&mut other, "let n = secret();", "E0100");
}

//! Small end-to-end programs: run, compare printed output and errors.

use ember_jit::{Engine, Error};

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

/// Print every runtime-error program's result (for eyeballing with
/// `--nocapture`).
#[test]
#[ignore]
fn show_runtime_errors() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/errors");
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
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap();
        let mut e = Engine::new().unwrap();
        e.capture_output(true);
        let r = e.run_source(&p.file_name().unwrap().to_string_lossy(), &text);
        let errs = e.wait_threads();
        println!("== {}\n{}", p.display(), text.lines().next().unwrap());
        println!("out: {:?}", e.take_output());
        match r {
            Ok(_) => println!("ok"),
            Err(err) => println!("{err}"),
        }
        for t in errs {
            println!("thread: {t}");
        }
    }
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

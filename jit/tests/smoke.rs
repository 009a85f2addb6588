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

//! Fuzz compile-and-run: bytes drive a generator of well-typed Ember
//! programs (`tests/gen/`, shared with the bounded test
//! `tests/generated.rs`); each program runs in a fresh engine with output
//! captured, a 64 MiB heap and a 200 ms time limit per phase, then (half
//! the time) one function is redefined live and called again.
//!
//! A finding is: a generated program that does not compile (a generator
//! bug: the program is printed), an error LANGUAGE.md §6 does not list, a
//! Rust panic, a crash, or a phase still running 10 s after its time limit
//! (the oracle prints the program and aborts).
//!
//! Run: `cargo +nightly fuzz run programs` from the repository root (see
//! README.md).
#![no_main]

// The report's details serve the bounded test's coverage checks.
#[allow(dead_code)]
#[path = "../../tests/gen/mod.rs"]
mod gen;

use arbitrary::Unstructured;
use gen::run::{run, Limits};
use gen::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let program = gen::generate(&mut Unstructured::new(data), &Config::default());
    if let Err(finding) = run(&program, &Limits::default()) {
        panic!("{finding}\nprogram:\n{program}");
    }
});

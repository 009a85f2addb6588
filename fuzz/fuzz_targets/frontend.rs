//! Fuzz the whole front end on arbitrary bytes: lex, parse (file and REPL
//! entry), check, render. Any panic, stack overflow or hang is a bug.
//!
//! Run: `cargo +nightly fuzz run frontend` from the repository root
//! (see README.md).
#![no_main]

use ember_lang::{Env, SourceMap};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::new();
    let file = sources.add("fuzz.em", src);
    for entry in [false, true] {
        let (module, mut diags) = if entry {
            ember_lang::parse_entry(file, src)
        } else {
            ember_lang::parse_file(file, src)
        };
        if let Err(more) = ember_lang::check_module(&module, &Env::default()) {
            diags.extend(more);
        }
        let _ = ember_lang::render::render(&diags, &sources, false);
    }
});

//! Link the `ember` binary as a position-dependent executable on Linux.
//!
//! A position-independent `ember` carries about 12,000 relative
//! relocations: the dynamic loader applies them at every start, and
//! writing them makes every page of `.data.rel.ro` a copy-on-write fault
//! (about 80 of the 320 page faults of `ember run` on an empty file). The
//! objects are still compiled position-independent; only the link is
//! not, so the linker resolves those relocations once. Measured with
//! `hyperfine -N` on `ember run` of an empty file: median 2.2–2.4 ms
//! instead of 2.7–3.0 ms (ARCHITECTURE.md, "Start-up").

fn main() {
    let linux = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux");
    if linux {
        println!("cargo:rustc-link-arg-bin=ember=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}

//! Every test program and example compiles for aarch64 (and x86-64) with
//! the Cranelift verifier on, at both tiers (optimized, and the quick tier
//! redefinitions start at): nothing in the lowering assumes the host.

use std::path::Path;

use ember_jit::codegen::{isa_by_name_for, Tier};
use ember_jit::engine::compile_for_isa;

fn compile_all(target: &str) {
    for tier in [Tier::Optimized, Tier::Quick] {
        compile_all_at(target, tier);
    }
}

fn compile_all_at(target: &str, tier: Tier) {
    let isa = isa_by_name_for(target, tier).expect("isa");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut n = 0;
    let mut failures = Vec::new();
    for dir in ["tests/programs", "examples", "tests/errors"] {
        let Ok(rd) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut files: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        files.sort();
        for p in files {
            if p.extension().is_none_or(|x| x != "em") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let mut sm = ember_lang::SourceMap::new();
            let f = sm.add(&p.display().to_string(), text.as_str());
            // Files with type errors (tests/errors) are not compiled.
            let Ok(program) = ember_lang::check_file(f, &text, &Default::default()) else {
                continue;
            };
            n += 1;
            if let Err(e) = compile_for_isa(&*isa, &program) {
                failures.push(format!("{} ({tier:?}): {e}", p.display()));
            }
        }
    }
    assert!(n > 50, "only {n} programs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_program_compiles_for_aarch64() {
    compile_all("aarch64");
}

#[test]
fn every_program_compiles_for_x86_64() {
    compile_all("x86_64");
}

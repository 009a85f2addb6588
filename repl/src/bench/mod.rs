//! `ember bench`: how long live redefinition takes, measured in one
//! process, and whether the program's state survives it.
//!
//! The standard suite ([`workloads::standard`]) runs each operation with 0
//! and 1 running Ember threads; `ember bench FILE` redefines each function
//! of the user's file ([`user_file`]). Each row gets a fresh engine
//! ([`row`]): the state to preserve ([`state`]), the workload's set-up, a
//! round of each version, then `--rounds` timed transactions whose own
//! per-phase timings ([`measure`]) make the table or the JSON
//! ([`output`]).
//!
//! Exit status: 0 when every row was measured, every round took effect and
//! everything was preserved; 1 otherwise (or when FILE does not compile);
//! 2 for bad usage (FILE missing or unreadable).

mod engine_io;
mod measure;
mod output;
mod row;
mod state;
mod user_file;
mod workloads;

use std::io::Write;
use std::path::PathBuf;

use output::{Report, RowError};

/// `ember bench [FILE] [--rounds N] [--json]`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Time redefinitions of this file's own functions (each redefined
    /// with its own body) instead of the standard suite
    pub file: Option<PathBuf>,
    /// Redefinitions per operation
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
    pub rounds: u32,
    /// Print every figure as JSON instead of the table
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &Args) -> u8 {
    let load_average = measure::load_average();
    let (suite, file, workloads, thread_counts): (_, _, _, &[u32]) = match &args.file {
        None => ("standard", None, workloads::standard(), &[0, 1]),
        Some(path) => {
            let (name, text) = match crate::read_source(path) {
                Ok(source) => source,
                Err(code) => return code,
            };
            if let Err(diags) = ember::check_source(&name, &text) {
                crate::eprint_compile_errors(|color| diags.report(color));
                return crate::EXIT_COMPILE_ERROR;
            }
            let w = user_file::workloads(&name, &text);
            if w.is_empty() {
                eprintln!("error: {name}: no functions to redefine");
                return crate::EXIT_COMPILE_ERROR;
            }
            ("file", Some(name), w, &[0])
        }
    };
    let mut operations = Vec::new();
    let mut errors = Vec::new();
    for w in &workloads {
        for &threads in thread_counts {
            match row::run(w, threads, args.rounds) {
                Ok(r) => operations.push(r),
                Err(e) => errors.push(RowError {
                    key: w.key.clone(),
                    operation: w.label.clone(),
                    threads,
                    message: e.to_string(),
                }),
            }
        }
    }
    let ok = errors.is_empty() && operations.iter().all(|r| r.applied && r.preserved.all());
    let report = Report {
        ember_version: env!("CARGO_PKG_VERSION"),
        suite,
        file,
        rounds: args.rounds,
        build: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        load_average,
        operations,
        errors,
        ok,
    };
    let text = if args.json {
        report.json()
    } else {
        report.table()
    };
    if args.json {
        // The table shows them; the JSON has them too, but say so.
        for e in &report.errors {
            eprintln!(
                "error: {} ({} threads): {}",
                e.operation, e.threads, e.message
            );
        }
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    if ok {
        crate::EXIT_OK
    } else {
        crate::EXIT_COMPILE_ERROR
    }
}

//! The `ember` command (LANGUAGE.md §8): `ember check FILE`, `ember run FILE`,
//! `ember run --watch FILE` (see [`watch`]), and `ember` / `ember repl`.
//!
//! Exit status: 0 success, 1 compile error, runtime error or runtime error in
//! a thread nobody joined, 2 bad usage (unknown flag, missing or unreadable
//! file). The REPL exits 0 at the end of its input (see [`session`]).
#![forbid(unsafe_code)]

mod bench;
mod cmd_files;
mod cmd_inspect;
mod cmd_session;
mod cmd_watch;
mod commands;
mod completion;
mod highlight;
mod history;
mod interrupt;
mod session;
mod snippet;
mod style;
mod terminal;
mod watch;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc: the front end and the runtime's Rust side allocate many small
/// objects; it is markedly faster than glibc's malloc for them (see
/// BENCHMARKS.md, front end).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `ember --help`: what the command does, then examples.
const ABOUT: &str =
    "Ember: a statically typed scripting language compiled to native code, with live redefinition";

const LONG_ABOUT: &str = "\
Ember: a statically typed scripting language compiled to native code, with live redefinition.

Every function is compiled to machine code; any function, struct or global
can be redefined while the program runs (in the REPL, or by saving the file
with `ember run --watch`), and running code picks up the new definition at
its next call, with its state kept.

Without a subcommand, `ember` starts the interactive session (`ember repl`).";

const EXAMPLES: &str = "\
Examples:
  ember                          start the REPL
  ember run examples/nbody.em    run a program
  ember run --watch game.em      run it, reloading its definitions on every save
  ember check lib.em             type-check without running
  ember bench --rounds 100       time redefinitions

Exit status: 0 success; 1 compile error, runtime error, or a runtime error in
a thread nobody joined; 2 bad usage (unknown option, missing or unreadable file).
`ember help COMMAND` or `ember COMMAND --help` tells more about each command.";

const CHECK_HELP: &str = "\
Reports every syntax and type error with its file, line and column on
standard error (in colour when standard error is a terminal and NO_COLOR is
unset); prints nothing for a clean file.

Examples:
  ember check lib.em
  for f in src/*.em; do ember check \"$f\"; done

Exit status: 0 clean, 1 errors found, 2 FILE missing or unreadable.";

const RUN_HELP: &str = "\
Defines FILE's functions and structs, runs its globals' initializers and its
top-level statements in source order, then waits for every spawned thread.
Program output goes to standard output; compile errors, runtime errors (with
their stack) and errors of threads nobody joined go to standard error.

With --watch, every save of FILE reloads its definitions into the running
program as one transaction: changed functions take effect at their next
call, globals keep their values, top-level statements do not run again. An
edit that does not compile is reported and the old definitions stay.

Examples:
  ember run examples/hello.em
  ember run --watch sim.em

Exit status: 0; 1 after a compile error, a runtime error, or a runtime error
in a thread nobody joined; 2 FILE missing or unreadable.";

const REPL_HELP: &str = "\
Type items (fn, struct, let) and statements; an entry that ends in an
expression without `;` shows its value. An entry goes on to the next line
while a bracket, string or block comment is open, or a line ends in an
operator. Type a definition again to redefine it. `:help` lists the commands.

Keys:
  Tab           complete keywords, definitions, globals, locals, fields after
                `.`, standard functions and `:` commands
  Up / Down     history (a multi-line entry comes back whole); Ctrl-R searches
  Right         accept the dimmed hint taken from history
  Ctrl-C        clear the entry being typed; while code runs, interrupt it
                (definitions and globals are kept)
  Ctrl-D        leave, after waiting for spawned threads (Ctrl-C stops waiting)

History is saved in ember/history in the user's data directory
($XDG_DATA_HOME or ~/.local/share on Linux); EMBER_HISTORY=FILE uses FILE
instead, EMBER_HISTORY= (empty) keeps none. Colour only at a terminal, never
with NO_COLOR set.

When standard input is not a terminal (`ember < session.txt`), no banner or
prompt is shown: echoed values and program output go to standard output,
notices and errors to standard error, and the exit status is 0 at the end of
the input.

Examples:
  ember                          start a session
  ember repl < session.txt       run a transcript (no banner or prompt)
  EMBER_HISTORY= ember           a session that keeps no history";

const BENCH_HELP: &str = "\
Examples:
  ember bench                    the standard suite, 500 rounds per operation
  ember bench --rounds 50 --json the same, fewer rounds, as JSON
  ember bench mylib.em           redefine each function of mylib.em with its own body";

#[derive(Parser, Debug)]
#[command(
    name = "ember",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = EXAMPLES
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse and type-check FILE without running it
    #[command(after_help = CHECK_HELP)]
    Check {
        /// The `.em` file to check
        file: PathBuf,
    },
    /// Run FILE, then wait for every spawned thread
    #[command(after_help = RUN_HELP)]
    Run {
        /// The `.em` file to run
        file: PathBuf,
        /// While it runs, reload FILE's definitions on every save (state is
        /// kept; an edit that does not compile is reported and ignored)
        #[arg(long)]
        watch: bool,
    },
    /// Start an interactive session (the default)
    #[command(after_help = REPL_HELP)]
    Repl,
    /// Time live redefinitions (a standard suite, or FILE's own functions)
    /// and check that globals, threads, channels and heap data survive them
    #[command(after_help = BENCH_HELP)]
    Bench(bench::Args),
}

const EXIT_OK: u8 = 0;
/// A compile error, a runtime error, or a runtime error in a thread nobody
/// joined (LANGUAGE.md §8).
const EXIT_COMPILE_ERROR: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    // clap prints its own usage errors and exits with status 2.
    let cli = Cli::parse();
    let code = match cli.command {
        Some(Command::Check { file }) => match check(&file) {
            Ok(()) => EXIT_OK,
            Err(code) => code,
        },
        Some(Command::Run { file, watch: false }) => run(&file),
        Some(Command::Run { file, watch: true }) => watch::run(&file),
        Some(Command::Bench(args)) => bench::run(&args),
        None | Some(Command::Repl) => repl(),
    };
    ExitCode::from(code)
}

/// Read and check `path`; on failure print why to standard error and return
/// the exit status.
fn check(path: &std::path::Path) -> Result<(), u8> {
    let (name, text) = read_source(path)?;
    match ember::check_source(&name, &text) {
        Ok(_) => Ok(()),
        Err(diags) => {
            eprint_compile_errors(|color| diags.report(color));
            Err(EXIT_COMPILE_ERROR)
        }
    }
}

/// `ember run FILE`: run it, wait for every spawned thread, report every
/// error on standard error. 0 on success, 1 after any error, 2 for bad usage.
fn run(path: &std::path::Path) -> u8 {
    let (name, text) = match read_source(path) {
        Ok(source) => source,
        Err(code) => return code,
    };
    let mut engine = match ember::Engine::new() {
        Ok(engine) => engine,
        Err(e) => {
            eprint_all(&ember::report_error(&e));
            return EXIT_COMPILE_ERROR;
        }
    };
    // As `ember::run_file`, with colour at a terminal.
    let color = use_color();
    let mut status = EXIT_OK;
    if let Err(e) = engine.run_source(&name, &text) {
        eprint_all(&session::error_text(&engine, &e, color));
        status = EXIT_COMPILE_ERROR;
    }
    for e in engine.wait_threads() {
        eprint_error(&ember::report_thread_error(&e));
        status = EXIT_COMPILE_ERROR;
    }
    status
}

/// `ember` / `ember repl`: the interactive session at a terminal, or the
/// piped one (no banner, no prompt) when standard input is not a terminal.
fn repl() -> u8 {
    let engine = match ember::Engine::new() {
        Ok(engine) => engine,
        Err(e) => {
            eprint_all(&ember::report_error(&e));
            return EXIT_COMPILE_ERROR;
        }
    };
    let interactive = std::io::stdin().is_terminal();
    let options = session::Options {
        color: use_color(),
        // At a terminal notices go to standard output, else to standard
        // error.
        color_notices: if interactive {
            terminal::use_color()
        } else {
            use_color()
        },
        notices_to_out: interactive,
        // As colour, but `NO_COLOR` leaves the snippet (plain).
        snippets: std::io::stderr().is_terminal(),
    };
    let running = interrupt::install(engine.entry_interrupt_handle(), interactive);
    let mut session = session::Session::new(engine, std::io::stdout(), std::io::stderr(), options);
    session.set_running_flag(running);
    if interactive {
        terminal::run(&mut session)
    } else {
        session::run_piped(&mut session, std::io::stdin().lock())
    }
}

fn eprint_all(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

/// Print the compile errors `report(colour)` renders on standard error,
/// coloured at a terminal (the summary line too).
fn eprint_compile_errors(report: impl FnOnce(bool) -> String) {
    let color = use_color();
    let text = report(color);
    if color {
        eprint_all(&style::compile_report(&text));
    } else {
        eprint_all(&text);
    }
}

/// Print an error report (a runtime error with its stack, a thread's
/// error) on standard error, coloured as compile diagnostics are.
fn eprint_error(text: &str) {
    if use_color() {
        eprint_all(&style::error(text));
    } else {
        eprint_all(text);
    }
}

/// Read a source file; on failure print why and return exit status 2.
/// Diagnostics name the file exactly as given on the command line.
fn read_source(path: &std::path::Path) -> Result<(String, String), u8> {
    let name = path.display().to_string();
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                eprintln!(
                    "error: {name}: not valid UTF-8 (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                );
                return Err(EXIT_USAGE);
            }
        },
        Err(e) => {
            eprintln!(
                "error: cannot read {name}: {}",
                ember::file_watch::io_reason(&e)
            );
            return Err(EXIT_USAGE);
        }
    };
    Ok((name, text))
}

/// Colour only when standard error is a terminal and `NO_COLOR` is unset
/// (or empty, per no-color.org).
fn use_color() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stderr().is_terminal()
}

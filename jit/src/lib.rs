//! `ember-jit`: the Ember back end — typed IR to native code through
//! Cranelift, the code store, the runtime and the [`Engine`].
//!
//! # Using the engine
//!
//! ```no_run
//! use ember_jit::{Engine, Error};
//!
//! let mut engine = Engine::new().expect("engine");
//! match engine.run_source("demo.em", "fn sq(x: int) -> int { x * x }\nlet y = sq(7);") {
//!     Ok(_) => {}
//!     Err(Error::Compile { rendered, .. }) => eprint!("{rendered}"),
//!     Err(Error::Runtime(e)) => eprintln!("{e}"), // message + `  at f (file:line:col)` lines
//!     Err(e) => eprintln!("{e}"),
//! }
//! // `ember run` semantics: wait for spawned threads, report unjoined failures.
//! for e in engine.wait_threads() {
//!     eprintln!("{e}");
//! }
//! ```
//!
//! * [`Engine::run_source`] / [`Engine::load_file`]: check a whole file
//!   against the definitions made so far, define its structs, globals and
//!   functions, then run its top-level code (`<main>`).
//! * [`Engine::run_entry`]: the same for a REPL entry; a final expression's
//!   value comes back as `(word, type)`, printable with
//!   [`Engine::format_value`] (the value stays alive until the next run).
//! * [`Engine::call`]: call a defined function with argument words.
//! * [`Engine::register_host`]: make an `extern "C"` Rust function callable
//!   from Ember (through a slot, like every call).
//! * [`Engine::register_builtin`]: install the implementation of a library
//!   function of §5 ([`runtime::host`]); `ember-stdlib` registers them all.
//!   A fresh engine has only the language intrinsics: programs calling a
//!   library function nobody registered are refused at check time.
//! * [`Engine::interrupt_handle`]: stop running code from another thread.
//! * [`Engine::capture_output`] / [`Engine::take_output`]: collect
//!   `print` output instead of writing to standard output (tests).
//!
//! # Layout
//!
//! * [`codegen`]: typed IR → Cranelift IR (one `translate_*` family per
//!   module), entry wrappers and exit trampolines, PC → source tables.
//! * [`code`]: executable memory and the slot table.
//! * [`runtime`]: thread context, runtime functions, heap, unwinding,
//!   stack walking, text forms.
//! * [`engine`]: ties them together. `jit/RUNTIME.md` is the contract
//!   between the parts.

pub mod code;
pub mod codegen;
pub mod embed;
pub mod engine;
pub mod handle;
pub mod inspect;
pub mod live;
pub mod runtime;

pub use engine::{Engine, Error, InterruptHandle};
pub use handle::{FnHandle, MainRun};
pub use live::{Change, ItemChange, ItemKind, Origin, Stats, TransactionReport};
pub use runtime::errors::{EmberError, Frame};

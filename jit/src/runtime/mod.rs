//! The runtime: thread contexts, errors, runtime functions called by
//! compiled code, the host-function interface, heap, unwinding and stack
//! walking.

pub mod builtins;
pub mod ctx;
pub mod errors;
pub mod format;
pub mod heap;
pub mod host;
pub mod stack;
pub mod traps;
pub mod unwind;
pub mod watchdog;

pub use ctx::ThreadCtx;
pub use errors::{EmberError, Frame};

//! The embedding API's machinery on the JIT side (issue 7): Rust values
//! to and from Ember values, typed function handles, and host functions
//! made from Rust closures. The `ember` facade crate presents it.
//!
//! * [`convert`]: [`IntoEmber`] / [`FromEmber`] for `i64`, `f64`, `bool`,
//!   `String` / `&str`, `()`, `Vec<T>`, `HashMap` / `BTreeMap`,
//!   `Option<T>`, and the dynamic [`Value`] (any Ember value, read-only).
//! * [`function`]: [`TypedFn`], a function handle whose Rust signature was
//!   checked against the Ember one when it was made; it calls through the
//!   function's slot (so it follows redefinition) from any thread.
//! * [`host_fn`]: [`IntoHostFn`], how closures such as
//!   `|a: i64, s: &str| -> f64` or `-> Result<T, E>` become host functions.
//! * [`trampoline`]: the exit trampoline every registered closure is
//!   called through.
//!
//! Heap words are only read or made inside the conversion phases of
//! `runtime::host` ([`Access`](crate::runtime::host::Access)), with the
//! thread counting as running: no collection can free an argument before
//! the call reads it, or a result before it is converted. The closures
//! themselves only ever see Rust values, so they may call into Ember
//! again.

pub mod convert;
pub mod function;
pub mod host_fn;
mod register;
mod trampoline;

pub use convert::{EmberType, FromEmber, IntoEmber, Value};
pub use function::{Args, TypedFn};
pub use host_fn::{HostResult, IntoHostFn};

//! `ember-jit`: the Ember back end — typed IR to native code through
//! Cranelift, the code store, the runtime and the [`Engine`].

pub mod code;
pub mod codegen;
pub mod engine;
pub mod runtime;

pub use engine::{Engine, Error, InterruptHandle};
pub use runtime::errors::{EmberError, Frame};

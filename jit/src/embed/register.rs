//! Registering host closures with an [`Engine`] and making typed handles.

use std::sync::Arc;

use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;

use super::convert::FromEmber;
use super::function::{check_signature, Args, TypedFn};
use super::host_fn::IntoHostFn;
use super::trampoline::build_closure_trampoline;
use crate::codegen;
use crate::engine::{Engine, Error};
use crate::runtime::host::{call_registered, Registered};
use crate::runtime::unwind;

impl Engine {
    /// Make closure `f` callable from Ember code as `name`, with the Ember
    /// signature its Rust types stand for (see [`crate::embed::convert`]).
    /// Programs checked from now on may call it; each call goes through a
    /// slot and the closure's trampoline. Registering `name` again
    /// replaces the closure: with the same signature, code already
    /// compiled calls the new one (its slot is rewritten); with another
    /// signature only if no current definition calls it (else the error
    /// lists them).
    pub fn register_fn<M>(&mut self, name: &str, f: impl IntoHostFn<M>) -> Result<(), Error> {
        let reg = f.into_registered(name).map_err(Error::Host)?;
        self.register_closure(reg)
    }

    /// [`Engine::register_fn`] for a prepared registration record.
    pub fn register_closure(&mut self, reg: Registered) -> Result<(), Error> {
        let name = reg.name.clone();
        if !is_identifier(&name) {
            return Err(Error::Host(format!("`{name}` is not an Ember identifier")));
        }
        if ember_lang::check::STANDARD_FUNCTIONS.contains(&name.as_str()) {
            return Err(Error::Host(format!(
                "`{name}` is the name of a standard function; host functions need names of their own"
            )));
        }
        if self.env.functions.contains_key(&name) {
            return Err(Error::Host(format!(
                "`{name}` is already an Ember function of this engine"
            )));
        }
        let sig = reg.sig.clone();
        if let Some(old) = self.env.hosts.get(&name) {
            if *old != sig {
                let users = self.graph.users_of_host(&name);
                if !users.is_empty() {
                    let list: Vec<String> = users.iter().map(|u| format!("`{u}`")).collect();
                    return Err(Error::Host(format!(
                        "host function `{name}` cannot change type from `{old}` to `{sig}`: \
                         called by {}",
                        list.join(", ")
                    )));
                }
            }
        }
        // The record lives as long as the engine's shared state (code may
        // call it until then), at a stable address (boxed).
        let reg = Box::new(reg);
        let data = &*reg as *const Registered as u64;
        self.shared.host_closures.lock().push(reg);

        let mut func = cranelift_codegen::ir::Function::new();
        let mut fctx = FunctionBuilderContext::new();
        build_closure_trampoline(
            &*self.isa,
            &name,
            &sig,
            data,
            call_registered as *const () as usize,
            unwind::ember_unwind_addr(),
            &mut func,
            &mut fctx,
        );
        let mut cctx = Context::for_function(func);
        let compiled = codegen::compile(&*self.isa, &mut cctx)?;
        let entry = self
            .shared
            .code
            .lock()
            .alloc_and_write(&compiled.code, 16)
            .map_err(|e| Error::Internal(e.to_string()))?
            .addr();
        // One slot per (name, signature): the same slot as before when the
        // signature is unchanged, so compiled callers reach the new closure.
        let slot = self
            .shared
            .slots
            .alloc(&format!("host {name}"), &sig.to_string())
            .map_err(|e| Error::Internal(e.to_string()))?;
        self.shared.slots.set(slot, entry);
        let addr = self.shared.slots.address(slot) as u64;
        self.defs
            .hosts
            .insert(name.clone(), (addr, Arc::new(sig.clone())));
        self.env.hosts.insert(name, sig);
        Ok(())
    }

    /// A typed handle on function `name`: `A` is a tuple of argument types,
    /// `R` the result type. Fails (naming both) if they do not stand for the
    /// function's Ember signature.
    pub fn typed_function<A: Args, R: FromEmber>(
        &mut self,
        name: &str,
    ) -> Result<TypedFn<A, R>, Error> {
        let Some(f) = self.defs.functions.get(name) else {
            return Err(Error::Host(format!("no function `{name}` is defined")));
        };
        check_signature::<A, R>(name, &f.sig).map_err(Error::Host)?;
        let handle = self.function_handle(name)?;
        TypedFn::new(handle).map_err(Error::Host)
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Engine {
    /// Run `text` as a REPL entry named `name` (items and statements, then
    /// a final expression without `;`) and convert the final expression's
    /// value to `T` (`()` when there is none). The entry is one
    /// transaction, like [`Engine::run_entry`].
    pub fn eval_as<T: FromEmber>(&mut self, name: &str, text: &str) -> Result<T, Error> {
        let value = self.run_entry(name, text)?;
        let (word, ty) = value.unwrap_or((0, ember_lang::types::Type::Unit));
        if let Some(want) = T::ember_type() {
            if want != ty {
                return Err(Error::Host(format!(
                    "the value is a `{ty}`, not the `{want}` asked for"
                )));
            }
        }
        // A reference result stays pinned until the next transaction, and
        // this engine runs none meanwhile.
        crate::runtime::host::read_kept_word(&mut self.ctx, word, &ty, |a, w| T::from_word(a, &w))
            .map_err(|e| Error::Host(e.0))
    }
}

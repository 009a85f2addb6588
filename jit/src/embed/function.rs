//! Typed function handles: [`TypedFn<A, R>`] calls an Ember function with
//! Rust arguments `A` (a tuple) and converts its result to `R`.

use std::fmt;
use std::marker::PhantomData;

use ember_lang::types::{FnType, Type};

use super::convert::{EmberType, FromEmber, IntoEmber};
use crate::handle::FnHandle;
use crate::runtime::errors::EmberError;
use crate::runtime::host::{self, Access, ArgWords, HostError};

/// Argument lists of typed calls: tuples of [`IntoEmber`] values, `()` for
/// none (up to eight).
pub trait Args {
    /// The Ember parameter types (`None` where any type would do: never
    /// for arguments).
    fn types() -> Vec<Option<Type>>;
    /// Make the argument words.
    fn push_all(self, a: &Access<'_>, out: &mut ArgWords<'_>) -> Result<(), HostError>;
}

macro_rules! args_tuple {
    ($($t:ident $v:ident),*) => {
        impl<$($t: IntoEmber),*> Args for ($($t,)*) {
            fn types() -> Vec<Option<Type>> {
                vec![$($t::ember_type()),*]
            }
            #[inline]
            #[allow(unused_variables)]
            fn push_all(self, a: &Access<'_>, out: &mut ArgWords<'_>) -> Result<(), HostError> {
                let ($($v,)*) = self;
                $(out.push($v.into_word(a)?)?;)*
                Ok(())
            }
        }
    };
}

args_tuple!();
args_tuple!(A a);
args_tuple!(A a, B b);
args_tuple!(A a, B b, C c);
args_tuple!(A a, B b, C c, D d);
args_tuple!(A a, B b, C c, D d, E e);
args_tuple!(A a, B b, C c, D d, E e, F f);
args_tuple!(A a, B b, C c, D d, E e, F f, G g);
args_tuple!(A a, B b, C c, D d, E e, F f, G g, H h);

/// The Ember text of an optional type list (`_` for "any").
fn describe(types: &[Option<Type>]) -> String {
    types
        .iter()
        .map(|t| t.as_ref().map_or("_".to_string(), |t| t.to_string()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a handle could not be made for the Rust types asked for: the
/// function's Ember signature and the one the Rust types stand for.
pub(crate) fn check_signature<A: Args, R: EmberType>(
    name: &str,
    sig: &FnType,
) -> Result<(), String> {
    let params = A::types();
    let ret = R::ember_type();
    let params_ok = params.len() == sig.params.len()
        && params
            .iter()
            .zip(&sig.params)
            .all(|(p, t)| p.as_ref().is_none_or(|p| p == t));
    let ret_ok = ret.as_ref().is_none_or(|r| *r == sig.ret);
    if params_ok && ret_ok {
        return Ok(());
    }
    let wanted = format!(
        "fn({}) -> {}",
        describe(&params),
        ret.map_or("_".to_string(), |t| t.to_string())
    );
    Err(format!(
        "`{name}` has type `{sig}`, but the Rust types asked for stand for `{wanted}`"
    ))
}

/// An Ember function with a checked Rust signature: arguments `A` (a
/// tuple), result `R`. It calls through the function's slot, so every call
/// runs the current definition; it can be cloned and used from any
/// thread. If the function is later redefined with another signature,
/// calls fail with a runtime error naming it.
pub struct TypedFn<A, R> {
    handle: FnHandle,
    _sig: PhantomData<fn(A) -> R>,
}

impl<A, R> Clone for TypedFn<A, R> {
    fn clone(&self) -> Self {
        TypedFn {
            handle: self.handle.clone(),
            _sig: PhantomData,
        }
    }
}

impl<A, R> fmt::Debug for TypedFn<A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TypedFn({}: {})",
            self.handle.name(),
            self.handle.signature()
        )
    }
}

impl<A: Args, R: FromEmber> TypedFn<A, R> {
    /// A typed handle on `handle`, if the Rust types match its signature.
    pub fn new(handle: FnHandle) -> Result<Self, String> {
        check_signature::<A, R>(handle.name(), handle.signature())?;
        Ok(TypedFn {
            handle,
            _sig: PhantomData,
        })
    }

    /// Call the function's current definition.
    #[inline]
    pub fn call(&self, args: A) -> Result<R, EmberError> {
        let h = &self.handle;
        host::call_entry(
            &h.shared,
            h.slot_addr,
            h.wrapper,
            &h.sig,
            |a, out| args.push_all(a, out),
            |a, w| R::from_word(a, w),
        )
    }

    /// The function's name.
    pub fn name(&self) -> &str {
        self.handle.name()
    }

    /// Its Ember signature.
    pub fn signature(&self) -> &FnType {
        self.handle.signature()
    }

    /// The untyped handle.
    pub fn handle(&self) -> &FnHandle {
        &self.handle
    }
}

//! Host functions from Rust closures: [`IntoHostFn`] is implemented for
//! every `Fn` closure (`Send + Sync + 'static`) of up to five parameters,
//! each an [`FromEmber`] type or `&str`, returning an [`IntoEmber`] type
//! or a `Result<T, E>` with `E: Display` (the error becomes an Ember
//! runtime error with the Ember stack of the call).
//!
//! The marker type parameter only tells the implementations apart (one
//! per choice of owned / `&str` for each parameter); it is inferred.

use std::fmt::Display;
use std::marker::PhantomData;

use ember_lang::types::{FnType, Type};

use super::convert::{EmberType, FromEmber, IntoEmber};
use crate::runtime::host::{CallIo, HostError, Registered};

/// What a host closure may return: a value, or `Result<value, error>`.
pub trait HostResult {
    /// The value type.
    type Ok: IntoEmber;
    /// The value, or the error's text.
    fn into_result(self) -> Result<Self::Ok, String>;
}

impl<T: IntoEmber> HostResult for T {
    type Ok = T;
    #[inline]
    fn into_result(self) -> Result<T, String> {
        Ok(self)
    }
}

impl<T: IntoEmber, E: Display> HostResult for Result<T, E> {
    type Ok = T;
    #[inline]
    fn into_result(self) -> Result<T, String> {
        self.map_err(|e| e.to_string())
    }
}

/// Marker: a parameter of owned type `A`.
pub struct Own<A>(PhantomData<A>);
/// Marker: a `&str` parameter.
pub struct StrRef;

/// A Rust closure usable as an Ember host function (see the module docs).
pub trait IntoHostFn<Marker>: Send + Sync + 'static {
    /// The Ember signature (`None` where a type has no Ember counterpart).
    fn ember_signature() -> Result<FnType, String>;
    /// The registration record the engine keeps.
    fn into_registered(self, name: &str) -> Result<Registered, String>;
}

fn ty(t: Option<Type>, what: &str) -> Result<Type, String> {
    t.ok_or_else(|| format!("{what}: `Value` has no single Ember type; use a concrete type"))
}

macro_rules! param_ty {
    ((own $p:ident), $l:lifetime) => { $p };
    ((str $p:ident), $l:lifetime) => { &$l str };
}
macro_rules! store_ty {
    ((own $p:ident)) => {
        $p
    };
    ((str $p:ident)) => {
        String
    };
}
macro_rules! marker_ty {
    ((own $p:ident)) => { Own<$p> };
    ((str $p:ident)) => { StrRef };
}
macro_rules! pass {
    ((own $p:ident), $v:expr) => {
        $v
    };
    ((str $p:ident), $v:expr) => {
        $v.as_str()
    };
}

macro_rules! host_fn_impl {
    ([$($g:ident)*] $(($k:ident $p:ident))*) => {
        impl<Func, Ret $(, $g)*> IntoHostFn<($(marker_ty!(($k $p)),)* Ret,)> for Func
        where
            Func: for<'s> Fn($(param_ty!(($k $p), 's)),*) -> Ret + Send + Sync + 'static,
            Ret: HostResult,
            $($g: FromEmber,)*
        {
            fn ember_signature() -> Result<FnType, String> {
                let params = vec![$(ty(<store_ty!(($k $p))>::ember_type(), "a parameter")?),*];
                let ret = ty(<Ret::Ok as EmberType>::ember_type(), "the result")?;
                Ok(FnType { params, ret })
            }

            #[allow(non_snake_case)]
            fn into_registered(self, name: &str) -> Result<Registered, String> {
                let sig = <Self as IntoHostFn<($(marker_ty!(($k $p)),)* Ret,)>>::ember_signature()?;
                let call = move |io: &mut CallIo<'_>| -> Result<(), String> {
                    #[allow(unused_variables, unused_mut)]
                    let ($($p,)*) = io
                        .read_args(|a, words| -> Result<_, HostError> {
                            let mut it = words.iter();
                            Ok(($(
                                <store_ty!(($k $p))>::from_word(
                                    a,
                                    it.next().ok_or_else(|| HostError("missing argument".into()))?,
                                )?,
                            )*))
                        })
                        .map_err(String::from)?;
                    let ok = self($(pass!(($k $p), $p)),*).into_result()?;
                    io.set_result(|a| ok.into_word(a))
                };
                Ok(Registered {
                    name: name.to_string(),
                    sig,
                    call: Box::new(call),
                })
            }
        }
    };
}

macro_rules! host_fn_impls {
    ($($p:ident)*) => { host_fn_impls!(@go [] [] $($p)*); };
    (@go [$($g:ident)*] [$($item:tt)*] $p:ident $($rest:ident)*) => {
        host_fn_impls!(@go [$($g)* $p] [$($item)* (own $p)] $($rest)*);
        host_fn_impls!(@go [$($g)*] [$($item)* (str $p)] $($rest)*);
    };
    (@go [$($g:ident)*] [$($item:tt)*]) => { host_fn_impl!([$($g)*] $($item)*); };
}

host_fn_impls!();
host_fn_impls!(A);
host_fn_impls!(A B);
host_fn_impls!(A B C);
host_fn_impls!(A B C D);
host_fn_impls!(A B C D E);

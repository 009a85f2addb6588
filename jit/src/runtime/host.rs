//! The host-function interface: how Rust functions become callable from
//! Ember code, and the safe API they use while they run.
//!
//! The standard library (`ember-stdlib`) registers its functions through
//! this interface with [`crate::Engine::register_builtin`]; embedders'
//! host functions (issue 7's typed `register_fn`) are layered on the same
//! calls. A host function is an `extern "C"` Rust function whose first
//! parameter is a [`Host`] (the calling thread's context, passed as the
//! pointer compiled code holds) and whose other parameters and result are
//! the RUNTIME.md words of its Ember types, as typed handles:
//!
//! | [`Param`] | Rust type | word |
//! |---|---|---|
//! | `Int` | `i64` | the integer |
//! | `Float` | `f64` | the float |
//! | `Bool` | `bool` | 0 / 1 (zero-extended by the trampoline) |
//! | `Str` | [`Str`] | a live `str` |
//! | `StrArray` | [`StrArray`] | a live `[str]` |
//! | `Value` | [`Value`] | a word of any type, described by the next parameter |
//! | `TypeDesc` | [`TypeDesc`] | the type of the preceding `Value` |
//!
//! Calls go through a slot and a Cranelift-generated exit trampoline, like
//! every runtime call (RUNTIME.md), so a host function can raise an Ember
//! error ([`Host::raise`]) and the error gets the Ember stack.
//!
//! # Why this is safe
//!
//! A [`HostFn`] is built only from a function pointer of one of the typed
//! shapes below, so its ABI signature is the one of its Rust type, and
//! [`crate::Engine::register_builtin`] accepts it only for a standard
//! function whose lowering passes exactly those words. The handle types
//! cannot be made outside this crate (private fields, no constructors), are
//! not `Copy`, and carry the call's lifetime `'c`, so they cannot outlive
//! the call. Heap data is read through `&Host` (so nothing read survives
//! [`Host::parked`], which consumes the `Host`: a collection can run while
//! a thread is parked), and a failing function must end with
//! [`Host::raise`], which consumes the `Host` too and is the only way to
//! get a placeholder result.

use std::fmt;
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::time::Duration;

use ember_lang::tir::Builtin;
use ember_lang::types::{FnType, Type};

use super::builtins;
use super::ctx::ThreadCtx;
use super::heap::{self, RuntimeError};

/// Invariant in `'c` (a handle of one call cannot pass for another's).
type Brand<'c> = PhantomData<fn(&'c ()) -> &'c ()>;

/// The calling thread, as a host function sees it (its first parameter).
///
/// Passed by value: [`Host::parked`] and [`Host::raise`] consume it.
#[repr(transparent)]
pub struct Host<'c> {
    ctx: NonNull<ThreadCtx>,
    _brand: Brand<'c>,
    _thread: PhantomData<&'c mut ThreadCtx>,
}

/// A `str` argument or result.
#[repr(transparent)]
pub struct Str<'c> {
    word: u64,
    _brand: Brand<'c>,
}

/// A `[str]` argument or result.
#[repr(transparent)]
pub struct StrArray<'c> {
    word: u64,
    _brand: Brand<'c>,
}

/// A value of any type (its type is the [`TypeDesc`] passed with it).
#[repr(transparent)]
pub struct Value<'c> {
    word: u64,
    _brand: Brand<'c>,
}

/// The type of a [`Value`] argument.
#[repr(transparent)]
pub struct TypeDesc<'c> {
    addr: u64,
    _brand: Brand<'c>,
}

impl Value<'_> {
    /// The raw word (RUNTIME.md representation of the value's type).
    #[inline]
    pub fn word(&self) -> u64 {
        self.word
    }
}

/// A runtime error of a host operation (e.g. `out of memory`); becomes an
/// Ember error through [`Host::raise`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostError(pub String);

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HostError {}

impl From<RuntimeError> for HostError {
    fn from(e: RuntimeError) -> Self {
        HostError(e.message)
    }
}

impl From<HostError> for String {
    fn from(e: HostError) -> Self {
        e.0
    }
}

mod sealed {
    /// Only this module can make one: results cannot be fabricated.
    pub struct Token(pub(super) ());
    pub trait Sealed {}
}

/// Result types of host functions. [`Host::raise`] returns a placeholder
/// of any of them (never seen by Ember code: the trampoline unwinds).
pub trait HostRet<'c>: sealed::Sealed + Sized {
    #[doc(hidden)]
    fn placeholder(_: sealed::Token) -> Self;
}

macro_rules! scalar_ret {
    ($($t:ty = $v:expr),*) => {$(
        impl sealed::Sealed for $t {}
        impl<'c> HostRet<'c> for $t {
            fn placeholder(_: sealed::Token) -> Self { $v }
        }
    )*};
}
scalar_ret!(() = (), i64 = 0, f64 = 0.0, bool = false);

impl sealed::Sealed for Str<'_> {}
impl<'c> HostRet<'c> for Str<'c> {
    fn placeholder(_: sealed::Token) -> Self {
        Str::from_word(0)
    }
}
impl sealed::Sealed for StrArray<'_> {}
impl<'c> HostRet<'c> for StrArray<'c> {
    fn placeholder(_: sealed::Token) -> Self {
        StrArray {
            word: 0,
            _brand: PhantomData,
        }
    }
}

impl<'c> Str<'c> {
    #[inline]
    fn from_word(word: u64) -> Str<'c> {
        Str {
            word,
            _brand: PhantomData,
        }
    }
}

impl<'c> Host<'c> {
    /// The thread context, for one operation. No reference into the
    /// context escapes a `Host` method (results point into the heap or
    /// the engine), so this never aliases another borrow of it.
    #[inline]
    #[allow(clippy::mut_from_ref)]
    fn t(&self) -> &mut ThreadCtx {
        // SAFETY: compiled code passes its `ctx` argument, the live, boxed
        // context of the current thread; this `Host` is the only handle to
        // it while the host function runs, and see above for aliasing.
        unsafe { &mut *self.ctx.as_ptr() }
    }

    #[inline]
    fn mutator(&self) -> &mut heap::Mutator {
        self.t()
            .mutator
            .as_mut()
            .expect("thread context has a heap mutator")
    }

    /// The text of a `str`.
    #[inline]
    pub fn str<'a>(&'a self, s: &'a Str<'c>) -> &'a str {
        // SAFETY: `s` came from compiled code as a `str` argument (the
        // registration checked the shape) or from `new_str`; it is live:
        // no collection runs before this `Host` is consumed.
        unsafe { heap::Str::from_word(s.word) }.as_str()
    }

    /// The elements of a `[str]`, in order.
    pub fn strs<'a>(&'a self, a: &'a StrArray<'c>) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        // SAFETY: as in `str`, for a `[str]`.
        let buf = unsafe { heap::Array::from_word(a.word) }.buffer();
        (0..buf.len()).map(move |i| {
            // SAFETY: every element of a `[str]` below its length is a
            // live string.
            unsafe { heap::Str::from_word(buf.get(i)) }.as_str()
        })
    }

    /// A new `str` holding `text`.
    #[inline]
    pub fn new_str(&self, text: &str) -> Result<Str<'c>, HostError> {
        self.new_str_concat(&[text])
    }

    /// A new `str` holding the concatenation of `parts` (one allocation).
    #[inline]
    pub fn new_str_concat(&self, parts: &[&str]) -> Result<Str<'c>, HostError> {
        let s = heap::string::str_from_parts(self.mutator(), parts)?;
        Ok(Str::from_word(s.word()))
    }

    /// A new `[str]` of new strings holding `items`.
    pub fn new_str_array<'x>(
        &self,
        items: impl IntoIterator<Item = &'x str>,
    ) -> Result<StrArray<'c>, HostError> {
        let mut words = Vec::new();
        for t in items {
            // Allocation never collects: the strings made so far stay.
            words.push(heap::str_new(self.mutator(), t)?.word());
        }
        let a = heap::array_from_slice(self.mutator(), true, &words)?;
        Ok(StrArray {
            word: a.word(),
            _brand: PhantomData,
        })
    }

    /// The type a descriptor stands for.
    #[inline]
    pub fn ty<'a>(&'a self, d: &'a TypeDesc<'c>) -> &'a Type {
        // SAFETY: descriptors are addresses of `Type`s the engine interned
        // (`Resolver::type_desc`) and never frees.
        unsafe { &*(d.addr as *const Type) }
    }

    /// The text of `v` if it is a `str`.
    #[inline]
    pub fn value_str<'a>(&'a self, v: &'a Value<'c>, d: &TypeDesc<'c>) -> Option<&'a str> {
        match self.ty(d) {
            // SAFETY: the descriptor says `v` is a live `str`.
            Type::Str => Some(unsafe { heap::Str::from_word(v.word) }.as_str()),
            _ => None,
        }
    }

    /// `v` itself as a `str` result if it is one, else `v` back.
    #[inline]
    pub fn value_into_str(&self, v: Value<'c>, d: &TypeDesc<'c>) -> Result<Str<'c>, Value<'c>> {
        match self.ty(d) {
            Type::Str => Ok(Str::from_word(v.word)),
            _ => Err(v),
        }
    }

    /// The text form of `v` (LANGUAGE.md §5: strings unquoted at top
    /// level, quoted inside containers).
    pub fn format(&self, v: &Value<'c>, d: &TypeDesc<'c>) -> String {
        let sh = builtins::shared(self.t());
        sh.format_value(v.word, self.ty(d))
    }

    /// Write program output (standard output, or the engine's capture
    /// buffer).
    pub fn write_output(&self, bytes: &[u8]) {
        builtins::shared(self.t()).write_output(bytes);
    }

    /// Time since the engine started (monotonic).
    pub fn elapsed(&self) -> Duration {
        builtins::shared(self.t()).epoch.elapsed()
    }

    /// A word of per-thread state for the standard library's random
    /// generator (0 until first set).
    pub fn rng_state(&mut self) -> &mut u64 {
        &mut self.t().rng
    }

    /// Run `f` with the thread parked (a blocking call: collections and
    /// stop-the-world pauses may happen meanwhile, so `f` must not touch
    /// Ember values — which it cannot: this consumes the `Host`).
    pub fn parked<R>(self, f: impl FnOnce() -> R) -> R {
        let t = self.t();
        let sh = builtins::shared(t);
        sh.parked(t, f)
    }

    /// Sleep for `d`, parked (collections and pauses go on meanwhile); an
    /// interrupt request ends the sleep early. Returns `false` if it was
    /// interrupted (the caller then raises `interrupted`).
    pub fn sleep_parked(&self, d: Duration) -> bool {
        /// Slices short enough that an interrupt is seen promptly.
        const SLICE: Duration = Duration::from_millis(10);
        let t = self.t();
        let sh = builtins::shared(t);
        let end = std::time::Instant::now() + d;
        loop {
            let requests = t.requests.load(std::sync::atomic::Ordering::SeqCst);
            if requests & crate::runtime::ctx::REQUEST_INTERRUPT != 0 {
                return false;
            }
            let left = end.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return true;
            }
            sh.parked(t, || std::thread::sleep(left.min(SLICE)));
        }
    }

    /// Fail with the Ember runtime error `message` (with the Ember stack of
    /// the call). Return the placeholder this gives: the trampoline unwinds
    /// before Ember code could see it.
    pub fn raise<T: HostRet<'c>>(self, message: impl Into<String>) -> T {
        builtins::fail(self.ctx.as_ptr(), message);
        T::placeholder(sealed::Token(()))
    }
}

/// The Rust type of a host-function parameter or result, as its Ember
/// value class (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Param {
    Int,
    Float,
    Bool,
    Str,
    StrArray,
    Value,
    TypeDesc,
}

impl Param {
    /// The Ember type with the same word representation (for the call
    /// signature and the result's GC root).
    fn ember_type(self) -> Type {
        match self {
            Param::Int | Param::Value | Param::TypeDesc => Type::Int,
            Param::Float => Type::Float,
            Param::Bool => Type::Bool,
            Param::Str => Type::Str,
            Param::StrArray => Type::array(Type::Str),
        }
    }
}

/// A host function ready to register: its address and its signature (from
/// its Rust type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostFn {
    addr: usize,
    params: &'static [Param],
    ret: Option<Param>,
}

macro_rules! host_fn_shapes {
    ($( $(#[$m:meta])* $ctor:ident: [$($p:ident),*] -> $r:expr, $ft:ty; )*) => {
        impl HostFn {
            $(
                $(#[$m])*
                pub fn $ctor(f: $ft) -> HostFn {
                    HostFn {
                        addr: f as *const () as usize,
                        params: &[$(Param::$p),*],
                        ret: $r,
                    }
                }
            )*
        }
    };
}

host_fn_shapes! {
    /// `(x: any type)`, e.g. `print`.
    value: [Value, TypeDesc] -> None, for<'c> extern "C" fn(Host<'c>, Value<'c>, TypeDesc<'c>);
    /// `(x: any type) -> str`, e.g. `str`.
    value_to_str: [Value, TypeDesc] -> Some(Param::Str),
        for<'c> extern "C" fn(Host<'c>, Value<'c>, TypeDesc<'c>) -> Str<'c>;
    /// `() -> float`.
    to_float: [] -> Some(Param::Float), for<'c> extern "C" fn(Host<'c>) -> f64;
    /// `(float) -> float`.
    float_to_float: [Float] -> Some(Param::Float), for<'c> extern "C" fn(Host<'c>, f64) -> f64;
    /// `(float, float) -> float`.
    float2_to_float: [Float, Float] -> Some(Param::Float),
        for<'c> extern "C" fn(Host<'c>, f64, f64) -> f64;
    /// `(int)`.
    int: [Int] -> None, for<'c> extern "C" fn(Host<'c>, i64);
    /// `(int, int) -> int`.
    int2_to_int: [Int, Int] -> Some(Param::Int), for<'c> extern "C" fn(Host<'c>, i64, i64) -> i64;
    /// `(str)`.
    str: [Str] -> None, for<'c> extern "C" fn(Host<'c>, Str<'c>);
    /// `(bool, str)`.
    bool_str: [Bool, Str] -> None, for<'c> extern "C" fn(Host<'c>, bool, Str<'c>);
    /// `(str) -> int`.
    str_to_int: [Str] -> Some(Param::Int), for<'c> extern "C" fn(Host<'c>, Str<'c>) -> i64;
    /// `(str) -> float`.
    str_to_float: [Str] -> Some(Param::Float), for<'c> extern "C" fn(Host<'c>, Str<'c>) -> f64;
    /// `(str, str) -> int`.
    str2_to_int: [Str, Str] -> Some(Param::Int),
        for<'c> extern "C" fn(Host<'c>, Str<'c>, Str<'c>) -> i64;
    /// `(str, int, int) -> str`.
    str_int2_to_str: [Str, Int, Int] -> Some(Param::Str),
        for<'c> extern "C" fn(Host<'c>, Str<'c>, i64, i64) -> Str<'c>;
    /// `(str, str) -> [str]`.
    str2_to_strs: [Str, Str] -> Some(Param::StrArray),
        for<'c> extern "C" fn(Host<'c>, Str<'c>, Str<'c>) -> StrArray<'c>;
    /// `([str], str) -> str`.
    strs_str_to_str: [StrArray, Str] -> Some(Param::Str),
        for<'c> extern "C" fn(Host<'c>, StrArray<'c>, Str<'c>) -> Str<'c>;
}

impl HostFn {
    /// Address of the `extern "C"` function.
    pub fn address(&self) -> usize {
        self.addr
    }

    /// Parameters after the [`Host`], and the result.
    pub fn signature(&self) -> (&'static [Param], Option<Param>) {
        (self.params, self.ret)
    }

    /// The call signature as an Ember function type with the same word
    /// representation (`Value`/`TypeDesc` as `int`).
    pub fn ember_type(&self) -> FnType {
        signature_type(self.params, self.ret)
    }
}

fn signature_type(params: &[Param], ret: Option<Param>) -> FnType {
    FnType {
        params: params.iter().map(|p| p.ember_type()).collect(),
        ret: ret.map_or(Type::Unit, Param::ember_type),
    }
}

/// The standard functions that are library functions: implemented by a
/// registered [`HostFn`] (ember-stdlib's), called through a slot. Every
/// other [`Builtin`] is a language intrinsic the JIT lowers itself.
pub const LIBRARY: &[Builtin] = &[
    Builtin::Print,
    Builtin::Println,
    Builtin::ToStr,
    Builtin::Substr,
    Builtin::Find,
    Builtin::Split,
    Builtin::JoinStr,
    Builtin::ParseInt,
    Builtin::ParseFloat,
    Builtin::Sin,
    Builtin::Cos,
    Builtin::Tan,
    Builtin::Exp,
    Builtin::Ln,
    Builtin::Pow,
    Builtin::Clock,
    Builtin::Sleep,
    Builtin::RandInt,
    Builtin::Panic,
    Builtin::Assert,
];

/// The host signature a library function's implementation must have
/// (what its lowering passes); `None` for language intrinsics.
pub fn library_signature(b: Builtin) -> Option<(&'static [Param], Option<Param>)> {
    use Builtin::*;
    use Param as P;
    Some(match b {
        Print | Println => (&[P::Value, P::TypeDesc], None),
        ToStr => (&[P::Value, P::TypeDesc], Some(P::Str)),
        Substr => (&[P::Str, P::Int, P::Int], Some(P::Str)),
        Find => (&[P::Str, P::Str], Some(P::Int)),
        Split => (&[P::Str, P::Str], Some(P::StrArray)),
        JoinStr => (&[P::StrArray, P::Str], Some(P::Str)),
        ParseInt => (&[P::Str], Some(P::Int)),
        ParseFloat => (&[P::Str], Some(P::Float)),
        Sin | Cos | Tan | Exp | Ln => (&[P::Float], Some(P::Float)),
        Pow => (&[P::Float, P::Float], Some(P::Float)),
        Clock => (&[], Some(P::Float)),
        Sleep => (&[P::Int], None),
        RandInt => (&[P::Int, P::Int], Some(P::Int)),
        Panic => (&[P::Str], None),
        Assert => (&[P::Bool, P::Str], None),
        _ => return None,
    })
}

/// The call signature (as an Ember type) of library function `b`.
pub fn library_type(b: Builtin) -> Option<FnType> {
    library_signature(b).map(|(p, r)| signature_type(p, r))
}

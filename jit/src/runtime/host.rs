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
use std::sync::Arc;
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

// ---- typed words for the embedding API (`crate::embed`) ------------------------
//
// The embedding API converts Rust values to and from Ember values. Heap
// words are only meaningful with their type and only while no collection
// can run, so conversions see them as [`Word`]s (a word with its Ember
// type, branded with the lifetime of one conversion phase) through an
// [`Access`] (the heap, for that phase). Both are made only here: for the
// arguments and the result of a registered host closure
// ([`call_registered`]), and for the arguments and the result of a call
// into Ember ([`call_entry`], with the thread counting as running). A
// phase is a higher-ranked closure, so nothing of it escapes; the host
// closure itself runs between two phases and sees only Rust values, so it
// may call into Ember again (collections may run then) safely.

/// A value word with its Ember type, valid for one conversion phase `'c`.
#[derive(Clone, Debug)]
pub struct Word<'c> {
    word: u64,
    ty: Type,
    _brand: Brand<'c>,
}

impl<'c> Word<'c> {
    #[inline]
    fn new(word: u64, ty: Type) -> Word<'c> {
        Word {
            word,
            ty,
            _brand: PhantomData,
        }
    }

    /// An `int`.
    #[inline]
    pub fn int(i: i64) -> Word<'c> {
        Word::new(i as u64, Type::Int)
    }

    /// A `float`.
    #[inline]
    pub fn float(x: f64) -> Word<'c> {
        Word::new(x.to_bits(), Type::Float)
    }

    /// A `bool`.
    #[inline]
    pub fn bool(b: bool) -> Word<'c> {
        Word::new(u64::from(b), Type::Bool)
    }

    /// The unit value `()`.
    #[inline]
    pub fn unit() -> Word<'c> {
        Word::new(0, Type::Unit)
    }

    /// Drop it, without a call into the drop glue when its type owns
    /// nothing (every scalar type, the common case of typed calls).
    #[inline]
    fn discard(self) {
        match self.ty {
            Type::Int | Type::Float | Type::Bool | Type::Str | Type::Unit | Type::Task => {
                std::mem::forget(self)
            }
            _ => drop(self),
        }
    }

    /// The value's Ember type.
    #[inline]
    pub fn ty(&self) -> &Type {
        &self.ty
    }

    /// The raw word (RUNTIME.md representation).
    #[inline]
    pub fn raw(&self) -> u64 {
        self.word
    }

    /// The `int`, if it is one.
    #[inline]
    pub fn as_int(&self) -> Option<i64> {
        matches!(self.ty, Type::Int).then_some(self.word as i64)
    }

    /// The `float`, if it is one.
    #[inline]
    pub fn as_float(&self) -> Option<f64> {
        matches!(self.ty, Type::Float).then(|| f64::from_bits(self.word))
    }

    /// The `bool`, if it is one.
    #[inline]
    pub fn as_bool(&self) -> Option<bool> {
        matches!(self.ty, Type::Bool).then_some(self.word != 0)
    }
}

/// The heap during one conversion phase `'c` (no collection runs): read
/// the values behind [`Word`]s, allocate new ones. Every reader checks the
/// word's type and answers `None` for another type.
pub struct Access<'c> {
    ctx: NonNull<ThreadCtx>,
    _brand: Brand<'c>,
}

impl<'c> Access<'c> {
    #[inline]
    #[allow(clippy::mut_from_ref)]
    fn t(&self) -> &mut ThreadCtx {
        // SAFETY: an `Access` is made only by `call_registered` and
        // `call_entry` from the live context of the current thread, for a
        // phase in which nothing else uses the context; no reference into
        // the context escapes a method.
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
    pub fn str<'a>(&'a self, w: &'a Word<'c>) -> Option<&'a str> {
        if w.ty != Type::Str {
            return None;
        }
        // SAFETY: a `Word` of type `str` is a live string during its phase
        // (made by the runtime from a value of that type; no collection
        // runs during the phase).
        Some(unsafe { heap::Str::from_word(w.word) }.as_str())
    }

    /// The elements of an array, in order.
    pub fn elements(&self, w: &Word<'c>) -> Option<Vec<Word<'c>>> {
        let Type::Array(elem) = &w.ty else {
            return None;
        };
        // SAFETY: as in `str`, for an array.
        let a = unsafe { heap::Array::from_word(w.word) };
        Some(
            heap::array_to_vec(a)
                .into_iter()
                .map(|e| Word::new(e, (**elem).clone()))
                .collect(),
        )
    }

    /// The entries of a map, in insertion order.
    pub fn entries(&self, w: &Word<'c>) -> Option<Vec<(Word<'c>, Word<'c>)>> {
        let Type::Map(k, v) = &w.ty else {
            return None;
        };
        // SAFETY: as in `str`, for a map.
        let m = unsafe { heap::Map::from_word(w.word) };
        Some(
            heap::map_entries(m)
                .into_iter()
                .map(|(kw, vw)| (Word::new(kw, (**k).clone()), Word::new(vw, (**v).clone())))
                .collect(),
        )
    }

    /// The value of an optional (`Some(None)` for `none`).
    pub fn optional(&self, w: &Word<'c>) -> Option<Option<Word<'c>>> {
        let Type::Optional(inner) = &w.ty else {
            return None;
        };
        // SAFETY: `w` is a valid word of type `inner?` during the phase.
        let v = unsafe { heap::read_optional(w.word, inner) };
        Some(v.map(|v| Word::new(v, (**inner).clone())))
    }

    /// A struct instance's name and fields (its own layout: an instance
    /// made before a redefinition has the old fields).
    pub fn fields(&self, w: &Word<'c>) -> Option<(String, Vec<(String, Word<'c>)>)> {
        if !matches!(w.ty, Type::Struct(_)) {
            return None;
        }
        // SAFETY: as in `str`, for a struct instance.
        let s = unsafe { heap::Struct::from_word(w.word) };
        let layout = s.layout();
        let fields = layout
            .field_names()
            .iter()
            .zip(layout.field_types())
            .enumerate()
            .map(|(i, (n, t))| (n.to_string(), Word::new(s.get(i), t.clone())))
            .collect();
        Some((layout.name().to_string(), fields))
    }

    /// The name of the function a function value refers to.
    pub fn fn_name(&self, w: &Word<'c>) -> Option<String> {
        matches!(w.ty, Type::Fn(_)).then(|| builtins::shared(self.t()).fn_name(w.word))
    }

    /// A new `str`.
    pub fn new_str(&self, text: &str) -> Result<Word<'c>, HostError> {
        let s = heap::str_new(self.mutator(), text)?;
        Ok(Word::new(s.word(), Type::Str))
    }

    /// A new array of type `[elem]` holding `items` (each of type `elem`).
    pub fn new_array(&self, elem: &Type, items: &[Word<'c>]) -> Result<Word<'c>, HostError> {
        check_types(items.iter(), elem)?;
        let words: Vec<u64> = items.iter().map(|w| w.word).collect();
        let a = heap::array_from_slice(self.mutator(), heap::is_gc_ref(elem), &words)?;
        Ok(Word::new(a.word(), Type::array(elem.clone())))
    }

    /// A new map of type `map[key, value]` holding `entries` in order (a
    /// repeated key keeps its first position and its last value).
    pub fn new_map(
        &self,
        key: &Type,
        value: &Type,
        entries: &[(Word<'c>, Word<'c>)],
    ) -> Result<Word<'c>, HostError> {
        let kind = match key {
            Type::Int => heap::KeyKind::Int,
            Type::Bool => heap::KeyKind::Bool,
            Type::Str => heap::KeyKind::Str,
            other => return Err(HostError(format!("`{other}` cannot be a map key"))),
        };
        check_types(entries.iter().map(|(k, _)| k), key)?;
        check_types(entries.iter().map(|(_, v)| v), value)?;
        let m = heap::map_new(self.mutator(), kind, heap::is_gc_ref(value))?;
        for (k, v) in entries {
            // SAFETY: `k` has type `key` (checked): for a `str` key it is a
            // live string during the phase.
            let k = unsafe { heap::MapKey::from_word(k.word, kind) };
            heap::map_set(m, k, v.word);
        }
        Ok(Word::new(
            m.word(),
            Type::Map(Arc::new(key.clone()), Arc::new(value.clone())),
        ))
    }

    /// A new optional of type `inner?`: `none`, or holding `v` (of type
    /// `inner`).
    pub fn new_optional(&self, inner: &Type, v: Option<Word<'c>>) -> Result<Word<'c>, HostError> {
        if matches!(inner, Type::Optional(_)) {
            return Err(HostError(format!("`{inner}?` is not an Ember type")));
        }
        check_types(v.iter(), inner)?;
        let w = heap::make_optional(self.mutator(), v.map(|w| w.word), inner)?;
        Ok(Word::new(w, Type::Optional(Arc::new(inner.clone()))))
    }
}

fn check_types<'w, 'c: 'w>(
    mut items: impl Iterator<Item = &'w Word<'c>>,
    ty: &Type,
) -> Result<(), HostError> {
    match items.find(|w| w.ty != *ty) {
        Some(w) => Err(HostError(format!(
            "internal error: a `{}` where a `{ty}` was expected",
            w.ty
        ))),
        None => Ok(()),
    }
}

/// A host closure registered with the embedding API, as its trampoline
/// sees it (the `data` word baked into the trampoline is its address; the
/// engine keeps it alive for its own life).
pub struct Registered {
    /// The name Ember code calls it by.
    pub name: String,
    /// Its Ember signature (what the checker and the trampoline use).
    pub sig: FnType,
    /// Converts the arguments, runs the closure, converts its result.
    pub call: HostCall,
}

/// A registered closure, type-erased: converts the arguments, runs the
/// closure, converts the result (or says what went wrong).
pub type HostCall = Box<dyn Fn(&mut CallIo<'_>) -> Result<(), String> + Send + Sync>;

impl fmt::Debug for Registered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registered")
            .field("name", &self.name)
            .field("sig", &self.sig)
            .finish_non_exhaustive()
    }
}

/// One call of a registered host closure: its argument words and the
/// phases that read them and write the result.
pub struct CallIo<'a> {
    ctx: NonNull<ThreadCtx>,
    args: &'a [u64],
    sig: &'a FnType,
    result: Option<u64>,
}

impl CallIo<'_> {
    /// The arguments phase: `f` reads the arguments (one [`Word`] each, in
    /// order) and returns what it made of them (owned Rust values).
    pub fn read_args<T>(&self, f: impl for<'c> FnOnce(&Access<'c>, &[Word<'c>]) -> T) -> T {
        let access = Access {
            ctx: self.ctx,
            _brand: PhantomData,
        };
        let words: Vec<Word<'_>> = self
            .args
            .iter()
            .zip(&self.sig.params)
            .map(|(&w, t)| Word::new(w, t.clone()))
            .collect();
        f(&access, &words)
    }

    /// The result phase: `f` makes the result word, which must have the
    /// signature's result type.
    pub fn set_result(
        &mut self,
        f: impl for<'c> FnOnce(&Access<'c>) -> Result<Word<'c>, HostError>,
    ) -> Result<(), String> {
        let access = Access {
            ctx: self.ctx,
            _brand: PhantomData,
        };
        let w = f(&access).map_err(String::from)?;
        if w.ty != self.sig.ret {
            return Err(format!(
                "internal error: a host function of type `{}` returned a `{}`",
                self.sig, w.ty
            ));
        }
        self.result = Some(w.word);
        Ok(())
    }
}

/// The Rust side of a registered host closure's trampoline
/// (`embed/trampoline.rs`): `data` is the [`Registered`], `args` the
/// argument words the trampoline stored. A failure (the closure's error,
/// a conversion error, a panic) becomes the Ember runtime error with the
/// Ember stack; the trampoline unwinds.
pub(crate) extern "C" fn call_registered(
    ctx: *mut ThreadCtx,
    data: *const Registered,
    args: *const u64,
) -> u64 {
    // SAFETY: `data` is the address baked into the trampoline of a
    // `Registered` the engine keeps alive (never moved: boxed) for as long
    // as code can call it.
    let reg = unsafe { &*data };
    // SAFETY: the trampoline stored one word per parameter at `args` (a
    // stack slot of at least one word, so it is never null).
    let args = unsafe { std::slice::from_raw_parts(args, reg.sig.params.len()) };
    let Some(ctx_nn) = NonNull::new(ctx) else {
        return 0;
    };
    let mut io = CallIo {
        ctx: ctx_nn,
        args,
        sig: &reg.sig,
        result: None,
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (reg.call)(&mut io)));
    let message = match outcome {
        Ok(Ok(())) => return io.result.unwrap_or(0),
        Ok(Err(m)) => m,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".to_string());
            format!("host function `{}` panicked: {what}", reg.name)
        }
    };
    builtins::fail(ctx, message);
    0
}

/// Argument words being made for a call into Ember ([`call_entry`]).
pub struct ArgWords<'a> {
    params: &'a [Type],
    inline: [u64; 8],
    spill: Vec<u64>,
    len: usize,
}

/// `t.clone()`, without a call for the scalar types.
#[inline]
fn clone_type(t: &Type) -> Type {
    match t {
        Type::Int => Type::Int,
        Type::Float => Type::Float,
        Type::Bool => Type::Bool,
        Type::Str => Type::Str,
        Type::Unit => Type::Unit,
        _ => t.clone(),
    }
}

/// `a == b`, without a call for the scalar types (every argument of a
/// typed call is checked).
#[inline]
fn same_type(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (Type::Int, Type::Int)
        | (Type::Float, Type::Float)
        | (Type::Bool, Type::Bool)
        | (Type::Str, Type::Str)
        | (Type::Unit, Type::Unit) => true,
        _ => a == b,
    }
}

impl ArgWords<'_> {
    /// Append the next argument (it must have the next parameter's type).
    #[inline(always)]
    pub fn push(&mut self, w: Word<'_>) -> Result<(), HostError> {
        let len = self.len;
        match self.params.get(len) {
            Some(t) if len < self.inline.len() && same_type(t, &w.ty) => {
                self.inline[len] = w.word;
                self.len = len + 1;
                w.discard();
                Ok(())
            }
            _ => self.push_slow(w),
        }
    }

    /// [`Self::push`] past the inline words, or a wrong argument.
    #[cold]
    #[inline(never)]
    fn push_slow(&mut self, w: Word<'_>) -> Result<(), HostError> {
        match self.params.get(self.len) {
            Some(t) if *t == w.ty => {}
            Some(t) => {
                return Err(HostError(format!(
                    "argument {} must be a `{t}`, not a `{}`",
                    self.len + 1,
                    w.ty
                )))
            }
            None => return Err(HostError("too many arguments".to_string())),
        }
        if self.len < self.inline.len() {
            self.inline[self.len] = w.word;
        } else {
            if self.spill.is_empty() {
                self.spill.extend_from_slice(&self.inline);
            }
            self.spill.push(w.word);
        }
        self.len += 1;
        Ok(())
    }
}

impl AsRef<[u64]> for ArgWords<'_> {
    #[inline]
    fn as_ref(&self) -> &[u64] {
        if self.spill.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.spill
        }
    }
}

/// Call the function in slot `slot` (Ember signature `sig`, entry wrapper
/// `wrapper`) on this thread's context for the engine `shared`: `args`
/// makes the argument words, `result` reads the result word (their
/// errors become the call's, without a stack); both run
/// while the thread counts as running, so no collection runs between
/// making heap arguments and the call reading them, or between the result
/// and `result` reading it.
#[inline]
pub(crate) fn call_entry<T>(
    shared: &std::sync::Arc<crate::engine::Shared>,
    slot: usize,
    wrapper: usize,
    sig: &FnType,
    args: impl for<'c> FnOnce(&Access<'c>, &mut ArgWords<'_>) -> Result<(), HostError>,
    result: impl for<'c> FnOnce(&Access<'c>, &Word<'c>) -> Result<T, HostError>,
) -> Result<T, crate::runtime::errors::EmberError> {
    use crate::runtime::errors::EmberError;
    // Made here and lent to the entry, so that it is not moved around.
    let mut words = ArgWords {
        params: &sig.params,
        inline: [0; 8],
        spill: Vec::new(),
        len: 0,
    };
    let words = &mut words;
    crate::handle::with_ctx(shared, |ctx| {
        crate::engine::enter_with(
            ctx,
            slot,
            wrapper,
            move |ctx| {
                let access = Access {
                    ctx: NonNull::from(&mut *ctx),
                    _brand: PhantomData,
                };
                args(&access, words).map_err(|e| EmberError::new(e.0))?;
                if words.len != sig.params.len() {
                    return Err(EmberError::new(format!(
                        "{} arguments given, {} expected",
                        words.len,
                        sig.params.len()
                    )));
                }
                Ok(&*words)
            },
            |ctx, w| {
                let access = Access {
                    ctx: NonNull::from(&mut *ctx),
                    _brand: PhantomData,
                };
                let w = Word::new(w, clone_type(&sig.ret));
                let r = result(&access, &w);
                w.discard();
                r.map_err(|e| EmberError::new(e.0))
            },
        )
    })
}

/// Read `word`, a live value of type `ty` the caller keeps reachable (e.g.
/// pinned), with `f`, on `ctx` (this thread's context, not running Ember
/// code) counting as running meanwhile.
pub(crate) fn read_kept_word<T>(
    ctx: &mut ThreadCtx,
    word: u64,
    ty: &Type,
    f: impl for<'c> FnOnce(&Access<'c>, Word<'c>) -> T,
) -> T {
    let sh = builtins::shared(ctx);
    sh.resume(ctx);
    let access = Access {
        ctx: NonNull::from(&mut *ctx),
        _brand: PhantomData,
    };
    let r = f(&access, Word::new(word, ty.clone()));
    sh.pause(ctx, super::ctx::STATE_OUTSIDE);
    r
}

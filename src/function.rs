//! Typed function handles.

use std::fmt;

use ember_jit::embed::{Args, FromEmber, TypedFn};

use crate::Error;

/// An Ember function with a checked Rust signature: arguments `A` (a
/// tuple, `()` for none), result `R`. Made by [`crate::Engine::function`].
///
/// Every call runs the function's current definition (it calls through
/// the function's slot), from any thread: a `Function` is `Send + Sync +
/// Clone` and does not borrow the engine. If the function is later
/// redefined with another signature, calls fail with a runtime error
/// naming it.
///
/// ```
/// let mut engine = ember::Engine::new()?;
/// engine.run_source("m.em", "fn scale(x: int, k: float) -> float { (x as float) * k }")?;
/// let scale = engine.function::<(i64, f64), f64>("scale")?;
/// assert_eq!(scale.call((4, 0.5))?, 2.0);
/// // Another thread, the same function:
/// let s2 = scale.clone();
/// assert_eq!(std::thread::spawn(move || s2.call((2, 2.0))).join().unwrap()?, 4.0);
/// # Ok::<(), ember::Error>(())
/// ```
pub struct Function<A, R> {
    inner: TypedFn<A, R>,
}

impl<A, R> Clone for Function<A, R> {
    fn clone(&self) -> Self {
        Function {
            inner: self.inner.clone(),
        }
    }
}

impl<A, R> fmt::Debug for Function<A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl<A: Args, R: FromEmber> Function<A, R> {
    pub(crate) fn new(inner: TypedFn<A, R>) -> Self {
        Function { inner }
    }

    /// Call the function's current definition with `args`. A runtime
    /// error (with its Ember stack) is [`Error::Runtime`].
    ///
    /// ```
    /// let mut engine = ember::Engine::new()?;
    /// engine.run_source("m.em", "fn greet(n: str) -> str { \"hi \" + n }")?;
    /// let greet = engine.function::<(&str,), String>("greet")?;
    /// assert_eq!(greet.call(("ada",))?, "hi ada");
    /// # Ok::<(), ember::Error>(())
    /// ```
    #[inline]
    pub fn call(&self, args: A) -> Result<R, Error> {
        self.inner.call(args).map_err(Error::Runtime)
    }

    /// The function's name.
    ///
    /// ```
    /// let mut engine = ember::Engine::new()?;
    /// engine.run_source("m.em", "fn f() {}")?;
    /// assert_eq!(engine.function::<(), ()>("f")?.name(), "f");
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        self.inner.name()
    }

    /// The function's Ember signature, e.g. `fn(int) -> int`.
    ///
    /// ```
    /// let mut engine = ember::Engine::new()?;
    /// engine.run_source("m.em", "fn inc(x: int) -> int { x + 1 }")?;
    /// let inc = engine.function::<(i64,), i64>("inc")?;
    /// assert_eq!(inc.signature().to_string(), "fn(int) -> int");
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn signature(&self) -> &lang::FnType {
        self.inner.signature()
    }
}

use crate::lang;

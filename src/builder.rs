//! [`EngineBuilder`]: standard parts and limits.

use std::time::Duration;

use crate::{Engine, Error, HeapConfig, Parts};

/// Builds an [`Engine`]: which standard parts are present, heap and time
/// limits.
///
/// ```
/// use std::time::Duration;
/// let engine = ember::Engine::builder()
///     .parts(ember::Parts::all() - ember::Parts::IO)
///     .heap_limit(64 << 20)
///     .time_limit(Duration::from_secs(2))
///     .build()?;
/// # Ok::<(), ember::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct EngineBuilder {
    pub(crate) parts: Parts,
    pub(crate) heap: HeapConfig,
    pub(crate) time_limit: Option<Duration>,
}

impl EngineBuilder {
    /// The standard parts to install (default: [`Parts::all`]). Calls of
    /// the others are refused when a program is checked.
    ///
    /// ```
    /// let mut e = ember::Engine::builder().parts(ember::Parts::none()).build()?;
    /// assert!(e.run_source("t.em", "println(1);").is_err()); // E0114
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn parts(mut self, parts: Parts) -> EngineBuilder {
        self.parts = parts;
        self
    }

    /// The heap's configuration (limit, collection threshold).
    ///
    /// ```
    /// let config = ember::HeapConfig { limit: 32 << 20, ..Default::default() };
    /// let engine = ember::Engine::builder().heap_config(config).build()?;
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn heap_config(mut self, config: HeapConfig) -> EngineBuilder {
        self.heap = config;
        self
    }

    /// The heap limit in bytes: past it, allocation fails with the runtime
    /// error `out of memory` (once a collection could not make room).
    ///
    /// ```
    /// let mut e = ember::Engine::builder().heap_limit(8 << 20).build()?;
    /// let r = e.run_source("big.em", "let mut a: [str] = []; while true { a.push(\"xxxxxxxxxxxxxxxx\"); }");
    /// assert!(r.unwrap_err().to_string().starts_with("out of memory"));
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn heap_limit(mut self, bytes: usize) -> EngineBuilder {
        self.heap.limit = bytes;
        self
    }

    /// The wall-time limit of each call into Ember (a run, an entry, an
    /// `eval`, a [`crate::Function`] call from any thread): past it the
    /// call stops at its next safe point with the runtime error
    /// `interrupted`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut e = ember::Engine::builder().time_limit(Duration::from_millis(50)).build()?;
    /// let err = e.eval::<()>("while true {}").unwrap_err();
    /// assert!(err.to_string().starts_with("interrupted"));
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn time_limit(mut self, limit: Duration) -> EngineBuilder {
        self.time_limit = Some(limit);
        self
    }

    /// The engine.
    ///
    /// ```
    /// let engine = ember::Engine::builder().build()?;
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn build(self) -> Result<Engine, Error> {
        let mut inner = ember_jit::Engine::with_heap_config(self.heap)?;
        ember_stdlib::install(&mut inner, self.parts)?;
        inner.set_time_limit(self.time_limit);
        Ok(Engine { inner })
    }
}

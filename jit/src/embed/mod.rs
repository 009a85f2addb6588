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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use crate::engine::Engine;
    use crate::handle::running_on_this_thread;
    use crate::runtime::heap::HeapConfig;

    use super::TypedFn;

    type Slot = Arc<Mutex<Option<TypedFn<(i64,), i64>>>>;

    fn call(slot: &Slot, x: i64) -> Result<i64, String> {
        let f = slot.lock().unwrap().clone().expect("set");
        f.call((x,)).map_err(|e| e.to_string())
    }

    /// Entries nest across engines (A → host → B → host → A): the
    /// innermost call into A runs on A's context that is running further
    /// up (not the innermost one), found whether that context is this
    /// thread's own for A or the engine's (the innermost call allocates
    /// until collections run: on a second context of A's, the collection
    /// would wait for ever for the first, running); outermost calls on this
    /// thread and on another one alternate between the engines' cached
    /// contexts.
    #[test]
    fn entries_nest_across_engines() {
        let mut a = Engine::with_heap_config(HeapConfig {
            min_threshold: 64 << 10,
            ..HeapConfig::default()
        })
        .unwrap();
        let mut b = Engine::new().unwrap();
        let a_inner: Slot = Arc::default();
        let b_mid: Slot = Arc::default();
        let (sa, sb) = (a.shared().clone(), b.shared().clone());
        let to_a = a_inner.clone();
        // Calls of `to_a` while A's code runs further up.
        let under_a = Arc::new(AtomicUsize::new(0));
        let ua = under_a.clone();
        b.register_fn("to_a", move |x: i64| -> Result<i64, String> {
            assert!(running_on_this_thread(&sb));
            if running_on_this_thread(&sa) {
                ua.fetch_add(1, Ordering::Relaxed);
            }
            call(&to_a, x)
        })
        .unwrap();
        let to_b = b_mid.clone();
        a.register_fn("to_b", move |x: i64| -> Result<i64, String> {
            call(&to_b, x)
        })
        .unwrap();
        b.run_source("b.em", "fn mid(x: int) -> int { to_a(x) + 10 }")
            .unwrap();
        a.run_source(
            "a.em",
            "fn inner(x: int) -> int { let mut n = 0; for i in 0..2000 { let a = [i, i, i, i, i, i, i, i]; n += len(a); } x * 2 + n - 16000 }\nfn outer(x: int) -> int { to_b(x) + 100 }",
        )
        .unwrap();
        *a_inner.lock().unwrap() = Some(a.typed_function("inner").unwrap());
        *b_mid.lock().unwrap() = Some(b.typed_function("mid").unwrap());
        let outer = a.typed_function::<(i64,), i64>("outer").unwrap();
        let mid = b.typed_function::<(i64,), i64>("mid").unwrap();
        for i in 0..3 {
            assert_eq!(outer.call((i,)).unwrap(), i * 2 + 110);
            assert_eq!(mid.call((i,)).unwrap(), i * 2 + 10);
        }
        assert!(!running_on_this_thread(a.shared()) && !running_on_this_thread(b.shared()));
        // From the engine's own context (a REPL entry).
        assert_eq!(a.eval_as::<i64>("<t>", "outer(5)").unwrap(), 120);
        let o2 = outer.clone();
        let r = std::thread::spawn(move || (o2.call((7,)).unwrap(), o2.call((8,)).unwrap()));
        assert_eq!(r.join().unwrap(), (124, 126));
        assert_eq!(under_a.load(Ordering::Relaxed), 6);
        assert!(a.shared().heap.stats().collections > 0);
        // The host closures hold handles on both engines: let them go.
        a_inner.lock().unwrap().take();
        b_mid.lock().unwrap().take();
    }
}

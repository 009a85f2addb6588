//! The commands about the session as a whole: `:time EXPR` and `:reset`.
//!
//! `:reset` makes a fresh session: a new engine (every definition, global
//! and version gone, statistics from zero), the old engine's spawned
//! threads interrupted (each stops at its next safe point, as Ctrl-C
//! stops an entry; a thread blocked in `recv`, `join` or `sleep` too) and
//! waited for, the watch stopped and the loaded file forgotten. Errors
//! of threads nobody joined that failed before the reset are reported,
//! as at the end of a session; the `interrupted` errors the reset caused
//! are not.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::session::Session;

impl<O: Write, E: Write> Session<O, E> {
    /// `:time EXPR`: run it as an entry, echo its value, then the wall time
    /// and how it divides into checking and compiling, and running (also
    /// after a runtime error; not when it did not compile).
    pub(crate) fn cmd_time(&mut self, expr: &str) {
        let started = Instant::now();
        let mut entry = expr.to_string();
        entry.push('\n');
        if !self.run_entry(&entry) {
            // Nothing ran: the diagnostics say why.
            return;
        }
        let wall = started.elapsed();
        let prepare = self
            .engine()
            .last_report()
            .map_or(Duration::ZERO, |r| r.timings.total)
            .min(wall);
        self.print(&format!(
            "time: {} (check and compile {}, run {})\n",
            duration(wall),
            duration(prepare),
            duration(wall - prepare)
        ));
    }

    /// `:reset`.
    pub(crate) fn cmd_reset(&mut self) {
        if let Some(w) = self.watch.take() {
            w.stop();
        }
        self.loaded = None;
        let fresh = match ember::Engine::new() {
            Ok(engine) => engine,
            Err(e) => {
                self.report_error(&e);
                return;
            }
        };
        let old = {
            let mut engine = self.engine();
            std::mem::replace(&mut *engine, fresh)
        };
        if let Some(r) = &self.running {
            r.retarget(self.engine().entry_interrupt_handle());
        }
        // Wait for the old engine's threads on a helper thread while
        // asking them, again and again, to stop: a thread that had not yet
        // entered Ember code when asked would miss a single request.
        let shared = old.shared().clone();
        let waiter = std::thread::spawn(move || shared.wait_threads());
        let interrupt = old.interrupt_handle();
        while !waiter.is_finished() {
            interrupt.interrupt();
            std::thread::sleep(Duration::from_millis(5));
        }
        let errors = waiter.join().unwrap_or_default();
        drop(old);
        let (stopped, failed): (Vec<_>, Vec<_>) =
            errors.iter().partition(|e| e.message == "interrupted");
        for e in failed {
            self.report(&ember::report_thread_error(e));
        }
        let spawned = stopped.len();
        let threads = match spawned {
            0 => String::new(),
            1 => "; 1 thread stopped".to_string(),
            n => format!("; {n} threads stopped"),
        };
        self.print(&format!(
            "session reset: every definition and global is gone{threads}\n"
        ));
    }
}

/// A wall time for people: `850 µs`, `12.3 ms`, `1.25 s`.
fn duration(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.0} µs")
    } else if us < 1e6 {
        format!("{:.1} ms", us / 1000.0)
    } else {
        format!("{:.2} s", us / 1e6)
    }
}

//! Reclamation of old code. A body replaced by a redefinition (or removed)
//! is retired: no slot reaches it any more, but a frame may still be
//! running it. During a pause (every other thread parked at a safe point,
//! blocked, or outside Ember code) the parked threads' stacks are walked
//! with frame pointers; a retired body that no frame's PC lies in can
//! never run again, and its memory is freed for reuse right after the
//! pause.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use crate::code::CodePtr;
use crate::engine::Shared;
use crate::runtime::builtins::walk_frames;
use crate::runtime::ctx::{ThreadCtx, STATE_PARKED};

/// The return addresses of every Ember frame of every parked thread.
/// Only meaningful while the world is stopped.
fn parked_pcs(sh: &Shared) -> Vec<usize> {
    let contexts = sh.contexts.lock();
    let mut pcs = Vec::new();
    for &c in contexts.iter() {
        // SAFETY: registered contexts are live (they unregister under this
        // lock before being dropped); the thread is parked, so its exit
        // fields and frames do not change while the world is stopped.
        let t = unsafe { &*(c as *const ThreadCtx) };
        if t.state.load(Ordering::SeqCst) != STATE_PARKED {
            continue;
        }
        pcs.extend(walk_frames(t).into_iter().map(|(pc, _, _)| pc));
    }
    pcs
}

/// Take from `retired` every body no parked thread is running: they can
/// never run again (no slot reaches them, no frame is in them). Call only
/// with the world stopped; free them afterwards with [`free`] (outside the
/// pause).
pub fn unused(sh: &Shared, retired: &mut Vec<CodePtr>) -> Vec<CodePtr> {
    if retired.is_empty() {
        return Vec::new();
    }
    let pcs = parked_pcs(sh);
    let mut dead = Vec::new();
    retired.retain(|ptr| {
        let range = ptr.range();
        // A return address equal to the end still belongs to the body
        // (a call as its last instruction).
        let running = pcs.iter().any(|&pc| pc > range.start && pc <= range.end);
        if !running {
            dead.push(*ptr);
        }
        running
    });
    dead
}

/// Free bodies [`unused`] found; the code bytes freed.
pub fn free(sh: &Shared, dead: Vec<CodePtr>) -> usize {
    if dead.is_empty() {
        return 0;
    }
    let mut freed = 0;
    let mut registry = sh.registry.write();
    for ptr in &dead {
        registry.remove(ptr.addr());
    }
    drop(registry);
    let mut code = sh.code.lock();
    for ptr in dead {
        freed += ptr.len();
        let _ = code.free(ptr);
    }
    freed
}

/// A parked thread running code that uses one of `structs` (any version
/// of any function, or top-level code): the function's name and the
/// struct it uses.
pub fn struct_in_use(sh: &Shared, structs: &BTreeSet<String>) -> Option<(String, String)> {
    if structs.is_empty() {
        return None;
    }
    let pcs = parked_pcs(sh);
    let registry = sh.registry.read();
    pcs.iter().find_map(|&pc| {
        let (info, _) = registry.lookup(pc - 1)?;
        let used = info.uses_structs.iter().find(|s| structs.contains(*s))?;
        Some((info.name.clone(), used.clone()))
    })
}

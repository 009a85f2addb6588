//! The `extern "C"` runtime functions compiled code calls (through exit
//! trampolines, RUNTIME.md): `raise`, the poll slow path, and the
//! language operations codegen lowers to calls (string concatenation and
//! comparison, array, map, struct, box and channel primitives, `spawn`,
//! `join(task)`, the `floor`/`ceil` fallback). The library functions of
//! LANGUAGE.md §5 live in `ember-stdlib`, registered through
//! [`super::host`].
//!
//! Every function takes the calling thread's `*mut ThreadCtx` first. A
//! failing function records the error (message + Ember stack) in the
//! context and returns a dummy value; the trampoline sees
//! `pending_error` and unwinds.

use std::sync::Arc;

use ember_lang::types::Type;

use std::sync::atomic::Ordering;

use super::ctx::{
    Segment, ThreadCtx, REQUEST_INTERRUPT, REQUEST_SAFEPOINT, STATE_OUTSIDE, STATE_PARKED,
    STATE_RUNNING,
};
use super::errors::{EmberError, Frame};
use super::heap::{self, Mutator, RuntimeError};
use super::stack;
use crate::engine::Shared;

/// Value classes of the runtime-function ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Abi {
    I64,
    F64,
    /// `bool` / flags, passed as `u8` (zero-extended by the caller).
    I8,
}

/// Errors compiled code detects itself and reports through `raise`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i64)]
pub enum RaiseCode {
    DivZero = 0,
    Overflow = 1,
    /// `a` = index, `b` = length.
    IndexOutOfBounds = 2,
    UnwrapNone = 3,
    InvalidCast = 4,
    /// `a` = global id.
    GlobalUninit = 5,
    Unreachable = 6,
}

macro_rules! rt_fns {
    ($( $name:ident => $f:ident ( $($p:ident),* ) $(-> $r:ident)? ; )*) => {
        /// Every runtime function compiled code may call.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum RtFn { $($name),* }

        impl RtFn {
            /// All runtime functions.
            pub const ALL: &'static [RtFn] = &[$(RtFn::$name),*];

            /// Parameter (after `ctx`) and result classes.
            pub fn signature(self) -> (&'static [Abi], Option<Abi>) {
                match self {
                    $(RtFn::$name => (&[$(Abi::$p),*], rt_fns!(@ret $($r)?)),)*
                }
            }

            /// Address of the `extern "C"` implementation.
            pub fn address(self) -> usize {
                match self {
                    $(RtFn::$name => $f as *const () as usize,)*
                }
            }

            /// Name (for slots and diagnostics).
            pub fn name(self) -> &'static str {
                match self {
                    $(RtFn::$name => stringify!($f),)*
                }
            }
        }
    };
    (@ret) => { None };
    (@ret $r:ident) => { Some(Abi::$r) };
}

rt_fns! {
    Raise => rt_raise(I64, I64, I64);
    PollSlow => rt_poll_slow();
    Undefined => rt_undefined();
    Stale => rt_stale(I64);
    FloatRem => rt_float_rem(F64, F64) -> F64;
    StrConcat => rt_str_concat(I64, I64) -> I64;
    StrEq => rt_str_eq(I64, I64) -> I8;
    StrCmp => rt_str_cmp(I64, I64) -> I64;
    ArrayWithLen => rt_array_with_len(I64, I8) -> I64;
    ArrayRepeat => rt_array_repeat(I64, I64, I8) -> I64;
    ArrayPush => rt_array_push(I64, I64);
    ArrayPop => rt_array_pop(I64) -> I64;
    MapNew => rt_map_new(I64, I8) -> I64;
    MapGet => rt_map_get(I64, I64) -> I64;
    MapSet => rt_map_set(I64, I64, I64);
    MapGetOpt => rt_map_get_opt(I64, I64, I8) -> I64;
    MapHas => rt_map_has(I64, I64) -> I8;
    MapRemove => rt_map_remove(I64, I64);
    MapKeys => rt_map_keys(I64) -> I64;
    MapValues => rt_map_values(I64) -> I64;
    MapLen => rt_map_len(I64) -> I64;
    StructNew => rt_struct_new(I64) -> I64;
    BoxNew => rt_box_new(I64, I8) -> I64;
    Floor => rt_floor(F64) -> F64;
    Ceil => rt_ceil(F64) -> F64;
    ChanNew => rt_chan_new(I8) -> I64;
    ChanSend => rt_chan_send(I64, I64);
    ChanRecv => rt_chan_recv(I64) -> I64;
    SpawnArgs => rt_spawn_args(I64) -> I64;
    Spawn => rt_spawn(I64, I64, I64, I64, I8) -> I64;
    JoinTask => rt_join_task(I64);
}

// ---- context access ----------------------------------------------------------

/// The calling thread's context.
fn tc<'a>(ctx: *mut ThreadCtx) -> &'a mut ThreadCtx {
    // SAFETY: compiled code passes its `ctx` argument, the live, boxed
    // context of the current thread, which no other reference aliases
    // while this runtime function runs.
    unsafe { &mut *ctx }
}

/// The engine state behind a context.
pub fn shared<'a>(t: &ThreadCtx) -> &'a Shared {
    // SAFETY: `runtime` is set by the engine to its `Arc<Shared>`'s
    // pointer, which outlives every context of the engine.
    unsafe { &*(t.runtime as *const Shared) }
}

fn mutator(t: &mut ThreadCtx) -> &mut Mutator {
    t.mutator
        .as_mut()
        .expect("thread context has a heap mutator")
}

/// Record error `message` with the current Ember stack.
pub fn fail(ctx: *mut ThreadCtx, message: impl Into<String>) {
    let t = tc(ctx);
    let (stack, omitted) =
        capture_stack_limited(t, EmberError::KEEP_INNER + EmberError::KEEP_OUTER);
    t.set_error(EmberError {
        message: message.into(),
        stack,
        omitted,
    });
}

fn fail_rt(ctx: *mut ThreadCtx, e: RuntimeError) {
    fail(ctx, e.message);
}

/// Keep the innermost and outermost frames of a very deep stack.
fn truncate_stack(t: &mut ThreadCtx) {
    if let Some(e) = t.error.as_mut() {
        const INNER: usize = EmberError::KEEP_INNER;
        const OUTER: usize = EmberError::KEEP_OUTER;
        if e.stack.len() > INNER + OUTER {
            let n = e.stack.len() - INNER - OUTER;
            e.stack.drain(INNER..INNER + n);
            e.omitted += n;
        }
    }
}

/// Walk the Ember frames from the last exit (RUNTIME.md) and describe them.
pub fn capture_stack(t: &ThreadCtx) -> Vec<Frame> {
    capture_stack_limited(t, usize::MAX).0
}

/// Like [`capture_stack`], describing at most `keep` frames of a deeper
/// stack (the innermost [`EmberError::KEEP_INNER`] and the outermost rest);
/// also returns how many were left out.
pub fn capture_stack_limited(t: &ThreadCtx, keep: usize) -> (Vec<Frame>, usize) {
    let sh = shared(t);
    let pcs = walk_pcs(t);
    let registry = sh.registry.read();
    let sources = sh.sources.read();
    // Only frames of registered Ember functions count (not wrappers or
    // trampolines).
    let ember: Vec<usize> = pcs
        .into_iter()
        .filter(|&pc| registry.lookup(pc).is_some())
        .collect();
    let (inner, omitted) = if ember.len() > keep {
        let inner = EmberError::KEEP_INNER.min(keep);
        (inner, ember.len() - keep)
    } else {
        (ember.len(), 0)
    };
    let kept = ember[..inner].iter().chain(&ember[inner + omitted..]);
    let mut frames = Vec::with_capacity(ember.len() - omitted);
    for &pc in kept {
        let Some((info, offset)) = registry.lookup(pc) else {
            continue;
        };
        let (line, col) = info
            .srcloc(offset.saturating_sub(1))
            .and_then(|lo| sources.get(info.file).map(|f| f.line_col(lo as usize)))
            .unwrap_or((0, 0));
        let file = sources
            .get(info.file)
            .map(|f| f.name().to_string())
            .unwrap_or_else(|| "<unknown>".to_string());
        frames.push(Frame {
            function: info.name.clone(),
            file,
            line: line as u32,
            col: col as u32,
            file_id: sources.get(info.file).map(|_| info.file),
        });
    }
    (frames, omitted)
}

/// Return addresses of the Ember frames, innermost first: `exit_pc`, then
/// `[fp + 8]` of each frame until the caller is the entry wrapper.
pub fn walk_pcs(t: &ThreadCtx) -> Vec<usize> {
    walk_frames(t).into_iter().map(|(pc, _, _)| pc).collect()
}

/// `(pc, sp, fp)` of each Ember frame from the last exit, innermost first:
/// `pc` is the return address into the frame, `sp` the frame's SP at that
/// call, `fp` its frame pointer. Nested entries (a host function calling
/// back into Ember) are walked segment by segment, outer ones after.
pub fn walk_frames(t: &ThreadCtx) -> Vec<(usize, usize, usize)> {
    let innermost = Segment {
        exit_fp: t.exit_fp,
        exit_pc: t.exit_pc,
        exit_sp: t.exit_sp,
        entry_fp: t.entry_frame_fp(),
    };
    let mut frames = Vec::new();
    for seg in std::iter::once(&innermost).chain(t.outer_segments.iter().rev()) {
        let start = stack::FrameInfo {
            pc: seg.exit_pc,
            sp: seg.exit_sp,
            fp: seg.exit_fp,
        };
        // SAFETY: each segment's exit state was written by the exit
        // trampoline of a runtime or host call still in progress on this
        // thread, whose Ember frames (down to that entry's `ember_enter`
        // frame at `entry_fp`) are live and keep frame pointers.
        let walk = unsafe { stack::walk(start, seg.entry_fp) };
        frames.extend(walk.map(|f| (f.pc, f.sp, f.fp)));
    }
    frames
}

// ---- errors and safe points ---------------------------------------------------

extern "C" fn rt_raise(ctx: *mut ThreadCtx, code: i64, a: i64, b: i64) {
    let message = match code {
        0 => "division by zero".to_string(),
        1 => "integer overflow".to_string(),
        2 => format!("index out of bounds: index {a}, length {b}"),
        3 => "unwrap of none".to_string(),
        4 => format!(
            "invalid cast: {:?} as int (NaN or out of the int range)",
            f64::from_bits(a as u64)
        ),
        5 => {
            let name = shared(tc(ctx)).global_name(a as u32);
            format!("global {name} used before initialization")
        }
        _ => "internal error: unreachable code".to_string(),
    };
    fail(ctx, message);
}

extern "C" fn rt_undefined(ctx: *mut ThreadCtx) {
    fail(ctx, "function not defined");
}

/// Called through the old slot (at `slot_addr`) of a function whose
/// signature changed, by code compiled against the old signature.
extern "C" fn rt_stale(ctx: *mut ThreadCtx, slot_addr: i64) {
    let sh = shared(tc(ctx));
    let msg = match sh.slots.id_of_address(slot_addr as usize) {
        Some(id) => format!(
            "function `{}` was redefined with a different signature; this call was compiled for `{}`",
            sh.slots.name(id),
            sh.slots.sig(id)
        ),
        None => "function redefined with a different signature".to_string(),
    };
    fail(ctx, msg);
}

extern "C" fn rt_poll_slow(ctx: *mut ThreadCtx) {
    let t = tc(ctx);
    let requests = t.take_requests();
    if requests & REQUEST_INTERRUPT != 0 {
        fail(ctx, "interrupted");
        return;
    }
    if requests & REQUEST_SAFEPOINT != 0 {
        let sh = shared(t);
        sh.safepoint(t);
    }
    let t = tc(ctx);
    if t.exit_sp < t.real_stack_limit {
        fail(ctx, "stack overflow");
    }
}

// ---- numbers --------------------------------------------------------------------

extern "C" fn rt_float_rem(_ctx: *mut ThreadCtx, a: f64, b: f64) -> f64 {
    a % b
}
extern "C" fn rt_floor(_ctx: *mut ThreadCtx, x: f64) -> f64 {
    x.floor()
}
extern "C" fn rt_ceil(_ctx: *mut ThreadCtx, x: f64) -> f64 {
    x.ceil()
}

// ---- strings --------------------------------------------------------------------

/// A `str` handle from a word compiled code passed.
fn s(w: i64) -> heap::Str {
    // SAFETY: the type checker guarantees the argument is a live `str`.
    unsafe { heap::Str::from_word(w as u64) }
}

fn arr(w: i64) -> heap::Array {
    // SAFETY: the type checker guarantees the argument is a live array.
    unsafe { heap::Array::from_word(w as u64) }
}

fn map(w: i64) -> heap::Map {
    // SAFETY: the type checker guarantees the argument is a live map.
    unsafe { heap::Map::from_word(w as u64) }
}

fn chan(w: i64) -> heap::Chan {
    // SAFETY: the type checker guarantees the argument is a live channel.
    unsafe { heap::Chan::from_word(w as u64) }
}

fn key(m: heap::Map, w: i64) -> heap::MapKey {
    // SAFETY: the key word has the map's key type (checked), so a `str`
    // key is a live string.
    unsafe { heap::MapKey::from_word(w as u64, heap::map::map_key_kind(m)) }
}

/// Unwrap a heap result: on error record it and return `dflt`.
fn ok<T>(ctx: *mut ThreadCtx, r: Result<T, RuntimeError>, dflt: T) -> T {
    match r {
        Ok(v) => v,
        Err(e) => {
            fail_rt(ctx, e);
            dflt
        }
    }
}

extern "C" fn rt_str_concat(ctx: *mut ThreadCtx, a: i64, b: i64) -> i64 {
    let r = heap::str_concat(mutator(tc(ctx)), s(a), s(b)).map(|x| x.word() as i64);
    ok(ctx, r, 0)
}

extern "C" fn rt_str_eq(_ctx: *mut ThreadCtx, a: i64, b: i64) -> u8 {
    u8::from(heap::str_eq(s(a), s(b)))
}

extern "C" fn rt_str_cmp(_ctx: *mut ThreadCtx, a: i64, b: i64) -> i64 {
    heap::str_cmp(s(a), s(b)) as i64
}

// ---- arrays -----------------------------------------------------------------------

extern "C" fn rt_array_with_len(ctx: *mut ThreadCtx, n: i64, refs: u8) -> i64 {
    let r = heap::array_repeat(mutator(tc(ctx)), refs != 0, 0, n).map(|a| a.word() as i64);
    ok(ctx, r, 0)
}

extern "C" fn rt_array_repeat(ctx: *mut ThreadCtx, v: i64, n: i64, refs: u8) -> i64 {
    let r = heap::array_repeat(mutator(tc(ctx)), refs != 0, v as u64, n).map(|a| a.word() as i64);
    ok(ctx, r, 0)
}

extern "C" fn rt_array_push(ctx: *mut ThreadCtx, a: i64, v: i64) {
    let r = heap::array_push(mutator(tc(ctx)), arr(a), v as u64);
    ok(ctx, r, ());
}

extern "C" fn rt_array_pop(ctx: *mut ThreadCtx, a: i64) -> i64 {
    let r = heap::array_pop(arr(a)).map(|w| w as i64);
    ok(ctx, r, 0)
}

extern "C" fn rt_spawn_args(ctx: *mut ThreadCtx, n: i64) -> i64 {
    let r = heap::array_repeat(mutator(tc(ctx)), false, 0, n).map(|a| a.word() as i64);
    ok(ctx, r, 0)
}

// ---- maps ---------------------------------------------------------------------------

extern "C" fn rt_map_new(ctx: *mut ThreadCtx, kind: i64, refs: u8) -> i64 {
    let kind = match kind {
        1 => heap::KeyKind::Str,
        2 => heap::KeyKind::Bool,
        _ => heap::KeyKind::Int,
    };
    let r = heap::map_new(mutator(tc(ctx)), kind, refs != 0).map(|m| m.word() as i64);
    ok(ctx, r, 0)
}

extern "C" fn rt_map_get(ctx: *mut ThreadCtx, m: i64, k: i64) -> i64 {
    let m = map(m);
    let r = heap::map_index(m, key(m, k)).map(|w| w as i64);
    ok(ctx, r, 0)
}

extern "C" fn rt_map_set(_ctx: *mut ThreadCtx, m: i64, k: i64, v: i64) {
    let m = map(m);
    heap::map_set(m, key(m, k), v as u64);
}

extern "C" fn rt_map_get_opt(ctx: *mut ThreadCtx, m: i64, k: i64, boxed: u8) -> i64 {
    let m = map(m);
    match heap::map_get(m, key(m, k)) {
        None => 0,
        Some(w) if boxed == 0 => w as i64,
        Some(w) => {
            let r = heap::box_new(mutator(tc(ctx)), w, false).map(|b| b.word() as i64);
            ok(ctx, r, 0)
        }
    }
}

extern "C" fn rt_map_has(_ctx: *mut ThreadCtx, m: i64, k: i64) -> u8 {
    let m = map(m);
    u8::from(heap::map_has(m, key(m, k)))
}

extern "C" fn rt_map_remove(_ctx: *mut ThreadCtx, m: i64, k: i64) {
    let m = map(m);
    heap::map_remove(m, key(m, k));
}

extern "C" fn rt_map_keys(ctx: *mut ThreadCtx, m: i64) -> i64 {
    let r = heap::map_keys(mutator(tc(ctx)), map(m)).map(|a| a.word() as i64);
    ok(ctx, r, 0)
}

extern "C" fn rt_map_values(ctx: *mut ThreadCtx, m: i64) -> i64 {
    let r = heap::map_values(mutator(tc(ctx)), map(m)).map(|a| a.word() as i64);
    ok(ctx, r, 0)
}

extern "C" fn rt_map_len(_ctx: *mut ThreadCtx, m: i64) -> i64 {
    heap::map_len(map(m))
}

// ---- structs, boxes ------------------------------------------------------------------

extern "C" fn rt_struct_new(ctx: *mut ThreadCtx, desc: i64) -> i64 {
    // SAFETY: `desc` is the address of an `Arc<StructLayout>` the engine
    // keeps alive for as long as code using it may run.
    let layout: &Arc<heap::StructLayout> = unsafe { &*(desc as *const Arc<heap::StructLayout>) };
    let r = heap::struct_alloc(mutator(tc(ctx)), layout).map(|x| x.word() as i64);
    ok(ctx, r, 0)
}

extern "C" fn rt_box_new(ctx: *mut ThreadCtx, v: i64, refs: u8) -> i64 {
    let r = heap::box_new(mutator(tc(ctx)), v as u64, refs != 0).map(|b| b.word() as i64);
    ok(ctx, r, 0)
}

// ---- channels and threads -----------------------------------------------------------------

extern "C" fn rt_chan_new(ctx: *mut ThreadCtx, refs: u8) -> i64 {
    let r = heap::chan_new(mutator(tc(ctx)), refs != 0).map(|c| c.word() as i64);
    ok(ctx, r, 0)
}

extern "C" fn rt_chan_send(_ctx: *mut ThreadCtx, c: i64, v: i64) {
    heap::chan_send(chan(c), v as u64);
}

/// How long `recv` keeps trying before it parks: a reply from a thread
/// on another core often comes within microseconds, while parking and
/// being woken costs tens of them (a channel round trip between two cores
/// measured 40–53 µs when every `recv` slept at once).
const RECV_SPIN: std::time::Duration = std::time::Duration::from_micros(10);

extern "C" fn rt_chan_recv(ctx: *mut ThreadCtx, c: i64) -> i64 {
    let ch = chan(c);
    let spin_until = std::time::Instant::now() + RECV_SPIN;
    while std::time::Instant::now() < spin_until {
        if let Some(v) = heap::chan_try_recv(ch) {
            return v as i64;
        }
        for _ in 0..32 {
            std::hint::spin_loop();
        }
    }
    loop {
        if let Some(v) = heap::chan_try_recv(ch) {
            return v as i64;
        }
        let t = tc(ctx);
        let sh = shared(t);
        let interrupted = sh.parked_with_root(t, c as u64, || {
            heap::chan_wait_timeout(ch, std::time::Duration::from_millis(50));
        });
        if interrupted {
            fail(ctx, "interrupted");
            return 0;
        }
    }
}

extern "C" fn rt_spawn(
    ctx: *mut ThreadCtx,
    slot: i64,
    wrapper: i64,
    args: i64,
    sig_desc: i64,
    ret_ref: u8,
) -> i64 {
    let t = tc(ctx);
    let sh = shared(t);
    let words = heap::array_to_vec(arr(args));
    // SAFETY: codegen passes the address of a `Type` the engine interned
    // for its whole life (`Resolver::type_desc`): valid and never freed.
    let sig = unsafe { &*(sig_desc as usize as *const Type) };
    let ref_args: Vec<bool> = match sig {
        Type::Fn(ft) => ft.params.iter().map(heap::is_gc_ref).collect(),
        _ => Vec::new(),
    };
    let r = sh.spawn(
        t,
        slot as usize,
        wrapper as usize,
        words,
        &ref_args,
        ret_ref != 0,
    );
    ok(ctx, r.map(|w| w as i64), 0)
}

extern "C" fn rt_join_task(ctx: *mut ThreadCtx, task: i64) {
    let t = tc(ctx);
    let sh = shared(t);
    if let Err(mut e) = sh.join(t, task as u64) {
        // The thread's frames, then the joiner's.
        let t = tc(ctx);
        e.stack.extend(capture_stack(t));
        t.set_error(e);
        truncate_stack(t);
    }
}

// ---- engine support ------------------------------------------------------------------------

/// Is every registered thread other than `me` stopped (not running Ember
/// code)?
pub fn all_stopped(sh: &Shared, me: usize) -> bool {
    let contexts = sh.contexts.lock();
    contexts.iter().all(|&c| {
        // SAFETY: registered contexts are live (see `request_all`); only
        // an atomic is read.
        c == me
            || unsafe { &*(c as *const ThreadCtx) }
                .state
                .load(Ordering::SeqCst)
                != STATE_RUNNING
    })
}

/// Every registered thread: its context's address and state
/// (`STATE_OUTSIDE`, `STATE_RUNNING` or `STATE_PARKED`), in the order the
/// threads registered (for the REPL's `:threads`).
pub fn thread_states(sh: &Shared) -> Vec<(usize, usize)> {
    let contexts = sh.contexts.lock();
    contexts
        .iter()
        .map(|&c| {
            // SAFETY: registered contexts are live (they unregister under
            // this lock before being dropped); only an atomic is read.
            let state = unsafe { &*(c as *const ThreadCtx) }
                .state
                .load(Ordering::SeqCst);
            (c, state)
        })
        .collect()
}

/// The return addresses of the Ember frames of the parked thread whose
/// context is at `ctx` (innermost first); `None` if no such thread is
/// registered and parked. Only call while the world is stopped.
pub fn parked_frames(sh: &Shared, ctx: usize) -> Option<Vec<usize>> {
    let contexts = sh.contexts.lock();
    if !contexts.contains(&ctx) {
        return None;
    }
    // SAFETY: the context is registered, so live; the world is stopped and
    // the thread parked, so its exit fields and frames do not change.
    let t = unsafe { &*(ctx as *const ThreadCtx) };
    if t.state.load(Ordering::SeqCst) != STATE_PARKED {
        return None;
    }
    Some(walk_frames(t).into_iter().map(|(pc, _, _)| pc).collect())
}

/// Addresses of every heap reference held in a parked thread's Ember
/// frames (by the stack maps of the call sites on its stack), in the
/// globals and in the arguments of spawned threads: the exact root words
/// (a collection reads them, a migration rewrites them). Only call while
/// the world is stopped.
pub fn root_slots(sh: &Shared) -> Vec<*mut u64> {
    let mut slots = sh.global_root_slots();
    sh.task_arg_slots(&mut slots);
    let contexts = sh.contexts.lock();
    let registry = sh.registry.read();
    for &c in contexts.iter() {
        // SAFETY: registered contexts are live; the thread is parked, so
        // its exit fields and frames do not change meanwhile.
        let t = unsafe { &*(c as *const ThreadCtx) };
        if t.state.load(Ordering::SeqCst) != STATE_PARKED {
            continue;
        }
        for (pc, sp, _) in walk_frames(t) {
            let Some((info, off)) = registry.lookup(pc) else {
                continue;
            };
            if let Some(map) = info.stack_map(off) {
                slots.extend(map.offsets.iter().map(|&o| (sp + o as usize) as *mut u64));
            }
        }
    }
    slots
}

/// Collect garbage with every parked thread's Ember frames (stack maps at
/// the call sites found by the walk from its last exit), the globals and
/// the pinned words as roots. Only call while the world is stopped: no
/// registered thread is in `STATE_RUNNING` except the caller, which is
/// parked at a safe point.
pub fn collect_garbage(sh: &Shared) {
    // SAFETY: every root slot is a word of a global, of a parked thread's
    // frame (by its stack map) or of a running task's arguments, holding a
    // live reference or 0; the world is stopped, so none changes now.
    let roots: Vec<u64> = root_slots(sh)
        .into_iter()
        .map(|p| unsafe { p.read() })
        .collect();
    // SAFETY: the world is stopped (caller's contract): no mutator runs,
    // and every reference a thread still uses is in a stack-map slot of a
    // parked thread, a global, a task's arguments or pinned.
    unsafe {
        sh.heap.collect(&mut |visit| {
            for &w in &roots {
                visit(w);
            }
        });
    }
}

/// Ask every registered thread to stop at its next poll.
pub fn request_all(sh: &Shared, bits: usize) {
    let contexts = sh.contexts.lock();
    for &c in contexts.iter() {
        // SAFETY: registered contexts are live (a context unregisters,
        // under this lock, before it is dropped); only its atomics are
        // touched.
        let ctx = unsafe { &*(c as *const ThreadCtx) };
        ctx.request(bits);
    }
}

/// Like [`request_all`], for the threads currently running Ember code
/// (running or parked in a blocking call).
pub fn request_running(sh: &Shared, bits: usize) {
    let contexts = sh.contexts.lock();
    for &c in contexts.iter() {
        // SAFETY: as in `request_all`.
        let ctx = unsafe { &*(c as *const ThreadCtx) };
        if ctx.state.load(Ordering::SeqCst) != STATE_OUTSIDE {
            ctx.request(bits);
        }
    }
}

/// Text form of `w` of type `ty`.
pub fn format_word(sh: &Shared, w: u64, ty: &Type, quoted: bool) -> String {
    let fn_name = |addr: u64| sh.fn_name(addr);
    // SAFETY: `w` is a value of type `ty` produced by compiled code (or the
    // engine) and no collection runs while formatting (collections only
    // happen at safe points of this or parked threads).
    unsafe {
        if quoted {
            super::format::format_value_quoted(w, ty, &fn_name)
        } else {
            super::format::format_value(w, ty, &fn_name)
        }
    }
}

/// The state behind a `task` word.
pub fn task_state(task: u64) -> Arc<crate::engine::TaskState> {
    // SAFETY: the checker guarantees `task` is a live task handle.
    let t = unsafe { heap::Task::from_word(task) };
    heap::task_payload(t)
        .downcast_ref::<Arc<crate::engine::TaskState>>()
        .expect("task payload is a TaskState")
        .clone()
}

/// Lowest SP Ember code on this thread may use before `stack overflow`:
/// the stack's low end plus a reserve for the runtime functions that
/// report the error.
pub fn current_stack_limit() -> usize {
    const RESERVE: usize = 256 * 1024;
    let mut attr = std::mem::MaybeUninit::<libc::pthread_attr_t>::uninit();
    let mut addr: *mut libc::c_void = std::ptr::null_mut();
    let mut size: libc::size_t = 0;
    // SAFETY: standard pthread calls on the current thread with valid
    // out-pointers; the attribute object is destroyed after use.
    let ok = unsafe {
        if libc::pthread_getattr_np(libc::pthread_self(), attr.as_mut_ptr()) != 0 {
            false
        } else {
            let r = libc::pthread_attr_getstack(attr.as_ptr(), &mut addr, &mut size);
            libc::pthread_attr_destroy(attr.as_mut_ptr());
            r == 0
        }
    };
    if !ok || addr.is_null() {
        // Unknown: assume 1 MiB below the current frame.
        let here = &attr as *const _ as usize;
        return here.saturating_sub(1 << 20);
    }
    addr as usize + RESERVE.min(size / 4)
}

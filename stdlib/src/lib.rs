//! `ember-stdlib`: the library functions of LANGUAGE.md §5, registered
//! with an [`Engine`] through the host-function interface
//! ([`ember_jit::runtime::host`], [`Engine::register_builtin`]) — the same
//! slots and exit trampolines embedders' host functions use.
//!
//! ```no_run
//! use ember_stdlib::{install, Parts};
//!
//! let mut engine = ember_jit::Engine::new().unwrap();
//! // Everything but the clock, sleeping and random numbers:
//! install(&mut engine, Parts::all() - Parts::TIME - Parts::RANDOM).unwrap();
//! engine.run_source("demo.em", "println(substr(\"hello\", 1, 3));").unwrap();
//! // `sleep(10);` would now be refused at check time:
//! // error[E0114]: `sleep` is not available in this engine
//! ```
//!
//! # Parts
//!
//! | part | functions |
//! |---|---|
//! | [`Parts::IO`] | `print`, `println` |
//! | [`Parts::TEXT`] | `str`, `substr`, `find`, `split`, `join(parts, sep)`, `parse_int`, `parse_float` |
//! | [`Parts::MATH`] | `sin`, `cos`, `tan`, `exp`, `ln`, `pow` |
//! | [`Parts::TIME`] | `clock`, `sleep` |
//! | [`Parts::RANDOM`] | `rand_int` |
//! | [`Parts::ERRORS`] | `panic`, `assert` |
//!
//! The rest of §5 are language intrinsics the JIT lowers itself and every
//! engine has: `len`, `push`, `pop`, `map()`, `get`, `has`, `remove`,
//! `keys`, `values`, `chan()`, `send`, `recv`, `join(task)`, `abs`, `min`,
//! `max`, `sqrt`, `floor`, `ceil` (ARCHITECTURE.md, `ember-stdlib`).
//! A standard function whose part is left out is refused when a program is
//! checked (`E0114`, with a note naming the part); its name stays reserved.
#![forbid(unsafe_code)]

use std::fmt::Write as _;
use std::ops::{BitOr, Sub};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ember_jit::runtime::host::{Host, HostError, HostFn, HostRet, Str, StrArray, TypeDesc, Value};
use ember_jit::{Engine, Error};
use ember_lang::tir::Builtin;
use ember_lang::types::Type;

/// A set of standard parts (see the crate docs for what each holds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Parts(u32);

impl Parts {
    /// `print`, `println`: write to the program's output.
    pub const IO: Parts = Parts(1);
    /// `str`, `substr`, `find`, `split`, `join(parts, sep)`, `parse_int`,
    /// `parse_float`.
    pub const TEXT: Parts = Parts(2);
    /// `sin`, `cos`, `tan`, `exp`, `ln`, `pow`.
    pub const MATH: Parts = Parts(4);
    /// `clock`, `sleep`: read the time, block the thread.
    pub const TIME: Parts = Parts(8);
    /// `rand_int`.
    pub const RANDOM: Parts = Parts(16);
    /// `panic`, `assert`.
    pub const ERRORS: Parts = Parts(32);

    /// Every part, each with its name.
    pub const EACH: [(Parts, &'static str); 6] = [
        (Parts::IO, "IO"),
        (Parts::TEXT, "TEXT"),
        (Parts::MATH, "MATH"),
        (Parts::TIME, "TIME"),
        (Parts::RANDOM, "RANDOM"),
        (Parts::ERRORS, "ERRORS"),
    ];

    /// The whole standard library.
    pub const fn all() -> Parts {
        Parts(63)
    }

    /// No library function (only the language intrinsics).
    pub const fn none() -> Parts {
        Parts(0)
    }

    /// Does `self` include every part of `other`?
    pub const fn contains(self, other: Parts) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for Parts {
    type Output = Parts;
    fn bitor(self, rhs: Parts) -> Parts {
        Parts(self.0 | rhs.0)
    }
}

impl Sub for Parts {
    type Output = Parts;
    fn sub(self, rhs: Parts) -> Parts {
        Parts(self.0 & !rhs.0)
    }
}

/// Every library function: standard function, part, implementation.
fn functions() -> [(Builtin, Parts, HostFn); 20] {
    use Builtin as B;
    [
        (B::Print, Parts::IO, HostFn::value(print)),
        (B::Println, Parts::IO, HostFn::value(println)),
        (B::ToStr, Parts::TEXT, HostFn::value_to_str(to_str)),
        (B::Substr, Parts::TEXT, HostFn::str_int2_to_str(substr)),
        (B::Find, Parts::TEXT, HostFn::str2_to_int(find)),
        (B::Split, Parts::TEXT, HostFn::str2_to_strs(split)),
        (B::JoinStr, Parts::TEXT, HostFn::strs_str_to_str(join)),
        (B::ParseInt, Parts::TEXT, HostFn::str_to_int(parse_int)),
        (
            B::ParseFloat,
            Parts::TEXT,
            HostFn::str_to_float(parse_float),
        ),
        (B::Sin, Parts::MATH, HostFn::float_to_float(sin)),
        (B::Cos, Parts::MATH, HostFn::float_to_float(cos)),
        (B::Tan, Parts::MATH, HostFn::float_to_float(tan)),
        (B::Exp, Parts::MATH, HostFn::float_to_float(exp)),
        (B::Ln, Parts::MATH, HostFn::float_to_float(ln)),
        (B::Pow, Parts::MATH, HostFn::float2_to_float(pow)),
        (B::Clock, Parts::TIME, HostFn::to_float(clock)),
        (B::Sleep, Parts::TIME, HostFn::int(sleep)),
        (B::RandInt, Parts::RANDOM, HostFn::int2_to_int(rand_int)),
        (B::Panic, Parts::ERRORS, HostFn::str(panic)),
        (B::Assert, Parts::ERRORS, HostFn::bool_str(assert)),
    ]
}

/// The part holding standard function `b` (`None` for language
/// intrinsics, which every engine has).
pub fn part_of(b: Builtin) -> Option<Parts> {
    functions()
        .into_iter()
        .find(|(f, _, _)| *f == b)
        .map(|(_, p, _)| p)
}

fn part_name(p: Parts) -> &'static str {
    Parts::EACH
        .iter()
        .find(|(q, _)| *q == p)
        .map_or("?", |(_, n)| n)
}

/// Register the library functions of `parts` with `engine`; those of the
/// other parts are marked unavailable (programs calling them are refused
/// at check time, with a note naming the part).
pub fn install(engine: &mut Engine, parts: Parts) -> Result<(), Error> {
    for (b, part, f) in functions() {
        if parts.contains(part) {
            engine.register_builtin(b, f)?;
        } else {
            let name = part_name(part);
            engine.remove_builtin(
                b,
                format!(
                    "`{}` belongs to the standard part `{name}`, which this engine leaves out \
                     (`ember_stdlib::Parts::{name}`)",
                    b.name()
                ),
            );
        }
    }
    Ok(())
}

/// The result of a host operation, or the Ember error it raises.
fn ok<'c, T: HostRet<'c>>(host: Host<'c>, r: Result<T, HostError>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => host.raise(e),
    }
}

// ---- io ----------------------------------------------------------------------------

/// The text form of `v`: scalars and strings directly, the rest through
/// the engine's formatter.
fn text_of<'c>(host: &Host<'c>, v: &Value<'c>, d: &TypeDesc<'c>, out: &mut String) {
    match host.ty(d) {
        Type::Int => {
            let _ = write!(out, "{}", v.word() as i64);
        }
        Type::Bool => out.push_str(if v.word() != 0 { "true" } else { "false" }),
        Type::Str => out.push_str(host.value_str(v, d).unwrap_or_default()),
        _ => out.push_str(&host.format(v, d)),
    }
}

extern "C" fn print<'c>(host: Host<'c>, v: Value<'c>, d: TypeDesc<'c>) {
    let mut text = String::new();
    text_of(&host, &v, &d, &mut text);
    host.write_output(text.as_bytes());
}

extern "C" fn println<'c>(host: Host<'c>, v: Value<'c>, d: TypeDesc<'c>) {
    let mut text = String::new();
    text_of(&host, &v, &d, &mut text);
    text.push('\n');
    host.write_output(text.as_bytes());
}

// ---- text --------------------------------------------------------------------------

extern "C" fn to_str<'c>(host: Host<'c>, v: Value<'c>, d: TypeDesc<'c>) -> Str<'c> {
    // `str` values are immutable: `str(s)` is `s`.
    let v = match host.value_into_str(v, &d) {
        Ok(s) => return s,
        Err(v) => v,
    };
    let r = match host.ty(&d) {
        Type::Int => host.new_str(itoa::Buffer::new().format(v.word() as i64)),
        _ => {
            let text = host.format(&v, &d);
            host.new_str(&text)
        }
    };
    ok(host, r)
}

extern "C" fn substr<'c>(host: Host<'c>, s: Str<'c>, start: i64, end: i64) -> Str<'c> {
    let text = host.str(&s);
    let len = text.len() as i64;
    if start < 0 || end < start || end > len {
        return host.raise(format!(
            "substr out of range: {start}..{end} for length {len}"
        ));
    }
    let (a, b) = (start as usize, end as usize);
    if !text.is_char_boundary(a) || !text.is_char_boundary(b) {
        return host.raise(format!("substr not on a char boundary: {start}..{end}"));
    }
    let r = host.new_str(&text[a..b]);
    ok(host, r)
}

extern "C" fn find<'c>(host: Host<'c>, s: Str<'c>, pat: Str<'c>) -> i64 {
    host.str(&s).find(host.str(&pat)).map_or(-1, |i| i as i64)
}

extern "C" fn split<'c>(host: Host<'c>, s: Str<'c>, sep: Str<'c>) -> StrArray<'c> {
    let (text, sep) = (host.str(&s), host.str(&sep));
    let r = if sep.is_empty() {
        // The characters.
        host.new_str_array(text.char_indices().map(|(i, c)| &text[i..i + c.len_utf8()]))
    } else {
        host.new_str_array(text.split(sep))
    };
    ok(host, r)
}

extern "C" fn join<'c>(host: Host<'c>, parts: StrArray<'c>, sep: Str<'c>) -> Str<'c> {
    let sep_text = host.str(&sep);
    let items = host.strs(&parts);
    let mut pieces: Vec<&str> = Vec::with_capacity(items.len().saturating_mul(2));
    for (i, p) in items.enumerate() {
        if i > 0 && !sep_text.is_empty() {
            pieces.push(sep_text);
        }
        pieces.push(p);
    }
    let r = host.new_str_concat(&pieces);
    ok(host, r)
}

extern "C" fn parse_int<'c>(host: Host<'c>, s: Str<'c>) -> i64 {
    let text = host.str(&s);
    match text.parse::<i64>() {
        Ok(i) => i,
        Err(_) => {
            let msg = format!("cannot parse {text:?} as int");
            host.raise(msg)
        }
    }
}

extern "C" fn parse_float<'c>(host: Host<'c>, s: Str<'c>) -> f64 {
    let text = host.str(&s);
    match text.parse::<f64>() {
        Ok(x) => x,
        Err(_) => {
            let msg = format!("cannot parse {text:?} as float");
            host.raise(msg)
        }
    }
}

// ---- math --------------------------------------------------------------------------

extern "C" fn sin(_: Host<'_>, x: f64) -> f64 {
    x.sin()
}

extern "C" fn cos(_: Host<'_>, x: f64) -> f64 {
    x.cos()
}

extern "C" fn tan(_: Host<'_>, x: f64) -> f64 {
    x.tan()
}

extern "C" fn exp(_: Host<'_>, x: f64) -> f64 {
    x.exp()
}

extern "C" fn ln(_: Host<'_>, x: f64) -> f64 {
    x.ln()
}

extern "C" fn pow(_: Host<'_>, b: f64, e: f64) -> f64 {
    b.powf(e)
}

// ---- time --------------------------------------------------------------------------

extern "C" fn clock(host: Host<'_>) -> f64 {
    host.elapsed().as_secs_f64()
}

extern "C" fn sleep(host: Host<'_>, ms: i64) {
    let d = Duration::from_millis(ms.max(0) as u64);
    if !host.sleep_parked(d) {
        host.raise("interrupted")
    }
}

// ---- random ------------------------------------------------------------------------

extern "C" fn rand_int(mut host: Host<'_>, lo: i64, hi: i64) -> i64 {
    if hi <= lo {
        return host.raise(format!("rand_int: empty range {lo}..{hi}"));
    }
    // xorshift64* per thread, seeded from the clock and a counter.
    static SEEDS: AtomicU64 = AtomicU64::new(0);
    let state = host.rng_state();
    if *state == 0 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9e37_79b9_7f4a_7c15);
        let n = SEEDS.fetch_add(1, Ordering::Relaxed);
        *state = (nanos ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17)) | 1;
    }
    let span = (hi as i128 - lo as i128) as u128;
    // Rejection sampling for uniformity.
    let zone = u64::MAX as u128 - (u64::MAX as u128 + 1) % span;
    loop {
        let mut x = *state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        *state = x;
        let r = x.wrapping_mul(0x2545_f491_4f6c_dd1d) as u128;
        if r <= zone {
            return (lo as i128 + (r % span) as i128) as i64;
        }
    }
}

// ---- errors ------------------------------------------------------------------------

extern "C" fn panic<'c>(host: Host<'c>, msg: Str<'c>) {
    let text = host.str(&msg).to_string();
    host.raise(text)
}

extern "C" fn assert<'c>(host: Host<'c>, c: bool, msg: Str<'c>) {
    if !c {
        let text = format!("assertion failed: {}", host.str(&msg));
        host.raise(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_library_function_has_one_part() {
        for &b in ember_jit::runtime::host::LIBRARY {
            assert!(part_of(b).is_some(), "{b:?} has no part");
        }
        assert_eq!(functions().len(), ember_jit::runtime::host::LIBRARY.len());
        let mut all = Parts::none();
        for (p, _) in Parts::EACH {
            all = all | p;
        }
        assert_eq!(all, Parts::all());
    }
}

//! A generator of well-typed Ember programs, driven by bytes
//! (`arbitrary::Unstructured`), and the oracle that runs them.
//!
//! Shared by the fuzz target `fuzz/fuzz_targets/programs.rs` (bytes from
//! libFuzzer) and the bounded test `tests/generated.rs` (bytes from fixed
//! seeds). Every program it emits must pass the checker: a compile error
//! is a bug here, not in Ember. What the programs do when run is anything
//! LANGUAGE.md allows — finish, fail with a §6 runtime error (division by
//! zero, bounds, overflow, unwrap of none, stack overflow, out of memory,
//! ...) or loop until the time limit interrupts them — and the oracle
//! ([`run`]) checks that nothing else happens.
//!
//! The generator is type-directed: [`Gen::expr`] makes an expression of a
//! requested type from the variables in scope, the program's functions
//! and structs and the standard functions; statements keep scopes,
//! mutability and loop/function context so that every name, assignment,
//! `break` and `return` is legal. Budgets (expression depth, block depth,
//! a node count per body) keep programs small; once the bytes run out
//! every choice takes its first, terminating alternative. Each program has
//! a risk level (`risk.rs`): at 0 every operation that can fail is
//! guarded, so the program runs to its end; higher levels use raw forms
//! more often. The optional second phase (`program.rs`) redefines a
//! function (and maybe reorders a struct's fields) and calls it again.

pub mod run;

mod expr;
mod lit;
mod program;
mod risk;
mod scope;
mod stmt;
mod types;

pub use program::Program;
pub use types::{Sig, StructDef, Ty};

use arbitrary::Unstructured;
use scope::Scope;

/// How large and how adventurous generated programs are.
#[derive(Clone, Debug)]
pub struct Config {
    /// Expression nodes per program (beyond it, only leaves).
    pub fuel: u32,
    /// Deepest expression nesting.
    pub max_expr_depth: u32,
    /// Deepest statement-block nesting.
    pub max_block_depth: u32,
    /// Spawn threads and use channels.
    pub threads: bool,
    /// Generate a second phase that redefines a function (live
    /// redefinition) and calls again.
    pub redefine: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            fuel: 900,
            max_expr_depth: 4,
            max_block_depth: 3,
            threads: true,
            redefine: true,
        }
    }
}

/// Generate one program from `u`. Never fails: when the bytes run out,
/// every choice takes its first alternative, which always terminates.
pub fn generate(u: &mut Unstructured<'_>, config: &Config) -> Program {
    let mut g = Gen::new(u, config.clone());
    g.program()
}

/// The generator's state: the bytes, what the program declares so far,
/// the scope of the code being generated.
pub struct Gen<'a, 'u> {
    u: &'u mut Unstructured<'a>,
    config: Config,
    fuel: u32,
    /// The fuel each body (top-level code, a function) starts with.
    fuel_share: u32,
    pub(crate) structs: Vec<StructDef>,
    pub(crate) sigs: Vec<Sig>,
    /// Every global of the program (top-level `let`s), in source order.
    pub(crate) globals: Vec<scope::Var>,
    /// How many of `globals` function bodies see.
    pub(crate) fn_globals: usize,
    /// How often risky operations take their raw form (see `risk.rs`).
    pub(crate) risk: u8,
    pub(crate) scope: Scope,
    /// Where the code being generated lives.
    pub(crate) ctx: BodyCtx,
    next_name: u32,
}

/// The context of the statements being generated.
#[derive(Clone, Debug, Default)]
pub(crate) struct BodyCtx {
    /// The function whose body this is (`None`: top-level code).
    pub function: Option<usize>,
    /// Enclosing loops (for `break` / `continue`).
    pub loops: u32,
    /// Enclosing blocks.
    pub blocks: u32,
    /// Globals visible by name: at top level those declared so far, in
    /// functions all of them (one read before its initializer ran is the
    /// runtime error `global NAME used before initialization`).
    pub globals_visible: usize,
}

impl<'a, 'u> Gen<'a, 'u> {
    fn new(u: &'u mut Unstructured<'a>, config: Config) -> Self {
        Gen {
            u,
            fuel: config.fuel,
            fuel_share: config.fuel,
            config,
            structs: Vec::new(),
            sigs: Vec::new(),
            globals: Vec::new(),
            fn_globals: 0,
            risk: 0,
            scope: Scope::default(),
            ctx: BodyCtx::default(),
            next_name: 0,
        }
    }

    // ---- choices -----------------------------------------------------

    /// A number in `0..n` (0 when the bytes have run out or `n <= 1`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        self.u.choose_index(n).unwrap_or(0)
    }

    /// True with probability `pct`% (false once the bytes have run out).
    pub(crate) fn chance(&mut self, pct: usize) -> bool {
        self.below(100) >= 100 - pct.min(100)
    }

    /// An index into `weights`, chosen in proportion to them (the first
    /// non-zero one once the bytes have run out).
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        if total == 0 {
            return 0;
        }
        let mut r = self.below(total as usize) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if r < w {
                return i;
            }
            r -= w;
        }
        0
    }

    /// One of `items` (the first once the bytes have run out).
    pub(crate) fn pick<'s, T>(&mut self, items: &'s [T]) -> &'s T {
        &items[self.below(items.len())]
    }

    pub(crate) fn arbitrary_i64(&mut self) -> i64 {
        self.u.arbitrary().unwrap_or(0)
    }

    pub(crate) fn arbitrary_u64(&mut self) -> u64 {
        self.u.arbitrary().unwrap_or(0)
    }

    /// Take one unit of fuel; false when none is left.
    pub(crate) fn burn(&mut self) -> bool {
        if self.fuel == 0 {
            return false;
        }
        self.fuel -= 1;
        true
    }

    pub(crate) fn set_fuel(&mut self, fuel: u32) {
        self.fuel = fuel;
    }

    pub(crate) fn has_fuel(&self) -> bool {
        self.fuel > 0
    }

    /// A fresh local name (`v0`, `v1`, ...): locals never shadow anything,
    /// so every use refers to the binding the generator meant.
    pub(crate) fn fresh(&mut self) -> String {
        let n = self.next_name;
        self.next_name += 1;
        format!("v{n}")
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    // ---- types -------------------------------------------------------

    /// A value type for a new variable, field, parameter or result.
    /// `depth` bounds nesting; function types come only from existing
    /// signatures (so a named function of that type always exists).
    pub(crate) fn ty(&mut self, depth: u32) -> Ty {
        let nest = depth > 0;
        let weights = [
            30,                                              // int
            8,                                               // float
            8,                                               // bool
            14,                                              // str
            if nest { 10 } else { 0 },                       // array
            if nest { 5 } else { 0 },                        // map
            if nest { 7 } else { 0 },                        // optional
            if self.structs.is_empty() { 0 } else { 7 },     // struct
            if self.fn_types().is_empty() { 0 } else { 3 },  // function
            if nest && self.config.threads { 1 } else { 0 }, // channel
        ];
        match self.weighted(&weights) {
            0 => Ty::Int,
            1 => Ty::Float,
            2 => Ty::Bool,
            3 => Ty::Str,
            4 => Ty::array(self.ty(depth - 1)),
            5 => {
                let k = self.key_ty();
                Ty::map(k, self.ty(depth - 1))
            }
            6 => Ty::opt(self.ty(depth - 1)),
            7 => Ty::Struct(self.below(self.structs.len())),
            8 => {
                let types = self.fn_types();
                self.pick(&types).clone()
            }
            _ => Ty::Chan(Box::new(self.ty(depth - 1))),
        }
    }

    pub(crate) fn key_ty(&mut self) -> Ty {
        self.pick(&[Ty::Int, Ty::Str, Ty::Bool]).clone()
    }

    /// The types of the functions that can be values (those with a result).
    pub(crate) fn fn_types(&self) -> Vec<Ty> {
        let mut out: Vec<Ty> = Vec::new();
        for t in self.sigs.iter().filter_map(Sig::fn_type) {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }
}

//! How often a program takes risks: the operations that can fail at run
//! time (indexing, map lookup, unwrap, pop, division, substr, parsing,
//! casts, assertions, endless loops and recursion) come in a raw form and
//! in a guarded form that cannot fail.
//!
//! Each program gets a risk level. At level 0 every such operation is
//! guarded, so the program runs to its end (or to a stack overflow or the
//! time limit through recursion it cannot see); at level `r` a raw form is
//! chosen `10 * r`% of the time. A program stops at its first error, so
//! without guarded forms almost every program would stop early and the
//! code after its first index would never run.

use super::{Gen, Ty};

impl Gen<'_, '_> {
    /// Whether this operation takes its raw form (may fail).
    pub(crate) fn risky(&mut self) -> bool {
        let r = self.risk as usize;
        r > 0 && self.chance(10 * r)
    }

    /// `a[i]`, or (guarded) an index wrapped into bounds with a default
    /// for an empty array.
    pub(crate) fn index_expr(&mut self, ty: &Ty, typed: bool, d: u32) -> String {
        let a = self.expr(&Ty::array(ty.clone()), false, d);
        let i = self.index(d);
        if self.risky() {
            return format!("({a})[{i}]");
        }
        let t = self.fresh();
        let dflt = self.expr(ty, typed, d);
        format!(
            "({{ let {t} = {a}; if len({t}) > 0 {{ {t}[{}] }} else {{ {dflt} }} }})",
            wrap_index(&i, &t)
        )
    }

    /// `m[k]`, or (guarded) a lookup with a default.
    pub(crate) fn map_index_expr(&mut self, ty: &Ty, typed: bool, d: u32) -> String {
        let k = self.key_ty();
        let m = self.expr(&Ty::map(k.clone(), ty.clone()), false, d);
        let key = self.expr(&k, false, d);
        if self.risky() {
            return format!("({m})[{key}]");
        }
        let (t, kv) = (self.fresh(), self.fresh());
        let dflt = self.expr(ty, typed, d);
        format!("({{ let {t} = {m}; let {kv} = {key}; if has({t}, {kv}) {{ {t}[{kv}] }} else {{ {dflt} }} }})")
    }

    /// `pop(a)`, or (guarded) a pop of a non-empty array with a default.
    pub(crate) fn pop_expr(&mut self, ty: &Ty, typed: bool, d: u32) -> String {
        let a = self.expr(&Ty::array(ty.clone()), false, d);
        let pop = |a: &str, method: bool| {
            if method {
                format!("({a}).pop()")
            } else {
                format!("pop({a})")
            }
        };
        let method = self.chance(30);
        if self.risky() {
            return pop(&a, method);
        }
        let t = self.fresh();
        let dflt = self.expr(ty, typed, d);
        format!(
            "({{ let {t} = {a}; if len({t}) > 0 {{ {} }} else {{ {dflt} }} }})",
            pop(&t, method)
        )
    }

    /// The statement `a[i] = v;` (or a compound assignment), guarded like
    /// [`Gen::index_expr`].
    pub(crate) fn index_assign(&mut self, d: u32) -> String {
        let t = self.ty(2);
        let a = self.expr(&Ty::array(t.clone()), false, d);
        let i = self.index(d);
        let (op, rhs) = self.assign_rhs(&t, d);
        if self.risky() {
            return format!("({a})[{i}] {op} {rhs};");
        }
        let v = self.fresh();
        format!(
            "{{ let {v} = {a}; if len({v}) > 0 {{ {v}[{}] {op} {rhs}; }} }}",
            wrap_index(&i, &v)
        )
    }
}

/// `i` brought into `0..len(a)` (for a non-empty `a`), whatever its sign.
fn wrap_index(i: &str, a: &str) -> String {
    format!("((({i}) % len({a})) + len({a})) % len({a})")
}
